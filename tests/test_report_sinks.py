"""Where each kept report goes: the logger (fields as ``extra``), the
signal, the file; redacted unless ``report_receiver_keep_url_query``; and
the docs' examples that send reports to Sentry and to OpenTelemetry."""

from __future__ import annotations

import importlib.util
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

from flask_talisman import Report, Talisman
from flask_talisman.reports import LOG_EXTRA_PREFIX

from .conftest import HTTPS, collect_reports, make_app

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"

SECRET_PAGE = "https://user:pw@site.example/reset?token=s3cr3t#me@mail.example"
CSP = {
    "type": "csp-violation",
    "age": 7,
    "url": SECRET_PAGE,
    "user_agent": "Browser/1.0",
    "body": {
        "documentURL": SECRET_PAGE,
        "referrer": "https://site.example/from?email=a@b.example",
        "blockedURL": "https://cdn.example/x.js?v=1#f",
        "sourceFile": "https://site.example/app.js?session=9",
        "effectiveDirective": "script-src-elem",
        "originalPolicy": "script-src 'self'; report-uri /talisman/reports",
        "disposition": "report",
        "sample": "",
        "statusCode": 200,
        "lineNumber": 3,
        "columnNumber": 9,
    },
}
DEPRECATION = {
    "type": "deprecation",
    "url": "https://site.example/old?x=1",
    "body": {"id": "SyncXHR", "message": "Synchronous XHR is deprecated"},
}
REDACTED = {
    "documentURL": "https://site.example/reset",
    "referrer": "https://site.example/from",
    "blockedURL": "https://cdn.example/x.js",
    "sourceFile": "https://site.example/app.js",
}


def post(app: Flask, batch: list[dict[str, Any]], path: str = "/r") -> int:
    response = app.test_client().post(
        path,
        data=json.dumps(batch),
        content_type="application/reports+json",
        **HTTPS,
    )
    status: int = response.status_code
    return status


def receiver(tmp_path: Path, **options: Any) -> tuple[Flask, list[Report]]:
    app = make_app()
    Talisman(
        app,
        report_receiver="/r",
        report_receiver_file=tmp_path / "reports.jsonl",
        **options,
    )
    return app, collect_reports(app)


def report_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "flask_talisman.reports" and r.levelno == logging.INFO
    ]


# -- the logger ---------------------------------------------------------------


def test_each_report_is_logged_with_its_fields_as_extra(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, received = receiver(tmp_path)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        assert post(app, [CSP, DEPRECATION]) == 204
    records = report_records(caplog)
    assert len(records) == 2
    for record, report in zip(records, received, strict=True):
        extra = {
            name[len(LOG_EXTRA_PREFIX) :]: value
            for name, value in vars(record).items()
            if name.startswith(LOG_EXTRA_PREFIX)
        }
        assert extra == report.to_json()
    assert records[0].report_type == "csp-violation"  # type: ignore[attr-defined]
    assert records[0].report_body["effectiveDirective"] == "script-src-elem"  # type: ignore[attr-defined]


def test_the_extra_names_clash_with_no_log_record_attribute(tmp_path: Path) -> None:
    # logging refuses an extra that names a LogRecord attribute (KeyError);
    # "message" and "asctime" are set by formatters.
    plain = logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None)
    taken = {*vars(plain), "message", "asctime"}
    assert not [name for name in taken if name.startswith(LOG_EXTRA_PREFIX)]
    app, received = receiver(tmp_path)
    post(app, [CSP])
    assert {LOG_EXTRA_PREFIX + key for key in received[0].to_json()}.isdisjoint(taken)


