"""The roll-out loop in Chromium, Firefox and WebKit: report-only, read,
suggest, apply, clean.

docs/rollout.rst's shop (docs/examples/shop.py), whose report-only policy
(``default-src 'self'``) is too tight for its pages: every page loads a
script from a second origin (the test's asset server, reached as
``localhost``), the gallery an image from it, the fonts page a web font
(from its own stylesheet), the video page a frame. Each engine (the
``engine`` fixture) visits each page; the built-in receiver appends the
reports to ``report_receiver_file``; ``flask talisman suggest --format
json`` (the real command, through Flask's CLI runner) reads that file
against the app's policies; its JSON is applied (the app-wide
``directives`` into the policy, each view's sources with
``talisman.extend``); the same server, now serving the changed app, is
visited again, and no page sees a violation and no report arrives.

The same loop on a page whose only violation is an injected inline script
suggests nothing: only advice that names the page.

Each page notes its own violations (conftest's collector, injected first
in its ``<head>``). Over plain HTTP every engine delivers reports to
``report-uri`` (the policy has no ``report-to``:
``content_security_policy_report_to=False``). The three send the same
reports here (a frame by its origin alone) but not as often: WebKit sent
most of them twice, Firefox the font's twice, so the test asks for each
kind of report, not a count. In Chromium the reports
must also be those docs/examples/reports.jsonl holds.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, Response
from werkzeug.serving import make_server

from flask_talisman import SELF
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.report_groups import read_reports

from ..test_rollout_docs import docs_shop
from .conftest import noted, serve_collector, settle, wait_for

if TYPE_CHECKING:
    from .engines import Engine

pytestmark = pytest.mark.browser

TIGHT = {"default-src": SELF, "object-src": "'none'"}
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    '<rect width="4" height="4" fill="teal"/></svg>'
)
ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def assets_app() -> Flask:
    """The second origin: a script, an image, a font and a framed page."""
    app = Flask("assets")

    @app.route("/lib.js")
    def lib() -> Response:
        return Response("window.libLoaded = true;", mimetype="text/javascript")

    @app.route("/photo.svg")
    def photo() -> Response:
        return Response(SVG, mimetype="image/svg+xml")

    @app.route("/shop.woff2")
    def font() -> Response:
        return Response(b"wOF2 not a real font", mimetype="font/woff2")

    @app.route("/embed")
    def embed() -> str:
        return "<!doctype html><title>player</title><p>video</p>"

    return app


def shop(
    assets: str,
    reports: Path,
    directives: dict[str, str] | None = None,
    views: dict[str, dict[str, list[str]]] | None = None,
) -> Flask:
    """The docs' shop over plain HTTP, its assets at ``assets``, its
    report-only policy TIGHT with ``directives`` set and each view of
    ``views`` extended with its sources, as suggest's JSON says."""
    module = docs_shop()
    app: Flask = module.create_app(
        assets,
        force_https=False,
        session_cookie_secure=False,
        content_security_policy_report_only={**TIGHT, **(directives or {})},
        # Over plain HTTP Chromium posts to report-uri only without report-to.
        content_security_policy_report_to=False,
        report_receiver_file=str(reports),
    )
    for endpoint, sources in (views or {}).items():
        extend = module.talisman.extend(content_security_policy_report_only=sources)
        app.view_functions[endpoint] = extend(app.view_functions[endpoint])
    # Each page notes its own violations, in every engine (a same-origin
    # script the policy allows).
    serve_collector(app, inject=True)
    return app


