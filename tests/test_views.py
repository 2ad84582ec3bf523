"""Per-view options: the decorator, extend, blueprints, the view attribute and how they compose."""

from __future__ import annotations

import functools
import warnings
from typing import Any, ClassVar

import pytest
from flask import (
    Blueprint,
    Flask,
)
from flask.views import MethodView

from flask_talisman import (
    DENY,
    NONCE,
    SAMEORIGIN,
    SELF,
    ConfigurationWarning,
    Talisman,
)

from .conftest import (
    HTTPS,
    INTEGRITY_DICT,
    INTEGRITY_HEADER,
    add_view,
    blueprint_app,
    check,
    get,
    headers,
    make_app,
)

# -- the decorator ---------------------------------------------------------------


def test_decorator_below_and_above_route(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/below")
    @t(frame_options=DENY)
    def below() -> str:
        return "below"

    @t(frame_options=None)
    @app.route("/above")
    def above() -> str:
        return "above"

    client = app.test_client()
    check(client.get("/below", **HTTPS), {"X-Frame-Options": "DENY"})
    check(client.get("/above", **HTTPS), {"X-Frame-Options": None})
    check(client.get("/", **HTTPS), {})


def test_decorator_on_async_view(app: Flask) -> None:
    pytest.importorskip("asgiref")
    t = Talisman(app)

    @app.route("/async")
    @t(frame_options=DENY, content_security_policy="default-src 'none'")
    async def async_view() -> str:
        return "async"

    response = app.test_client().get("/async", **HTTPS)
    assert response.get_data(as_text=True) == "async"
    check(
        response,
        {"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'"},
    )


def test_decorator_on_blueprint_and_class_based_views(app: Flask) -> None:
    t = Talisman()
    bp = Blueprint("bp", __name__)

    @bp.route("/bp")
    @t(frame_options=DENY)
    def bp_view() -> str:
        return "bp"

    class Item(MethodView):
        decorators: ClassVar[list[Any]] = [
            t(content_security_policy="default-src 'none'")
        ]

        def get(self) -> str:
            return "item"

    class Other(MethodView):
        def get(self) -> str:
            return "other"

    app.register_blueprint(bp)
    app.add_url_rule("/item", view_func=Item.as_view("item"))
    app.add_url_rule(
        "/wrapped-cbv", view_func=t(frame_options=None)(Other.as_view("other_cbv"))
    )
    t.init_app(app)
    client = app.test_client()
    check(client.get("/bp", **HTTPS), {"X-Frame-Options": "DENY"})
    check(
        client.get("/item", **HTTPS),
        {"Content-Security-Policy": "default-src 'none'"},
    )
    check(client.get("/wrapped-cbv", **HTTPS), {"X-Frame-Options": None})


def test_decorator_under_a_wrapping_decorator(app: Flask) -> None:
    """Like 1.1.0, options survive functools.wraps-based decorators."""
    t = Talisman(app)

    def login_required(view: Any) -> Any:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    @app.route("/secret")
    @login_required
    @t(frame_options=DENY)
    def secret() -> str:
        return "secret"

    check(app.test_client().get("/secret", **HTTPS), {"X-Frame-Options": "DENY"})


def test_decorator_returns_the_view_unchanged(app: Flask) -> None:
    t = Talisman(app)

    def view() -> str:
        return "x"

    before = dict(view.__dict__)
    assert t(frame_options=DENY)(view) is view
    assert view.__dict__ == before
    assert not hasattr(view, "talisman_view_options")


def test_stacked_decorators_merge(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/stacked")
    @t(frame_options=DENY)
    @t(referrer_policy="no-referrer", frame_options=None)
    def stacked() -> str:
        return "stacked"

    check(
        app.test_client().get("/stacked", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def test_decorator_refuses_non_views() -> None:
    with pytest.raises(TypeError, match="view function"):
        Talisman()(frame_options=DENY)("not a view")  # type: ignore[type-var]


class EqualView:
    """A callable view object that equals every other one (and hashes alike)."""

    def __call__(self) -> str:
        return "view"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EqualView)

    def __hash__(self) -> int:
        return 0


class UnhashableView:
    """A callable view object with ``==`` and no hash."""

    def __call__(self) -> str:
        return "view"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnhashableView)

    __hash__ = None  # type: ignore[assignment]


def test_views_are_told_apart_by_identity_not_by_equality(app: Flask) -> None:
    # The registry never consults a view's == or hash: two views that compare
    # equal keep their own options, and an unhashable one can be decorated.
    t = Talisman(app)
    first, second, unhashable = EqualView(), EqualView(), UnhashableView()
    app.add_url_rule("/first", "first", t(frame_options=DENY)(first))
    app.add_url_rule("/second", "second", second)
    app.add_url_rule("/third", "third", t(referrer_policy="no-referrer")(unhashable))
    check(get(app, "/first"), {"X-Frame-Options": "DENY"})
    check(get(app, "/second"), {})
    check(get(app, "/third"), {"Referrer-Policy": "no-referrer"})


def test_view_with_a_cyclic_wrapped_chain_gets_the_apps_headers() -> None:
    app = make_app()

    def looping() -> str:
        return "looping"

    looping.__wrapped__ = looping  # type: ignore[attr-defined]
    app.add_url_rule("/looping", view_func=looping)
    Talisman(app, frame_options=DENY)
    check(get(app, "/looping"), {"X-Frame-Options": "DENY"})


def test_view_options_do_not_leak_between_apps() -> None:
    """1.1.0 wrote the first app's defaults into the view's option dict."""
    t = Talisman()
    first, second = make_app("first"), make_app("second")

    @t(content_security_policy="default-src 'none'")
    def shared() -> str:
        return "shared"

    for app in (first, second):
        app.add_url_rule("/shared", view_func=shared)
    t.init_app(first, frame_options=DENY)
    t.init_app(second, frame_options=SAMEORIGIN)
    expected_csp = {"Content-Security-Policy": "default-src 'none'"}
    check(
        first.test_client().get("/shared", **HTTPS),
        {**expected_csp, "X-Frame-Options": "DENY"},
    )
    check(
        second.test_client().get("/shared", **HTTPS),
        {**expected_csp, "X-Frame-Options": "SAMEORIGIN"},
    )


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

    add_view(app, "/view", talisman(**{option: view_value}))

    @talisman(**{option: False})
    @app.route("/off")
    def off() -> str:
        return "off"

    check(get(app, "/"), {header: app_header})
    check(get(app, "/view"), {header: view_header})
    check(get(app, "/off"), {header: None})


def test_new_option_on_one_view_only() -> None:
    app = make_app()
    talisman = Talisman(app)

    add_view(app, "/popup", talisman(cross_origin_opener_policy="unsafe-none"))

    check(get(app, "/popup"), {"Cross-Origin-Opener-Policy": "unsafe-none"})
    check(get(app, "/"), {})


# -- extend and blueprints ------------------------------------------------------


def csp(app: Flask, path: str) -> str:
    return app.test_client().get(path, **HTTPS).headers["Content-Security-Policy"]


EXTEND_CSP = [
    (
        "sources appended to an existing directive",
        {"default-src": SELF, "img-src": SELF},
        {"img-src": "https://img.example"},
        "default-src 'self'; img-src 'self' https://img.example",
    ),
    (
        "missing fetch directive starts from default-src",
        {"default-src": [SELF, "https://cdn.example"], "object-src": "'none'"},
        {"script-src": "https://js.example"},
        "default-src 'self' https://cdn.example; object-src 'none'; "
        "script-src 'self' https://cdn.example https://js.example",
    ),
    (
        "missing non-fetch directive starts empty",
        {"default-src": SELF},
        {"form-action": SELF, "upgrade-insecure-requests": ""},
        "default-src 'self'; form-action 'self'; upgrade-insecure-requests",
    ),
    (
        "'none' is replaced, not kept beside new sources",
        {"default-src": SELF, "frame-src": "'none'"},
        {"frame-src": "https://video.example"},
        "default-src 'self'; frame-src https://video.example",
    ),
    (
        "'none' default-src is not inherited",
        {"default-src": "'none'"},
        {"img-src": SELF},
        "default-src 'none'; img-src 'self'",
    ),
    (
        "duplicates are not repeated",
        {"script-src": [SELF, "https://a.example"]},
        {"script-src": ["https://a.example", "https://b.example"]},
        "script-src 'self' https://a.example https://b.example",
    ),
    (
        "duplicates among the added sources are not repeated",
        {"img-src": SELF},
        {"img-src": "https://a.example https://a.example"},
        "img-src 'self' https://a.example",
    ),
    (
        "string policies on both sides",
        "default-src 'self'; img-src 'self'",
        "img-src data:; connect-src wss://ws.example",
        "default-src 'self'; img-src 'self' data:; connect-src 'self' wss://ws.example",
    ),
    (
        "extending no policy creates one",
        None,
        {"default-src": SELF},
        "default-src 'self'",
    ),
]


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [pytest.param(b, e, x, id=i) for i, b, e, x in EXTEND_CSP],
)
def test_extend_csp(base: Any, extra: Any, expected: str) -> None:
    app = make_app()
    t = Talisman(app, content_security_policy=base)

    add_view(app, "/extended", t.extend(content_security_policy=extra))

    assert csp(app, "/extended") == expected
    if base:  # the app's own policy is untouched
        assert csp(app, "/") != expected


def test_extending_with_none_beside_other_sources_warns_once(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"script-src": SELF})
    add_view(app, "/view", t.extend(content_security_policy={"script-src": "'none'"}))
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        get(app, "/view")
        t.referrer_policy = "no-referrer"  # compiled again: not shown again
        get(app, "/view")
    assert [str(w.message) for w in shown] == [
        "content_security_policy['script-src']: 'none' is ignored when other "
        "sources are listed ('self' 'none'). Remove 'none' or the other sources."
    ]
    assert (
        headers(app, "/view")["Content-Security-Policy"] == "script-src 'self' 'none'"
    )


