"""Flask-Caching's ``@cache.cached`` views with inline nonce'd scripts, in each engine.

A cached view stores its body, nonce included, and serves it to later
requests whose header names another nonce: their scripts would be blocked.
Talisman removes the entry of a view that rendered the nonce right after
Flask-Caching stores it, and never sends a stored body whose nonces are
another request's: the view renders again for that request.

The stale entry comes from a second app without Talisman sharing the same
FileSystemCache (another process, an older release, a cache filled before
Talisman was added). The control hides the view from Talisman's Flask-Caching
handling (a wrapper without functools.wraps): the browser must then block
the cached page's scripts, which proves these checks see a cached nonce.

The same cases and assertions run in Chromium, Firefox and WebKit. The
server notes each response's status and headers as sent; the page notes
its violations (a same-origin script loaded first, which ``'self'``
allows whatever the nonce) and whether its nonce'd scripts ran.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, Response, render_template_string, request

from flask_talisman import NONE, SELF, Talisman

from ..live import StatusLog, serve
from .conftest import (
    COLLECTOR_TAG,
    require_flask_caching,
    serve_collector,
    violations,
)
from .engines import Engine

if TYPE_CHECKING:
    from flask_caching import Cache

pytestmark = pytest.mark.browser

CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "object-src": NONE,
    "base-uri": SELF,
}
PAGE = f"""<!doctype html>
<title>cached</title>
{COLLECTOR_TAG}
<p id="first">not-run</p>
<p id="second">not-run</p>
<script nonce="{{{{ nonce }}}}">document.getElementById("first").textContent = "ran";</script>
<script nonce="{{{{ nonce }}}}">document.getElementById("second").textContent = "ran";</script>
"""
#: The nonce a request long gone rendered into the stale entry.
OLD_NONCE = "b2xkLW5vbmNlLWZyb20tYW5vdGhlci1hcHA"


def _cache(app: Flask, folder: Path) -> Cache:
    from flask_caching import Cache

    return Cache(
        app,
        config={
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(folder),
            "CACHE_DEFAULT_TIMEOUT": 60,
        },
    )


def _hidden(view: Callable[[], str]) -> Callable[[], str]:
    # A wrapper that keeps none of the view's attributes (no functools.wraps):
    # Talisman cannot tell that Flask-Caching serves this view.
    def hidden() -> str:
        return view()

    return hidden


@dataclass
class Site:
    origin: str
    log: StatusLog
    cache: Cache
    #: Each rendering of the Talisman app's views (a cache hit renders none).
    renders: list[str]
    #: The app without Talisman sharing the cache: fills it with OLD_NONCE.
    other: Flask
    #: The headers of each response as sent, by path.
    sent: dict[str, list[dict[str, str]]]

    def stored(self, path: str) -> Any:
        with self.cache.app.app_context():  # type: ignore[union-attr]
            return self.cache.get(f"view/{path}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_flask_caching()
    folder = tmp_path_factory.mktemp("flask-caching")
    renders: list[str] = []
    sent: dict[str, list[dict[str, str]]] = {}

    app = Flask(__name__)

    @app.after_request
    def note(response: Response) -> Response:
        # Registered first, so it runs last: the headers as sent.
        sent.setdefault(request.path, []).append(
            {name.lower(): value for name, value in response.headers.items()}
        )
        return response

    Talisman(
        app,
        force_https=False,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
    )
    serve_collector(app)
    cache = _cache(app, folder)

    def render(name: str) -> str:
        renders.append(name)
        return render_template_string(PAGE.replace("{{ nonce }}", "{{ csp_nonce() }}"))

    @app.route("/cached")
    @cache.cached(timeout=60)
    def cached() -> str:
        return render("cached")

    @app.route("/hidden")
    @_hidden
    @cache.cached(timeout=60)
    def hidden() -> str:
        return render("hidden")

    other = Flask(__name__)
    other_cache = _cache(other, folder)
    for path in ("/cached", "/hidden"):
        # Same paths, so the same keys: "view/<path>" under Flask-Caching's prefix.
        other.add_url_rule(
            path,
            path.strip("/"),
            other_cache.cached(timeout=60)(
                lambda: render_template_string(PAGE, nonce=OLD_NONCE)
            ),
        )

    with serve(app) as (origin, log):
        yield Site(origin, log, cache, renders, other, sent)


def _scripts(engine: Engine) -> tuple[str, str]:
    first, second = engine.evaluate(
        '["first", "second"].map((id) => document.getElementById(id).textContent)'
    )
    return first, second


def _nonces(engine: Engine) -> set[str]:
    # Browsers hide the nonce attribute from getAttribute; .nonce has it.
    found: list[str] = engine.evaluate(
        "Array.from(document.querySelectorAll('script[nonce]'), (s) => s.nonce)"
    )
    return set(found)


def _forget(site: Site, path: str) -> None:
    with site.cache.app.app_context():  # type: ignore[union-attr]
        site.cache.delete(f"view/{path}")


def _fill_with_old_nonce(site: Site, path: str) -> None:
    _forget(site, path)
    response = site.other.test_client().get(path)
    assert response.status_code == 200
    assert site.stored(path) is not None
    assert OLD_NONCE in str(site.stored(path))


def test_cached_view_runs_its_scripts_on_every_visit(
    engine: Engine, site: Site
) -> None:
    before = len(site.log.statuses("/cached")), site.renders.count("cached")
    seen = []
    kept_private = []
    for visit in ("fill", "would-be-hit"):
        engine.goto(site.origin + "/cached")
        headers = site.sent["/cached"][-1]
        assert (visit, site.log.statuses("/cached")[-1]) == (visit, 200)
        assert (visit, _scripts(engine)) == (visit, ("ran", "ran"))
        assert (visit, violations(engine)) == (visit, [])
        (nonce,) = _nonces(engine)
        assert f"'nonce-{nonce}'" in headers["content-security-policy"]
        seen.append(nonce)
        kept_private.append(headers.get("cache-control"))
    assert seen[0] != seen[1]
    assert kept_private == ["private", "private"]
    # Removed as soon as stored: each visit rendered.
    assert site.stored("/cached") is None
    assert site.log.statuses("/cached")[before[0] :] == [200, 200]
    assert site.renders.count("cached") - before[1] == 2


def test_stale_entry_is_never_sent(engine: Engine, site: Site) -> None:
    _fill_with_old_nonce(site, "/cached")
    before = len(site.log.statuses("/cached")), site.renders.count("cached")

    engine.goto(site.origin + "/cached")
    # One request, answered 200 (no redirect), rendered again for it.
    assert site.log.statuses("/cached")[before[0] :] == [200]
    assert _scripts(engine) == ("ran", "ran")
    assert violations(engine) == []
    (nonce,) = _nonces(engine)
    assert nonce != OLD_NONCE
    assert f"'nonce-{nonce}'" in site.sent["/cached"][-1]["content-security-policy"]
    assert site.renders.count("cached") - before[1] == 1
    # And the stored page removed.
    assert site.stored("/cached") is None


def test_control_a_cached_body_with_another_nonce_is_blocked(
    engine: Engine, site: Site
) -> None:
    """The view hidden from Talisman: its stored bodies reach the browser."""
    _forget(site, "/hidden")
    before = len(site.log.statuses("/hidden")), site.renders.count("hidden")
    # Filled by this app: the second visit is a hit with the first's nonce.
    engine.goto(site.origin + "/hidden")
    assert _scripts(engine) == ("ran", "ran")
    first = _nonces(engine)
    engine.goto(site.origin + "/hidden")
    assert _nonces(engine) == first
    assert _scripts(engine) == ("not-run", "not-run")
    assert [v["directive"] for v in violations(engine)] == ["script-src-elem"] * 2
    assert site.renders.count("hidden") - before[1] == 1

    # Filled by the app without Talisman.
    _fill_with_old_nonce(site, "/hidden")
    engine.goto(site.origin + "/hidden")
    assert _nonces(engine) == {OLD_NONCE}
    assert _scripts(engine) == ("not-run", "not-run")
    assert [v["directive"] for v in violations(engine)] == ["script-src-elem"] * 2
    assert site.log.statuses("/hidden")[before[0] :] == [200, 200, 200]
