"""``report_receiver_rate_limit``: in the process, or through Flask-Limiter's
storage (shared by every worker), and an answer that browsers do not retry.

Over the limit the receiver answers 204 and drops the reports. The Reporting
API standard treats any status outside 200-299 as a failed delivery and 410
as "remove this endpoint"; Chromium sends a failed batch again (up to five
attempts, backing off the endpoint) and Firefox forgets the endpoint on a
410. A 2xx is the one answer after which every engine drops the reports.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

import flask_talisman.reports as reports_module
from flask_talisman import Talisman

from .conftest import HTTPS, collect_reports, make_app, unavailable
from .report_server import free_port, gunicorn

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")

LEGACY = {
    "csp-report": {
        "document-uri": "https://site.example/page",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
    }
}


def post(app: Flask, client: str = "10.0.0.1", **headers: str) -> int:
    response = app.test_client().post(
        "/r",
        data=json.dumps(LEGACY),
        content_type="application/csp-report",
        headers=headers,
        environ_base={"REMOTE_ADDR": client},
        **HTTPS,
    )
    status: int = response.status_code
    if status == 204:
        assert response.data == b""
    return status


def by_header() -> str:
    return request.headers.get("X-Client", "-")


def limited_app(
    limit: int | None, order: str, **limiter_options: Any
) -> tuple[Flask, Limiter, list[Any]]:
    """A receiver app with Flask-Limiter set up before or after Talisman."""
    app = make_app()
    limiter = Limiter(by_header, storage_uri="memory://", **limiter_options)
    if order == "limiter first":
        limiter.init_app(app)
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=limit)
    if order == "talisman first":
        limiter.init_app(app)
    return app, limiter, collect_reports(app)


ORDERS = pytest.mark.parametrize("order", ["limiter first", "talisman first"])


def test_over_the_limit_a_client_gets_204_and_its_reports_are_dropped() -> None:
    app = make_app()
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=2)
    received = collect_reports(app)
    assert [post(app) for _ in range(4)] == [204, 204, 204, 204]
    assert len(received) == 2
    assert post(app, client="10.0.0.2") == 204  # another client has its own count
    assert len(received) == 3


def test_drops_are_counted_and_logged_once_a_minute(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(reports_module.time, "monotonic", lambda: clock[0])
    app = make_app()
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=1)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        for _ in range(4):
            post(app)
        clock[0] += 61
        for _ in range(3):
            post(app)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "report_receiver_rate_limit: 10.0.0.1 posted more than 1 times in a "
        "minute; posts over the limit are answered 204 and dropped (1 so far in "
        "this process; this is logged once a minute)",
        "report_receiver_rate_limit: 10.0.0.1 posted more than 1 times in a "
        "minute; posts over the limit are answered 204 and dropped (4 so far in "
        "this process; this is logged once a minute)",
    ]
    assert [r.report_dropped_total for r in warnings] == [1, 4]  # type: ignore[attr-defined]
    assert [r.report_client for r in warnings] == ["10.0.0.1"] * 2  # type: ignore[attr-defined]


@ORDERS
def test_with_flask_limiter_its_storage_and_key_function_count(order: str) -> None:
    app, limiter, received = limited_app(2, order)
    # One key (X-Client) from two addresses: one count, as Flask-Limiter
    # counts it; the in-process limiter would count per address.
    statuses = [
        post(app, client=f"10.0.0.{n}", **{"X-Client": "k1"}) for n in range(1, 5)
    ]
    assert statuses == [204] * 4
    assert len(received) == 2
    assert post(app, **{"X-Client": "k2"}) == 204
    assert len(received) == 3
    # The counts are in Flask-Limiter's storage, under the receiver's name.
    keys = [k for k in limiter.storage.storage if "talisman_report_receiver" in k]
    assert sorted(keys) == [
        "LIMITER/k1/talisman_report_receiver/2/1/minute",
        "LIMITER/k2/talisman_report_receiver/2/1/minute",
    ]
    assert limiter.storage.get(keys[0]) == 4


def test_flask_limiters_key_prefix_is_kept() -> None:
    app = make_app()
    app.config["RATELIMIT_KEY_PREFIX"] = "shop"
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=2)
    limiter = Limiter(by_header, app=app, storage_uri="memory://")
    post(app, **{"X-Client": "k1"})
    assert list(limiter.storage.storage) == [
        "LIMITER/shop/k1/talisman_report_receiver/2/1/minute"
    ]


@ORDERS
def test_the_receiver_is_exempt_from_flask_limiters_own_limits(order: str) -> None:
    app, _, received = limited_app(3, order, default_limits=["1 per minute"])
    assert [post(app, **{"X-Client": "k"}) for _ in range(5)] == [204] * 5
    assert len(received) == 3
    # The app's other views keep Flask-Limiter's limits and its 429.
    client = app.test_client()
    assert client.get("/", headers={"X-Client": "k"}, **HTTPS).status_code == 200
    assert client.get("/", headers={"X-Client": "k"}, **HTTPS).status_code == 429


def test_without_a_receiver_limit_flask_limiters_own_limits_apply() -> None:
    app, _, received = limited_app(None, "talisman first", default_limits=["1/minute"])
    assert post(app, **{"X-Client": "k"}) == 204
    assert post(app, **{"X-Client": "k"}) == 429
    assert len(received) == 1


def test_a_disabled_flask_limiter_leaves_the_count_in_the_process() -> None:
    app = make_app()
    app.config["RATELIMIT_ENABLED"] = False
    Limiter(by_header, app=app, storage_uri="memory://")
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=1)
    received = collect_reports(app)
    # Counted per address, not per X-Client.
    post(app, client="10.0.0.1", **{"X-Client": "k"})
    post(app, client="10.0.0.2", **{"X-Client": "k"})
    post(app, client="10.0.0.2", **{"X-Client": "k"})
    assert len(received) == 2


def test_two_flask_limiters_leave_the_count_in_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    Limiter(by_header, app=app, storage_uri="memory://")
    Limiter(get_remote_address, app=app, storage_uri="memory://")
    with caplog.at_level(logging.WARNING, logger="flask_talisman.reports"):
        Talisman(app, report_receiver="/r", report_receiver_rate_limit=1)
    assert "has 2 Flask-Limiter limiters" in caplog.text
    received = collect_reports(app)
    post(app, client="10.0.0.1", **{"X-Client": "k"})
    post(app, client="10.0.0.2", **{"X-Client": "k"})
    assert len(received) == 2


def test_a_storage_that_fails_is_counted_in_the_process_without_a_5xx(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    # Nothing listens there: every count in Redis fails.
    storage = f"redis://127.0.0.1:{free_port()}"
    Limiter(by_header, app=app, storage_uri=storage)
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=1)
    received = collect_reports(app)
    with caplog.at_level(logging.WARNING, logger="flask_talisman.reports"):
        assert [post(app) for _ in range(3)] == [204, 204, 204]
    assert len(received) == 1
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1  # logged once a minute, not once a post


# -- several worker processes, one Redis -------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of its own (Debian's redis-server), on a free port."""
    server = shutil.which("redis-server")
    if server is None:
        unavailable(
            "TALISMAN_REDIS_TESTS",
            "the shared rate limit",
            "redis-server is not installed (apt-get install redis-server)",
        )
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:  # pragma: no cover
                process.kill()
                raise
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        process.terminate()
        process.wait(10)


