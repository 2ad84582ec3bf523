"""The built-in violation report receiver.

``Talisman(app, report_receiver="/reports")`` registers a POST endpoint that
accepts legacy CSP reports (``application/csp-report``, sent for
``report-uri``) and Reporting API batches (``application/reports+json``,
sent for ``report-to`` and the ``Reporting-Endpoints`` names). Both become
:class:`Report` objects. Each one kept (after ``report_receiver_sample_rate``)
has its URLs' queries and fragments removed (unless
``report_receiver_keep_url_query``), is logged as one line on the
``flask_talisman.reports`` logger with its fields as the record's ``extra``,
sent as the :data:`report_received` signal and, with
``report_receiver_file``, appended to a JSON-lines file.

Everything a browser sends is untrusted: bodies are size-limited and
shape-checked, and the receiver answers 204, 400, 405, 413 or 415, never a
server error. A client over ``report_receiver_rate_limit`` gets 204 too, so
that browsers drop its reports rather than send them again (counted and
logged once a minute). (A POST is never redirected to HTTPS; a request with
another method over plain HTTP is redirected like any other before it gets
its 405.)
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
import stat
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from blinker import Namespace
from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ConfigurationError
from .headers.base import Option, flag
from .headers.hsts import MAX_AGE_LIMIT
from .headers.reporting import check_fraction
from .report_types import (
    MAX_FIELD,
    Rejected,
    Report,
    parse_batch,
    parse_legacy,
    redact,
)

if sys.platform != "win32":  # pragma: no branch - the suite runs on POSIX
    import fcntl

__all__ = [
    "LOG_EXTRA_PREFIX",
    "OPTIONS",
    "RECEIVER_ENDPOINT",
    "Report",
    "exempt_from_csrf",
    "register_receiver",
    "report_received",
]

_signals = Namespace()
#: Sent once per received report; sender: the app, keyword ``report``.
report_received = _signals.signal("report-received")
logger = logging.getLogger("flask_talisman.reports")

#: The endpoint name of the receiver view (for ``url_for`` or CSRF exemption).
RECEIVER_ENDPOINT = "talisman_report_receiver"
#: What each key of :meth:`Report.to_json` is prefixed with among a log
#: record's attributes (``report_type``, ``report_body``...): no attribute of
#: :class:`logging.LogRecord` starts with it.
LOG_EXTRA_PREFIX = "report_"
_LEGACY_TYPES = frozenset({"application/csp-report"})
_BATCH_TYPES = frozenset({"application/reports+json"})
_JSON_TYPES = frozenset({"application/json"})
_ACCEPTED_TYPES = _LEGACY_TYPES | _BATCH_TYPES | _JSON_TYPES
# Characters that would start a new log line or hide what follows.
_UNLOGGABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_CLIENTS = 10_000  # clients remembered by the rate limiter
_WINDOW = 60.0  # seconds: the rate limit's window, and how often drops are logged
# report_receiver_file: appended to, created if missing. O_NONBLOCK: a
# path that became a FIFO with no reader fails at once instead of holding
# the worker (a regular file ignores it).
_FILE_FLAGS = (
    os.O_WRONLY
    | os.O_APPEND
    | os.O_CREAT
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)
)
_FILE_MODE = 0o640
#: report_receiver_file_max_bytes' default: 100 MiB.
FILE_MAX_BYTES = 100 * 2**20


def _loggable(text: str) -> str:
    """``text`` on one line: control characters written as escapes."""
    return _UNLOGGABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


class _RateLimiter:
    """At most ``limit`` posts per client per minute, in this process;
    bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            start, count = self._clients.pop(client, (now, 0))
            if now - start >= _WINDOW:
                start, count = now, 0
            count += 1
            self._clients[client] = (start, count)
            while len(self._clients) > _MAX_CLIENTS:
                self._clients.popitem(last=False)
            return count <= self.limit


def _remote_address() -> str:  # pragma: no cover - Flask-Limiter has a key function
    return request.remote_addr or "-"


