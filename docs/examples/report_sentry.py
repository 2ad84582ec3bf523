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
import queue
import threading
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


class SentryForwarder:
    """Posts CSP reports to Sentry's security endpoint from one thread.

    The receiver's request only queues the report: anyone may post a batch
    of many reports, and Sentry may be slow or down, so a post to Sentry in
    that request would hold the worker for each report's timeout. At most
    ``max_pending`` reports wait; beyond that they are dropped with a
    warning (they are still in the ``flask_talisman.reports`` log). The
    thread starts with the first report, in the process that serves it
    (a thread started before gunicorn forks its workers would not run in
    them).
    """

    def __init__(self, security_url: str, timeout: float, max_pending: int) -> None:
        self.security_url = security_url
        self.timeout = timeout
        self.pending: queue.Queue[Report] = queue.Queue(max_pending)
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self, sender: Flask, report: Report, **extra: Any) -> None:
        """The ``report_received`` receiver: queue a CSP report."""
        if report.type != "csp-violation":
            return  # Sentry's security endpoint takes CSP reports only
        with self._started:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
        try:
            self.pending.put_nowait(report)
        except queue.Full:
            log.warning(
                "CSP report not sent to Sentry: %d are waiting", self.pending.maxsize
            )

    def wait(self) -> None:
        """Block until every queued report has been posted (or failed)."""
        self.pending.join()

    def _run(self) -> None:
        while True:
            report = self.pending.get()
            try:
                self._post(report)
            finally:
                self.pending.task_done()

    def _post(self, report: Report) -> None:
        request = urllib.request.Request(
            self.security_url,
            data=json.dumps(sentry_body(report)).encode(),
            headers={
                "Content-Type": "application/csp-report",
                "User-Agent": report.user_agent,
            },
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=self.timeout).close()
        except OSError as error:  # Sentry unreachable: keep serving
            log.warning("CSP report not sent to Sentry: %s", error)


def forward_to_sentry(
    app: Flask, security_url: str, timeout: float = 5.0, max_pending: int = 1000
) -> SentryForwarder:
    """Post each CSP report ``app``'s receiver keeps to ``security_url``.

    ``security_url`` is the project's Security Header endpoint (Project
    Settings > Security Headers), such as
    ``https://o0.ingest.sentry.io/api/0/security/?sentry_key=...``; add
    ``&sentry_environment=...`` or ``&sentry_release=...`` to it as needed.
    """
    forwarder = SentryForwarder(security_url, timeout, max_pending)
    report_received.connect(forwarder, sender=app, weak=False)
    return forwarder


def create_app(security_url: str) -> Flask:
    """An app whose receiver forwards its CSP reports to Sentry."""
    from flask_talisman import Talisman

    app = Flask(__name__)
    Talisman(app, report_receiver="/talisman/reports")
    app.extensions["sentry_forwarder"] = forward_to_sentry(app, security_url)
    return app
