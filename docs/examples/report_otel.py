"""Send the receiver's reports to OpenTelemetry, as log records.

Each report becomes one OpenTelemetry log record (event ``browser.report``)
with the report's fields as attributes, exported by whatever the app's
``LoggerProvider`` is set up with (OTLP to a collector, the console...).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from opentelemetry._logs import LoggerProvider, SeverityNumber, get_logger_provider

from flask_talisman import Report, report_received


def attributes(report: Report) -> dict[str, Any]:
    """A report's fields as OpenTelemetry attributes."""
    found: dict[str, Any] = {
        "browser.report.type": report.type,
        "url.full": report.url,
        "user_agent.original": report.user_agent,
        "browser.report.body": dict(report.body),
    }
    if report.age is not None:
        found["browser.report.age_ms"] = report.age
    return found


def send_to_opentelemetry(app: Flask, provider: LoggerProvider | None = None) -> None:
    """Emit each report ``app``'s receiver keeps as an OpenTelemetry log record.

    ``provider`` defaults to the global one (``set_logger_provider``).
    """
    otel = (provider or get_logger_provider()).get_logger("flask_talisman.reports")

    @report_received.connect_via(app, weak=False)
    def emit(sender: Flask, report: Report, **extra: Any) -> None:
        otel.emit(
            event_name="browser.report",
            body=f"{report.type} report from {report.url}",
            attributes=attributes(report),
            timestamp=int(report.received.timestamp() * 1_000_000_000),
            severity_number=SeverityNumber.WARN,
        )


def create_app(provider: LoggerProvider | None = None) -> Flask:
    """An app whose receiver sends its reports to OpenTelemetry."""
    from flask_talisman import Talisman

    app = Flask(__name__)
    Talisman(app, report_receiver="/talisman/reports")
    send_to_opentelemetry(app, provider)
    return app
