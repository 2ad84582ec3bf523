"""HTTPS: the redirect, which requests count as secure, hosts and proxies."""

from __future__ import annotations

from typing import Any

import pytest
from flask import (
    Flask,
)
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from flask_talisman import (
    Talisman,
)
from flask_talisman.https import allowed_host

from .conftest import (
    HTTP,
    HTTPS,
    INTEGRITY_DICT,
    INTEGRITY_HEADER,
    add_view,
    check,
    contract_test,
    get,
    make_app,
    refused_test,
)

# -- contract: options in, exact headers out; values refused ----------------


NO_REDIRECT = {"force_https": False}


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    ("defaults over https", {}, HTTPS, {}),
    (
        "defaults over plain http without redirect: no HSTS",
        NO_REDIRECT,
        HTTP,
        {"Strict-Transport-Security": None},
    ),
    (
        "X-Forwarded-Proto https counts as secure",
        {},
        {**HTTP, "headers": {"X-Forwarded-Proto": "https"}},
        {},
    ),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    ("force_https", "force_https", "False", "'False'"),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "method", "code"),
    [
        ({}, "GET", 302),
        ({"force_https_permanent": True}, "GET", 301),
        ({"force_https_preserve_method": True}, "POST", 307),
        (
            {"force_https_preserve_method": True, "force_https_permanent": True},
            "POST",
            308,
        ),
    ],
)
def test_redirect_codes(options: dict[str, Any], method: str, code: int) -> None:
    app = make_app()
    Talisman(app, **options)
    path = "/form" if method == "POST" else "/"
    response = app.test_client().open(path + "?a=1&b=2", method=method)
    assert response.status_code == code
    assert response.headers["Location"] == f"https://localhost{path}?a=1&b=2"
    # Every header but HSTS on the redirect itself.
    check(response, {"Strict-Transport-Security": None})


def test_redirect_keeps_port_and_covers_unknown_routes(app: Flask) -> None:
    Talisman(app)
    response = app.test_client().get("/nowhere", base_url="http://example.com:8080")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com:8080/nowhere"


def test_no_redirect_in_debug_mode(app: Flask) -> None:
    app.debug = True
    Talisman(app)
    assert app.test_client().get("/").status_code == 200


def test_x_forwarded_proto_trust_can_be_turned_off(app: Flask) -> None:
    Talisman(app, trust_x_forwarded_proto=False)
    client = app.test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302


def test_per_view_force_https_off(app: Flask) -> None:
    t = Talisman(app)

    add_view(app, "/plain", t(force_https=False))

    client = app.test_client()
    response = client.get("/plain")
    assert response.status_code == 200
    check(response, {"Strict-Transport-Security": None})
    assert client.get("/").status_code == 302


@pytest.mark.filterwarnings(
    # Werkzeug < 3.0 warns about a Host that does not match SERVER_NAME.
    "ignore:Current server name:UserWarning"
)
@pytest.mark.parametrize(
    ("config", "host", "status"),
    [
        ({"TRUSTED_HOSTS": ["good.example"]}, "good.example", 302),
        ({"SERVER_NAME": "good.example"}, "good.example", 302),
        ({"SERVER_NAME": "good.example:8080"}, "www.good.example:8080", 302),
        ({"SERVER_NAME": "good.example"}, "evil.example", 400),
        # Host names compare in any letter case (RFC 9110, 4.2.3).
        ({"SERVER_NAME": "Good.Example"}, "good.example", 302),
        ({"SERVER_NAME": "good.example"}, "GOOD.example", 302),
        ({"SERVER_NAME": "GOOD.EXAMPLE:8080"}, "www.good.example:8080", 302),
        ({"SERVER_NAME": "Good.Example"}, "evil.example", 400),
    ],
)
def test_redirect_only_to_served_hosts(
    config: dict[str, Any], host: str, status: int
) -> None:
    app = make_app()
    app.config.update(config)
    Talisman(app)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith(f"https://{host.lower()}/")
    else:
        assert "Location" not in response.headers
        check(response, {"Strict-Transport-Security": None})


def test_untrusted_host_never_redirected() -> None:
    """With TRUSTED_HOSTS, a foreign Host gets 400, never a redirect to it."""
    app = make_app()
    app.config["TRUSTED_HOSTS"] = ["good.example"]
    Talisman(app)
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.filterwarnings(
    # Werkzeug < 3.0 warns about a Host that does not match SERVER_NAME.
    "ignore:Current server name:UserWarning"
)
def test_redirect_does_not_follow_a_foreign_host_header() -> None:
    """1.1.0 redirected to whatever Host the client sent."""
    app = make_app()
    app.config["SERVER_NAME"] = "good.example"
    Talisman(app)
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_post_body_survives_the_redirect_when_asked() -> None:
    """1.1.0 always used 301/302, which browsers follow with GET."""
    app = make_app()
    Talisman(app, force_https_preserve_method=True)
    response = app.test_client().post("/form", data={"a": "1"})
    assert response.status_code == 307


