"""flask_talisman.lint: every rule, triggered and not, and the CSP Evaluator.

The rules are specified by two tables: CSP_RULES (a policy that triggers the
code and one that does not) and APP_RULES (an app that does and one that
does not). The comparison with Google's CSP Evaluator runs its npm package
under node on REAL_WORLD_POLICIES; without npm it is skipped, unless
``TALISMAN_EVALUATOR_TESTS=required`` is set: then it fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Blueprint, Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_talisman import (
    ALLOW_FROM,
    NONCE,
    NONE,
    SELF,
    STRICT_DYNAMIC,
    ConfigurationWarning,
    Talisman,
    csp_bypasses,
)
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.lint import CODES, Finding, lint_app, lint_csp
from flask_talisman.lint_csp import _source
from flask_talisman.presets import PRESETS

from .conftest import asked_for, make_app, unavailable

DOCS = Path(__file__).parent.parent / "docs" / "check.rst"
EVALUATOR_VERSION = "1.1.8"


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def one(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, f"{code}: {findings}"
    return found[0]


# -- Finding ------------------------------------------------------------------


def test_finding_to_json_has_exactly_the_six_keys() -> None:
    finding = Finding(
        endpoint="index",
        header="Content-Security-Policy",
        directive="script-src",
        severity="error",
        code="csp-unsafe-inline",
        message="m",
    )
    assert finding.to_json() == {
        "endpoint": "index",
        "header": "Content-Security-Policy",
        "directive": "script-src",
        "severity": "error",
        "code": "csp-unsafe-inline",
        "message": "m",
    }
    app_wide = Finding(None, None, None, "info", "hsts-off", "m").to_json()
    assert list(app_wide) == [
        "endpoint",
        "header",
        "directive",
        "severity",
        "code",
        "message",
    ]
    assert app_wide["endpoint"] is None
    assert app_wide["header"] is None
    assert app_wide["directive"] is None
    assert json.loads(json.dumps(app_wide)) == app_wide


def test_findings_take_their_severity_from_codes() -> None:
    for finding in lint_csp("script-src * 'unsafe-eval' 'unsafe-hashes'; referrer x"):
        assert finding.severity == CODES[finding.code]


def test_docs_table_lists_every_code_with_its_severity() -> None:
    text = DOCS.read_text()
    rows = dict(re.findall(r"^   \* - ``([a-z-]+)``\n     - (\w+)$", text, re.M))
    assert rows == dict(CODES)


# -- lint_csp: one row per rule -----------------------------------------------

#: code: (a policy that triggers it, one that does not). The policies are
#: complete enough to trigger nothing else of consequence.
CSP_RULES: dict[str, tuple[str, str]] = {
    "csp-script-src-missing": (
        "object-src 'none'",
        "default-src 'self'; object-src 'none'",
    ),
    "csp-unsafe-inline": (
        "script-src 'self' 'unsafe-inline'; object-src 'none'",
        "script-src 'nonce-abcdefgh' 'unsafe-inline'; object-src 'none'; base-uri 'none'",
    ),
    "csp-unsafe-eval": (
        "script-src 'self' 'unsafe-eval'; object-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'",
    ),
    "csp-unsafe-hashes": (
        "script-src 'self' 'unsafe-hashes' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; object-src 'none'",
        "script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; object-src 'none'",
    ),
    "csp-wildcard": (
        "default-src 'self'; script-src *; object-src 'none'",
        "default-src 'self'; img-src *; object-src 'none'",
    ),
    "csp-scheme-source": (
        "default-src 'self'; script-src 'self' https:; object-src 'none'",
        "default-src 'self'; img-src https: data:; object-src 'none'",
    ),
    "csp-script-host-bypass": (
        "script-src 'self' https://ajax.googleapis.com; object-src 'none'",
        "script-src 'self' https://static.example.com; object-src 'none'",
    ),
    "csp-script-host-allowlist": (
        "script-src 'self' https://static.example.com; object-src 'none'",
        "script-src 'self'; object-src 'none'",
    ),
    "csp-script-self": (
        "script-src 'self'; object-src 'none'",
        "script-src 'nonce-{nonce}' 'strict-dynamic' 'self'; object-src 'none'; base-uri 'none'",
    ),
    "csp-strict-dynamic-alone": (
        "script-src 'strict-dynamic'; object-src 'none'",
        "script-src 'strict-dynamic' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; object-src 'none'; base-uri 'none'",
    ),
    "csp-object-src-missing": (
        "script-src 'self'",
        "script-src 'self'; object-src 'none'",
    ),
    "csp-object-host-bypass": (
        "script-src 'self'; object-src vk.com",
        "script-src 'self'; object-src 'none'",
    ),
    "csp-object-src-not-none": (
        "default-src 'self'",
        "default-src 'self'; object-src 'none'",
    ),
    "csp-base-uri-missing": (
        "script-src 'nonce-{nonce}'; object-src 'none'",
        "script-src 'nonce-{nonce}'; object-src 'none'; base-uri 'self'",
    ),
    "csp-http-source": (
        "default-src 'self'; img-src http://img.example.com; object-src 'none'",
        "default-src 'self'; img-src https://img.example.com; object-src 'none'",
    ),
    "csp-short-nonce": (
        "script-src 'nonce-abc'; object-src 'none'; base-uri 'none'",
        "script-src 'nonce-abcdefgh'; object-src 'none'; base-uri 'none'",
    ),
    "csp-deprecated-directive": (
        "default-src 'self'; object-src 'none'; block-all-mixed-content",
        "default-src 'self'; object-src 'none'; upgrade-insecure-requests",
    ),
    "csp-unknown-directive": (
        "default-src 'self'; object-src 'none'; scirpt-src 'self'",
        "default-src 'self'; object-src 'none'; script-src-elem 'self'",
    ),
    "csp-duplicate-directive": (
        "default-src 'self'; object-src 'none'; object-src *",
        "default-src 'self'; object-src 'none'; img-src *",
    ),
    "csp-missing-semicolon": (
        "default-src 'self' object-src 'none'",
        "default-src 'self'; object-src 'none'",
    ),
    "csp-unquoted-keyword": (
        "default-src self; object-src 'none'",
        "default-src 'self'; object-src 'none'",
    ),
    "csp-unknown-keyword": (
        "default-src 'selfs'; object-src 'none'",
        "default-src 'self' 'report-sample'; object-src 'none'",
    ),
}


def test_every_csp_code_has_a_row() -> None:
    csp_codes = {c for c in CODES if c.startswith("csp-")} - set(CSP_APP_ONLY)
    assert set(CSP_RULES) == csp_codes


@pytest.mark.parametrize(("code", "policies"), CSP_RULES.items(), ids=list(CSP_RULES))
def test_csp_rule(code: str, policies: tuple[str, str]) -> None:
    triggers, clean = policies
    found = lint_csp(triggers, endpoint="view", header="X-Test")
    assert code in codes(found)
    finding = next(f for f in found if f.code == code)
    assert finding.severity == CODES[code]
    assert (finding.endpoint, finding.header) == ("view", "X-Test")
    assert code not in codes(lint_csp(clean))


#: Each (policy, code, directive): where a finding lands.
CSP_CASES = [
    # The effective script-src: script-src, else default-src.
    ("default-src 'self' 'unsafe-inline'", "csp-unsafe-inline", "default-src"),
    ("default-src *; script-src 'self'", "csp-wildcard", "default-src"),
    # script-src-elem and -attr fall back to script-src, and count on their own.
    (
        "script-src 'nonce-abcdefgh'; script-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'",
        "csp-unsafe-inline",
        "script-src-attr",
    ),
    (
        "script-src 'self'; script-src-elem 'self' https://cdn.jsdelivr.net; object-src 'none'",
        "csp-script-host-bypass",
        "script-src-elem",
    ),
    # object-src falls back to default-src.
    ("default-src https:", "csp-scheme-source", "default-src"),
    ("default-src 'self'; object-src 'none' data:", "csp-scheme-source", "object-src"),
    ("base-uri *; default-src 'none'", "csp-wildcard", "base-uri"),
    ("base-uri https:; default-src 'none'", "csp-scheme-source", "base-uri"),
    # Hashes need base-uri only with 'strict-dynamic' (hash-only policies
    # load no relative URL by trust).
    (
        "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' 'strict-dynamic'; object-src 'none'",
        "csp-base-uri-missing",
        "base-uri",
    ),
    (
        "default-src 'self'; report-uri http://r.example/csp",
        "csp-http-source",
        "report-uri",
    ),
    ("default-src 'self' https://*", "csp-wildcard", "default-src"),
    ("default-src 'self'; object-src 'self'", "csp-object-src-not-none", "object-src"),
    (
        "default-src 'self'; object-src 'none' 'self'",
        "csp-object-src-not-none",
        "object-src",
    ),
    (
        "default-src 'self'; object-src https://ajax.googleapis.com/ajax/libs/yui/",
        "csp-object-host-bypass",
        "object-src",
    ),
    ("default-src 'self'; foo: bar", "csp-unknown-directive", "foo:"),
    (
        "require-trusted-types-for 'scripts'; default-src 'self'; object-src 'none'",
        "csp-unknown-keyword",
        "require-trusted-types-for",
    ),
    (
        "default-src 'self'; object-src 'none'; script-src nonce-abcdefgh",
        "csp-unquoted-keyword",
        "script-src",
    ),
]


@pytest.mark.parametrize(("policy", "code", "directive"), CSP_CASES)
def test_csp_finding_directive(policy: str, code: str, directive: str) -> None:
    assert (code, directive) in [(f.code, f.directive) for f in lint_csp(policy)]


#: Policies that trigger nothing above info.
CLEAN_POLICIES = [
    # The strict preset's policy, as sent.
    "script-src 'nonce-{nonce}' 'strict-dynamic' https: 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    # 'strict-dynamic' turns off hosts, schemes, 'self' and 'unsafe-inline'.
    "script-src 'nonce-abcdefgh' 'strict-dynamic' http: https: http://x.example "
    "'self' 'unsafe-inline' https://ajax.googleapis.com; object-src 'none'; base-uri 'none'",
    "default-src 'none'; frame-ancestors 'none'",
    # An empty source list allows nothing.
    "default-src 'self'; object-src",
    # Upper-case keywords and schemes are the same keywords and schemes.
    "DEFAULT-SRC 'SELF'; OBJECT-SRC 'NONE'; IMG-SRC HTTPS:",
    "script-src 'self'; object-src 'none'; trusted-types default 'allow-duplicates'; "
    "require-trusted-types-for 'script'; webrtc 'block'; sandbox allow-scripts",
    # Host names that start like keywords are hosts.
    "script-src self.example.com none.example.com; object-src 'none'",
    # A directive that never loads scripts may take anything.
    "default-src 'self'; object-src 'none'; img-src * data: blob:; style-src 'unsafe-inline'",
    "",
]


@pytest.mark.parametrize("policy", CLEAN_POLICIES)
def test_clean_policy(policy: str) -> None:
    found = lint_csp(policy) if policy else []
    assert [f for f in found if f.severity != "info"] == []


def test_an_empty_policy_lacks_script_src_and_object_src() -> None:
    assert codes(lint_csp("")) == ["csp-script-src-missing", "csp-object-src-missing"]


def test_the_placeholder_counts_as_a_long_nonce() -> None:
    found = lint_csp("script-src 'nonce-{nonce}'; object-src 'none'")
    assert codes(found) == ["csp-base-uri-missing"]


def test_the_first_of_two_directives_counts() -> None:
    found = lint_csp("default-src 'self'; object-src 'none'; object-src *")
    assert "csp-wildcard" not in codes(found)
    assert "object-src 'none'" in one(found, "csp-duplicate-directive").message


def test_policies_separated_by_commas_are_enforced_together() -> None:
    # Each policy lacks something the other one has.
    found = lint_csp("script-src 'nonce-abcdefgh', object-src 'none'; base-uri 'none'")
    assert codes(found) == []
    found = lint_csp("script-src 'unsafe-inline', default-src 'self'")
    assert set(codes(found)) == {
        "csp-unsafe-inline",
        "csp-script-self",
        "csp-object-src-not-none",
    }


def test_one_finding_for_a_default_src_that_serves_scripts_and_plugins() -> None:
    found = lint_csp("default-src *")
    wildcard = one(found, "csp-wildcard")
    assert "scripts and plugins" in wildcard.message
    assert "object-src 'none'" in wildcard.message


def test_hosts_without_a_bypass_are_one_finding() -> None:
    found = lint_csp(
        "script-src https://a.example https://b.example localhost; object-src 'none'"
    )
    allowlist = one(found, "csp-script-host-allowlist")
    assert "https://a.example, https://b.example" in allowlist.message


# -- lint_csp: hosts that defeat an allowlist ---------------------------------

#: (source in script-src, whether it is a known bypass)
HOSTS = [
    ("ajax.googleapis.com", True),
    ("https://ajax.googleapis.com", True),
    ("https://AJAX.googleapis.com:443", True),
    ("//ajax.googleapis.com", True),
    ("*.googleapis.com", True),
    # A wildcard allows subdomains, not the domain itself.
    ("*.gstatic.com", True),
    ("*.www.gstatic.com", False),
    ("googleapis.com", False),
    # A path ending in '/' is a prefix; any other path is exact.
    ("ajax.googleapis.com/ajax/libs/", True),
    ("ajax.googleapis.com/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js", True),
    ("ajax.googleapis.com/ajax/libs/angularjs/1.2.0rc1/angular-route.js", False),
    ("ajax.googleapis.com/other/", False),
    ("https://cdn.jsdelivr.net", True),
    ("https://cdn.jsdelivr.net/npm/", False),
    ("https://cdnjs.cloudflare.com/ajax/libs/", True),
    # JSONP on Google Tag Manager and Analytics needs 'unsafe-eval'.
    ("https://www.googletagmanager.com", False),
    ("https://www.google-analytics.com", False),
    ("https://static.example.com", False),
]


@pytest.mark.parametrize(("source", "bypass"), HOSTS)
def test_script_host_bypass(source: str, bypass: bool) -> None:
    found = lint_csp(f"script-src {source}; object-src 'none'")
    assert ("csp-script-host-bypass" in codes(found)) is bypass
    assert ("csp-script-host-allowlist" in codes(found)) is not bypass


def test_jsonp_that_needs_eval_counts_with_unsafe_eval() -> None:
    found = lint_csp(
        "script-src 'unsafe-eval' https://www.googletagmanager.com; object-src 'none'"
    )
    assert "JSONP" in one(found, "csp-script-host-bypass").message


def test_script_src_none_allows_no_host() -> None:
    found = lint_csp("script-src 'none'; object-src 'none'")
    assert codes(found) == []


# -- lint_csp: the CSP3 source grammar ------------------------------------------

#: source: (kind, scheme, host, port, path), the normal form every check reads.
SOURCES: dict[str, tuple[str, str, str, str, str]] = {
    "'self'": ("keyword", "", "", "", ""),
    "'NONE'": ("keyword", "", "", "", ""),
    "'nonce-abcdefgh'": ("nonce", "", "", "", ""),
    "'nonce-{nonce}'": ("nonce", "", "", "", ""),
    "'sha256-abc='": ("hash", "", "", "", ""),
    "'selfs'": ("other", "", "", "", ""),
    "HTTPS:": ("scheme", "https", "", "", ""),
    "example.com:": ("scheme", "example.com", "", "", ""),
    "*": ("host", "", "*", "", ""),
    "*:*": ("host", "", "*", "*", ""),
    "https://*:443": ("host", "https", "*", "443", ""),
    "*/": ("host", "", "*", "", "/"),
    "//*": ("host", "", "*", "", ""),
    "*.Example.COM:*/Js/": ("host", "", "*.example.com", "*", "/Js/"),
    "HTTP://CDN.example:8080/a.js": ("host", "http", "cdn.example", "8080", "/a.js"),
    "//count.tbcdn.cn//counter3": ("host", "", "count.tbcdn.cn", "", "//counter3"),
    "localhost": ("host", "", "localhost", "", ""),
    "https://": ("other", "https", "", "", ""),
}


@pytest.mark.parametrize(("text", "parts"), SOURCES.items(), ids=list(SOURCES))
def test_sources_are_read_by_the_csp3_grammar(
    text: str, parts: tuple[str, str, str, str, str]
) -> None:
    source = _source(text)
    assert (
        source.kind,
        source.scheme,
        source.host,
        source.port,
        source.path,
    ) == parts


#: Host sources whose host is "*": in CSP3 they allow every host, as "*"
#: does, whatever the scheme, port or path.
ANY_HOST = ["*:*", "*:443", "https://*:443", "*/", "*/js/app.js", "HTTPS://*:*", "//*"]


@pytest.mark.parametrize(
    "directive",
    ["script-src", "script-src-elem", "object-src", "base-uri", "default-src"],
)
@pytest.mark.parametrize("source", ANY_HOST)
def test_a_wildcard_host_with_a_port_or_path_allows_every_host(
    directive: str, source: str
) -> None:
    found = lint_csp(f"{directive} {source}")
    wildcard = [f for f in found if f.code == "csp-wildcard"]
    assert [(f.directive, f.severity) for f in wildcard] == [(directive, "error")]
    assert source in wildcard[0].message
    # Not also the softer "object-src is not 'none'".
    assert "csp-object-src-not-none" not in codes(found)


@pytest.mark.parametrize(
    "source", ["*.example.com:*", "https://example.com/*", "*.example.com/*/"]
)
def test_a_wildcard_in_a_subdomain_port_or_path_is_no_wildcard_host(
    source: str,
) -> None:
    found = lint_csp(f"script-src {source}; object-src 'none'")
    assert "csp-wildcard" not in codes(found)
    assert "csp-script-host-allowlist" in codes(found)


#: (policy, code, directive): 'none' beside other sources is ignored by
#: browsers (CSP3 matches nothing only for a list of just 'none'), so the
#: other sources are rated.
NONE_BESIDE_SOURCES = [
    (
        "script-src 'none' https://accounts.google.com; object-src 'none'",
        "csp-script-host-bypass",
        "script-src",
    ),
    (
        "script-src 'NONE' https://static.example.com; object-src 'none'",
        "csp-script-host-allowlist",
        "script-src",
    ),
    ("script-src 'none' 'self'; object-src 'none'", "csp-script-self", "script-src"),
    ("script-src 'none' *; object-src 'none'", "csp-wildcard", "script-src"),
    ("default-src 'none' 'unsafe-inline'", "csp-unsafe-inline", "default-src"),
    (
        "default-src 'self'; object-src 'none' vk.com",
        "csp-object-host-bypass",
        "object-src",
    ),
    ("default-src 'none'; base-uri 'none' https:", "csp-scheme-source", "base-uri"),
]


@pytest.mark.parametrize(("policy", "code", "directive"), NONE_BESIDE_SOURCES)
def test_none_beside_other_sources_is_ignored(
    policy: str, code: str, directive: str
) -> None:
    assert (code, directive) in [(f.code, f.directive) for f in lint_csp(policy)]


def test_hosts_and_schemes_in_any_letter_case() -> None:
    found = lint_csp(
        "script-src HTTPS://AJAX.GOOGLEAPIS.COM DATA: HTTP://Static.Example; "
        "object-src 'none'"
    )
    assert {"csp-script-host-bypass", "csp-scheme-source", "csp-http-source"} <= set(
        codes(found)
    )


# -- lint_app -----------------------------------------------------------------

#: Codes lint_app finds in the headers it previews, not lint_csp.
CSP_APP_ONLY = (
    "csp-missing",
    "csp-not-enforced",
    "csp-static-nonce",
    "csp-nonce-in-cached-view",
    "csp-report-only-no-endpoint",
    "csp-report-only-unreported",
)

AppFactory = Callable[[], Flask]


def talisman_app(**options: Any) -> Callable[[], Flask]:
    def build() -> Flask:
        app = make_app()
        Talisman(app, **options)
        return app

    return build


def cached_app(**options: Any) -> Callable[[], Flask]:
    """The view 'cached' under Flask-Caching's @cache.cached."""

    def build() -> Flask:
        flask_caching = pytest.importorskip("flask_caching")
        app = make_app()
        cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
        Talisman(
            app,
            content_security_policy={
                "default-src": SELF,
                "object-src": NONE,
                "base-uri": NONE,
            },
            **options,
        )

        @app.route("/cached")
        @cache.cached(timeout=60)
        def cached() -> str:
            return "page"

        return app

    return build


