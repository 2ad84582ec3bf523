"""Memory: the compiled-policy cache is bounded, and a long run does not grow.

Run from the project root::

    python benchmarks/memory.py [--requests 200000]

An app with 200 endpoints (half with per-view options) is requested in a
cycle that also hits unknown URLs (404s, a fresh path each time). The script
prints the number of cached policies and the traced Python memory after a
warm-up and at the end of the run, and fails if either grows.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask

from flask_talisman import DENY, Talisman

ENDPOINTS = 200


def build() -> Flask:
    app = Flask("memory")
    talisman = Talisman()
    for i in range(ENDPOINTS):

        def view(i: int = i) -> str:
            return f"page {i}"

        if i % 2:
            view = talisman(frame_options=DENY)(view)
        app.add_url_rule(f"/page/{i}", f"page_{i}", view)
    talisman.init_app(app, content_security_policy_nonce_in=["script-src"])
    return app


def run(app: Flask, count: int, offset: int) -> None:
    call = app.wsgi_app
    for n in range(count):
        path = f"/page/{n % ENDPOINTS}" if n % 10 else f"/missing/{offset + n}"
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443",
            "wsgi.url_scheme": "https",
            "wsgi.input": None,
            "wsgi.errors": sys.stderr,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        call(environ, lambda *args: None).close()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    app = build()
    state = app.extensions["talisman"]
    tracemalloc.start()
    run(app, 20_000, 0)  # warm-up: every endpoint seen many times
    gc.collect()
    warm_cache = len(state.compiled.views)
    warm_memory = tracemalloc.get_traced_memory()[0]
    run(app, args.requests, 20_000)
    gc.collect()
    end_cache = len(state.compiled.views)
    end_memory, peak = tracemalloc.get_traced_memory()
    print(f"endpoints: {len(app.view_functions)} (with static)")
    print(f"cached policies after warm-up: {warm_cache}, after the run: {end_cache}")
    print(
        f"traced memory after warm-up: {warm_memory / 1024:.0f} KiB, after "
        f"{args.requests} more requests: {end_memory / 1024:.0f} KiB "
        f"(peak {peak / 1024:.0f} KiB)"
    )
    growth = end_memory - warm_memory
    print(f"growth: {growth / 1024:+.1f} KiB")
    if end_cache > len(app.view_functions) + 1 or end_cache != warm_cache:
        sys.exit("the policy cache grew beyond the number of endpoints")
    if growth > 64 * 1024:
        sys.exit("memory grew during the run")


if __name__ == "__main__":
    main()
