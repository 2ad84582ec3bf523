"""Specification: the options added after flask-talisman 1.1.0.

Cross-origin isolation (COOP, COEP, CORP, Origin-Agent-Cluster), the small
legacy headers (X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies,
X-XSS-Protection: 0), Cache-Control, Clear-Site-Data, Integrity-Policy, a
report-only CSP sent beside the enforced one, and ``harden_cookies``.

Every response is checked against every security header: the 1.1.0 ones from
``conftest.DEFAULT_HEADERS`` and the new ones, which are absent by default
(:data:`NEW_HEADERS`). ``pyproject.toml`` turns warnings into errors, so each
configuration here is also asserted to give no warning.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, render_template_string, session
from werkzeug.test import TestResponse

from flask_talisman import SELF, STRICT_DYNAMIC, ConfigurationError, Talisman

from .conftest import DEFAULT_HEADERS, check

HTTPS = {"base_url": "https://localhost"}
HTTP = {"base_url": "http://localhost"}

#: The headers added after 1.1.0; none of them is sent by default.
NEW_HEADERS: dict[str, str | None] = {
    "Cross-Origin-Opener-Policy": None,
    "Cross-Origin-Embedder-Policy": None,
    "Cross-Origin-Resource-Policy": None,
    "Origin-Agent-Cluster": None,
    "X-DNS-Prefetch-Control": None,
    "X-Permitted-Cross-Domain-Policies": None,
    "Cache-Control": None,
    "Clear-Site-Data": None,
    "Integrity-Policy": None,
    "Integrity-Policy-Report-Only": None,
}


def check_modern(response: TestResponse, expected: dict[str, str | None]) -> None:
    """:func:`conftest.check` over the 1.1.0 *and* the new headers.

    ``expected`` gives the headers that differ from the defaults; ``None``
    means absent. Every header must appear at most once.
    """
    unknown = set(expected) - set(DEFAULT_HEADERS) - set(NEW_HEADERS)
    assert not unknown, f"not a security header: {unknown}"
    check(response, {**NEW_HEADERS, **expected})


def make_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    app.route("/")(lambda: "ok")
    return app


def get(app: Flask, path: str = "/", **kwargs: Any) -> TestResponse:
    response = app.test_client().get(path, **{**HTTPS, **kwargs})
    assert response.status_code == 200
    return response


def shows(option: str, fragment: str) -> str:
    """A ``match`` pattern: the message names ``option``, then shows ``fragment``."""
    return re.escape(option) + ".*" + re.escape(fragment)


def test_new_headers_are_absent_by_default() -> None:
    app = make_app()
    Talisman(app)
    check_modern(get(app), {})
    no_redirect = make_app()
    Talisman(no_redirect, force_https=False)
    check_modern(get(no_redirect, **HTTP), {"Strict-Transport-Security": None})


# -- contracts: options in, exact header strings out (HTTPS) -------------------

INTEGRITY_DICT = {"blocked-destinations": ["script"], "endpoints": ["default"]}
INTEGRITY_HEADER = "blocked-destinations=(script), endpoints=(default)"

CONTRACTS: list[tuple[str, dict[str, Any], dict[str, str | None]]] = [
    # Cross-Origin-Opener-Policy
    *[
        (
            f"coop-{value}",
            {"cross_origin_opener_policy": value},
            {"Cross-Origin-Opener-Policy": value},
        )
        for value in (
            "same-origin",
            "same-origin-allow-popups",
            "noopener-allow-popups",
            "unsafe-none",
        )
    ],
    # Cross-Origin-Embedder-Policy
    *[
        (
            f"coep-{value}",
            {"cross_origin_embedder_policy": value},
            {"Cross-Origin-Embedder-Policy": value},
        )
        for value in ("require-corp", "credentialless", "unsafe-none")
    ],
    # Cross-Origin-Resource-Policy
    *[
        (
            f"corp-{value}",
            {"cross_origin_resource_policy": value},
            {"Cross-Origin-Resource-Policy": value},
        )
        for value in ("same-origin", "same-site", "cross-origin")
    ],
    (
        "coop-coep-corp-together",
        {
            "cross_origin_opener_policy": "same-origin",
            "cross_origin_embedder_policy": "require-corp",
            "cross_origin_resource_policy": "same-site",
        },
        {
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp",
            "Cross-Origin-Resource-Policy": "same-site",
        },
    ),
    ("coop-None", {"cross_origin_opener_policy": None}, {}),
    ("coop-False", {"cross_origin_opener_policy": False}, {}),
    # Origin-Agent-Cluster
    ("oac-True", {"origin_agent_cluster": True}, {"Origin-Agent-Cluster": "?1"}),
    ("oac-?1", {"origin_agent_cluster": "?1"}, {"Origin-Agent-Cluster": "?1"}),
    ("oac-?0", {"origin_agent_cluster": "?0"}, {"Origin-Agent-Cluster": "?0"}),
    ("oac-None", {"origin_agent_cluster": None}, {}),
    ("oac-False", {"origin_agent_cluster": False}, {}),
    # X-DNS-Prefetch-Control
    ("dns-off", {"x_dns_prefetch_control": "off"}, {"X-DNS-Prefetch-Control": "off"}),
    ("dns-on", {"x_dns_prefetch_control": "on"}, {"X-DNS-Prefetch-Control": "on"}),
    # X-Permitted-Cross-Domain-Policies
    *[
        (
            f"xpcdp-{value}",
            {"x_permitted_cross_domain_policies": value},
            {"X-Permitted-Cross-Domain-Policies": value},
        )
        for value in (
            "none",
            "master-only",
            "by-content-type",
            "by-ftp-filename",
            "all",
            "none-this-response",
        )
    ],
    # Cache-Control
    ("cache-no-store", {"cache_control": "no-store"}, {"Cache-Control": "no-store"}),
    (
        "cache-private-max-age",
        {"cache_control": "private, max-age=60"},
        {"Cache-Control": "private, max-age=60"},
    ),
    (
        "cache-spacing-normalised",
        {"cache_control": "private,max-age=60"},
        {"Cache-Control": "private, max-age=60"},
    ),
    (
        "cache-extra-spaces-normalised",
        {"cache_control": "  no-cache ,   no-store  "},
        {"Cache-Control": "no-cache, no-store"},
    ),
    (
        "cache-quoted-field-name",
        {"cache_control": 'private="Set-Cookie", max-age=0'},
        {"Cache-Control": 'private="Set-Cookie", max-age=0'},
    ),
    ("cache-empty-str", {"cache_control": ""}, {}),
    # Clear-Site-Data
    (
        "csd-list",
        {"clear_site_data": ["cache", "cookies", "storage"]},
        {"Clear-Site-Data": '"cache", "cookies", "storage"'},
    ),
    (
        "csd-tuple",
        {"clear_site_data": ("executionContexts", "clientHints")},
        {"Clear-Site-Data": '"executionContexts", "clientHints"'},
    ),
    ("csd-star-str", {"clear_site_data": "*"}, {"Clear-Site-Data": '"*"'}),
    ("csd-star-list", {"clear_site_data": ["*"]}, {"Clear-Site-Data": '"*"'}),
    (
        "csd-duplicates-dropped",
        {"clear_site_data": ["cache", "cookies", "cache", "cookies"]},
        {"Clear-Site-Data": '"cache", "cookies"'},
    ),
    (
        "csd-str",
        {"clear_site_data": "cache, cookies"},
        {"Clear-Site-Data": '"cache", "cookies"'},
    ),
    (
        "csd-str-already-quoted",
        {"clear_site_data": '"cache","storage"'},
        {"Clear-Site-Data": '"cache", "storage"'},
    ),
    ("csd-empty-list", {"clear_site_data": []}, {}),
    # Integrity-Policy and Integrity-Policy-Report-Only
    (
        "integrity-dict",
        {"integrity_policy": INTEGRITY_DICT},
        {"Integrity-Policy": INTEGRITY_HEADER},
    ),
    (
        "integrity-str",
        {"integrity_policy": "blocked-destinations=(script style), sources=(inline)"},
        {"Integrity-Policy": "blocked-destinations=(script style), sources=(inline)"},
    ),
    (
        "integrity-dict-str-items",
        {"integrity_policy": {"blocked-destinations": "(script style)"}},
        {"Integrity-Policy": "blocked-destinations=(script style)"},
    ),
    ("integrity-empty-dict", {"integrity_policy": {}}, {}),
    (
        "integrity-report-only-dict",
        {"integrity_policy_report_only": INTEGRITY_DICT},
        {"Integrity-Policy-Report-Only": INTEGRITY_HEADER},
    ),
    (
        "integrity-report-only-str",
        {"integrity_policy_report_only": "blocked-destinations=(style)"},
        {"Integrity-Policy-Report-Only": "blocked-destinations=(style)"},
    ),
    (
        "integrity-both-independent",
        {
            "integrity_policy": {"blocked-destinations": ["script"]},
            "integrity_policy_report_only": {"blocked-destinations": ["style"]},
        },
        {
            "Integrity-Policy": "blocked-destinations=(script)",
            "Integrity-Policy-Report-Only": "blocked-destinations=(style)",
        },
    ),
    # X-XSS-Protection
    ("xss-0", {"x_xss_protection": "0"}, {"X-XSS-Protection": "0"}),
    ("xss-True", {"x_xss_protection": True}, {"X-XSS-Protection": "1; mode=block"}),
    (
        "xss-1-mode-block",
        {"x_xss_protection": "1; mode=block"},
        {"X-XSS-Protection": "1; mode=block"},
    ),
    ("xss-False", {"x_xss_protection": False}, {}),
]


@pytest.mark.parametrize(
    ("options", "expected"),
    [pytest.param(o, e, id=i) for i, o, e in CONTRACTS],
)
def test_new_header_contract(
    options: dict[str, Any], expected: dict[str, str | None]
) -> None:
    app = make_app()
    Talisman(app, **options)
    check_modern(get(app), expected)


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
    check_modern(
        get(app, **HTTP),
        {
            "Strict-Transport-Security": None,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-store",
            "Clear-Site-Data": '"cache"',
            "Integrity-Policy": INTEGRITY_HEADER,
        },
    )


def test_cache_control_replaces_the_views_own_value() -> None:
    # Like every Talisman header, the configured value wins over the view's.
    app = Flask(__name__)
    app.route("/")(lambda: Response("ok", headers={"Cache-Control": "public"}))
    Talisman(app, cache_control="no-store")
    check_modern(get(app), {"Cache-Control": "no-store"})


# -- invalid values --------------------------------------------------------------

# (id, option, bad value, fragment the message must show after the option name)
INVALID: list[tuple[str, str, Any, str]] = [
    # unknown tokens, with a "did you mean" hint
    (
        "coop-typo",
        "cross_origin_opener_policy",
        "same-orign",
        "'same-orign' is not a valid value. Did you mean 'same-origin'?",
    ),
    (
        "coop-wrong-case",
        "cross_origin_opener_policy",
        "Same-Origin",
        "Did you mean 'same-origin'?",
    ),
    (
        "coep-underscore",
        "cross_origin_embedder_policy",
        "require_corp",
        "Did you mean 'require-corp'?",
    ),
    (
        "corp-typo",
        "cross_origin_resource_policy",
        "same-orign",
        "Did you mean 'same-origin'?",
    ),
    (
        "corp-coop-value",
        "cross_origin_resource_policy",
        "unsafe-none",
        "'unsafe-none'",
    ),
    ("dns-typo", "x_dns_prefetch_control", "of", "Did you mean 'off'?"),
    (
        "xpcdp-underscore",
        "x_permitted_cross_domain_policies",
        "master_only",
        "Did you mean 'master-only'?",
    ),
    # wrong types
    ("coop-int", "cross_origin_opener_policy", 1, "got 1 (int)"),
    (
        "coop-list",
        "cross_origin_opener_policy",
        ["same-origin"],
        "got ['same-origin'] (list)",
    ),
    ("coop-True", "cross_origin_opener_policy", True, "got True (bool)"),
    ("coep-list", "cross_origin_embedder_policy", ["require-corp"], "(list)"),
    ("corp-int", "cross_origin_resource_policy", 1, "(int)"),
    ("dns-True", "x_dns_prefetch_control", True, "got True (bool)"),
    ("xpcdp-list", "x_permitted_cross_domain_policies", ["none"], "(list)"),
    ("oac-str", "origin_agent_cluster", "yes", "'yes'"),
    ("oac-int", "origin_agent_cluster", 1, "1 is not valid"),
    ("oac-?2", "origin_agent_cluster", "?2", "'?2'"),
    # control characters
    (
        "coop-crlf",
        "cross_origin_opener_policy",
        "same-origin\r\nX-Injected: 1",
        "control character '\\r'",
    ),
    ("dns-nul", "x_dns_prefetch_control", "off\x00", "control character '\\x00'"),
    ("cache-lf", "cache_control", "no-store\nX-Injected: 1", "control character"),
    (
        "csd-crlf-inside",
        "clear_site_data",
        "cache\r\nX-Injected: 1",
        "control character",
    ),
    (
        "integrity-str-crlf",
        "integrity_policy",
        "blocked-destinations=(script)\r\nX-Injected: 1",
        "control character '\\r'",
    ),
    # Cache-Control
    ("cache-semicolon", "cache_control", "no-store; x", "'no-store; x'"),
    ("cache-space", "cache_control", "a b", "'a b' in 'a b'"),
    ("cache-empty-member", "cache_control", "no-store,", "'' in 'no-store,'"),
    ("cache-int", "cache_control", 60, "got 60 (int)"),
    ("cache-list", "cache_control", ["no-store"], "(list)"),
    # Clear-Site-Data
    (
        "csd-typo",
        "clear_site_data",
        "cookie",
        "'cookie' is not a Clear-Site-Data type. Did you mean 'cookies'?",
    ),
    (
        "csd-typo-in-list",
        "clear_site_data",
        ["cache", "storag"],
        "Did you mean 'storage'?",
    ),
    ("csd-wrong-case", "clear_site_data", ["Cache"], "Did you mean 'cache'?"),
    ("csd-non-str-item", "clear_site_data", ["cache", 1], "1 is not"),
    ("csd-int", "clear_site_data", 5, "got 5 (int)"),
    ("csd-semicolon", "clear_site_data", "cache; cookies", "'cache; cookies'"),
    # Integrity-Policy
    (
        "integrity-unknown-key",
        "integrity_policy",
        {"blocked-destination": ["script"]},
        "unknown key 'blocked-destination'. Did you mean 'blocked-destinations'?",
    ),
    (
        "integrity-unknown-destination",
        "integrity_policy",
        {"blocked-destinations": ["scirpt"]},
        "'scirpt' is not valid. Did you mean 'script'?",
    ),
    (
        "integrity-unknown-source",
        "integrity_policy",
        {"sources": ["outline"]},
        "'outline' is not valid",
    ),
    (
        "integrity-endpoint-upper-case",
        "integrity_policy",
        {"endpoints": ["Default"]},
        "'Default' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-with-space",
        "integrity_policy",
        {"endpoints": ["a b"]},
        "'a b' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-with-comma",
        "integrity_policy",
        {"endpoints": ["a,b"]},
        "'a,b' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-url",
        "integrity_policy",
        {"endpoints": ["https://r.example/"]},
        "is not a Reporting-Endpoints name",
    ),
    (
        "integrity-destinations-int",
        "integrity_policy",
        {"blocked-destinations": 1},
        "got 1 (int)",
    ),
    (
        "integrity-destination-item-int",
        "integrity_policy",
        {"blocked-destinations": [1]},
        "got 1 (int)",
    ),
    ("integrity-list", "integrity_policy", ["script"], "(list)"),
    (
        "integrity-str-without-parentheses",
        "integrity_policy",
        "blocked-destinations=script",
        "'blocked-destinations=script' is not an Integrity-Policy",
    ),
    (
        "integrity-str-unknown-key",
        "integrity_policy",
        "blocked=(script)",
        "'blocked=(script)' is not an Integrity-Policy",
    ),
    (
        # The dict form refuses this destination; so must the str form.
        "integrity-str-unknown-destination",
        "integrity_policy",
        "blocked-destinations=(scirpt)",
        "'scirpt'",
    ),
    (
        "integrity-report-only-unknown-key",
        "integrity_policy_report_only",
        {"endpoint": ["default"]},
        "Did you mean 'endpoints'?",
    ),
    (
        "integrity-report-only-bad-endpoint",
        "integrity_policy_report_only",
        {"endpoints": ["no;pe"]},
        "'no;pe' is not a Reporting-Endpoints name",
    ),
    # X-XSS-Protection
    ("xss-yes", "x_xss_protection", "yes", "'yes' is not valid"),
    ("xss-1", "x_xss_protection", "1", "'1' is not valid"),
    ("xss-int-2", "x_xss_protection", 2, "2 is not valid"),
    # content_security_policy_report_only
    (
        "csp-report-only-bad-policy",
        "content_security_policy_report_only",
        {"script-src": "self"},
        "'self'",
    ),
    ("csp-report-only-int", "content_security_policy_report_only", 2, "(int)"),
    (
        "csp-report-only-nonce-in",
        "content_security_policy_report_only_nonce_in",
        ["script-src;"],
        "'script-src;'",
    ),
    # harden_cookies*
    ("harden-str", "harden_cookies", "yes", "'yes' is a str"),
    ("harden-samesite", "harden_cookies_samesite", "Sideways", "'Sideways'"),
    ("harden-http-only-str", "harden_cookies_http_only", "False", "'False'"),
    ("include-space", "harden_cookies_include", "a b", "'a b' is not a cookie name"),
    ("include-int", "harden_cookies_include", 1, "got 1 (int)"),
    ("include-int-item", "harden_cookies_include", ["a", 2], "2 is not a cookie name"),
    ("include-semicolon", "harden_cookies_include", ["a;b"], "'a;b'"),
    ("include-equals", "harden_cookies_include", ["a=b"], "'a=b'"),
    ("include-set", "harden_cookies_include", {"a"}, "(set)"),
    ("exclude-space", "harden_cookies_exclude", ["a b"], "'a b' is not a cookie name"),
    ("exclude-empty", "harden_cookies_exclude", [""], "'' is not a cookie name"),
]


def configure_at_constructor(options: dict[str, Any]) -> None:
    Talisman(make_app(), **options)


def configure_at_decorator(options: dict[str, Any]) -> None:
    Talisman(make_app())(**options)


@pytest.mark.parametrize(
    "configure",
    [
        pytest.param(configure_at_constructor, id="constructor"),
        pytest.param(configure_at_decorator, id="decorator"),
    ],
)
@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [pytest.param(o, v, f, id=i) for i, o, v, f in INVALID],
)
def test_invalid_value_is_refused(
    configure: Any, option: str, value: Any, fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=shows(option, fragment)):
        configure({option: value})


def test_refused_new_option_assignment_keeps_the_old_header() -> None:
    app = make_app()
    talisman = Talisman(app, cross_origin_opener_policy="same-origin")
    with pytest.raises(ConfigurationError, match="cross_origin_opener_policy"):
        talisman.cross_origin_opener_policy = "same-orign"
    assert talisman.cross_origin_opener_policy == "same-origin"
    check_modern(get(app), {"Cross-Origin-Opener-Policy": "same-origin"})


# -- per view ------------------------------------------------------------------

# (option, app value, view value, header, app header, view header)
PER_VIEW: list[tuple[str, Any, Any, str, str, str]] = [
    (
        "cross_origin_opener_policy",
        "same-origin",
        "unsafe-none",
        "Cross-Origin-Opener-Policy",
        "same-origin",
        "unsafe-none",
    ),
    (
        "cross_origin_embedder_policy",
        "require-corp",
        "credentialless",
        "Cross-Origin-Embedder-Policy",
        "require-corp",
        "credentialless",
    ),
    (
        "cross_origin_resource_policy",
        "same-origin",
        "cross-origin",
        "Cross-Origin-Resource-Policy",
        "same-origin",
        "cross-origin",
    ),
    ("origin_agent_cluster", True, "?0", "Origin-Agent-Cluster", "?1", "?0"),
    ("x_dns_prefetch_control", "off", "on", "X-DNS-Prefetch-Control", "off", "on"),
    (
        "x_permitted_cross_domain_policies",
        "none",
        "master-only",
        "X-Permitted-Cross-Domain-Policies",
        "none",
        "master-only",
    ),
    (
        "cache_control",
        "no-store",
        "private,max-age=60",
        "Cache-Control",
        "no-store",
        "private, max-age=60",
    ),
    (
        "clear_site_data",
        ["cache"],
        "*",
        "Clear-Site-Data",
        '"cache"',
        '"*"',
    ),
    (
        "integrity_policy",
        INTEGRITY_DICT,
        "blocked-destinations=(style)",
        "Integrity-Policy",
        INTEGRITY_HEADER,
        "blocked-destinations=(style)",
    ),
    (
        "integrity_policy_report_only",
        "blocked-destinations=(style)",
        INTEGRITY_DICT,
        "Integrity-Policy-Report-Only",
        "blocked-destinations=(style)",
        INTEGRITY_HEADER,
    ),
    ("x_xss_protection", "0", True, "X-XSS-Protection", "0", "1; mode=block"),
]


@pytest.mark.parametrize(
    ("option", "app_value", "view_value", "header", "app_header", "view_header"),
    [pytest.param(*row, id=row[0]) for row in PER_VIEW],
)
def test_new_option_per_view_and_off_per_view(
    option: str,
    app_value: Any,
    view_value: Any,
    header: str,
    app_header: str,
    view_header: str,
) -> None:
    app = make_app()
    talisman = Talisman(app, **{option: app_value})

    @app.route("/view")
    @talisman(**{option: view_value})
    def view() -> str:
        return "view"

    @talisman(**{option: False})
    @app.route("/off")
    def off() -> str:
        return "off"

    check_modern(get(app, "/"), {header: app_header})
    check_modern(get(app, "/view"), {header: view_header})
    check_modern(get(app, "/off"), {header: None})


def test_new_option_on_one_view_only() -> None:
    app = make_app()
    talisman = Talisman(app)

    @app.route("/popup")
    @talisman(cross_origin_opener_policy="unsafe-none")
    def popup() -> str:
        return "popup"

    check_modern(get(app, "/popup"), {"Cross-Origin-Opener-Policy": "unsafe-none"})
    check_modern(get(app, "/"), {})


# -- a report-only CSP beside the enforced one -----------------------------------

ENFORCED = "default-src 'self'; object-src 'none'"

# (id, options, request, expected headers)
REPORT_ONLY: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    (
        "dict policy beside the default enforced one",
        {
            "content_security_policy_report_only": {
                "default-src": SELF,
                "script-src": [SELF, "https://cdn.example"],
            }
        },
        HTTPS,
        {
            "Content-Security-Policy": ENFORCED,
            "Content-Security-Policy-Report-Only": "default-src 'self'; script-src 'self' https://cdn.example",
        },
    ),
    (
        "str policy normalised",
        {"content_security_policy_report_only": "script-src  'self' ;img-src *;  "},
        HTTPS,
        {
            "Content-Security-Policy": ENFORCED,
            "Content-Security-Policy-Report-Only": "script-src 'self'; img-src *",
        },
    ),
    (
        "no enforced policy, report-only still sent",
        {
            "content_security_policy": None,
            "content_security_policy_report_only": "default-src 'none'",
        },
        HTTPS,
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'none'",
        },
    ),
    (
        "report uri appended to both",
        {
            "content_security_policy_report_only": {"script-src": SELF},
            "content_security_policy_report_uri": "/csp-report",
        },
        HTTPS,
        {
            "Content-Security-Policy": f"{ENFORCED}; report-uri /csp-report",
            "Content-Security-Policy-Report-Only": "script-src 'self'; report-uri /csp-report",
        },
    ),
    (
        "report uri not doubled in the report-only policy",
        {
            "content_security_policy_report_only": "script-src 'self'; report-uri /ro",
            "content_security_policy_report_uri": "/csp-report",
        },
        HTTPS,
        {
            "Content-Security-Policy": f"{ENFORCED}; report-uri /csp-report",
            "Content-Security-Policy-Report-Only": "script-src 'self'; report-uri /ro",
        },
    ),
    (
        "empty policy sends no report-only header",
        {"content_security_policy_report_only": {}},
        HTTPS,
        {},
    ),
    (
        "plain http: upgrade-insecure-requests left out, report uri kept",
        {
            "force_https": False,
            "content_security_policy_report_uri": "/csp-report",
            "content_security_policy_report_only": {
                "default-src": SELF,
                "upgrade-insecure-requests": "",
            },
        },
        HTTP,
        {
            "Strict-Transport-Security": None,
            "Content-Security-Policy": f"{ENFORCED}; report-uri /csp-report",
            "Content-Security-Policy-Report-Only": "default-src 'self'; report-uri /csp-report",
        },
    ),
    (
        "True: the one policy as report-only (1.1.0)",
        {
            "content_security_policy": "default-src 'self'",
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "/csp-report",
        },
        HTTPS,
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'self'; report-uri /csp-report",
        },
    ),
    (
        "True: a report-to directive stands in for the report uri",
        {
            "content_security_policy": "default-src 'self'; report-to csp",
            "content_security_policy_report_only": True,
        },
        HTTPS,
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'self'; report-to csp",
        },
    ),
    (
        "False: enforced only",
        {
            "content_security_policy_report_only": False,
            "content_security_policy_report_uri": "/csp-report",
        },
        HTTPS,
        {"Content-Security-Policy": f"{ENFORCED}; report-uri /csp-report"},
    ),
]


@pytest.mark.parametrize(
    ("options", "request_kwargs", "expected"),
    [pytest.param(o, r, e, id=i) for i, o, r, e in REPORT_ONLY],
)
def test_report_only_policy_contract(
    options: dict[str, Any],
    request_kwargs: dict[str, Any],
    expected: dict[str, str | None],
) -> None:
    app = make_app()
    Talisman(app, **options)
    check_modern(get(app, **request_kwargs), expected)


def nonce_page_app(**options: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/")
    def page() -> str:
        return render_template_string("{{ csp_nonce() }}")

    Talisman(app, **options)
    return app


@pytest.mark.parametrize(
    ("enforced_nonce_in", "enforced"),
    [
        pytest.param(
            ["script-src"],
            "default-src 'self'; script-src 'self' 'nonce-{n}'",
            id="nonce-in-both",
        ),
        pytest.param(None, "default-src 'self'", id="nonce-in-report-only-only"),
    ],
)
def test_report_only_nonce_is_the_requests_nonce(
    enforced_nonce_in: list[str] | None, enforced: str
) -> None:
    app = nonce_page_app(
        content_security_policy={"default-src": SELF},
        content_security_policy_nonce_in=enforced_nonce_in,
        content_security_policy_report_only={
            "default-src": "'none'",
            "script-src": STRICT_DYNAMIC,
        },
        content_security_policy_report_only_nonce_in=["script-src", "style-src"],
    )
    response = get(app)
    nonce = response.get_data(as_text=True)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", nonce)
    check_modern(
        response,
        {
            "Content-Security-Policy": enforced.format(n=nonce),
            "Content-Security-Policy-Report-Only": "default-src 'none'; "
            f"script-src 'strict-dynamic' 'nonce-{nonce}'; style-src 'nonce-{nonce}'",
        },
    )


def test_report_only_true_still_requires_a_report_uri() -> None:
    with pytest.raises(ConfigurationError, match="content_security_policy_report_uri"):
        Talisman(
            make_app(),
            content_security_policy="default-src 'self'",
            content_security_policy_report_only=True,
        )


def test_report_only_policy_needs_no_report_uri() -> None:
    # Unlike True, a separate report-only policy is useful without a report
    # endpoint: violations show in the browser console.
    app = make_app()
    Talisman(app, content_security_policy_report_only="default-src 'none'")
    check_modern(
        get(app),
        {"Content-Security-Policy-Report-Only": "default-src 'none'"},
    )


@pytest.mark.parametrize("word", ["False", "false", "True", "off", "no", " 0 ", "1"])
def test_report_only_bool_word_str_is_refused(word: str) -> None:
    with pytest.raises(
        ConfigurationError,
        match=shows("content_security_policy_report_only", f"{word!r} is a str"),
    ):
        Talisman(make_app(), content_security_policy_report_only=word)


def test_report_only_policy_per_view() -> None:
    app = make_app()
    talisman = Talisman(app)

    @app.route("/trial")
    @talisman(content_security_policy_report_only={"script-src": SELF})
    def trial() -> str:
        return "trial"

    check_modern(
        get(app, "/trial"),
        {"Content-Security-Policy-Report-Only": "script-src 'self'"},
    )
    check_modern(get(app, "/"), {})


# -- harden_cookies -----------------------------------------------------------

# One cookie: (name, value, set_cookie keyword arguments).
Cookie = tuple[str, str, dict[str, Any]]
A: Cookie = ("a", "1", {})
B: Cookie = ("b", "2", {})
HARDENED_A = "a=1; Path=/; Secure; HttpOnly; SameSite=Lax"


def cookie_app(cookies: list[Cookie], **options: Any) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"

    @app.route("/")
    def set_cookies() -> Response:
        response = Response("ok")
        for name, value, kwargs in cookies:
            response.set_cookie(name, value, **kwargs)
        return response

    Talisman(app, **options)
    return app


def set_cookie_headers(app: Flask, **kwargs: Any) -> list[str]:
    return get(app, **kwargs).headers.getlist("Set-Cookie")


ON = {"harden_cookies": True}
ON_HTTP = {"harden_cookies": True, "force_https": False}

# (id, options, cookies set by the view, request, expected Set-Cookie values)
COOKIE_CONTRACTS: list[
    tuple[str, dict[str, Any], list[Cookie], dict[str, Any], list[str]]
] = [
    ("off by default", {}, [A], HTTPS, ["a=1; Path=/"]),
    (
        "off by default with a prefix",
        {},
        [("__Host-x", "1", {"path": None})],
        HTTPS,
        ["__Host-x=1"],
    ),
    ("https", ON, [A], HTTPS, [HARDENED_A]),
    (
        "https via X-Forwarded-Proto",
        ON,
        [A],
        {**HTTP, "headers": {"X-Forwarded-Proto": "https"}},
        [HARDENED_A],
    ),
    (
        "plain http: no Secure",
        ON_HTTP,
        [A],
        HTTP,
        ["a=1; Path=/; HttpOnly; SameSite=Lax"],
    ),
    (
        "every cookie",
        ON,
        [A, B],
        HTTPS,
        [HARDENED_A, "b=2; Path=/; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "SameSite=Strict kept",
        ON,
        [("a", "1", {"samesite": "Strict"})],
        HTTPS,
        ["a=1; Path=/; SameSite=Strict; Secure; HttpOnly"],
    ),
    (
        "SameSite=None not tightened",
        ON,
        [("a", "1", {"samesite": "None", "secure": True})],
        HTTPS,
        ["a=1; Secure; Path=/; SameSite=None; HttpOnly"],
    ),
    (
        "Secure not doubled",
        ON,
        [("a", "1", {"secure": True})],
        HTTPS,
        ["a=1; Secure; Path=/; HttpOnly; SameSite=Lax"],
    ),
    (
        "HttpOnly not doubled",
        ON,
        [("a", "1", {"httponly": True})],
        HTTPS,
        ["a=1; HttpOnly; Path=/; Secure; SameSite=Lax"],
    ),
    (
        "fully flagged cookie unchanged",
        ON,
        [("a", "1", {"secure": True, "httponly": True, "samesite": "Strict"})],
        HTTPS,
        ["a=1; Secure; HttpOnly; Path=/; SameSite=Strict"],
    ),
    (
        "other attributes kept",
        ON,
        [("a", "1", {"domain": "example.com", "path": "/app"})],
        HTTPS,
        ["a=1; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "include selects by name",
        {**ON, "harden_cookies_include": ["a"]},
        [A, B],
        HTTPS,
        [HARDENED_A, "b=2; Path=/"],
    ),
    (
        "include as one str",
        {**ON, "harden_cookies_include": "b"},
        [A, B],
        HTTPS,
        ["a=1; Path=/", "b=2; Path=/; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "exclude skips by name",
        {**ON, "harden_cookies_exclude": ["a"]},
        [A, B],
        HTTPS,
        ["a=1; Path=/", "b=2; Path=/; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "exclude wins over include",
        {**ON, "harden_cookies_include": ["a", "b"], "harden_cookies_exclude": ("b",)},
        [A, B],
        HTTPS,
        [HARDENED_A, "b=2; Path=/"],
    ),
    (
        "samesite Strict",
        {**ON, "harden_cookies_samesite": "Strict"},
        [A],
        HTTPS,
        ["a=1; Path=/; Secure; HttpOnly; SameSite=Strict"],
    ),
    (
        "samesite lower case normalised",
        {**ON, "harden_cookies_samesite": "strict"},
        [A],
        HTTPS,
        ["a=1; Path=/; Secure; HttpOnly; SameSite=Strict"],
    ),
    (
        "samesite None over https",
        {**ON, "harden_cookies_samesite": "None"},
        [A],
        HTTPS,
        ["a=1; Path=/; Secure; HttpOnly; SameSite=None"],
    ),
    (
        "samesite None never without Secure",
        {**ON_HTTP, "harden_cookies_samesite": "None"},
        [A],
        HTTP,
        ["a=1; Path=/; HttpOnly"],
    ),
    (
        "samesite off",
        {**ON, "harden_cookies_samesite": None},
        [A],
        HTTPS,
        ["a=1; Path=/; Secure; HttpOnly"],
    ),
    (
        "http_only off",
        {**ON, "harden_cookies_http_only": False},
        [A],
        HTTPS,
        ["a=1; Path=/; Secure; SameSite=Lax"],
    ),
    (
        "__Host- without a path gets Path=/",
        ON,
        [("__Host-x", "1", {"path": None})],
        HTTPS,
        ["__Host-x=1; Secure; HttpOnly; SameSite=Lax; Path=/"],
    ),
    (
        "__Host- with Path=/ unchanged but hardened",
        ON,
        [("__Host-x", "1", {})],
        HTTPS,
        ["__Host-x=1; Path=/; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "__Secure- over https",
        ON,
        [("__Secure-x", "1", {})],
        HTTPS,
        ["__Secure-x=1; Path=/; Secure; HttpOnly; SameSite=Lax"],
    ),
    (
        "deleted cookie hardened too",
        ON,
        [("a", "", {"expires": 0})],
        HTTPS,
        [
            "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax"
        ],
    ),
]


@pytest.mark.parametrize(
    ("options", "cookies", "request_kwargs", "expected"),
    [pytest.param(o, c, r, e, id=i) for i, o, c, r, e in COOKIE_CONTRACTS],
)
def test_cookie_contract(
    options: dict[str, Any],
    cookies: list[Cookie],
    request_kwargs: dict[str, Any],
    expected: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="flask_talisman")
    app = cookie_app(cookies, **options)
    assert set_cookie_headers(app, **request_kwargs) == expected
    assert [r.getMessage() for r in caplog.records if r.name == "flask_talisman"] == []


def talisman_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "flask_talisman" and r.levelno == logging.WARNING
    ]


def test_host_prefix_with_another_path_is_left_alone_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="flask_talisman")
    app = cookie_app([("__Host-x", "1", {"path": "/sub"})], **ON)
    assert set_cookie_headers(app) == [
        "__Host-x=1; Path=/sub; Secure; HttpOnly; SameSite=Lax"
    ]
    messages = talisman_warnings(caplog)
    assert len(messages) == 1
    assert "'__Host-x'" in messages[0]
    assert "Path=/" in messages[0]


def test_host_prefix_with_a_domain_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_talisman")
    app = cookie_app([("__Host-x", "1", {"domain": "example.com"})], **ON)
    assert set_cookie_headers(app) == [
        "__Host-x=1; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax"
    ]
    messages = talisman_warnings(caplog)
    assert len(messages) == 1
    assert "'__Host-x'" in messages[0]
    assert "Domain" in messages[0]


@pytest.mark.parametrize("name", ["__Secure-x", "__Host-x"])
def test_prefix_needing_secure_on_plain_http_is_logged(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="flask_talisman")
    app = cookie_app([(name, "1", {})], **ON_HTTP)
    assert set_cookie_headers(app, **HTTP) == [
        f"{name}=1; Path=/; HttpOnly; SameSite=Lax"
    ]
    messages = talisman_warnings(caplog)
    assert len(messages) == 1
    assert repr(name) in messages[0]
    assert "Secure" in messages[0]


def test_harden_cookies_per_view() -> None:
    app = Flask(__name__)
    talisman = Talisman(app, **ON)

    def set_a() -> Response:
        response = Response("ok")
        response.set_cookie("a", "1")
        return response

    @app.route("/")
    def hardened() -> Response:
        return set_a()

    @app.route("/plain")
    @talisman(harden_cookies=False)
    def plain() -> Response:
        return set_a()

    @app.route("/strict")
    @talisman(harden_cookies_samesite="Strict")
    def strict() -> Response:
        return set_a()

    assert set_cookie_headers(app) == [HARDENED_A]
    assert set_cookie_headers(app, path="/plain") == ["a=1; Path=/"]
    assert set_cookie_headers(app, path="/strict") == [
        "a=1; Path=/; Secure; HttpOnly; SameSite=Strict"
    ]


def test_session_cookie_follows_session_config_not_harden_cookies() -> None:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    app.config["SESSION_COOKIE_HTTPONLY"] = False  # kept: the option is off

    @app.route("/")
    def login() -> Response:
        session["user"] = "u"
        response = Response("ok")
        response.set_cookie("a", "1")
        return response

    Talisman(
        app,
        harden_cookies=True,
        harden_cookies_samesite="Strict",
        session_cookie_http_only=False,
        session_cookie_samesite=None,
    )
    cookies = set_cookie_headers(app)
    assert len(cookies) == 2
    assert cookies[0] == "a=1; Path=/; Secure; HttpOnly; SameSite=Strict"
    session_cookie = cookies[1]
    assert session_cookie.startswith("session=")
    flags = [part.strip() for part in session_cookie.split(";")[1:]]
    assert flags == ["Secure", "Path=/"]


def test_cookies_set_by_hooks_registered_before_talisman_are_hardened() -> None:
    # An extension set up first (a login manager, say) sets its cookie in an
    # after_request hook that Flask runs after Talisman's.
    app = Flask(__name__)

    @app.after_request
    def remember_me(response: Response) -> Response:
        response.set_cookie("a", "1")
        return response

    bp = Blueprint("bp", __name__)

    @bp.after_request
    def blueprint_cookie(response: Response) -> Response:
        response.set_cookie("b", "2")
        return response

    @bp.route("/in-blueprint")
    def in_blueprint() -> str:
        return "ok"

    app.register_blueprint(bp)
    Talisman(app, **ON)

    @app.after_request
    def later(response: Response) -> Response:
        response.set_cookie("c", "3")
        return response

    @app.route("/")
    def index() -> str:
        return "ok"

    assert set_cookie_headers(app) == [
        "c=3; Path=/; Secure; HttpOnly; SameSite=Lax",
        HARDENED_A,
    ]
    assert set_cookie_headers(app, path="/in-blueprint") == [
        "b=2; Path=/; Secure; HttpOnly; SameSite=Lax",
        "c=3; Path=/; Secure; HttpOnly; SameSite=Lax",
        HARDENED_A,
    ]


def early_cookie_app() -> Flask:
    app = Flask(__name__)

    @app.after_request
    def early(response: Response) -> Response:  # registered before Talisman
        response.set_cookie("a", "1")
        return response

    @app.route("/")
    def index() -> str:
        return "ok"

    return app


def test_harden_cookies_assigned_before_serving_covers_earlier_hooks() -> None:
    app = early_cookie_app()
    talisman = Talisman(app)
    talisman.harden_cookies = True
    assert set_cookie_headers(app) == [HARDENED_A]


def test_harden_cookies_from_a_decorator_after_init_covers_earlier_hooks() -> None:
    app = early_cookie_app()
    talisman = Talisman(app)

    @app.route("/hardened")
    @talisman(harden_cookies=True)
    def hardened() -> str:
        return "ok"

    assert set_cookie_headers(app, path="/hardened") == [HARDENED_A]
    assert set_cookie_headers(app) == ["a=1; Path=/"]  # not asked for here


def test_harden_cookies_turned_on_while_serving_hardens_later_hooks() -> None:
    app = early_cookie_app()
    talisman = Talisman(app)

    @app.after_request
    def late(response: Response) -> Response:  # registered after Talisman
        response.set_cookie("c", "3")
        return response

    assert set_cookie_headers(app) == ["c=3; Path=/", "a=1; Path=/"]
    talisman.harden_cookies = True  # the app already serves: no new hook
    talisman.harden_cookies = True
    assert set_cookie_headers(app) == [
        "c=3; Path=/; Secure; HttpOnly; SameSite=Lax",
        "a=1; Path=/",
    ]
