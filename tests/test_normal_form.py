"""Specification: what is sent is the value as validated, as plain text.

A ``str`` subclass, such as a ``(str, Enum)`` member, compares equal to its
text but can render as something else through ``str()`` or ``format()``
(``CORP.SAME_ORIGIN``). Every option turns such values into plain ``str``
(and ``int``/``float`` subclasses into plain numbers) before checking them,
so the header carries exactly the text that was checked.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
from flask import Flask

from flask_talisman import ConfigurationError, Talisman

from .conftest import HTTPS, Shifty, add_cookie_view, add_view, make_app


class Policy(str, enum.Enum):
    SAME_ORIGIN = "same-origin"
    REQUIRE_CORP = "require-corp"
    SAME_ORIGIN_ALLOW_POPUPS = "same-origin-allow-popups"


class Age(int):
    def __str__(self) -> str:
        return "forever"

    def __format__(self, spec: str) -> str:
        return "forever"


def shifty(value: Any) -> Any:
    """``value`` with every str in it (keys too) a :class:`Shifty`."""
    if isinstance(value, str):
        return Shifty(value)
    if isinstance(value, dict):
        return {shifty(k): shifty(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shifty(v) for v in value]
    return value


#: (option, plain value, other options it needs)
STRING_OPTIONS: list[tuple[str, Any, dict[str, Any]]] = [
    ("frame_options", "DENY", {}),
    ("frame_options_allow_from", "https://a.example",
     {"frame_options": "ALLOW-FROM",
      "content_security_policy": {"frame-ancestors": "https://a.example"}}),
    ("referrer_policy", "no-referrer", {}),
    ("referrer_policy", ["no-referrer", "strict-origin"], {}),
    ("content_security_policy", "default-src 'self'; img-src *", {}),
    ("content_security_policy", {"default-src": ["'self'", "https://a.example"]}, {}),
    ("content_security_policy_report_uri", "/csp", {}),
    ("content_security_policy_nonce_in", ["script-src"], {}),
    ("content_security_policy_nonce_in", "script-src style-src", {}),
    ("content_security_policy_report_only", "default-src 'none'", {}),
    ("content_security_policy_report_only_nonce_in", ["script-src"],
     {"content_security_policy_report_only": {"default-src": "'self'"}}),
    ("permissions_policy", {"camera": "()", "geolocation": ["self"]}, {}),
    ("permissions_policy", "camera=(), geolocation=(self)", {}),
    ("document_policy", {"document-write": "?0"}, {}),
    ("document_policy", "document-write=?0", {}),
    ("feature_policy", {"camera": "'none'"}, {}),
    ("cross_origin_opener_policy", "same-origin", {}),
    ("cross_origin_embedder_policy", "require-corp", {}),
    ("cross_origin_resource_policy", "same-origin", {}),
    ("x_dns_prefetch_control", "off", {}),
    ("x_permitted_cross_domain_policies", "none", {}),
    ("cache_control", "no-store", {}),
    ("clear_site_data", ["cache", "cookies"], {}),
    ("integrity_policy", {"blocked-destinations": ["script"]}, {}),
    ("reporting_endpoints", {"csp": "https://r.example/csp", "rel": "/r"}, {}),
    ("content_security_policy_report_to", "csp",
     {"reporting_endpoints": {"csp": "https://r.example/csp"}}),
    ("cross_origin_opener_policy_report_to", "csp",
     {"reporting_endpoints": {"csp": "https://r.example/csp"},
      "cross_origin_opener_policy": "same-origin"}),
    ("permissions_policy_report_to", "csp",
     {"reporting_endpoints": {"csp": "https://r.example/csp"}}),
    ("harden_cookies_samesite", "Strict", {"harden_cookies": True}),
    ("harden_cookies_include", ["a"], {"harden_cookies": True}),
    ("harden_cookies_exclude", ["a"], {"harden_cookies": True}),
    ("x_xss_protection", "0", {}),
]  # fmt: skip


def sent(app: Flask) -> list[tuple[str, str, str]]:
    add_cookie_view(app)
    client = app.test_client()
    got = []
    for kind, kwargs in (("https", HTTPS), ("http", {})):
        for path in ("/", "/cookies"):
            response = client.get(path, **kwargs)
            got += [(kind, k, v) for k, v in response.headers if "nonce-" not in v]
    return sorted(got)


@pytest.mark.parametrize(
    ("option", "value", "extra"),
    STRING_OPTIONS,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(STRING_OPTIONS)],
)
def test_a_str_subclass_is_sent_as_its_text(
    option: str, value: Any, extra: dict[str, Any]
) -> None:
    plain_app, subclass_app = make_app("plain"), make_app("subclass")
    Talisman(plain_app, force_https=False, **{option: value}, **extra)
    Talisman(subclass_app, force_https=False, **{option: shifty(value)}, **extra)
    assert sent(subclass_app) == sent(plain_app)


def test_a_str_subclass_assigned_or_edited_in_is_sent_as_its_text() -> None:
    app = make_app()
    talisman = Talisman(app)
    talisman.frame_options = Shifty("DENY")
    talisman.content_security_policy[Shifty("img-src")] = Shifty("*")
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"].endswith("; img-src *")


def test_enum_members_are_sent_as_their_values() -> None:
    app = make_app()
    Talisman(
        app,
        cross_origin_opener_policy=Policy.SAME_ORIGIN_ALLOW_POPUPS,
        cross_origin_embedder_policy=Policy.REQUIRE_CORP,
        cross_origin_resource_policy=Policy.SAME_ORIGIN,
        permissions_policy={Policy.SAME_ORIGIN: "()"},
    )
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["Permissions-Policy"] == "same-origin=()"


def test_an_int_subclass_is_sent_as_its_number() -> None:
    app = make_app()
    Talisman(app, strict_transport_security_max_age=Age(600))
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_per_view_str_subclasses_are_sent_as_their_text() -> None:
    app = make_app()
    talisman = Talisman(app)

    add_view(
        app,
        "/view",
        talisman(frame_options=Shifty("DENY"), referrer_policy=Shifty("no-referrer")),
    )

    add_view(
        app,
        "/extended",
        talisman.extend(content_security_policy={Shifty("img-src"): Shifty("*")}),
    )

    headers = app.test_client().get("/view", **HTTPS).headers
    assert (headers["X-Frame-Options"], headers["Referrer-Policy"]) == (
        "DENY",
        "no-referrer",
    )
    csp = app.test_client().get("/extended", **HTTPS).headers["Content-Security-Policy"]
    assert csp == "default-src 'self'; object-src 'none'; img-src 'self' *"


class Ratio(float):
    def __repr__(self) -> str:
        return "lots"

    def __str__(self) -> str:
        return "lots"


def test_a_float_subclass_is_sent_as_its_number() -> None:
    plain_app, subclass_app = make_app("plain"), make_app("subclass")
    Talisman(plain_app, document_policy={"oversized-images": 2.5})
    Talisman(subclass_app, document_policy={"oversized-images": Ratio(2.5)})
    assert sent(subclass_app) == sent(plain_app)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"content_security_policy": {"default-src": {"'self'", 1}}},
         r"content_security_policy\['default-src'\]: expected str sources, got 1"),
        ({"content_security_policy": {"default-src": (s for s in ["'self'"])}},
         r"content_security_policy\['default-src'\]: expected a str or a list"),
        ({"content_security_policy_nonce_in": (s for s in ["script-src"])},
         r"content_security_policy_nonce_in: expected a list of directive names"),
    ],
)  # fmt: skip
def test_sets_of_other_things_and_one_shot_iterators_are_refused(
    options: dict[str, Any], message: str
) -> None:
    # A generator would be used up by the first request (1.1.0 then sends
    # an empty directive); it is refused where it is given.
    with pytest.raises(ConfigurationError, match=message):
        Talisman(make_app(), **options)