class _SharedLimit:
    """``report_receiver_rate_limit`` counted in Flask-Limiter's storage.

    The count is kept where Flask-Limiter keeps its own (in memory, Redis,
    Memcached...), per key of Flask-Limiter's key function, under Flask-
    Limiter's key prefix and the receiver's endpoint name: with a shared
    storage, every worker process of the app counts against one limit.
    """

    def __init__(self, extension: Any, limit: int) -> None:
        from limits import RateLimitItemPerMinute  # Flask-Limiter's own dependency

        self.extension = extension
        self.item = RateLimitItemPerMinute(limit)
        # Flask-Limiter keeps both as given to Limiter(...) and has no public
        # name for them; without them, limits are per client address.
        key_func = getattr(extension, "_key_func", None)
        self.key_func: Callable[[], object] = (
            key_func if callable(key_func) else _remote_address
        )
        prefix = getattr(extension, "_key_prefix", "")
        self.prefix: tuple[str, ...] = (
            (prefix,) if isinstance(prefix, str) and prefix else ()
        )

    def key(self) -> str:
        """The client's key, by Flask-Limiter's key function."""
        return str(self.key_func() or "-")

    def allow(self, key: str) -> bool:
        """Count one post of ``key``; whether it is within the limit."""
        strategy = self.extension.limiter
        return bool(strategy.hit(self.item, *self.prefix, key, RECEIVER_ENDPOINT))


def _flask_limiter(app: Flask) -> Any:
    """The app's one Flask-Limiter ``Limiter``, if it is set up and enabled.

    Flask-Limiter 3.x and 4.x keep a set of limiters in
    ``app.extensions["limiter"]``; older versions the limiter itself.
    """
    found = app.extensions.get("limiter")
    if found is None:
        return None
    candidates = (
        list(found) if isinstance(found, (set, frozenset, list, tuple)) else [found]
    )
    usable = [
        extension
        for extension in candidates
        if hasattr(extension, "limiter")
        and getattr(extension, "enabled", True)
        and getattr(extension, "initialized", True)
    ]
    if len(usable) > 1:
        logger.warning(
            "report_receiver_rate_limit: the app has %d Flask-Limiter limiters; "
            "the receiver counts in this process only. Set up one Limiter to "
            "share its limit between worker processes.",
            len(usable),
        )
        return None
    return usable[0] if usable else None


