"""Differential: this package against the real flask-talisman 1.1.0.

Each configuration is applied, the same way, to an app using our package and
to an app using flask-talisman 1.1.0 (installed at test time, see
:mod:`tests.reference`). The configurations are the ways 1.1.0 code uses
the API: its README's options, per-view decorators, a view attribute,
attribute edits after ``init_app`` and sequences of them, app factories.
Every request kind is sent to both apps, which must give the same status,
``Location``, header values and cookie flags, nonces aside. Where they
differ on purpose, :data:`DIFFERENCES` says how, and ``docs/migration.rst``
says why.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import flask
import pytest
from flask import Flask, render_template_string, session
from werkzeug.test import TestResponse

import flask_talisman

from . import reference
from .conftest import make_app

NONCE = re.compile(r"nonce-[A-Za-z0-9_-]+")
#: Headers that are the app's, not the extension's.
NOT_OURS = {"Content-Length", "Content-Type", "Vary"}

Configure = Callable[[ModuleType], dict[str, Any]]
Edit = Callable[[Any, ModuleType], None]


@dataclass
class Case:
    """One configuration, as 1.1.0 code writes it."""

    id: str
    options: Configure = lambda m: {}
    #: Attribute edits after init_app, in order.
    edits: list[Edit] = field(default_factory=list)
    #: Per-view decorator options, by path ("/view/<name>").
    views: dict[str, Configure] = field(default_factory=dict)
    #: Talisman() first, then init_app(app, **options).
    factory: bool = False
    #: Debug mode on before Talisman is set up (``flask run --debug``).
    debug: bool = False


def attr(name: str, value: Callable[[ModuleType], Any] | Any) -> Edit:
    def edit(talisman: Any, module: ModuleType) -> None:
        setattr(talisman, name, value(module) if callable(value) else value)

    return edit


def item(name: str, key: str, value: Any) -> Edit:
    def edit(talisman: Any, module: ModuleType) -> None:
        getattr(talisman, name)[key] = value

    return edit


GOOGLE: Configure = lambda m: {"content_security_policy": m.GOOGLE_CSP_POLICY}  # noqa: E731
CASES = [
    Case("defaults"),
    Case("debug", debug=True),
    Case(
        "debug-nonce",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "script-src": "'self'",
            },
            "content_security_policy_nonce_in": ["script-src"],
        },
        debug=True,
    ),
    Case("factory", factory=True),
    Case("factory-options", lambda m: {"force_https": False}, factory=True),
    Case("no-force-https", lambda m: {"force_https": False}),
    Case("permanent-redirect", lambda m: {"force_https_permanent": True}),
    Case("frame-deny", lambda m: {"frame_options": m.DENY}),
    Case("frame-off", lambda m: {"frame_options": None}),
    Case(
        "frame-allow-from",
        lambda m: {
            "frame_options": m.ALLOW_FROM,
            "frame_options_allow_from": "https://a.example",
        },
    ),
    Case("hsts-off", lambda m: {"strict_transport_security": False}),
    Case(
        "hsts-preload",
        lambda m: {
            "strict_transport_security_preload": True,
            "strict_transport_security_max_age": 63072000,
        },
    ),
    Case(
        "hsts-no-subdomains",
        lambda m: {"strict_transport_security_include_subdomains": False},
    ),
    Case("hsts-max-age-zero", lambda m: {"strict_transport_security_max_age": 0}),
    Case("google-csp", GOOGLE),
    Case(
        "csp-dict-with-lists",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "img-src": ["'self'", "https://img.example", "data:"],
                "script-src": ["'self'", "https://cdn.example"],
            }
        },
    ),
    Case(
        "csp-string",
        lambda m: {"content_security_policy": "default-src 'self'; img-src *"},
    ),
    Case(
        "csp-string-repeated-directive",
        lambda m: {
            "content_security_policy": (
                "default-src 'self'; frame-ancestors 'none'; frame-ancestors *"
            )
        },
    ),
    Case("csp-off-none", lambda m: {"content_security_policy": None}),
    Case("csp-off-false", lambda m: {"content_security_policy": False}),
    Case("csp-off-empty", lambda m: {"content_security_policy": {}}),
    Case(
        "csp-report-uri",
        lambda m: {"content_security_policy_report_uri": "https://r.example/csp"},
    ),
    Case(
        "csp-report-only",
        lambda m: {
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "/csp-report",
        },
    ),
    Case(
        "csp-report-uri-directive",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "report-uri": "/in-policy",
            },
            "content_security_policy_report_uri": "/option",
        },
    ),
    Case(
        "nonce-script-src",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "script-src": "'self'",
            },
            "content_security_policy_nonce_in": ["script-src"],
        },
    ),
    Case(
        "nonce-script-and-style",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "script-src": ["'self'", "https://cdn.example"],
                "style-src": "'self'",
            },
            "content_security_policy_nonce_in": ["script-src", "style-src"],
        },
    ),
    # A real public app: a nonce asked for in style-src-attr, beside a
    # style-src with 'unsafe-inline' (browsers ignore nonces on attributes).
    Case(
        "nonce-in-style-src-attr",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "style-src": ["'self'", "'unsafe-inline'"],
            },
            "content_security_policy_nonce_in": ["style-src-attr"],
        },
    ),
    Case(
        "nonce-in-script-src-and-style-src-attr",
        lambda m: {
            "content_security_policy": {
                "default-src": "'self'",
                "script-src": "'self'",
                "style-src": ["'self'", "'unsafe-inline'"],
            },
            "content_security_policy_nonce_in": ["script-src", "style-src-attr"],
        },
    ),
    Case(
        "csp-set-sources-and-nonce-in",
        lambda m: {
            "content_security_policy": {
                "default-src": {"'self'"},
                "script-src": frozenset({"https://cdn.example"}),
            },
            "content_security_policy_nonce_in": {"script-src"},
        },
    ),
    # Flags read by truth value and a max-age formatted as given, as
    # code that reads its settings from files or the environment writes them.
    Case(
        "flags-as-ints",
        lambda m: {
            "force_https": 1,
            "force_https_permanent": 1,
            "strict_transport_security": 1,
            "strict_transport_security_include_subdomains": 0,
            "session_cookie_secure": 1,
            "session_cookie_http_only": 0,
            "x_content_type_options": 1,
            "x_xss_protection": 1,
        },
    ),
    Case(
        "flags-off-as-ints",
        lambda m: {
            "force_https": 0,
            "strict_transport_security": 0,
            "x_content_type_options": 0,
            "x_xss_protection": 0,
        },
    ),
    Case(
        "cookie-flags-false",
        lambda m: {"session_cookie_http_only": False, "session_cookie_secure": False},
    ),
    Case("hsts-max-age-str", lambda m: {"strict_transport_security_max_age": "600"}),
    Case(
        "report-only-int",
        lambda m: {
            "content_security_policy_report_only": 1,
            "content_security_policy_report_uri": "/csp-report",
        },
    ),
    Case("referrer", lambda m: {"referrer_policy": "no-referrer"}),
    Case(
        "permissions-dict",
        lambda m: {
            "permissions_policy": {
                "geolocation": "()",
                "camera": "(self)",
                "fullscreen": '(self "https://a.example")',
            }
        },
    ),
    Case(
        "permissions-string",
        lambda m: {"permissions_policy": "geolocation=(), camera=()"},
    ),
    Case("permissions-off", lambda m: {"permissions_policy": {}}),
    Case(
        "document-policy",
        lambda m: {
            "document_policy": {"oversized-images": "?0", "document-write": "?0"}
        },
    ),
    Case(
        "document-policy-string",
        lambda m: {"document_policy": "oversized-images=?0, document-write=?0"},
    ),
    Case("feature-policy", lambda m: {"feature_policy": {"geolocation": "'none'"}}),
    Case("feature-policy-string", lambda m: {"feature_policy": "vibrate 'none'"}),
    Case("session-not-secure", lambda m: {"session_cookie_secure": False}),
    Case("session-samesite-strict", lambda m: {"session_cookie_samesite": "Strict"}),
    Case("session-samesite-none", lambda m: {"session_cookie_samesite": None}),
    Case("nosniff-off", lambda m: {"x_content_type_options": False}),
    Case("xss-protection", lambda m: {"x_xss_protection": True}),
    Case("file-save", lambda m: {"force_file_save": True}),
    Case(
        "many-at-once",
        lambda m: {
            "force_https": False,
            "frame_options": m.DENY,
            "strict_transport_security_preload": True,
            "content_security_policy": m.GOOGLE_CSP_POLICY,
            "content_security_policy_nonce_in": ["script-src"],
            "referrer_policy": "same-origin",
            "x_xss_protection": True,
            "force_file_save": True,
        },
    ),
    # Per-view decorators, as 1.1.0's README shows them.
    Case(
        "views",
        views={
            "/view/nocsp": lambda m: {"content_security_policy": None},
            "/view/deny": lambda m: {"frame_options": m.DENY},
            "/view/embeddable": lambda m: {
                "frame_options": m.ALLOW_FROM,
                "frame_options_allow_from": "*",
            },
            "/view/plain": lambda m: {"force_https": False},
            "/view/nonce": lambda m: {
                "content_security_policy": {
                    "default-src": "'self'",
                    "script-src": "'self'",
                },
                "content_security_policy_nonce_in": ["script-src"],
            },
            "/view/permissions": lambda m: {"permissions_policy": {"camera": "()"}},
            "/view/document": lambda m: {"document_policy": {"document-write": "?0"}},
            "/view/feature": lambda m: {"feature_policy": {"camera": "'none'"}},
        },
    ),
    Case(
        "views-over-app-options",
        lambda m: {
            "frame_options": m.DENY,
            "content_security_policy": m.GOOGLE_CSP_POLICY,
        },
        views={"/view/sameorigin": lambda m: {"frame_options": m.SAMEORIGIN}},
    ),
    # Attribute edits after init_app, and sequences of them in either order.
    Case("edit-force-https", edits=[attr("force_https", False)]),
    Case("edit-permanent", edits=[attr("force_https_permanent", True)]),
    Case("edit-hsts-off", edits=[attr("strict_transport_security", False)]),
    Case(
        "edit-hsts-tokens",
        edits=[
            attr("strict_transport_security_include_subdomains", False),
            attr("strict_transport_security_preload", True),
        ],
    ),
    Case("edit-frame-deny", edits=[attr("frame_options", lambda m: m.DENY)]),
    Case(
        "edit-allow-from-then-origin",
        edits=[
            attr("frame_options", lambda m: m.ALLOW_FROM),
            attr("frame_options_allow_from", "example.com"),
        ],
    ),
    Case(
        "edit-origin-then-allow-from",
        edits=[
            attr("frame_options_allow_from", "example.com"),
            attr("frame_options", lambda m: m.ALLOW_FROM),
        ],
    ),
    Case(
        "edit-report-only-then-uri",
        edits=[
            attr("content_security_policy_report_only", True),
            attr("content_security_policy_report_uri", "https://example.com"),
        ],
    ),
    Case(
        "edit-uri-then-report-only",
        edits=[
            attr("content_security_policy_report_uri", "https://example.com"),
            attr("content_security_policy_report_only", True),
        ],
    ),
    Case(
        "edit-policy-then-nonce",
        edits=[
            attr(
                "content_security_policy",
                {"default-src": "'self'", "script-src": "'self'"},
            ),
            attr("content_security_policy_nonce_in", ["script-src"]),
        ],
    ),
    Case(
        "edit-nonce-then-policy",
        edits=[
            attr("content_security_policy_nonce_in", ["script-src"]),
            attr("content_security_policy", "default-src 'self'; script-src 'self'"),
        ],
    ),
    Case(
        "edit-csp-in-place",
        edits=[
            item("content_security_policy", "img-src", ["'self'", "example.com"]),
            item("content_security_policy", "script-src", "'self'"),
        ],
    ),
    Case(
        "edit-csp-string",
        edits=[attr("content_security_policy", "default-src 'self' spam.eggs")],
    ),
    Case("edit-csp-off", edits=[attr("content_security_policy", False)]),
    Case(
        "edit-permissions-in-place",
        edits=[item("permissions_policy", "geolocation", "()")],
    ),
    Case("edit-permissions-off", edits=[attr("permissions_policy", {})]),
    Case(
        "edit-document-in-place",
        edits=[item("document_policy", "oversized-images", "?0")],
    ),
    Case(
        "edit-feature-in-place", edits=[item("feature_policy", "geolocation", "'none'")]
    ),
    Case("edit-referrer", edits=[attr("referrer_policy", "no-referrer")]),
    Case("edit-xss", edits=[attr("x_xss_protection", True)]),
    Case("edit-nosniff-off", edits=[attr("x_content_type_options", False)]),
    Case("edit-file-save", edits=[attr("force_file_save", True)]),
]

#: Request kinds: (id, method, path, keyword arguments for the test client).
REQUESTS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("https", "GET", "/", {"base_url": "https://localhost"}),
    ("http", "GET", "/", {}),
    ("proxy-https", "GET", "/", {"headers": {"X-Forwarded-Proto": "https"}}),
    ("https-404", "GET", "/missing", {"base_url": "https://localhost"}),
    ("http-404", "GET", "/missing", {}),
    ("https-post", "POST", "/form", {"base_url": "https://localhost"}),
    ("http-post", "POST", "/form", {}),
    ("https-nonce", "GET", "/nonce", {"base_url": "https://localhost"}),
    ("https-session", "GET", "/session", {"base_url": "https://localhost"}),
    (
        "http-session-proxy",
        "GET",
        "/session",
        {"headers": {"X-Forwarded-Proto": "https"}},
    ),
    ("health-attribute", "GET", "/health", {}),
]


def build(module: ModuleType, case: Case) -> tuple[Flask, Any]:
    """An app set up with ``module``'s Talisman as ``case`` says, and the Talisman."""
    app = make_app(f"differential_{module.__name__}")  # "/", "/other", "/form"
    app.debug = case.debug
    if case.factory:
        talisman = module.Talisman()
        talisman.init_app(app, **case.options(module))
    else:
        talisman = module.Talisman(app, **case.options(module))

    @app.route("/nonce")
    def nonce() -> str:
        return render_template_string("<script nonce='{{ csp_nonce() }}'></script>")

    @app.route("/session")
    def set_session() -> str:
        session["user"] = "me"
        return "session"

    def health() -> str:
        return "ok"

    # A pattern of real applications: the app sets the attribute 1.1.0 read.
    health.talisman_view_options = {"force_https": False}  # type: ignore[attr-defined]
    app.add_url_rule("/health", "health", health)

    for path, options in case.views.items():

        def view() -> str:
            return render_template_string("<p nonce='{{ csp_nonce() }}'>view</p>")

        app.add_url_rule(path, path, talisman(**options(module))(view))
    for edit in case.edits:
        edit(talisman, module)
    return app, talisman


