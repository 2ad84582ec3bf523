"""Permissions-Policy, Document-Policy and Feature-Policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

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

# -- contract: options in, exact headers out; values refused ----------------


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


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


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