def debug_app(**options: Any) -> Callable[[], Flask]:
    def build() -> Flask:
        app = make_app()
        app.debug = True
        Talisman(app, **options)
        return app

    return build


def view_app(**options: Any) -> Callable[[], Flask]:
    """The options on the view 'index' only."""

    def build() -> Flask:
        app = make_app()
        talisman = Talisman(app)
        talisman(**options)(app.view_functions["index"])
        return app

    return build


def proxied_app(x_proto: int, **options: Any) -> Callable[[], Flask]:
    def build() -> Flask:
        app = make_app()
        Talisman(app, **options)
        inner = ProxyFix(app.wsgi_app, x_proto=x_proto)  # type: ignore[method-assign]
        # Wrapped again by a middleware that keeps the app as `.app`.
        app.wsgi_app = Wrapper(inner)  # type: ignore[method-assign]
        return app

    return build


class Wrapper:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)  # pragma: no cover


def broken_view_app() -> Flask:
    """A view whose options cannot work together."""
    app = make_app()
    talisman = Talisman(app)
    talisman(content_security_policy_report_only=True)(app.view_functions["index"])
    return app


#: code: (an app that has it, the endpoint it is reported for, an app that
#: has not).
APP_RULES: dict[str, tuple[AppFactory, str | None, AppFactory]] = {
    "csp-nonce-in-cached-view": (
        cached_app(content_security_policy_nonce_in=["script-src"]),
        "cached",
        cached_app(),
    ),
    "configuration-error": (broken_view_app, "index", talisman_app()),
    # conftest's make_app has a POST route, /form.
    "csrf-unguarded": (
        talisman_app(),
        "form",
        talisman_app(cross_origin_protection="report-only"),
    ),
    # A view that turns the CSP off beside a strict app policy.
    "csp-missing": (view_app(content_security_policy=False), "index", talisman_app()),
    "csp-not-enforced": (
        talisman_app(
            content_security_policy_report_only=True,
            content_security_policy_report_uri="/r",
        ),
        "index",
        talisman_app(
            content_security_policy_report_only={"default-src": SELF},
            content_security_policy_report_uri="/r",
        ),
    ),
    "csp-static-nonce": (
        talisman_app(
            content_security_policy={
                "script-src": "'nonce-abcdefgh12345678'",
                "object-src": NONE,
                "base-uri": NONE,
            }
        ),
        "index",
        talisman_app(
            content_security_policy={
                "script-src": NONCE,
                "object-src": NONE,
                "base-uri": NONE,
            }
        ),
    ),
    "csp-report-only-no-endpoint": (
        # report-to only, which plain-HTTP responses leave out.
        talisman_app(
            force_https=False,
            content_security_policy_report_only=True,
            content_security_policy_report_to="csp",
            reporting_endpoints={"csp": "/r"},
        ),
        "index",
        talisman_app(
            force_https=False,
            content_security_policy_report_only=True,
            content_security_policy_report_uri="/r",
        ),
    ),
    "csp-report-only-unreported": (
        talisman_app(content_security_policy_report_only={"default-src": SELF}),
        "index",
        talisman_app(
            content_security_policy_report_only={"default-src": SELF},
            report_receiver="/talisman/reports",
        ),
    ),
    "frame-options-allow-from": (
        talisman_app(
            frame_options=ALLOW_FROM, frame_options_allow_from="https://a.example"
        ),
        "index",
        talisman_app(
            frame_options=ALLOW_FROM,
            frame_options_allow_from="https://a.example",
            content_security_policy={
                "default-src": SELF,
                "object-src": NONE,
                "frame-ancestors": "https://a.example",
            },
        ),
    ),
    "https-not-forced": (
        talisman_app(force_https=False),
        None,
        debug_app(force_https=False),
    ),
    "hsts-off": (
        talisman_app(strict_transport_security=False),
        None,
        talisman_app(),
    ),
    "hsts-short": (
        talisman_app(strict_transport_security_max_age=86400),
        None,
        talisman_app(strict_transport_security_max_age=31536000),
    ),
    "hsts-preload-ineligible": (
        talisman_app(
            strict_transport_security_preload=True,
            strict_transport_security_include_subdomains=False,
        ),
        None,
        talisman_app(strict_transport_security_preload=True),
    ),
    "session-cookie-insecure": (
        talisman_app(session_cookie_secure=False),
        None,
        talisman_app(),
    ),
    "session-cookie-samesite-none-insecure": (
        debug_app(session_cookie_samesite="None"),
        None,
        talisman_app(session_cookie_samesite="None"),
    ),
    "harden-cookies-samesite-none-http": (
        talisman_app(
            harden_cookies=True, harden_cookies_samesite="None", force_https=False
        ),
        None,
        talisman_app(harden_cookies=True, harden_cookies_samesite="None"),
    ),
    "coep-without-corp": (
        talisman_app(cross_origin_embedder_policy="require-corp"),
        None,
        talisman_app(
            cross_origin_embedder_policy="require-corp",
            cross_origin_resource_policy="same-site",
        ),
    ),
    "trust-x-forwarded-proto-with-proxyfix": (
        proxied_app(1),
        None,
        proxied_app(1, trust_x_forwarded_proto=False),
    ),
}

