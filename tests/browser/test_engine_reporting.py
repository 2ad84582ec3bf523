"""Each engine's reports reach the receiver, over plain HTTP and HTTPS.

A page under the strict preset (a nonce'd ``'strict-dynamic'`` policy,
enforced, and its Trusted Types policy, report-only) runs a script without
the nonce, which is blocked, and writes ``innerHTML`` from its nonce'd
script, which the report-only policy reports. In Chromium, Firefox and
WebKit, over plain HTTP (``report-uri``: Talisman leaves ``report-to`` out
there) and over HTTPS (``report-to`` and ``Reporting-Endpoints``, with a
throw-away certificate), both reports arrive with the disposition of their
policy. The apps are served once for the module, each engine is started
once, and each engine and scheme waits once for both reports.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request

from flask_talisman import Talisman, csp_nonce

from ..conftest import collect_reports
from .conftest import Certificate, _serve, tls_context, wait_for
from .engine_table import note
from .engines import ENGINES, Engine

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>reports</title><body>
<script>var blocked = 1;</script>
<script nonce="{nonce}">document.body.innerHTML = "<b>sink</b>";</script>
"""
EXPECTED = {
    "script-src-elem": "enforce",
    "require-trusted-types-for": "report",
}


def make_app() -> Flask:
    app = Flask("engines")
    Talisman(
        app,
        preset="strict",
        force_https=False,
        report_receiver="/talisman/reports",
    )

    @app.route("/<run>")
    def page(run: str) -> str:
        return PAGE.format(nonce=csp_nonce())

    return app


@pytest.fixture(scope="module")
def served(certificate: Certificate | None) -> Iterator[dict[str, Any]]:
    """The app over HTTP and HTTPS, and the reports it receives."""
    app = make_app()
    received = collect_reports(app)
    with (
        _serve(app) as (http, http_log),
        _serve(app, tls_context(certificate)) as (https, https_log),
    ):
        yield {
            "http": f"http://127.0.0.1:{http.server_port}",
            "https": f"https://127.0.0.1:{https.server_port}",
            "received": received,
            "log": {"http": http_log, "https": https_log},
        }


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_both_reports_arrive_with_their_disposition(
    engine: Engine, served: dict[str, Any], scheme: str
) -> None:
    # A path of its own (the receiver keeps no query): the reports of this run.
    url = f"{served[scheme]}/{uuid.uuid4().hex}"
    log = served["log"][scheme].requests
    start = len(log)
    engine.goto(url)

    def arrived() -> dict[str, str]:
        found = {
            report.body.get("effectiveDirective"): report.body.get("disposition")
            for report in served["received"]
            if report.type == "csp-violation" and report.body.get("documentURL") == url
        }
        return found if len(found) == len(EXPECTED) else {}

    assert wait_for(arrived, timeout=20) == EXPECTED, [
        dict(r.body) for r in served["received"] if r.body.get("documentURL") == url
    ]
    posted = {kind for method, _, kind in log[start:] if method == "POST"}
    assert posted == {CONTENT_TYPES[scheme][engine.name]}


#: How each engine posted the reports (report-uri over plain HTTP, the
#: Reporting API over HTTPS; WebKit labels its one-object reports csp-report).
CONTENT_TYPES = {
    "http": dict.fromkeys(ENGINES, "application/csp-report"),
    "https": {
        "chromium": "application/reports+json",
        "firefox": "application/reports+json",
        "webkit": "application/csp-report",
    },
}


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine outside 127/8, or None."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def both_directives_app() -> tuple[Flask, list[tuple[str, str]]]:
    """A page whose CSP has report-uri and report-to, set by hand."""
    app = Flask("both")
    posts: list[tuple[str, str]] = []

    @app.route("/")
    def page() -> Any:
        response = app.make_response(
            "<!doctype html><title>both</title><script>var blocked = 1;</script>"
        )
        origin = f"http://{request.host}"
        response.headers["Reporting-Endpoints"] = f'g="{origin}/rt"'
        response.headers["Content-Security-Policy"] = (
            "script-src 'none'; report-uri /ru; report-to g"
        )
        return response

    @app.post("/<kind>")
    def report(kind: str) -> tuple[str, int]:
        posts.append((kind, request.path))
        return "", 204

    return app, posts


#: Where each engine posted a plain-HTTP page's report when the CSP has both
#: report-uri and report-to, as measured (None: nothing at all).
BOTH_DIRECTIVES = {
    # http://127.0.0.1 is a potentially trustworthy origin.
    "loopback": {"chromium": None, "firefox": None, "webkit": "/rt"},
    # Plain HTTP on an address outside 127/8.
    "not-a-secure-context": {"chromium": None, "firefox": None, "webkit": None},
}


@pytest.mark.parametrize("where", BOTH_DIRECTIVES)
def test_what_a_plain_http_page_with_both_directives_reports(
    engine: Engine, where: str, request: pytest.FixtureRequest
) -> None:
    """Why Talisman leaves report-to out of plain-HTTP responses.

    On an origin that is not a secure context, a CSP with both report-uri
    and report-to makes no engine report at all: each ignores report-uri
    because report-to is there, and sends no Reporting API report from an
    insecure page. Even on http://127.0.0.1 only WebKit reports (through
    report-to). Without report-to, every engine posts to report-uri
    (``test_both_reports_arrive_with_their_disposition``).
    """
    import threading

    from werkzeug.serving import make_server

    app, posts = both_directives_app()
    host = "127.0.0.1" if where == "loopback" else non_loopback_address()
    if host is None:
        pytest.skip("this machine has no IPv4 address outside 127/8")
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    expected = BOTH_DIRECTIVES[where][engine.name]
    try:
        engine.goto(f"http://{host}:{server.server_port}/")
        # Waits for a report where one is expected; else long enough for
        # one to have come (Chromium reports within 100 ms here).
        got = wait_for(lambda: list(posts), timeout=8 if expected else 3)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert {path for _, path in got} == ({expected} if expected else set()), got
    note(request, f"reports to report-to ({expected})" if expected else "no report")
