"""Report-only policies, and the browser's reports reaching the built-in receiver.

Chromium delivers a CSP violation report one way per policy: through the
Reporting API (``report-to`` + ``Reporting-Endpoints``) when the policy has
``report-to``, otherwise by posting to ``report-uri``. It delivered no
Reporting API report from a plain-HTTP page (127.0.0.1 or localhost) to the
app's receiver, and does from an HTTPS page, so that case uses the HTTPS
server. /report-only/report-uri sets content_security_policy_report_to=False,
so its reports go to report-uri, over plain HTTP too.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from example_app import REPORT_RECEIVER, received_reports
from flask_talisman import Report

from .conftest import Server, violations, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

BADGE = "/static/img/badge.svg"
LEGACY = "application/csp-report"
REPORTING_API = "application/reports+json"


def load_report_only_page(
    page: Page, server: Server, path: str = "/report-only"
) -> str:
    """Load a report-only page under a unique address; return that address."""
    url = server.url(f"{path}?run={uuid.uuid4().hex}")
    page.goto(url)
    return url


def reports_for(server: Server, url: str) -> list[Report]:
    """Poll the receiver's list (up to 10 s) for the image's report from ``url``."""

    def found() -> list[Report]:
        return [
            report
            for report in received_reports(server.app)
            if report.type == "csp-violation"
            and report.body.get("documentURL") == url
            and report.body.get("blockedURL") == server.url(BADGE)
        ]

    reports: list[Report] = wait_for(found, timeout=10)
    return reports


def posted_to_receiver(server: Server) -> set[str]:
    """Content types of the reports the browser posted to the receiver."""
    return {
        content_type.split(";")[0]
        for method, path, content_type in server.recorder.requests
        if method == "POST" and path == REPORT_RECEIVER
    }


def test_report_only_policy_reports_without_blocking(
    page: Page, server: Server
) -> None:
    load_report_only_page(page, server)
    # The image breaks the report-only img-src, and is shown all the same.
    assert page.eval_on_selector("#planned-image", "img => img.naturalWidth") > 0
    events = violations(page)
    assert {"img-src"} == {v["directive"] for v in events}
    assert {"report"} == {v["disposition"] for v in events}
    assert server.url(BADGE) in {v["blocked"] for v in events}


def test_reports_reach_the_receiver_through_the_reporting_api(
    page: Page, tls_server: Server
) -> None:
    url = load_report_only_page(page, tls_server)
    reports = reports_for(tls_server, url)
    assert reports, "no report-to report reached the receiver within 10 s"
    (report,) = reports
    assert report.body["disposition"] == "report"
    assert report.body["effectiveDirective"] == "img-src"
    assert report.age is not None  # only Reporting API reports have an age
    assert posted_to_receiver(tls_server) == {REPORTING_API}

    # And the app's page lists it.
    page.goto(tls_server.url("/reports"))
    assert url in page.inner_text("#reports")


def test_reports_reach_the_receiver_through_report_uri(
    page: Page, server: Server
) -> None:
    """Without report-to, Chromium posts the legacy format to report-uri."""
    url = load_report_only_page(page, server, "/report-only/report-uri")
    assert page.eval_on_selector("#planned-image", "img => img.naturalWidth") > 0
    reports = reports_for(server, url)
    assert reports, "no report-uri report reached the receiver within 10 s"
    (report,) = reports
    assert report.body["disposition"] == "report"
    assert report.body["effectiveDirective"] == "img-src"
    assert report.age is None
    assert LEGACY in posted_to_receiver(server)

    # And the app's page lists it.
    page.goto(server.url("/reports"))
    assert url in page.inner_text("#reports")


def test_reports_reach_the_receiver_from_a_plain_http_page(
    page: Page, server: Server
) -> None:
    """The example app as ``flask run`` serves it, unchanged.

    Regression: report-to is left out of plain-HTTP responses, where Chromium
    delivers no Reporting API reports and would otherwise ignore report-uri.
    """
    url = load_report_only_page(page, server)

    def any_report() -> bool:
        return any(
            report.body.get("documentURL") == url
            for report in received_reports(server.app)
        )

    assert wait_for(any_report, timeout=5)
