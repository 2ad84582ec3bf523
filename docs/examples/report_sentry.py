"""Forward the receiver's CSP reports to Sentry's security endpoint.

Sentry reads CSP reports in the ``report-uri`` format: ``{"csp-report":
{...}}`` with the legacy field names, posted as ``application/csp-report``,
with the browser's ``User-Agent``. Each report arrives here already checked,
clipped and (unless ``report_receiver_keep_url_query=True``) without the
queries and fragments of its URLs, so that is what Sentry gets.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from flask import Flask

from flask_talisman import Report, report_received

# The Reporting API's field names, as the report-uri format spells them.
LEGACY_NAMES = {
    "documentURL": "document-uri",
    "referrer": "referrer",
    "blockedURL": "blocked-uri",
    "effectiveDirective": "effective-directive",
    "originalPolicy": "original-policy",
    "sourceFile": "source-file",
    "sample": "script-sample",
    "disposition": "disposition",
    "statusCode": "status-code",
    "lineNumber": "line-number",
    "columnNumber": "column-number",
}

log = logging.getLogger(__name__)


def sentry_body(report: Report) -> dict[str, Any]:
    """A ``csp-violation`` report in the ``report-uri`` format."""
    fields = {
        legacy: report.body[name]
        for name, legacy in LEGACY_NAMES.items()
        if name in report.body
    }
    if "effective-directive" in fields:
        fields["violated-directive"] = fields["effective-directive"]
    return {"csp-report": fields}


def forward_to_sentry(app: Flask, security_url: str, timeout: float = 5.0) -> None:
    """Post each CSP report ``app``'s receiver keeps to ``security_url``.

    ``security_url`` is the project's Security Header endpoint (Project
    Settings > Security Headers), such as
    ``https://o0.ingest.sentry.io/api/0/security/?sentry_key=...``; add
    ``&sentry_environment=...`` or ``&sentry_release=...`` to it as needed.
    """

    @report_received.connect_via(app, weak=False)
    def send(sender: Flask, report: Report, **extra: Any) -> None:
        if report.type != "csp-violation":
            return  # Sentry's security endpoint takes CSP reports only
        request = urllib.request.Request(
            security_url,
            data=json.dumps(sentry_body(report)).encode(),
            headers={
                "Content-Type": "application/csp-report",
                "User-Agent": report.user_agent,
            },
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=timeout).close()
        except OSError as error:  # Sentry unreachable: keep serving
            log.warning("CSP report not sent to Sentry: %s", error)


def create_app(security_url: str) -> Flask:
    """An app whose receiver forwards its CSP reports to Sentry."""
    from flask_talisman import Talisman

    app = Flask(__name__)
    Talisman(app, report_receiver="/talisman/reports")
    forward_to_sentry(app, security_url)
    return app
