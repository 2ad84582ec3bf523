"""Permissions-Policy, Document-Policy and Feature-Policy."""

from __future__ import annotations

import re
import warnings
from typing import Any

import http_sf
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_talisman import (
    SELF,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from ..conftest import (
    HTTPS,
    add_view,
    check,
    contract_test,
    get,
    make_app,
    refused_test,
    shows,
)
from ..properties.test_options import SETTINGS

# -- contract: options in, exact headers out; values refused ----------------


#: The CSP the receiver gives the default policy.
RECEIVER_CSP = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; report-uri /r; report-to default"
    )
}
#: A ``default`` endpoint, where browsers send Permissions-Policy reports
#: that name none.
DEFAULT_ENDPOINT = {"reporting_endpoints": {"default": "https://r.example/reports"}}


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
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
        "permissions bare self in a list",
        {"permissions_policy": {"geolocation": ["self", "https://a.example"]}},
        HTTPS,
        {"Permissions-Policy": 'geolocation=(self "https://a.example")'},
    ),
    (
        "permissions allowlist str",
        {"permissions_policy": {"geolocation": '(self "https://a.example")'}},
        HTTPS,
        {"Permissions-Policy": 'geolocation=(self "https://a.example")'},
    ),
    (
        "permissions () and *",
        {"permissions_policy": {"camera": "()", "fullscreen": "*"}},
        HTTPS,
        {"Permissions-Policy": "camera=(), fullscreen=*"},
    ),
    (
        "permissions False and True",
        {"permissions_policy": {"camera": False, "fullscreen": True}},
        HTTPS,
        {"Permissions-Policy": "camera=(), fullscreen=*"},
    ),
    (
        "permissions string with self",
        {"permissions_policy": "camera=(), geolocation=(self)"},
        HTTPS,
        {"Permissions-Policy": "camera=(), geolocation=(self)"},
    ),
    # allowlist items are normalised
    (
        "permissions allowlist star alone",
        {"permissions_policy": {"geolocation": ["*"]}},
        HTTPS,
        {"Permissions-Policy": "geolocation=*"},
    ),
    (
        "permissions allowlist quoted src",
        {"permissions_policy": {"geolocation": ["'src'", "https://a.example"]}},
        HTTPS,
        {"Permissions-Policy": 'geolocation=(src "https://a.example")'},
    ),
    (
        "permissions allowlist already double-quoted origin",
        {"permissions_policy": {"geolocation": ['"https://a.example"', "'self'"]}},
        HTTPS,
        {"Permissions-Policy": 'geolocation=("https://a.example" self)'},
    ),
    # a policy string drops empty members
    (
        "permissions string empty member",
        {"permissions_policy": "camera=(), , geolocation=()"},
        HTTPS,
        {"Permissions-Policy": "camera=(), geolocation=()"},
    ),
    (
        "permissions string trailing comma",
        {"permissions_policy": "camera=(),"},
        HTTPS,
        {"Permissions-Policy": "camera=()"},
    ),
    (
        "permissions off",
        {"permissions_policy": {}},
        HTTPS,
        {"Permissions-Policy": None},
    ),
    (
        "permissions off None",
        {"permissions_policy": None},
        HTTPS,
        {"Permissions-Policy": None},
    ),
    (
        "permissions off False",
        {"permissions_policy": False},
        HTTPS,
        {"Permissions-Policy": None},
    ),
    (
        "permissions off empty str",
        {"permissions_policy": ""},
        HTTPS,
        {"Permissions-Policy": None},
    ),
    # Permissions-Policy-Report-Only: the same forms, normalised the same way
    (
        "report-only dict",
        {
            "permissions_policy_report_only": {
                "geolocation": [SELF, "https://a.example"],
                "camera": [],
                "fullscreen": "*",
            },
            **DEFAULT_ENDPOINT,
        },
        HTTPS,
        {
            "Permissions-Policy-Report-Only": (
                'geolocation=(self "https://a.example"), camera=(), fullscreen=*'
            )
        },
    ),
    (
        "report-only string",
        {
            "permissions_policy_report_only": "camera=(), geolocation=(self)",
            **DEFAULT_ENDPOINT,
        },
        HTTPS,
        {"Permissions-Policy-Report-Only": "camera=(), geolocation=(self)"},
    ),
    (
        "report-only False and True",
        {
            "permissions_policy_report_only": {"camera": False, "usb": True},
            **DEFAULT_ENDPOINT,
        },
        HTTPS,
        {"Permissions-Policy-Report-Only": "camera=(), usb=*"},
    ),
    (
        "report-only beside the enforced policy",
        {
            "permissions_policy": {"camera": []},
            "permissions_policy_report_only": {"camera": [], "microphone": []},
            **DEFAULT_ENDPOINT,
        },
        HTTPS,
        {
            "Permissions-Policy": "camera=()",
            "Permissions-Policy-Report-Only": "camera=(), microphone=()",
        },
    ),
    (
        "report-only with permissions_policy_report_to",
        {
            "permissions_policy": {"camera": []},
            "permissions_policy_report_only": {"usb": [], "serial": "();report-to=s"},
            "permissions_policy_report_to": "pp",
        },
        HTTPS,
        {
            "Permissions-Policy": "camera=();report-to=pp",
            "Permissions-Policy-Report-Only": "usb=();report-to=pp, serial=();report-to=s",
        },
    ),
    (
        "report-only with its own report-to only",
        {"permissions_policy_report_only": "camera=();report-to=cam"},
        HTTPS,
        {"Permissions-Policy-Report-Only": "camera=();report-to=cam"},
    ),
    ("report-only None", {"permissions_policy_report_only": None}, HTTPS, {}),
    ("report-only empty", {"permissions_policy_report_only": {}}, HTTPS, {}),
    ("report-only False", {"permissions_policy_report_only": False}, HTTPS, {}),
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
]


