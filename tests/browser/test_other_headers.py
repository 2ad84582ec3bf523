"""Cross-Origin-Opener-Policy and Clear-Site-Data, as the browser applies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import Server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


# /popups, loaded from localhost, opens each page with window.open. "cross"
# pages are 127.0.0.1 pages: another origin.
@pytest.mark.parametrize(
    ("button", "path", "opener_kept"),
    [
        ("#open-cross-coop", "/coop", False),
        ("#open-cross-no-coop", "/no-coop", True),
        ("#open-coop", "/coop", False),
        ("#open-no-coop", "/no-coop", True),
    ],
)
def test_coop_severs_the_opener(
    page: Page, server: Server, button: str, path: str, opener_kept: bool
) -> None:
    page.goto(server.other + "/popups")
    with page.expect_popup() as opened:
        page.click(button)
    popup = opened.value
    popup.wait_for_load_state()
    cross = "cross" in button
    # (Each popup's address carries its id, which the popups page asks the
    # server about.)
    assert popup.url.split("?")[0] == (server.origin if cross else server.other) + path
    assert popup.evaluate("window.opener !== null") is opener_kept
    if opener_kept and not cross:
        # A live same-origin handle: the popup can reach into its opener.
        assert popup.evaluate("window.opener.location.pathname") == "/popups"


def test_logout_clears_cookies_and_storage(page: Page, server: Server) -> None:
    page.goto(server.url("/account"))
    with page.expect_navigation(url=server.url("/account")):
        page.click("#sign-in")
    assert page.inner_text("#user") == "alice"
    assert page.inner_text("#visits") == "2"
    assert [c["name"] for c in page.context.cookies()] == ["example_user"]

    with page.expect_navigation(url=server.url("/account")):
        page.click("#sign-out")
    assert page.context.cookies() == []
    assert page.inner_text("#user") == "nobody"
    assert page.inner_text("#visits") == "1"  # localStorage was emptied