def test_new_headers_are_sent_over_plain_http_too() -> None:
    app = make_app()
    Talisman(
        app,
        force_https=False,
        cross_origin_opener_policy="same-origin",
        cache_control="no-store",
        clear_site_data=["cache"],
        integrity_policy=INTEGRITY_DICT,
    )
    check(
        get(app, **HTTP),
        {
            "Strict-Transport-Security": None,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-store",
            "Clear-Site-Data": '"cache"',
            "Integrity-Policy": INTEGRITY_HEADER,
        },
    )


@pytest.mark.parametrize(
    ("options", "headers", "hsts"),
    [
        pytest.param({}, {}, False, id="plain-http"),
        pytest.param({}, {"X-Forwarded-Proto": "https"}, True, id="forwarded-https"),
        pytest.param(
            {"trust_x_forwarded_proto": False},
            {"X-Forwarded-Proto": "https"},
            False,
            id="forwarded-https-untrusted",
        ),
    ],
)
def test_response_of_an_earlier_hook_gets_the_headers_for_its_scheme(
    options: dict[str, Any], headers: dict[str, str], hsts: bool
) -> None:
    app = make_app()

    @app.before_request
    def maintenance() -> tuple[str, int]:
        return "maintenance", 503

    Talisman(app, **options)
    response = app.test_client().get("/", headers=headers, **HTTP)
    assert response.status_code == 503  # Talisman's hook never ran: no redirect
    check(response, {} if hsts else {"Strict-Transport-Security": None})


def test_websocket_handshake_over_ws_is_not_redirected() -> None:
    app = make_app()
    app.add_url_rule("/ws", "ws", lambda: "ws", websocket=True)
    Talisman(app)
    client = app.test_client()
    response = client.get("/ws", base_url="ws://localhost")
    assert response.status_code == 200
    assert "Location" not in response.headers
    check(response, {"Strict-Transport-Security": None})
    check(client.get("/ws", base_url="wss://localhost"), {})


# -- hosts: what a hostile Host header can reach -----------------------------


class Sent:
    """What the app sent: status code and headers."""

    def __init__(self, status: str, headers: Headers) -> None:
        self.status_code = int(status.split()[0])
        self.headers = headers


def host_request(app: Flask, host: str, path: str = "/", **environ: Any) -> Sent:
    # Straight to the app: some Werkzeug test clients fail on such a Host
    # themselves (in their cookie handling) before the app is called.
    query = environ.pop("QUERY_STRING", "")
    built = EnvironBuilder(path=path, query_string=query).get_environ()
    built.update({"HTTP_HOST": host, **environ})
    _, status, headers = run_wsgi_app(app.wsgi_app, built)
    return Sent(status, headers)


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
    response = host_request(app_with(config), host, "/evil.example/a")
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
        response = host_request(app, host, **{"wsgi.url_scheme": scheme})
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
        # An IDN host, as browsers send it (Werkzeug's request.url has it
        # in Unicode).
        ("xn--bcher-kva.example", "https://xn--bcher-kva.example/a?b=c"),
        ("XN--BCHER-KVA.example", "https://xn--bcher-kva.example/a?b=c"),
    ],
)
def test_a_valid_host_is_redirected_to_itself(host: str, location: str) -> None:
    app = app_with({})
    response = host_request(app, host, "/a", QUERY_STRING="b=c")
    assert response.status_code == 302
    assert response.headers["Location"] == location


@pytest.mark.parametrize(
    ("path", "query", "location"),
    [
        ("/a b/\u00e9", "q=1%202", "https://good.example/a%20b/%C3%A9?q=1%202"),
        # A '%' the client encoded stays encoded (request.url decodes it).
        ("/100%", "", "https://good.example/100%25"),
        # Raw bytes in the query (the WSGI string is Latin-1) are encoded.
        ("/a", "q=\u00c3\u00a9", "https://good.example/a?q=%C3%A9"),
        ("/a", "", "https://good.example/a"),
    ],
)
def test_the_redirect_names_the_same_path_in_ascii(
    path: str, query: str, location: str
) -> None:
    environ = EnvironBuilder(path=path).get_environ()
    environ.update({"HTTP_HOST": "good.example", "QUERY_STRING": query})
    _, status, headers = run_wsgi_app(app_with({}).wsgi_app, environ)
    assert status.startswith("302")
    assert headers["Location"] == location


