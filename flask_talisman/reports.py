"""The built-in violation report receiver.

``Talisman(app, report_receiver="/reports")`` registers a POST endpoint that
accepts legacy CSP reports (``application/csp-report``, sent for
``report-uri``) and Reporting API batches (``application/reports+json``,
sent for ``report-to`` and the ``Reporting-Endpoints`` names). Both become
:class:`Report` objects; each is sent as the :data:`report_received` signal
and logged as one line on the ``flask_talisman.reports`` logger.

Everything a browser sends is untrusted: bodies are size-limited and
shape-checked, and the receiver answers 204, 400, 405, 413, 415 or 429, never
a server error. (A POST is never redirected to HTTPS; a request with another
method over plain HTTP is redirected like any other before it gets its 405.)
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from blinker import Namespace
from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ConfigurationError
from .headers.base import Option
from .headers.hsts import MAX_AGE_LIMIT
from .report_types import MAX_FIELD, Rejected, Report, parse_batch, parse_legacy

__all__ = [
    "OPTIONS",
    "RECEIVER_ENDPOINT",
    "Report",
    "exempt_from_csrf",
    "report_received",
]

_signals = Namespace()
#: Sent once per received report; sender: the app, keyword ``report``.
report_received = _signals.signal("report-received")
logger = logging.getLogger("flask_talisman.reports")

#: The endpoint name of the receiver view (for ``url_for`` or CSRF exemption).
RECEIVER_ENDPOINT = "talisman_report_receiver"
_LEGACY_TYPES = frozenset({"application/csp-report"})
_BATCH_TYPES = frozenset({"application/reports+json"})
_JSON_TYPES = frozenset({"application/json"})
_ACCEPTED_TYPES = _LEGACY_TYPES | _BATCH_TYPES | _JSON_TYPES
# Characters that would start a new log line or hide what follows.
_UNLOGGABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_CLIENTS = 10_000  # clients remembered by the rate limiter


def _loggable(text: str) -> str:
    """``text`` on one line: control characters written as escapes."""
    return _UNLOGGABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


class _RateLimiter:
    """At most ``limit`` posts per client per minute; bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            start, count = self._clients.pop(client, (now, 0))
            if now - start >= 60:
                start, count = now, 0
            count += 1
            self._clients[client] = (start, count)
            while len(self._clients) > _MAX_CLIENTS:
                self._clients.popitem(last=False)
            return count <= self.limit


def _summary(report: Report) -> str:
    body = report.body
    if report.type == "csp-violation":
        return (
            f"{body.get('disposition', 'enforce')} "
            f"{body.get('effectiveDirective', '?')} "
            f"blocked {body.get('blockedURL', '?')!s}"
        )
    return " ".join(f"{k}={v!s}" for k, v in list(body.items())[:4])


def make_receiver(
    app: Flask, max_bytes: int, rate_limit: int | None, sample_rate: float
) -> Callable[[], Response]:
    """The view function for one app's receiver."""
    limiter = _RateLimiter(rate_limit) if rate_limit is not None else None

    def talisman_report_receiver() -> Response:
        try:
            reports = _receive(max_bytes, limiter)
        except Rejected as rejected:
            return app.response_class(
                rejected.reason + "\n", status=rejected.status, mimetype="text/plain"
            )
        except Exception:  # pragma: no cover - a hostile body must never 500
            logger.exception("Unexpected error while reading a report")
            return app.response_class("bad report\n", 400, mimetype="text/plain")
        for report in reports:
            if sample_rate < 1.0 and random.random() >= sample_rate:
                continue
            # One line per report, whatever the client put in it.
            logger.info(
                "%s report from %s: %s",
                _loggable(report.type),
                _loggable(report.url),
                _loggable(_summary(report)),
            )
            try:
                report_received.send(app, report=report)
            except Exception:
                logger.exception("A report_received receiver failed")
        # No body, so no Content-Type: Flask's default text/html on an empty
        # 204 makes Chromium log an ORB error for every report it sends.
        response = app.response_class(status=204)
        del response.headers["Content-Type"]
        return response

    return talisman_report_receiver


def exempt_from_csrf(view: Callable[[], Response], app: Flask) -> None:
    """Exempt the receiver from the app's CSRF check, if it has one.

    Browsers post reports without a CSRF token. Any extension registered as
    ``app.extensions["csrf"]`` with an ``exempt`` method counts (Flask-WTF's
    ``CSRFProtect`` does); exempting twice is harmless.
    """
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(view)


