"""Content-Security-Policy as Chromium enforces it: nonces and the presets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .conftest import Server, violations, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

NONCE_SOURCE = re.compile(r"'nonce-([^']+)'")


def states(page: Page) -> dict[str, str]:
    """Each check on the page: "ran" or "not-run"."""
    found: dict[str, str] = page.eval_on_selector_all(
        "[data-check]",
        "checks => Object.fromEntries(checks.map(c => [c.dataset.check, c.dataset.state]))",
    )
    return found


def test_only_the_nonced_inline_script_runs(page: Page, server: Server) -> None:
    page.goto(server.url("/nonce"))
    assert states(page) == {
        "nonced": "ran",
        "unnonced": "not-run",
        "handler": "not-run",
        "javascript-url": "not-run",
    }
    # The image whose onload attribute was refused did load.
    assert page.eval_on_selector("#handler-image", "img => img.naturalWidth") > 0
    assert [
        (v["directive"], v["blocked"], v["disposition"]) for v in violations(page)
    ] == [
        ("script-src-elem", "inline", "enforce"),  # the script without a nonce
        ("script-src-attr", "inline", "enforce"),  # onload="..."
    ]

    page.click("#javascript-link")
    events = wait_for(lambda: violations(page)[2:], timeout=5)
    assert [(v["directive"], v["blocked"]) for v in events] == [
        ("script-src-elem", "inline")
    ]
    assert states(page)["javascript-url"] == "not-run"


def test_every_load_gets_a_fresh_nonce_matching_the_header(
    page: Page, server: Server
) -> None:
    seen = []
    for _ in range(2):
        response = page.goto(server.url("/nonce"))
        assert response is not None
        header = response.headers["content-security-policy"]
        (in_header,) = NONCE_SOURCE.findall(header)
        # Browsers hide the nonce attribute from getAttribute; .nonce has it.
        in_page = page.eval_on_selector("#nonced-script", "script => script.nonce")
        assert in_page == in_header
        seen.append(in_page)
    assert seen[0] != seen[1]


def test_strict_preset_strict_dynamic_and_trusted_types(
    page: Page, server: Server
) -> None:
    page.goto(server.url("/presets/strict"))
    # createElement'd scripts run asynchronously: wait for that one.
    page.wait_for_selector("[data-check=created][data-state=ran]", state="attached")
    assert states(page) == {"loader": "ran", "created": "ran", "written": "not-run"}

    events = violations(page)
    blocked = [v for v in events if v["disposition"] == "enforce"]
    assert [(v["directive"], v["blocked"]) for v in blocked] == [
        ("script-src-elem", server.url("/static/js/strict-written.js"))
    ]
    # Trusted Types, report-only: the innerHTML assignment was reported...
    trusted_types = [v for v in events if v["directive"] == "require-trusted-types-for"]
    assert trusted_types
    assert {v["disposition"] for v in trusted_types} == {"report"}
    assert any(v["sample"].startswith("Element innerHTML|") for v in trusted_types)
    # ...and still happened.
    assert page.inner_text("#tt-target") == (
        "Written with innerHTML: reported, not blocked."
    )


def test_balanced_preset_allows_own_scripts_but_no_inline_ones(
    page: Page, server: Server
) -> None:
    page.goto(server.url("/presets/balanced"))
    assert states(page) == {"external": "ran", "inline": "not-run"}
    assert page.eval_on_selector("#data-image", "img => img.naturalWidth") > 0
    assert [(v["directive"], v["blocked"]) for v in violations(page)] == [
        ("script-src-elem", "inline")
    ]
