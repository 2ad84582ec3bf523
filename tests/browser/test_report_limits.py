"""Over ``report_receiver_rate_limit`` the receiver answers so that no
engine sends the reports again.

Each engine loads two HTTPS pages whose CSP blocks an inline script and
reports it (``report-to``, the Reporting API) to a receiver that allows one
post a minute: the first page's report is kept, the second's is answered
204 and dropped. Every engine then posts nothing more. The control is a
page whose reporting endpoint answers 429 (what the receiver answered
before): Chromium posts that batch again and again, which is why the
receiver does not answer 429.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_talisman import Talisman

from ..conftest import collect_reports
from .conftest import Certificate, _serve, tls_context, wait_for
from .engine_table import note
from .engines import Engine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("disconnect_report_receivers"),
]

PAGE = "<!doctype html><title>blocked</title><script>var blocked = 1;</script>"
#: Long enough for an engine to send a batch again: Chromium, with
#: --short-reporting-delay, did within a second.
QUIET = 8.0


def posts(log: Any, path: str) -> int:
    return sum(
        1 for method, seen, _ in log.requests if (method, seen) == ("POST", path)
    )


@pytest.fixture
def limited(certificate: Certificate | None) -> Iterator[dict[str, Any]]:
    """A receiver that allows one post a minute, over HTTPS."""
    app = Flask("limited")
    Talisman(
        app,
        force_https=False,
        report_receiver="/talisman/reports",
        report_receiver_rate_limit=1,
    )

    @app.route("/<name>")
    def page(name: str) -> str:
        return PAGE

    received = collect_reports(app)
    with _serve(app, tls_context(certificate)) as (server, log):
        yield {
            "origin": f"https://127.0.0.1:{server.server_port}",
            "log": log,
            "received": received,
        }


@pytest.fixture
def too_many(certificate: Certificate | None) -> Iterator[dict[str, Any]]:
    """A page whose reporting endpoint answers 429."""
    app = Flask("too_many")

    @app.route("/")
    def page() -> Any:
        response = app.make_response(PAGE)
        response.headers["Content-Security-Policy"] = "script-src 'none'; report-to r"
        response.headers["Reporting-Endpoints"] = 'r="/too-many"'
        return response

    @app.post("/too-many")
    def refuse() -> tuple[str, int]:
        return "", 429

    with _serve(app, tls_context(certificate)) as (server, log):
        yield {"origin": f"https://127.0.0.1:{server.server_port}", "log": log}


def test_a_report_over_the_limit_is_posted_once_and_dropped(
    engine: Engine, limited: dict[str, Any]
) -> None:
    origin, log, received = limited["origin"], limited["log"], limited["received"]
    engine.goto(f"{origin}/first")
    assert wait_for(lambda: received, timeout=20)
    engine.goto(f"{origin}/second")
    assert wait_for(lambda: posts(log, "/talisman/reports") >= 2, timeout=20)
    time.sleep(QUIET)
    assert posts(log, "/talisman/reports") == 2
    assert [report.url for report in received] == [f"{origin}/first"]


#: How many times each engine posted a batch answered 429, in QUIET seconds
#: after the first post (Chromium: again and again; Firefox sends again only
#: when the request itself fails).
POSTED_AFTER_429 = {"chromium": "more than one", "firefox": 1, "webkit": 1}


def test_the_control_a_429_is_posted_again_by_chromium(
    engine: Engine, too_many: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    origin, log = too_many["origin"], too_many["log"]
    engine.goto(f"{origin}/")
    assert wait_for(lambda: posts(log, "/too-many"), timeout=20)
    time.sleep(QUIET)
    count = posts(log, "/too-many")
    expected = POSTED_AFTER_429[engine.name]
    if expected == "more than one":
        assert count > 1
    else:
        assert count == expected
    note(request, "posted again" if expected == "more than one" else "posted once")
