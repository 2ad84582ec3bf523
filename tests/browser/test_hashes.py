"""Pages allowed by hashes from templates, in every engine, fresh and cached.

A page whose inline scripts are ``{% csp_script %}`` blocks (a loader, and
first of all the recorder of its own ``securitypolicyviolation`` events) and
whose only inline style is a ``{% csp_style %}`` block, under a strict
('strict-dynamic') policy: the loader runs because its text's hash is in the
header, the script it adds (``/static/added.js``) runs through
'strict-dynamic' trust, and the style applies. Such a page does not use its
nonce, so its header carries none and any cache may keep it whole:
Flask-Caching (a hit in this app, and a hit served by a second app built from
the same templates and cache folder, as another process would) and nginx's
proxy_cache (tests/nginx.py). Chromium, Firefox and WebKit (engines.py, one
of each for the module) check each of these, with zero
``securitypolicyviolation`` events; the server's counts prove the hits, and
its exchanges hold the status and headers each page came with.
Under the ``strict`` preset the loader runs too, and its report-only Trusted
Types policy reports the loader's ``src`` assignment (reported, not enforced).

The controls prove that the same checks see a blocked script: an inline
script injected into the page outside the tags (rendered with ``|safe`` from
a query parameter) is blocked, and a Flask-Caching entry stored from an
older template text, replayed by an app whose template has a newer text, has
its loader blocked (its hash is no longer in the header).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask, render_template, request

from flask_talisman import NONCE, NONE, SELF, STRICT_DYNAMIC, Talisman

from ..live import StatusLog, serve
from ..nginx import Proxy, behind_nginx
from .conftest import (
    COLLECT_VIOLATIONS,
    Exchange,
    Exchanges,
    require_flask_caching,
    violations,
    wait_for,
)
from .engines import Engine

pytestmark = pytest.mark.browser

CSP = {
    "default-src": SELF,
    "script-src": [NONCE, STRICT_DYNAMIC],
    "object-src": NONE,
    "base-uri": NONE,
}
#: The loader's text, as written between the tags (hashed as is).
LOADER = """
  document.getElementById("loader").textContent = "ran";
  const added = document.createElement("script");
  added.src = "/static/added.js";
  document.body.appendChild(added);
"""
STYLE = """
  #styled { color: rgb(0, 128, 0); }
"""
#: The loader of a later release of the template.
NEW_LOADER = LOADER.replace('"ran"', '"ran (new)"', 1)
GREEN = "rgb(0, 128, 0)"
ADDED_JS = 'document.getElementById("added").textContent = "ran";\n'
#: An injected script, rendered outside the tags by the control.
INJECTED = '<script>document.getElementById("injected").textContent = "ran";</script>'


def template(loader: str = LOADER) -> str:
    return (
        "<!doctype html>\n<html><head><title>hashed</title>\n"
        # The page notes its violations from its first script on.
        "{% csp_script %}" + COLLECT_VIOLATIONS + "{% endcsp_script %}\n"
        f"{{% csp_style %}}{STYLE}{{% endcsp_style %}}\n"
        "</head><body>\n"
        '<p id="styled">styled</p>\n'
        '<p id="loader">not-run</p>\n'
        '<p id="added">not-run</p>\n'
        '<p id="injected">not-run</p>\n'
        f"{{% csp_script %}}{loader}{{% endcsp_script %}}\n"
        "{{ injected|safe }}\n"
        "</body></html>\n"
    )


def sha256(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def directives(csp: str) -> dict[str, set[str]]:
    found = {}
    for directive in csp.split(";"):
        name, *tokens = directive.split()
        found[name] = set(tokens)
    return found


# -- the apps -------------------------------------------------------------------------


@dataclass
class Site:
    """An app served on 127.0.0.1: its origin, its logs, its views' renderings."""

    origin: str
    log: StatusLog
    exchanges: Exchanges
    renders: list[str] = field(default_factory=list)

    def page(self, target: str, start: int = 0) -> Exchange:
        """The last navigation to ``target`` among the exchanges from ``start``."""
        loads = [
            e
            for e in self.exchanges.seen[start:]
            if e.target == target and e.sent.get("sec-fetch-mode") == "navigate"
        ]
        assert loads, f"no page load of {target}"
        return loads[-1]


def _folders(root: Path, loader: str = LOADER) -> tuple[Path, Path]:
    templates, static = root / "templates", root / "static"
    templates.mkdir(parents=True)
    static.mkdir()
    (templates / "page.html").write_text(template(loader))
    (static / "added.js").write_text(ADDED_JS)
    return templates, static


