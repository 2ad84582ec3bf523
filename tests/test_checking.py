"""What Talisman refuses and warns about, and when.

A value that would produce a wrong or unsafe header raises
:class:`ConfigurationError` (a :class:`ValueError`): a value wrong on its own
where it is configured (``Talisman(app, ...)``, ``Talisman(...)``,
``init_app``, ``TALISMAN_*`` config, the per-view decorator, attribute
assignment), an in-place edit of a dict or list option and a combination of
options when they are used (``init_app``, the next request,
``Talisman.check()``). The message names the option and shows the bad value. A value that is
valid HTTP but probably a mistake gives a :class:`ConfigurationWarning`, and the
header is still sent as configured. Each header family's own refusals are in
``tests/headers``.

``pyproject.toml`` turns every unexpected warning into an error, so a test that
configures Talisman outside ``pytest.warns`` also asserts that no warning is
given.
"""

from __future__ import annotations

import copy
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from flask_talisman import (
    ALLOW_FROM,
    DENY,
    SAMEORIGIN,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from .conftest import (
    BOOL_OPTIONS,
    HTTP,
    HTTPS,
    add_view,
    check,
    get,
    headers,
    make_app,
    shows,
    strict_app,
)


def test_configuration_warning_is_a_user_warning() -> None:
    assert issubclass(ConfigurationWarning, UserWarning)


def test_refused_assignment_keeps_the_old_value_and_headers() -> None:
    app = make_app()
    talisman = Talisman(app, frame_options="DENY")
    with pytest.raises(ConfigurationError, match=shows("frame_options", "'ALLOWALL'")):
        talisman.frame_options = "ALLOWALL"
    assert talisman.frame_options == "DENY"
    assert get(app).headers["X-Frame-Options"] == "DENY"


def add_bad_permission(t: Talisman) -> None:
    t.permissions_policy["geolocation"] = "(), camera=*"


def add_new_directive(t: Talisman) -> None:
    t.content_security_policy["img-src"] = "self"


def append_to_directive_list(t: Talisman) -> None:
    t.content_security_policy["style-src"].append("self")


def append_to_nonce_in(t: Talisman) -> None:
    t.content_security_policy_nonce_in.append("bad name")


def replace_in_nonce_in(t: Talisman) -> None:
    t.content_security_policy_nonce_in[0] = "script-src;"


def set_existing_directive(t: Talisman) -> None:
    t.content_security_policy["script-src"] = "self"


def update_with_one_bad_directive(t: Talisman) -> None:
    t.content_security_policy.update({"img-src": "*", "style-src": "self"})


def without_nonce(value: str) -> str:
    return re.sub(r"'nonce-[^']*'", "'nonce-N'", value)


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


CONTROLS = [("\r", "CR"), ("\n", "LF"), ("\x00", "NUL"), ("\x7f", "DEL")]


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


def test_warnings_are_attributed_to_the_calling_code() -> None:
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(make_app(), content_security_policy={"scirpt-src": "'self'"})
    assert {w.filename for w in record} == {__file__}


DID_YOU_MEAN_FORCE_HTTPS = "(?i:did you mean 'force_https')"


def unknown_at_constructor() -> None:
    Talisman(make_app(), force_http=False)


def unknown_at_constructor_without_app() -> None:
    Talisman(force_http=False)


def unknown_at_decorator() -> None:
    Talisman(make_app())(force_http=False)


def unknown_at_init_app() -> None:
    Talisman().init_app(make_app(), force_http=False)


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


def test_a_value_whose_repr_fails_is_a_configuration_error() -> None:
    class Unprintable:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    with pytest.raises(
        ConfigurationError, match=r"content_security_policy: .*Unprintable.*no repr"
    ):
        Talisman(make_app(), content_security_policy=Unprintable())


@pytest.mark.parametrize(
    ("options", "option", "value"),
    [
        pytest.param(
            {"content_security_policy": {"img-src": "https://bücher.example"}},
            "content_security_policy['img-src']",
            "https://bücher.example",
            id="csp-source",
        ),
        pytest.param(
            {"content_security_policy_report_uri": "/csp-rapport-é"},
            "content_security_policy_report_uri",
            "/csp-rapport-é",
            id="report-uri",
        ),
        pytest.param(
            {"permissions_policy": {"geolocation": ["https://bücher.example"]}},
            "permissions_policy['geolocation']",
            "https://bücher.example",
            id="permissions-origin",
        ),
    ],
)
def test_non_ascii_values_are_refused_with_the_character_and_a_fix(
    options: dict[str, Any], option: str, value: str
) -> None:
    char = next(ch for ch in value if not ch.isascii())
    with pytest.raises(
        ConfigurationError,
        match=shows(option, repr(value))
        + ".*"
        + re.escape(f"non-ASCII character {char!r}")
        + ".*punycode",
    ):
        Talisman(make_app(), **options)


def test_none_turns_a_boolean_option_off() -> None:
    app = make_app()
    talisman = Talisman(app, force_https=None, x_content_type_options=None)
    # As in flask-talisman 1.1.0, the attribute is what was given.
    assert talisman.force_https is None
    assert talisman.x_content_type_options is None
    response = app.test_client().get("/", **HTTP)
    assert response.status_code == 200  # not redirected
    check(response, {"X-Content-Type-Options": None, "Strict-Transport-Security": None})


@pytest.mark.parametrize(
    ("options", "option", "value", "expected"),
    [
        pytest.param(
            {"content_security_policy": ["default-src 'self'"]},
            "content_security_policy",
            "[\"default-src 'self'\"]",
            "a dict or a str policy",
            id="csp-list",
        ),
        pytest.param(
            {"content_security_policy": {1: "'self'"}},
            "content_security_policy",
            "1",
            "directive names as str",
            id="csp-name-int",
        ),
        pytest.param(
            {"content_security_policy": {"default-src": {"'self'": True}}},
            "content_security_policy['default-src']",
            "{\"'self'\": True}",
            "a str or a list of str sources",
            id="csp-value-dict",
        ),
        pytest.param(
            {"content_security_policy": {"default-src": ["'self'", 5]}},
            "content_security_policy['default-src']",
            "5",
            "str sources",
            id="csp-list-item-int",
        ),
        pytest.param(
            {"content_security_policy_nonce_in": 5},
            "content_security_policy_nonce_in",
            "5",
            "a list of directive names",
            id="nonce_in-int",
        ),
        pytest.param(
            {"content_security_policy_report_uri": 5},
            "content_security_policy_report_uri",
            "5",
            "a URI str",
            id="report-uri-int",
        ),
        pytest.param(
            {"frame_options_allow_from": 1},
            "frame_options_allow_from",
            "1",
            "an origin str",
            id="allow-from-int",
        ),
        pytest.param(
            {"referrer_policy": 5},
            "referrer_policy",
            "5",
            "a Referrer-Policy str or list of str",
            id="referrer-int",
        ),
        pytest.param(
            {"permissions_policy": ["camera=()"]},
            "permissions_policy",
            "['camera=()']",
            "a dict or a str policy",
            id="permissions-list",
        ),
        pytest.param(
            {"permissions_policy": {1: "()"}},
            "permissions_policy",
            "1",
            "feature names as str",
            id="permissions-name-int",
        ),
        pytest.param(
            {"permissions_policy": {"camera": None}},
            "permissions_policy['camera']",
            "None",
            "an allowlist str, a list of origins or a bool",
            id="permissions-value-None",
        ),
        pytest.param(
            {"document_policy": ["force-load-at-top"]},
            "document_policy",
            "['force-load-at-top']",
            "a dict or a str policy",
            id="document-list",
        ),
        pytest.param(
            {"document_policy": {"oversized-images": None}},
            "document_policy['oversized-images']",
            "None",
            "a str, number or bool",
            id="document-value-None",
        ),
    ],
)
def test_values_of_the_wrong_type_are_refused_with_what_to_pass(
    options: dict[str, Any], option: str, value: str, expected: str
) -> None:
    with pytest.raises(
        ConfigurationError,
        match=shows(option, f"expected {expected}, got {value}"),
    ):
        Talisman(make_app(), **options)


def test_first_request_of_a_view_repeats_no_configuration_warning() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="scirpt-src"):
        talisman = Talisman(
            app,
            content_security_policy={"default-src": "'self'", "scirpt-src": "'self'"},
        )

    add_view(app, "/framed", talisman(frame_options=DENY))

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        response = get(app, "/framed")
    assert [str(w.message) for w in record] == []
    check(
        response,
        {
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; scirpt-src 'self'",
        },
    )


