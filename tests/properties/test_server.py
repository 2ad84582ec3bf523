"""Properties: Host headers and request targets sent to a real server.

The apps run under Werkzeug's threaded server on 127.0.0.1, and requests are
written byte for byte on a socket, so what is tested is what a client can
really send: any Host bytes (controls, Latin-1, separators, duplicates), an
absolute-form request target naming another host, a forwarded scheme. The
invariants: no answer is a 5xx that the same app without Talisman does not
give, a redirect goes over ``https`` to exactly the host the request named
(and, with ``TRUSTED_HOSTS`` or ``SERVER_NAME``, only to one of those), a
reporting endpoint's origin is that same host, every header value is
printable ASCII, and a page's nonce is the one in its own CSP. Concurrent
requests for many hosts each get their own host and nonce back.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPResponse
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, render_template_string
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.serving import BaseWSGIServer, make_server

from flask_talisman import Talisman

from .test_options import SETTINGS

PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")
VALID_HOST = re.compile(r"[a-z0-9._\[\]:-]+\Z")
NONCE = re.compile(r"'nonce-([^']*)'")
TRUSTED = ["good.example", ".good.example"]
CONFIGS: list[dict[str, Any]] = [
    {"TRUSTED_HOSTS": TRUSTED},
    {"SERVER_NAME": "good.example"},
    {},
]
PAGE = "{{ csp_nonce() }}"


def build(config: dict[str, Any], talisman: bool) -> Flask:
    app = Flask("server")
    app.config.update(config)
    app.logger.disabled = True

    @app.route("/<path:anything>")
    @app.route("/")
    def page(anything: str = "") -> str:
        return render_template_string(PAGE) if talisman else "-"

    if talisman:
        Talisman(
            app,
            report_receiver="/reports",
            content_security_policy_nonce_in=["script-src"],
        )
    return app


@dataclass
class Served:
    config: dict[str, Any]
    port: int  # the app with Talisman
    bare_port: int  # the same app without it


@pytest.fixture(scope="module")
def servers() -> Iterator[list[Served]]:
    werkzeug_logger = logging.getLogger("werkzeug")
    was_disabled = werkzeug_logger.disabled
    werkzeug_logger.disabled = True  # one line per request otherwise
    running: list[BaseWSGIServer] = []
    served = []
    try:
        for config in CONFIGS:
            ports = []
            for talisman in (True, False):
                server = make_server("127.0.0.1", 0, build(config, talisman), True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                running.append(server)
                ports.append(server.server_port)
            served.append(Served(config, *ports))
        yield served
    finally:
        for server in running:
            server.shutdown()
            server.server_close()
        werkzeug_logger.disabled = was_disabled


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def get(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def send(port: int, request: bytes) -> Answer:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        response = HTTPResponse(sock)
        response.begin()
        body = response.read().decode("latin-1")
        return Answer(response.status, response.getheaders(), body)


def request_bytes(
    target: str, hosts: list[bytes], forwarded: bool, method: str = "GET"
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1")]
    lines += [b"Host: " + host for host in hosts]
    if forwarded:
        lines.append(b"X-Forwarded-Proto: https")
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


# Any byte but CR and LF (which would end the header line), weighted
# towards the characters that mean something in a host or a URL.
host_bytes = st.one_of(
    st.binary(max_size=24).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.lists(
        st.sampled_from(
            [b"good", b"evil", b".", b"-", b"_", b":", b"@", b"/", b"\\", b"[", b"]",
             b"%", b"?", b"#", b"0", b"99999", b" ", b"\t", b"\x00", b"\x7f",
             b"\xe9", b"example", b"GOOD", b"xn--bcher-kva", b"a" * 64]
        ),
        max_size=8,
    ).map(b"".join),
    st.sampled_from([b"good.example", b"www.good.example", b"good.example:8443",
                     b"[::1]:8080", b"127.0.0.1"]),
)  # fmt: skip
targets = st.one_of(
    st.sampled_from(["/", "/a?b=c", "//evil.example/x", "/evil.example/a", "*"]),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(["good.example", "evil.example", "www.good.example:81",
                         "good.example:@evil.example"]),
        st.sampled_from(["/", "/x", ""]),
    ),
)  # fmt: skip


def named_host(target: str, hosts: list[bytes], port: int) -> str:
    """The host the request names, as Werkzeug's server reads it."""
    parts = urlsplit(target)
    if parts.scheme and parts.netloc:
        return parts.netloc  # an absolute-form target overrides Host
    if not hosts:  # the server's own address stands in
        return f"127.0.0.1:{port}"
    return ",".join(h.decode("latin-1") for h in hosts)


@SETTINGS
@given(
    index=st.integers(0, len(CONFIGS) - 1),
    hosts=st.lists(host_bytes, min_size=0, max_size=2),
    target=targets,
    forwarded=st.booleans(),
)
def test_a_real_server_answers_any_host_below_500_and_redirects_only_to_it(
    servers: list[Served],
    index: int,
    hosts: list[bytes],
    target: str,
    forwarded: bool,
) -> None:
    served = servers[index]
    method = "OPTIONS" if target == "*" else "GET"
    raw = request_bytes(target, hosts, forwarded, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = send(served.port, raw)
        if answer.status >= 500:
            # Werkzeug < 3.1 fails on some Hosts in its own routing, with
            # or without Talisman; only a 5xx of Talisman's own counts.
            assert send(served.bare_port, raw).status >= 500, (hosts, target)
            return
    named = named_host(target, hosts, served.port)
    for name, value in answer.headers:
        if not (name == "Location" and answer.status == 308):  # Werkzeug's
            assert PRINTABLE.match(value), (name, value)
    if answer.status == 302:
        location = urlsplit(answer.get("Location")[0])
        assert location.scheme == "https"
        assert location.netloc == named.lower()
        assert VALID_HOST.match(location.netloc)
        if served.config:
            assert host_is_trusted(location.netloc, TRUSTED)
    for value in answer.get("Reporting-Endpoints"):
        origin = urlsplit(value.split('"')[1])
        assert origin.netloc == named.lower()
        assert origin.scheme == ("https" if forwarded else "http")
    if answer.status == 200:
        (policy,) = answer.get("Content-Security-Policy")
        assert NONCE.findall(policy) == [answer.body]


def test_concurrent_requests_each_get_their_own_host_and_nonce(
    servers: list[Served],
) -> None:
    served = servers[0]  # TRUSTED_HOSTS

    def fetch(n: int) -> tuple[int, Answer]:
        host = f"h{n}.good.example".encode()
        if n % 2:  # plain HTTP: redirected to its own host
            return n, send(served.port, request_bytes(f"/p{n}", [host], False))
        return n, send(served.port, request_bytes(f"/p{n}", [host], True))

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(fetch, range(400)))
    nonces = []
    for n, answer in answers:
        if n % 2:
            assert answer.status == 302
            assert answer.get("Location") == [f"https://h{n}.good.example/p{n}"]
        else:
            assert answer.status == 200
            (policy,) = answer.get("Content-Security-Policy")
            assert NONCE.findall(policy) == [answer.body]
            nonces.append(answer.body)
            (endpoints,) = answer.get("Reporting-Endpoints")
            assert f'"https://h{n}.good.example/reports"' in endpoints
    assert len(set(nonces)) == len(nonces) == 200
