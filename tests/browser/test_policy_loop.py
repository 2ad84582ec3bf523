"""The roll-out loop in Chromium: report-only, read, suggest, apply, clean.

A shop whose report-only policy (``default-src 'self'``) is too tight for
its pages: every page loads a script from a second origin (the test's
asset server, reached as ``localhost``), the gallery an image from it, the
fonts page a web font (from its own stylesheet), the video page a frame. Chromium visits each page;
the built-in receiver appends the reports to ``report_receiver_file``;
``flask talisman suggest --format json`` (the real command, through
Flask's CLI runner) reads that file against the app's policies; its JSON is
applied (the app-wide ``directives`` into the policy, each view's sources
with ``talisman.extend``); the same server, now serving the changed app,
is visited again, and no page sees a violation and no report arrives.

The same loop on a page whose only violation is an injected inline script
suggests nothing: only advice that names the page.

Over plain HTTP Chromium delivers reports to ``report-uri`` (the policy
has no ``report-to``: ``content_security_policy_report_to=False``).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, Response, render_template_string
from werkzeug.serving import make_server

from flask_talisman import SELF, Talisman
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.report_groups import read_reports

from .conftest import violations, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TIGHT = {"default-src": SELF, "object-src": "'none'"}
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    '<rect width="4" height="4" fill="teal"/></svg>'
)
LAYOUT = """<!doctype html>
<html><head><title>{{ title }}</title>
<script src="{{ assets }}/lib.js"></script>
</head><body><h1>{{ title }}</h1>{{ body|safe }}</body></html>
"""
COMMENT_PAGE = """<!doctype html>
<html><head><title>Guestbook</title></head>
<body><p>{{ comment|safe }}</p></body></html>
"""
#: What an attacker left in the guestbook: rendered unescaped by mistake.
INJECTED = "<script>document.title = 'injected'</script>"


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
    """The shop, its report-only policy TIGHT with ``directives`` set and
    each view in ``views`` extended with its sources."""
    app = Flask("shop")
    talisman = Talisman(
        app,
        force_https=False,
        session_cookie_secure=False,
        content_security_policy={},
        content_security_policy_report_only={**TIGHT, **(directives or {})},
        content_security_policy_report_to=False,
        report_receiver="/reports",
        report_receiver_file=str(reports),
    )

    def page(title: str, body: str = "") -> str:
        return render_template_string(LAYOUT, title=title, body=body, assets=assets)

    pages = {
        "index": ("/", lambda: page("Shop")),
        "gallery": (
            "/gallery",
            lambda: page("Gallery", f'<img id="photo" src="{assets}/photo.svg">'),
        ),
        "fonts": (
            "/fonts",
            lambda: page(
                "Fonts",
                '<link rel="stylesheet" href="/fonts.css">'
                '<p class="shop-type">Shop in our own type.</p>',
            ),
        ),
        "video": (
            "/video",
            lambda: page("Video", f'<iframe src="{assets}/embed"></iframe>'),
        ),
        "guestbook": (
            "/guestbook",
            lambda: render_template_string(COMMENT_PAGE, comment=INJECTED),
        ),
    }
    for endpoint, (rule, view) in pages.items():
        if views and endpoint in views:
            extend = talisman.extend(
                content_security_policy_report_only=views[endpoint]
            )
            view = extend(view)
        app.add_url_rule(rule, endpoint, view)

    @app.route("/fonts.css")
    def css() -> Response:
        return Response(
            "@font-face { font-family: Shop; "
            f'src: url("{assets}/shop.woff2") format("woff2"); }}\n'
            ".shop-type { font-family: Shop, serif; }\n",
            mimetype="text/css",
        )

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


def visit(page: Page, origin: str, path: str) -> list[dict[str, str]]:
    """Load ``path`` and let it settle (its font asked for): its violations."""
    page.goto(origin + path)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(200)
    return violations(page)


PAGES = ("/", "/gallery", "/fonts", "/video")


def test_the_loop_ends_with_a_policy_the_pages_keep(
    page: Page, assets: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports.jsonl"
    app = shop(assets, reports)
    front = Swappable(app)
    with serving(front) as port:
        origin = f"http://127.0.0.1:{port}"
        seen = {path: visit(page, origin, path) for path in PAGES}
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
            assert visit(page, origin, path) == [], path
        assert page.evaluate("window.libLoaded") is True
        page.wait_for_timeout(1500)  # reports arrive within this above
        assert len(stored(reports)) == before
        again = suggest_json(front.app, reports)
        assert (again["add"], again["views"]) == ({}, {})
        assert again["counts"]["allowed_now"] == before


def test_an_injected_inline_script_gets_advice_never_a_source(
    page: Page, assets: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports.jsonl"
    app = shop(assets, reports)
    with serving(Swappable(app)) as port:
        origin = f"http://127.0.0.1:{port}"
        seen = visit(page, origin, "/guestbook")
        assert [(v["directive"], v["blocked"]) for v in seen] == [
            ("script-src-elem", "inline")
        ]
        assert wait_for(lambda: stored(reports), timeout=15)
        found = suggest_json(app, reports)
    assert (found["add"], found["views"], found["directives"]) == ({}, {}, {})
    assert found["advice"] == [
        f"An inline script on {origin}/guestbook (endpoint guestbook) was blocked "
        "by script-src-elem: if it is the page's own, give the <script> element "
        'the nonce (nonce="{{ csp_nonce() }}") or add its hash (csp_hash); '
        "otherwise it was injected. Never add 'unsafe-inline'."
    ]