class _Tally:
    """Something that keeps happening (a client may make it happen): counted,
    and logged at most once a minute, so that it cannot flood the log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: How many times it happened in this process.
        self.total = 0
        self._logged = -math.inf

    def add(self, count: int = 1) -> int | None:
        """Count ``count`` more; the total if it is time to log, else ``None``."""
        now = time.monotonic()
        with self._lock:
            self.total += count
            if now - self._logged < _WINDOW:
                return None
            self._logged = now
            return self.total


class _Drops(_Tally):
    """Posts over the rate limit."""

    def add_post(self, client: str, limit: int) -> None:
        """Count a post of ``client`` over ``limit``; log it if due."""
        total = self.add()
        if total is not None:
            logger.warning(
                "report_receiver_rate_limit: %s posted more than %d times in a "
                "minute; posts over the limit are answered 204 and dropped "
                "(%d so far in this process; this is logged once a minute)",
                _loggable(client),
                limit,
                total,
                extra={
                    f"{LOG_EXTRA_PREFIX}client": client,
                    f"{LOG_EXTRA_PREFIX}dropped_total": total,
                },
            )


class _ReportFile:
    """A JSON-lines file that any number of processes append reports to.

    Each post's lines are written by one ``write`` of a file opened with
    ``O_APPEND``, under an exclusive ``flock`` that every writer takes: a
    short write (a full disk, a file size limit) is finished, or undone to
    the file's end before it, before another writer may append. So the file
    only ever holds whole lines, however long the lines (``PIPE_BUF`` bounds
    atomic writes to pipes, not files) and however many writers. The file is
    opened for each post, so that a rotated file is started anew.

    The receiver is open to anyone: a post that would take the file past
    ``max_bytes`` is not written (checked under the lock, so every worker
    keeps to one bound), and that is logged at most once a minute.
    """

    def __init__(self, path: str, max_bytes: int | None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        #: Reports left out of the full file, and not written for an error.
        self.left_out = _Tally()
        self.unwritten = _Tally()

    def create(self) -> None:
        """Create the file if missing; raise ``ConfigurationError`` if it
        cannot be opened for appending."""
        try:
            os.close(os.open(self.path, _FILE_FLAGS, _FILE_MODE))
        except OSError as error:
            raise ConfigurationError(
                f"report_receiver_file: {self.path!r} cannot be opened for "
                f"appending ({error.strerror}). Name a file this process may "
                "write, in a directory that exists."
            ) from None

    def append(self, reports: list[Report]) -> None:
        """Append one line per report; log (never raise) what fails."""
        data = "".join(json.dumps(r.to_json()) + "\n" for r in reports).encode()
        try:
            fd = os.open(self.path, _FILE_FLAGS, _FILE_MODE)
        except OSError as error:
            self._failed(error, len(reports))
            return
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                # Replaced by a device or a FIFO since init_app.
                self._failed(OSError(0, "not a regular file"), len(reports))
                return
            if sys.platform != "win32":  # pragma: no branch
                fcntl.flock(fd, fcntl.LOCK_EX)
            end = os.lseek(fd, 0, os.SEEK_END)
            if self.max_bytes is not None and end + len(data) > self.max_bytes:
                self._full(len(reports))
                return
            written = 0
            try:
                while written < len(data):
                    count = os.write(fd, data[written:])
                    if count <= 0:  # pragma: no cover - a regular file always moves
                        raise OSError(0, "the file took no bytes")
                    written += count
            except OSError as error:
                if written:  # a line cut short: take the post's lines back
                    os.ftruncate(fd, end)
                self._failed(error, len(reports))
        finally:
            os.close(fd)  # releases the lock

    def _full(self, count: int) -> None:
        left_out = self.left_out.add(count)
        if left_out is not None:
            logger.warning(
                "report_receiver_file: %s holds report_receiver_file_max_bytes "
                "(%d bytes); reports are no longer written to it, only logged and "
                "signalled (%d left out so far in this process; this is logged "
                "once a minute). Rotate or empty the file, or raise the bound.",
                self.path,
                self.max_bytes,
                left_out,
            )

    def _failed(self, error: OSError, count: int) -> None:
        unwritten = self.unwritten.add(count)
        if unwritten is not None:
            logger.error(
                "report_receiver_file: %d report(s) not written to %s: %s (%d so "
                "far in this process; this is logged once a minute)",
                count,
                self.path,
                error.strerror or error,
                unwritten,
            )


def _summary(report: Report) -> str:
    body = report.body
    if report.type == "csp-violation":
        return (
            f"{body.get('disposition', 'enforce')} "
            f"{body.get('effectiveDirective', '?')} "
            f"blocked {body.get('blockedURL', '?')!s}"
        )
    return " ".join(f"{k}={v!s}" for k, v in list(body.items())[:4])


def _log_extra(report: Report) -> dict[str, Any]:
    """The ``extra`` of a report's log record: each key of
    :meth:`Report.to_json` prefixed with :data:`LOG_EXTRA_PREFIX`."""
    return {LOG_EXTRA_PREFIX + key: value for key, value in report.to_json().items()}


class _Receiver:
    """One app's receiver: its limits, and where its reports go."""

    def __init__(self, app: Flask, options: Mapping[str, Any]) -> None:
        self.app = app
        self.max_bytes: int = options["report_receiver_max_bytes"]
        self.rate_limit: int | None = options["report_receiver_rate_limit"]
        self.sample_rate: float = options["report_receiver_sample_rate"]
        self.keep_query: bool = options["report_receiver_keep_url_query"]
        path: str | None = options["report_receiver_file"]
        self.file = (
            _ReportFile(path, options["report_receiver_file_max_bytes"])
            if path is not None
            else None
        )
        self.local = _RateLimiter(self.rate_limit) if self.rate_limit else None
        #: Flask-Limiter's storage, once found (set by :meth:`use_extensions`).
        self.shared: _SharedLimit | None = None
        self.drops = _Drops()
        #: Failures of Flask-Limiter's storage or key function.
        self.storage_failures = _Tally()
        self.view = self._make_view()

    def use_extensions(self, app: Flask) -> None:
        """Work with the extensions set up on ``app`` so far.

        Called at ``init_app`` and again on the app's first request, so that
        extensions set up after Talisman count too: a CSRF check exempts the
        receiver; with ``report_receiver_rate_limit``, Flask-Limiter counts it
        in its storage and leaves the receiver out of its own limits (whose
        429 makes Chromium send the reports again).
        """
        exempt_from_csrf(self.view, app)
        if self.rate_limit is None or self.shared is not None:
            return
        extension = _flask_limiter(app)
        if extension is not None:
            extension.exempt(self.view)
            self.shared = _SharedLimit(extension, self.rate_limit)

    def allow(self) -> bool:
        """Whether this post is within ``report_receiver_rate_limit``."""
        shared = self.shared
        if shared is not None:
            try:
                key = shared.key()
                allowed = shared.allow(key)
            except Exception as error:  # the storage is down: count here
                if self.storage_failures.add() is not None:
                    logger.warning(
                        "report_receiver_rate_limit: Flask-Limiter's storage "
                        "or key function failed (%s); counting in this process "
                        "until it is back (this is logged once a minute)",
                        _loggable(repr(error)),
                    )
            else:
                if not allowed:
                    self.drops.add_post(key, shared.item.amount)
                return allowed
        if self.local is None:
            return True
        client = request.remote_addr or "-"
        if self.local.allow(client):
            return True
        self.drops.add_post(client, self.local.limit)
        return False

    def _make_view(self) -> Callable[[], Response]:
        app = self.app

        def talisman_report_receiver() -> Response:
            try:
                reports = _receive(self.max_bytes, self.allow)
            except Rejected as rejected:
                return app.response_class(
                    rejected.reason + "\n",
                    status=rejected.status,
                    mimetype="text/plain",
                )
            except Exception:  # pragma: no cover - a hostile body must never 500
                logger.exception("Unexpected error while reading a report")
                return app.response_class("bad report\n", 400, mimetype="text/plain")
            self.keep(reports)
            return _no_content(app)

        return talisman_report_receiver

    def keep(self, reports: list[Report]) -> None:
        """Sample, redact, log, signal and store the reports of one post."""
        kept = [
            report if self.keep_query else redact(report)
            for report in reports
            if self.sample_rate >= 1.0 or random.random() < self.sample_rate
        ]
        for report in kept:
            # One line per report, whatever the client put in it.
            logger.info(
                "%s report from %s: %s",
                _loggable(report.type),
                _loggable(report.url),
                _loggable(_summary(report)),
                extra=_log_extra(report),
            )
            try:
                report_received.send(self.app, report=report)
            except Exception:
                logger.exception("A report_received receiver failed")
        if self.file is not None and kept:
            self.file.append(kept)


