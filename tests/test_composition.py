"""Composition: @talisman / @talisman.extend on views and blueprints.

Resolution, most specific last: preset < app < blueprint < view.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, render_template_string

from flask_talisman import DENY, NONCE, SAMEORIGIN, SELF, Talisman

from .conftest import HTTPS, NONCE_RE, check, make_app


def csp(app: Flask, path: str) -> str:
    return app.test_client().get(path, **HTTPS).headers["Content-Security-Policy"]


# -- extend ------------------------------------------------------------------

EXTEND_CSP = [
    (
        "sources appended to an existing directive",
        {"default-src": SELF, "img-src": SELF},
        {"img-src": "https://img.example"},
        "default-src 'self'; img-src 'self' https://img.example",
    ),
    (
        "missing fetch directive starts from default-src",
        {"default-src": [SELF, "https://cdn.example"], "object-src": "'none'"},
        {"script-src": "https://js.example"},
        "default-src 'self' https://cdn.example; object-src 'none'; "
        "script-src 'self' https://cdn.example https://js.example",
    ),
    (
        "missing non-fetch directive starts empty",
        {"default-src": SELF},
        {"form-action": SELF, "upgrade-insecure-requests": ""},
        "default-src 'self'; form-action 'self'; upgrade-insecure-requests",
    ),
    (
        "'none' is replaced, not kept beside new sources",
        {"default-src": SELF, "frame-src": "'none'"},
        {"frame-src": "https://video.example"},
        "default-src 'self'; frame-src https://video.example",
    ),
    (
        "'none' default-src is not inherited",
        {"default-src": "'none'"},
        {"img-src": SELF},
        "default-src 'none'; img-src 'self'",
    ),
    (
        "duplicates are not repeated",
        {"script-src": [SELF, "https://a.example"]},
        {"script-src": ["https://a.example", "https://b.example"]},
        "script-src 'self' https://a.example https://b.example",
    ),
    (
        "string policies on both sides",
        "default-src 'self'; img-src 'self'",
        "img-src data:; connect-src wss://ws.example",
        "default-src 'self'; img-src 'self' data:; connect-src 'self' wss://ws.example",
    ),
    (
        "extending no policy creates one",
        None,
        {"default-src": SELF},
        "default-src 'self'",
    ),
]


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [pytest.param(b, e, x, id=i) for i, b, e, x in EXTEND_CSP],
)
def test_extend_csp(base: Any, extra: Any, expected: str) -> None:
    app = make_app()
    t = Talisman(app, content_security_policy=base)

    @app.route("/extended")
    @t.extend(content_security_policy=extra)
    def extended() -> str:
        return "extended"

    assert csp(app, "/extended") == expected
    if base:  # the app's own policy is untouched
        assert csp(app, "/") != expected


def test_extend_with_nonce_placeholder_and_nonce_in() -> None:
    app = make_app()
    t = Talisman(app, content_security_policy={"default-src": SELF})

    @app.route("/n")
    @t.extend(content_security_policy={"script-src": NONCE})
    def n() -> str:
        return render_template_string("{{ csp_nonce() }}")

    response = app.test_client().get("/n", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    )


EXTEND_PERMISSIONS = [
    (
        "origins added to an allowlist",
        {"geolocation": "(self)"},
        {"geolocation": ["https://maps.example"]},
        'geolocation=(self "https://maps.example")',
    ),
    (
        "empty allowlist opened for one origin",
        {"camera": "()", "microphone": "()"},
        {"camera": "self"},
        "camera=(self), microphone=()",
    ),
    (
        "new feature added",
        {"camera": "()"},
        {"fullscreen": ["self"]},
        "camera=(), fullscreen=(self)",
    ),
    (
        "* wins",
        {"fullscreen": "(self)"},
        {"fullscreen": "*"},
        "fullscreen=*",
    ),
    (
        "string base policy",
        "geolocation=(self), camera=()",
        {"geolocation": ['"https://a.example"']},
        'geolocation=(self "https://a.example"), camera=()',
    ),
]


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [pytest.param(b, e, x, id=i) for i, b, e, x in EXTEND_PERMISSIONS],
)
def test_extend_permissions_policy(base: Any, extra: Any, expected: str) -> None:
    app = make_app()
    t = Talisman(app, permissions_policy=base)

    @app.route("/p")
    @t.extend(permissions_policy=extra)
    def p() -> str:
        return "p"

    assert (
        app.test_client().get("/p", **HTTPS).headers["Permissions-Policy"] == expected
    )


def test_extend_replaces_other_options_and_false_turns_headers_off(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/x")
    @t.extend(
        frame_options=DENY,
        referrer_policy=False,
        content_security_policy=False,
        permissions_policy=False,
        strict_transport_security=False,
    )
    def x() -> str:
        return "x"

    check(
        app.test_client().get("/x", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": None,
            "Content-Security-Policy": None,
            "Permissions-Policy": None,
            "Strict-Transport-Security": None,
        },
    )


def test_replace_semantics_of_the_plain_decorator(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"default-src": SELF, "img-src": "*"})

    @app.route("/r")
    @t(content_security_policy={"script-src": SELF})
    def r() -> str:
        return "r"

    assert csp(app, "/r") == "script-src 'self'"


# -- blueprints ---------------------------------------------------------------


def blueprint_app() -> tuple[Flask, Talisman]:
    t = Talisman()
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    reports = Blueprint("reports", __name__, url_prefix="/reports")

    @admin.route("/")
    def dashboard() -> str:
        return "dashboard"

    @admin.route("/embed")
    @t(frame_options=SAMEORIGIN)
    def embed() -> str:
        return "embed"

    @reports.route("/")
    def report_list() -> str:
        return "reports"

    @reports.route("/chart")
    @t.extend(content_security_policy={"img-src": "https://charts.example"})
    def chart() -> str:
        return "chart"

    t(frame_options=DENY, referrer_policy="no-referrer")(admin)
    t.extend(content_security_policy={"img-src": "data:"})(reports)
    admin.register_blueprint(reports)
    app = make_app()
    app.register_blueprint(admin)
    t.init_app(app)
    return app, t


BLUEPRINT_CASES = [
    ("app view: app options", "/", {}),
    (
        "blueprint view: blueprint options",
        "/admin/",
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    ),
    (
        "view refines its blueprint",
        "/admin/embed",
        {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"},
    ),
    (
        "nested blueprint inherits the outer one and extends",
        "/admin/reports/",
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "img-src 'self' data:",
        },
    ),
    (
        "view extends its nested blueprint's extension",
        "/admin/reports/chart",
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "img-src 'self' data: https://charts.example",
        },
    ),
    ("404 inside a blueprint prefix: app options", "/admin/missing", {}),
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [pytest.param(p, e, id=i) for i, p, e in BLUEPRINT_CASES],
)
def test_blueprint_resolution(path: str, expected: dict[str, str]) -> None:
    app, _ = blueprint_app()
    check(app.test_client().get(path, **HTTPS), expected)


def test_blueprint_options_follow_later_app_changes() -> None:
    app, t = blueprint_app()
    t.content_security_policy["img-src"] = "https://img.example"
    assert csp(app, "/admin/reports/") == (
        "default-src 'self'; object-src 'none'; img-src https://img.example data:"
    )


def test_blueprint_registered_under_another_name() -> None:
    t = Talisman()
    bp = Blueprint("shop", __name__)
    bp.route("/shop")(lambda: "shop")
    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp, name="store", url_prefix="/store")
    t.init_app(app)
    check(app.test_client().get("/store/shop", **HTTPS), {"X-Frame-Options": "DENY"})


def test_blueprint_options_do_not_leak_to_an_app_without_them() -> None:
    other = Talisman()
    t = Talisman()
    bp = Blueprint("bp", __name__)
    bp.route("/in-bp")(lambda: "x")
    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp)
    other.init_app(app)  # a different Talisman: the decoration is not its own
    check(app.test_client().get("/in-bp", **HTTPS), {})


def test_async_view_in_a_blueprint_with_extend() -> None:
    pytest.importorskip("asgiref")
    t = Talisman()
    bp = Blueprint("api", __name__)

    @bp.route("/data")
    @t.extend(content_security_policy={"connect-src": "https://api.example"})
    async def data() -> str:
        return "data"

    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp)
    t.init_app(app)
    check(
        app.test_client().get("/data", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "connect-src 'self' https://api.example",
        },
    )


def test_composed_views_reuse_their_compiled_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, _ = blueprint_app()
    import flask_talisman.state as state_module

    calls = []
    real = state_module.compile_policy
    monkeypatch.setattr(
        state_module, "compile_policy", lambda values: calls.append(1) or real(values)
    )
    client = app.test_client()
    for _ in range(10):
        client.get("/admin/reports/chart", **HTTPS)
    assert calls == [1]  # compiled on first use, then reused


def test_same_nonce_in_enforced_and_report_only_policies(app: Flask) -> None:
    Talisman(
        app,
        content_security_policy={"default-src": SELF},
        content_security_policy_nonce_in=["script-src"],
        content_security_policy_report_only={"default-src": "'none'"},
        content_security_policy_report_only_nonce_in=["style-src"],
    )

    @app.route("/both")
    def both() -> str:
        return render_template_string("{{ csp_nonce() }}")

    response = app.test_client().get("/both", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    )
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        f"default-src 'none'; style-src 'nonce-{nonce}'"
    )
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])


def test_extending_report_only_when_the_app_only_reports(app: Flask) -> None:
    t = Talisman(
        app,
        content_security_policy_report_only=True,
        content_security_policy_report_uri="/csp",
    )

    @app.route("/ro")
    @t.extend(content_security_policy_report_only={"img-src": "*"})
    def ro() -> str:
        return "ro"

    check(
        app.test_client().get("/ro", **HTTPS),
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'self'; "
            "object-src 'none'; img-src 'self' *; report-uri /csp",
        },
    )


def test_report_only_nonce_in_is_ignored_with_a_warning_when_report_only_is_true() -> (
    None
):
    from flask_talisman import ConfigurationWarning

    with pytest.warns(ConfigurationWarning, match="is ignored"):
        Talisman(
            make_app(),
            content_security_policy_report_only=True,
            content_security_policy_report_uri="/csp",
            content_security_policy_report_only_nonce_in=["script-src"],
        )