#: Warnings Talisman itself gives while such an app is configured.
WARNS = {"hsts-preload-ineligible", "frame-options-allow-from"}


def build(factory: AppFactory, code: str | None = None) -> Flask:
    """The app; ``code``: one that triggers it (Talisman may warn)."""
    if code in WARNS:
        with pytest.warns(ConfigurationWarning):
            return factory()
    return factory()


def test_every_app_code_has_a_row() -> None:
    app_codes = set(CODES) - set(CSP_RULES)
    assert set(APP_RULES) == app_codes


@pytest.mark.parametrize(("code", "apps"), APP_RULES.items(), ids=list(APP_RULES))
def test_app_rule(code: str, apps: tuple[AppFactory, str | None, AppFactory]) -> None:
    triggers, endpoint, clean = apps
    found = [f for f in lint_app(build(triggers, code)) if f.code == code]
    endpoints = [f.endpoint for f in found]
    if endpoint is None:
        assert endpoints == [None]  # app-wide, and not repeated per view
    else:
        assert endpoint in endpoints
        assert len(endpoints) == len(set(endpoints))
    assert all(f.severity == CODES[code] for f in found)
    assert code not in codes(lint_app(build(clean)))


# -- lint_app: per route and per view ------------------------------------------


@pytest.mark.parametrize("preset", list(PRESETS))
def test_no_preset_gets_an_error_or_a_warning(preset: str) -> None:
    """Except, for an unsafe-method route, where it leaves CSRF unguarded."""
    app = make_app()
    Talisman(app, preset=preset)
    guarded = preset in ("balanced", "strict")  # cross_origin_protection on
    assert [(f.endpoint, f.code) for f in lint_app(app) if f.severity != "info"] == (
        [] if guarded else [("form", "csrf-unguarded")]
    )


