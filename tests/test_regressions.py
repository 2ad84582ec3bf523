"""One regression test for each flask-talisman 1.1.0 bug fixed here."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, session

import flask_talisman.headers.csp as csp_module
import flask_talisman.policy as policy_module
from flask_talisman import DENY, SAMEORIGIN, Talisman

from .conftest import HTTPS, check, make_app


def test_constructor_options_reach_a_later_init_app() -> None:
    """1.1.0 dropped options given to ``Talisman()`` without an app."""
    t = Talisman(frame_options=DENY, referrer_policy="no-referrer")
    app = make_app()
    t.init_app(app)
    check(
        app.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def test_view_options_do_not_leak_between_apps() -> None:
    """1.1.0 wrote the first app's defaults into the view's option dict."""
    t = Talisman()
    first, second = make_app("first"), make_app("second")

    @t(content_security_policy="default-src 'none'")
    def shared() -> str:
        return "shared"

    for app in (first, second):
        app.add_url_rule("/shared", view_func=shared)
    t.init_app(first, frame_options=DENY)
    t.init_app(second, frame_options=SAMEORIGIN)
    expected_csp = {"Content-Security-Policy": "default-src 'none'"}
    check(
        first.test_client().get("/shared", **HTTPS),
        {**expected_csp, "X-Frame-Options": "DENY"},
    )
    check(
        second.test_client().get("/shared", **HTTPS),
        {**expected_csp, "X-Frame-Options": "SAMEORIGIN"},
    )


def test_decorated_view_follows_later_app_changes(app: Flask) -> None:
    """1.1.0 froze the app's values into the view on its first request."""
    t = Talisman(app)

    @app.route("/framed")
    @t(frame_options=DENY)
    def framed() -> str:
        return "framed"

    client = app.test_client()
    check(client.get("/framed", **HTTPS), {"X-Frame-Options": "DENY"})
    t.content_security_policy["img-src"] = "*"
    t.force_https = False
    response = client.get("/framed")
    assert response.status_code == 200
    check(
        response,
        {
            "X-Frame-Options": "DENY",
            "Strict-Transport-Security": None,
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; img-src *",
        },
    )


def test_app_config_is_not_changed_while_handling_requests(app: Flask) -> None:
    """1.1.0 set SESSION_COOKIE_SECURE inside a before-request hook."""
    Talisman(app)
    snapshot = dict(app.config)
    client = app.test_client()
    client.get("/")
    client.get("/", **HTTPS)
    client.get("/missing", **HTTPS)
    assert dict(app.config) == snapshot


def test_session_cookie_flags_are_applied_at_init_app(app: Flask) -> None:
    Talisman(app)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"

    @app.route("/login")
    def login() -> str:
        session["user"] = "me"
        return "in"

    cookie = app.test_client().get("/login", **HTTPS).headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


def test_debug_mode_leaves_secure_cookie_off() -> None:
    app = make_app()
    app.debug = True
    Talisman(app)
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("option", "config_key"),
    [
        ("session_cookie_secure", "SESSION_COOKIE_SECURE"),
        ("session_cookie_http_only", "SESSION_COOKIE_HTTPONLY"),
    ],
)
@pytest.mark.parametrize("configured", [True, False])
def test_false_cookie_flags_leave_the_apps_own_config_as_1_1_0_did(
    option: str, config_key: str, configured: bool
) -> None:
    # False never weakens a configuration: the app's own setting stays.
    app = make_app()
    app.config[config_key] = configured
    talisman = Talisman(app, **{option: False})
    assert app.config[config_key] is configured
    setattr(talisman, option, False)
    assert app.config[config_key] is configured
    setattr(talisman, option, True)
    assert app.config[config_key] is True


def test_nonce_for_a_missing_directive_is_not_dropped(app: Flask) -> None:
    """1.1.0 silently sent no nonce when the directive was absent."""
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith(
        "default-src 'self'; object-src 'none'; script-src 'self' 'nonce-"
    )


def test_list_allowlists_are_not_python_reprs(app: Flask) -> None:
    """1.1.0 rendered ``['self']`` as ``geolocation=['self']``."""
    Talisman(
        app,
        permissions_policy={"geolocation": ["self", "https://a.example"]},
        document_policy={"oversized-images": "2.0"},
    )
    response = app.test_client().get("/", **HTTPS)
    assert (
        response.headers["Permissions-Policy"]
        == 'geolocation=(self "https://a.example")'
    )
    assert "[" not in response.headers["Permissions-Policy"]


def test_report_uri_check_is_not_a_substring_test(app: Flask) -> None:
    """1.1.0 skipped report-uri when the text 'report-uri' appeared anywhere."""
    Talisman(
        app,
        content_security_policy={"default-src": "'self' https://report-uri.example"},
        content_security_policy_report_uri="/csp-report",
    )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert (
        csp == "default-src 'self' https://report-uri.example; report-uri /csp-report"
    )


def test_string_policy_with_trailing_semicolon(app: Flask) -> None:
    """1.1.0 turned a trailing ';' into a stray empty directive."""
    Talisman(app, content_security_policy="default-src 'self';")
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp == "default-src 'self'"


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


def test_no_policy_is_compiled_or_parsed_per_request(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-request path only picks the compiled policy and joins the nonce."""
    t = Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/view")
    @t(frame_options=DENY)
    def view() -> str:
        return "view"

    calls: dict[str, int] = {"compile": 0, "parse": 0}

    def counting(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        "flask_talisman.state.compile_policy",
        counting("compile", policy_module.compile_policy),
    )
    monkeypatch.setattr(
        csp_module, "parse_directives", counting("parse", csp_module.parse_directives)
    )
    client = app.test_client()
    for _ in range(3):  # warm up: one compile per endpoint at most
        for path in ("/", "/view", "/missing"):
            client.get(path, **HTTPS)
    warm = dict(calls)
    assert warm["compile"] <= 3
    for _ in range(20):
        for path in ("/", "/view", "/missing"):
            client.get(path, **HTTPS)
    assert calls == warm
    t.referrer_policy = "no-referrer"  # a change recompiles, once per endpoint
    assert calls == warm  # ... when the options are next used
    for path in ("/", "/view", "/missing"):
        client.get(path, **HTTPS)
    assert calls["compile"] == warm["compile"] + 2  # the app policy + /view
    for _ in range(5):
        client.get("/view", **HTTPS)
    assert calls["compile"] == warm["compile"] + 2  # and nothing per request


def test_report_only_true_is_satisfied_by_report_to() -> None:
    app = make_app()
    Talisman(
        app,
        content_security_policy_report_only=True,
        content_security_policy_report_to="csp",
        reporting_endpoints={"csp": "https://r.example/csp"},
    )
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["Content-Security-Policy-Report-Only"] == (
        "default-src 'self'; object-src 'none'; report-to csp"
    )


def test_none_in_a_permissions_allowlist_is_refused() -> None:
    from flask_talisman import ConfigurationError

    for item in ("none", "'none'"):
        with pytest.raises(ConfigurationError, match=r"empty list \[\]"):
            Talisman(make_app(), permissions_policy={"camera": [item]})


def test_document_policy_decimal_with_more_than_three_places_is_refused() -> None:
    from flask_talisman import ConfigurationError

    with pytest.raises(ConfigurationError, match="more than three decimals"):
        Talisman(make_app(), document_policy={"oversized-images": 1e-7})


def test_nonce_replaces_none_in_its_directive() -> None:
    app = make_app()
    Talisman(
        app,
        content_security_policy={"default-src": "'self'", "script-src": "'none'"},
        content_security_policy_nonce_in=["script-src"],
    )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; script-src 'nonce-")
