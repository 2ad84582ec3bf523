"""A page Chromium revalidates: the 304 keeps the nonce of the stored body.

When Chromium revalidates a stored page and the server answers ``304 Not
Modified``, it renders the stored body with the stored headers updated by
the 304's (RFC 9111, section 4.3.4). A nonce'd CSP on the 304 would replace
the stored policy with one naming a nonce the stored body does not carry,
and the page's inline scripts would be blocked. Talisman sends no nonce'd
CSP on a 304.

The pages are validated by an ETag naming the content's version (not
``add_etag()``, whose hash of the body changes with every nonce, so it would
never match) or by Last-Modified, and say ``no-cache`` / ``max-age=0`` so
every visit revalidates. The server's log proves the 304s. The control adds
a fresh nonce'd CSP to the 304 in a hook that runs after Talisman's, as
1.1.0 did: its scripts must be blocked, which proves Chromium really takes
the 304's CSP.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest
from flask import Flask, Response, make_response, render_template_string, request

from flask_talisman import NONE, SELF, Talisman

from ..live import StatusLog, serve
from .conftest import violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser

CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "object-src": NONE,
    "base-uri": SELF,
}
PAGE = """<!doctype html>
<title>revalidated</title>
<p id="marker">not-run</p>
<script nonce="{{ csp_nonce() }}">
  document.getElementById("marker").textContent = "ran";
</script>
"""
#: Revisits after the first visit: navigations to the page, then reloads.
REVISITS = ("goto", "goto", "reload", "reload")


def _app() -> Flask:
    app = Flask(__name__)

    @app.after_request
    def fresh_nonce_on_304(response: Response) -> Response:
        # Registered before Talisman, so it runs after Talisman's hook.
        if request.args.get("control") and response.status_code == 304:
            nonce = secrets.token_urlsafe(24)
            response.headers["Content-Security-Policy"] = (
                f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
                "object-src 'none'; base-uri 'self'"
            )
        return response

    Talisman(
        app,
        force_https=False,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
    )

    @app.route("/etag")
    def etag() -> Response:
        response = make_response(render_template_string(PAGE))
        response.set_etag("page-v1")
        response.headers["Cache-Control"] = "private, no-cache"
        return response.make_conditional(request)

    @app.route("/last-modified")
    def last_modified() -> Response:
        response = make_response(render_template_string(PAGE))
        response.last_modified = datetime(2024, 1, 1, tzinfo=timezone.utc)
        response.headers["Cache-Control"] = "private, max-age=0"
        return response.make_conditional(request)

    return app


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, StatusLog]]:
    with serve(_app()) as served:
        yield served


@pytest.mark.parametrize("path", ["/etag", "/last-modified"])
@pytest.mark.parametrize(
    "control",
    [
        pytest.param(False, id="talisman"),
        pytest.param(True, id="control-nonced-csp-on-304"),
    ],
)
def test_revalidated_page_runs_its_inline_script(
    context: BrowserContext,
    site: tuple[str, StatusLog],
    path: str,
    control: bool,
) -> None:
    origin, log = site
    target = path + ("?control=1" if control else "")
    page = context.new_page()

    first = page.goto(origin + target)
    assert first is not None
    assert first.status == 200
    # The body used the nonce: private, with the app's no-cache / max-age=0.
    assert first.headers["cache-control"].startswith("private, ")
    assert page.text_content("#marker") == "ran"
    assert violations(page) == []
    stored_policy = first.headers["content-security-policy"]

    for revisit in REVISITS:
        again = page.goto(origin + target) if revisit == "goto" else page.reload()
        assert again is not None
        # Chromium shows the stored response, its headers updated by the 304's.
        policy = again.headers["content-security-policy"]
        ran = page.text_content("#marker")
        blocked = [(v["directive"], v["blocked"]) for v in violations(page)]
        if control:
            assert (revisit, ran) == (revisit, "not-run")
            assert (revisit, blocked) == (revisit, [("script-src-elem", "inline")])
            assert (revisit, policy) != (revisit, stored_policy)
        else:
            assert (revisit, ran) == (revisit, "ran")
            assert (revisit, blocked) == (revisit, [])
            assert (revisit, policy) == (revisit, stored_policy)

    # Every revisit was revalidated, and the server said Not Modified.
    assert log.statuses(target) == [200, 304, 304, 304, 304]