def cookie_flags(response: TestResponse) -> list[tuple[str, frozenset[str]]]:
    cookies = []
    for line in response.headers.getlist("Set-Cookie"):
        name, *attributes = (part.strip() for part in line.split(";"))
        flags = frozenset(
            a.split("=")[0].lower()
            + ("=" + a.split("=", 1)[1] if a.lower().startswith("samesite") else "")
            for a in attributes
        )
        cookies.append((name.split("=")[0], flags))
    return cookies


def outcome(response: TestResponse) -> dict[str, Any]:
    """What must match: status, Location, header values and cookie flags."""
    headers = {
        name: NONCE.sub("nonce-N", value)
        for name, value in response.headers
        if name not in NOT_OURS and name != "Set-Cookie"
    }
    # The nonce in the page is the one in the header.
    nonces = set(NONCE.findall(response.get_data(as_text=True)))
    header_nonces = set(
        NONCE.findall(response.headers.get("Content-Security-Policy", ""))
    )
    return {
        "status": response.status_code,
        "headers": headers,
        "cookies": cookie_flags(response),
        "page nonce in header": nonces <= header_nonces if nonces else None,
    }


#: Deliberate differences (docs/migration.rst), as functions that turn 1.1.0's
#: outcome into ours. Each returns the outcome unchanged where it does not apply.
def redirect_carries_the_nonce(
    case: Case, request: str, theirs: dict[str, Any], ours: dict[str, Any]
) -> dict[str, Any]:
    # "The HTTPS redirect carries the nonce": 1.1.0 made the nonce after its
    # redirect check, so its redirect's CSP lacks the nonce source.
    if theirs["status"] in (301, 302) and "Content-Security-Policy" in ours["headers"]:
        theirs["headers"]["Content-Security-Policy"] = ours["headers"][
            "Content-Security-Policy"
        ]
    return theirs