REFUSED: list[tuple[str, str, Any, str]] = [
    (
        "permissions_policy",
        "permissions_policy",
        {"camera": "(), geolocation=*"},
        "'(), geolocation=*'",
    ),
    ("document_policy", "document_policy", {"Bad-Name": True}, "'Bad-Name'"),
    (
        "feature_policy",
        "feature_policy",
        {"camera": "'self'; microphone *"},
        "\"'self';\"",
    ),
]


#: Permissions-Policy-Report-Only is checked as Permissions-Policy is: every
#: value refused there is refused here, the error naming this option.
REPORT_ONLY_REFUSED: list[tuple[str, str, Any, str]] = [
    (f"report-only-{row_id}", "permissions_policy_report_only", value, fragment)
    for row_id, option, value, fragment in [
        *REFUSED,
        ("none-item", "permissions_policy", {"camera": ["'none'"]}, repr("'none'")),
        ("bare-member", "permissions_policy", "camera, geolocation=()", "'camera'"),
        ("uppercase", "permissions_policy", {"Camera": "()"}, "'Camera'"),
        ("set", "permissions_policy", {"camera": {"self"}}, "(set)"),
        ("not-a-policy", "permissions_policy", 42, "got 42 (int)"),
        ("crlf", "permissions_policy", {"camera": "()\r\nX: 1"}, "'\\r'"),
    ]
    if option == "permissions_policy"
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED + REPORT_ONLY_REFUSED)


# -- other behaviours --------------------------------------------------------


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


def test_permissions_policy_string_member_without_allowlist_is_refused() -> None:
    """BUG: ``camera`` alone is accepted although it means ``camera=?1``.

    ``camera=?1`` is refused (a boolean is not an allowlist; browsers skip the
    member), but the bare key that parses to exactly that is sent as given.
    """
    with pytest.raises(ConfigurationError, match=shows("permissions_policy", "camera")):
        Talisman(make_app(), permissions_policy="camera, geolocation=()")


def test_list_allowlists_are_sent_as_inner_lists(app: Flask) -> None:
    """1.1.0 rendered ``['self']`` as ``geolocation=['self']``."""
    Talisman(
        app,
        permissions_policy={"geolocation": ["self", "https://a.example"]},
        document_policy={"oversized-images": "2.0"},
    )
    response = app.test_client().get("/", **HTTPS)
    assert (
        response.headers["Permissions-Policy"]
        == 'geolocation=(self "https://a.example")'
    )
    assert "[" not in response.headers["Permissions-Policy"]


def test_none_in_a_permissions_allowlist_is_refused() -> None:
    from flask_talisman import ConfigurationError

    for item in ("none", "'none'"):
        with pytest.raises(ConfigurationError, match=r"empty list \[\]"):
            Talisman(make_app(), permissions_policy={"camera": [item]})


