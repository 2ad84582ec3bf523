"""nginx's proxy_cache in front of an app served by tests/live.py.

nginx (Debian's ``/usr/sbin/nginx``) runs from a temporary folder with
``proxy_cache_valid 200 10m``, so it stores every 200 the upstream does not
forbid it to, and reports ``$upstream_cache_status`` as ``X-Cache-Status``.
Each request made by :meth:`Proxy.get` is a new connection without cookies:
another user.

Without nginx the tests using it skip, unless ``TALISMAN_NGINX_TESTS=required``:
then they fail.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from .conftest import unavailable
from .live import StatusLog, serve

NGINX = "/usr/sbin/nginx"

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_cache_path {folder}/cache levels=1:2 keys_zone=shared:1m max_size=10m
                     inactive=10m use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_cache shared;
            proxy_cache_valid 200 10m;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


@dataclass
class Proxy:
    """nginx on 127.0.0.1:``port``; ``log`` is what reached the app behind it."""

    port: int
    log: StatusLog

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """One user's request through nginx: status, headers, body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, body
        finally:
            connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _start_nginx(folder: Path, upstream: str) -> tuple[subprocess.Popen[bytes], int]:
    """nginx on a free port, or a failure saying what its error log said."""
    for _attempt in range(3):  # another process may take the port first
        port = _free_port()
        conf = folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(folder=folder, port=port, upstream=upstream))
        # -e: the error log before the configuration is read (else /var/log).
        command = [NGINX, "-p", str(folder), "-e", str(folder / "error.log")]
        process = subprocess.Popen(
            [*command, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            if _listening(port):
                return process, port
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        _, error = process.communicate(timeout=5)
        log = folder / "error.log"
        message = error.decode() + (log.read_text() if log.exists() else "")
        if "Address already in use" not in message:
            break
    pytest.fail(f"nginx did not start: {message}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    if process.stderr is not None:
        process.stderr.close()


def require_nginx(what: str) -> None:
    """Skip ``what`` without nginx (fail where TALISMAN_NGINX_TESTS=required)."""
    if not os.access(NGINX, os.X_OK):
        unavailable("TALISMAN_NGINX_TESTS", what, f"no nginx at {NGINX}")


@contextlib.contextmanager
def behind_nginx(
    app: Flask, folder: Path, what: str = "shared-cache tests"
) -> Iterator[Proxy]:
    """Serve ``app`` with nginx's proxy_cache in front (its files in ``folder``).

    Skips ``what`` without nginx (see :func:`require_nginx`).
    """
    require_nginx(what)
    with serve(app) as (upstream, log):
        process, port = _start_nginx(folder, upstream)
        try:
            yield Proxy(port, log)
        finally:
            _stop(process)