def _no_content(app: Flask) -> Response:
    # No body, so no Content-Type: Flask's default text/html on an empty
    # 204 makes Chromium log an ORB error for every report it sends.
    response = app.response_class(status=204)
    del response.headers["Content-Type"]
    return response


def register_receiver(
    app: Flask, options: Mapping[str, Any]
) -> Callable[[Flask], None] | None:
    """Register the receiver on ``app`` if ``report_receiver`` names a path.

    Returns the step to take again on the app's first request (see
    :meth:`_Receiver.use_extensions`), or ``None`` without a receiver.
    """
    path = options["report_receiver"]
    if path is None:
        return None
    receiver = _Receiver(app, options)
    if receiver.file is not None:
        _refuse_served(app, receiver.file.path)
        receiver.file.create()
    app.add_url_rule(path, RECEIVER_ENDPOINT, receiver.view, methods=["POST"])
    # Browsers post reports without a CSRF token, and Flask-Limiter's 429
    # makes Chromium post them again: extensions set up before Talisman are
    # told now, those set up after it (whose checks run after Talisman's
    # before-request hook) on the first request.
    receiver.use_extensions(app)
    return receiver.use_extensions


def _refuse_served(app: Flask, path: str) -> None:
    """Refuse a reports file in a folder the app serves as static files: it
    would be handed to anyone who asks for its URL."""
    folders = [app.static_folder, *(bp.static_folder for bp in app.blueprints.values())]
    real = os.path.realpath(path)
    for folder in folders:
        if folder is None:
            continue
        root = os.path.realpath(folder)
        if os.path.commonpath([root, real]) == root:
            raise ConfigurationError(
                f"report_receiver_file: {path!r} is in {folder!r}, which the app "
                "serves as static files to anyone who asks. Name a file outside "
                "it, such as one in the app's instance folder "
                f"({os.path.join(app.instance_path, 'reports.jsonl')!r})."
            )


