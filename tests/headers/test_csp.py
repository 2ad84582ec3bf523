"""Content-Security-Policy and Content-Security-Policy-Report-Only."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from flask import (
    Flask,
    g,
    render_template_string,
    request,
)
from werkzeug.test import TestResponse

import flask_talisman
from flask_talisman import (
    GOOGLE_CSP_POLICY,
    NONCE,
    NONCE_LENGTH,
    SELF,
    STRICT_DYNAMIC,
    UNSAFE_INLINE,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
    csp_nonce,
)

from ..conftest import (
    HTTP,
    HTTPS,
    NONCE_RE,
    add_view,
    check,
    contract_test,
    get,
    headers,
    make_app,
    refused_test,
    shows,
)

# -- contract: options in, exact headers out; values refused ----------------


ENFORCED = "default-src 'self'; object-src 'none'"


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
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


REFUSED: list[tuple[str, str, Any, str]] = [
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
    (
        "content_security_policy",
        "content_security_policy",
        {"script-src": "self"},
        "'self'",
    ),
    (
        "content_security_policy_report_uri",
        "content_security_policy_report_uri",
        "/csp report",
        "'/csp report'",
    ),
    (
        "content_security_policy_nonce_in",
        "content_security_policy_nonce_in",
        ["bad name"],
        "'bad name'",
    ),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


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
    # The body holds the nonce: kept out of shared caches.
    check(
        response,
        {
            "Content-Security-Policy": expected.format(n=nonce),
            "Cache-Control": "private",
        },
    )


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


def test_csp_hash_matches_openssl() -> None:
    from flask_talisman import ConfigurationError, csp_hash

    # `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`
    assert (
        csp_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    )
    assert csp_hash(b"alert(1)", "sha384").startswith("'sha384-")
    with pytest.raises(ConfigurationError, match="sha1"):
        csp_hash("x", "sha1")
    app = make_app()
    Talisman(app, content_security_policy={"script-src": csp_hash("alert(1)")})
    check(
        app.test_client().get("/", **HTTPS),
        {
            "Content-Security-Policy": "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        },
    )


def test_templates_have_csp_nonce_and_no_other_global() -> None:
    """Each Jinja global costs every render a lookup (about 5,000 instructions)."""
    app = make_app()
    before = set(app.jinja_env.globals)
    Talisman(app)
    assert set(app.jinja_env.globals) - before == {"csp_nonce"}


def test_csp_hash_with_a_dangling_base64_character_is_refused() -> None:
    # 45 characters: one more than a whole number of base64 quanta allows.
    source = "'sha256-" + "A" * 45 + "'"
    with pytest.raises(
        ConfigurationError,
        match=shows("content_security_policy['script-src']", repr(source))
        + ".*decodes to 0 bytes but a sha256 digest has 32",
    ):
        Talisman(make_app(), content_security_policy={"script-src": source})


def test_csp_of_only_upgrade_insecure_requests_is_not_sent_over_plain_http() -> None:
    app = make_app()
    Talisman(
        app, force_https=False, content_security_policy="upgrade-insecure-requests"
    )
    client = app.test_client()
    check(
        client.get("/", **HTTPS),
        {"Content-Security-Policy": "upgrade-insecure-requests"},
    )
    check(
        client.get("/", **HTTP),
        {"Content-Security-Policy": None, "Strict-Transport-Security": None},
    )


def test_a_trailing_semicolon_in_a_string_policy_adds_no_directive(app: Flask) -> None:
    """1.1.0 turned a trailing ';' into a stray empty directive."""
    Talisman(app, content_security_policy="default-src 'self';")
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp == "default-src 'self'"


def test_report_uri_is_added_even_when_a_source_contains_its_name(app: Flask) -> None:
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


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        pytest.param(
            {"script-src": "'self'; img-src *"}, "\"'self';\"", id="semicolon-in-source"
        ),
        pytest.param(
            {"script-src": "'self', https://evil.example"},
            "\"'self',\"",
            id="comma-in-source",
        ),
        pytest.param(
            {"script-src": ["'self'", "https://a;b.example"]},
            "'https://a;b.example'",
            id="semicolon-in-list-item",
        ),
        pytest.param(
            {"script-src;": "'self'"}, "'script-src;'", id="semicolon-in-name"
        ),
        pytest.param(
            {"img-src,script-src": "*"}, "'img-src,script-src'", id="comma-in-name"
        ),
        pytest.param(
            "default-src 'self', script-src *",
            "\"'self',\"",
            id="comma-in-string-policy",
        ),
        pytest.param(
            {"default-src 'self'": ""},
            "\"default-src 'self'\"",
            id="whitespace-in-name",
        ),
        pytest.param(
            {"default-src/x": "'self'"}, "'default-src/x'", id="slash-in-name"
        ),
    ],
)
def test_csp_injection_and_bad_directive_names_are_refused(
    policy: Any, fragment: str
) -> None:
    with pytest.raises(
        ConfigurationError, match=shows("content_security_policy", fragment)
    ):
        Talisman(make_app(), content_security_policy=policy)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


SHA256_OF_X = b64(hashlib.sha256(b"x").digest())


@pytest.mark.parametrize(
    "keyword",
    [
        "self",
        "none",
        "unsafe-inline",
        "unsafe-eval",
        "strict-dynamic",
        "unsafe-hashes",
        "nonce-abc",
        f"sha256-{SHA256_OF_X}",
        "SELF",
    ],
)
@pytest.mark.parametrize("directive", ["script-src", "default-src"])
def test_unquoted_keyword_in_source_list_is_refused_with_quoted_form(
    directive: str, keyword: str
) -> None:
    option = f"content_security_policy[{directive!r}]"
    with pytest.raises(ConfigurationError, match=shows(option, repr(keyword))) as info:
        Talisman(
            make_app(),
            content_security_policy={directive: f"https://a.example {keyword}"},
        )
    assert f"\"'{keyword}'\"" in str(info.value)  # the quoted form to use instead


@pytest.mark.parametrize("token", ["'self", "self'", "'", "'self''", "'a'b'"])
def test_unbalanced_quotes_are_refused(token: str) -> None:
    with pytest.raises(
        ConfigurationError, match=shows("content_security_policy", repr(token))
    ):
        Talisman(make_app(), content_security_policy={"script-src": token})


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            f"'sha1-{b64(hashlib.sha1(b'x').digest())}'", "sha1", id="sha1-algorithm"
        ),
        pytest.param("'sha224-abcd'", "sha224", id="sha224-algorithm"),
        pytest.param("'sha256-not*base64'", "base64", id="sha256-not-base64"),
        pytest.param("'sha256-'", "base64", id="sha256-empty"),
        pytest.param("'nonce-a!b'", "base64", id="nonce-not-base64"),
        pytest.param(
            f"'sha256-{b64(hashlib.sha384(b'x').digest())}'",
            "48",
            id="sha256-of-384-bit-length",
        ),
        pytest.param(f"'sha384-{SHA256_OF_X}'", "32", id="sha384-of-256-bit-length"),
        pytest.param(f"'sha512-{SHA256_OF_X}'", "32", id="sha512-of-256-bit-length"),
        pytest.param(f"'sha256-{SHA256_OF_X[:-4]}'", "sha256", id="sha256-truncated"),
    ],
)
def test_malformed_hash_and_nonce_sources_are_refused(source: str, reason: str) -> None:
    option = "content_security_policy['script-src']"
    with pytest.raises(ConfigurationError, match=shows(option, repr(source))) as info:
        Talisman(make_app(), content_security_policy={"script-src": source})
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("directives", "header"),
    [
        pytest.param(
            {"script-src": f"'sha256-{SHA256_OF_X}'"},
            f"script-src 'sha256-{SHA256_OF_X}'",
            id="sha256",
        ),
        pytest.param(
            {"script-src": f"'sha384-{b64(hashlib.sha384(b'x').digest())}'"},
            f"script-src 'sha384-{b64(hashlib.sha384(b'x').digest())}'",
            id="sha384",
        ),
        pytest.param(
            {"script-src": f"'sha512-{b64(hashlib.sha512(b'x').digest())}'"},
            f"script-src 'sha512-{b64(hashlib.sha512(b'x').digest())}'",
            id="sha512",
        ),
        pytest.param(
            {"script-src": "'nonce-r4nd0m_-+/='"},
            "script-src 'nonce-r4nd0m_-+/='",
            id="quoted-nonce",
        ),
        pytest.param(
            {"script-src": "'self' https://cdn.example.com"},
            "script-src 'self' https://cdn.example.com",
            id="host-source",
        ),
        pytest.param(
            {"script-src": "self.example.com none.example.com"},
            "script-src self.example.com none.example.com",
            id="hosts-named-like-keywords",
        ),
        pytest.param(
            {"script-src": "https://nonce-1.example.com"},
            "script-src https://nonce-1.example.com",
            id="host-with-scheme-starting-with-nonce",
        ),
        pytest.param(
            # A dotted name is a host, never a nonce or hash (base64 has no '.').
            {"script-src": "nonce-cdn.example.com sha256-mirror.example.com"},
            "script-src nonce-cdn.example.com sha256-mirror.example.com",
            id="hosts-starting-with-nonce-or-sha",
        ),
        pytest.param(
            {"sandbox": "allow-scripts allow-forms"},
            "sandbox allow-scripts allow-forms",
            id="unquoted-tokens-outside-source-lists",
        ),
        pytest.param(
            {"require-trusted-types-for": "'script'"},
            "require-trusted-types-for 'script'",
            id="quoted-script-keyword",
        ),
        pytest.param(
            {"default-src": "'self'", "upgrade-insecure-requests": ""},
            "default-src 'self'; upgrade-insecure-requests",
            id="valueless-directive",
        ),
    ],
)
def test_valid_csp_is_accepted_and_sent_as_given(
    directives: dict[str, str], header: str
) -> None:
    app = make_app()
    Talisman(app, content_security_policy=directives)
    assert get(app).headers["Content-Security-Policy"] == header


@pytest.mark.parametrize(
    ("directives", "match", "header"),
    [
        pytest.param(
            {"scirpt-src": "'self'"},
            re.escape("'scirpt-src'") + ".*" + re.escape("Did you mean 'script-src'?"),
            "scirpt-src 'self'",
            id="misspelt-directive",
        ),
        pytest.param(
            {"script-src": "'foo'"},
            re.escape(
                "content_security_policy['script-src']: \"'foo'\" is not a CSP keyword"
            ),
            "script-src 'foo'",
            id="unknown-quoted-keyword",
        ),
        pytest.param(
            {"script-src": "'slef'"},
            re.escape("Did you mean \"'self'\"?"),
            "script-src 'slef'",
            id="misspelt-quoted-keyword",
        ),
    ],
)
def test_well_formed_unknown_csp_names_warn_and_are_still_sent(
    directives: dict[str, str], match: str, header: str
) -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match=match):
        Talisman(app, content_security_policy=directives)
    assert get(app).headers["Content-Security-Policy"] == header


def test_a_repeated_directive_keeps_the_last_value_in_the_first_place() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(
            app,
            content_security_policy=(
                "default-src 'self'; frame-ancestors 'none'; img-src *; "
                "frame-ancestors *"
            ),
        )
    assert headers(app)["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors *; img-src *"
    )
    (warning,) = record
    assert str(warning.message) == (
        "content_security_policy: directive 'frame-ancestors' is given more than "
        "once; the last value ('frame-ancestors *') replaces "
        "\"frame-ancestors 'none'\". Give it once to silence this warning."
    )


def test_a_directive_repeated_in_another_case_is_checked_every_time() -> None:
    with pytest.raises(ConfigurationError, match="should be quoted"):
        Talisman(
            make_app(),
            content_security_policy={"script-src": "self", "SCRIPT-SRC": "'self'"},
        )
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="more than once"):
        Talisman(
            app, content_security_policy={"script-src": "'self'", "SCRIPT-SRC": "*"}
        )
    assert headers(app)["Content-Security-Policy"] == "SCRIPT-SRC *"


def test_a_set_of_sources_or_nonce_directives_is_sent_in_a_stable_order() -> None:
    # flask-talisman 1.1.0 joins any iterable of sources and only asks `in`
    # of content_security_policy_nonce_in, so sets work there; their order
    # is made stable (sorted) so every worker sends the same header.
    app = make_app()
    Talisman(
        app,
        content_security_policy={
            "default-src": frozenset({"'self'"}),
            "script-src": {"https://b.example", "'self'", "https://a.example"},
        },
        content_security_policy_nonce_in={"style-src", "script-src"},
    )
    policy = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert NONCE_RE.sub("'nonce-N'", policy) == (
        "default-src 'self'; "
        "script-src 'self' https://a.example https://b.example 'nonce-N'; "
        "style-src 'self' 'nonce-N'"
    )


# -- the nonce ---------------------------------------------------------------


def test_nonce_in_as_a_comma_separated_string() -> None:
    app = make_app()
    talisman = Talisman(app, content_security_policy_nonce_in="script-src, style-src")
    assert talisman.content_security_policy_nonce_in == "script-src, style-src"
    csp = get(app).headers["Content-Security-Policy"]
    nonce = NONCE_RE.search(csp)
    assert nonce is not None
    assert csp == (
        "default-src 'self'; object-src 'none'; "
        f"script-src 'self' 'nonce-{nonce.group(1)}'; "
        f"style-src 'self' 'nonce-{nonce.group(1)}'"
    )


def nonces_in(response: TestResponse) -> list[str]:
    return NONCE_RE.findall(response.headers["Content-Security-Policy"])


def test_nonce_in_names_a_directive_once() -> None:
    app = make_app()
    Talisman(app, content_security_policy_nonce_in=["script-src", "script-src"])
    assert len(nonces_in(get(app))) == 1


def test_nonce_in_a_directive_that_ignores_nonces_warns_and_is_still_sent() -> None:
    app = make_app()
    with pytest.warns(
        ConfigurationWarning,
        match=shows(
            "content_security_policy_nonce_in", "'img-src' does not take nonces"
        ),
    ):
        Talisman(app, content_security_policy_nonce_in=["img-src"])
    csp = get(app).headers["Content-Security-Policy"]
    assert re.fullmatch(
        r"default-src 'self'; object-src 'none'; img-src 'self' 'nonce-[\w-]{32}'", csp
    )


def test_csp_nonce_outside_any_context_is_empty() -> None:
    # Not the `app` fixture: pytest-flask would push a request context.
    app = make_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    assert csp_nonce() == ""
    with app.app_context():
        assert render_template_string("[{{ csp_nonce() }}]") == "[]"


def test_nonce_in_a_directive_the_policy_lacks_adds_it_from_default_src(
    app: Flask,
) -> None:
    """1.1.0 silently sent no nonce when the directive was absent."""
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith(
        "default-src 'self'; object-src 'none'; script-src 'self' 'nonce-"
    )


def test_nonce_replaces_none_in_its_directive() -> None:
    app = make_app()
    Talisman(
        app,
        content_security_policy={"default-src": "'self'", "script-src": "'none'"},
        content_security_policy_nonce_in=["script-src"],
    )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; script-src 'nonce-")


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

    add_view(
        app,
        "/with-nonce",
        t(content_security_policy_nonce_in=["script-src"]),
        renders_nonce=True,
    )

    client = app.test_client()
    response = client.get("/with-nonce", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert len(nonce) == NONCE_LENGTH
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert "nonce" not in client.get("/", **HTTPS).headers["Content-Security-Policy"]


def test_csp_nonce_outside_a_request_is_empty() -> None:
    app = make_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    with app.app_context():
        assert render_template_string("[{{ csp_nonce() }}]") == "[]"


def test_nonce_of_another_request_is_not_reused(app: Flask) -> None:
    """With a shared app context (as in pytest-flask), g is shared too."""
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    with app.test_request_context("/", base_url="https://localhost"):
        g._talisman_request = None
        # A request context of its own: csp_nonce() makes its nonce.
        outer = flask_talisman.csp_nonce()
        assert len(outer) == 32
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
        assert outer not in (first.group(1), second.group(1))


def test_redirect_response_gets_a_nonce_too(app: Flask) -> None:
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])


# -- the report-only policy ---------------------------------------------------


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
    check(
        response,
        {
            "Content-Security-Policy": enforced.format(n=nonce),
            "Content-Security-Policy-Report-Only": "default-src 'none'; "
            f"script-src 'strict-dynamic' 'nonce-{nonce}'; style-src 'nonce-{nonce}'",
            "Cache-Control": "private",
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
    check(
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

    add_view(
        app,
        "/trial",
        talisman(content_security_policy_report_only={"script-src": SELF}),
    )

    check(
        get(app, "/trial"),
        {"Content-Security-Policy-Report-Only": "script-src 'self'"},
    )
    check(get(app, "/"), {})


def test_report_only_without_any_policy_or_report_uri_is_refused() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"content_security_policy_report_only.*content_security_policy_report_uri",
    ):
        Talisman(
            make_app(),
            content_security_policy=None,
            content_security_policy_report_only=True,
        )


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


def test_report_only_without_report_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="content_security_policy_report_uri"):
        Talisman(make_app(), content_security_policy_report_only=True)


def test_report_only_with_report_uri_is_sent_as_report_only() -> None:
    app = make_app()
    Talisman(
        app,
        content_security_policy_report_only=True,
        content_security_policy_report_uri="/csp-report",
    )
    headers = get(app).headers
    assert "Content-Security-Policy" not in headers
    assert "report-uri /csp-report" in headers["Content-Security-Policy-Report-Only"]


def test_same_nonce_in_enforced_and_report_only_policies(app: Flask) -> None:
    Talisman(
        app,
        content_security_policy={"default-src": SELF},
        content_security_policy_nonce_in=["script-src"],
        content_security_policy_report_only={"default-src": "'none'"},
        content_security_policy_report_only_nonce_in=["style-src"],
    )

    add_view(app, "/both", renders_nonce=True)

    response = app.test_client().get("/both", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    )
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        f"default-src 'none'; style-src 'nonce-{nonce}'"
    )
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])


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


# -- nonces and the directives that take them ---------------------------------


@pytest.mark.parametrize("attribute", ["style-src-attr", "script-src-attr"])
def test_no_nonce_is_ever_added_to_an_attribute_directive(attribute: str) -> None:
    """Browsers ignore nonces on attributes, and a nonce turns off 'unsafe-inline'."""
    policy = {
        "default-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "script-src": "'self' 'unsafe-inline'",
    }
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="none is added to it"):
        Talisman(
            app,
            content_security_policy=policy,
            content_security_policy_nonce_in=[attribute],
        )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp == (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'"
    )


def test_an_attribute_directive_the_policy_has_keeps_its_sources() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="does not take nonces"):
        Talisman(
            app,
            content_security_policy="default-src 'self'; style-src-attr 'unsafe-inline'",
            content_security_policy_nonce_in=["style-src-attr", "style-src"],
        )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    nonce = NONCE_RE.search(csp).group(1)  # type: ignore[union-attr]
    assert csp == (
        "default-src 'self'; style-src-attr 'unsafe-inline'; "
        f"style-src 'self' 'nonce-{nonce}'"
    )


@pytest.mark.parametrize(
    ("policy", "nonce_in", "added"),
    [
        (
            {"default-src": "'self'", "script-src": "'self' https://cdn.example"},
            "script-src-elem",
            "script-src-elem 'self' https://cdn.example",
        ),
        (
            {"default-src": "'self' https://a.example"},
            "script-src-elem",
            "script-src-elem 'self' https://a.example",
        ),
        (
            {"default-src": "'self'", "style-src": "https://fonts.example"},
            "style-src-elem",
            "style-src-elem https://fonts.example",
        ),
        (
            {"default-src": "'none'", "style-src": "'self'"},
            "style-src-elem",
            "style-src-elem 'self'",
        ),
        (
            {"default-src": "'self'", "style-src": "https://fonts.example"},
            "script-src",
            "script-src 'self'",
        ),
    ],
    ids=[
        "script-src-elem from script-src",
        "script-src-elem from default-src",
        "style-src-elem from style-src",
        "style-src-elem from style-src, not default-src",
        "script-src from default-src",
    ],
)
def test_a_directive_added_for_a_nonce_starts_from_its_fallback(
    policy: dict[str, str], nonce_in: str, added: str
) -> None:
    app = make_app()
    Talisman(
        app, content_security_policy=policy, content_security_policy_nonce_in=[nonce_in]
    )
    csp = app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]
    nonce = NONCE_RE.search(csp).group(1)  # type: ignore[union-attr]
    assert csp.endswith(f"; {added} 'nonce-{nonce}'")


def test_extending_a_directive_the_policy_lacks_starts_from_its_fallback() -> None:
    app = make_app()
    talisman = Talisman(
        app,
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self' https://cdn.example",
        },
    )
    add_view(
        app,
        "/extended",
        talisman.extend(
            content_security_policy={"script-src-elem": "https://widgets.example"}
        ),
    )
    csp = app.test_client().get("/extended", **HTTPS).headers["Content-Security-Policy"]
    assert csp.endswith(
        "; script-src-elem 'self' https://cdn.example https://widgets.example"
    )


def test_extending_an_attribute_directive_leaves_out_nonces_and_strict_dynamic() -> (
    None
):
    """An 'unsafe-inline' added for attributes is not turned off by a copied nonce."""
    app = make_app()
    talisman = Talisman(app, preset="strict")
    add_view(
        app,
        "/handlers",
        talisman.extend(content_security_policy={"script-src-attr": UNSAFE_INLINE}),
    )
    csp = app.test_client().get("/handlers", **HTTPS).headers["Content-Security-Policy"]
    attr = next(d for d in csp.split("; ") if d.startswith("script-src-attr"))
    assert "nonce" not in attr
    assert "'strict-dynamic'" not in attr
    assert attr.endswith("'unsafe-inline'")


@pytest.mark.parametrize(
    ("script_src", "added", "expected"),
    [
        # A nonce turned 'unsafe-inline' off in script-src: not copied.
        (
            "'nonce-x' 'strict-dynamic' https: 'unsafe-inline'",
            "'report-sample'",
            "script-src-attr 'report-sample'",
        ),
        (
            "'self' 'unsafe-hashes' 'sha256-" + "A" * 43 + "='",
            "'report-sample'",
            "script-src-attr 'unsafe-hashes' 'sha256-"
            + "A" * 43
            + "=' 'report-sample'",
        ),
        # 'unsafe-inline' that applied to attributes still applies.
        (
            "'self' 'unsafe-inline'",
            "'report-sample'",
            "script-src-attr 'unsafe-inline' 'report-sample'",
        ),
        (
            "'self' https://cdn.example",
            "'unsafe-hashes'",
            "script-src-attr 'unsafe-hashes'",
        ),
    ],
)
def test_an_extended_attribute_directive_starts_from_what_applied_to_attributes(
    script_src: str, added: str, expected: str
) -> None:
    app = make_app()
    talisman = Talisman(
        app,
        content_security_policy=f"default-src 'self'; script-src {script_src}".replace(
            "'nonce-x'", "'nonce'"
        ),
    )
    add_view(
        app,
        "/handlers",
        talisman.extend(content_security_policy={"script-src-attr": added}),
    )
    csp = app.test_client().get("/handlers", **HTTPS).headers["Content-Security-Policy"]
    assert csp.endswith(f"; {expected}")