def test_the_strict_preset_gets_one_info_per_endpoint() -> None:
    app = make_app()
    Talisman(app, preset="strict")
    found = lint_app(app)
    assert {f.code for f in found} == {"csp-report-only-unreported"}
    assert len(found) == len({f.endpoint for f in found})


def test_a_finding_is_given_once_per_endpoint() -> None:
    app = make_app()

    @app.route("/again")
    def again() -> str:
        return "again"

    app.add_url_rule("/also-index", "index", app.view_functions["index"])
    Talisman(app, force_https=False, content_security_policy={"default-src": "*"})
    found = lint_app(app)
    wildcard = [f for f in found if f.code == "csp-wildcard"]
    endpoints = [f.endpoint for f in wildcard]
    assert sorted(endpoints) == sorted(set(endpoints))
    assert {"index", "again"} <= set(endpoints)
    # The static folder holds no page: judged as static files, not as pages.
    assert "static" not in endpoints


def test_per_view_options_are_reported_for_that_view_only() -> None:
    app = view_app(force_https=False, strict_transport_security_max_age=600)()
    found = lint_app(app)
    assert [(f.endpoint, f.code) for f in found if f.severity == "warning"] == [
        ("index", "https-not-forced"),
        ("index", "hsts-short"),
        ("form", "csrf-unguarded"),
    ]
    assert "600" in one(found, "hsts-short").message


