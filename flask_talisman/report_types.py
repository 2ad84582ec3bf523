"""What browsers report, as :class:`Report` objects.

Browsers send reports in two formats: the legacy ``report-uri`` body
(``{"csp-report": {...}}``) and Reporting API reports (``{"type": ...,
"url": ..., "body": {...}}``, in a list or, from WebKit, alone). The parsers
here turn either into :class:`Report` objects whose ``body`` uses the
Reporting API's field names, and refuse (:class:`Rejected`) what is not a
report. Nothing here reads the request: the receiver (reports.py) does.

A report kept in a file is one JSON object per line: :meth:`Report.to_json`
writes it and :meth:`Report.from_json` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["MAX_FIELD", "Rejected", "Report", "parse_batch", "parse_legacy"]

# Legacy report-uri field names -> the Reporting API's CSP body names.
_LEGACY_FIELDS = {
    "document-uri": "documentURL",
    "referrer": "referrer",
    "blocked-uri": "blockedURL",
    "effective-directive": "effectiveDirective",
    "violated-directive": "effectiveDirective",
    "original-policy": "originalPolicy",
    "source-file": "sourceFile",
    "script-sample": "sample",
    "disposition": "disposition",
    "status-code": "statusCode",
    "line-number": "lineNumber",
    "column-number": "columnNumber",
}
MAX_FIELD = 4096  # characters kept of any one string field
_MAX_AGE = 2**53  # milliseconds; a report's age beyond this is no age
_MAX_DEPTH = 32  # nesting of lists and objects inside a report's fields


@dataclass(frozen=True)
class Report:
    """One violation or browser report, whichever format it arrived in.

    ``type`` is the Reporting API type (``"csp-violation"``, ``"coep"``,
    ``"coop"``, ``"integrity-violation"``, ``"permissions-policy-violation"``,
    ``"deprecation"``, ``"intervention"``...); a legacy ``report-uri`` report
    is a ``"csp-violation"`` whose ``body`` uses the Reporting API's field
    names (``documentURL``, ``blockedURL``, ``effectiveDirective``...).
    """

    type: str
    url: str
    body: Mapping[str, Any]
    user_agent: str
    received: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    age: int | None = None

    def to_json(self) -> dict[str, Any]:
        """This report as a JSON object: one line of a reports file."""
        return {
            "type": self.type,
            "url": self.url,
            "age": self.age,
            "user_agent": self.user_agent,
            "received": self.received.isoformat(),
            "body": dict(self.body),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """A report from :meth:`to_json`'s object; raises ``ValueError``."""
        try:
            kind, url, body = data["type"], data["url"], data["body"]
            received = datetime.fromisoformat(data["received"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a stored report: {error}") from None
        agent, age = data.get("user_agent", ""), data.get("age")
        if (
            not isinstance(kind, str)
            or not isinstance(url, str)
            or not isinstance(body, dict)
            or not isinstance(agent, str)
            or not (age is None or (isinstance(age, int) and not isinstance(age, bool)))
        ):
            raise ValueError("not a stored report: a field has the wrong type")
        if received.tzinfo is None:
            received = received.replace(tzinfo=timezone.utc)
        return cls(kind, url, body, agent, received, age)


class Rejected(Exception):
    """A body the receiver refuses: the status to answer and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _clip(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # an escaped lone surrogate ("\ud800")
            raise Rejected(400, "the body holds text that is not Unicode") from None
        return value[:MAX_FIELD]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if depth >= _MAX_DEPTH and isinstance(value, (list, dict)):
        raise Rejected(400, "the report is nested too deeply")
    if isinstance(value, list):
        return [_clip(v, depth + 1) for v in value[:100]]
    if isinstance(value, dict):
        return {str(k)[:200]: _clip(v, depth + 1) for k, v in list(value.items())[:100]}
    return str(value)[:MAX_FIELD]


def parse_legacy(data: object, user_agent: str) -> list[Report]:
    """``{"csp-report": {...}}`` (``report-uri``) to one :class:`Report`.

    WebKit adds ``"type"`` and ``"url"`` beside ``"csp-report"``; they are
    the same report.
    """
    if not isinstance(data, dict) or not isinstance(data.get("csp-report"), dict):
        raise Rejected(400, 'expected {"csp-report": {...}}')
    raw = data["csp-report"]
    body: dict[str, Any] = {}
    for legacy, modern in _LEGACY_FIELDS.items():
        if legacy in raw and modern not in body:
            value = raw[legacy]
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise Rejected(400, f"csp-report field {legacy!r} has a bad type")
            body[modern] = _clip(value)
    url = body.get("documentURL", "")
    return [Report("csp-violation", str(url), body, user_agent)]


def parse_batch(data: object, user_agent: str) -> list[Report]:
    """A Reporting API batch (a JSON list of reports) to :class:`Report` s."""
    if not isinstance(data, list):
        raise Rejected(400, "expected a JSON list of reports")
    reports = []
    for item in data:
        if not isinstance(item, dict):
            raise Rejected(400, "each report must be a JSON object")
        kind, url, body = item.get("type"), item.get("url"), item.get("body", {})
        age = item.get("age")
        if not isinstance(kind, str) or not kind or not isinstance(url, str):
            raise Rejected(400, "each report needs a str 'type' and 'url'")
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise Rejected(400, "a report's 'body' must be a JSON object")
        if age is not None and (
            not isinstance(age, int)
            or isinstance(age, bool)
            or not 0 <= age <= _MAX_AGE
        ):
            raise Rejected(400, "a report's 'age' must be a whole number of ms")
        agent = item.get("user_agent")
        reports.append(
            Report(
                _clip(kind)[:100],
                _clip(url),
                _clip(body),
                _clip(agent) if isinstance(agent, str) else user_agent,
                age=age,
            )
        )
    return reports
