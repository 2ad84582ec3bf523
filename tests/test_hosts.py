"""Specification: the client's Host header, in redirects and origins.

The Host header is the client's. Where Talisman puts it into a header (the
HTTPS redirect's ``Location``, a relative reporting endpoint's origin), it
must be a host name, an IPv4 address or a bracketed IPv6 address with an
optional port; anything else gets 400 Bad Request, on every Werkzeug version
the package supports, and no Host ever makes a 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from flask_talisman import Talisman

from .conftest import make_app

# Werkzeug before 3.0 warns when the Host does not match SERVER_NAME.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Current server name .* doesn't match configured server name"
)

HOSTILE_HOSTS = [
    "good.example:@evil.example",
    "evil.example/.good.example",
    "evil.example\\.good.example",
    "good.example evil.example",
    "",
    "a" * 64 + ".example",
    "good.example:99999",
    "good.example:port",
    "[::1",
    "-good.example",
    "good..example",
]
#: Where the trusted host comes from: TRUSTED_HOSTS, SERVER_NAME or nothing.
CONFIGS: dict[str, dict[str, Any]] = {
    "trusted-hosts": {"TRUSTED_HOSTS": ["good.example", ".good.example"]},
    "server-name": {"SERVER_NAME": "good.example"},
    "neither": {},
}


class Sent:
    """What the app sent: status code and headers."""

    def __init__(self, status: str, headers: Headers) -> None:
        self.status_code = int(status.split()[0])
        self.headers = headers


def request(app: Flask, host: str, path: str = "/", **environ: Any) -> Sent:
    # Straight to the app: some Werkzeug test clients fail on such a Host
    # themselves (in their cookie handling) before the app is called.
    query = environ.pop("QUERY_STRING", "")
    built = EnvironBuilder(path=path, query_string=query).get_environ()
    built.update({"HTTP_HOST": host, **environ})
    _, status, headers = run_wsgi_app(app.wsgi_app, built)
    return Sent(status, headers)


def app_with(config: dict[str, Any], **options: Any) -> Flask:
    app = make_app()
    app.config.update(config)

    @app.route("/<path:anything>")
    def anything(anything: str) -> str:
        return anything

    Talisman(app, **options)
    return app


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_a_host_that_is_no_host_name_is_never_redirected(
    config: dict[str, Any], host: str
) -> None:
    response = request(app_with(config), host, "/evil.example/a")
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize(
    "options",
    [{"report_receiver": "/r"}, {"reporting_endpoints": {"csp": "/r"}}],
    ids=["receiver", "relative-endpoint"],
)
@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_a_host_that_is_no_host_name_never_reaches_an_origin(
    config: dict[str, Any], options: dict[str, Any], host: str
) -> None:
    app = app_with(config, **options)
    for scheme in ("https", "http"):
        response = request(app, host, **{"wsgi.url_scheme": scheme})
        assert response.status_code == 400, scheme
        assert "Reporting-Endpoints" not in response.headers


@pytest.mark.parametrize(
    ("host", "location"),
    [
        ("good.example", "https://good.example/a?b=c"),
        ("GOOD.example:8080", "https://good.example:8080/a?b=c"),
        ("www.good.example", "https://www.good.example/a?b=c"),
        ("10.0.0.1:8443", "https://10.0.0.1:8443/a?b=c"),
        ("10.0.0.1:80", "https://10.0.0.1/a?b=c"),  # http's own port
        ("[::1]:8080", "https://[::1]:8080/a?b=c"),
    ],
)
def test_a_valid_host_is_redirected_to_itself(host: str, location: str) -> None:
    app = app_with({})
    response = request(app, host, "/a", QUERY_STRING="b=c")
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_hosts_outside_trusted_hosts_get_400_not_a_redirect() -> None:
    app = app_with(CONFIGS["trusted-hosts"])
    assert request(app, "evil.example").status_code == 400
    assert request(app, "www.good.example").status_code == 302


def test_the_endpoint_origin_uses_the_scheme_talisman_judged_by() -> None:
    # Behind a TLS-terminating proxy: the request reaches the app over plain
    # HTTP with X-Forwarded-Proto: https, which Talisman trusts by default.
    app = app_with({}, report_receiver="/r")
    response = request(app, "good.example", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response.headers["Reporting-Endpoints"] == (
        'default="https://good.example/r"'
    )
    assert "report-to default" in response.headers["Content-Security-Policy"]


def test_an_idn_host_keeps_its_ascii_form_and_its_endpoint() -> None:
    app = app_with({}, report_receiver="/r")
    response = request(app, "xn--bcher-kva.example", **{"wsgi.url_scheme": "https"})
    assert response.headers["Reporting-Endpoints"] == (
        'default="https://xn--bcher-kva.example/r"'
    )
    assert "report-to default" in response.headers["Content-Security-Policy"]


def test_a_script_root_is_part_of_the_origin() -> None:
    app = app_with({}, report_receiver="/r")
    response = request(
        app,
        "good.example",
        **{"wsgi.url_scheme": "https", "SCRIPT_NAME": "/sub dir"},
    )
    assert response.headers["Reporting-Endpoints"] == (
        'default="https://good.example/sub%20dir/r"'
    )


def test_a_host_outside_server_name_gets_no_endpoint_origin() -> None:
    app = app_with(CONFIGS["server-name"], report_receiver="/r")
    response = request(app, "evil.example", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    served = request(app, "www.good.example", **{"wsgi.url_scheme": "https"})
    assert served.headers["Reporting-Endpoints"] == (
        'default="https://www.good.example/r"'
    )


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_refused_host_gets_no_report_to_without_its_endpoint(scheme: str) -> None:
    app = app_with(
        {},
        report_receiver="/r",
        cross_origin_opener_policy="same-origin",
        cross_origin_opener_policy_report_to="default",
        permissions_policy={"camera": "()"},
        permissions_policy_report_to="default",
        content_security_policy="default-src 'self'; report-to default",
    )
    response = request(app, "good.example:@evil.example", **{"wsgi.url_scheme": scheme})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    for name, value in response.headers:
        assert "report-to" not in value, name
    # The refused request still gets the other security headers.
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; report-uri /r"
    )
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"] == "camera=()"
    served = request(app, "good.example", **{"wsgi.url_scheme": "https"})
    assert "report-to" in served.headers["Cross-Origin-Opener-Policy"]


@pytest.mark.parametrize(
    ("option", "value", "header", "sent"),
    [
        ("permissions_policy", {"camera": "();report-to=main"}, "Permissions-Policy",
         "camera=()"),
        ("permissions_policy", "camera=();  report-to=main, geolocation=(self)",
         "Permissions-Policy", "camera=(), geolocation=(self)"),
        ("document_policy", {"oversized-images": "2.0;report-to=main;x=1"},
         "Document-Policy", "oversized-images=2.0;x=1"),
        ("document_policy", "tok;report-to=main", "Document-Policy", "tok"),
        ("integrity_policy",
         {"blocked-destinations": ["script"], "endpoints": ["main"]},
         "Integrity-Policy", "blocked-destinations=(script)"),
        ("integrity_policy_report_only", {"endpoints": ["main"]},
         "Integrity-Policy-Report-Only", None),
    ],
)  # fmt: skip
def test_a_refused_host_gets_no_endpoint_named_in_the_users_own_values(
    option: str, value: object, header: str, sent: str | None
) -> None:
    app = app_with({}, reporting_endpoints={"main": "/r"}, **{option: value})
    response = request(app, "evil.example/.x", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    assert response.headers.get(header) == sent
    served = request(app, "good.example", **{"wsgi.url_scheme": "https"})
    assert "main" in served.headers[header]
    assert served.headers["Reporting-Endpoints"] == 'main="https://good.example/r"'


def test_report_only_reporting_through_report_to_alone_survives_a_refused_host() -> (
    None
):
    app = app_with(
        {},
        content_security_policy_report_only=True,
        content_security_policy_report_to="main",
        reporting_endpoints={"main": "/r"},
    )
    response = request(app, "evil.example/.x", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        "default-src 'self'; object-src 'none'"
    )