def nonced_pages_are_private(
    case: Case, request: str, theirs: dict[str, Any], ours: dict[str, Any]
) -> dict[str, Any]:
    # "A page that uses its nonce is kept out of shared caches": a body
    # carrying the header's nonce gets Cache-Control: private, which 1.1.0
    # never sent (the views here set no Cache-Control of their own; which
    # bodies count is specified in tests/test_caching.py).
    if (
        ours["headers"].get("Cache-Control") == "private"
        and "nonce-N" in ours["headers"].get("Content-Security-Policy", "")
        and "Cache-Control" not in theirs["headers"]
    ):
        theirs["headers"]["Cache-Control"] = "private"
    return theirs


DIFFERENCES = [redirect_carries_the_nonce, nonced_pages_are_private]


@pytest.fixture(scope="module")
def talisman_110() -> ModuleType:
    return reference.load()


@pytest.fixture(autouse=True)
def no_warning_errors() -> Iterator[None]:
    # Our warnings (ALLOW-FROM advice, a directive given twice, ...) are
    # specified elsewhere; here only the responses are compared.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", flask_talisman.ConfigurationWarning)
        yield


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_same_responses_as_flask_talisman_1_1_0(
    case: Case, talisman_110: ModuleType
) -> None:
    ours_app, theirs_app = build(flask_talisman, case)[0], build(talisman_110, case)[0]
    paths = [(name, method, path, kw) for name, method, path, kw in REQUESTS]
    for path in case.views:
        paths.append((f"https{path}", "GET", path, {"base_url": "https://localhost"}))
        paths.append((f"http{path}", "GET", path, {}))
    for request, method, path, kwargs in paths:
        # A fresh client per request, for the session cookie.
        ours = outcome(ours_app.test_client().open(path, method=method, **kwargs))
        theirs = outcome(theirs_app.test_client().open(path, method=method, **kwargs))
        for difference in DIFFERENCES:
            theirs = difference(case, request, theirs, ours)
        assert ours == theirs, f"{case.id} / {request}"