def test_one_limit_holds_across_gunicorn_workers_through_redis(
    redis_url: str, tmp_path: Path
) -> None:
    """Four workers, one client key posting 120 times at once: exactly the
    limit's 25 reports are kept, whichever worker took each post."""
    path = tmp_path / "reports.jsonl"
    environment = {
        "REPORT_SERVER_FILE": str(path),
        "REPORT_SERVER_RATE_LIMIT": "25",
        "REPORT_SERVER_LIMITER": redis_url,
    }
    body = json.dumps(LEGACY).encode()

    with gunicorn(environment, workers=4) as url:

        def send(_: int) -> tuple[int, str]:
            sent = urllib.request.Request(
                url + "/reports",
                data=body,
                headers={"Content-Type": "application/csp-report", "X-Client": "k"},
                method="POST",
            )
            with urllib.request.urlopen(sent, timeout=30) as response:
                return response.status, response.headers["X-Worker"]

        answers: list[tuple[int, str]] = []
        with ThreadPoolExecutor(12) as pool:
            # One worker can take every post of a batch (nothing spreads a
            # sync worker's accepts): more batches until two have answered,
            # all within the minute the limit counts.
            for _ in range(5):
                answers += pool.map(send, range(120))
                if len({worker for _, worker in answers}) > 1:
                    break

    assert {status for status, _ in answers} == {204}
    assert len({worker for _, worker in answers}) > 1
    assert len(path.read_text().splitlines()) == 25


def test_a_key_function_that_fails_never_makes_a_5xx(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()

    def broken() -> str:
        raise LookupError("no X-Client")

    Limiter(broken, app=app, storage_uri="memory://")
    Talisman(app, report_receiver="/r", report_receiver_rate_limit=1)
    received = collect_reports(app)
    with caplog.at_level(logging.WARNING, logger="flask_talisman.reports"):
        assert [post(app) for _ in range(2)] == [204, 204]
    assert len(received) == 1  # counted per address in this process
    assert "LookupError('no X-Client')" in caplog.text