def test_an_app_wide_finding_is_not_repeated_per_view() -> None:
    app = make_app()
    talisman = Talisman(app, force_https=False)
    talisman(frame_options="DENY")(app.view_functions["index"])
    found = lint_app(app)
    assert [f.endpoint for f in found if f.code == "https-not-forced"] == [None]


def test_a_blueprint_s_options_reach_its_views() -> None:
    app = make_app()
    talisman = Talisman(app)
    admin = Blueprint("admin", __name__)

    @admin.route("/admin")
    def panel() -> str:
        return "admin"

    talisman(strict_transport_security=False)(admin)
    app.register_blueprint(admin)
    found = lint_app(app)
    assert [f.endpoint for f in found if f.code == "hsts-off"] == ["admin.panel"]


def test_the_report_receiver_is_served_over_plain_http_by_design() -> None:
    app = talisman_app(report_receiver="/talisman/reports")()
    assert "https-not-forced" not in codes(lint_app(app))


def test_csp_findings_of_a_view_s_own_policy() -> None:
    app = view_app(content_security_policy={"script-src": "'self' 'unsafe-inline'"})()
    found = lint_app(app)
    inline = one(found, "csp-unsafe-inline")
    assert (inline.endpoint, inline.header, inline.directive) == (
        "index",
        "Content-Security-Policy",
        "script-src",
    )
    assert "csp-object-src-missing" in codes(found)


def test_a_report_only_policy_beside_an_enforced_one_may_lack_directives() -> None:
    # A second policy only adds restrictions: object-src, script-src and
    # base-uri are the enforced policy's.
    for policy in (
        {"require-trusted-types-for": "'script'"},
        {"default-src": SELF, "img-src": "https://images.example"},
    ):
        app = talisman_app(
            content_security_policy_report_only=policy,
            content_security_policy_report_uri="/r",
            cross_origin_protection=True,
        )()
        assert [f for f in lint_app(app) if f.severity != "info"] == []


def test_a_report_only_policy_alone_is_linted_in_full() -> None:
    app = talisman_app(
        content_security_policy={"script-src": "'unsafe-inline'"},
        content_security_policy_report_only=True,
        content_security_policy_report_uri="/r",
    )()
    found = lint_app(app)
    inline = one([f for f in found if f.endpoint == "index"], "csp-unsafe-inline")
    assert inline.header == "Content-Security-Policy-Report-Only"
    assert "csp-object-src-missing" in codes(found)


def test_report_only_without_an_endpoint_over_https_too() -> None:
    # An empty report-to directive names no endpoint (Talisman accepts it
    # as the report destination report-only needs).
    app = talisman_app(
        content_security_policy="default-src 'self'; object-src 'none'; report-to",
        content_security_policy_report_only=True,
    )()
    index = [f for f in lint_app(app) if f.endpoint == "index"]
    finding = one(index, "csp-report-only-no-endpoint")
    assert finding.header == "Content-Security-Policy-Report-Only"
    assert "plain HTTP" not in finding.message


