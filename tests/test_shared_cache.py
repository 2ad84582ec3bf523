"""A real shared cache (nginx's proxy_cache) in front of the app.

A shared cache that stores a page whose body used its nonce hands that
nonce to every later visitor, which makes it predictable. Talisman marks
such responses ``Cache-Control: private`` and drops what would let a shared
cache store them anyway (``public``, ``s-maxage``, ``X-Accel-Expires``...);
responses that did not use the nonce keep the caching the app gave them.

nginx (tests/nginx.py) runs with ``proxy_cache_valid 200 10m``, so it
stores every 200 the upstream does not forbid it to, and reports
``$upstream_cache_status``. Each "user" is a new connection without cookies.
The app counts, server side, what reached it.
The control puts the app's caching headers back after Talisman's hook (as
1.1.0 left them): nginx must then share one nonce, which proves the
measurement sees sharing.

Without nginx these tests skip, unless ``TALISMAN_NGINX_TESTS=required``:
then they fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, Response, jsonify, make_response, render_template_string

from flask_talisman import NONE, SELF, Talisman

from .nginx import Proxy, behind_nginx

#: Requests per page: separate users, one after the other.
USERS = 3
NONCE_IN_HEADER = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
NONCE_IN_BODY = re.compile(r'nonce="([A-Za-z0-9_-]+)"')

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


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    static = tmp_path_factory.mktemp("static")
    (static / "app.js").write_text("document.title = 'static';\n")
    with behind_nginx(_app(static), tmp_path_factory.mktemp("nginx")) as proxy:
        yield proxy


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
