"""Reporting-Endpoints, and the report-to parameters that name its endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import ConfigurationError, Talisman

from ..conftest import HTTPS, make_app

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")


def test_relative_endpoint_follows_the_request_host_and_script_root() -> None:
    app = make_app()
    Talisman(
        app, reporting_endpoints={"main": "/reports", "abs": "https://a.example/r"}
    )
    client = app.test_client()
    response = client.get("/", base_url="https://shop.example:8443/app")
    assert response.headers["Reporting-Endpoints"] == (
        'main="https://shop.example:8443/app/reports", abs="https://a.example/r"'
    )


def test_hostile_host_never_reaches_reporting_endpoints() -> None:
    app = make_app()
    Talisman(app, reporting_endpoints={"main": "/reports"})
    response = app.test_client().get(
        "/", **HTTPS, headers={"Host": 'evil.example",x="1'}
    )
    assert '"1' not in response.headers.get("Reporting-Endpoints", "")


def test_report_to_on_other_headers() -> None:
    app = make_app()
    Talisman(
        app,
        reporting_endpoints={"sec": "https://r.example/"},
        cross_origin_opener_policy="same-origin",
        cross_origin_opener_policy_report_to="sec",
        cross_origin_embedder_policy="require-corp",
        cross_origin_embedder_policy_report_to="sec",
        permissions_policy={"camera": "()", "geolocation": ["self"]},
        permissions_policy_report_to="sec",
        content_security_policy_report_to="sec",
    )
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["Cross-Origin-Opener-Policy"] == 'same-origin; report-to="sec"'
    assert headers["Cross-Origin-Embedder-Policy"] == 'require-corp; report-to="sec"'
    assert headers["Permissions-Policy"] == (
        "camera=();report-to=sec, geolocation=(self);report-to=sec"
    )
    assert headers["Content-Security-Policy"].endswith("; report-to sec")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reporting_endpoints": {"CSP": "https://r.example"}}, "endpoint name"),
        ({"reporting_endpoints": {"csp": "ftp://r.example"}}, "absolute http"),
        ({"reporting_endpoints": {"csp": "reports"}}, "absolute http"),
        ({"reporting_endpoints": {"csp": 'https://r.example/"x'}}, "one URL"),
        ({"reporting_endpoints": ["https://r.example"]}, "dict"),
        ({"content_security_policy_report_to": "a b"}, "endpoint name"),
        ({"report_receiver": "reports"}, "URL path"),
        ({"report_receiver": "//evil.example/r"}, "URL path"),
        ({"report_receiver_max_bytes": 0}, "positive"),
        ({"report_receiver_rate_limit": -1}, "positive"),
        ({"report_receiver_sample_rate": 0}, "above 0"),
        ({"report_receiver_sample_rate": 2}, "above 0"),
    ],
)
def test_bad_reporting_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Talisman(make_app(), **options)
