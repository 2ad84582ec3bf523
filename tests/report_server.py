"""A receiver app served by gunicorn with several worker processes.

``gunicorn "tests.report_server:create_app()"`` builds it from environment
variables, so that each worker process builds the same app:

* ``REPORT_SERVER_FILE``: the ``report_receiver_file``;
* ``REPORT_SERVER_RATE_LIMIT``: the ``report_receiver_rate_limit``, if set;
* ``REPORT_SERVER_LIMITER``: a Flask-Limiter storage URI (``redis://...``),
  if set: Flask-Limiter is then set up after Talisman, counting per the
  request's ``X-Client`` header.

Each response names the worker process that answered (``X-Worker``).

:func:`gunicorn` starts such a server and yields its address.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from flask import Flask, Response, request

from flask_talisman import Talisman

ROOT = Path(__file__).resolve().parent.parent


def create_app() -> Flask:
    """The app each worker builds."""
    app = Flask("report_server")
    rate_limit = os.environ.get("REPORT_SERVER_RATE_LIMIT")
    Talisman(
        app,
        force_https=False,
        report_receiver="/reports",
        report_receiver_file=os.environ["REPORT_SERVER_FILE"],
        report_receiver_rate_limit=int(rate_limit) if rate_limit else None,
    )
    storage = os.environ.get("REPORT_SERVER_LIMITER")
    if storage:
        from flask_limiter import Limiter

        Limiter(
            lambda: request.headers.get("X-Client", "-"),
            app=app,
            storage_uri=storage,
        )

    @app.after_request
    def name_the_worker(response: Response) -> Response:
        response.headers["X-Worker"] = str(os.getpid())
        return response

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(environment: Mapping[str, str], workers: int = 4) -> Iterator[str]:
    """Serve :func:`create_app` with ``workers`` gunicorn workers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tests.report_server:create_app()",
        ],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"gunicorn stopped: {error}")
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
        except urllib.error.HTTPError:
            return  # it answers (404: the app has no page)
        except OSError:
            time.sleep(0.1)
        else:  # pragma: no cover - the app has no page at /
            return
    raise RuntimeError("gunicorn did not start in 30 seconds")
