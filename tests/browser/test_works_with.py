"""Other extensions' pages, with the wiring docs/works_with.rst gives, in each engine.

Flask-Admin, Flask-DebugToolbar (in debug mode) and flasgger's Swagger UI
each run under two policies: the default policy made nonce'd (nonces in
``script-src`` and ``style-src``) and the ``"strict"`` preset, whose Trusted
Types policy only reports. Each page is used, not only loaded: menus, modal
forms, inline editing, confirmation dialogs, toolbar panels, a request sent
from Swagger UI. Nothing may go wrong: no ``securitypolicyviolation`` event,
enforced or report-only, no error logged by the page's scripts, no uncaught
exception, no resource that fails to load, no response of 4xx or 5xx.

Without the wiring the same pages do report violations (the last tests), so
these tests fail when the wiring is missing or stops being enough.

The same cases and assertions run in Chromium, Firefox and WebKit (the
``engine`` fixture), through what every engine has: each page gets, first
in its ``<head>``, a nonce'd same-origin script that notes what goes wrong
(conftest's ``serve_collector``), clicks are the elements' ``click()``, and
the server's log gives the statuses. Each app is served once for the module.

The extensions come with the test extra. When one cannot be imported, its
tests skip, or fail when ``TALISMAN_BROWSER_TESTS=required``.
"""

from __future__ import annotations

import datetime
import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify, render_template_string

from flask_talisman import (
    NONE,
    SELF,
    STRICT_DYNAMIC,
    UNSAFE_EVAL,
    UNSAFE_HASHES,
    UNSAFE_INLINE,
    Talisman,
    csp_hash,
    csp_nonce,
)
from flask_talisman.third_party import add_nonces, attribute_hashes

from ..live import StatusLog, serve
from .conftest import _unavailable, noted, serve_collector, settle
from .engines import Engine

pytestmark = [
    pytest.mark.browser,
    # WTForms 3.3 on the choices Flask-Admin 2.2's relation fields give it.
    pytest.mark.filterwarnings(
        "ignore:Yielding raw tuples from iter_choices:DeprecationWarning"
    ),
]

#: The default policy with nonces, as docs/csp.rst writes one (a nonce'd
#: policy also needs base-uri).
NONCED: dict[str, Any] = {
    "content_security_policy": {
        "default-src": SELF,
        "object-src": NONE,
        "base-uri": SELF,
    },
    "content_security_policy_nonce_in": ["script-src", "style-src"],
}
POLICIES: dict[str, dict[str, Any]] = {"nonced": NONCED, "strict": {"preset": "strict"}}
#: The servers here speak plain HTTP.
PLAIN_HTTP = {"force_https": False, "session_cookie_secure": False}