def exempt_from_csrf(view: Callable[[], Response], app: Flask) -> None:
    """Exempt the receiver from the app's CSRF check, if it has one.

    Browsers post reports without a CSRF token. Any extension registered as
    ``app.extensions["csrf"]`` with an ``exempt`` method counts (Flask-WTF's
    ``CSRFProtect`` does); exempting twice is harmless.
    """
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(view)


def _receive(max_bytes: int, allow: Callable[[], bool]) -> list[Report]:
    """The reports of this post; none when it is over the rate limit."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise Rejected(413, f"reports are limited to {max_bytes} bytes")
    mimetype = request.mimetype
    if mimetype not in _ACCEPTED_TYPES:
        raise Rejected(415, "send application/csp-report or application/reports+json")
    if not allow():
        # Any other status than 2xx makes Chromium send the reports again
        # (up to 5 times) and 410 makes it forget the endpoint: a 204 makes
        # every engine drop them.
        return []
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
    return check_fraction(option, value, "reports kept", ".")


def check_report_file(option: str, value: object) -> str | None:
    """An absolute path to a regular file (created if missing), or ``None``.

    A relative path is taken from the working directory the app is
    configured in, once.
    """
    if value is None or value is False:
        return None
    fix = "Use a file path such as 'reports.jsonl' or '/var/log/app/reports.jsonl'."
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise ConfigurationError(f"{option}: {value!r} is not a file path. {fix}")
    path = os.fspath(value)
    if not isinstance(path, str) or not path or "\x00" in path:
        raise ConfigurationError(f"{option}: {value!r} is not a file path. {fix}")
    path = os.path.abspath(path)
    if os.path.isdir(path):
        raise ConfigurationError(
            f"{option}: {path!r} is a directory. Name a file in it, such as "
            f"{os.path.join(path, 'reports.jsonl')!r}."
        )
    if os.path.exists(path) and not os.path.isfile(path):
        raise ConfigurationError(
            f"{option}: {path!r} is not a regular file. Name a file; to send "
            "reports elsewhere, use the flask_talisman.reports logger or the "
            "report_received signal."
        )
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise ConfigurationError(
            f"{option}: the directory {directory!r} of {path!r} does not exist. "
            "Create it first, or name a file in a directory that exists."
        )
    return path


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
        "Posts a client may make per minute (dropped with 204 beyond); None: no limit.",
        per_view=False,
        header=None,
        example="60",
        section="Reporting",
        details=(
            "How many times one client may post to the receiver in a minute, a "
            "positive ``int``, or ``None`` for no limit. Posts beyond it are "
            "answered 204 and their reports dropped, so that browsers do not send "
            "them again (Chromium resends a batch that got any other status up to "
            "five times, and forgets the endpoint on a 410); the drops are counted "
            "and logged once a minute as a warning on the "
            "``flask_talisman.reports`` logger. When Flask-Limiter is set up on "
            "the app (before or after Talisman), the count is kept in its storage "
            "under its key function and key prefix, so that a Redis or Memcached "
            "storage shares it between worker processes, and the receiver is "
            "exempt from Flask-Limiter's own limits; otherwise each process counts "
            "per client address. If the storage or the key function fails, the "
            "process counts alone until it is back."
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
            "The fraction of received reports that are logged, signalled and "
            "written to :topt:`report_receiver_file`, a number above 0 and at "
            "most 1. The others are accepted (204) and dropped."
        ),
    ),
    Option(
        "report_receiver_keep_url_query",
        False,
        flag,
        "Keep the query and fragment of the URLs in received reports.",
        per_view=False,
        header=None,
        example="True",
        section="Reporting",
        details=(
            "By default (``False``) the receiver removes the query string, the "
            "fragment and any user name and password from every URL of a report "
            "before it logs, signals or stores it: the report's ``url`` and each "
            "URL field of its body (``documentURL``, ``blockedURL``, ``referrer``, "
            "``sourceFile`` and the like; see :func:`~flask_talisman.redact`), "
            "since tokens, e-mail addresses and session identifiers "
            "travel there. ``True`` keeps the URLs as the browser sent them."
        ),
    ),
    Option(
        "report_receiver_file",
        None,
        check_report_file,
        "JSON-lines file the receiver appends each kept report to.",
        per_view=False,
        header=None,
        example='"reports.jsonl"',
        section="Reporting",
        details=(
            "A file path (``str`` or :class:`os.PathLike`) to which the receiver "
            "appends each report it keeps (after "
            ":topt:`report_receiver_sample_rate`), as one JSON object per line: "
            "``json.dumps(report.to_json())``, read back by "
            ":meth:`Report.from_json <flask_talisman.Report.from_json>` and "
            "``flask talisman reports``. A relative path is taken from the working "
            "directory when the app is configured; the directory must exist, and "
            "``init_app`` creates the file if it is missing (mode 0640, less the "
            "umask), raising :class:`~flask_talisman.ConfigurationError` if it "
            "cannot. Any number of worker processes may append to one file: each "
            "post's lines are written at once under an exclusive ``flock``, so the "
            "file only holds whole lines. It is opened for each post, so a rotated "
            "file is started anew. A write that fails is logged as an error on the "
            "``flask_talisman.reports`` logger, at most once a minute (the report "
            "is still logged and signalled). The file grows up to "
            ":topt:`report_receiver_file_max_bytes`. A file in a folder the app "
            "serves as static files is refused. ``None`` (the default): no file."
        ),
    ),
    Option(
        "report_receiver_file_max_bytes",
        FILE_MAX_BYTES,
        check_optional_positive_int,
        "Size report_receiver_file may grow to (100 MiB); None: no bound.",
        per_view=False,
        header=None,
        example="10485760",
        section="Reporting",
        details=(
            "The size in bytes :topt:`report_receiver_file` may grow to, a "
            "positive ``int``, or ``None`` for no bound; 100 MiB by default. The "
            "receiver is open to anyone, so anyone can make it write: a post whose "
            "lines would take the file past the bound is not written (every "
            "worker process keeps to the one bound), and that is logged as a "
            "warning on the ``flask_talisman.reports`` logger at most once a "
            "minute. Its reports are still logged and signalled. Rotating the "
            "file (logrotate, or renaming it) starts a new one. "
            ":topt:`report_receiver_rate_limit` bounds what one client can send."
        ),
    ),
)

#: The receiver's options: registered by init_app, never changed after it.
RECEIVER_OPTIONS = tuple(o.name for o in OPTIONS)
