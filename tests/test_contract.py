"""Header contracts: options in, exact header strings out.

Each row gives the options, the request, and the headers that differ from
the defaults (``conftest.DEFAULT_HEADERS``, which is flask-talisman 1.1.0's
output); every other security header is checked too.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from flask_talisman import (
    ALLOW_FROM,
    DENY,
    GOOGLE_CSP_POLICY,
    NONCE,
    SAMEORIGIN,
    SELF,
    ConfigurationWarning,
    Talisman,
)
from flask_talisman.talisman import ONE_YEAR_IN_SECS

from .conftest import check, make_app

HTTPS = {"base_url": "https://localhost"}
HTTP = {"base_url": "http://localhost"}
NO_REDIRECT = {"force_https": False}

CONTRACTS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
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
    (
        "x_xss_protection",
        {"x_xss_protection": True},
        HTTPS,
        {"X-XSS-Protection": "1; mode=block"},
    ),
    (
        "force_file_save",
        {"force_file_save": True},
        HTTPS,
        {"X-Download-Options": "noopen"},
    ),
    (
        "nosniff off",
        {"x_content_type_options": False},
        HTTPS,
        {"X-Content-Type-Options": None},
    ),
    ("frame DENY", {"frame_options": DENY}, HTTPS, {"X-Frame-Options": "DENY"}),
    ("frame SAMEORIGIN", {"frame_options": SAMEORIGIN}, HTTPS, {}),
    ("frame off", {"frame_options": None}, HTTPS, {"X-Frame-Options": None}),
    ("frame lower case", {"frame_options": "deny"}, HTTPS, {"X-Frame-Options": "DENY"}),
    (
        "hsts preload",
        {"strict_transport_security_preload": True},
        HTTPS,
        {"Strict-Transport-Security": "max-age=31556926; includeSubDomains; preload"},
    ),
    (
        "hsts without subdomains",
        {"strict_transport_security_include_subdomains": False},
        HTTPS,
        {"Strict-Transport-Security": "max-age=31556926"},
    ),
    (
        "hsts max-age 0",
        {"strict_transport_security_max_age": 0},
        HTTPS,
        {"Strict-Transport-Security": "max-age=0; includeSubDomains"},
    ),
    (
        "hsts off",
        {"strict_transport_security": False},
        HTTPS,
        {"Strict-Transport-Security": None},
    ),
    (
        "csp dict with list values",
        {
            "content_security_policy": {
                "default-src": [SELF, "https://cdn.example"],
                "img-src": "*",
            }
        },
        HTTPS,
        {
            "Content-Security-Policy": "default-src 'self' https://cdn.example; img-src *"
        },
    ),
    (
        "csp string normalised",
        {"content_security_policy": "default-src  'self' ;img-src *;  "},
        HTTPS,
        {"Content-Security-Policy": "default-src 'self'; img-src *"},
    ),
    (
        "csp directive without value",
        {
            "content_security_policy": {
                "default-src": SELF,
                "upgrade-insecure-requests": "",
            }
        },
        HTTPS,
        {"Content-Security-Policy": "default-src 'self'; upgrade-insecure-requests"},
    ),
    (
        "csp None",
        {"content_security_policy": None},
        HTTPS,
        {"Content-Security-Policy": None},
    ),
    (
        "csp empty dict",
        {"content_security_policy": {}},
        HTTPS,
        {"Content-Security-Policy": None},
    ),
    (
        "csp empty string",
        {"content_security_policy": ""},
        HTTPS,
        {"Content-Security-Policy": None},
    ),
    (
        "google policy",
        {"content_security_policy": GOOGLE_CSP_POLICY},
        HTTPS,
        {
            "Content-Security-Policy": "font-src 'self' themes.googleusercontent.com "
            "*.gstatic.com; frame-src 'self' www.google.com www.youtube.com; "
            "script-src 'self' ajax.googleapis.com *.googleanalytics.com "
            "*.google-analytics.com; style-src 'self' ajax.googleapis.com "
            "fonts.googleapis.com *.gstatic.com; object-src 'none'; "
            "default-src 'self' *.gstatic.com"
        },
    ),
    (
        "report uri appended",
        {"content_security_policy_report_uri": "/csp-report"},
        HTTPS,
        {
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; report-uri /csp-report"
        },
    ),
    (
        "report uri not doubled",
        {
            "content_security_policy": "default-src 'self'; report-uri /mine",
            "content_security_policy_report_uri": "/csp-report",
        },
        HTTPS,
        {"Content-Security-Policy": "default-src 'self'; report-uri /mine"},
    ),
    (
        "report only",
        {
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "https://r.example/csp",
        },
        HTTPS,
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'self'; "
            "object-src 'none'; report-uri https://r.example/csp",
        },
    ),
    (
        "permissions dict with list allowlist",
        {
            "permissions_policy": {
                "geolocation": [SELF, "https://a.example"],
                "camera": [],
                "fullscreen": "*",
            }
        },
        HTTPS,
        {
            "Permissions-Policy": 'geolocation=(self "https://a.example"), camera=(), fullscreen=*'
        },
    ),
    (
        "permissions string",
        {"permissions_policy": "geolocation=(), microphone=(self)"},
        HTTPS,
        {"Permissions-Policy": "geolocation=(), microphone=(self)"},
    ),
    (
        "permissions off",
        {"permissions_policy": {}},
        HTTPS,
        {"Permissions-Policy": None},
    ),
    (
        "document policy",
        {
            "document_policy": {
                "oversized-images": "2.0",
                "force-load-at-top": True,
                "sync-xhr": False,
            }
        },
        HTTPS,
        {"Document-Policy": "oversized-images=2.0, force-load-at-top, sync-xhr=?0"},
    ),
    (
        "feature policy",
        {
            "feature_policy": {
                "geolocation": "'none'",
                "camera": ["'self'", "https://a.example"],
            }
        },
        HTTPS,
        {"Feature-Policy": "geolocation 'none'; camera 'self' https://a.example"},
    ),
    (
        "referrer",
        {"referrer_policy": "no-referrer"},
        HTTPS,
        {"Referrer-Policy": "no-referrer"},
    ),
    (
        "referrer fallbacks",
        {"referrer_policy": ["no-referrer", "strict-origin-when-cross-origin"]},
        HTTPS,
        {"Referrer-Policy": "no-referrer, strict-origin-when-cross-origin"},
    ),
    ("referrer off", {"referrer_policy": None}, HTTPS, {"Referrer-Policy": None}),
]


@pytest.mark.parametrize(
    ("options", "request_kwargs", "expected"),
    [pytest.param(o, r, e, id=i) for i, o, r, e in CONTRACTS],
)
def test_header_contract(
    options: dict[str, Any],
    request_kwargs: dict[str, Any],
    expected: dict[str, str | None],
) -> None:
    app = make_app()
    Talisman(app, **options)
    response = app.test_client().get("/", **request_kwargs)
    assert response.status_code == 200
    check(response, expected)


def test_allow_from_contract_warns_that_browsers_ignore_it() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        Talisman(
            app, frame_options=ALLOW_FROM, frame_options_allow_from="https://a.example"
        )
    response = app.test_client().get("/", **HTTPS)
    check(response, {"X-Frame-Options": "ALLOW-FROM https://a.example"})


def test_one_year_constant() -> None:
    assert ONE_YEAR_IN_SECS == 31556926


NONCE_CONTRACTS = [
    (
        "nonce appended to existing directive",
        {"default-src": SELF, "script-src": [SELF, "https://cdn.example"]},
        ["script-src"],
        "default-src 'self'; script-src 'self' https://cdn.example 'nonce-{n}'",
    ),
    (
        "missing directive created from default-src",
        {"default-src": [SELF, "https://cdn.example"], "object-src": "'none'"},
        ["script-src", "style-src"],
        "default-src 'self' https://cdn.example; object-src 'none'; "
        "script-src 'self' https://cdn.example 'nonce-{n}'; "
        "style-src 'self' https://cdn.example 'nonce-{n}'",
    ),
    (
        "'none' is not inherited next to a nonce",
        {"default-src": "'none'"},
        ["script-src"],
        "default-src 'none'; script-src 'nonce-{n}'",
    ),
    (
        "NONCE placeholder anywhere",
        {"default-src": SELF, "script-src": [SELF, NONCE, "'strict-dynamic'"]},
        [],
        "default-src 'self'; script-src 'self' 'nonce-{n}' 'strict-dynamic'",
    ),
    (
        "NONCE placeholder and nonce_in do not double",
        {"script-src": [NONCE, SELF]},
        ["script-src"],
        "script-src 'nonce-{n}' 'self'",
    ),
    (
        "string policy",
        "default-src 'self'; style-src 'self'",
        ["style-src"],
        "default-src 'self'; style-src 'self' 'nonce-{n}'",
    ),
]


@pytest.mark.parametrize(
    ("policy", "nonce_in", "expected"),
    [pytest.param(p, n, e, id=i) for i, p, n, e in NONCE_CONTRACTS],
)
def test_nonce_contract(policy: Any, nonce_in: list[str], expected: str) -> None:
    app = make_app()

    @app.route("/nonce")
    def nonce_view() -> str:
        from flask import render_template_string

        return render_template_string("{{ csp_nonce() }}")

    Talisman(
        app, content_security_policy=policy, content_security_policy_nonce_in=nonce_in
    )
    response = app.test_client().get("/nonce", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert len(nonce) == 32
    check(response, {"Content-Security-Policy": expected.format(n=nonce)})


def test_no_warnings_for_default_configuration() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Talisman(make_app())


def test_upgrade_insecure_requests_only_over_https() -> None:
    app = make_app()
    Talisman(
        app,
        force_https=False,
        content_security_policy={"default-src": SELF, "upgrade-insecure-requests": ""},
    )
    client = app.test_client()
    check(
        client.get("/", **HTTPS),
        {"Content-Security-Policy": "default-src 'self'; upgrade-insecure-requests"},
    )
    check(
        client.get("/", **HTTP),
        {
            "Content-Security-Policy": "default-src 'self'",
            "Strict-Transport-Security": None,
        },
    )


def test_csp_hash_matches_openssl_and_is_a_template_global() -> None:
    from flask import render_template_string

    from flask_talisman import ConfigurationError, csp_hash

    # `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`
    assert (
        csp_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    )
    assert csp_hash(b"alert(1)", "sha384").startswith("'sha384-")
    with pytest.raises(ConfigurationError, match="sha1"):
        csp_hash("x", "sha1")
    app = make_app()

    @app.route("/hash")
    def hashed() -> str:
        return render_template_string("{{ csp_hash('alert(1)') }}")

    Talisman(app, content_security_policy={"script-src": csp_hash("alert(1)")})
    response = app.test_client().get("/hash", **HTTPS)
    assert (
        response.get_data(as_text=True)
        == "&#39;sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=&#39;"
    )
    check(
        response,
        {
            "Content-Security-Policy": "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        },
    )


def test_none_next_to_other_sources_warns() -> None:
    with pytest.warns(ConfigurationWarning, match="'none' is ignored"):
        Talisman(make_app(), content_security_policy={"default-src": "'self' 'none'"})