def test_turning_off_a_policy_the_app_has_wrong_still_turns_it_off(app: Flask) -> None:
    policy = {"default-src": SELF}
    t = Talisman(app, content_security_policy=policy)
    add_view(app, "/off", t.extend(content_security_policy=False))
    add_view(app, "/more", t.extend(content_security_policy={"img-src": SELF}))
    policy["default-src"] = "self"  # wrong now: the app's own pages fail
    client = app.test_client()
    assert client.get("/", **HTTPS).status_code == 500
    assert client.get("/more", **HTTPS).status_code == 500  # extends what is wrong
    off = client.get("/off", **HTTPS)
    assert off.status_code == 200
    assert "Content-Security-Policy" not in off.headers


def test_extend_with_nonce_placeholder_and_nonce_in() -> None:
    app = make_app()
    t = Talisman(app, content_security_policy={"default-src": SELF})

    add_view(
        app,
        "/n",
        t.extend(content_security_policy={"script-src": NONCE}),
        renders_nonce=True,
    )

    response = app.test_client().get("/n", **HTTPS)
    nonce = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    )


EXTEND_PERMISSIONS = [
    (
        "origins added to an allowlist",
        {"geolocation": "(self)"},
        {"geolocation": ["https://maps.example"]},
        'geolocation=(self "https://maps.example")',
    ),
    (
        "empty allowlist opened for one origin",
        {"camera": "()", "microphone": "()"},
        {"camera": "self"},
        "camera=(self), microphone=()",
    ),
    (
        "new feature added",
        {"camera": "()"},
        {"fullscreen": ["self"]},
        "camera=(), fullscreen=(self)",
    ),
    (
        "* wins",
        {"fullscreen": "(self)"},
        {"fullscreen": "*"},
        "fullscreen=*",
    ),
    (
        "string base policy",
        "geolocation=(self), camera=()",
        {"geolocation": ['"https://a.example"']},
        'geolocation=(self "https://a.example"), camera=()',
    ),
]


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [pytest.param(b, e, x, id=i) for i, b, e, x in EXTEND_PERMISSIONS],
)
def test_extend_permissions_policy(base: Any, extra: Any, expected: str) -> None:
    app = make_app()
    t = Talisman(app, permissions_policy=base)

    add_view(app, "/p", t.extend(permissions_policy=extra))

    assert (
        app.test_client().get("/p", **HTTPS).headers["Permissions-Policy"] == expected
    )


