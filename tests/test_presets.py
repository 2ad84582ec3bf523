"""Presets: exact output of each, and how explicit options override them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string

from flask_talisman import ConfigurationError, Talisman
from flask_talisman.presets import PRESETS

from .conftest import HTTPS, NONCE_RE, add_view, make_app

LOCKED_DOWN = (
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), "
    "midi=(), payment=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)
HARDENED = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Origin-Agent-Cluster": "?1",
    "X-DNS-Prefetch-Control": "off",
    "X-Permitted-Cross-Domain-Policies": "none",
    "X-XSS-Protection": "0",
    "X-Download-Options": "noopen",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Permissions-Policy": LOCKED_DOWN,
}

#: Every header each preset sends over HTTPS; anything else must be absent.
#: "{nonce}" stands for the request's nonce.
EXPECTED: dict[str, dict[str, str]] = {
    "talisman": {
        "Content-Security-Policy": "default-src 'self'; object-src 'none'",
        "Strict-Transport-Security": "max-age=31556926; includeSubDomains",
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "browsing-topics=()",
    },
    "balanced": {
        **HARDENED,
        "Content-Security-Policy": "default-src 'self'; base-uri 'self'; "
        "font-src 'self' https: data:; form-action 'self'; frame-ancestors 'self'; "
        "img-src 'self' data:; object-src 'none'; script-src 'self'; "
        "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; "
        "upgrade-insecure-requests",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    },
    "strict": {
        **HARDENED,
        "Content-Security-Policy": "script-src 'nonce-{nonce}' 'strict-dynamic' "
        "https: 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'",
        "Content-Security-Policy-Report-Only": "require-trusted-types-for 'script'",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        # resource_isolation, enforced: caches key on how it was requested.
        "Vary": "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest",
    },
    "api": {
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Strict-Transport-Security": "max-age=31556926; includeSubDomains",
    },
}
BASELINE = {"Content-Type", "Content-Length"}


def security_headers(
    app: Flask, path: str = "/page", **kwargs: Any
) -> tuple[dict[str, str], str]:
    response = app.test_client().get(path, **{**HTTPS, **kwargs})
    body = response.get_data(as_text=True)
    headers = {k: v for k, v in response.headers if k not in BASELINE}
    assert len(headers) == len([k for k, _ in response.headers if k not in BASELINE])
    return headers, body


def preset_app(**options: Any) -> Flask:
    app = make_app()

    @app.route("/page")
    def page() -> str:
        return render_template_string("{{ csp_nonce() }}")

    Talisman(app, **options)
    return app


def test_every_preset_is_specified() -> None:
    assert set(EXPECTED) == set(PRESETS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_preset_output(name: str) -> None:
    headers, nonce = security_headers(preset_app(preset=name))
    expected = {k: v.format(nonce=nonce) for k, v in EXPECTED[name].items()}
    if nonce:
        # The page renders its nonce: kept out of shared caches.
        expected["Cache-Control"] = "private"
    assert headers == expected
    if name == "strict":
        assert NONCE_RE.search(headers["Content-Security-Policy"]).group(1) == nonce  # type: ignore[union-attr]


def test_talisman_preset_is_the_default() -> None:
    assert security_headers(preset_app())[0] == EXPECTED["talisman"]


def test_api_preset_sets_a_strict_session_cookie() -> None:
    app = preset_app(preset="api")
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_explicit_options_override_the_preset() -> None:
    headers, _ = security_headers(
        preset_app(preset="strict", referrer_policy="same-origin", frame_options=None)
    )
    assert headers["Referrer-Policy"] == "same-origin"
    assert "X-Frame-Options" not in headers
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_config_overrides_the_preset_and_keywords_override_config() -> None:
    app = make_app()
    app.route("/page")(lambda: "page")
    app.config["TALISMAN_PRESET"] = "balanced"
    app.config["TALISMAN_REFERRER_POLICY"] = "no-referrer"
    app.config["TALISMAN_X_XSS_PROTECTION"] = False
    Talisman(app, referrer_policy="origin")
    headers, _ = security_headers(app)
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Referrer-Policy"] == "origin"
    assert "X-XSS-Protection" not in headers


def test_init_app_preset_wins_over_the_constructors() -> None:
    t = Talisman(preset="strict")
    app = make_app()
    app.route("/page")(lambda: "page")
    t.init_app(app, preset="api")
    assert security_headers(app)[0]["Cache-Control"] == "no-store"


def test_a_dict_is_a_custom_preset() -> None:
    mine = {"frame_options": "DENY", "cross_origin_opener_policy": "same-origin"}
    headers, _ = security_headers(preset_app(preset=mine))
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("preset", "message"),
    [
        ("balance", "Did you mean 'balanced'"),
        (3, "preset name"),
        ({"frame_option": "DENY"}, "Did you mean 'frame_options'"),
        ({"frame_options": "ALLOWALL"}, "frame_options"),
    ],
)
def test_bad_presets_are_refused(preset: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Talisman(make_app(), preset=preset)


def test_unknown_preset_in_config_is_refused() -> None:
    app = make_app()
    app.config["TALISMAN_PRESET"] = "paranoid"
    with pytest.raises(ConfigurationError, match="unknown preset 'paranoid'"):
        Talisman(app)


def test_presets_are_not_changed_by_editing_an_apps_options() -> None:
    t = Talisman(make_app(), preset="balanced")
    t.content_security_policy["img-src"] = "*"
    t.permissions_policy["camera"] = "(self)"
    assert "img-src" in PRESETS["balanced"]["content_security_policy"]
    assert PRESETS["balanced"]["content_security_policy"]["img-src"] == [
        "'self'",
        "data:",
    ]
    assert PRESETS["balanced"]["permissions_policy"]["camera"] == "()"


def test_a_view_or_blueprint_can_run_another_preset() -> None:
    from flask import Blueprint

    t = Talisman()
    bp = Blueprint("strict_area", __name__)

    @bp.route("/page")
    def page() -> str:
        return render_template_string("{{ csp_nonce() }}")

    app = make_app()

    @app.route("/api-view")
    @t(preset="api", cache_control="private")
    def api_view() -> str:
        return "{}"

    t(preset="strict")(bp)
    app.register_blueprint(bp, url_prefix="/strict")
    t.init_app(app, referrer_policy="same-origin")
    headers, nonce = security_headers(app, path="/strict/page")
    expected = {k: v.format(nonce=nonce) for k, v in EXPECTED["strict"].items()}
    assert headers == {**expected, "Cache-Control": "private"}
    headers, _ = security_headers(app, path="/api-view")
    assert headers == {
        **EXPECTED["api"],
        "Cache-Control": "private",
    }
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"  # app-wide: unchanged


def test_preset_cannot_be_extended() -> None:
    with pytest.raises(ConfigurationError, match="not extend"):
        Talisman().extend(preset="strict")


def test_a_view_preset_keeps_the_apps_https_and_reporting_options() -> None:
    app = make_app()
    t = Talisman()

    add_view(app, "/strict", t(preset="strict"))

    t.init_app(app, force_https=False, content_security_policy_report_uri="/csp")
    response = app.test_client().get("/strict")
    assert response.status_code == 200  # not redirected
    assert response.headers["Content-Security-Policy"].endswith("; report-uri /csp")