class Swappable:
    """A WSGI app that passes each request to the app it holds now."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()


@contextlib.contextmanager
def serving(app: Any) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def assets() -> Iterator[str]:
    """The asset server's origin, as the shop's pages name it."""
    with serving(Swappable(assets_app())) as port:
        yield f"http://localhost:{port}"


def stored(reports: Path) -> list[Any]:
    if not reports.exists():
        return []
    with reports.open("rb") as lines:
        read = read_reports(lines)
    assert read.bad == 0
    return read.reports


def suggest_json(app: Flask, reports: Path) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(
        talisman_cli, ["suggest", "--format", "json", str(reports)]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def visit(engine: Engine, origin: str, path: str) -> list[dict[str, str]]:
    """Load ``path`` and let it settle (its font loaded): its violations."""
    engine.goto(origin + path)
    settle(engine, "document.readyState === 'complete'")
    settle(engine, "document.fonts.status === 'loaded'")
    time.sleep(0.3)
    found: list[dict[str, str]] = noted(engine)["violations"]
    return found


PAGES = ("/", "/gallery", "/fonts", "/video")
#: The reports docs/rollout.rst reads: Chromium's, captured by running this
#: module (``python -m tests.browser.test_policy_loop``), the servers'
#: addresses written as the shop's and its CDN's.
DOCS_REPORTS = EXAMPLES / "reports.jsonl"
DOCS_SHOP, DOCS_CDN = "https://shop.example", "https://cdn.example"


def as_docs(line: str, origin: str, assets: str) -> str:
    """A stored report's line with the test servers' addresses replaced
    by the shop's and its CDN's, as docs/examples/reports.jsonl has them."""
    return line.replace(origin, DOCS_SHOP).replace(assets, DOCS_CDN)


def kinds(reports: list[Any], paths: tuple[str, ...]) -> set[tuple[str, ...]]:
    """What each report of a page of ``paths`` is about, in the docs' terms.

    (Not its ``sourceFile``: Chromium names the page as the source of the
    font's report in some runs and nothing in others.)
    """
    return {
        (
            r.type,
            r.body["documentURL"].removeprefix(DOCS_SHOP),
            r.body["effectiveDirective"],
            r.body["blockedURL"],
            r.body["disposition"],
        )
        for r in reports
        if r.body["documentURL"].removeprefix(DOCS_SHOP) in paths
    }


def docs_reports() -> list[Any]:
    with DOCS_REPORTS.open("rb") as lines:
        read = read_reports(lines)
    assert read.bad == 0
    return read.reports


def check_docs_reports(
    reports: Path, origin: str, assets: str, paths: tuple[str, ...]
) -> None:
    """The docs' reports of ``paths`` are what Chromium sends now."""
    lines = [as_docs(line, origin, assets) for line in reports.read_text().splitlines()]
    now = read_reports(lines).reports
    assert kinds(now, paths) == kinds(docs_reports(), paths)


def test_the_loop_ends_with_a_policy_the_pages_keep(
    engine: Engine, assets: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports.jsonl"
    app = shop(assets, reports)
    front = Swappable(app)
    with serving(front) as port:
        origin = f"http://127.0.0.1:{port}"
        seen = {path: visit(engine, origin, path) for path in PAGES}
        # Too tight: each page saw what it loads from the second origin.
        assert {path: sorted({v["directive"] for v in found}) for path, found in seen.items()} == {
            "/": ["script-src-elem"],
            "/gallery": ["img-src", "script-src-elem"],
            "/fonts": ["font-src", "script-src-elem"],
            "/video": ["frame-src", "script-src-elem"],
        }  # fmt: skip
        expected = {
            ("/", "script-src-elem"),
            ("/gallery", "script-src-elem"),
            ("/gallery", "img-src"),
            ("/fonts", "script-src-elem"),
            ("/fonts", "font-src"),
            ("/video", "script-src-elem"),
            ("/video", "frame-src"),
        }

        def arrived() -> bool:
            return expected <= {
                (
                    r.body["documentURL"].removeprefix(origin),
                    r.body["effectiveDirective"],
                )
                for r in stored(reports)
            }

        assert wait_for(arrived, timeout=15), stored(reports)
        assert {r.body["disposition"] for r in stored(reports)} == {"report"}
        if engine.name == "chromium":
            check_docs_reports(reports, origin, assets, PAGES)

        found = suggest_json(app, reports)
        assert found["option"] == "content_security_policy_report_only"
        assert found["add"] == {"script-src": [assets]}
        assert found["directives"] == {"script-src": f"'self' {assets}"}
        assert found["views"] == {
            "fonts": {"font-src": [assets]},
            "gallery": {"img-src": [assets]},
            "video": {"frame-src": [assets]},
        }
        assert found["advice"] == []

        # Applied; the same server, the same origin, serves the changed app.
        front.app = shop(assets, reports, found["directives"], found["views"])
        before = len(stored(reports))
        for path in PAGES:
            assert visit(engine, origin, path) == [], path
        assert engine.evaluate("window.libLoaded") is True
        time.sleep(1.5)  # reports arrived within this above
        assert len(stored(reports)) == before
        again = suggest_json(front.app, reports)
        assert (again["add"], again["views"]) == ({}, {})
        assert again["counts"]["allowed_now"] == before


def test_an_injected_inline_script_gets_advice_never_a_source(
    engine: Engine, assets: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports.jsonl"
    app = shop(assets, reports)
    with serving(Swappable(app)) as port:
        origin = f"http://127.0.0.1:{port}"
        seen = visit(engine, origin, "/guestbook")
        assert [(v["directive"], v["blocked"]) for v in seen] == [
            ("script-src-elem", "inline")
        ]
        assert wait_for(lambda: stored(reports), timeout=15)
        if engine.name == "chromium":
            check_docs_reports(reports, origin, assets, ("/guestbook",))
        found = suggest_json(app, reports)
    assert (found["add"], found["views"], found["directives"]) == ({}, {}, {})
    assert found["advice"] == [
        f"An inline script on {origin}/guestbook (endpoint guestbook) was blocked "
        "by script-src-elem: if it is the page's own, give the <script> element "
        "a nonce attribute from csp_nonce() or allow its hash (csp_hash); "
        "otherwise it was injected. Never add 'unsafe-inline'."
    ]


def capture(to: Path) -> None:
    """Write docs/examples/reports.jsonl anew: Chromium visits each page of
    the shop (the guestbook last) and the reports are stored as the docs
    show them."""
    from playwright.sync_api import sync_playwright

    from .conftest import CHROMIUM, LAUNCH_ARGS

    with (
        serving(Swappable(assets_app())) as assets_port,
        sync_playwright() as driver,
    ):
        assets = f"http://localhost:{assets_port}"
        reports = to.with_suffix(".capturing")
        reports.unlink(missing_ok=True)
        with serving(Swappable(shop(assets, reports))) as port:
            origin = f"http://127.0.0.1:{port}"
            browser = driver.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
            )
            page = browser.new_page()
            for path in (*PAGES, "/guestbook"):
                page.goto(origin + path)
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready.then(() => true)")
                page.wait_for_timeout(500)
            page.wait_for_timeout(1500)
            browser.close()
        lines = reports.read_text().splitlines()
        reports.unlink()
    to.write_text("".join(as_docs(line, origin, assets) + "\n" for line in lines))


if __name__ == "__main__":  # pragma: no cover - run by hand to refresh the docs
    capture(DOCS_REPORTS)