# -- Document-Policy ----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(1e13, id="decimal-too-large"),
        pytest.param(1e16, id="float-exponent-too-large"),
        pytest.param(10**15, id="integer-too-large"),
        pytest.param(-(10**15), id="integer-too-small"),
    ],
)
def test_document_policy_number_outside_structured_field_range_is_refused(
    number: float,
) -> None:
    """BUG: sent as ``1e+16`` or a 16-digit integer, which no parser accepts.

    The same numbers written as strings are refused as invalid
    Document-Policy values; as numbers they reach the wire unchecked.
    """
    with pytest.raises(
        ConfigurationError,
        match=shows("document_policy['oversized-images']", repr(number)),
    ):
        Talisman(make_app(), document_policy={"oversized-images": number})


# An RFC 9651 integer (at most 15 digits) or decimal (at most 12 integer and
# 3 fraction digits): the only numbers a Document-Policy value may hold.
SF_NUMBER_MEMBER = re.compile(r"oversized-images=-?(\d{1,15}|\d{1,12}\.\d{1,3})")


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(1e-05, id="exponent-notation"),
        pytest.param(0.1234, id="4-decimals"),
    ],
)
def test_document_policy_float_is_refused_or_sent_as_a_structured_field_decimal(
    number: float,
) -> None:
    """BUG: Python's repr is sent (``1e-05``, ``0.1234``), not an RFC 9651 decimal.

    RFC 9651 rounds a decimal to 3 fraction digits when serialising it, so
    either that or refusing the value would do; sending the repr does not.
    """
    app = make_app()
    try:
        Talisman(app, document_policy={"oversized-images": number})
    except ConfigurationError as error:
        refused: str | None = str(error)
    else:
        refused = None
    if refused is not None:
        assert "document_policy['oversized-images']" in refused
        return
    value = get(app).headers["Document-Policy"]
    assert SF_NUMBER_MEMBER.fullmatch(value), value


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_document_policy_non_finite_numbers_are_refused(number: float) -> None:
    with pytest.raises(ConfigurationError, match="not a structured-field decimal"):
        Talisman(make_app(), document_policy={"oversized-images": number})


def test_document_policy_decimal_with_more_than_three_places_is_refused() -> None:
    from flask_talisman import ConfigurationError

    with pytest.raises(ConfigurationError, match="more than three decimals"):
        Talisman(make_app(), document_policy={"oversized-images": 1e-7})


def test_document_policy_string_boolean_member_may_carry_parameters() -> None:
    """BUG: a valid structured-field member ``key;param=value`` is refused.

    ``force-load-at-top;report-to=main`` is a boolean member with a parameter
    (RFC 9651 dictionaries); ``oversized-images=2.0;report-to=main`` is
    accepted, but the bare-key form is read as the feature name
    ``force-load-at-top;report-to``.
    """
    app = make_app()
    Talisman(app, document_policy="force-load-at-top;report-to=main")
    assert get(app).headers["Document-Policy"] == "force-load-at-top;report-to=main"


def test_document_policy_numbers_and_bare_members() -> None:
    app = make_app()
    talisman = Talisman(
        app, document_policy={"oversized-images": 2, "max-image-bpp": 1.5}
    )

    @app.route("/string")
    @talisman(document_policy="force-load-at-top, oversized-images=2.0")
    def string_policy() -> str:
        return "string"

    check(get(app), {"Document-Policy": "oversized-images=2, max-image-bpp=1.5"})
    check(
        get(app, "/string"),
        {"Document-Policy": "force-load-at-top, oversized-images=2.0"},
    )


def test_document_policy_none_on_a_view_turns_the_apps_off() -> None:
    app = make_app()
    talisman = Talisman(app, document_policy={"force-load-at-top": True})

    add_view(app, "/plain", talisman(document_policy=None))

    check(get(app), {"Document-Policy": "force-load-at-top"})
    check(get(app, "/plain"), {"Document-Policy": None})


# -- Permissions-Policy-Report-Only: where it reports ---------------------------


def test_report_only_features_report_to_the_receiver_as_default() -> None:
    """Browsers send a feature's reports to ``default`` when it names no
    endpoint (the Permissions Policy spec; Chromium), and the receiver is
    ``default``: no parameter is needed."""
    app = make_app()
    Talisman(app, report_receiver="/r", permissions_policy_report_only={"usb": []})

    headers = get(app).headers

    assert headers["Permissions-Policy-Report-Only"] == "usb=()"
    assert headers["Reporting-Endpoints"] == 'default="https://localhost/r"'


