"""Edge cases: the less travelled branches of validation and request handling.

Each test specifies one behaviour the other test modules leave out: unusual
but legal inputs, the type errors of every option family, responses that
already carry a security header, Talisman outliving its app, WebSocket
handshakes, hooks that ran out of the usual order, and the corners of
``@talisman.extend``. Tests marked BUG in their docstring fail against the
current package on purpose: each exposes a defect.
"""

from __future__ import annotations

import gc
import re
import warnings
import weakref
from typing import Any

import pytest
from flask import Flask, Response, render_template_string, session
from werkzeug.datastructures import Headers
from werkzeug.test import TestResponse

from flask_talisman import (
    DENY,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
    csp_nonce,
)

from .conftest import HTTPS, NONCE_RE, check, make_app

HTTP = {"base_url": "http://localhost"}


def shows(option: str, fragment: str) -> str:
    """A ``match`` pattern: the message names ``option``, then shows ``fragment``."""
    return re.escape(option) + ".*" + re.escape(fragment)


def get(app: Flask, path: str = "/") -> TestResponse:
    response = app.test_client().get(path, **HTTPS)
    assert response.status_code == 200
    return response


# -- BUG: structured-field values that are not validated -----------------------

# An RFC 9651 integer (at most 15 digits) or decimal (at most 12 integer and
# 3 fraction digits): the only numbers a Document-Policy value may hold.
SF_NUMBER_MEMBER = re.compile(r"oversized-images=-?(\d{1,15}|\d{1,12}\.\d{1,3})")


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


def test_permissions_policy_string_member_without_allowlist_is_refused() -> None:
    """BUG: ``camera`` alone is accepted although it means ``camera=?1``.

    ``camera=?1`` is refused (a boolean is not an allowlist; browsers skip the
    member), but the bare key that parses to exactly that is sent as given.
    """
    with pytest.raises(ConfigurationError, match=shows("permissions_policy", "camera")):
        Talisman(make_app(), permissions_policy="camera, geolocation=()")


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


# -- BUG: @talisman.extend and allowlists written with commas ------------------
#
# The comma form (self, "https://a.example") is accepted with a warning, but
# extend splits string policies at every comma, so the view's policy fails to
# compile on each request.


def test_extend_permissions_on_a_string_policy_with_inner_commas_serves_the_view() -> (
    None
):
    """BUG: every request to the extended view is a 500.

    The app's string policy is accepted (with a warning about the commas),
    but ``@talisman.extend`` splits it at every comma, including those inside
    the inner list, and the view's policy fails to compile per request.
    """
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="separates allowlist items"):
        talisman = Talisman(
            app, permissions_policy='geolocation=(self, "https://a.example")'
        )

    @app.route("/camera")
    @talisman.extend(permissions_policy={"camera": ["self"]})
    def camera() -> str:
        return "camera"

    header = get(app, "/camera").headers["Permissions-Policy"]
    assert header.startswith("geolocation=(self")
    assert "https://a.example" in header
    assert header.endswith("camera=(self)")


def test_extend_permissions_with_inner_commas_is_warned_about_and_served() -> None:
    """BUG: the decorator warns and accepts it; the view then answers 500."""
    app = make_app()
    talisman = Talisman(app, permissions_policy={"camera": "()"})
    with pytest.warns(ConfigurationWarning, match="separates allowlist items"):

        @app.route("/camera")
        @talisman.extend(permissions_policy='camera=(self, "https://a.example")')
        def camera() -> str:
            return "camera"

    header = get(app, "/camera").headers["Permissions-Policy"]
    assert header.startswith("camera=(self")
    assert "https://a.example" in header


# -- header values are ASCII ----------------------------------------------------


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


# -- booleans and the session cookie -------------------------------------------


def test_none_turns_a_boolean_option_off() -> None:
    app = make_app()
    talisman = Talisman(app, force_https=None, x_content_type_options=None)
    # As in flask-talisman 1.1.0, the attribute is what was given.
    assert talisman.force_https is None
    assert talisman.x_content_type_options is None
    response = app.test_client().get("/", **HTTP)
    assert response.status_code == 200  # not redirected
    check(response, {"X-Content-Type-Options": None, "Strict-Transport-Security": None})


@pytest.mark.parametrize("value", [None, False])
def test_samesite_off_leaves_the_attribute_out_of_the_cookie(value: Any) -> None:
    app = make_app()

    @app.route("/login")
    def login() -> str:
        session["user"] = "me"
        return "in"

    talisman = Talisman(app, session_cookie_samesite=value)
    assert talisman.session_cookie_samesite is value  # kept as given
    assert app.config["SESSION_COOKIE_SAMESITE"] is None
    cookie = app.test_client().get("/login", **HTTPS).headers["Set-Cookie"]
    assert "SameSite" not in cookie
    assert "; Secure" in cookie