def _app(
    templates: Path,
    static: Path,
    renders: list[str],
    cache_folder: Path | None = None,
    **options: Any,
) -> Flask:
    app = Flask(__name__, template_folder=str(templates), static_folder=str(static))
    if "preset" not in options:
        options.setdefault("content_security_policy", CSP)
    Talisman(app, force_https=False, **options)

    def render(name: str) -> str:
        renders.append(name)
        return render_template("page.html", injected=request.args.get("inject", ""))

    app.add_url_rule("/page", "page", lambda: render("page"))
    if cache_folder is not None:
        from flask_caching import Cache

        cache = Cache(
            app,
            config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(cache_folder)},
        )

        @app.route("/cached")
        @cache.cached(timeout=60)
        def cached() -> str:
            return render("cached")

    return app


@contextlib.contextmanager
def _served(
    root: Path, loader: str = LOADER, cache_folder: Path | None = None, **options: Any
) -> Iterator[Site]:
    """An app whose templates and static files are in ``root`` (made if new)."""
    if not (root / "templates").exists():
        _folders(root, loader)
    renders: list[str] = []
    app = _app(root / "templates", root / "static", renders, cache_folder, **options)
    exchanges = Exchanges(app.wsgi_app)
    app.wsgi_app = exchanges  # type: ignore[method-assign]
    with serve(app) as (origin, log):
        yield Site(origin, log, exchanges, renders)


# -- what each engine saw ---------------------------------------------------------------


def _markers(engine: Engine) -> dict[str, str | None]:
    found: dict[str, str | None] = engine.evaluate(
        "Object.fromEntries(['loader', 'added', 'injected'].map("
        "(id) => [id, document.getElementById(id).textContent]))"
    )
    return found


def _wait_for_added(engine: Engine) -> None:
    # The added script loads after the loader ran; a blocked one never does.
    if _markers(engine)["loader"] != "ran":
        return  # the loader ran while the page loaded, or never will
    wait_for(lambda: _markers(engine)["added"] == "ran", timeout=3)


def _color(engine: Engine) -> str:
    color: str = engine.evaluate(
        "getComputedStyle(document.getElementById('styled')).color"
    )
    return color


def _script_texts(engine: Engine) -> list[str]:
    """The text of each script element the engine parsed from the page."""
    texts: list[str] = engine.evaluate(
        "Array.from(document.scripts, (script) => script.textContent)"
    )
    return texts


def _ran_everything(engine: Engine, answered: Exchange) -> str:
    """Check the loader, the script it added and the style: the page's CSP."""
    assert answered.status == 200
    _wait_for_added(engine)
    assert _markers(engine) == {"loader": "ran", "added": "ran", "injected": "not-run"}
    assert _color(engine) == GREEN
    assert violations(engine) == []
    csp = answered.answered["content-security-policy"]
    # Nothing per request: no nonce, nothing that keeps caches away.
    assert "'nonce-" not in csp
    assert "cache-control" not in answered.answered
    return csp


# -- a fresh page ---------------------------------------------------------------------


def test_hashed_loader_adds_a_script_and_the_hashed_style_applies(
    tmp_path: Path, engine: Engine
) -> None:
    with _served(tmp_path) as site:
        engine.goto(site.origin + "/page")
        csp = _ran_everything(engine, site.page("/page"))
        assert directives(csp) == {
            "default-src": {SELF, sha256(STYLE)},
            "script-src": {STRICT_DYNAMIC, sha256(COLLECT_VIOLATIONS), sha256(LOADER)},
            "object-src": {NONE},
            "base-uri": {NONE},
        }
        assert site.renders == ["page"]
        assert site.log.statuses("/static/added.js") == [200]


def test_the_strict_preset_runs_the_hashed_loader(
    tmp_path: Path, engine: Engine
) -> None:
    """The preset's report-only Trusted Types policy reports the loader's sink."""
    with _served(tmp_path, preset="strict") as site:
        engine.goto(site.origin + "/page")
        _wait_for_added(engine)
        assert _markers(engine) == {
            "loader": "ran",
            "added": "ran",
            "injected": "not-run",
        }
        assert _color(engine) == GREEN
        csp = site.page("/page").answered["content-security-policy"]
        assert "'nonce-" not in csp
        assert directives(csp)["script-src"] == {
            STRICT_DYNAMIC,
            "https:",
            "'unsafe-inline'",
            sha256(COLLECT_VIOLATIONS),
            sha256(LOADER),
        }
        # Reported, not enforced: `added.src = "..."` without a TrustedScriptURL.
        assert [(v["directive"], v["disposition"]) for v in violations(engine)] == [
            ("require-trusted-types-for", "report")
        ]
        assert site.log.statuses("/static/added.js") == [200]


# -- behind Flask-Caching -----------------------------------------------------------