# -- combinations: checked when used ---------------------------------------------


#: Sequences 1.1.0 code runs, one assignment per line, and the options an app
#: configured with the end result from the start gets.
SEQUENCES: list[tuple[str, list[tuple[str, Any]], dict[str, Any]]] = [
    (
        "allow-from",
        [
            ("frame_options", ALLOW_FROM),
            ("frame_options_allow_from", "https://a.example"),
        ],
        {"frame_options": ALLOW_FROM, "frame_options_allow_from": "https://a.example"},
    ),
    (
        "report-only",
        [
            ("content_security_policy_report_only", True),
            ("content_security_policy_report_uri", "/r"),
        ],
        {
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "/r",
        },
    ),
    (
        "policy-and-nonce",
        [
            ("content_security_policy", "default-src 'self'; script-src 'self'"),
            ("content_security_policy_nonce_in", ["script-src"]),
        ],
        {
            "content_security_policy": "default-src 'self'; script-src 'self'",
            "content_security_policy_nonce_in": ["script-src"],
        },
    ),
    (
        "report-only-off",
        [
            ("content_security_policy_report_uri", None),
            ("content_security_policy_report_only", False),
        ],
        {},
    ),
]


@contextmanager
def warnings_ignored() -> Iterator[None]:
    """ALLOW-FROM advice and the like are not what these tests are about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigurationWarning)
        yield


@pytest.mark.parametrize("order", ["as-written", "reversed"])
@pytest.mark.parametrize(
    ("steps", "end"),
    [(steps, end) for _, steps, end in SEQUENCES],
    ids=[name for name, _, _ in SEQUENCES],
)
def test_a_sequence_of_assignments_is_checked_only_when_used(
    steps: list[tuple[str, Any]], end: dict[str, Any], order: str
) -> None:
    app = strict_app()
    start = {
        "content_security_policy_report_only": True,
        "content_security_policy_report_uri": "/start",
    }
    talisman = Talisman(app, **(start if not end else {}))
    for name, value in steps if order == "as-written" else steps[::-1]:
        setattr(talisman, name, value)  # never refused half-way
    with warnings_ignored():
        expected = make_app("expected")
        Talisman(expected, **end)
        assert headers(app) == headers(expected)


@pytest.fixture
def quiet() -> Iterator[None]:
    with warnings_ignored():
        yield


def test_a_value_wrong_on_its_own_is_refused_at_once() -> None:
    talisman = Talisman(make_app())
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        talisman.frame_options_allow_from = "https://a.example\r\nX-Injected: 1"
    with pytest.raises(ConfigurationError, match="';' or ','"):
        talisman.content_security_policy = {"default-src": "'self'; script-src *"}
    assert talisman.frame_options_allow_from is None


def broken_allow_from(talisman: Talisman) -> None:
    talisman.frame_options = ALLOW_FROM  # the origin is not set (yet)


def test_an_inconsistent_request_raises_naming_the_options_and_the_fix() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    with pytest.raises(ConfigurationError, match="frame_options_allow_from") as raised:
        app.test_client().get("/", **HTTPS)
    assert raised.value.options == ("frame_options", "frame_options_allow_from")
    assert "e.g. 'https://example.com'" in str(raised.value)


def test_outside_testing_it_is_a_logged_500_with_a_complete_header_set(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()  # not testing: Flask answers 500 and logs the error
    talisman = Talisman(app, frame_options=DENY)
    good = headers(app)
    broken_allow_from(talisman)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 500
    assert "frame_options_allow_from" in caplog.text
    # The last header set that compiled, whole: nothing of the broken one.
    sent = {k: v for k, v in response.headers if k not in ("Content-Length",)}
    expected = {k: v for k, v in good.items() if k not in ("Content-Length",)}
    assert sent == {**expected, "Content-Type": sent["Content-Type"]}


def test_the_first_request_after_the_fix_is_served_normally() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    for _ in range(2):  # refused every time, not only once
        with pytest.raises(ConfigurationError):
            app.test_client().get("/", **HTTPS)
    talisman.frame_options_allow_from = "https://a.example"
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        assert headers(app)["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_other_views_keep_working_where_their_own_policy_is_valid() -> None:
    app = strict_app()
    talisman = Talisman(app)

    add_view(app, "/denied", talisman(frame_options=DENY))

    broken_allow_from(talisman)
    with pytest.raises(ConfigurationError):
        app.test_client().get("/", **HTTPS)
    assert headers(app, "/denied")["X-Frame-Options"] == "DENY"


def test_a_broken_view_fails_alone_and_check_names_it() -> None:
    app = strict_app()
    talisman = Talisman(app)

    @app.route("/report-only")
    @talisman(content_security_policy_report_only=True)  # the app may add the URI
    def report_only() -> str:
        return "report-only"

    with pytest.raises(ConfigurationError, match=r"view 'report_only'.*report_uri"):
        talisman.check()
    with pytest.raises(ConfigurationError, match="report_uri"):
        app.test_client().get("/report-only", **HTTPS)
    assert headers(app)["X-Frame-Options"] == SAMEORIGIN  # the rest is served
    talisman.content_security_policy_report_uri = "/csp-report"
    talisman.check()
    assert "Content-Security-Policy-Report-Only" in headers(app, "/report-only")


def test_check_passes_on_a_consistent_app_and_needs_init_app() -> None:
    app = make_app()
    talisman = Talisman(app)
    talisman.check()
    talisman.check(app)
    with pytest.raises(RuntimeError, match="init_app"):
        Talisman().check(make_app("other"))


def test_repeated_failures_do_not_grow_the_error() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    errors = []
    for _ in range(3):
        with pytest.raises(ConfigurationError) as raised:
            app.test_client().get("/", **HTTPS)
        errors.append(raised.value)
    assert len({id(error) for error in errors}) == 3  # a fresh error each time


def test_init_app_checks_the_combination() -> None:
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        Talisman(make_app(), frame_options=ALLOW_FROM)


def test_a_decorators_own_combination_is_refused_at_decoration() -> None:
    talisman = Talisman(make_app())
    with pytest.raises(ConfigurationError, match=r"@talisman\(\.\.\.\).*allow_from"):
        talisman(frame_options=ALLOW_FROM, frame_options_allow_from=None)


def test_a_decorator_the_app_completes_later_is_accepted(quiet: None) -> None:
    app = strict_app()
    talisman = Talisman(app)

    add_view(app, "/framed", talisman(frame_options=ALLOW_FROM))

    talisman.frame_options_allow_from = "https://a.example"  # as 1.1.0 allowed
    assert headers(app, "/framed")["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_options_are_checked_before_a_second_registration_is_refused() -> None:
    # 1.1.0's own test expects the ValueError about the report URI here.
    app = make_app()
    Talisman(app)
    with pytest.raises(ValueError, match="content_security_policy_report_uri"):
        Talisman(app, content_security_policy_report_only=True)
    with pytest.raises(RuntimeError, match="already registered"):
        Talisman(app)


def test_a_warning_is_shown_once_for_one_configuration() -> None:
    app = make_app()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        talisman = Talisman(app, content_security_policy={"image-src": "*"})
        for _ in range(3):
            headers(app)
        talisman.frame_options = DENY  # recompiles the same policy
        headers(app)
    assert [str(w.message) for w in record] == [
        "content_security_policy: 'image-src' is not a known CSP directive and "
        "browsers will ignore it. Did you mean 'img-src'?"
    ]
