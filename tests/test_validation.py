"""Specification: which configurations Talisman refuses, and which it warns about.

A value that would produce a wrong or unsafe header raises
:class:`ConfigurationError` (a :class:`ValueError`): a value wrong on its own
where it is configured (``Talisman(app, ...)``, ``Talisman(...)``,
``init_app``, ``TALISMAN_*`` config, the per-view decorator, attribute
assignment), an in-place edit of a dict or list option and a combination of
options when they are used (``init_app``, the next request,
``Talisman.check()``). The message names the option and shows the bad value. A value that is
valid HTTP but probably a mistake gives a :class:`ConfigurationWarning`, and the
header is still sent as configured.

``pyproject.toml`` turns every unexpected warning into an error, so a test that
configures Talisman outside ``pytest.warns`` also asserts that no warning is
given.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from flask_talisman import (
    ALLOW_FROM,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from .conftest import NONCE_RE

# -- helpers ------------------------------------------------------------------


def make_app() -> Flask:
    app = Flask(__name__)
    app.route("/")(lambda: "ok")
    return app


def get(app: Flask) -> TestResponse:
    """An HTTPS request (plain HTTP is redirected by default)."""
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.status_code == 200
    return response


def shows(option: str, fragment: str) -> str:
    """A ``match`` pattern: the message names ``option``, then shows ``fragment``.

    ``fragment`` is taken literally (typically the ``repr`` of the bad value).
    """
    return re.escape(option) + ".*" + re.escape(fragment)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def without_nonce(value: str) -> str:
    return re.sub(r"'nonce-[^']*'", "'nonce-N'", value)


# Every place an option can be configured. Each takes the options to apply.


def at_constructor(options: dict[str, Any]) -> None:
    Talisman(make_app(), **options)


def at_constructor_without_app(options: dict[str, Any]) -> None:
    Talisman(**options)


def at_init_app(options: dict[str, Any]) -> None:
    Talisman().init_app(make_app(), **options)


def at_app_config(options: dict[str, Any]) -> None:
    app = make_app()
    app.config.update({f"TALISMAN_{name.upper()}": v for name, v in options.items()})
    Talisman(app)


def at_decorator(options: dict[str, Any]) -> None:
    # The options are checked when the decorator is made, before any view.
    Talisman(make_app())(**options)


def at_attribute(options: dict[str, Any]) -> None:
    talisman = Talisman(make_app())
    for name, value in options.items():
        setattr(talisman, name, value)


PLACES: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("constructor", at_constructor),
    ("constructor-without-app", at_constructor_without_app),
    ("init_app", at_init_app),
    ("app-config", at_app_config),
    ("decorator", at_decorator),
    ("attribute", at_attribute),
]

# -- the error type -----------------------------------------------------------


def test_configuration_error_is_a_value_error() -> None:
    # flask-talisman 1.1.0 raised ValueError; code catching that keeps working.
    assert issubclass(ConfigurationError, ValueError)
    with pytest.raises(ValueError, match="force_https"):
        Talisman(make_app(), force_https="False")


def test_configuration_warning_is_a_user_warning() -> None:
    assert issubclass(ConfigurationWarning, UserWarning)


# -- one bad value per option, at every place it can be configured ------------

# (option, bad value, the fragment of the message that shows the bad value)
BAD_VALUES: list[tuple[str, Any, str]] = [
    ("force_https", "False", "'False'"),
    ("strict_transport_security_max_age", -1, "-1"),
    ("frame_options", "ALLOWALL", "'ALLOWALL'"),
    (
        "frame_options_allow_from",
        "https://a.example https://b.example",
        "'https://a.example https://b.example'",
    ),
    ("content_security_policy", {"script-src": "self"}, "'self'"),
    ("content_security_policy_report_uri", "/csp report", "'/csp report'"),
    ("content_security_policy_nonce_in", ["bad name"], "'bad name'"),
    ("referrer_policy", "no-referer", "'no-referer'"),
    ("permissions_policy", {"camera": "(), geolocation=*"}, "'(), geolocation=*'"),
    ("document_policy", {"Bad-Name": True}, "'Bad-Name'"),
    ("feature_policy", {"camera": "'self'; microphone *"}, "\"'self';\""),
    ("session_cookie_samesite", "Sideways", "'Sideways'"),
    ("session_cookie_http_only", "yes", "'yes'"),
]
PER_VIEW_REFUSED = {
    "session_cookie_secure",
    "session_cookie_http_only",
    "session_cookie_samesite",
}


@pytest.mark.parametrize(
    ("configure", "option", "value", "fragment"),
    [
        pytest.param(configure, option, value, fragment, id=f"{place}-{option}")
        for (place, configure), (option, value, fragment) in itertools.product(
            PLACES, BAD_VALUES
        )
        # Session-cookie options cannot be set per view at all; see below.
        if not (place == "decorator" and option in PER_VIEW_REFUSED)
    ],
)
def test_bad_value_is_refused_wherever_it_is_configured(
    configure: Callable[[dict[str, Any]], None], option: str, value: Any, fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=shows(option, fragment)):
        configure({option: value})


def test_refused_assignment_keeps_the_old_value_and_headers() -> None:
    app = make_app()
    talisman = Talisman(app, frame_options="DENY")
    with pytest.raises(ConfigurationError, match=shows("frame_options", "'ALLOWALL'")):
        talisman.frame_options = "ALLOWALL"
    assert talisman.frame_options == "DENY"
    assert get(app).headers["X-Frame-Options"] == "DENY"


# -- in-place edits are checked before they are used ---------------------------


def set_existing_directive(t: Talisman) -> None:
    t.content_security_policy["script-src"] = "self"


def add_new_directive(t: Talisman) -> None:
    t.content_security_policy["img-src"] = "self"


def update_with_one_bad_directive(t: Talisman) -> None:
    t.content_security_policy.update({"img-src": "*", "style-src": "self"})


def append_to_directive_list(t: Talisman) -> None:
    t.content_security_policy["style-src"].append("self")


def append_to_nonce_in(t: Talisman) -> None:
    t.content_security_policy_nonce_in.append("bad name")


def replace_in_nonce_in(t: Talisman) -> None:
    t.content_security_policy_nonce_in[0] = "script-src;"


def add_bad_permission(t: Talisman) -> None:
    t.permissions_policy["geolocation"] = "(), camera=*"


@pytest.mark.parametrize(
    ("edit", "option", "fragment"),
    [
        pytest.param(
            set_existing_directive,
            "content_security_policy",
            "'self'",
            id="csp-set-existing-key",
        ),
        pytest.param(
            add_new_directive, "content_security_policy", "'self'", id="csp-add-key"
        ),
        pytest.param(
            update_with_one_bad_directive,
            "content_security_policy",
            "'self'",
            id="csp-update",
        ),
        pytest.param(
            append_to_directive_list,
            "content_security_policy",
            "'self'",
            id="csp-nested-list-append",
        ),
        pytest.param(
            append_to_nonce_in,
            "content_security_policy_nonce_in",
            "'bad name'",
            id="nonce_in-append",
        ),
        pytest.param(
            replace_in_nonce_in,
            "content_security_policy_nonce_in",
            "'script-src;'",
            id="nonce_in-setitem",
        ),
        pytest.param(
            add_bad_permission,
            "permissions_policy",
            "'(), camera=*'",
            id="permissions-add-key",
        ),
    ],
)
def test_bad_in_place_edit_fails_the_next_request_until_it_is_undone(
    edit: Callable[[Talisman], None], option: str, fragment: str
) -> None:
    # Nothing wraps the user's dicts and lists, so a bad edit is found when
    # the options are next used: that request fails (nothing is sent), and
    # the first request after the edit is undone is served normally.
    app = make_app()
    app.testing = True  # the error reaches the test, as it would a developer
    talisman = Talisman(
        app,
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self' https://cdn.example.com",
            "style-src": ["'self'"],
        },
        content_security_policy_nonce_in=["script-src"],
        permissions_policy={"camera": "()"},
    )
    names = (
        "content_security_policy",
        "content_security_policy_nonce_in",
        "permissions_policy",
    )
    before = {name: copy.deepcopy(getattr(talisman, name)) for name in names}
    headers_before = get(app).headers

    edit(talisman)  # accepted: it may be the first step of several
    with pytest.raises(ConfigurationError, match=shows(option, fragment)):
        get(app)
    with pytest.raises(ConfigurationError, match=shows(option, fragment)):
        talisman.check()

    for name, value in before.items():
        setattr(talisman, name, value)
    headers_after = get(app).headers
    assert without_nonce(headers_after["Content-Security-Policy"]) == without_nonce(
        headers_before["Content-Security-Policy"]
    )
    assert headers_after["Permissions-Policy"] == headers_before["Permissions-Policy"]


# -- combinations are checked where they are configured ------------------------


def test_allow_from_without_origin_is_refused_at_init_app() -> None:
    talisman = Talisman(frame_options=ALLOW_FROM)  # the origin may come from config
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        talisman.init_app(make_app())


def test_allow_from_origin_may_come_from_app_config() -> None:
    app = make_app()
    app.config["TALISMAN_FRAME_OPTIONS_ALLOW_FROM"] = "https://a.example"
    with pytest.warns(
        ConfigurationWarning, match="'frame-ancestors': \"https://a.example\""
    ):
        Talisman(frame_options=ALLOW_FROM).init_app(app)
    assert get(app).headers["X-Frame-Options"] == "ALLOW-FROM https://a.example"


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


def assign_allow_from(t: Talisman) -> None:
    t.frame_options = ALLOW_FROM


def assign_report_only(t: Talisman) -> None:
    t.content_security_policy_report_only = True


@pytest.mark.parametrize(
    ("assign", "match"),
    [
        pytest.param(
            assign_allow_from,
            "frame_options.*frame_options_allow_from",
            id="allow-from-without-origin",
        ),
        pytest.param(
            assign_report_only,
            "content_security_policy_report_only.*content_security_policy_report_uri",
            id="report-only-without-uri",
        ),
    ],
)
def test_inconsistent_assignment_is_accepted_and_refused_when_used(
    assign: Callable[[Talisman], None], match: str
) -> None:
    # flask-talisman 1.1.0 code sets related options one line at a time: the
    # first line alone is inconsistent, so only its use is refused.
    app = make_app()
    app.testing = True
    talisman = Talisman(app)
    assign(talisman)
    with pytest.raises(ConfigurationError, match=match):
        get(app)


def test_hsts_preload_that_the_list_would_reject_warns_when_used() -> None:
    app = make_app()
    talisman = Talisman(app, strict_transport_security_include_subdomains=False)
    talisman.strict_transport_security_preload = True  # more may follow
    with pytest.warns(ConfigurationWarning, match="strict_transport_security_preload"):
        get(app)


# -- control characters are refused everywhere ---------------------------------

# Tables below are templates: fill() puts the character under test where "@"
# stands, in strings, dict keys and list items.
AT = "@"


def fill(template: Any, text: str) -> Any:
    if isinstance(template, str):
        return template.replace(AT, text)
    if isinstance(template, dict):
        return {fill(k, text): fill(v, text) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(item, text) for item in template]
    return template


# (id, option, value, the part of the value the message must show)
CONTROL_IN_NAMES = [
    ("csp-name", "content_security_policy", {"default@src": "'self'"}, "default@src"),
    (
        "csp-string-name",
        "content_security_policy",
        "default@src 'self'",
        "default@src 'self'",
    ),
    ("permissions-name", "permissions_policy", {"camera@": "()"}, "camera@"),
    ("permissions-string-name", "permissions_policy", "camera@=()", "camera@=()"),
    (
        "document-name",
        "document_policy",
        {"force-load-at-top@": True},
        "force-load-at-top@",
    ),
    ("feature-name", "feature_policy", {"camera@": "'none'"}, "camera@"),
    ("nonce_in", "content_security_policy_nonce_in", ["script@src"], "script@src"),
    ("report-uri", "content_security_policy_report_uri", "/csp@report", "/csp@report"),
    (
        "allow-from",
        "frame_options_allow_from",
        "https://a@.example",
        "https://a@.example",
    ),
    ("frame_options", "frame_options", "DENY@", "DENY@"),
    ("referrer", "referrer_policy", "no-referrer@", "no-referrer@"),
    ("referrer-list", "referrer_policy", ["no-referrer", "origin@"], "origin@"),
]
CONTROL_IN_VALUES = [
    (
        "csp-source",
        "content_security_policy",
        {"default-src": "'self' https://a@.example"},
        "'self' https://a@.example",
    ),
    (
        "csp-list-item",
        "content_security_policy",
        {"default-src": ["'self'", "https://a@.example"]},
        "https://a@.example",
    ),
    (
        "csp-string",
        "content_security_policy",
        "default-src 'self'; img-src https://a@.example",
        "default-src 'self'; img-src https://a@.example",
    ),
    (
        "permissions-value",
        "permissions_policy",
        {"geolocation": '(self "https://a@.example")'},
        '(self "https://a@.example")',
    ),
    (
        "permissions-list-item",
        "permissions_policy",
        {"geolocation": ["https://a@.example"]},
        "https://a@.example",
    ),
    (
        "permissions-string",
        "permissions_policy",
        "camera=(), geolocation=(self@)",
        "camera=(), geolocation=(self@)",
    ),
    ("document-value", "document_policy", {"oversized-images": "2.0@"}, "2.0@"),
    (
        "document-string",
        "document_policy",
        "oversized-images=2.0@",
        "oversized-images=2.0@",
    ),
    (
        "feature-value",
        "feature_policy",
        {"camera": "'self' https://a@.example"},
        "'self' https://a@.example",
    ),
    (
        "feature-string",
        "feature_policy",
        "camera 'self' https://a@.example",
        "camera 'self' https://a@.example",
    ),
]
CONTROLS = [("\r", "CR"), ("\n", "LF"), ("\x00", "NUL"), ("\x7f", "DEL")]


@pytest.mark.parametrize(
    ("option", "template", "shown", "control"),
    [
        pytest.param(option, template, shown, char, id=f"{place}-{name}")
        for place, option, template, shown in CONTROL_IN_NAMES + CONTROL_IN_VALUES
        for char, name in CONTROLS
    ]
    + [
        # A TAB is whitespace inside a CSP value, but never part of a name or
        # of a single-token value.
        pytest.param(option, template, shown, "\t", id=f"{place}-TAB")
        for place, option, template, shown in CONTROL_IN_NAMES
    ],
)
def test_control_characters_are_refused(
    option: str, template: Any, shown: str, control: str
) -> None:
    value = fill(template, control)
    with pytest.raises(
        ConfigurationError, match=shows(option, repr(fill(shown, control)))
    ):
        Talisman(make_app(), **{option: value})


# -- CSP: injection and malformed names ----------------------------------------


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


def test_warnings_are_attributed_to_the_calling_code() -> None:
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(make_app(), content_security_policy={"scirpt-src": "'self'"})
    assert {w.filename for w in record} == {__file__}


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


# -- HSTS ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="float"),
        pytest.param("1 year", id="str"),
        pytest.param("-1", id="negative-str"),
        pytest.param(float("inf"), id="infinite"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="None"),
    ],
)
def test_hsts_max_age_must_be_a_non_negative_int(max_age: Any) -> None:
    with pytest.raises(
        ConfigurationError,
        match=shows("strict_transport_security_max_age", repr(max_age)),
    ):
        Talisman(make_app(), strict_transport_security_max_age=max_age)


@pytest.mark.parametrize("max_age", ["31536000", " 600 ", 600.0])
def test_hsts_max_age_as_a_str_of_digits_or_a_whole_float_is_that_number(
    max_age: Any,
) -> None:
    # 1.1.0 formats the value into the header as it is, which is right for
    # a str of digits (an environment variable, say).
    app = make_app()
    Talisman(app, strict_transport_security_max_age=max_age)
    header = get(app).headers["Strict-Transport-Security"]
    assert header == f"max-age={int(float(max_age))}; includeSubDomains"


def test_hsts_max_age_zero_is_accepted() -> None:
    # max-age=0 is how a site tells browsers to forget HSTS.
    app = make_app()
    Talisman(app, strict_transport_security_max_age=0)
    assert (
        get(app).headers["Strict-Transport-Security"] == "max-age=0; includeSubDomains"
    )


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(
            {"strict_transport_security_include_subdomains": False},
            id="no-includeSubDomains",
        ),
        pytest.param(
            {"strict_transport_security_max_age": 86400}, id="max-age-one-day"
        ),
        pytest.param(
            {"strict_transport_security_max_age": 31535999},
            id="max-age-just-under-a-year",
        ),
    ],
)
def test_hsts_preload_the_preload_list_would_reject_warns(
    options: dict[str, Any],
) -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="strict_transport_security_preload"):
        Talisman(app, strict_transport_security_preload=True, **options)
    assert get(app).headers["Strict-Transport-Security"].endswith("; preload")


def test_hsts_preload_meeting_the_preload_list_rules_is_silent() -> None:
    app = make_app()
    Talisman(
        app,
        strict_transport_security_preload=True,
        strict_transport_security_max_age=31536000,
    )
    assert (
        get(app).headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


# -- X-Frame-Options -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param("ALLOWALL", shows("frame_options", "'ALLOWALL'"), id="ALLOWALL"),
        pytest.param(
            "ALLOW-FROM https://x.example",
            shows("frame_options", "'ALLOW-FROM https://x.example'")
            + ".*frame_options_allow_from",
            id="origin-inline",
        ),
        pytest.param(1, shows("frame_options", "1"), id="int"),
        pytest.param(True, shows("frame_options", "True"), id="True"),
    ],
)
def test_bad_frame_options_are_refused(value: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Talisman(make_app(), frame_options=value)


@pytest.mark.parametrize("value", [None, False])
def test_frame_options_off_sends_no_header(value: Any) -> None:
    app = make_app()
    Talisman(app, frame_options=value)
    assert "X-Frame-Options" not in get(app).headers


@pytest.mark.parametrize(
    ("value", "header"), [("deny", "DENY"), ("sameorigin", "SAMEORIGIN")]
)
def test_frame_options_are_case_insensitive_and_sent_upper_case(
    value: str, header: str
) -> None:
    app = make_app()
    Talisman(app, frame_options=value)
    assert get(app).headers["X-Frame-Options"] == header


# -- Referrer-Policy -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param(
            "no-referer",
            shows("referrer_policy", "'no-referer'")
            + "(?i:.*did you mean 'no-referrer')",
            id="misspelt",
        ),
        pytest.param(
            "no-referrer; origin",
            shows("referrer_policy", "'no-referrer; origin'"),
            id="semicolon",
        ),
        pytest.param(
            "no-referrer, origni",
            shows("referrer_policy", "'origni'"),
            id="bad-fallback",
        ),
        pytest.param(
            ["no-referrer", 1], shows("referrer_policy", "1"), id="non-str-item"
        ),
    ],
)
def test_bad_referrer_policy_is_refused(value: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Talisman(make_app(), referrer_policy=value)


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("no-referrer", "no-referrer"),
        (
            "no-referrer, strict-origin-when-cross-origin",
            "no-referrer, strict-origin-when-cross-origin",
        ),
        ("no-referrer,strict-origin", "no-referrer, strict-origin"),
        (["no-referrer", "strict-origin"], "no-referrer, strict-origin"),
    ],
)
def test_referrer_policy_fallbacks_are_accepted(value: Any, header: str) -> None:
    app = make_app()
    Talisman(app, referrer_policy=value)
    assert get(app).headers["Referrer-Policy"] == header


# -- session cookie ------------------------------------------------------------


def test_unknown_samesite_is_refused() -> None:
    with pytest.raises(
        ConfigurationError, match=shows("session_cookie_samesite", "'Sideways'")
    ):
        Talisman(make_app(), session_cookie_samesite="Sideways")


@pytest.mark.parametrize(
    ("value", "normalised"), [("strict", "Strict"), ("LAX", "Lax"), ("none", "None")]
)
def test_samesite_is_normalised(value: str, normalised: str) -> None:
    app = make_app()
    talisman = Talisman(app, session_cookie_samesite=value)
    assert talisman.session_cookie_samesite == value  # kept as given
    assert app.config["SESSION_COOKIE_SAMESITE"] == normalised


@pytest.mark.parametrize("option", sorted(PER_VIEW_REFUSED))
def test_session_cookie_options_cannot_be_set_per_view(option: str) -> None:
    value = "Strict" if option == "session_cookie_samesite" else False
    talisman = Talisman(make_app())
    with pytest.raises(
        ConfigurationError, match=re.escape(repr(option)) + ".*cannot be set per view"
    ):
        talisman(**{option: value})


# -- unknown option names ------------------------------------------------------

DID_YOU_MEAN_FORCE_HTTPS = "(?i:did you mean 'force_https')"


def unknown_at_constructor() -> None:
    Talisman(make_app(), force_http=False)


def unknown_at_constructor_without_app() -> None:
    Talisman(force_http=False)


def unknown_at_init_app() -> None:
    Talisman().init_app(make_app(), force_http=False)


def unknown_at_decorator() -> None:
    Talisman(make_app())(force_http=False)


def unknown_in_app_config() -> None:
    app = make_app()
    app.config["TALISMAN_FORCE_HTTP"] = False
    Talisman(app)


@pytest.mark.parametrize(
    ("configure", "shown"),
    [
        pytest.param(unknown_at_constructor, "'force_http'", id="constructor"),
        pytest.param(
            unknown_at_constructor_without_app,
            "'force_http'",
            id="constructor-without-app",
        ),
        pytest.param(unknown_at_init_app, "'force_http'", id="init_app"),
        pytest.param(unknown_at_decorator, "'force_http'", id="decorator"),
        pytest.param(unknown_in_app_config, "'TALISMAN_FORCE_HTTP'", id="app-config"),
    ],
)
def test_unknown_option_is_refused_with_a_suggestion(
    configure: Callable[[], None], shown: str
) -> None:
    with pytest.raises(
        ConfigurationError, match=re.escape(shown) + ".*" + DID_YOU_MEAN_FORCE_HTTPS
    ):
        configure()


# -- booleans ------------------------------------------------------------------

BOOL_OPTIONS = [
    "force_https",
    "force_https_permanent",
    "force_https_preserve_method",
    "trust_x_forwarded_proto",
    "force_file_save",
    "strict_transport_security",
    "strict_transport_security_preload",
    "strict_transport_security_include_subdomains",
    "content_security_policy_report_only",
    "session_cookie_secure",
    "session_cookie_http_only",
    "x_content_type_options",
    "x_xss_protection",
]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        (option, value)
        for option in BOOL_OPTIONS
        for value in ["False", "0", 2, 1.0]
        # The str "0" is x_xss_protection's own value: the header "0".
        if (option, value) != ("x_xss_protection", "0")
    ],
)
def test_bool_options_refuse_non_bools(option: str, value: Any) -> None:
    # "False" is truthy: accepting it would silently do the opposite.
    with pytest.raises(ConfigurationError, match=shows(option, repr(value))):
        Talisman(make_app(), **{option: value})


def test_a_str_flag_is_refused_with_how_to_read_an_environment_variable() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"force_https: 'False' is a str, and any non-empty str .* compare "
        r"it, e\.g\. os\.environ\.get\(NAME\) == '1'",
    ):
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


# -- Permissions-Policy --------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        pytest.param(
            {"camera": "(), geolocation=*"},
            "'(), geolocation=*'",
            id="comma-outside-parentheses",
        ),
        pytest.param({"camera": "(self"}, "'(self'", id="unbalanced-parenthesis"),
        pytest.param(
            {"camera": '(self "https://a.example)'},
            "'(self \"https://a.example)'",
            id="unbalanced-quote",
        ),
        pytest.param(
            {"camera": "(self; https://a.example)"},
            "'(self; https://a.example)'",
            id="semicolon-in-parentheses",
        ),
        pytest.param(
            {"camera": ["https://a.example;x"]},
            "'https://a.example;x'",
            id="list-item-semicolon",
        ),
        pytest.param(
            {"camera": ["https://a.example,https://b.example"]},
            "'https://a.example,https://b.example'",
            id="list-item-comma",
        ),
        pytest.param(
            {"camera": ["https://a.example https://b.example"]},
            "'https://a.example https://b.example'",
            id="list-item-space",
        ),
        pytest.param({"camera": [1]}, "1", id="list-item-not-str"),
        pytest.param({"Camera": "()"}, "'Camera'", id="uppercase-name"),
        pytest.param({"camera access": "()"}, "'camera access'", id="space-in-name"),
        pytest.param(
            {"camera,microphone": "()"}, "'camera,microphone'", id="comma-in-name"
        ),
        pytest.param({"camera;x": "()"}, "'camera;x'", id="semicolon-in-name"),
        pytest.param({"": "()"}, "''", id="empty-name"),
        pytest.param("Camera=()", "'Camera'", id="uppercase-name-in-string"),
        pytest.param(
            "camera=(), geolocation=(self; x)", "'(self; x)'", id="semicolon-in-string"
        ),
    ],
)
def test_bad_permissions_policy_is_refused(policy: Any, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=shows("permissions_policy", fragment)):
        Talisman(make_app(), permissions_policy=policy)


def test_permissions_allowlist_commas_warn_with_the_valid_form() -> None:
    app = make_app()
    value = '(self, "https://example.com")'
    with pytest.warns(
        ConfigurationWarning,
        match=shows("permissions_policy['geolocation']", repr(value))
        + ".*"
        + re.escape(repr('(self "https://example.com")')),
    ):
        Talisman(app, permissions_policy={"geolocation": value})
    assert get(app).headers["Permissions-Policy"] == f"geolocation={value}"


@pytest.mark.parametrize(
    ("policy", "header"),
    [
        (
            {"geolocation": ["self", "https://a.example"]},
            'geolocation=(self "https://a.example")',
        ),
        (
            {"geolocation": '(self "https://a.example")'},
            'geolocation=(self "https://a.example")',
        ),
        ({"camera": "()", "fullscreen": "*"}, "camera=(), fullscreen=*"),
        ({"camera": False, "fullscreen": True}, "camera=(), fullscreen=*"),
        ("camera=(), geolocation=(self)", "camera=(), geolocation=(self)"),
    ],
)
def test_valid_permissions_policy_is_accepted(policy: Any, header: str) -> None:
    app = make_app()
    Talisman(app, permissions_policy=policy)
    assert get(app).headers["Permissions-Policy"] == header


# -- nothing malformed reaches the wire ----------------------------------------

HOSTILE = [
    "\r\nSet-Cookie: injected=1",
    "x\nX-Injected: 1",
    "x\rX-Injected: 1",
    "a\x00b",
    "'self'; script-src *",
    "https://a.example, default-src *",
    "(), geolocation=*",
    "%0d%0aSet-Cookie:%20x",  # percent-encoded: harmless, may be accepted
]

# Where a hostile string can go; "@" stands for it (see fill()).
HOSTILE_PLACES = [
    ("csp-source", {"content_security_policy": {"default-src": "@"}}),
    ("csp-list-item", {"content_security_policy": {"default-src": ["'self'", "@"]}}),
    ("csp-name", {"content_security_policy": {"@": "'self'"}}),
    ("csp-string", {"content_security_policy": "default-src @"}),
    ("csp-report-uri", {"content_security_policy_report_uri": "@"}),
    ("csp-nonce-in", {"content_security_policy_nonce_in": ["@"]}),
    ("permissions-value", {"permissions_policy": {"geolocation": "@"}}),
    ("permissions-list-item", {"permissions_policy": {"geolocation": ["@"]}}),
    ("permissions-name", {"permissions_policy": {"@": "()"}}),
    ("permissions-string", {"permissions_policy": "geolocation=@"}),
    ("document-value", {"document_policy": {"oversized-images": "@"}}),
    ("document-name", {"document_policy": {"@": True}}),
    ("feature-value", {"feature_policy": {"camera": "@"}}),
    ("feature-name", {"feature_policy": {"@": "'none'"}}),
    ("feature-string", {"feature_policy": "camera @"}),
    ("allow-from", {"frame_options": ALLOW_FROM, "frame_options_allow_from": "@"}),
    ("frame-options", {"frame_options": "@"}),
    ("referrer", {"referrer_policy": "@"}),
]

EXPECTED_HEADER_NAMES = {
    "Content-Type",
    "Content-Length",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Document-Policy",
    "Feature-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
}


@pytest.mark.parametrize(
    "template", [pytest.param(template, id=place) for place, template in HOSTILE_PLACES]
)
def test_hostile_values_are_refused_or_reach_the_wire_harmless(
    template: dict[str, Any],
) -> None:
    offenders = []
    for hostile in HOSTILE:
        app = make_app()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigurationWarning)  # not the point
            try:
                Talisman(app, **fill(template, hostile))
            except ConfigurationError:
                continue
        headers = get(app).headers
        problems = [
            (name, value)
            for name, value in headers.items()
            if name not in EXPECTED_HEADER_NAMES
            or any(bad in value for bad in ("\r", "\n", "\x00"))
            # A comma in a CSP header starts a second policy.
            or (name == "Content-Security-Policy" and "," in value)
        ]
        if problems:
            offenders.append((hostile, problems))
    assert offenders == []


# -- values that break a check are refused like bad values ---------------------


@pytest.mark.parametrize("value", [10**5000, 10**18], ids=["5001-digits", "19-digits"])
def test_an_absurd_max_age_is_a_configuration_error(value: int) -> None:
    with pytest.raises(
        ConfigurationError, match="strict_transport_security_max_age: a number of"
    ):
        Talisman(make_app(), strict_transport_security_max_age=value)
    Talisman(make_app(), strict_transport_security_max_age=10**18 - 1)


def test_an_absurd_receiver_limit_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="report_receiver_max_bytes"):
        Talisman(make_app(), report_receiver="/r", report_receiver_max_bytes=10**5000)


def test_a_value_whose_repr_fails_is_a_configuration_error() -> None:
    class Unprintable:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    with pytest.raises(
        ConfigurationError, match=r"content_security_policy: .*Unprintable.*no repr"
    ):
        Talisman(make_app(), content_security_policy=Unprintable())