@pytest.mark.parametrize("value", [1, True, ["Lax"]])
def test_samesite_that_is_not_a_str_is_refused(value: Any) -> None:
    with pytest.raises(
        ConfigurationError,
        match=shows("session_cookie_samesite", repr(value)) + ".*not a SameSite value",
    ):
        Talisman(make_app(), session_cookie_samesite=value)


def test_session_cookie_option_can_change_after_the_app_is_gone() -> None:
    talisman = Talisman()
    app = make_app()
    talisman.init_app(app)
    # A reference to one of the app's option values keeps its options alive.
    policy = talisman.content_security_policy
    app_ref = weakref.ref(app)
    del app
    gc.collect()
    assert app_ref() is None
    talisman.session_cookie_samesite = "Strict"
    assert talisman.session_cookie_samesite == "Strict"
    assert policy == {"default-src": "'self'", "object-src": "'none'"}


# -- type errors of each option family -----------------------------------------


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


# -- Content-Security-Policy ----------------------------------------------------


def test_csp_directive_with_value_none_is_sent_without_sources() -> None:
    app = make_app()
    Talisman(
        app,
        content_security_policy={
            "default-src": "'self'",
            "upgrade-insecure-requests": None,
        },
    )
    assert (
        get(app).headers["Content-Security-Policy"]
        == "default-src 'self'; upgrade-insecure-requests"
    )


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


# -- nonce_in -------------------------------------------------------------------


def nonces_in(response: TestResponse) -> list[str]:
    return NONCE_RE.findall(response.headers["Content-Security-Policy"])


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


# -- Permissions-Policy and Document-Policy -------------------------------------


@pytest.mark.parametrize(
    ("allowlist", "header"),
    [
        pytest.param(["*"], "geolocation=*", id="star-alone"),
        pytest.param(
            ["'src'", "https://a.example"],
            'geolocation=(src "https://a.example")',
            id="quoted-src",
        ),
        pytest.param(
            ['"https://a.example"', "'self'"],
            'geolocation=("https://a.example" self)',
            id="already-double-quoted-origin",
        ),
    ],
)
def test_permissions_allowlist_items_are_normalised(
    allowlist: list[str], header: str
) -> None:
    app = make_app()
    Talisman(app, permissions_policy={"geolocation": allowlist})
    assert get(app).headers["Permissions-Policy"] == header


@pytest.mark.parametrize(
    ("policy", "header"),
    [
        pytest.param(
            "camera=(), , geolocation=()",
            "camera=(), geolocation=()",
            id="empty-member",
        ),
        pytest.param("camera=(),", "camera=()", id="trailing-comma"),
    ],
)
def test_permissions_policy_string_drops_empty_members(
    policy: str, header: str
) -> None:
    app = make_app()
    Talisman(app, permissions_policy=policy)
    assert get(app).headers["Permissions-Policy"] == header


@pytest.mark.parametrize("value", [None, False, ""])
def test_permissions_policy_off_sends_no_header(value: Any) -> None:
    app = make_app()
    Talisman(app, permissions_policy=value)
    check(get(app), {"Permissions-Policy": None})


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

    @app.route("/plain")
    @talisman(document_policy=None)
    def plain() -> str:
        return "plain"

    check(get(app), {"Document-Policy": "force-load-at-top"})
    check(get(app, "/plain"), {"Document-Policy": None})


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [
        pytest.param(
            {"fullscreen": True},
            {"fullscreen": ["self"]},
            "fullscreen=*",
            id="allow-all-stays-allow-all",
        ),
        pytest.param(
            {"camera": False},
            {"camera": ["self"]},
            "camera=(self)",
            id="disabled-opened-for-the-new-items",
        ),
        pytest.param(
            None,
            {"camera": ["self"]},
            "camera=(self)",
            id="no-inherited-policy",
        ),
        pytest.param(
            "camera=(), ",
            {"camera": ["self"]},
            "camera=(self)",
            id="string-with-trailing-comma",
        ),
        pytest.param(
            {"camera": "(self)"},
            {"camera": '("https://a.example");report-to=main'},
            'camera=("https://a.example");report-to=main',
            id="parameters-cannot-merge-so-the-views-value-is-used",
        ),
    ],
)
def test_extend_permissions_edge_cases(base: Any, extra: Any, expected: str) -> None:
    app = make_app()
    talisman = Talisman(app, permissions_policy=base)

    @app.route("/extended")
    @talisman.extend(permissions_policy=extra)
    def extended() -> str:
        return "extended"

    assert get(app, "/extended").headers["Permissions-Policy"] == expected


