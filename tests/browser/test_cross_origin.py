"""Cross-origin protection and resource isolation, with the requests each engine makes.

One app, served once for the module on 127.0.0.1, is driven from Chromium,
Firefox ESR and WebKitGTK (engines.py), each started once, with the same
assertions. The same server reached as ``localhost`` is another site (not
only another origin), so a page loaded from ``localhost`` is the
attacker's; a second server of the app, on another port of ``localhost``,
is the partner whose origin the app trusts. Each blueprint of the app has
its own checks (per-blueprint options), and what the app answered is
recorded server-side: each request's method, path, ``Sec-Fetch-Site`` and
status. Pages record what happened in the browser (a script's ``error``
event, a navigation's page) where :meth:`Engine.evaluate` reads it.

Every engine here sends Fetch Metadata with these requests (MDN's
compatibility data: Chromium since 76, ``Sec-Fetch-Dest`` since 80; Firefox
since 90; Safari since 16.4, and WebKitGTK 2.50 with it), and ``Origin`` with POST requests, and each
answers the same way: the tests check the request headers the server saw,
not only the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, request

from flask_talisman import CrossOriginViolation, Talisman, cross_origin_violation

from .conftest import _serve, settle, wait_for
from .engines import Engine

pytestmark = pytest.mark.browser

#: Served on every origin: its requests go to ``target`` (the app's own
#: origin and a blueprint's prefix). ``run(what)`` starts one; the outcome
#: of the ones that stay on the page is in ``window.outcome``.
PAGE = """<!doctype html><title>page</title>
<form id="form" method="post" action="{target}/submit"><input name="a" value="1"></form>
<a id="link" href="{target}/target">go</a>
<script>
const target = {target!r};
window.outcome = "";
const done = (text) => () => {{ window.outcome = text; }};
window.run = (what) => {{
  if (what === "form") document.getElementById("form").submit();
  if (what === "link") document.getElementById("link").click();
  if (what === "fetch") fetch(target + "/submit", {{method: "POST", mode: "no-cors",
      credentials: "include", body: "a=1"}}).then(done("fetched"), done("fetch failed"));
  if (what === "cors") fetch(target + "/submit", {{method: "POST", body: "a=1"}})
      .then((r) => {{ window.outcome = "cors " + r.status; }}, done("cors failed"));
  if (what === "script") {{ const s = document.createElement("script");
      s.onerror = done("script error"); s.onload = done("script loaded");
      s.src = target + "/data.json"; document.body.append(s); }}
  if (what === "img") {{ const i = new Image(); i.onerror = done("img error");
      i.onload = done("img loaded"); i.src = target + "/data.json"; }}
}};
</script>
"""
#: Each blueprint's checks.
CHECKS: dict[str, dict[str, Any]] = {
    "csrf": {"cross_origin_protection": True},
    "isolated": {"resource_isolation": True},
    "both": {"cross_origin_protection": True, "resource_isolation": True},
    "report": {
        "cross_origin_protection": "report-only",
        "resource_isolation": "report-only",
    },
}

#: The Fetch Metadata headers recorded (``Sec-Fetch-User`` is not read by
#: the checks, and WebKit does not send it: webkit.org/b/247697).
FETCH = ("Site", "Mode", "Dest")
Seen = list[tuple[str, str, str, str, str, int]]


@dataclass
class Served:
    app: Flask
    talisman: Talisman
    #: (method, path, Sec-Fetch-Site, -Mode, -Dest, status) of each request
    #: the app answered.
    seen: Seen
    own: str
    other: str
    partner: str


def make_app() -> tuple[Flask, Talisman, Seen]:
    app = Flask("cross_origin_browser")
    seen: Seen = []
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy=None,  # the page's inline script
    )

    @app.route("/page")
    def page() -> str:
        # Served on every origin, with no checks; its targets are the
        # app's own origin.
        return PAGE.format(target=request.args["target"])

    for name, options in CHECKS.items():
        blueprint = Blueprint(name, __name__, url_prefix=f"/{name}")

        @blueprint.route("/form-page")
        def form_page() -> str:
            return '<form id="form" method="post" action="submit"></form>'

        @blueprint.post("/submit")
        def submit() -> str:
            return "submitted"

        @blueprint.route("/target")
        def target() -> str:
            return "<title>target</title>target"

        @blueprint.route("/data.json")
        def data() -> Any:
            return jsonify(secret="s3cret")

        talisman(**options)(blueprint)
        app.register_blueprint(blueprint)

    @app.after_request
    def record(response: Any) -> Any:
        if request.path != "/favicon.ico":  # asked for by engines on their own
            site, mode, dest = (
                request.headers.get(f"Sec-Fetch-{name}", "") for name in FETCH
            )
            seen.append(
                (request.method, request.path, site, mode, dest, response.status_code)
            )
        return response

    return app, talisman, seen


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    app, talisman, seen = make_app()
    with _serve(app) as (server, _), _serve(app) as (second, _):
        port = server.server_port
        partner = f"http://localhost:{second.server_port}"
        # Before the first request: the partner's origin passes both checks.
        talisman.cross_origin_trusted_origins = [partner]
        yield Served(
            app,
            talisman,
            seen,
            f"http://127.0.0.1:{port}",
            f"http://localhost:{port}",
            partner,
        )


#: The Fetch Metadata of another site's link or form, and of its fetch().
NAVIGATED = ("cross-site", "navigate", "document")
CORS = ("cross-site", "cors", "empty")


def open_page(engine: Engine, served: Served, origin: str, checks: str) -> None:
    """The page on ``origin``, aimed at the blueprint ``checks`` of the app."""
    engine.goto(f"{origin}/page?target={served.own}/{checks}")
    served.seen.clear()


def answered(seen: Seen, method: str, path: str) -> tuple[Any, ...]:
    """``(Sec-Fetch-Site, -Mode, -Dest, status)`` of the app's answer."""
    found: Seen = wait_for(lambda: [s for s in seen if s[:2] == (method, path)])
    assert found, (method, path, seen)
    return found[-1][2:]