def test_flask_caching_fill_hit_and_hit_in_another_process(
    tmp_path: Path, engine: Engine
) -> None:
    require_flask_caching()
    cache_folder = tmp_path / "cache"
    root = tmp_path / "app"
    with _served(root, cache_folder=cache_folder) as site:
        headers = []
        for visit in ("fill", "hit"):
            start = len(site.exchanges.seen)
            engine.goto(site.origin + "/cached")
            headers.append(
                (visit, _ran_everything(engine, site.page("/cached", start)))
            )
        # The second visit reached the app and was answered from the cache.
        assert site.log.statuses("/cached") == [200, 200]
        assert site.renders == ["cached"]
        assert headers[0][1] == headers[1][1]
        assert sha256(LOADER) in headers[0][1]

    # Another process: a new app from the same templates and cache folder,
    # whose first request is a hit (it never renders the page).
    with _served(root, cache_folder=cache_folder) as other:
        engine.goto(other.origin + "/cached")
        csp = _ran_everything(engine, other.page("/cached"))
        assert other.log.statuses("/cached") == [200]
        assert other.renders == []
        assert csp == headers[0][1]


# -- behind nginx ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    root = tmp_path_factory.mktemp("hashed-nginx")
    templates, static = _folders(root)
    app = _app(templates, static, [])
    (root / "nginx").mkdir()
    with behind_nginx(app, root / "nginx", "nginx tests of hashed pages") as proxy:
        # The first user's request fills nginx's cache.
        status, headers, _ = proxy.get("/page")
        assert (status, headers["x-cache-status"]) == (200, "MISS")
        yield proxy


def test_nginx_shares_the_hashed_page_and_each_engine_runs_the_hit(
    proxy: Proxy, engine: Engine
) -> None:
    answers = [proxy.get("/page") for _user in range(2)]
    assert [status for status, _, _ in answers] == [200] * 2
    assert [h["x-cache-status"] for _, h, _ in answers] == ["HIT", "HIT"]
    assert len({body for _, _, body in answers}) == 1
    csp = answers[0][1]["content-security-policy"]
    assert len({h["content-security-policy"] for _, h, _ in answers}) == 1
    assert "'nonce-" not in csp
    assert sha256(LOADER) in csp

    engine.goto(proxy.origin + "/page")
    _wait_for_added(engine)
    assert _markers(engine) == {"loader": "ran", "added": "ran", "injected": "not-run"}
    assert _color(engine) == GREEN
    assert violations(engine) == []
    assert LOADER in _script_texts(engine)
    # Only the first user's request reached the app: the engine's page was
    # nginx's stored copy, with the header above.
    assert proxy.log.statuses("/page") == [200]


# -- controls -------------------------------------------------------------------------


def test_control_an_injected_inline_script_is_blocked(
    tmp_path: Path, engine: Engine
) -> None:
    with _served(tmp_path) as site:
        target = "/page?" + urlencode({"inject": INJECTED})
        engine.goto(site.origin + target)
        injected = INJECTED.removeprefix("<script>").removesuffix("</script>")
        assert injected in _script_texts(engine)  # delivered; the engine blocked it
        _wait_for_added(engine)
        assert _markers(engine) == {
            "loader": "ran",
            "added": "ran",
            "injected": "not-run",
        }
        assert _color(engine) == GREEN
        assert [(v["directive"], v["blocked"]) for v in violations(engine)] == [
            ("script-src-elem", "inline")
        ]
        csp = site.page(target).answered["content-security-policy"]
        assert "'nonce-" not in csp


def test_control_a_cached_page_from_another_template_text_is_blocked(
    tmp_path: Path, engine: Engine
) -> None:
    """Another process whose template changed replays the old page: no hash."""
    require_flask_caching()
    cache_folder = tmp_path / "cache"
    with _served(tmp_path / "old", cache_folder=cache_folder) as old:
        engine.goto(old.origin + "/cached")
        _ran_everything(engine, old.page("/cached"))
    with _served(tmp_path / "new", NEW_LOADER, cache_folder=cache_folder) as new:
        engine.goto(new.origin + "/cached")
        scripts = _script_texts(engine)
        assert LOADER in scripts
        assert NEW_LOADER not in scripts
        assert new.renders == []
        _wait_for_added(engine)
        assert _markers(engine) == {
            "loader": "not-run",
            "added": "not-run",
            "injected": "not-run",
        }
        assert _color(engine) == GREEN  # the style did not change
        assert [(v["directive"], v["blocked"]) for v in violations(engine)] == [
            ("script-src-elem", "inline")
        ]
        csp = new.page("/cached").answered["content-security-policy"]
        assert sha256(NEW_LOADER) in csp
        assert sha256(LOADER) not in csp
