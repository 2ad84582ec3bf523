"""Who may show a page in a frame, in Chromium, Firefox and WebKit.

Three pages set X-Frame-Options and frame-ancestors through Talisman:
``SAMEORIGIN`` with ``frame-ancestors 'self'``, ``DENY`` with
``'none'``, and no X-Frame-Options with ``frame-ancestors *``. A parent
page frames each from its own origin and from another one (127.0.0.1
against localhost). A framed page that is shown tells its parent so with
``postMessage``; a refused one never runs. Each engine shows exactly the
frames the headers allow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from flask_talisman import DENY, NONE, SAMEORIGIN, SELF, Talisman, csp_nonce

from .conftest import _serve, wait_for
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
# (page, X-Frame-Options, frame-ancestors, shown framed by its own origin,
# shown framed by another)
PAGES = [
    ("same-origin", SAMEORIGIN, SELF, True, False),
    ("deny", DENY, NONE, False, False),
    ("anywhere", None, "*", True, True),
]


def make_app() -> Flask:
    app = Flask("framing")
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy={"default-src": SELF, "frame-src": "*"},
        content_security_policy_nonce_in=["script-src"],
    )

    for name, options, ancestors, _, _ in PAGES:

        def framed(name: str = name) -> str:
            return FRAMED.format(nonce=csp_nonce(), name=name)

        framed.__name__ = f"framed_{name.replace('-', '_')}"
        view = talisman(
            frame_options=options,
            content_security_policy={"default-src": SELF, "frame-ancestors": ancestors},
        )(framed)
        app.add_url_rule(f"/framed/{name}", view.__name__, view)

    @app.route("/parent/<int:port>")
    def parent(port: int) -> str:
        frames = "\\n".join(
            f'<iframe src="http://{host}:{port}/framed/{name}"></iframe>'
            for name, *_ in PAGES
            for host in ("127.0.0.1", "localhost")
        )
        return PARENT.format(nonce=csp_nonce(), frames=frames)

    return app


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with _serve(make_app()) as (server, _):
        yield server.server_port


def test_each_engine_shows_the_frames_the_headers_allow(
    engine: Engine, port: int
) -> None:
    engine.goto(f"http://localhost:{port}/parent/{port}")
    own, other = f"http://localhost:{port}", f"http://127.0.0.1:{port}"
    expected = sorted(
        [f"{own} {name}" for name, _, _, same, _ in PAGES if same]
        + [f"{other} {name}" for name, _, _, _, cross in PAGES if cross]
    )

    def shown() -> list[str]:
        found: list[str] = sorted(engine.evaluate("window.shown") or [])
        return found if len(found) >= len(expected) else []

    wait_for(shown, timeout=10)
    # Read again after the allowed frames have all shown: a refused one that
    # ran anyway would be there by then too.
    found = sorted(engine.evaluate("window.shown") or [])
    assert found == expected
