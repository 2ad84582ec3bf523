"""Cross-origin protection and resource isolation, with the requests Chromium makes.

The app is served on 127.0.0.1; the same server reached as ``localhost`` is
another site, so a page loaded from ``localhost`` is the attacker's (or the
partner's) page. What the app saw is recorded server-side: each request's
method, path, Fetch Metadata and status. Chromium only: Firefox and WebKit
are not driven by this suite yet (docs/cross_origin.rst says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, jsonify, request

from flask_talisman import CrossOriginViolation, Talisman, cross_origin_violation

from .conftest import _serve, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html>
<form id="form" method="post" action="{target}/submit"><input name="a" value="1"></form>
<script>
const target = {target!r};
window.run = (what) => {{
  if (what === "form") document.getElementById("form").submit();
  if (what === "fetch") fetch(target + "/submit", {{method: "POST", mode: "no-cors",
      credentials: "include", body: "a=1"}}).then(() => document.title = "fetched",
      () => document.title = "fetch failed");
  if (what === "cors") fetch(target + "/submit", {{method: "POST",
      body: "a=1"}}).then((r) => document.title = "cors " + r.status,
      () => document.title = "cors failed");
  if (what === "script") {{ const s = document.createElement("script");
      s.src = target + "/data.json"; s.onerror = () => document.title = "script error";
      s.onload = () => document.title = "script loaded"; document.body.append(s); }}
  if (what === "img") {{ const i = new Image(); i.onerror = () => document.title =
      "img error"; i.src = target + "/data.json"; }}
}};
</script>
<a id="link" href="{target}/target">go</a>
"""


def make_app(**options: Any) -> tuple[Flask, list[tuple[str, str, str, int]]]:
    """The app, and what it answered: (method, path, Sec-Fetch-Site, status)."""
    app = Flask("cross_origin_browser")
    seen: list[tuple[str, str, str, int]] = []
    Talisman(
        app,
        force_https=False,
        content_security_policy=None,  # the pages' inline scripts
        **options,
    )

    @app.route("/page")
    def page() -> str:
        # Served on either origin; its targets are the app's own origin.
        target = request.args["target"]
        return ATTACK.format(target=target)

    @app.route("/form-page")
    def form_page() -> str:
        return '<form id="form" method="post" action="/submit"></form>'

    @app.post("/submit")
    def submit() -> str:
        return "submitted"

    @app.route("/target")
    def target() -> str:
        return "<title>target</title>target"

    @app.route("/data.json")
    def data() -> Any:
        return jsonify(secret="s3cret")

    @app.after_request
    def record(response: Any) -> Any:
        if request.path != "/favicon.ico":  # Chromium asks on its own
            site = request.headers.get("Sec-Fetch-Site", "")
            seen.append((request.method, request.path, site, response.status_code))
        return response

    return app, seen


@contextmanager
def served(app: Flask) -> Iterator[tuple[str, str]]:
    """``(own origin, other site's origin)`` of the app served on 127.0.0.1."""
    with _serve(app) as (server, _):
        port = server.server_port
        yield f"http://127.0.0.1:{port}", f"http://localhost:{port}"


Serve = Callable[..., AbstractContextManager[tuple[Flask, list[Any], str, str]]]


@pytest.fixture
def serve() -> Serve:
    @contextmanager
    def start(
        **options: Any,
    ) -> Iterator[tuple[Flask, list[Any], str, str]]:
        app, seen = make_app(**options)
        with served(app) as (own, other):
            yield app, seen, own, other

    return start


def attack_page(page: Page, own: str, other: str) -> None:
    page.goto(f"{other}/page?target={own}")


def answered(seen: list[Any], method: str, path: str) -> int | None:
    found = wait_for(lambda: [s for s in seen if s[:2] == (method, path)])
    assert found, (method, path, seen)
    return int(found[-1][3])


def test_a_cross_site_form_post_and_fetch_are_refused(page: Page, serve: Serve) -> None:
    with serve(cross_origin_protection=True) as (_, seen, own, other):
        attack_page(page, own, other)
        with page.expect_navigation():
            page.evaluate("run('form')")
        assert "Refused by cross_origin_protection" in page.content()
        assert seen[-1] == ("POST", "/submit", "cross-site", 403)
        seen.clear()
        attack_page(page, own, other)
        page.evaluate("run('fetch')")
        assert answered(seen, "POST", "/submit") == 403
        assert seen[-1][2] == "cross-site"


def test_a_same_origin_form_posts(page: Page, serve: Serve) -> None:
    with serve(cross_origin_protection=True, resource_isolation=True) as (
        _,
        seen,
        own,
        _other,
    ):
        page.goto(f"{own}/form-page")
        with page.expect_navigation():
            page.evaluate("document.getElementById('form').submit()")
        assert page.inner_text("body") == "submitted"
        assert seen[-1] == ("POST", "/submit", "same-origin", 200)


def test_a_cross_site_link_navigates(page: Page, serve: Serve) -> None:
    with serve(cross_origin_protection=True, resource_isolation=True) as (
        _,
        seen,
        own,
        other,
    ):
        attack_page(page, own, other)
        with page.expect_navigation():
            page.click("#link")
        assert page.title() == "target"
        assert seen[-1] == ("GET", "/target", "cross-site", 200)


@pytest.mark.parametrize(
    ("what", "title"), [("script", "script error"), ("img", "img error")]
)
def test_a_cross_site_subresource_of_json_is_refused(
    page: Page, serve: Serve, what: str, title: str
) -> None:
    with serve(resource_isolation=True) as (_, seen, own, other):
        attack_page(page, own, other)
        page.evaluate(f"run({what!r})")
        assert wait_for(lambda: page.title() == title)
        assert answered(seen, "GET", "/data.json") == 403
        # The same resource, loaded by the app's own page, is served.
        seen.clear()
        page.goto(f"{own}/page?target={own}")
        page.evaluate(f"run({what!r})")
        assert answered(seen, "GET", "/data.json") == 200


def test_a_trusted_origin_passes(page: Page) -> None:
    app, seen = make_app(cross_origin_protection=True, resource_isolation=True)
    talisman = app.extensions["talisman"].owner
    with served(app) as (own, other):
        attack_page(page, own, other)
        page.evaluate("run('cors')")
        assert wait_for(lambda: page.title().startswith("cors"))
        assert answered(seen, "POST", "/submit") == 403
        seen.clear()
        talisman.cross_origin_trusted_origins = [other]
        attack_page(page, own, other)
        page.evaluate("run('cors')")
        assert answered(seen, "POST", "/submit") == 200
        seen.clear()
        with page.expect_navigation():
            page.evaluate("run('form')")
        assert page.inner_text("body") == "submitted"


def test_report_only_logs_and_serves(page: Page, serve: Serve) -> None:
    reported: list[CrossOriginViolation] = []

    def receive(sender: Flask, violation: CrossOriginViolation) -> None:
        reported.append(violation)

    with (
        serve(
            cross_origin_protection="report-only", resource_isolation="report-only"
        ) as (app, seen, own, other),
        cross_origin_violation.connected_to(receive, app),
    ):
        attack_page(page, own, other)
        with page.expect_navigation():
            page.evaluate("run('form')")
        assert page.inner_text("body") == "submitted"
        assert seen[-1] == ("POST", "/submit", "cross-site", 200)
        (violation,) = reported
        assert violation.checks == ("cross_origin_protection", "resource_isolation")
        assert violation.refused is False
        assert violation.origin == other
        assert (violation.sec_fetch_mode, violation.sec_fetch_dest) == (
            "navigate",
            "document",
        )