def test_hosts_outside_trusted_hosts_get_400_not_a_redirect() -> None:
    app = app_with(CONFIGS["trusted-hosts"])
    assert host_request(app, "evil.example").status_code == 400
    assert host_request(app, "www.good.example").status_code == 302


@pytest.mark.parametrize(
    ("host", "environ", "endpoint"),
    [
        # Behind a TLS-terminating proxy: the request reaches the app over
        # plain HTTP with X-Forwarded-Proto: https, which Talisman trusts by
        # default.
        pytest.param(
            "good.example",
            {"HTTP_X_FORWARDED_PROTO": "https"},
            "https://good.example/r",
            id="the-scheme-talisman-judged-by",
        ),
        pytest.param(
            "xn--bcher-kva.example",
            {"wsgi.url_scheme": "https"},
            "https://xn--bcher-kva.example/r",
            id="an-idn-host-in-its-ascii-form",
        ),
        pytest.param(
            "good.example",
            {"wsgi.url_scheme": "https", "SCRIPT_NAME": "/sub dir"},
            "https://good.example/sub%20dir/r",
            id="the-script-root-is-part-of-it",
        ),
    ],
)
def test_the_endpoint_origin_is_the_origin_the_request_was_served_at(
    host: str, environ: dict[str, str], endpoint: str
) -> None:
    app = app_with({}, report_receiver="/r")
    response = host_request(app, host, **environ)
    assert response.status_code == 200
    assert response.headers["Reporting-Endpoints"] == f'default="{endpoint}"'
    assert "report-to default" in response.headers["Content-Security-Policy"]


def test_a_host_outside_server_name_gets_no_endpoint_origin() -> None:
    app = app_with(CONFIGS["server-name"], report_receiver="/r")
    response = host_request(app, "evil.example", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    served = host_request(app, "www.good.example", **{"wsgi.url_scheme": "https"})
    assert served.headers["Reporting-Endpoints"] == (
        'default="https://www.good.example/r"'
    )


@pytest.mark.parametrize(
    "config",
    [
        {"SERVER_NAME": "Good.Example"},
        {"SERVER_NAME": "GOOD.EXAMPLE:443"},
        {"SERVER_NAME": "good.example"},
    ],
)
@pytest.mark.parametrize("host", ["good.example", "Good.Example", "WWW.good.example"])
def test_server_name_in_any_letter_case_serves_https_and_names_the_receiver(
    config: dict[str, Any], host: str
) -> None:
    """What bare Flask serves, Talisman serves (Werkzeug's routing lower-cases
    SERVER_NAME; before Flask 3.1 it answers 404 for a subdomain)."""
    app = app_with(config, report_receiver="/r")
    bare = make_app()
    bare.config.update(config)
    expected = host_request(bare, host, **{"wsgi.url_scheme": "https"}).status_code
    assert expected in (200, 404)
    served = host_request(app, host, **{"wsgi.url_scheme": "https"})
    assert served.status_code == expected
    assert served.headers["Reporting-Endpoints"] == (
        f'default="https://{host.lower()}/r"'
    )
    redirected = host_request(app, host, **{"wsgi.url_scheme": "http"})
    assert redirected.status_code == 302
    assert redirected.headers["Location"] == f"https://{host.lower()}/"


@pytest.mark.parametrize(
    ("host", "config", "allowed"),
    [
        ("good.example", {"TRUSTED_HOSTS": ["Good.Example"]}, True),
        ("www.good.example", {"TRUSTED_HOSTS": [".GOOD.example"]}, True),
        ("good.example:8080", {"TRUSTED_HOSTS": "GOOD.EXAMPLE:443"}, True),
        ("evil.example", {"TRUSTED_HOSTS": [".Good.Example"]}, False),
        ("xn--bcher-kva.example", {"SERVER_NAME": "B\u00fccher.Example"}, True),
        ("[::1]:8080", {"SERVER_NAME": "[::1]"}, True),
        ("good.example", {"SERVER_NAME": "\udcff.example"}, False),
    ],
)
def test_allowed_host_compares_names_in_any_letter_case(
    host: str, config: dict[str, Any], allowed: bool
) -> None:
    """TRUSTED_HOSTS matters to Talisman itself before Flask 3.1 checks it."""
    assert allowed_host(host, config) is allowed


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
    response = host_request(
        app, "good.example:@evil.example", **{"wsgi.url_scheme": scheme}
    )
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
    served = host_request(app, "good.example", **{"wsgi.url_scheme": "https"})
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
    response = host_request(app, "evil.example/.x", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    assert response.headers.get(header) == sent
    served = host_request(app, "good.example", **{"wsgi.url_scheme": "https"})
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
    response = host_request(app, "evil.example/.x", **{"wsgi.url_scheme": "https"})
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        "default-src 'self'; object-src 'none'"
    )