def test_extend_replaces_other_options_and_false_turns_headers_off(app: Flask) -> None:
    t = Talisman(app)

    @app.route("/x")
    @t.extend(
        frame_options=DENY,
        referrer_policy=False,
        content_security_policy=False,
        permissions_policy=False,
        strict_transport_security=False,
    )
    def x() -> str:
        return "x"

    check(
        app.test_client().get("/x", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": None,
            "Content-Security-Policy": None,
            "Permissions-Policy": None,
            "Strict-Transport-Security": None,
        },
    )


def test_replace_semantics_of_the_plain_decorator(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"default-src": SELF, "img-src": "*"})

    add_view(app, "/r", t(content_security_policy={"script-src": SELF}))

    assert csp(app, "/r") == "script-src 'self'"


BLUEPRINT_CASES = [
    ("app view: app options", "/", {}),
    (
        "blueprint view: blueprint options",
        "/admin/",
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    ),
    (
        "view refines its blueprint",
        "/admin/embed",
        {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"},
    ),
    (
        "nested blueprint inherits the outer one and extends",
        "/admin/reports/",
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "img-src 'self' data:",
        },
    ),
    (
        "view extends its nested blueprint's extension",
        "/admin/reports/chart",
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "img-src 'self' data: https://charts.example",
        },
    ),
    ("404 inside a blueprint prefix: app options", "/admin/missing", {}),
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [pytest.param(p, e, id=i) for i, p, e in BLUEPRINT_CASES],
)
def test_blueprint_resolution(path: str, expected: dict[str, str]) -> None:
    app, _ = blueprint_app()
    check(app.test_client().get(path, **HTTPS), expected)