def test_report_only_without_a_default_endpoint_warns_naming_the_features() -> None:
    app = make_app()
    with pytest.warns(
        ConfigurationWarning,
        match=shows("permissions_policy_report_only", "'usb', 'serial'"),
    ) as seen:
        Talisman(
            app,
            permissions_policy_report_only="usb=(), camera=();report-to=c, serial=()",
        )

    assert "'camera'" not in str(seen[0].message)
    assert "default" in str(seen[0].message)
    assert get(app).headers["Permissions-Policy-Report-Only"] == (
        "usb=(), camera=();report-to=c, serial=()"
    )


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({"report_receiver": "/r"}, id="report_receiver"),
        pytest.param(DEFAULT_ENDPOINT, id="a-default-endpoint"),
        pytest.param({"permissions_policy_report_to": "pp"}, id="report_to"),
    ],
)
def test_report_only_with_somewhere_to_report_does_not_warn(
    where: dict[str, Any],
) -> None:
    # Warnings are errors in this suite.
    app = make_app()
    Talisman(app, permissions_policy_report_only={"usb": []}, **where)
    assert "Permissions-Policy-Report-Only" in get(app).headers


def test_report_to_false_still_reports_to_the_receiver_as_default() -> None:
    """``False`` adds no parameter; browsers then use ``default``, which the
    receiver is: nothing to warn about."""
    app = make_app()
    Talisman(
        app,
        report_receiver="/r",
        permissions_policy_report_only={"usb": []},
        permissions_policy_report_to=False,
    )
    assert get(app).headers["Permissions-Policy-Report-Only"] == "usb=()"


def test_report_only_without_reporting_carries_no_report_to() -> None:
    """On a response without Reporting-Endpoints every report-to parameter
    is left out, the user's own included, as for Permissions-Policy."""
    app = make_app()
    Talisman(
        app,
        reporting_endpoints={"pp": "/pp"},
        permissions_policy_report_only="usb=(), serial=();report-to=s",
        permissions_policy_report_to="pp",
    )
    client = app.test_client()

    normal = client.get("/", **HTTPS).headers
    hostile = client.get("/", **HTTPS, headers={"Host": 'evil.example",x="1'}).headers

    assert normal["Permissions-Policy-Report-Only"] == (
        "usb=();report-to=pp, serial=();report-to=s"
    )
    assert hostile["Permissions-Policy-Report-Only"] == "usb=(), serial=()"
    assert "Reporting-Endpoints" not in hostile


def test_report_only_inner_commas_warn_naming_the_report_only_option() -> None:
    value = '(self, "https://example.com")'
    with pytest.warns(
        ConfigurationWarning,
        match=shows("permissions_policy_report_only['geolocation']", repr(value)),
    ):
        Talisman(
            make_app(),
            report_receiver="/r",
            permissions_policy_report_only={"geolocation": value},
        )


@pytest.mark.parametrize(
    "bad",
    [
        {"camera": "(), geolocation=*"},
        {"camera": ["none"]},
        {"camera": ["https://a.example;x"]},
        {"Camera": "()"},
        {"camera": [1]},
        {"camera": {"self"}},
        "camera, geolocation=()",
        "camera=(self; x)",
        "camera=();a=:",
        42,
        ["camera"],
    ],
    ids=repr,
)
def test_report_only_is_refused_with_the_enforcing_message(bad: Any) -> None:
    """The same check as permissions_policy; only the option's name differs."""
    messages = []
    for option in ("permissions_policy", "permissions_policy_report_only"):
        with pytest.raises(ConfigurationError) as error:
            Talisman(make_app(), **{option: bad})
        messages.append(str(error.value))
    assert messages[1] == messages[0].replace(
        "permissions_policy", "permissions_policy_report_only"
    )


# -- Permissions-Policy-Report-Only, per view ------------------------------------


def test_report_only_on_one_view() -> None:
    app = make_app()
    talisman = Talisman(app, report_receiver="/r")

    add_view(app, "/trial", talisman(permissions_policy_report_only={"usb": []}))

    check(
        get(app, "/trial"), {"Permissions-Policy-Report-Only": "usb=()", **RECEIVER_CSP}
    )
    check(get(app), RECEIVER_CSP)