def _receive(max_bytes: int, limiter: _RateLimiter | None) -> list[Report]:
    length = request.content_length
    if length is not None and length > max_bytes:
        raise Rejected(413, f"reports are limited to {max_bytes} bytes")
    mimetype = request.mimetype
    if mimetype not in _ACCEPTED_TYPES:
        raise Rejected(415, "send application/csp-report or application/reports+json")
    if limiter is not None and not limiter.allow(request.remote_addr or "-"):
        raise Rejected(429, "too many reports from this client")
    try:
        raw = request.stream.read(max_bytes + 1)
    except RequestEntityTooLarge:  # the app's MAX_CONTENT_LENGTH is smaller
        raise Rejected(413, "the report is larger than this app accepts") from None
    if len(raw) > max_bytes:
        raise Rejected(413, f"reports are limited to {max_bytes} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(400, "the body is not valid JSON") from None
    except RecursionError:  # thousands of nested brackets
        raise Rejected(400, "the report is nested too deeply") from None
    agent = (request.user_agent.string or "")[:MAX_FIELD]
    # The shape decides, not the label: WebKit sends one Reporting API
    # report, not a list, labelled application/csp-report.
    if isinstance(data, dict) and "csp-report" in data:
        reports = parse_legacy(data, agent)
    elif isinstance(data, dict) and "type" in data:
        reports = parse_batch([data], agent)
    elif isinstance(data, list) or mimetype in _BATCH_TYPES:
        reports = parse_batch(data, agent)
    else:
        reports = parse_legacy(data, agent)
    return [_with_disposition(report) for report in reports]


def _with_disposition(report: Report) -> Report:
    """A CSP report with its ``disposition``, which WebKit's ``report-uri``
    reports leave out: taken from the header the policy came in, which the
    receiver's path in a report-only policy names (``REPORT_ONLY_QUERY``).
    """
    if report.type != "csp-violation" or "disposition" in report.body:
        return report
    disposition = "report" if request.args.get("disposition") == "report" else "enforce"
    return replace(report, body={**report.body, "disposition": disposition})


_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*\Z")


def check_receiver_path(option: str, value: object) -> str | None:
    """The receiver's URL path, or ``None`` for no receiver."""
    if value is None or value is False:
        return None
    if not isinstance(value, str) or not _PATH.match(value) or value.startswith("//"):
        raise ConfigurationError(
            f"{option}: {value!r} is not a URL path. Use a path starting with "
            "'/', such as '/talisman/reports'."
        )
    return value


def check_positive_int(option: str, value: object) -> int:
    """A positive ``int``."""
    if isinstance(value, int) and value >= MAX_AGE_LIMIT:
        raise ConfigurationError(f"{option}: the number is too large to mean anything.")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"{option}: {value!r} is not a positive whole number.")
    return value


def check_optional_positive_int(option: str, value: object) -> int | None:
    """A positive ``int``, or ``None``."""
    return None if value is None else check_positive_int(option, value)


def check_sample_rate(option: str, value: object) -> float:
    """A fraction above 0 and at most 1."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= 1
    ):
        raise ConfigurationError(
            f"{option}: {value!r} must be a number above 0 and at most 1 (the "
            "fraction of reports kept)."
        )
    return float(value)


OPTIONS = (
    Option(
        "report_receiver",
        None,
        check_receiver_path,
        "Path of the built-in report receiver, e.g. '/talisman/reports'.",
        per_view=False,
        header=(
            "Reporting-Endpoints, Content-Security-Policy, "
            "Content-Security-Policy-Report-Only"
        ),
        example='"/talisman/reports"',
        section="Reporting",
        details=(
            'A path, such as ``"/talisman/reports"``, at which ``init_app`` '
            "registers a view that receives violation reports. It also becomes the "
            "``default`` reporting endpoint, the CSP ``report-uri`` (unless "
            ":topt:`content_security_policy_report_uri` is set) and the CSP "
            "``report-to`` (unless :topt:`content_security_policy_report_to` is "
            "set; ``False`` keeps it out); a ``default`` endpoint of your own in "
            ":topt:`reporting_endpoints` takes precedence. Cannot be assigned after "
            "``init_app``."
        ),
    ),
    Option(
        "report_receiver_max_bytes",
        65536,
        check_positive_int,
        "Largest report body the receiver accepts (413 beyond).",
        per_view=False,
        header=None,
        example="16384",
        section="Reporting",
        details=(
            "The largest request body the receiver reads; larger ones get 413. A "
            "positive ``int``."
        ),
    ),
    Option(
        "report_receiver_rate_limit",
        None,
        check_optional_positive_int,
        "Reports a client may post per minute (429 beyond); None: no limit.",
        per_view=False,
        header=None,
        example="60",
        section="Reporting",
        details=(
            "How many reports one client address may post per minute; more get 429. "
            "A positive ``int``, or ``None`` for no limit."
        ),
    ),
    Option(
        "report_receiver_sample_rate",
        1.0,
        check_sample_rate,
        "Fraction of received reports to signal and log.",
        per_view=False,
        header=None,
        example="0.1",
        section="Reporting",
        details=(
            "The fraction of received reports that are logged and signalled, a "
            "number above 0 and at most 1. The others are accepted and dropped."
        ),
    ),
)

#: The receiver's options: registered by init_app, never changed after it.
RECEIVER_OPTIONS = tuple(o.name for o in OPTIONS)
