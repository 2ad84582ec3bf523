"""Properties: no request makes the cross-origin checks answer 5xx.

Any method, Fetch Metadata values, ``Origin``, ``Host`` and
``X-Forwarded-*`` values (latin-1, as WSGI carries them: control
characters, separators, long values), through ``ProxyFix`` or not, against
enforced and report-only checks with trusted origins: the answer is 200,
a 403 whose plain-text body is one of the fixed ones (nothing the request
sent), or the 400 an invalid Host gets; and every log line is one line.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder, run_wsgi_app

from flask_talisman import Talisman

from .test_options import SETTINGS

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]
WORDS = [
    "same-origin", "same-site", "cross-site", "none", "navigate", "no-cors", "cors",
    "document", "object", "embed", "script", "empty", "null", "https://localhost",
    "http://localhost", "https://partner.example", "https://localhost:443", "",
]  # fmt: skip
latin1 = st.text(st.characters(max_codepoint=255), max_size=40)
values = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    latin1,
    st.builds(lambda a, b: a + b, st.sampled_from(WORDS), latin1),
    st.text(st.characters(max_codepoint=255), min_size=300, max_size=400),
)
HEADERS = [
    "HTTP_SEC_FETCH_SITE",
    "HTTP_SEC_FETCH_MODE",
    "HTTP_SEC_FETCH_DEST",
    "HTTP_ORIGIN",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
]
BODIES = {
    f"403 Forbidden: Refused by {checks}: {stops}.\n"
    for checks, stops in [
        ("cross_origin_protection", "a cross-origin request with an unsafe method"),
        (
            "resource_isolation",
            "a cross-site request that is not a top-level navigation",
        ),
        (
            "cross_origin_protection and resource_isolation",
            "a cross-origin request with an unsafe method; a cross-site request "
            "that is not a top-level navigation",
        ),
    ]
}


def make(mode: Any, proxied: bool) -> Flask:
    app = Flask("properties")
    Talisman(
        app,
        force_https=False,
        cross_origin_protection=mode,
        resource_isolation=mode,
        cross_origin_trusted_origins=["https://partner.example"],
    )
    app.add_url_rule("/", view_func=lambda: "served", methods=METHODS)
    if proxied:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


APPS = {
    (mode, proxied): make(mode, proxied)
    for mode in (True, "report-only")
    for proxied in (False, True)
}


class Lines(logging.Handler):
    """Keeps each formatted message of the checks' logger."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def lines() -> Any:
    logger = logging.getLogger("flask_talisman.cross_origin")
    handler = Lines()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@SETTINGS
@given(
    method=st.sampled_from(METHODS),
    given_values=st.fixed_dictionaries({name: values for name in HEADERS}),
    mode=st.sampled_from([True, "report-only"]),
    proxied=st.booleans(),
    scheme=st.sampled_from(["http", "https"]),
)
def test_no_request_makes_a_server_error(
    lines: Lines,
    method: str,
    given_values: dict[str, str | None],
    mode: Any,
    proxied: bool,
    scheme: str,
) -> None:
    lines.messages.clear()
    environ = EnvironBuilder(
        path="/", method=method, base_url=f"{scheme}://localhost"
    ).get_environ()
    for name, value in given_values.items():
        if value is not None:
            environ[name] = value
    _, status, headers = run_wsgi_app(APPS[mode, proxied].wsgi_app, environ, True)
    code = int(status.split()[0])
    assert code in (200, 400, 403), status
    if code == 403:
        assert mode is True
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
    for message in lines.messages:
        assert "\n" not in message
        assert "\r" not in message


@SETTINGS
@given(
    method=st.sampled_from(METHODS),
    given_values=st.fixed_dictionaries({name: values for name in HEADERS[:4]}),
)
def test_a_refusal_body_is_always_a_fixed_text(
    method: str, given_values: dict[str, str | None]
) -> None:
    environ = EnvironBuilder(
        path="/", method=method, base_url="https://localhost"
    ).get_environ()
    for name, value in given_values.items():
        if value is not None:
            environ[name] = value
    body, status, _ = run_wsgi_app(APPS[True, False].wsgi_app, environ, True)
    if status.startswith("403"):
        assert b"".join(body).decode() in BODIES