#: Deliberate differences, each listed in docs/migration.rst: a case, a
#: request kind, a header, and what 1.1.0 and we send (None: no header).
DELIBERATE = [
    (
        "nonce-creates-the-directive",
        Case("n", lambda m: {"content_security_policy_nonce_in": ["script-src"]}),
        "https-nonce",
        "Content-Security-Policy",
        "default-src 'self'; object-src 'none'",
        "default-src 'self'; object-src 'none'; script-src 'self' 'nonce-N'",
    ),
    (
        "referrer-none-sends-nothing",
        Case("r", lambda m: {"referrer_policy": None}),
        "https",
        "Referrer-Policy",
        "None",
        None,
    ),
    (
        "per-view-referrer-policy",
        Case("v", views={"/view/r": lambda m: {"referrer_policy": "no-referrer"}}),
        "https/view/r",
        "Referrer-Policy",
        "strict-origin-when-cross-origin",
        "no-referrer",
    ),
    (
        "upgrade-insecure-requests-not-on-plain-http",
        Case(
            "u",
            lambda m: {
                "force_https": False,
                "content_security_policy": "default-src 'self'; upgrade-insecure-requests",
            },
        ),
        "http",
        "Content-Security-Policy",
        "default-src 'self'; upgrade-insecure-requests ",
        "default-src 'self'",
    ),
    (
        "permissions-policy-list",
        Case("p", lambda m: {"permissions_policy": {"camera": ["self"]}}),
        "https",
        "Permissions-Policy",
        "camera=['self']",
        "camera=(self)",
    ),
]