def test_report_only_reporting_only_over_https_says_so() -> None:
    found = lint_app(APP_RULES["csp-report-only-no-endpoint"][0]())
    index = [f for f in found if f.endpoint == "index"]
    assert "over plain HTTP" in one(index, "csp-report-only-no-endpoint").message


def test_plain_http_responses_are_linted_when_served() -> None:
    # Over plain HTTP upgrade-insecure-requests is left out; the rest is
    # the same, and a finding of both is given once.
    app = talisman_app(
        force_https=False,
        content_security_policy={"default-src": "'self' http://a.example"},
    )()
    found = [f for f in lint_app(app) if f.endpoint == "index"]
    assert codes(found).count("csp-http-source") == 1


@pytest.mark.parametrize("off", [None, False])
def test_an_app_that_sends_no_csp_gets_one_app_wide_error(off: Any) -> None:
    app = talisman_app(content_security_policy=off)()
    found = [f for f in lint_app(app) if f.code == "csp-missing"]
    assert [(f.endpoint, f.header, f.severity) for f in found] == [
        (None, "Content-Security-Policy", "error")
    ]


@pytest.mark.parametrize(
    "factory",
    [
        talisman_app(content_security_policy=None),
        view_app(content_security_policy=False),
    ],
    ids=["app", "view"],
)
@pytest.mark.parametrize("strict", [False, True])
def test_check_fails_an_app_that_sends_no_csp(
    factory: AppFactory, strict: bool
) -> None:
    app = factory()
    args = ["check", "--strict"] if strict else ["check"]
    result = app.test_cli_runner().invoke(talisman_cli, args)
    assert result.exit_code == 1
    assert "[csp-missing]" in result.output


def test_a_report_only_policy_alone_is_no_missing_csp() -> None:
    app = APP_RULES["csp-not-enforced"][0]()
    assert "csp-missing" not in codes(lint_app(app))


def test_report_only_that_reports_nowhere_is_not_also_not_enforced() -> None:
    found = lint_app(APP_RULES["csp-report-only-no-endpoint"][0]())
    assert "csp-report-only-no-endpoint" in codes(found)
    assert "csp-not-enforced" not in codes(found)


def static_app(folder: Path, *files: str, blueprint: bool = False) -> Flask:
    """An app whose static endpoint (or a blueprint's) sends no CSP."""
    for name in files:
        (folder / name).write_text("x")
    app = make_app()
    talisman = Talisman(app)
    if blueprint:
        app.register_blueprint(
            Blueprint("docs", __name__, static_folder=str(folder), url_prefix="/d")
        )
        endpoint = "docs.static"
    else:
        app.static_folder = str(folder)
        endpoint = "static"
    talisman(content_security_policy=False)(app.view_functions[endpoint])
    return app


@pytest.mark.parametrize("blueprint", [False, True])
@pytest.mark.parametrize(
    ("files", "missing"),
    [
        (("app.js", "style.css", "logo.png"), False),
        (("app.js", "manual.html"), True),
        (("page.xhtml",), True),
    ],
)
def test_static_files_need_a_csp_only_where_they_are_html(
    tmp_path: Path, files: tuple[str, ...], missing: bool, blueprint: bool
) -> None:
    app = static_app(tmp_path, *files, blueprint=blueprint)
    endpoint = "docs.static" if blueprint else "static"
    found = [f.endpoint for f in lint_app(app) if f.code == "csp-missing"]
    assert found == ([endpoint] if missing else [])


def test_a_broken_app_wide_configuration() -> None:
    app = make_app()
    talisman = Talisman(app)
    talisman.content_security_policy_report_only = True
    found = lint_app(app)
    errors = [f for f in found if f.code == "configuration-error"]
    assert errors[0].endpoint is None
    assert "content_security_policy_report_only" in errors[0].message
    # The same message is not repeated for every view.
    assert [f.endpoint for f in errors] == [None]


def test_options_edited_in_place_into_an_invalid_value() -> None:
    policy = {"default-src": SELF, "object-src": NONE}
    app = make_app()
    Talisman(app, content_security_policy=policy)
    policy["img-src"] = "a;b"
    found = lint_app(app)
    errors = [f for f in found if f.code == "configuration-error"]
    assert [f.endpoint for f in errors] == [None]
    assert "'a;b'" in errors[0].message


def test_proxy_fix_without_x_proto_is_not_reported() -> None:
    app = proxied_app(0)()
    assert "trust-x-forwarded-proto-with-proxyfix" not in codes(lint_app(app))


def test_a_cycle_of_wrappers_ends() -> None:
    app = make_app()
    Talisman(app)
    wrapper = Wrapper(None)
    wrapper.app = wrapper
    app.wsgi_app = wrapper  # type: ignore[method-assign]
    assert "trust-x-forwarded-proto-with-proxyfix" not in codes(lint_app(app))


def test_a_session_cookie_in_debug_mode() -> None:
    app = debug_app()()
    found = codes(lint_app(app))
    assert "session-cookie-insecure" not in found
    assert "https-not-forced" not in found


def test_lint_app_without_talisman() -> None:
    with pytest.raises(RuntimeError, match="not registered"):
        lint_app(Flask("bare"))


def test_talisman_is_used_through_its_constants() -> None:
    # The messages name the constants users write.
    app = talisman_app(
        content_security_policy={"script-src": [SELF, STRICT_DYNAMIC]},
    )()
    found = [f for f in lint_app(app) if f.endpoint == "index"]
    assert "flask_talisman.NONCE" in one(found, "csp-strict-dynamic-alone").message


# -- The CSP Evaluator ----------------------------------------------------------

