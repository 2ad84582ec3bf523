"""Per-view, extended and blueprint options apply where they are set, only.

The example app is served once for the module and loaded in Chromium,
Firefox and WebKit with the same assertions. Each page notes its own
``securitypolicyviolation`` events from its first script on
(``serve_example``); the Referer each engine sent is read from the server's
exchanges.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest

from .conftest import (
    Site,
    check_states,
    navigate,
    serve_example,
    settle,
    settled,
    violations,
)
from .engines import Engine

pytestmark = pytest.mark.browser

BADGE = "/static/img/badge.svg"
_probes = itertools.count()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_example() as served:
        yield served


def image_loads(engine: Engine, url: str) -> bool:
    """Whether the page's policy lets it load an image from ``url``."""
    address = json.dumps(f"{url}?probe={next(_probes)}")
    loaded: bool = settled(
        engine,
        "new Promise((resolve) => { const image = new Image();"
        " image.onload = () => resolve(image.naturalWidth > 0);"
        " image.onerror = () => resolve(false);"
        f" image.src = {address}; }})",
    )
    return loaded


def natural_width(engine: Engine, selector: str) -> int:
    width: int = engine.evaluate(f"document.querySelector({selector!r}).naturalWidth")
    return width


def test_per_view_policy(engine: Engine, site: Site) -> None:
    """/locked's @talisman(...) policy: default-src 'none' plus its nonce."""
    engine.goto(site.url("/locked"))
    assert check_states(engine) == {"nonced": "ran", "external": "not-run"}
    assert natural_width(engine, "#own-image") == 0
    assert not image_loads(engine, site.url(BADGE))
    blocked = {(v["directive"], v["blocked"]) for v in violations(engine)}
    assert ("img-src", site.url(BADGE)) in blocked
    assert ("script-src-elem", site.url("/static/js/external.js")) in blocked

    # The app's policy elsewhere: the same image loads.
    engine.goto(site.url("/nonce"))
    assert natural_width(engine, "#handler-image") > 0
    assert image_loads(engine, site.url(BADGE))


def test_extended_policy(engine: Engine, site: Site) -> None:
    """/extend adds the other origin to img-src; no other page has it."""
    elsewhere = site.other + BADGE
    engine.goto(site.url("/extend"))
    assert engine.evaluate("document.getElementById('extra-image').src") == elsewhere
    assert natural_width(engine, "#extra-image") > 0
    assert image_loads(engine, elsewhere)
    assert violations(engine) == []

    for path in ("/nonce", "/"):
        engine.goto(site.url(path))
        assert not image_loads(engine, elsewhere)
        assert [v["directive"] for v in violations(engine)][-1] == "img-src"


def test_blueprint_options(engine: Engine, site: Site) -> None:
    """The admin blueprint's Referrer-Policy: no-referrer; the app's elsewhere."""

    def follow(link: str) -> tuple[str, str | None]:
        navigate(engine, f"document.querySelector({link!r}).click()")
        assert engine.evaluate("location.href") == site.url("/referrer")
        sent = site.exchanges.navigations("/referrer")[-1].sent.get("referer")
        shown: str = settle(engine, "document.getElementById('referer')?.textContent")
        assert shown == (sent or "(none)")  # what the page says the server got
        return engine.evaluate("document.referrer"), sent

    engine.goto(site.url("/admin/"))
    assert follow("#referrer-link") == ("", None)

    engine.goto(site.url("/"))
    assert follow("a[href='/referrer']") == (site.url("/"), site.url("/"))