def outcome(engine: Engine, expected: str) -> Any:
    """``window.outcome`` once it is ``expected``, or what it is after 10 s."""
    wait_for(lambda: engine.evaluate("window.outcome") == expected)
    return engine.evaluate("window.outcome")


def navigate(engine: Engine, what: str, url: str) -> str:
    """Start ``run(what)``, which leaves the page; the text of the page at ``url``.

    The call returns before the navigation (engines differ in whether an
    evaluation that navigates waits for the next page), and the next page
    is read once the engine shows it, ignoring errors while it loads.
    """
    engine.evaluate(f"void setTimeout(() => run({what!r}), 0)")

    def arrived() -> str | None:
        try:
            page = engine.evaluate(
                "document.readyState === 'complete' && document.body"
                " ? [location.href, document.body.innerText] : null"
            )
        except Exception:  # the page went while the engine read it
            return None
        return page[1] if page and page[0] == url else None

    text = wait_for(arrived, timeout=20)
    assert text is not None, f"{engine.name} never showed {url}"
    return str(text).strip()


def test_a_cross_site_form_post_and_fetch_are_refused(
    engine: Engine, served: Served
) -> None:
    open_page(engine, served, served.other, "csrf")
    text = navigate(engine, "form", f"{served.own}/csrf/submit")
    assert text.startswith("403 Forbidden: Refused by cross_origin_protection")
    assert answered(served.seen, "POST", "/csrf/submit") == (*NAVIGATED, 403)
    open_page(engine, served, served.other, "csrf")
    engine.evaluate("run('fetch')")
    assert answered(served.seen, "POST", "/csrf/submit") == (
        "cross-site",
        "no-cors",
        "empty",
        403,
    )
    # A no-cors fetch resolves with an opaque response, whatever its status.
    assert outcome(engine, "fetched") == "fetched"


def test_a_same_origin_form_posts(engine: Engine, served: Served) -> None:
    engine.goto(f"{served.own}/both/form-page")
    served.seen.clear()
    engine.evaluate("void setTimeout(() => document.forms[0].submit(), 0)")
    assert answered(served.seen, "POST", "/both/submit") == (
        "same-origin",
        "navigate",
        "document",
        200,
    )
    # (An evaluation while the form's answer replaces the page is retried.)
    assert (
        settle(
            engine,
            "location.pathname === '/both/submit' && document.body"
            " && document.body.innerText.trim() === 'submitted'",
            timeout=20,
        )
        is True
    )


def test_a_cross_site_link_navigates(engine: Engine, served: Served) -> None:
    open_page(engine, served, served.other, "both")
    assert navigate(engine, "link", f"{served.own}/both/target") == "target"
    assert answered(served.seen, "GET", "/both/target") == (*NAVIGATED, 200)


@pytest.mark.parametrize("what", ["script", "img"])
def test_a_cross_site_subresource_of_json_is_refused(
    engine: Engine, served: Served, what: str
) -> None:
    open_page(engine, served, served.other, "isolated")
    engine.evaluate(f"run({what!r})")
    dest = {"script": "script", "img": "image"}[what]
    assert answered(served.seen, "GET", "/isolated/data.json") == (
        "cross-site",
        "no-cors",
        dest,
        403,
    )
    assert outcome(engine, f"{what} error") == f"{what} error"
    # The same resource, loaded by the app's own page, is served.
    open_page(engine, served, served.own, "isolated")
    engine.evaluate(f"run({what!r})")
    assert answered(served.seen, "GET", "/isolated/data.json") == (
        "same-origin",
        "no-cors",
        dest,
        200,
    )


def test_a_trusted_origin_passes(engine: Engine, served: Served) -> None:
    # The attacker's fetch is refused; the partner's (another port of the
    # same host: the same site as the attacker) passes both checks.
    open_page(engine, served, served.other, "both")
    engine.evaluate("run('cors')")
    assert answered(served.seen, "POST", "/both/submit") == (*CORS, 403)
    open_page(engine, served, served.partner, "both")
    engine.evaluate("run('cors')")
    assert answered(served.seen, "POST", "/both/submit") == (*CORS, 200)
    # No Access-Control-Allow-Origin: the partner's page cannot read it.
    assert outcome(engine, "cors failed") == "cors failed"
    open_page(engine, served, served.partner, "both")
    assert navigate(engine, "form", f"{served.own}/both/submit") == "submitted"
    assert answered(served.seen, "POST", "/both/submit") == (*NAVIGATED, 200)


def test_report_only_logs_and_serves(
    engine: Engine, served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    reported: list[CrossOriginViolation] = []

    def receive(sender: Flask, violation: CrossOriginViolation) -> None:
        reported.append(violation)

    caplog.set_level(logging.WARNING, "flask_talisman.cross_origin")
    with cross_origin_violation.connected_to(receive, served.app):
        open_page(engine, served, served.other, "report")
        assert navigate(engine, "form", f"{served.own}/report/submit") == "submitted"
        assert answered(served.seen, "POST", "/report/submit") == (*NAVIGATED, 200)
    (violation,) = reported
    assert violation.checks == ("cross_origin_protection", "resource_isolation")
    assert violation.refused is False
    assert violation.origin == served.other
    assert (violation.sec_fetch_mode, violation.sec_fetch_dest) == (
        "navigate",
        "document",
    )
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("would refuse (report-only) 'POST' '/report/submit'")