#: Typical policies, modelled on policies well-known sites have published and
#: on common configurations (CDNs, analytics, frameworks), and Talisman's own.
REAL_WORLD_POLICIES = [
    # Talisman's default, GOOGLE_CSP_POLICY, and the presets.
    "default-src 'self'; object-src 'none'",
    "font-src 'self' themes.googleusercontent.com *.gstatic.com; frame-src 'self' "
    "www.google.com www.youtube.com; script-src 'self' ajax.googleapis.com "
    "*.googleanalytics.com *.google-analytics.com; style-src 'self' "
    "ajax.googleapis.com fonts.googleapis.com *.gstatic.com; object-src 'none'; "
    "default-src 'self' *.gstatic.com",
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action "
    "'self'; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; "
    "script-src 'self'; script-src-attr 'none'; style-src 'self' https: "
    "'unsafe-inline'; upgrade-insecure-requests",
    "script-src 'nonce-rAnd0mN0nce123' 'strict-dynamic' https: 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "default-src 'none'; frame-ancestors 'none'",
    # A code-hosting site: no default, CDN allowlists.
    "default-src 'none'; base-uri 'self'; child-src github.com/assets-cdn/worker/ "
    "gist.github.com/assets-cdn/worker/; connect-src 'self' uploads.github.com "
    "api.github.com collector.github.com; font-src github.githubassets.com; "
    "form-action 'self' github.com gist.github.com; frame-ancestors 'none'; img-src "
    "'self' data: github.githubassets.com avatars.githubusercontent.com; "
    "manifest-src 'self'; media-src github.com user-images.githubusercontent.com/; "
    "script-src github.githubassets.com; style-src 'unsafe-inline' "
    "github.githubassets.com; upgrade-insecure-requests; worker-src "
    "github.com/assets-cdn/worker/",
    # A social network: wildcards everywhere, eval, inline.
    "default-src * data: blob: 'self'; script-src *.facebook.com *.fbcdn.net "
    "*.facebook.net *.google-analytics.com *.google.com 127.0.0.1:* 'unsafe-inline' "
    "'unsafe-eval' blob: data: 'self'; style-src data: blob: 'unsafe-inline' *; "
    "connect-src *.facebook.com wss://*.facebook.com:* data: blob: 'self'",
    # A microblogging site of the allowlist era.
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' "
    "https://*.twimg.com https://ssl.google-analytics.com https://www.google.com; "
    "style-src 'self' 'unsafe-inline' https://*.twimg.com; img-src 'self' https: "
    "data:; object-src 'self' https://*.twimg.com; report-uri "
    "https://twitter.com/i/csp_report",
    # WordPress with Google Tag Manager and Analytics.
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' "
    "https://www.googletagmanager.com https://www.google-analytics.com; style-src "
    "'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' "
    "https://fonts.gstatic.com; img-src 'self' data: https:",
    # The same without eval: GTM's JSONP needs eval.
    "default-src 'self'; script-src 'self' https://www.googletagmanager.com "
    "https://www.google-analytics.com; object-src 'none'",
    # A locked-down static site.
    "default-src 'none'; connect-src 'self'; font-src 'self'; img-src 'self'; "
    "script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    # Libraries from public CDNs.
    "script-src 'self' https://cdn.jsdelivr.net; object-src 'none'",
    "script-src 'self' https://cdnjs.cloudflare.com/ajax/libs/; object-src 'none'; "
    "base-uri 'self'",
    "default-src 'self'; script-src 'self' https://ajax.googleapis.com; object-src "
    "'self'",
    "default-src 'self'; script-src 'self' https://code.jquery.com "
    "https://stackpath.bootstrapcdn.com https://unpkg.com; object-src 'none'",
    # Payments and maps.
    "default-src 'self'; script-src 'self' https://js.stripe.com "
    "https://maps.googleapis.com; frame-src https://js.stripe.com "
    "https://hooks.stripe.com; connect-src 'self' https://api.stripe.com "
    "https://maps.googleapis.com; object-src 'none'",
    # Google services by wildcard.
    "script-src 'self' *.google.com *.gstatic.com *.googleapis.com; object-src 'none'",
    # Hashes, with and without 'strict-dynamic'; nonces without base-uri.
    "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' "
    "'strict-dynamic'; object-src 'none'",
    "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' 'self'; "
    "object-src 'none'",
    "script-src 'nonce-2726c7f26c' 'unsafe-inline'; object-src 'none'",
    "script-src 'nonce-abc' 'self'; object-src 'none'; base-uri 'none'",
    # Plain HTTP sources and reports.
    "default-src 'self' http://cdn.example.com; script-src 'self' "
    "http://static.example.com; report-uri http://report.example.com/csp",
    # Flash-era object-src.
    "default-src 'self'; object-src https://ajax.googleapis.com/ajax/libs/yui/ vk.com",
    # Wildcards and schemes in the sensitive directives.
    "default-src *; script-src * 'unsafe-inline' 'unsafe-eval'",
    "script-src 'self' data: blob:; object-src data:; base-uri https:",
    "default-src 'self' https:; object-src 'none'",
    "default-src https: 'unsafe-inline' 'unsafe-eval'",
    # Headers that only do one thing.
    "upgrade-insecure-requests",
    "frame-ancestors 'self'",
    # script-src-elem and -attr beside script-src.
    "script-src 'nonce-abcdefgh12'; script-src-attr 'unsafe-inline' 'unsafe-hashes'; "
    "script-src-elem 'nonce-abcdefgh12' https://www.google.com; object-src 'none'; "
    "base-uri 'none'",
    # An intranet app: localhost and deprecated directives.
    "default-src 'self' localhost:8080; script-src 'self' 'unsafe-eval'; "
    "block-all-mixed-content; plugin-types application/pdf; referrer no-referrer; "
    "reflected-xss block; object-src 'none'",
    # 'strict-dynamic' in default-src: scripts ignore https:, plugins do not.
    "default-src 'nonce-abcdefgh12' 'strict-dynamic' https:; base-uri 'none'",
    # Yandex and Chinese CDNs with known JSONP.
    "script-src 'self' yandex.ru *.yandex.ru *.alicdn.com *.taobao.com; "
    "object-src 'none'",
]

#: The Evaluator's finding types, and the codes that say the same.
EVALUATOR_CODES: dict[str, set[str]] = {
    "SCRIPT_UNSAFE_INLINE": {"csp-unsafe-inline"},
    "SCRIPT_UNSAFE_EVAL": {"csp-unsafe-eval"},
    "SCRIPT_UNSAFE_HASHES": {"csp-unsafe-hashes"},
    "PLAIN_URL_SCHEMES": {"csp-scheme-source"},
    "PLAIN_WILDCARD": {"csp-wildcard"},
    "NONCE_LENGTH": {"csp-short-nonce"},
    "SRC_HTTP": {"csp-http-source"},
}
#: Severities the comparison covers.
RATED = {"HIGH", "MEDIUM", "HIGH_MAYBE", "MEDIUM_MAYBE"}


