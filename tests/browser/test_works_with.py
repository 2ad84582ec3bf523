"""Other extensions' pages in Chromium, with the wiring docs/works_with.rst gives.

Flask-Admin, Flask-DebugToolbar (in debug mode) and flasgger's Swagger UI
each run under two policies: the default policy made nonce'd (nonces in
``script-src`` and ``style-src``) and the ``"strict"`` preset, whose Trusted
Types policy only reports. Each page is used, not only loaded: menus, modal
forms, inline editing, confirmation dialogs, toolbar panels, a request sent
from Swagger UI. Nothing may go wrong: no ``securitypolicyviolation`` event,
enforced or report-only, no console error and no uncaught exception.

Without the wiring the same pages do report violations (the last tests), so
these tests fail when the wiring is missing or stops being enough.

The extensions come with the test extra. When one cannot be imported, its
tests skip, or fail when ``TALISMAN_BROWSER_TESTS=required``.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, jsonify, render_template_string

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

from .conftest import _serve, _unavailable, violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Dialog, Page

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
    # The browser asks every page's origin for an icon: a 404 would be a
    # console error.
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))
    return app, talisman


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], str]]:
    """Serve an app on 127.0.0.1 for the test; returns its origin."""
    with contextlib.ExitStack() as stack:

        def start(app: Flask) -> str:
            server, _ = stack.enter_context(_serve(app))
            return f"http://127.0.0.1:{server.server_port}"

        yield start


@dataclass
class Watched:
    """What a page logged: console errors, uncaught exceptions, dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clean(self, where: str) -> None:
        """Assert the current document saw no violation and logged no error."""
        assert violations(self.page) == [], where
        assert self.errors == [], where
        self.errors.clear()