@pytest.fixture(params=list(POLICIES))
def policy(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def need(*modules: str) -> None:
    """Import ``modules``, or skip (fail when browser tests are required)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as error:
            _unavailable(f"{name} cannot be imported ({error}); the test extra has it")


def make_app(name: str, policy: str) -> tuple[Flask, Talisman]:
    app = Flask(name)
    app.config["SECRET_KEY"] = "test"
    talisman = Talisman(app, **POLICIES[policy], **PLAIN_HTTP)
    serve_collector(app, inject=True)
    # The browser asks every page's origin for an icon: a 404 would be an
    # error.
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))
    return app, talisman


class Served:
    """Each app of this module served once, when a test first asks for it."""

    def __init__(self, files: Path) -> None:
        self.files = files
        self._stops: list[Callable[[], None]] = []
        self._apps: dict[tuple[str, str, bool], tuple[str, StatusLog]] = {}
        # Another server, and another origin than the apps' 127.0.0.1.
        origin, _ = self._start(google_fonts())
        self.fonts = origin.replace("127.0.0.1", "localhost")

    def _start(self, app: Flask) -> tuple[str, StatusLog]:
        served = serve(app)
        started = served.__enter__()
        self._stops.append(lambda: served.__exit__(None, None, None))
        return started

    def __call__(self, kind: str, policy: str, *, wired: bool = True) -> Site:
        key = (kind, policy, wired)
        if key not in self._apps:
            if kind == "admin":
                folder = self.files / f"{policy}-{wired}"
                folder.mkdir()
                app = admin_app(policy, folder, wired=wired)
            elif kind == "toolbar":
                app = toolbar_app(policy, wired=wired)
            else:
                app = flasgger_app(policy, self.fonts, wired=wired)
            self._apps[key] = self._start(app)
        origin, log = self._apps[key]
        return Site(origin, log, len(log.answered))

    def close(self) -> None:
        for stop in reversed(self._stops):
            stop()


class Site:
    """One served app, as a test uses it from its start."""

    def __init__(self, origin: str, log: StatusLog, start: int) -> None:
        self.origin = origin
        self.log = log
        self.start = start

    def failures(self) -> list[tuple[str, int]]:
        """The requests answered with a 4xx or 5xx since the test started."""
        return [
            (t, status)
            for t, status in self.log.answered[self.start :]
            if status >= 400
        ]


@pytest.fixture(scope="module", autouse=True)
def desktop(engine: Engine) -> None:
    """A desktop's viewport in every engine (each driver has its own default).

    At 800 pixels, puppeteer's default, Bootstrap collapses Flask-Admin's
    menu into a toggler drawn from a data: URL, which the nonced policy's
    ``img-src 'self'`` refuses (docs/works_with.rst's wiring is for wider
    screens).
    """
    engine.resize(1280, 720)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("works-with"))
    yield served
    served.close()


def clean(engine: Engine, site: Site, where: str) -> None:
    """Assert the current document saw no violation, no error, no failed request."""
    seen = noted(engine)
    assert (where, seen["violations"]) == (where, [])
    assert (where, seen["errors"]) == (where, [])
    assert (where, site.failures()) == (where, [])


#: The first element matching a selector whose text has ``text`` (or any
#: text, when it is null) and that is shown.
SHOWN = """
((selector, text) => Array.from(document.querySelectorAll(selector)).find((e) =>
  (text === null || e.textContent.includes(text))
  && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"))
"""


def _call(function: str, *arguments: Any) -> str:
    return f"({function})({', '.join(json.dumps(a) for a in arguments)})"


def click(engine: Engine, selector: str, text: str | None = None) -> None:
    """Click the element once it is shown (its ``click()``, as a user's click)."""
    settle(
        engine,
        "(() => { const found = " + _call(SHOWN, selector, text) + ";"
        " if (found) { found.click(); } return Boolean(found); })()",
    )


def shown(engine: Engine, selector: str, text: str | None = None) -> None:
    """Wait until an element matching ``selector`` is shown."""
    settle(engine, f"Boolean({_call(SHOWN, selector, text)})")


def close(engine: Engine, button: str, selector: str) -> None:
    """Click ``button`` until no element matching ``selector`` is shown.

    A click while the element is still coming in (Bootstrap's fade) is
    ignored by the page, so it is clicked again while it is shown.
    """
    settle(
        engine,
        "(() => { const button = " + _call(SHOWN, button, None) + ";"
        " if (button) { button.click(); }"
        " return !" + _call(SHOWN, selector, None) + "; })()",
    )


# -- Flask-Admin ------------------------------------------------------------------

#: Flask-Admin 2.2's inline event handlers, as its English templates render
#: them for the views below: deleting a row, the "delete" bulk action, a
#: filter menu item, and the "Add" button of the inline model posts.
ADMIN_HANDLERS = (
    "return faHelpers.safeConfirm('Are you sure you want to delete this record?');",
    "return modelActions.execute('delete');",
    "return false;",
    "faForm.addInlineField(this, 'posts');",
)


def admin_app(policy: str, files: Path, *, wired: bool = True) -> Flask:
    need("flask_admin", "flask_sqlalchemy")
    from flask_admin import Admin
    from flask_admin.contrib.fileadmin import FileAdmin
    from flask_admin.contrib.sqla import ModelView
    from flask_sqlalchemy import SQLAlchemy

    app, talisman = make_app("admin", policy)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app)

    class User(db.Model):  # type: ignore[name-defined,misc]
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(50))
        active = db.Column(db.Boolean, default=True)
        born = db.Column(db.Date)

    class Post(db.Model):  # type: ignore[name-defined,misc]
        id = db.Column(db.Integer, primary_key=True)
        title = db.Column(db.String(50))
        user_id = db.Column(db.Integer, db.ForeignKey(User.id))
        user = db.relationship(User, backref="posts")

    class UserView(ModelView):
        column_editable_list = ("name", "active")
        column_filters = ("name",)
        can_view_details = True
        create_modal = True
        details_modal = True
        inline_models = (Post,)

    class Files(FileAdmin):
        # Each delete button's handler holds the file's name: no hash can
        # allow them (docs/works_with.rst).
        can_delete = False

    with app.app_context():
        db.create_all()
        ann = User(name="ann", born=datetime.date(2000, 1, 1))
        db.session.add_all([ann, Post(title="hello", user=ann)])
        db.session.commit()
    (files / "notes.txt").write_text("notes")

    if not wired:
        admin = Admin(app)
        for view in (UserView(User, db), ModelView(Post, db), Files(str(files))):
            admin.add_view(view)
        return app

    # The wiring of docs/works_with.rst.
    admin = Admin(app, csp_nonce_generator=csp_nonce)
    admin_csp = {
        "script-src": [STRICT_DYNAMIC, UNSAFE_HASHES, csp_hash("javascript:void(0)")],
        "script-src-attr": [UNSAFE_HASHES, *map(csp_hash, ADMIN_HANDLERS)],
    }

    def add_view(view: Any, csp: dict[str, list[str]]) -> None:
        if view is not admin.index_view:
            admin.add_view(view)
        talisman.extend(content_security_policy=csp)(view.blueprint)
        talisman(content_security_policy_report_only=False)(view.blueprint)

    add_view(admin.index_view, admin_csp)
    # x-editable reads the choices of an editable boolean with new Function.
    users_csp = {**admin_csp, "script-src": [*admin_csp["script-src"], UNSAFE_EVAL]}
    add_view(UserView(User, db), users_csp)
    add_view(ModelView(Post, db), admin_csp)
    add_view(Files(str(files)), admin_csp)
    return app


def test_flask_admin(engine: Engine, served: Served, policy: str) -> None:
    site = served("admin", policy)
    origin = site.origin

    engine.goto(origin + "/admin/")
    clean(engine, site, "/admin/")

    engine.goto(origin + "/admin/user/")
    # A modal form: its inline script arrives with another request's nonce.
    click(engine, "a[title='Create New Record']")
    shown(engine, ".modal-content input#name")
    close(engine, ".modal-content button.close", ".modal-content")
    # Inline editing of a boolean (x-editable), then cancelled.
    click(engine, "a[data-role='x-editable-boolean']")
    shown(engine, ".editable-input")
    close(engine, ".editable-cancel", ".editable-input")
    # Deleting a row asks first (the dialog is dismissed: nothing deleted).
    click(engine, "button[title='Delete Record']")
    # The bulk action asks too.
    click(engine, "input.action-checkbox")
    click(engine, "a.dropdown-toggle", "With selected")
    click(engine, ".dropdown-menu a.dropdown-item", "Delete")
    # A filter from the menu; the active tab is a javascript: link.
    click(engine, "a.dropdown-toggle", "Add Filter")
    click(engine, "a.filter", "Name")
    shown(engine, "table.filters input.filter-val")
    click(engine, "a.nav-link.active")
    assert noted(engine)["dialogs"] == [
        "Are you sure you want to delete this record?",
        "Are you sure you want to delete selected records?",
    ]
    clean(engine, site, "/admin/user/")

    engine.goto(origin + "/admin/user/new/")
    click(engine, "#posts-button")
    shown(engine, "#posts-0-title")
    clean(engine, site, "/admin/user/new/")

    for path in (
        "/admin/user/edit/?id=1",
        "/admin/user/details/?id=1",
        "/admin/post/",
        "/admin/post/new/",
        "/admin/files/",
    ):
        engine.goto(origin + path)
        clean(engine, site, path)
    shown(engine, "a, td", "notes.txt")


#: What Flask-Admin's pages do under each policy on a screen narrower than
#: Bootstrap's ``lg`` breakpoint (992 pixels): the menu collapses into a
#: toggler whose icon is a data: URL, which the nonced policy's ``img-src``
#: (``'self'``, from ``default-src``) refuses; the strict preset leaves
#: images alone. The wiring in docs/works_with.rst has no ``img-src data:``.
NARROW_ADMIN = {
    "nonced": [{"directive": "img-src", "blocked": "data", "disposition": "enforce"}],
    "strict": [],
}


def test_flask_admin_on_a_narrow_screen(
    engine: Engine, served: Served, policy: str
) -> None:
    site = served("admin", policy)
    engine.resize(800, 720)
    try:
        engine.goto(site.origin + "/admin/")
        shown(engine, ".navbar-toggler")
        seen = [
            {key: v[key] for key in ("directive", "blocked", "disposition")}
            for v in noted(engine)["violations"]
        ]
    finally:
        engine.resize(1280, 720)
    # The toggler's icon may be drawn (and refused) more than once.
    unique = [v for i, v in enumerate(seen) if v not in seen[:i]]
    assert unique == NARROW_ADMIN[policy]


# -- Flask-DebugToolbar -----------------------------------------------------------

PAGE = """<!doctype html>
<html>
<head><title>Notes</title></head>
<body>
<ul>{% for note in notes %}<li>{{ note.text }}</li>{% endfor %}</ul>
<script nonce="{{ csp_nonce() }}">document.body.dataset.ready = "yes";</script>
</body>
</html>
"""


def toolbar_app(policy: str, *, wired: bool = True) -> Flask:
    need("flask_debugtoolbar", "flask_sqlalchemy")
    from flask_debugtoolbar import DebugToolbarExtension
    from flask_sqlalchemy import SQLAlchemy

    app, talisman = make_app("toolbar", policy)
    app.debug = True
    app.config.update(
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_RECORD_QUERIES=True,
        DEBUG_TB_INTERCEPT_REDIRECTS=False,
    )
    db = SQLAlchemy(app)

    class Note(db.Model):  # type: ignore[name-defined,misc]
        id = db.Column(db.Integer, primary_key=True)
        text = db.Column(db.String(50))

    with app.app_context():
        db.create_all()
        db.session.add(Note(text="hello"))
        db.session.commit()

    @app.route("/")
    def index() -> str:
        notes = db.session.execute(db.select(Note)).scalars().all()
        return render_template_string(PAGE, notes=notes)

    toolbar = DebugToolbarExtension(app)
    if wired:
        # The wiring of docs/works_with.rst.
        add_nonces(toolbar.jinja_env)
        if policy == "strict":
            talisman.content_security_policy_report_only = False
        else:
            # Style attributes: the toolbar's own, and Pygments' highlighting
            # of the queries and templates, which depends on their text.
            talisman.content_security_policy = {
                **talisman.content_security_policy,
                "style-src-attr": UNSAFE_INLINE,
            }
    return app


def test_flask_debugtoolbar(engine: Engine, served: Served, policy: str) -> None:
    site = served("toolbar", policy)

    engine.goto(site.origin + "/")
    shown(engine, "#flDebugToolbar")
    assert engine.evaluate("document.body.dataset.ready") == "yes"
    names: list[str] = engine.evaluate(
        "Array.from(document.querySelectorAll('#flDebugPanelList li a[class]'),"
        " (a) => a.getAttribute('class'))"
    )
    assert "flDebugSQLAlchemyPanel" in names
    for name in names:
        click(engine, f"#flDebugPanelList a.{name}")
        shown(engine, f"#{name}-content")
        close(engine, f"#{name}-content a.flDebugClose", f"#{name}-content")
    click(engine, "#flDebugHideToolBarButton")
    click(engine, "#flDebugShowToolBarButton")
    shown(engine, "#flDebugToolbar")
    clean(engine, site, "/")


# -- flasgger -----------------------------------------------------------------


def flasgger_app(policy: str, fonts: str, *, wired: bool = True) -> Flask:
    need("flasgger")
    from flasgger import Swagger

    app, talisman = make_app("flasgger", policy)
    fonts_from(app, fonts)
    # flasgger 0.9.7.1 writes `let auth_config = None;` into its page
    # without an "auth" entry, an error in any browser.
    Swagger(app, config={"auth": {}}, merge=True)

    @app.route("/colors/<palette>/")
    def colors(palette: str) -> Any:
        """Colors of a palette.
        ---
        parameters:
          - name: palette
            in: path
            type: string
            enum: [all, rgb]
            required: true
            default: all
        responses:
          200:
            description: The colors.
        """
        return jsonify({"palette": palette})

    @app.route("/opener")
    def opener() -> str:
        return render_template_string(OPENER)

    if wired:
        # The wiring of docs/works_with.rst.
        add_nonces(app.jinja_env, "flasgger/")
        swagger_ui = app.blueprints["flasgger"]
        hashes = attribute_hashes(app.jinja_env, "flasgger/")
        if policy == "strict":
            # The preset leaves styles and images alone.
            csp = {"script-src-attr": hashes["script-src-attr"]}
            talisman(content_security_policy_report_only=False)(swagger_ui)
        else:
            # Swagger UI's stylesheet draws its icons from data: URLs.
            csp = {**hashes, "img-src": ["data:"]}
        talisman.extend(content_security_policy=csp)(swagger_ui)
    return app


def google_fonts() -> Flask:
    """A stand-in for Google Fonts (no network in tests): an empty stylesheet."""
    fonts = Flask("fonts")
    fonts.add_url_rule("/css", "css", lambda: Response("", mimetype="text/css"))
    return fonts


def fonts_from(app: Flask, origin: str) -> None:
    """Swagger UI's Google Fonts stylesheet taken from ``origin`` instead."""

    @app.after_request
    def fonts_here(response: Response) -> Response:
        if response.mimetype == "text/html" and not response.direct_passthrough:
            response.set_data(
                response.get_data().replace(
                    b"https://fonts.googleapis.com/", f"{origin}/".encode()
                )
            )
        return response


def test_flasgger(engine: Engine, served: Served, policy: str) -> None:
    site = served("flasgger", policy)

    engine.goto(site.origin + "/apidocs/")
    click(engine, ".opblock-summary")
    click(engine, "button.try-out__btn")
    click(engine, "button.execute")
    shown(engine, ".live-responses-table", "palette")
    clean(engine, site, "/apidocs/")


#: Swagger UI's part in the OAuth2 redirect: it opens the redirect page in a
#: popup and waits for its callback.
OPENER = """<!doctype html><title>opener</title>
<button id="authorize">Authorize</button>
<script nonce="{{ csp_nonce() }}">
document.getElementById("authorize").addEventListener("click", () => {
  window.open("/oauth2-redirect.html#access_token=t&state=s");
});
window.__fromPopups = [];
window.__callback = null;
window.swaggerUIRedirectOauth2 = {
  state: "s", redirectUrl: "/oauth2-redirect.html",
  auth: {name: "auth", schema: {get: () => "implicit"}},
  callback: (result) => { window.__callback = result; },
  errCb: (error) => { window.__callback = error; },
};
</script>
"""


def test_flasgger_oauth2_redirect(engine: Engine, served: Served, policy: str) -> None:
    """The page an OAuth2 server sends back to: its onload handler runs."""
    site = served("flasgger", policy)
    engine.goto(site.origin + "/opener")
    # A user's click: WebKit opens no popup from a script's own.
    engine.click("#authorize")
    settle(engine, "window.__callback !== null")
    assert engine.evaluate("window.__callback.isValid") is True
    # The popup closes itself after the callback, and hands over its notes.
    (popup,) = settle(engine, "window.__fromPopups.length && window.__fromPopups")
    assert popup["url"].startswith(site.origin + "/oauth2-redirect.html")
    assert (popup["violations"], popup["errors"]) == ([], [])
    clean(engine, site, "/opener")


# -- without the wiring ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        pytest.param("admin", "/admin/user/", id="flask-admin"),
        pytest.param("toolbar", "/", id="flask-debugtoolbar"),
        pytest.param("flasgger", "/apidocs/", id="flasgger"),
    ],
)
def test_without_the_wiring_the_page_has_violations(
    engine: Engine, served: Served, policy: str, kind: str, path: str
) -> None:
    """The tests above can fail: unwired, the same pages report violations."""
    site = served(kind, policy, wired=False)
    engine.goto(site.origin + path)
    settle(engine, "window.__violations.length > 0")
