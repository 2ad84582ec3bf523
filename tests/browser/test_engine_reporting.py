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
from flask import Flask

from flask_talisman import Talisman, csp_nonce

from ..conftest import collect_reports
from .conftest import Certificate, _serve, tls_context, wait_for
from .engines import ENGINES, Chromium, Engine, Firefox, WebKit, require

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

    @app.route("/")
    def page() -> str:
        return PAGE.format(nonce=csp_nonce())

    return app


@pytest.fixture(scope="module")
def served(certificate: Certificate | None) -> Iterator[dict[str, Any]]:
    """The app over HTTP and HTTPS, and the reports it receives."""
    app = make_app()
    received = collect_reports(app)
    with _serve(app) as (http, _), _serve(app, tls_context(certificate)) as (https, _):
        yield {
            "http": f"http://127.0.0.1:{http.server_port}",
            "https": f"https://127.0.0.1:{https.server_port}",
            "received": received,
        }


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    require(request.param)
    made: Engine
    if request.param == "chromium":
        made = Chromium(request.getfixturevalue("browser"))
    elif request.param == "firefox":
        made = Firefox()
    else:
        made = WebKit()
    yield made
    made.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_both_reports_arrive_with_their_disposition(
    engine: Engine, served: dict[str, Any], scheme: str
) -> None:
    url = f"{served[scheme]}/?run={uuid.uuid4().hex}"
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
