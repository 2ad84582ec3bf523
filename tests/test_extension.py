"""The extension's behaviour: API surface, per-view options, nonces, HTTPS."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import pytest
from flask import Blueprint, Flask, abort, g, render_template_string, request
from flask.views import MethodView

import flask_talisman
from flask_talisman import DENY, NONCE_LENGTH, SAMEORIGIN, Talisman, talisman

from .conftest import HTTPS, NONCE_RE, check, make_app

# -- the 1.1.0 API -----------------------------------------------------------


def test_public_names_of_1_1_0() -> None:
    for name in (
        "Talisman",
        "ALLOW_FROM",
        "DENY",
        "SAMEORIGIN",
        "DEFAULT_CSP_POLICY",
        "DEFAULT_DOCUMENT_POLICY",
        "DEFAULT_FEATURE_POLICY",
        "DEFAULT_PERMISSIONS_POLICY",
        "GOOGLE_CSP_POLICY",
        "NONCE_LENGTH",
    ):
        assert hasattr(flask_talisman, name), name
        assert name in flask_talisman.__all__
    assert flask_talisman.NONCE_LENGTH == 32
    assert flask_talisman.ALLOW_FROM == "ALLOW-FROM"
    assert flask_talisman.DEFAULT_CSP_POLICY == {
        "default-src": "'self'",
        "object-src": "'none'",
    }
    assert flask_talisman.DEFAULT_PERMISSIONS_POLICY == {"browsing-topics": "()"}
    assert talisman.ONE_YEAR_IN_SECS == 31556926
    assert talisman.DEFAULT_REFERRER_POLICY == "strict-origin-when-cross-origin"
    assert talisman.DEFAULT_SESSION_COOKIE_SAMESITE == "Lax"
    assert talisman.Talisman is Talisman


def test_get_random_string() -> None:
    values = {talisman.get_random_string(12) for _ in range(20)}
    assert len(values) == 20
    assert all(len(v) == 12 for v in values)


def test_default_option_attributes_match_1_1_0() -> None:
    t = Talisman(make_app())
    assert t.force_https is True
    assert t.force_https_permanent is False
    assert t.frame_options == SAMEORIGIN
    assert t.frame_options_allow_from is None
    assert t.strict_transport_security is True
    assert t.strict_transport_security_preload is False
    assert t.strict_transport_security_max_age == 31556926
    assert t.strict_transport_security_include_subdomains is True
    assert t.content_security_policy == {
        "default-src": "'self'",
        "object-src": "'none'",
    }
    assert t.content_security_policy_report_uri is None
    assert t.content_security_policy_report_only is False
    assert t.content_security_policy_nonce_in == []
    assert t.referrer_policy == "strict-origin-when-cross-origin"
    assert t.session_cookie_secure is True
    assert t.session_cookie_http_only is True
    assert t.session_cookie_samesite == "Lax"
    assert t.x_content_type_options is True
    assert t.x_xss_protection is False
    assert t.force_file_save is False
    assert t.permissions_policy == {"browsing-topics": "()"}
    assert t.document_policy == {}
    assert t.feature_policy == {}


def test_state_lives_in_app_extensions(app: Flask) -> None:
    Talisman(app)
    assert "talisman" in app.extensions


def test_init_app_twice_raises(app: Flask) -> None:
    t = Talisman(app)
    with pytest.raises(RuntimeError, match="already registered"):
        t.init_app(app)
    with pytest.raises(RuntimeError, match="already registered"):
        Talisman(app)


def test_one_instance_serves_several_apps_with_different_options() -> None:
    t = Talisman(frame_options=DENY)
    first, second = make_app("first"), make_app("second")
    t.init_app(first)
    t.init_app(second, frame_options=SAMEORIGIN, referrer_policy="no-referrer")
    check(first.test_client().get("/", **HTTPS), {"X-Frame-Options": "DENY"})
    check(
        second.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"},
    )


def test_config_keys_and_keyword_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    monkeypatch.setenv("FLASK_TALISMAN_FRAME_OPTIONS", '"DENY"')
    monkeypatch.setenv("FLASK_TALISMAN_REFERRER_POLICY", '"no-referrer"')
    monkeypatch.setenv("FLASK_TALISMAN_X_XSS_PROTECTION", "true")
    app.config.from_prefixed_env()
    Talisman(app, referrer_policy="same-origin")
    check(
        app.test_client().get("/", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "X-XSS-Protection": "1; mode=block",
        },
    )


# -- headers on every response ----------------------------------------------


def test_headers_on_404_error_pages_and_static(tmp_path: Any) -> None:
    (tmp_path / "hello.txt").write_text("hi")
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/abort")
    def aborted() -> str:
        abort(403)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    Talisman(app, frame_options=DENY)
    client = app.test_client()
    for path, status in [
        ("/missing", 404),
        ("/abort", 403),
        ("/boom", 500),
        ("/static/hello.txt", 200),
    ]:
        response = client.get(path, **HTTPS)
        assert response.status_code == status, path
        check(response, {"X-Frame-Options": "DENY"})
        response.close()


def test_headers_when_an_earlier_before_request_hook_fails() -> None:
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.before_request
    def fail_first() -> None:
        raise RuntimeError("earlier hook")

    Talisman(app, content_security_policy_nonce_in=["script-src"])
    response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 500
    csp = response.headers["Content-Security-Policy"]
    assert NONCE_RE.search(csp)


# -- HTTPS -------------------------------------------------------------------


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

    @app.route("/plain")
    @t(force_https=False)
    def plain() -> str:
        return "plain"

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
        assert response.headers["Location"].startswith(f"https://{host}/")
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


# -- per-view options -------------------------------------------------------


def test_decorator_below_and_above_route(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/below")
    @t(frame_options=DENY)
    def below() -> str:
        return "below"

    @t(frame_options=None)
    @app.route("/above")
    def above() -> str:
        return "above"

    client = app.test_client()
    check(client.get("/below", **HTTPS), {"X-Frame-Options": "DENY"})
    check(client.get("/above", **HTTPS), {"X-Frame-Options": None})
    check(client.get("/", **HTTPS), {})


def test_decorator_on_async_view(app: Flask) -> None:
    pytest.importorskip("asgiref")
    t = Talisman(app)

    @app.route("/async")
    @t(frame_options=DENY, content_security_policy="default-src 'none'")
    async def async_view() -> str:
        return "async"

    response = app.test_client().get("/async", **HTTPS)
    assert response.get_data(as_text=True) == "async"
    check(
        response,
        {"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'"},
    )


def test_decorator_on_blueprint_and_class_based_views(app: Flask) -> None:
    t = Talisman()
    bp = Blueprint("bp", __name__)

    @bp.route("/bp")
    @t(frame_options=DENY)
    def bp_view() -> str:
        return "bp"

    class Item(MethodView):
        decorators: ClassVar[list[Any]] = [
            t(content_security_policy="default-src 'none'")
        ]

        def get(self) -> str:
            return "item"

    class Other(MethodView):
        def get(self) -> str:
            return "other"

    app.register_blueprint(bp)
    app.add_url_rule("/item", view_func=Item.as_view("item"))
    app.add_url_rule(
        "/wrapped-cbv", view_func=t(frame_options=None)(Other.as_view("other_cbv"))
    )
    t.init_app(app)
    client = app.test_client()
    check(client.get("/bp", **HTTPS), {"X-Frame-Options": "DENY"})
    check(
        client.get("/item", **HTTPS),
        {"Content-Security-Policy": "default-src 'none'"},
    )
    check(client.get("/wrapped-cbv", **HTTPS), {"X-Frame-Options": None})


def test_decorator_under_a_wrapping_decorator(app: Flask) -> None:
    """Like 1.1.0, options survive functools.wraps-based decorators."""
    t = Talisman(app)

    def login_required(view: Any) -> Any:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    @app.route("/secret")
    @login_required
    @t(frame_options=DENY)
    def secret() -> str:
        return "secret"

    check(app.test_client().get("/secret", **HTTPS), {"X-Frame-Options": "DENY"})


def test_decorator_returns_the_view_unchanged(app: Flask) -> None:
    t = Talisman(app)

    def view() -> str:
        return "x"

    before = dict(view.__dict__)
    assert t(frame_options=DENY)(view) is view
    assert view.__dict__ == before
    assert not hasattr(view, "talisman_view_options")


def test_stacked_decorators_merge(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/stacked")
    @t(frame_options=DENY)
    @t(referrer_policy="no-referrer", frame_options=None)
    def stacked() -> str:
        return "stacked"

    check(
        app.test_client().get("/stacked", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def test_decorator_refuses_non_views() -> None:
    with pytest.raises(TypeError, match="view function"):
        Talisman()(frame_options=DENY)("not a view")  # type: ignore[type-var]


# -- nonces -------------------------------------------------------------------


def nonce_app(**options: Any) -> tuple[Flask, Talisman]:
    app = make_app()

    @app.route("/page")
    def page() -> str:
        return render_template_string(
            "{{ csp_nonce() }}|{{ csp_nonce() }}|" + (request.csp_nonce or "")  # type: ignore[attr-defined]
        )

    return app, Talisman(app, **options)


def test_one_nonce_per_request_everywhere() -> None:
    app, _ = nonce_app(content_security_policy_nonce_in=["script-src"])
    client = app.test_client()
    seen = set()
    for _ in range(3):
        response = client.get("/page", **HTTPS)
        in_template, again, on_request = response.get_data(as_text=True).split("|")
        header = NONCE_RE.search(response.headers["Content-Security-Policy"])
        assert header is not None
        assert in_template == again == on_request == header.group(1)
        assert len(in_template) == NONCE_LENGTH
        seen.add(in_template)
    assert len(seen) == 3


def test_no_nonce_when_the_policy_uses_none(app: Flask) -> None:
    Talisman(app)

    @app.route("/n")
    def n() -> str:
        assert not hasattr(request, "csp_nonce")
        return render_template_string("[{{ csp_nonce() }}]")

    response = app.test_client().get("/n", **HTTPS)
    assert response.get_data(as_text=True) == "[]"
    assert "nonce" not in response.headers["Content-Security-Policy"]


def test_nonce_only_on_the_view_that_uses_one(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/with-nonce")
    @t(content_security_policy_nonce_in=["script-src"])
    def with_nonce() -> str:
        return render_template_string("{{ csp_nonce() }}")

    client = app.test_client()
    response = client.get("/with-nonce", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert len(nonce) == NONCE_LENGTH
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert "nonce" not in client.get("/", **HTTPS).headers["Content-Security-Policy"]


def test_csp_nonce_outside_a_request_is_empty(app: Flask) -> None:
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    with app.app_context():
        assert render_template_string("[{{ csp_nonce() }}]") == "[]"


def test_nonce_of_another_request_is_not_reused(app: Flask) -> None:
    """With a shared app context (as in pytest-flask), g is shared too."""
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    with app.test_request_context("/", base_url="https://localhost"):
        g._talisman_request = None
        assert flask_talisman.csp_nonce() == ""
        client = app.test_client()
        first = NONCE_RE.search(
            client.get("/", **HTTPS).headers["Content-Security-Policy"]
        )
        second = NONCE_RE.search(
            client.get("/", **HTTPS).headers["Content-Security-Policy"]
        )
        assert first is not None
        assert second is not None
        assert first.group(1) != second.group(1)


def test_redirect_response_gets_a_nonce_too(app: Flask) -> None:
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])


# -- options changed after init ----------------------------------------------


def test_attribute_changes_take_effect_on_next_request(app: Flask) -> None:
    t = Talisman(app)
    client = app.test_client()
    assert client.get("/").status_code == 302
    t.force_https = False
    assert client.get("/").status_code == 200
    t.content_security_policy["img-src"] = "*"
    t.frame_options = DENY
    check(
        client.get("/", **HTTPS),
        {
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; img-src *",
            "X-Frame-Options": "DENY",
        },
    )
    t.content_security_policy_nonce_in.append("script-src")
    csp = client.get("/", **HTTPS).headers["Content-Security-Policy"]
    assert NONCE_RE.search(csp)
    t.content_security_policy = {"default-src": "'none'"}
    csp = client.get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; script-src 'nonce-")
    t.content_security_policy_nonce_in = None
    check(
        client.get("/", **HTTPS),
        {"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "DENY"},
    )


def test_attributes_before_init_app_are_used(app: Flask) -> None:
    t = Talisman()
    t.frame_options = DENY
    t.permissions_policy["camera"] = "()"
    t.init_app(app)
    check(
        app.test_client().get("/", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Permissions-Policy": "browsing-topics=(), camera=()",
        },
    )


def test_attributes_follow_the_current_app() -> None:
    t = Talisman()
    first, second = make_app("first"), make_app("second")
    t.init_app(first, frame_options=DENY)
    t.init_app(second)
    with first.app_context():
        assert t.frame_options == DENY
        t.referrer_policy = "no-referrer"
    assert t.frame_options == SAMEORIGIN  # outside a context: the last app
    check(
        first.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )
    check(second.test_client().get("/", **HTTPS), {})


def test_unknown_attributes_are_plain_attributes(app: Flask) -> None:
    t = Talisman(app)
    t.my_note = "hello"
    assert t.my_note == "hello"
    with pytest.raises(AttributeError):
        _ = t.not_an_option


def test_session_cookie_attribute_updates_config(app: Flask) -> None:
    t = Talisman(app)
    t.session_cookie_samesite = "Strict"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    with pytest.raises(flask_talisman.ConfigurationError):
        t.session_cookie_samesite = "Sideways"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
