"""A real shared cache (nginx's proxy_cache) in front of the app.

A shared cache that stores a page whose body used its nonce hands that
nonce to every later visitor, which makes it predictable. Talisman marks
such responses ``Cache-Control: private`` and drops what would let a shared
cache store them anyway (``public``, ``s-maxage``, ``X-Accel-Expires``...);
responses that did not use the nonce keep the caching the app gave them.

nginx (Debian's ``/usr/sbin/nginx``) runs from a temporary folder with
``proxy_cache_valid 200 10m``, so it stores every 200 the upstream does not
forbid it to, and reports ``$upstream_cache_status``. Each "user" is a new
connection without cookies. The app counts, server side, what reached it.
The control puts the app's caching headers back after Talisman's hook (as
1.1.0 left them): nginx must then share one nonce, which proves the
measurement sees sharing.

Without nginx these tests skip, unless ``TALISMAN_NGINX_TESTS=required``:
then they fail.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, Response, jsonify, make_response, render_template_string

from flask_talisman import NONE, SELF, Talisman

from .conftest import unavailable
from .live import StatusLog, serve

NGINX = "/usr/sbin/nginx"
#: Requests per page: separate users, one after the other.
USERS = 3
NONCE_IN_HEADER = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
NONCE_IN_BODY = re.compile(r'nonce="([A-Za-z0-9_-]+)"')

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

PAGE = """<!doctype html>
<title>nonce'd</title>
<script nonce="{{ csp_nonce() }}">document.title = "ran";</script>
"""
PLAIN = "<!doctype html><title>plain</title><p>No inline script.</p>"
PUBLIC = "public, max-age=60"


def _app(static: Path) -> Flask:
    app = Flask(__name__, static_folder=str(static), static_url_path="/static")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60

    @app.after_request
    def restore_caching(response: Response) -> Response:
        # The control. Registered before Talisman, so it runs after Talisman's
        # hook: the app's caching headers as they were before it.
        if response.headers.get("X-Control"):
            del response.headers["X-Control"]
            response.headers["Cache-Control"] = PUBLIC
            response.headers["X-Accel-Expires"] = "60"
        return response

    Talisman(
        app,
        force_https=False,
        content_security_policy={
            "default-src": SELF,
            "script-src": SELF,
            "object-src": NONE,
            "base-uri": SELF,
        },
        content_security_policy_nonce_in=["script-src"],
    )

    @app.route("/nonce")
    def nonce() -> str:
        return render_template_string(PAGE)

    @app.route("/nonce-public")
    def nonce_public() -> Response:
        response = make_response(render_template_string(PAGE))
        response.headers["Cache-Control"] = PUBLIC
        response.headers["X-Accel-Expires"] = "60"
        return response

    @app.route("/control/nonce-public")
    def control() -> Response:
        response = nonce_public()
        response.headers["X-Control"] = "1"
        return response

    @app.route("/plain")
    def plain() -> str:
        return PLAIN

    @app.route("/plain-public")
    def plain_public() -> Response:
        response = make_response(PLAIN)
        response.headers["Cache-Control"] = PUBLIC
        return response

    @app.route("/api")
    def api() -> Response:
        response = jsonify(items=[1, 2, 3])
        response.headers["Cache-Control"] = PUBLIC
        return response

    return app


@dataclass
class Proxy:
    port: int
    log: StatusLog

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


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    if not os.access(NGINX, os.X_OK):
        unavailable(
            "TALISMAN_NGINX_TESTS", "shared-cache tests", f"no nginx at {NGINX}"
        )
    static = tmp_path_factory.mktemp("static")
    (static / "app.js").write_text("document.title = 'static';\n")
    folder = tmp_path_factory.mktemp("nginx")
    with serve(_app(static)) as (upstream, log):
        process, port = _start_nginx(folder, upstream)
        try:
            yield Proxy(port, log)
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if process.stderr is not None:
                process.stderr.close()


def _visit(proxy: Proxy, path: str) -> list[tuple[int, dict[str, str], str]]:
    return [proxy.get(path) for _ in range(USERS)]


@pytest.mark.parametrize(
    ("path", "expected_cache_control"),
    [
        pytest.param("/nonce", "private", id="no-cache-control"),
        pytest.param(
            "/nonce-public", "private, max-age=60", id="public-and-x-accel-expires"
        ),
    ],
)
def test_page_that_used_its_nonce_is_never_shared(
    proxy: Proxy, path: str, expected_cache_control: str
) -> None:
    answers = _visit(proxy, path)
    assert [status for status, _, _ in answers] == [200] * USERS
    assert [headers["x-cache-status"] for _, headers, _ in answers] == ["MISS"] * USERS
    nonces = []
    for _, headers, body in answers:
        assert headers["cache-control"] == expected_cache_control
        (in_header,) = NONCE_IN_HEADER.findall(headers["content-security-policy"])
        assert NONCE_IN_BODY.findall(body) == [in_header]
        nonces.append(in_header)
    assert len(set(nonces)) == USERS
    # Every user's request reached the app.
    assert proxy.log.statuses(path) == [200] * USERS


def test_control_a_nonced_page_nginx_may_store_is_shared(proxy: Proxy) -> None:
    """Without Talisman's Cache-Control, every user gets the first one's nonce."""
    path = "/control/nonce-public"
    answers = _visit(proxy, path)
    statuses = [headers["x-cache-status"] for _, headers, _ in answers]
    assert statuses == ["MISS"] + ["HIT"] * (USERS - 1)
    nonces = {NONCE_IN_BODY.findall(body)[0] for _, _, body in answers}
    assert len(nonces) == 1
    assert proxy.log.statuses(path) == [200]


@pytest.mark.parametrize(
    ("path", "expected_cache_control"),
    [
        # No Cache-Control at all: nginx's proxy_cache_valid applies.
        pytest.param("/plain", None, id="page-without-cache-control"),
        pytest.param("/plain-public", PUBLIC, id="page-public"),
        pytest.param("/api", PUBLIC, id="json"),
        # SEND_FILE_MAX_AGE_DEFAULT = 60
        pytest.param("/static/app.js", PUBLIC, id="static-file"),
    ],
)
def test_response_without_the_nonce_keeps_its_cacheability(
    proxy: Proxy, path: str, expected_cache_control: str | None
) -> None:
    answers = _visit(proxy, path)
    assert [status for status, _, _ in answers] == [200] * USERS
    statuses = [headers["x-cache-status"] for _, headers, _ in answers]
    assert statuses == ["MISS"] + ["HIT"] * (USERS - 1)
    assert [h.get("cache-control") for _, h, _ in answers] == [
        expected_cache_control
    ] * USERS
    # Only the first user's request reached the app.
    assert proxy.log.statuses(path) == [200]