def test_blueprint_options_follow_later_app_changes() -> None:
    app, t = blueprint_app()
    t.content_security_policy["img-src"] = "https://img.example"
    assert csp(app, "/admin/reports/") == (
        "default-src 'self'; object-src 'none'; img-src https://img.example data:"
    )


def test_blueprint_registered_under_another_name() -> None:
    t = Talisman()
    bp = Blueprint("shop", __name__)
    bp.route("/shop")(lambda: "shop")
    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp, name="store", url_prefix="/store")
    t.init_app(app)
    check(app.test_client().get("/store/shop", **HTTPS), {"X-Frame-Options": "DENY"})


def test_blueprint_options_do_not_leak_to_an_app_without_them() -> None:
    other = Talisman()
    t = Talisman()
    bp = Blueprint("bp", __name__)
    bp.route("/in-bp")(lambda: "x")
    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp)
    other.init_app(app)  # a different Talisman: the decoration is not its own
    check(app.test_client().get("/in-bp", **HTTPS), {})


def test_async_view_in_a_blueprint_with_extend() -> None:
    pytest.importorskip("asgiref")
    t = Talisman()
    bp = Blueprint("api", __name__)

    @bp.route("/data")
    @t.extend(content_security_policy={"connect-src": "https://api.example"})
    async def data() -> str:
        return "data"

    t(frame_options=DENY)(bp)
    app = make_app()
    app.register_blueprint(bp)
    t.init_app(app)
    check(
        app.test_client().get("/data", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
            "connect-src 'self' https://api.example",
        },
    )


def test_extending_report_only_when_the_app_only_reports(app: Flask) -> None:
    t = Talisman(
        app,
        content_security_policy_report_only=True,
        content_security_policy_report_uri="/csp",
    )

    add_view(app, "/ro", t.extend(content_security_policy_report_only={"img-src": "*"}))

    check(
        app.test_client().get("/ro", **HTTPS),
        {
            "Content-Security-Policy": None,
            "Content-Security-Policy-Report-Only": "default-src 'self'; "
            "object-src 'none'; img-src 'self' *; report-uri /csp",
        },
    )


@pytest.mark.parametrize(
    ("report_only", "expected"),
    [
        pytest.param(
            True,
            {
                "Content-Security-Policy": None,
                "Content-Security-Policy-Report-Only": "default-src 'self'; "
                "object-src 'none'; report-uri /csp",
            },
            id="True keeps reporting only",
        ),
        pytest.param(
            False,
            {
                "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
                "report-uri /csp",
                "Content-Security-Policy-Report-Only": None,
            },
            id="False enforces the one policy",
        ),
    ],
)
def test_extending_report_only_with_a_flag_when_the_app_only_reports(
    app: Flask, report_only: bool, expected: dict[str, str | None]
) -> None:
    t = Talisman(
        app,
        content_security_policy_report_only=True,
        content_security_policy_report_uri="/csp",
    )
    add_view(app, "/view", t.extend(content_security_policy_report_only=report_only))
    check(app.test_client().get("/view", **HTTPS), expected)


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

    add_view(app, "/camera", talisman.extend(permissions_policy={"camera": ["self"]}))

    header = get(app, "/camera").headers["Permissions-Policy"]
    assert header.startswith("geolocation=(self")
    assert "https://a.example" in header
    assert header.endswith("camera=(self)")


