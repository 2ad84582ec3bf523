"""Cookies: the session cookie's flags and harden_cookies."""

from __future__ import annotations

import gc
import logging
import re
import weakref
from typing import Any

import pytest
from flask import (
    Blueprint,
    Flask,
    Response,
    session,
)

import flask_talisman
from flask_talisman import (
    ConfigurationError,
    Talisman,
)

from .conftest import HTTP, HTTPS, PER_VIEW_REFUSED, get, make_app, refused_test, shows

# -- contract: options in, exact headers out; values refused ----------------


REFUSED: list[tuple[str, str, Any, str]] = [
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
    ("session_cookie_samesite", "session_cookie_samesite", "Sideways", "'Sideways'"),
    ("session_cookie_http_only", "session_cookie_http_only", "yes", "'yes'"),
]


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


# One cookie: (name, value, set_cookie keyword arguments).
Cookie = tuple[str, str, dict[str, Any]]


A: Cookie = ("a", "1", {})


B: Cookie = ("b", "2", {})


HARDENED_A = "a=1; Path=/; Secure; HttpOnly; SameSite=Lax"


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


@pytest.mark.parametrize(
    ("attributes", "header", "named"),
    [
        pytest.param(
            {"path": "/sub"},
            "__Host-x=1; Path=/sub; Secure; HttpOnly; SameSite=Lax",
            "Path=/",
            id="another-path",
        ),
        pytest.param(
            {"domain": "example.com"},
            "__Host-x=1; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax",
            "Domain",
            id="a-domain",
        ),
    ],
)
def test_host_prefix_with_another_path_or_a_domain_is_logged_not_fixed(
    attributes: dict[str, str],
    header: str,
    named: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A ``__Host-`` cookie with another path or a domain is hardened, not fixed."""
    caplog.set_level(logging.WARNING, logger="flask_talisman")
    app = cookie_app([("__Host-x", "1", attributes)], **ON)
    assert set_cookie_headers(app) == [header]
    messages = talisman_warnings(caplog)
    assert len(messages) == 1
    assert "'__Host-x'" in messages[0]
    assert named in messages[0]


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


# -- the session cookie ----------------------------------------------------------


def test_session_cookie_flags_are_applied_at_init_app(app: Flask) -> None:
    Talisman(app)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"

    @app.route("/login")
    def login() -> str:
        session["user"] = "me"
        return "in"

    cookie = app.test_client().get("/login", **HTTPS).headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


def test_debug_mode_leaves_secure_cookie_off() -> None:
    app = make_app()
    app.debug = True
    Talisman(app)
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_session_cookie_attribute_updates_config(app: Flask) -> None:
    t = Talisman(app)
    t.session_cookie_samesite = "Strict"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    with pytest.raises(flask_talisman.ConfigurationError):
        t.session_cookie_samesite = "Sideways"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"


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