def test_a_json_log_formatter_can_write_every_extra(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # What a log pipeline's formatter does: the extra, as JSON.
    app, _ = receiver(tmp_path)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        post(app, [CSP, DEPRECATION])
    for record in report_records(caplog):
        fields = {
            k: v for k, v in vars(record).items() if k.startswith(LOG_EXTRA_PREFIX)
        }
        assert json.loads(json.dumps(fields)) == fields


# -- redaction ----------------------------------------------------------------


def test_by_default_every_sink_gets_urls_without_query_fragment_or_user(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, received = receiver(tmp_path)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        assert post(app, [CSP, DEPRECATION]) == 204
    stored = [
        json.loads(line)
        for line in (tmp_path / "reports.jsonl").read_text().splitlines()
    ]
    records = report_records(caplog)
    for index, report in enumerate(received):
        assert stored[index] == report.to_json()
        assert records[index].report_url == report.url  # type: ignore[attr-defined]
    csp, deprecation = received
    assert csp.url == "https://site.example/reset"
    assert {k: csp.body[k] for k in REDACTED} == REDACTED
    assert csp.body["originalPolicy"] == CSP["body"]["originalPolicy"]  # type: ignore[index]
    assert deprecation.url == "https://site.example/old"
    text = (tmp_path / "reports.jsonl").read_text() + caplog.text
    for secret in ("s3cr3t", "mail.example", "a@b.example", "session=9", "pw@"):
        assert secret not in text


def test_keep_url_query_keeps_the_urls_as_sent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, received = receiver(tmp_path, report_receiver_keep_url_query=True)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        post(app, [CSP])
    (report,) = received
    assert report.url == SECRET_PAGE
    assert report.body["referrer"] == CSP["body"]["referrer"]  # type: ignore[index]
    assert json.loads((tmp_path / "reports.jsonl").read_text())["url"] == SECRET_PAGE
    assert report_records(caplog)[0].report_url == SECRET_PAGE  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["yes", "False", 2, [True]])
def test_keep_url_query_is_a_bool(value: object) -> None:
    from flask_talisman import ConfigurationError

    with pytest.raises(ConfigurationError, match="report_receiver_keep_url_query"):
        Talisman(make_app(), report_receiver_keep_url_query=value)


# -- the docs' examples -------------------------------------------------------


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"docs_example_{name}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Posted:
    """What a local HTTP server standing for Sentry was sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def sentry() -> Iterator[tuple[str, Posted]]:
    posted = Posted()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            posted.requests.append(
                {
                    "path": self.path,
                    "content_type": self.headers["Content-Type"],
                    "user_agent": self.headers["User-Agent"],
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", posted
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_sentry_example_forwards_csp_reports_to_the_security_endpoint(
    sentry: tuple[str, Posted],
) -> None:
    base, posted = sentry
    security_url = f"{base}/api/42/security/?sentry_key=k3y&sentry_environment=test"
    app = example("report_sentry").create_app(security_url)
    assert post(app, [CSP, DEPRECATION], "/talisman/reports") == 204
    app.extensions["sentry_forwarder"].wait()
    assert posted.requests == [
        {
            "path": "/api/42/security/?sentry_key=k3y&sentry_environment=test",
            "content_type": "application/csp-report",
            "user_agent": "Browser/1.0",
            "body": {
                "csp-report": {
                    "document-uri": "https://site.example/reset",
                    "referrer": "https://site.example/from",
                    "blocked-uri": "https://cdn.example/x.js",
                    "effective-directive": "script-src-elem",
                    "violated-directive": "script-src-elem",
                    "original-policy": CSP["body"]["originalPolicy"],  # type: ignore[index]
                    "source-file": "https://site.example/app.js",
                    "script-sample": "",
                    "disposition": "report",
                    "status-code": 200,
                    "line-number": 3,
                    "column-number": 9,
                }
            },
        }
    ]


def test_the_sentry_example_keeps_serving_when_sentry_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from .report_server import free_port

    app = example("report_sentry").create_app(
        f"http://127.0.0.1:{free_port()}/api/42/security/?sentry_key=k3y"
    )
    with caplog.at_level(logging.WARNING):
        assert post(app, [CSP], "/talisman/reports") == 204
        app.extensions["sentry_forwarder"].wait()
    assert "CSP report not sent to Sentry" in caplog.text


def test_the_sentry_example_never_holds_the_receiver_while_sentry_hangs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Sentry that takes the connection and never answers: the receiver
    still answers at once, however many reports one post holds, and at most
    max_pending wait for Sentry."""
    module = example("report_sentry")
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)  # connections are taken; nothing is ever answered
    try:
        app = Flask("hung")
        Talisman(app, report_receiver="/talisman/reports")
        forwarder = module.forward_to_sentry(
            app,
            f"http://127.0.0.1:{hung.getsockname()[1]}/api/42/security/",
            timeout=3.0,
            max_pending=5,
        )
        started = time.monotonic()
        with caplog.at_level(logging.WARNING):
            assert post(app, [CSP] * 20, "/talisman/reports") == 204
        assert time.monotonic() - started < 1.5
        # One is being posted, five wait, the other fourteen are dropped.
        assert caplog.text.count("CSP report not sent to Sentry: 5 are waiting") in (
            14,
            15,
        )
    finally:
        hung.close()
    forwarder.wait()  # the closed socket ends the waits


def test_the_opentelemetry_example_emits_one_log_record_per_report() -> None:
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import (
        InMemoryLogRecordExporter,
        SimpleLogRecordProcessor,
    )

    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    app = example("report_otel").create_app(provider)
    received = collect_reports(app)
    assert post(app, [CSP, DEPRECATION], "/talisman/reports") == 204
    exported = [data.log_record for data in exporter.get_finished_logs()]
    assert [record.event_name for record in exported] == ["browser.report"] * 2
    assert [record.body for record in exported] == [
        "csp-violation report from https://site.example/reset",
        "deprecation report from https://site.example/old",
    ]
    csp = dict(exported[0].attributes or {})
    assert csp["browser.report.type"] == "csp-violation"
    assert csp["url.full"] == "https://site.example/reset"
    assert csp["user_agent.original"] == "Browser/1.0"
    assert csp["browser.report.age_ms"] == 7
    assert dict(csp["browser.report.body"]) == dict(received[0].body)
    assert "browser.report.age_ms" not in dict(exported[1].attributes or {})
    assert exported[0].timestamp == int(received[0].received.timestamp() * 1e9)
    provider.shutdown()