def expected_codes(finding: dict[str, Any]) -> set[str]:
    """Our codes, any of which says what one Evaluator finding says."""
    kind, severity, value = finding["type"], finding["severity"], finding["value"]
    if kind == "MISSING_DIRECTIVES":
        return {f"csp-{finding['directive']}-missing"}
    if kind == "SCRIPT_ALLOWLIST_BYPASS":
        if severity == "HIGH":
            return {"csp-script-host-bypass"}
        if value == "'self'":
            return {"csp-script-self"}
        # We find a bypass where any listed URL has one.
        return {"csp-script-host-allowlist", "csp-script-host-bypass"}
    if kind == "OBJECT_ALLOWLIST_BYPASS":
        if severity == "HIGH":
            return {"csp-object-host-bypass"}
        return {
            "csp-object-src-not-none",
            "csp-object-host-bypass",
            "csp-wildcard",
            "csp-scheme-source",
        }
    return EVALUATOR_CODES[kind]


NODE_SCRIPT = """\
const {CspEvaluator} = require("csp_evaluator/dist/evaluator.js");
const {CspParser} = require("csp_evaluator/dist/parser.js");
const {Severity, Type} = require("csp_evaluator/dist/finding.js");
const bypasses = {
  jsonp: require("csp_evaluator/dist/allowlist_bypasses/jsonp.js"),
  angular: require("csp_evaluator/dist/allowlist_bypasses/angular.js"),
  flash: require("csp_evaluator/dist/allowlist_bypasses/flash.js"),
};
const policies = JSON.parse(require("fs").readFileSync(0, "utf8"));
const findings = policies.map((policy) =>
  new CspEvaluator(new CspParser(policy).csp).evaluate().map((f) => ({
    type: Type[f.type],
    severity: Severity[f.severity],
    directive: f.directive,
    value: f.value === undefined ? null : f.value,
  }))
);
const lists = {
  jsonp: bypasses.jsonp.URLS,
  needsEval: bypasses.jsonp.NEEDS_EVAL,
  angular: bypasses.angular.URLS,
  flash: bypasses.flash.URLS,
};
process.stdout.write(JSON.stringify({findings, lists}));
"""


def _unavailable(why: str) -> NoReturn:
    unavailable("TALISMAN_EVALUATOR_TESTS", "CSP Evaluator comparison", why)


_INSTALLED: list[tuple[str, Path]] = []


def install_evaluator(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """node, and a folder where the Evaluator is installed (once a session).

    Skips (or fails, with ``TALISMAN_EVALUATOR_TESTS=required``) when npm,
    node or the registry is unavailable.
    """
    asked_for(
        "TALISMAN_EVALUATOR_TESTS", "the CSP Evaluator comparison", "npm's registry"
    )
    if _INSTALLED:
        return _INSTALLED[0]
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        _unavailable("npm or node is not on PATH")
    directory = tmp_path_factory.mktemp("csp_evaluator")
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(directory),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"csp_evaluator@{EVALUATOR_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as error:
        _unavailable(f"npm install csp_evaluator failed ({error})")
    _INSTALLED.append((node, directory))
    return node, directory


@pytest.fixture(scope="session")
def evaluator(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Evaluator's findings on REAL_WORLD_POLICIES, and its bypass lists."""
    node, directory = install_evaluator(tmp_path_factory)
    script = directory / "evaluate.js"
    script.write_text(NODE_SCRIPT)
    output = subprocess.run(
        [node, str(script)],
        input=json.dumps(REAL_WORLD_POLICIES),
        capture_output=True,
        text=True,
        check=True,
        cwd=directory,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(output.stdout)
    return result


def rated(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["severity"] in RATED]


def test_there_are_enough_real_world_policies() -> None:
    assert len(REAL_WORLD_POLICIES) >= 20


def test_every_rated_evaluator_finding_is_ours(evaluator: dict[str, Any]) -> None:
    missed = []
    total = 0
    for policy, theirs in zip(REAL_WORLD_POLICIES, evaluator["findings"], strict=True):
        ours = lint_csp(policy)
        for finding in rated(theirs):
            total += 1
            wanted = expected_codes(finding)
            value = finding["value"]
            if not any(
                f.code in wanted
                and f.directive == finding["directive"]
                and (value is None or value in f.message)
                for f in ours
            ):
                missed.append((policy, finding))
    assert missed == []
    assert total >= 90  # the policies exercise the Evaluator


def test_what_we_find_beyond_the_evaluator(evaluator: dict[str, Any]) -> None:
    # Errors and warnings of ours that say what no Evaluator finding says:
    # an object-src that is not 'none' by way of default-src (the Evaluator
    # only asks for 'none' in an explicit object-src), and https: in a
    # default-src with 'strict-dynamic', which scripts ignore but plugins
    # do not (the Evaluator applies 'strict-dynamic' to every directive).
    beyond = set()
    for policy, theirs in zip(REAL_WORLD_POLICIES, evaluator["findings"], strict=True):
        for ours in lint_csp(policy):
            if ours.severity == "info":
                continue
            if not any(
                ours.code in expected_codes(finding)
                and ours.directive == finding["directive"]
                for finding in rated(theirs)
            ):
                beyond.add((ours.code, ours.directive))
    assert beyond == {
        ("csp-object-src-not-none", "default-src"),
        ("csp-scheme-source", "default-src"),
    }


def test_every_rated_evaluator_type_is_mapped(evaluator: dict[str, Any]) -> None:
    kinds = {f["type"] for fs in evaluator["findings"] for f in rated(fs)}
    assert kinds <= {
        *EVALUATOR_CODES,
        "MISSING_DIRECTIVES",
        "SCRIPT_ALLOWLIST_BYPASS",
        "OBJECT_ALLOWLIST_BYPASS",
    }
    # Every mapped type occurs among the policies.
    assert set(EVALUATOR_CODES) <= kinds


def test_the_shipped_bypass_lists_are_the_evaluator_s(
    evaluator: dict[str, Any],
) -> None:
    lists = evaluator["lists"]
    assert list(csp_bypasses.JSONP_URLS) == lists["jsonp"]
    assert set(lists["needsEval"]) == csp_bypasses.JSONP_NEEDS_EVAL
    assert list(csp_bypasses.ANGULAR_URLS) == lists["angular"]
    assert list(csp_bypasses.FLASH_URLS) == lists["flash"]


def test_a_view_of_its_own_named_static_is_linted_as_a_page() -> None:
    app = Flask("own_static", static_folder=None)
    app.add_url_rule("/s", "static", lambda: "x")
    talisman = Talisman(app)
    talisman(content_security_policy=False)(app.view_functions["static"])
    assert [f.endpoint for f in lint_app(app) if f.code == "csp-missing"] == ["static"]
