"""Compatibility with flask-talisman 1.1.0: its names, defaults, errors and the values it read."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from flask import (
    Flask,
)

import flask_talisman
from flask_talisman import (
    SAMEORIGIN,
    ConfigurationError,
    Talisman,
    talisman,
)
from flask_talisman.talisman import ONE_YEAR_IN_SECS

from .conftest import BOOL_OPTIONS, HTTP, NONCE_RE, check, get, make_app


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


def test_one_year_constant() -> None:
    assert ONE_YEAR_IN_SECS == 31556926


def test_no_warnings_for_default_configuration() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Talisman(make_app())


def test_new_headers_are_absent_by_default() -> None:
    app = make_app()
    Talisman(app)
    check(get(app), {})
    no_redirect = make_app()
    Talisman(no_redirect, force_https=False)
    check(get(no_redirect, **HTTP), {"Strict-Transport-Security": None})


def test_configuration_error_is_a_value_error() -> None:
    # flask-talisman 1.1.0 raised ValueError; code catching that keeps working.
    assert issubclass(ConfigurationError, ValueError)
    with pytest.raises(ValueError, match="force_https"):
        Talisman(make_app(), force_https="False")


def _all_headers(app: Flask) -> list[tuple[str, Any]]:
    client = app.test_client()
    out: list[tuple[str, Any]] = []
    for kwargs in ({"base_url": "https://localhost"}, {}):
        response = client.get("/", **kwargs)
        out.append(("status", response.status_code))
        out += [(k, NONCE_RE.sub("N", v)) for k, v in response.headers.items()]
    return out


@pytest.mark.parametrize(("number", "flag"), [(0, False), (1, True)])
@pytest.mark.parametrize("option", BOOL_OPTIONS)
def test_bool_options_read_0_and_1_as_flask_talisman_1_1_0_did(
    option: str, number: int, flag: bool
) -> None:
    # 1.1.0 reads these options by truth value; code passing 0 or 1 (or a
    # number read from a config file) sends what False or True sends.
    extra: dict[str, Any] = {"content_security_policy_report_uri": "/r"}
    with_number, with_flag = make_app(), make_app()
    Talisman(with_number, **{option: number}, **extra)
    Talisman(with_flag, **{option: flag}, **extra)
    assert _all_headers(with_number) == _all_headers(with_flag)


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
