"""Content-Security-Policy as each engine enforces it: nonces and the presets.

The example app is served once for the module and loaded in Chromium,
Firefox and WebKit with the same assertions. Each page notes its own
``securitypolicyviolation`` events from its first script on
(``serve_example``); the headers each page came with are read from the
server's exchanges.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from .conftest import (
    Site,
    check_states,
    serve_example,
    settle,
    violations,
    wait_for,
)
from .engines import Engine

pytestmark = pytest.mark.browser

NONCE_SOURCE = re.compile(r"'nonce-([^']+)'")


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_example() as served:
        yield served


def test_only_the_nonced_inline_script_runs(engine: Engine, site: Site) -> None:
    engine.goto(site.url("/nonce"))
    assert check_states(engine) == {
        "nonced": "ran",
        "unnonced": "not-run",
        "handler": "not-run",
        "javascript-url": "not-run",
    }
    # The image whose onload attribute was refused did load.
    assert engine.evaluate("document.getElementById('handler-image').naturalWidth") > 0
    assert [
        (v["directive"], v["blocked"], v["disposition"]) for v in violations(engine)
    ] == [
        ("script-src-elem", "inline", "enforce"),  # the script without a nonce
        ("script-src-attr", "inline", "enforce"),  # onload="..."
    ]

    engine.evaluate("document.getElementById('javascript-link').click()")
    events = wait_for(lambda: violations(engine)[2:], timeout=5)
    assert [(v["directive"], v["blocked"]) for v in events] == [
        ("script-src-elem", "inline")
    ]
    assert check_states(engine)["javascript-url"] == "not-run"


def test_every_load_gets_a_fresh_nonce_matching_the_header(
    engine: Engine, site: Site
) -> None:
    seen = []
    for _ in range(2):
        target = f"/nonce?run={uuid.uuid4().hex}"
        engine.goto(site.url(target))
        (loaded,) = site.exchanges.navigations(target)
        (in_header,) = NONCE_SOURCE.findall(loaded.answered["content-security-policy"])
        # Browsers hide the nonce attribute from getAttribute; .nonce has it.
        script = "document.getElementById('nonced-script')"
        in_page = engine.evaluate(f"{script}.nonce")
        assert in_page == in_header
        assert engine.evaluate(f"{script}.getAttribute('nonce')") == ""
        seen.append(in_page)
    assert seen[0] != seen[1]


def test_strict_preset_strict_dynamic_and_trusted_types(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/presets/strict"))
    # createElement'd scripts run asynchronously: wait for that one.
    settle(engine, "!!document.querySelector('[data-check=created][data-state=ran]')")
    assert check_states(engine) == {
        "loader": "ran",
        "created": "ran",
        "written": "not-run",
    }

    events = violations(engine)
    blocked = [v for v in events if v["disposition"] == "enforce"]
    assert [(v["directive"], v["blocked"]) for v in blocked] == [
        ("script-src-elem", site.url("/static/js/strict-written.js"))
    ]
    # Trusted Types, report-only: the innerHTML assignment was reported...
    trusted_types = [v for v in events if v["directive"] == "require-trusted-types-for"]
    assert trusted_types
    assert {v["disposition"] for v in trusted_types} == {"report"}
    assert any(v["sample"].startswith("Element innerHTML|") for v in trusted_types)
    # ...and still happened.
    assert engine.evaluate("document.getElementById('tt-target').innerText") == (
        "Written with innerHTML: reported, not blocked."
    )


def test_balanced_preset_allows_own_scripts_but_no_inline_ones(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/presets/balanced"))
    assert check_states(engine) == {"external": "ran", "inline": "not-run"}
    assert engine.evaluate("document.getElementById('data-image').naturalWidth") > 0
    assert [(v["directive"], v["blocked"]) for v in violations(engine)] == [
        ("script-src-elem", "inline")
    ]
