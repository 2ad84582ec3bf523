"""A page the browser revalidates: the 304 keeps the nonce of the stored body.

When a browser revalidates a stored page and the server answers ``304 Not
Modified``, it renders the stored body with the stored headers updated by
the 304's (RFC 9111, section 4.3.4). A nonce'd CSP on the 304 would replace
the stored policy with one naming a nonce the stored body does not carry,
and the page's inline scripts would be blocked. Talisman sends no nonce'd
CSP on a 304.

The pages are validated by an ETag naming the content's version (not
``add_etag()``, whose hash of the body changes with every nonce, so it would
never match) or by Last-Modified, and say ``no-cache`` / ``max-age=0`` so
every visit revalidates. The control adds a fresh nonce'd CSP to the 304 in
a hook that runs after Talisman's, as 1.1.0 did: its scripts must be
blocked, which proves the engine really takes the 304's CSP.

The same cases run in Chromium, Firefox and WebKit. The server notes what
each request asked (its validator) and what it answered (status, policy);
the page notes whether its nonce'd script ran and its violations (a
same-origin script loaded first, which ``'self'`` allows). WebKit, as
WebKitWebDriver drives it, keeps no HTTP cache (see NO_HTTP_CACHE): there
it is asserted instead that each revisit is a full request whose new body
and new nonce agree, and that its script runs.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from flask import Flask, Response, make_response, render_template_string, request

from flask_talisman import NONE, SELF, Talisman

from ..live import serve
from .conftest import COLLECTOR_TAG, navigate, serve_collector, violations
from .engine_table import note
from .engines import Engine

pytestmark = pytest.mark.browser

CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "object-src": NONE,
    "base-uri": SELF,
}
PAGE = f"""<!doctype html>
<title>revalidated</title>
{COLLECTOR_TAG}
<p id="marker">not-run</p>
<script id="nonced" nonce="{{{{ csp_nonce() }}}}">
  document.getElementById("marker").textContent = "ran";
</script>
"""
#: Revisits after the first visit: navigations to the page, then reloads.
REVISITS = ("goto", "goto", "reload", "reload")
#: Engines that store no page, so never revalidate, and why.
NO_HTTP_CACHE = {
    "webkit": (
        "WebKitWebDriver starts MiniBrowser with --automation, which gives it an "
        "ephemeral website data manager (webkit_website_data_manager_new_ephemeral, "
        "in MiniBrowser 2.50's symbols): no disk cache, so nothing is stored to "
        "revalidate. Measured: its revisits send neither If-None-Match nor "
        "If-Modified-Since and get a 200."
    )
}
#: The validator each page's revalidations send.
VALIDATORS = {"/etag": "If-None-Match", "/last-modified": "If-Modified-Since"}


@dataclass(frozen=True)
class Exchange:
    """One request to a page: the validator it sent, the answer's status and CSP."""

    validator: str | None
    status: int
    policy: str | None


@dataclass
class Site:
    origin: str
    exchanges: dict[str, list[Exchange]] = field(default_factory=dict)


def _app(site: Site) -> Flask:
    app = Flask(__name__)

    @app.after_request
    def note(response: Response) -> Response:
        # Registered first, so it runs last: it sees what is sent.
        validator = VALIDATORS.get(request.path)
        site.exchanges.setdefault(request.full_path, []).append(
            Exchange(
                validator and request.headers.get(validator),
                response.status_code,
                response.headers.get("Content-Security-Policy"),
            )
        )
        return response

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
    serve_collector(app)

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
def site() -> Iterator[Site]:
    site = Site("")
    with serve(_app(site)) as (origin, _):
        site.origin = origin
        yield site


@pytest.mark.parametrize("path", ["/etag", "/last-modified"])
@pytest.mark.parametrize(
    "control",
    [
        pytest.param(False, id="talisman"),
        pytest.param(True, id="control-nonced-csp-on-304"),
    ],
)
def test_revalidated_page_runs_its_inline_script(
    engine: Engine,
    site: Site,
    path: str,
    control: bool,
    request: pytest.FixtureRequest,
) -> None:
    target = f"{path}?run={uuid.uuid4().hex}" + ("&control=1" if control else "")
    nonce = "document.getElementById('nonced').nonce"

    engine.goto(site.origin + target)
    (first,) = site.exchanges[target]
    assert first.status == 200
    assert first.policy is not None
    assert engine.evaluate('document.getElementById("marker").textContent') == "ran"
    assert violations(engine) == []
    stored_nonce = engine.evaluate(nonce)
    assert f"'nonce-{stored_nonce}'" in first.policy

    for revisit in REVISITS:
        if revisit == "goto":
            engine.goto(site.origin + target)
        else:
            navigate(engine, "location.reload()")
        ran = engine.evaluate('document.getElementById("marker").textContent')
        blocked = [(v["directive"], v["blocked"]) for v in violations(engine)]
        shown_nonce = engine.evaluate(nonce)
        if engine.name in NO_HTTP_CACHE:
            # A new body, its nonce the one its own header names.
            answer = site.exchanges[target][-1]
            assert answer.policy is not None
            assert f"'nonce-{shown_nonce}'" in answer.policy
            assert (revisit, ran, blocked) == (revisit, "ran", [])
            continue
        # The stored body, its nonce the first response's.
        assert (revisit, shown_nonce) == (revisit, stored_nonce)
        if control:
            assert (revisit, ran) == (revisit, "not-run")
            assert (revisit, blocked) == (revisit, [("script-src-elem", "inline")])
        else:
            assert (revisit, ran) == (revisit, "ran")
            assert (revisit, blocked) == (revisit, [])

    exchanges = site.exchanges[target]
    revisits = exchanges[1:]
    if engine.name in NO_HTTP_CACHE:
        # NO_HTTP_CACHE: unconditional requests, each a 200 with a new nonce.
        assert [(e.validator, e.status) for e in exchanges] == [(None, 200)] * 5
        assert len({e.policy for e in exchanges}) == len(exchanges)
        note(request, "no HTTP cache when driven: each revisit a 200, its nonce works")
        return
    # Every revisit was revalidated with the stored response's validator, and
    # the server said Not Modified: with no policy from Talisman, with a
    # fresh nonce'd one from the control's hook.
    assert [e.status for e in exchanges] == [200, 304, 304, 304, 304]
    assert all(e.validator for e in revisits), revisits
    assert len({e.validator for e in revisits}) == 1
    policies = [e.policy for e in revisits]
    if control:
        assert all(p and re.search(r"'nonce-[^']+'", p) for p in policies)
        assert not any(p and stored_nonce in p for p in policies)
    else:
        assert policies == [None] * len(REVISITS)