# -- responses that already carry security headers ------------------------------


def test_headers_the_view_set_are_replaced_and_others_kept() -> None:
    app = make_app()

    @app.route("/own")
    def own() -> Response:
        response = Response("own")
        response.headers["x-frame-options"] = "DENY"  # any case
        response.headers.add("Content-Security-Policy", "default-src *")
        response.headers.add("Content-Security-Policy", "img-src *")
        response.headers["Document-Policy"] = "force-load-at-top"  # not Talisman's
        return response

    Talisman(app)
    check(get(app, "/own"), {"Document-Policy": "force-load-at-top"})


class AuditedHeaders(Headers):
    """A Headers subclass that records every header set through its API."""

    def __init__(self) -> None:
        super().__init__()
        self.set_names: list[str] = []

    def __setitem__(self, key: Any, value: Any) -> None:
        self.set_names.append(key)
        super().__setitem__(key, value)


def test_a_headers_subclass_is_written_through_its_own_api() -> None:
    app = make_app()
    audited = AuditedHeaders()

    @app.route("/audited")
    def view() -> Response:
        return Response("audited", headers=audited)

    Talisman(app)
    response = get(app, "/audited")
    check(response, {})
    assert set(audited.set_names) >= {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Frame-Options",
    }


# -- the extension --------------------------------------------------------------


def test_csp_nonce_outside_any_context_is_empty() -> None:
    # Not the `app` fixture: pytest-flask would push a request context.
    app = make_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    assert csp_nonce() == ""
    with app.app_context():
        assert render_template_string("[{{ csp_nonce() }}]") == "[]"


def test_misspelt_option_attribute_warns_and_changes_nothing() -> None:
    app = make_app()
    talisman = Talisman(app)
    with pytest.warns(
        ConfigurationWarning,
        match=re.escape(
            "Talisman.force_http is not an option, so it changes nothing. "
            "Did you mean 'force_https'?"
        ),
    ):
        talisman.force_http = False
    assert talisman.force_https is True
    assert app.test_client().get("/", **HTTP).status_code == 302


def test_view_with_a_cyclic_wrapped_chain_gets_the_apps_headers() -> None:
    app = make_app()

    def looping() -> str:
        return "looping"

    looping.__wrapped__ = looping  # type: ignore[attr-defined]
    app.add_url_rule("/looping", view_func=looping)
    Talisman(app, frame_options=DENY)
    check(get(app, "/looping"), {"X-Frame-Options": "DENY"})


def test_first_request_of_a_view_repeats_no_configuration_warning() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="scirpt-src"):
        talisman = Talisman(
            app,
            content_security_policy={"default-src": "'self'", "scirpt-src": "'self'"},
        )

    @app.route("/framed")
    @talisman(frame_options=DENY)
    def framed() -> str:
        return "framed"

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


# -- requests that bypass the usual path ----------------------------------------


@pytest.mark.parametrize(
    ("options", "headers", "hsts"),
    [
        pytest.param({}, {}, False, id="plain-http"),
        pytest.param({}, {"X-Forwarded-Proto": "https"}, True, id="forwarded-https"),
        pytest.param(
            {"trust_x_forwarded_proto": False},
            {"X-Forwarded-Proto": "https"},
            False,
            id="forwarded-https-untrusted",
        ),
    ],
)
def test_response_of_an_earlier_hook_gets_the_headers_for_its_scheme(
    options: dict[str, Any], headers: dict[str, str], hsts: bool
) -> None:
    app = make_app()

    @app.before_request
    def maintenance() -> tuple[str, int]:
        return "maintenance", 503

    Talisman(app, **options)
    response = app.test_client().get("/", headers=headers, **HTTP)
    assert response.status_code == 503  # Talisman's hook never ran: no redirect
    check(response, {} if hsts else {"Strict-Transport-Security": None})


def test_websocket_handshake_over_ws_is_not_redirected() -> None:
    app = make_app()
    app.add_url_rule("/ws", "ws", lambda: "ws", websocket=True)
    Talisman(app)
    client = app.test_client()
    response = client.get("/ws", base_url="ws://localhost")
    assert response.status_code == 200
    assert "Location" not in response.headers
    check(response, {"Strict-Transport-Security": None})
    check(client.get("/ws", base_url="wss://localhost"), {})


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_document_policy_non_finite_numbers_are_refused(number: float) -> None:
    with pytest.raises(ConfigurationError, match="not a structured-field decimal"):
        Talisman(make_app(), document_policy={"oversized-images": number})