@pytest.mark.parametrize(
    ("case", "request_id", "header", "theirs", "ours"),
    [row[1:] for row in DELIBERATE],
    ids=[row[0] for row in DELIBERATE],
)
def test_deliberate_differences_are_as_documented(
    case: Case,
    request_id: str,
    header: str,
    theirs: str | None,
    ours: str | None,
    talisman_110: ModuleType,
) -> None:
    kinds = {name: (method, path, kw) for name, method, path, kw in REQUESTS}
    for path in case.views:
        kinds[f"https{path}"] = ("GET", path, {"base_url": "https://localhost"})
    method, path, kwargs = kinds[request_id]
    got = {}
    for module in (talisman_110, flask_talisman):
        app, _ = build(module, case)
        response = app.test_client().open(path, method=method, **kwargs)
        got[module] = outcome(response)["headers"].get(header)
    assert (got[talisman_110], got[flask_talisman]) == (theirs, ours)


def test_a_decorated_view_follows_later_app_changes(talisman_110: ModuleType) -> None:
    # 1.1.0 wrote the app's options into the view's dict on its first request,
    # so a later change of the app's options never reached that view.
    got = {}
    for module in (talisman_110, flask_talisman):
        case = Case("f", views={"/view/f": lambda m: {"frame_options": m.DENY}})
        app, talisman = build(module, case)
        client = app.test_client()
        client.get("/view/f", base_url="https://localhost")
        talisman.content_security_policy = "default-src 'none'"
        response = client.get("/view/f", base_url="https://localhost")
        got[module] = response.headers.get("Content-Security-Policy")
    assert got == {
        talisman_110: "default-src 'self'; object-src 'none'",
        flask_talisman: "default-src 'none'",
    }


def test_a_nonce_the_app_set_before_talisman_is_kept_as_by_1_1_0(
    talisman_110: ModuleType,
) -> None:
    """Apps restored a cached page's nonce into request.csp_nonce."""
    for module in (flask_talisman, talisman_110):
        app = make_app(f"restored_{module.__name__}")

        @app.before_request
        def restore() -> None:
            flask.request.csp_nonce = "restoredNonce0123456789abcdefXYZ"  # type: ignore[attr-defined]

        module.Talisman(
            app,
            content_security_policy={"default-src": "'self'", "script-src": "'self'"},
            content_security_policy_nonce_in=["script-src"],
        )

        @app.route("/page")
        def page() -> str:
            return render_template_string("<script nonce='{{ csp_nonce() }}'>")

        response = app.test_client().get("/page", base_url="https://localhost")
        assert response.get_data(as_text=True) == (
            "<script nonce='restoredNonce0123456789abcdefXYZ'>"
        ), module.__name__
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'self'; script-src 'self' "
            "'nonce-restoredNonce0123456789abcdefXYZ'"
        ), module.__name__
