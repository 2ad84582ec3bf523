"""Error pages with nonce'd scripts, rendered before Talisman's hook ran, in Chromium.

Flask-WTF's CSRF check and Flask-Limiter's rate limit refuse a request in
before-request hooks registered before Talisman's, and an ``abort(403)`` in
such a hook does the same: the error handler renders a page whose inline
script asks ``csp_nonce()``. Its nonce must be the one the header carries,
or the browser blocks the script (flask-talisman 1.1.0 rendered ``nonce=""``
there and sent no nonce). The control sends the same page with a nonce the
header does not carry: Chromium must block it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask, abort, render_template_string, request

from flask_talisman import NONE, SELF, Talisman

from ..live import StatusLog, serve
from .conftest import violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<title>error</title>
<p id="script">not-run</p>
<script nonce="{{ nonce }}">document.getElementById("script").textContent = "ran";</script>
"""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, StatusLog]]:
    flask_wtf_csrf = pytest.importorskip("flask_wtf.csrf")
    flask_limiter = pytest.importorskip("flask_limiter")
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "k"
    flask_wtf_csrf.CSRFProtect(app)
    limiter = flask_limiter.Limiter(
        lambda: "one browser", app=app, storage_uri="memory://"
    )

    @app.before_request
    def members_only() -> None:  # registered before Talisman's hook
        if request.path == "/members":
            abort(403)

    Talisman(
        app,
        force_https=False,
        content_security_policy={
            "default-src": SELF,
            "object-src": NONE,
            "base-uri": SELF,
        },
        content_security_policy_nonce_in=["script-src"],
    )

    def error_page(error: Exception) -> tuple[str, int]:
        nonce = "stale" if request.args.get("control") else "{{ csp_nonce() }}"
        code = getattr(error, "code", 500)
        return render_template_string(PAGE.replace("{{ nonce }}", nonce)), code

    for code in (400, 403, 429):
        app.register_error_handler(code, error_page)

    @app.route("/form", methods=["GET", "POST"])
    def form() -> str:
        return render_template_string(
            '<form method="post" action="/form"><button>send</button></form>'
        )

    @app.route("/limited")
    @limiter.limit("1/minute")
    def limited() -> str:
        return render_template_string(PAGE.replace("{{ nonce }}", "{{ csp_nonce() }}"))

    @app.route("/members")
    def members() -> str:
        return "members"

    with serve(app) as served:
        yield served


def _ran(page: Page) -> str | None:
    return page.text_content("#script")


def test_a_csrf_error_page_runs_its_script(
    site: tuple[str, StatusLog], page: Page
) -> None:
    origin, log = site
    page.goto(origin + "/form")
    with page.expect_navigation():
        page.click("button")  # no CSRF token: Flask-WTF refuses it
    assert log.statuses("/form")[-1] == 400
    assert _ran(page) == "ran"
    assert violations(page) == []


def test_a_429_page_runs_its_script(site: tuple[str, StatusLog], page: Page) -> None:
    origin, log = site
    for _ in range(2):
        page.goto(origin + "/limited")
        assert _ran(page) == "ran"
        assert violations(page) == []
    assert log.statuses("/limited")[-2:] == [200, 429]


def test_an_abort_in_an_earlier_hook_runs_its_script(
    site: tuple[str, StatusLog], page: Page
) -> None:
    origin, _ = site
    response = page.goto(origin + "/members")
    assert response is not None
    assert response.status == 403
    assert _ran(page) == "ran"
    assert violations(page) == []


def test_control_a_page_with_another_nonce_is_blocked(
    site: tuple[str, StatusLog], page: Page
) -> None:
    origin, _ = site
    response = page.goto(origin + "/members?control=1")
    assert response is not None
    assert response.status == 403
    assert _ran(page) == "not-run"
    assert [v["directive"] for v in violations(page)] == ["script-src-elem"]
