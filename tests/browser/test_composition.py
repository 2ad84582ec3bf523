"""Per-view, extended and blueprint options apply where they are set, only."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from .conftest import Server, violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

BADGE = "/static/img/badge.svg"
_probes = itertools.count()

LOAD_IMAGE = """url => new Promise(resolve => {
  const image = new Image();
  image.onload = () => resolve(image.naturalWidth > 0);
  image.onerror = () => resolve(false);
  image.src = url;
})"""


def image_loads(page: Page, url: str) -> bool:
    """Whether the page's policy lets it load an image from ``url``."""
    loaded: bool = page.evaluate(LOAD_IMAGE, f"{url}?probe={next(_probes)}")
    return loaded


def test_per_view_policy(page: Page, server: Server) -> None:
    """/locked's @talisman(...) policy: default-src 'none' plus its nonce."""
    page.goto(server.url("/locked"))
    assert page.get_attribute("[data-check=nonced]", "data-state") == "ran"
    assert page.get_attribute("[data-check=external]", "data-state") == "not-run"
    assert page.eval_on_selector("#own-image", "img => img.naturalWidth") == 0
    assert not image_loads(page, server.url(BADGE))
    blocked = {(v["directive"], v["blocked"]) for v in violations(page)}
    assert ("img-src", server.url(BADGE)) in blocked
    assert ("script-src-elem", server.url("/static/js/external.js")) in blocked

    # The app's policy elsewhere: the same image loads.
    page.goto(server.url("/nonce"))
    assert page.eval_on_selector("#handler-image", "img => img.naturalWidth") > 0
    assert image_loads(page, server.url(BADGE))


def test_extended_policy(page: Page, server: Server) -> None:
    """/extend adds the other origin to img-src; no other page has it."""
    elsewhere = server.other + BADGE
    page.goto(server.url("/extend"))
    assert page.get_attribute("#extra-image", "src") == elsewhere
    assert page.eval_on_selector("#extra-image", "img => img.naturalWidth") > 0
    assert image_loads(page, elsewhere)
    assert violations(page) == []

    for path in ("/nonce", "/"):
        page.goto(server.url(path))
        assert not image_loads(page, elsewhere)
        assert [v["directive"] for v in violations(page)][-1] == "img-src"


def test_blueprint_options(page: Page, server: Server) -> None:
    """The admin blueprint's Referrer-Policy: no-referrer; the app's elsewhere."""
    page.goto(server.url("/admin/"))
    page.click("#referrer-link")
    assert page.url == server.url("/referrer")
    assert page.inner_text("#referer") == "(none)"
    assert page.evaluate("document.referrer") == ""

    page.goto(server.url("/"))
    page.click("a[href='/referrer']")
    assert page.url == server.url("/referrer")
    assert page.inner_text("#referer") == server.url("/")
