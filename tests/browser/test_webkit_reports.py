"""WebKit's reports reach the receiver, over HTTP and HTTPS.

WebKitGTK (Safari's engine; Debian's ``webkit2gtk-driver`` and MiniBrowser,
under a virtual X display) is driven through Selenium. A Talisman page
blocks an inline script (enforced policy) and reports a Trusted Types sink
(report-only policy). Over HTTPS the headers name a ``report-to`` endpoint
and WebKit posts one Reporting API report per violation, as a single object
labelled ``application/csp-report``; over plain HTTP ``report-to`` is left
out and WebKit posts to ``report-uri`` without a ``disposition``. Both
arrive, each with the disposition of its policy.

The engine is driven as ``engines.WebKit`` describes; without it these
tests skip, unless ``TALISMAN_BROWSER_TESTS=required``: then they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from flask_talisman import Report, Talisman, csp_nonce

from ..conftest import collect_reports
from .conftest import Certificate, _serve, tls_context, wait_for
from .engines import WebKit, require

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>webkit</title><body>
<script>var inline = 1;</script>
<script nonce="{nonce}">document.body.innerHTML = "<b>sink</b>";</script>
"""


@pytest.fixture(scope="module")
def webkit() -> Iterator[WebKit]:
    require("webkit")
    engine = WebKit()
    yield engine
    engine.close()


def make_app() -> tuple[Flask, list[Report]]:
    app = Flask("webkit")
    Talisman(
        app,
        force_https=False,
        content_security_policy={"default-src": "'self'"},
        content_security_policy_nonce_in=["script-src"],
        content_security_policy_report_only="require-trusted-types-for 'script'",
        report_receiver="/talisman/reports",
    )

    @app.route("/")
    def page() -> str:
        return PAGE.format(nonce=csp_nonce())

    return app, collect_reports(app)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_webkits_reports_arrive_with_their_disposition(
    webkit: WebKit, certificate: Certificate | None, scheme: str
) -> None:
    app, received = make_app()
    tls = None
    if scheme == "https":
        tls = tls_context(certificate)
    with _serve(app, tls) as (server, recorder):
        url = f"{scheme}://127.0.0.1:{server.server_port}/"
        webkit.goto(f"{url}?run={uuid.uuid4().hex}")  # the receiver drops the query

        def both() -> dict[str, str]:
            found = {
                report.body.get("effectiveDirective"): report.body.get("disposition")
                for report in received
                if report.body.get("documentURL") == url
            }
            return found if len(found) == 2 else {}

        assert wait_for(both, timeout=15) == {
            "script-src-elem": "enforce",
            "require-trusted-types-for": "report",
        }
    posted = {
        (path, kind) for method, path, kind in recorder.requests if method == "POST"
    }
    # Over HTTPS through report-to, as one object each; over HTTP to
    # report-uri (the report-only policy's with ?disposition=report).
    assert posted == {("/talisman/reports", "application/csp-report")}


def test_webkit_reports_to_a_mounted_apps_receiver(webkit: WebKit) -> None:
    """Mounted at /shop: the report-uri names /shop/talisman/reports."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app, received = make_app()
    mounted = DispatcherMiddleware(Flask("outer"), {"/shop": app.wsgi_app})
    with _serve(mounted, None) as (server, recorder):  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{server.server_port}/shop/"
        webkit.goto(f"{url}?run={uuid.uuid4().hex}")  # the receiver drops the query
        assert wait_for(
            lambda: len([r for r in received if r.body.get("documentURL") == url]) == 2,
            timeout=15,
        )
    assert {path for method, path, _ in recorder.requests if method == "POST"} == {
        "/shop/talisman/reports"
    }
