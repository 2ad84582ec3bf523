"""Shared fixtures: a small app and the header-checking helper."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from flask import Flask
from werkzeug.test import TestResponse

#: Every header Talisman may set, with the value the default options produce
#: on an HTTPS request (None: absent). Exactly flask-talisman 1.1.0's output.
DEFAULT_HEADERS: dict[str, str | None] = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'",
    "Content-Security-Policy-Report-Only": None,
    "Strict-Transport-Security": "max-age=31556926; includeSubDomains",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "browsing-topics=()",
    "Document-Policy": None,
    "Feature-Policy": None,
    "X-XSS-Protection": None,
    "X-Download-Options": None,
}

NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9_-]{32})'")
HTTPS = {"base_url": "https://localhost"}


def check(response: TestResponse, expected: Mapping[str, str | None]) -> None:
    """Assert every security header: ``expected`` over :data:`DEFAULT_HEADERS`.

    A value of ``None`` means the header must be absent; each header must
    appear at most once.
    """
    wanted = {**DEFAULT_HEADERS, **expected}
    for name, value in wanted.items():
        got = response.headers.getlist(name)
        if value is None:
            assert got == [], f"{name} should be absent, got {got!r}"
        else:
            assert got == [value], f"{name}: expected {value!r}, got {got!r}"


def make_app(name: str = "test_app") -> Flask:
    """A bare app with a few routes (no Talisman)."""
    app = Flask(name)
    app.config["SECRET_KEY"] = "test"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/other")
    def other() -> str:
        return "other"

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return "posted"

    return app


@pytest.fixture
def app() -> Flask:
    """The app pytest-flask's ``client`` fixture uses."""
    return make_app()
