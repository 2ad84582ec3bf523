"""X-Frame-Options and frame-ancestors: who may show a page in a frame.

/framing/ frames three pages, each from its own origin (#same-*) and from
the other one (#cross-*). Loaded from localhost, the "cross" frames are
127.0.0.1 pages: another origin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import Server, rewrite_headers, violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

REFUSED = "chrome-error://chromewebdata/"


def shown(page: Page, frame_id: str) -> bool:
    """Whether the frame shows the framed page (not the browser's error page)."""
    frame = page.locator(f"#{frame_id}").element_handle().content_frame()
    assert frame is not None
    if frame.url == REFUSED:
        return False
    text: str | None = frame.evaluate(
        "document.getElementById('framed')?.textContent ?? null"
    )
    assert text is not None, frame.url
    assert text.startswith("Shown."), (frame.url, text)
    return True


def load_framing_page(page: Page, server: Server) -> None:
    page.goto(server.other + "/framing/")
    page.wait_for_load_state("load")
    # Refusals are the framed pages' doing, not this page's frame-src.
    assert violations(page) == []


# (page, shown when framed by its own origin, shown when framed by another)
EXPECTED = [
    ("same-origin", True, False),  # SAMEORIGIN, frame-ancestors 'self'
    ("deny", False, False),  # DENY, frame-ancestors 'none'
    ("anywhere", True, True),  # no X-Frame-Options, frame-ancestors *
]


def test_who_may_frame_each_page(page: Page, server: Server) -> None:
    framed: list[str] = []
    page.on(
        "response", lambda r: framed.append(r.url) if "/framing/" in r.url else None
    )
    load_framing_page(page, server)
    for name, same, cross in EXPECTED:
        assert shown(page, f"same-{name}") is same, f"same-origin frame of {name}"
        assert shown(page, f"cross-{name}") is cross, f"cross-origin frame of {name}"
        # The browser fetched every page, even those it refused to show.
        assert server.other + f"/framing/{name}" in framed
        assert server.origin + f"/framing/{name}" in framed


# Chromium obeys frame-ancestors and ignores X-Frame-Options when both are
# sent. To see that each header works on its own, the other one is removed
# from the framed page's response on its way to the browser.
@pytest.mark.parametrize(
    ("name", "without", "same", "cross"),
    [
        ("deny", "x-frame-options", False, False),  # frame-ancestors 'none'
        ("deny", "content-security-policy", False, False),  # DENY
        ("same-origin", "x-frame-options", True, False),  # frame-ancestors 'self'
        ("same-origin", "content-security-policy", True, False),  # SAMEORIGIN
    ],
)
def test_each_header_alone(
    page: Page, server: Server, name: str, without: str, same: bool, cross: bool
) -> None:
    def drop(headers: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k != without}

    rewritten = rewrite_headers(page, f"**/framing/{name}", drop)
    load_framing_page(page, server)
    assert len(rewritten) >= 2  # the same-origin and the cross-origin frame
    assert all(without in headers for headers in rewritten)
    assert shown(page, f"same-{name}") is same
    assert shown(page, f"cross-{name}") is cross
