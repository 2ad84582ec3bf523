"""X-Frame-Options and frame-ancestors, each alone and together, in every engine.

test_engine_framing.py frames pages that send both headers, saying the same
thing, as the example app's /framing/ pages do (``SAMEORIGIN`` with
``frame-ancestors 'self'``, ``DENY`` with ``'none'``, no X-Frame-Options with
``frame-ancestors *``). Here each header is sent alone, through Talisman's
options, to show that each works by itself in Chromium, Firefox and WebKit;
and both are sent disagreeing, where ``frame-ancestors`` wins (CSP Level 3:
a policy with ``frame-ancestors`` makes the browser ignore X-Frame-Options).

A parent page on ``localhost`` frames each page from its own origin and from
another (``127.0.0.1``). A framed page that is shown tells its parent with
``postMessage``; a refused one never runs. The server's exchanges show that
each engine fetched every framed page, the refused ones too: the headers
refuse to show a page, not to load it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_talisman import DENY, NONE, SAMEORIGIN, SELF, Talisman, csp_nonce

from .conftest import Site, serve_site, wait_for
from .engines import Engine

pytestmark = pytest.mark.browser

FRAMED = """<!doctype html><title>framed</title><body>
<script nonce="{nonce}">parent.postMessage("{name}", "*");</script>
"""
PARENT = """<!doctype html><title>parent</title><body>
<script nonce="{nonce}">
window.shown = [];
addEventListener("message", (e) => window.shown.push(e.origin + " " + e.data));
</script>
{frames}
"""
#: (page, X-Frame-Options, frame-ancestors (None: not in the policy), shown
#: framed by its own origin, shown framed by another)
PAGES: list[tuple[str, str | None, str | None, bool, bool]] = [
    ("deny-alone", DENY, None, False, False),
    ("sameorigin-alone", SAMEORIGIN, None, True, False),
    ("none-alone", None, NONE, False, False),
    ("self-alone", None, SELF, True, False),
    # Disagreeing: frame-ancestors decides.
    ("deny-but-anywhere", DENY, "*", True, True),
    ("sameorigin-but-none", SAMEORIGIN, NONE, False, False),
]


def make_app() -> Flask:
    app = Flask("framing_alone")
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy={"default-src": SELF, "frame-src": "*"},
        content_security_policy_nonce_in=["script-src"],
    )

    for name, options, ancestors, _, _ in PAGES:

        def framed(name: str = name) -> str:
            return FRAMED.format(nonce=csp_nonce(), name=name)

        policy: dict[str, Any] = {"default-src": SELF}
        if ancestors is not None:
            policy["frame-ancestors"] = ancestors
        framed.__name__ = f"framed_{name.replace('-', '_')}"
        view = talisman(frame_options=options, content_security_policy=policy)(framed)
        app.add_url_rule(f"/framed/{name}", view.__name__, view)

    @app.route("/parent/<int:port>")
    def parent(port: int) -> str:
        frames = "\n".join(
            f'<iframe src="http://{host}:{port}/framed/{name}"></iframe>'
            for name, *_ in PAGES
            for host in ("localhost", "127.0.0.1")
        )
        return PARENT.format(nonce=csp_nonce(), frames=frames)

    return app


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_site(make_app()) as served:
        yield served


def test_each_header_alone_and_frame_ancestors_over_x_frame_options(
    engine: Engine, site: Site
) -> None:
    start = len(site.exchanges.seen)
    engine.goto(f"{site.other}/parent/{site.port}")
    own, other = site.other, site.origin
    expected = sorted(
        [f"{own} {name}" for name, _, _, same, _ in PAGES if same]
        + [f"{other} {name}" for name, _, _, _, cross in PAGES if cross]
    )

    def shown() -> list[str]:
        found: list[str] = sorted(engine.evaluate("window.shown") or [])
        return found if len(found) >= len(expected) else []

    wait_for(shown, timeout=10)
    # Read again once the allowed frames have all shown: a refused one that
    # ran anyway would be there by then too.
    assert sorted(engine.evaluate("window.shown") or []) == expected

    # Each page was fetched from both origins, and sent its headers.
    fetched = {
        (exchange.sent["host"], exchange.target): exchange.answered
        for exchange in site.exchanges.seen[start:]
        if exchange.target.startswith("/framed/")
    }
    for name, options, ancestors, _, _ in PAGES:
        for host in (own, other):
            answered = fetched.get((host.split("//")[1], f"/framed/{name}"))
            assert answered is not None, f"{engine.name} never fetched {name} in {host}"
            assert answered.get("x-frame-options") == options
            in_policy = f"frame-ancestors {ancestors}" if ancestors else None
            policy = answered["content-security-policy"]
            assert (
                (in_policy in policy) if in_policy else "frame-ancestors" not in policy
            )