def test_extend_adds_to_the_apps_report_only_allowlists() -> None:
    app = make_app()
    talisman = Talisman(
        app,
        report_receiver="/r",
        permissions_policy={"camera": []},
        permissions_policy_report_only={"geolocation": ["self"], "usb": []},
    )

    add_view(
        app,
        "/maps",
        talisman.extend(
            permissions_policy_report_only={
                "geolocation": ["https://maps.example"],
                "serial": [],
            }
        ),
    )
    add_view(app, "/replaced", talisman(permissions_policy_report_only={"serial": []}))
    add_view(app, "/off", talisman.extend(permissions_policy_report_only=False))

    assert get(app, "/maps").headers["Permissions-Policy-Report-Only"] == (
        'geolocation=(self "https://maps.example"), usb=(), serial=()'
    )
    assert get(app, "/maps").headers["Permissions-Policy"] == "camera=()"
    assert get(app, "/replaced").headers["Permissions-Policy-Report-Only"] == (
        "serial=()"
    )
    assert "Permissions-Policy-Report-Only" not in get(app, "/off").headers


def test_a_views_report_to_applies_to_its_report_only_policy() -> None:
    app = make_app()
    talisman = Talisman(
        app, report_receiver="/r", permissions_policy_report_only={"usb": []}
    )

    add_view(app, "/named", talisman.extend(permissions_policy_report_to="pp"))

    assert get(app).headers["Permissions-Policy-Report-Only"] == "usb=()"
    assert get(app, "/named").headers["Permissions-Policy-Report-Only"] == (
        "usb=();report-to=pp"
    )


def test_a_views_report_only_without_a_default_warns_when_it_compiles() -> None:
    app = make_app()
    talisman = Talisman(app)
    add_view(app, "/trial", talisman(permissions_policy_report_only={"usb": []}))

    with pytest.warns(ConfigurationWarning, match="permissions_policy_report_only"):
        response = get(app, "/trial")

    assert response.headers["Permissions-Policy-Report-Only"] == "usb=()"


# -- properties -------------------------------------------------------------------

features = st.one_of(
    st.sampled_from(["camera", "usb", "geolocation", "fullscreen", "x.y_z-1"]),
    st.text(max_size=10),
)
items = st.one_of(
    st.sampled_from(["self", "'self'", "*", "src", "https://a.example", "'none'"]),
    st.text(max_size=12),
)
allowlists = st.one_of(
    st.booleans(),
    st.lists(items, max_size=3),
    st.sampled_from(
        ["()", "*", "self", '(self "https://a.example")', "();report-to=x"]
    ),
    st.text(max_size=16),
)
policies = st.one_of(
    st.dictionaries(features, allowlists, max_size=3),
    st.text(max_size=40),
    st.builds(
        ", ".join,
        st.lists(
            st.builds("=".join, st.lists(st.text(max_size=8), min_size=2, max_size=2)),
            max_size=3,
        ),
    ),
)


@settings(SETTINGS)
@given(
    policy=policies,
    report_to=st.one_of(st.none(), st.just(False), st.sampled_from(["pp", "a-1"])),
)
def test_any_accepted_report_only_policy_is_a_valid_structured_dictionary(
    policy: Any, report_to: Any
) -> None:
    """Refused, or sent as an RFC 9651 dictionary of allowlists that a
    browser parses whole, each member's report-to a token."""
    app = make_app()
    refused: str | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigurationWarning)
            Talisman(
                app,
                report_receiver="/r",
                permissions_policy_report_only=policy,
                permissions_policy_report_to=report_to,
            )
            sent = get(app).headers.getlist("Permissions-Policy-Report-Only")
    except ConfigurationError as error:
        refused = str(error)
    if refused is not None:
        assert "permissions_policy_report_only" in refused
        return
    assert len(sent) <= 1
    for value in sent:
        assert value.isascii()
        assert value.isprintable()
        parsed = http_sf.parse(value.encode(), tltype="dictionary")
        if isinstance(policy, dict):
            assert list(parsed) == list(policy)
        for allowlist, params in parsed.values():
            if report_to:
                assert "report-to" in params
            if "report-to" in params:
                assert isinstance(params["report-to"], http_sf.Token)
            if isinstance(allowlist, list):
                for item, _ in allowlist:
                    assert isinstance(item, (str, http_sf.Token))
