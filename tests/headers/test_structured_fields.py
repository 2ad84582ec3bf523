"""Specification: every structured header Talisman sends parses (RFC 9651).

Browsers drop a Permissions-Policy, Document-Policy, Reporting-Endpoints or
Integrity-Policy header whole, with every restriction in it, when it does not
parse as a structured field. Each value is checked against the grammar when
configured; here an independent parser (the ``http-sf`` package, a test
dependency) reads every such header of every configuration in the table.
"""

from __future__ import annotations

from typing import Any

import http_sf
import pytest

from flask_talisman import ConfigurationError, Talisman

from ..conftest import HTTPS, make_app

#: Header name -> its structured-field type.
STRUCTURED = {
    "Permissions-Policy": "dictionary",
    "Document-Policy": "dictionary",
    "Reporting-Endpoints": "dictionary",
    "Integrity-Policy": "dictionary",
    "Integrity-Policy-Report-Only": "dictionary",
    "Clear-Site-Data": "list",
    "Origin-Agent-Cluster": "item",
    "Cross-Origin-Opener-Policy": "item",
    "Cross-Origin-Embedder-Policy": "item",
    "Permissions-Policy-Report-Only": "dictionary",
    "Cross-Origin-Opener-Policy-Report-Only": "item",
    "Cross-Origin-Embedder-Policy-Report-Only": "item",
}


CONFIGURATIONS: list[dict[str, Any]] = [
    {},
    {"preset": "balanced"},
    {"preset": "strict"},
    {"preset": "api"},
    {"permissions_policy": {"camera": "()", "geolocation": ["self", "https://a.example"]}},
    {"permissions_policy": {"fullscreen": True, "usb": False, "payment": "(self src)"}},
    {"permissions_policy": "camera=(), geolocation=(self \"https://a.example\")"},
    {"permissions_policy": {"camera": "();report-to=main"}},
    {"permissions_policy": {"camera": "()"}, "permissions_policy_report_to": "main",
     "reporting_endpoints": {"main": "https://r.example/"}},
    {"document_policy": {"oversized-images": 2.5, "document-write": False,
                         "js-profiling": True, "x": "?1", "y": "token;p=1.5"}},
    {"document_policy": "document-write=?0, oversized-images=2.0;report-to=main"},
    {"reporting_endpoints": {"main": "https://r.example/", "rel": "/reports"}},
    {"report_receiver": "/reports"},
    {"clear_site_data": ["cache", "cookies", "storage"]},
    {"clear_site_data": "cache, cookies"},
    {"integrity_policy": {"blocked-destinations": ["script"], "endpoints": ["main"]}},
    {"integrity_policy_report_only": {"blocked-destinations": ["script"]}},
    {"origin_agent_cluster": True},
    {"cross_origin_opener_policy": "same-origin",
     "cross_origin_opener_policy_report_to": "main",
     "cross_origin_embedder_policy": "require-corp",
     "cross_origin_embedder_policy_report_to": "main",
     "reporting_endpoints": {"main": "https://r.example/"}},
    {"permissions_policy_report_only": {"camera": "()", "usb": "(self);report-to=u"},
     "permissions_policy_report_to": "main", "report_receiver": "/reports",
     "cross_origin_opener_policy_report_only": "same-origin",
     "cross_origin_embedder_policy_report_only": "credentialless"},
]  # fmt: skip


@pytest.mark.parametrize("options", CONFIGURATIONS, ids=range(len(CONFIGURATIONS)))
def test_every_structured_header_parses(options: dict[str, Any]) -> None:
    app = make_app()
    Talisman(app, **options)
    client = app.test_client()
    for kwargs in (HTTPS, {"headers": {"X-Forwarded-Proto": "https"}}):
        response = client.get("/", **kwargs)
        for name, kind in STRUCTURED.items():
            for value in response.headers.getlist(name):
                http_sf.parse(value.encode(), tltype=kind)  # raises if not


#: Values browsers would reject whole, which Talisman used to send.
REJECTED_WHOLE: list[tuple[str, Any]] = [
    ("permissions_policy", {"camera": "();a=:"}),
    ("permissions_policy", {"camera": '();a="'}),
    ("permissions_policy", {"camera": "();a=1x"}),
    ("permissions_policy", {"camera": "(self);report-to=-"}),
    ("permissions_policy", "camera=();a=:"),
    ("document_policy", {"oversized-images": "1234567890123.5"}),
    ("document_policy", "tok;p=1x"),
    ("document_policy", {"x": "a;p="}),
    ("reporting_endpoints", {"": "/r"}),
]


@pytest.mark.parametrize(("option", "value"), REJECTED_WHOLE)
def test_a_value_browsers_would_reject_whole_is_refused(
    option: str, value: Any
) -> None:
    for value_ in (value,):
        with pytest.raises(ConfigurationError, match=option):
            Talisman(make_app(), **{option: value_})


def test_a_space_after_the_equals_sign_is_not_sent() -> None:
    app = make_app()
    Talisman(app, permissions_policy="camera= self, geolocation =()")
    value = app.test_client().get("/", **HTTPS).headers["Permissions-Policy"]
    assert value == "camera=self, geolocation=()"
    http_sf.parse(value.encode(), tltype="dictionary")