def test_extend_permissions_with_inner_commas_is_warned_about_and_served() -> None:
    """BUG: the decorator warns and accepts it; the view then answers 500."""
    app = make_app()
    talisman = Talisman(app, permissions_policy={"camera": "()"})
    with pytest.warns(ConfigurationWarning, match="separates allowlist items"):
        add_view(
            app,
            "/camera",
            talisman.extend(permissions_policy='camera=(self, "https://a.example")'),
        )

    header = get(app, "/camera").headers["Permissions-Policy"]
    assert header.startswith("camera=(self")
    assert "https://a.example" in header


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

    add_view(app, "/extended", talisman.extend(permissions_policy=extra))

    assert get(app, "/extended").headers["Permissions-Policy"] == expected


# -- the view attribute ---------------------------------------------------------


def test_a_view_attribute_set_by_the_app_is_honoured() -> None:
    app = make_app()
    Talisman(app)

    health = add_view(app, "/health")
    health.talisman_view_options = {"force_https": False}
    assert app.test_client().get("/health").status_code == 200  # plain HTTP
    assert app.test_client().get("/").status_code == 302


def test_edits_of_the_view_attribute_are_seen_and_never_written_by_us() -> None:
    app = make_app()
    Talisman(app)

    view = add_view(app, "/view")

    options: dict[str, Any] = {"frame_options": DENY}
    view.talisman_view_options = options
    assert headers(app, "/view")["X-Frame-Options"] == DENY
    options["frame_options"] = None
    assert "X-Frame-Options" not in headers(app, "/view")
    view.talisman_view_options = {}
    assert headers(app, "/view")["X-Frame-Options"] == SAMEORIGIN
    assert options == {"frame_options": None}  # 1.1.0 wrote the app's in here


def test_our_decorator_does_not_set_the_attribute() -> None:
    talisman = Talisman(make_app())

    @talisman(frame_options=DENY)
    def view() -> str:
        return "view"

    assert not hasattr(view, "talisman_view_options")


def test_unknown_names_in_the_view_attribute_warn_and_are_ignored() -> None:
    app = make_app()
    Talisman(app)

    view = add_view(app, "/view")
    view.talisman_view_options = {
        "frame_option": DENY,
        "session_cookie_secure": False,
    }
    with pytest.warns(ConfigurationWarning) as record:
        got = headers(app, "/view")
    assert [str(w.message) for w in record] == [
        "the view 'view': talisman_view_options['frame_option'] is not an option; "
        "it is ignored. Did you mean 'frame_options'?",
        "the view 'view': talisman_view_options['session_cookie_secure'] configures "
        "the app as a whole, not one view; it is ignored. Pass it to Talisman(...) "
        "or init_app(...).",
    ]
    assert got["X-Frame-Options"] == SAMEORIGIN


def test_a_view_attribute_that_is_not_a_dict_warns_and_is_ignored() -> None:
    app = make_app()
    Talisman(app)

    view = add_view(app, "/view")
    view.talisman_view_options = ["force_https"]
    with pytest.warns(ConfigurationWarning, match="not a dict of options"):
        assert headers(app, "/view")["X-Frame-Options"] == SAMEORIGIN


def test_the_view_attribute_of_a_callable_object_is_read() -> None:
    app = make_app()
    Talisman(app)

    class Health:
        talisman_view_options = {"force_https": False}  # noqa: RUF012

        def __call__(self) -> str:
            return "ok"

    app.add_url_rule("/health", "health", Health())
    assert app.test_client().get("/health").status_code == 200


def test_a_view_function_replaced_in_the_app_is_seen() -> None:
    app = make_app()
    talisman = Talisman(app)

    @talisman(frame_options=DENY)
    def replacement() -> str:
        return "replaced"

    assert headers(app)["X-Frame-Options"] == SAMEORIGIN
    app.view_functions["index"] = replacement
    assert headers(app)["X-Frame-Options"] == DENY


def test_a_callable_view_whose_attribute_lookup_fails_is_served() -> None:
    app = make_app()
    Talisman(app)

    class Fragile:
        def __getattr__(self, name: str) -> Any:
            if name == "talisman_view_options":
                raise RuntimeError(name)
            raise AttributeError(name)

        def __call__(self) -> str:
            return "ok"

    app.add_url_rule("/fragile", "fragile", Fragile())
    assert headers(app, "/fragile")["X-Frame-Options"] == SAMEORIGIN
