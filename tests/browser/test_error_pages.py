"""Error pages with nonce'd scripts, rendered before Talisman's hook ran.

Flask-WTF's CSRF check and Flask-Limiter's rate limit refuse a request in
before-request hooks registered before Talisman's, and an ``abort(403)`` in
such a hook does the same: the error handler renders a page whose inline
script asks ``csp_nonce()``. Its nonce must be the one the header carries,
or the browser blocks the script (flask-talisman 1.1.0 rendered ``nonce=""``
there and sent no nonce). The control sends the same page with a nonce the
header does not carry: each engine must block it.

The same cases and assertions run in Chromium, Firefox and WebKit (the
``engine`` fixture). The server's log gives each response's status; the
page notes its own violations (a same-origin script loaded first, which
``'self'`` allows whatever the nonce) and whether its nonce'd script ran.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask, abort, render_template_string, request

from flask_talisman import NONE, SELF, Talisman

from ..live import StatusLog, serve
from .conftest import COLLECTOR_TAG, navigate, serve_collector, violations
from .engines import Engine

pytestmark = pytest.mark.browser

PAGE = f"""<!doctype html>
<title>error</title>
{COLLECTOR_TAG}
<p id="script">not-run</p>
<script nonce="{{{{ nonce }}}}">document.getElementById("script").textContent = "ran";</script>
"""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, StatusLog]]:
    flask_wtf_csrf = pytest.importorskip("flask_wtf.csrf")
    flask_limiter = pytest.importorskip("flask_limiter")
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "k"
    flask_wtf_csrf.CSRFProtect(app)
    # One limit per test run: each engine starts with its first request free.
    limiter = flask_limiter.Limiter(
        lambda: request.args.get("run", ""), app=app, storage_uri="memory://"
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
    serve_collector(app)

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


def _ran(engine: Engine) -> str:
    ran: str = engine.evaluate('document.getElementById("script").textContent')
    return ran


def test_a_csrf_error_page_runs_its_script(
    engine: Engine, site: tuple[str, StatusLog]
) -> None:
    origin, log = site
    engine.goto(origin + "/form")
    # No CSRF token: Flask-WTF refuses it.
    navigate(engine, 'document.querySelector("button").click()')
    assert log.statuses("/form")[-2:] == [200, 400]
    assert _ran(engine) == "ran"
    assert violations(engine) == []


def test_a_429_page_runs_its_script(
    engine: Engine, site: tuple[str, StatusLog]
) -> None:
    origin, log = site
    target = f"/limited?run={uuid.uuid4().hex}"
    for _ in range(2):
        engine.goto(origin + target)
        assert _ran(engine) == "ran"
        assert violations(engine) == []
    assert log.statuses(target) == [200, 429]


def test_an_abort_in_an_earlier_hook_runs_its_script(
    engine: Engine, site: tuple[str, StatusLog]
) -> None:
    origin, log = site
    target = f"/members?run={uuid.uuid4().hex}"
    engine.goto(origin + target)
    assert log.statuses(target) == [403]
    assert _ran(engine) == "ran"
    assert violations(engine) == []


def test_control_a_page_with_another_nonce_is_blocked(
    engine: Engine, site: tuple[str, StatusLog]
) -> None:
    origin, log = site
    target = f"/members?control=1&run={uuid.uuid4().hex}"
    engine.goto(origin + target)
    assert log.statuses(target) == [403]
    assert _ran(engine) == "not-run"
    assert [v["directive"] for v in violations(engine)] == ["script-src-elem"]