def watch(context: BrowserContext) -> Watched:
    """A new page whose errors are noted and whose dialogs are dismissed."""
    page = context.new_page()
    watched = Watched(page)

    def dialog(dialog: Dialog) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on(
        "console",
        lambda message: (
            watched.errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
    page.on("dialog", dialog)
    return watched


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


def test_flask_admin(
    context: BrowserContext,
    serve: Callable[[Flask], str],
    policy: str,
    tmp_path: Path,
) -> None:
    origin = serve(admin_app(policy, tmp_path))
    watched = watch(context)
    page = watched.page

    page.goto(origin + "/admin/")
    watched.clean("/admin/")

    page.goto(origin + "/admin/user/")
    # A modal form: its inline script arrives with another request's nonce.
    page.click("a[title='Create New Record']")
    page.wait_for_selector(".modal-content input#name", state="visible")
    page.click(".modal-content button.close")
    page.wait_for_selector(".modal-content", state="hidden")
    # Inline editing of a boolean (x-editable).
    page.click("a[data-role='x-editable-boolean']")
    page.wait_for_selector(".editable-input", state="visible")
    page.keyboard.press("Escape")
    # Deleting a row asks first (the dialog is dismissed: nothing deleted).
    page.click("button[title='Delete Record']")
    # The bulk action asks too.
    page.check("input.action-checkbox")
    page.click("text=With selected")
    page.click(".dropdown-menu a.dropdown-item >> text=Delete")
    # A filter from the menu; the active tab is a javascript: link.
    page.click("text=Add Filter")
    page.click("a.filter >> text=Name")
    page.wait_for_selector("table.filters input.filter-val")
    page.click("a.nav-link.active")
    assert watched.dialogs == [
        "Are you sure you want to delete this record?",
        "Are you sure you want to delete selected records?",
    ]
    watched.clean("/admin/user/")

    page.goto(origin + "/admin/user/new/")
    page.click("#posts-button")
    page.wait_for_selector("#posts-0-title")
    watched.clean("/admin/user/new/")

    for path in (
        "/admin/user/edit/?id=1",
        "/admin/user/details/?id=1",
        "/admin/post/",
        "/admin/post/new/",
        "/admin/files/",
    ):
        page.goto(origin + path)
        watched.clean(path)
    assert page.is_visible("text=notes.txt")


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


def test_flask_debugtoolbar(
    context: BrowserContext, serve: Callable[[Flask], str], policy: str
) -> None:
    origin = serve(toolbar_app(policy))
    watched = watch(context)
    page = watched.page

    page.goto(origin + "/")
    page.wait_for_selector("#flDebugToolbar", state="visible")
    assert page.get_attribute("body", "data-ready") == "yes"
    panels = page.locator("#flDebugPanelList li a[class]")
    names = [panels.nth(i).get_attribute("class") for i in range(panels.count())]
    assert "flDebugSQLAlchemyPanel" in names
    for name in names:
        page.click(f"#flDebugPanelList a.{name}")
        page.wait_for_selector(f"#{name}-content", state="visible")
        page.click(f"#{name}-content a.flDebugClose")
        page.wait_for_selector(f"#{name}-content", state="hidden")
    page.click("#flDebugHideToolBarButton")
    page.click("#flDebugShowToolBarButton")
    page.wait_for_selector("#flDebugToolbar", state="visible")
    watched.clean("/")


# -- flasgger -----------------------------------------------------------------


def flasgger_app(policy: str, *, wired: bool = True) -> Flask:
    need("flasgger")
    from flasgger import Swagger

    app, talisman = make_app("flasgger", policy)
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


def google_fonts(page: Page) -> None:
    """Answer the page's Google Fonts stylesheet here (no network in tests)."""
    page.route(
        "https://fonts.googleapis.com/**",
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )


def test_flasgger(
    context: BrowserContext, serve: Callable[[Flask], str], policy: str
) -> None:
    origin = serve(flasgger_app(policy))
    watched = watch(context)
    page = watched.page
    google_fonts(page)

    page.goto(origin + "/apidocs/")
    page.click(".opblock-summary")
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".live-responses-table >> text=palette")
    watched.clean("/apidocs/")


def test_flasgger_oauth2_redirect(
    context: BrowserContext, serve: Callable[[Flask], str], policy: str
) -> None:
    """The page an OAuth2 server sends back to: its onload handler runs."""
    origin = serve(flasgger_app(policy))
    watched = watch(context)
    page = watched.page
    # Swagger UI opens this page in a popup and waits for its callback.
    page.add_init_script(
        """
        window.__callback = null;
        Object.defineProperty(window, "opener", {value: {swaggerUIRedirectOauth2: {
          state: "s", redirectUrl: location.href,
          auth: {name: "auth", schema: {get: () => "implicit"}},
          callback: (result) => { window.__callback = result; },
          errCb: (error) => { window.__callback = error; },
        }}});
        """
    )
    page.goto(origin + "/oauth2-redirect.html#access_token=t&state=s")
    page.wait_for_function("window.__callback !== null")
    assert page.evaluate("window.__callback.isValid") is True
    watched.clean("/oauth2-redirect.html")


# -- without the wiring ----------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "path"),
    [
        pytest.param(
            lambda policy, tmp: admin_app(policy, tmp, wired=False),
            "/admin/user/",
            id="flask-admin",
        ),
        pytest.param(
            lambda policy, tmp: toolbar_app(policy, wired=False),
            "/",
            id="flask-debugtoolbar",
        ),
        pytest.param(
            lambda policy, tmp: flasgger_app(policy, wired=False),
            "/apidocs/",
            id="flasgger",
        ),
    ],
)
def test_without_the_wiring_the_page_has_violations(
    context: BrowserContext,
    serve: Callable[[Flask], str],
    policy: str,
    tmp_path: Path,
    make: Callable[[str, Path], Flask],
    path: str,
) -> None:
    """The tests above can fail: unwired, the same pages report violations."""
    origin = serve(make(policy, tmp_path))
    watched = watch(context)
    google_fonts(watched.page)
    watched.page.goto(origin + path, wait_until="networkidle")
    assert violations(watched.page) != []
