"""A reports file, read and grouped: what ``flask talisman reports`` prints.

The receiver's ``report_receiver_file`` holds one :meth:`Report.to_json
<flask_talisman.report_types.Report.to_json>` object per line. Here a file's
lines become :class:`Report` objects (a line that is not one is counted
with its number, never raised), and reports become :class:`Group` s: the
reports of one type, about one directive (or feature, or deprecation id),
of one blocked origin and path, in one disposition, with their count, when
the first and last arrived, and the latest as a sample. Nothing here knows
Flask.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from .report_types import Report

__all__ = [
    "Group",
    "ReadResult",
    "Tally",
    "blocked_place",
    "group_reports",
    "iter_reports",
    "parse_since",
    "read_reports",
    "subject_of",
]

# The body fields that say what a report is about, by type; a type not
# listed (or a body without its field) takes the first of _ANY_SUBJECT.
_SUBJECT = {
    "csp-violation": "effectiveDirective",
    "permissions-policy-violation": "featureId",
    "document-policy-violation": "featureId",
    "deprecation": "id",
    "intervention": "id",
    "coep": "type",
    "coop": "type",
    "integrity-violation": "destination",
    "crash": "reason",
}
_ANY_SUBJECT = ("effectiveDirective", "featureId", "id", "type", "reason")
# The body fields that name what was blocked (or where it happened).
_PLACE = ("blockedURL", "nextResponseURL", "previousResponseURL", "sourceFile")
_SCHEME_ONLY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_MAX_SHOWN = 200  # characters of a word from a report shown in a key
#: Line numbers listed for lines that are not reports (the rest counted).
MAX_BAD_LINES = 10

_DURATION = re.compile(r"\s*([0-9]{1,6})\s*([smhdw])\s*\Z", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def subject_of(report: Report) -> str:
    """What a report is about: a CSP report's directive (its first word,
    lower-cased: older browsers send a whole ``violated-directive``), a
    Permissions-Policy report's feature, a deprecation's id..."""
    body = report.body
    field = _SUBJECT.get(report.type)
    names = (field, *_ANY_SUBJECT) if field else _ANY_SUBJECT
    for name in names:
        words = _text(body.get(name)).split()
        if words:
            word = words[0]
            return (word.lower() if report.type == "csp-violation" else word)[
                :_MAX_SHOWN
            ]
    return ""


def blocked_place(value: str) -> str:
    """A blocked URL as reports are grouped by it: its origin and path,
    without the user name, password, query and fragment; a scheme alone
    (``data:``) for a URL of a scheme without a host
    (``data:image/png;base64,...``); a word such as ``inline`` or ``eval``
    as it is."""
    value = value.strip()
    if "://" in value:
        try:
            parts = urlsplit(value)
        except ValueError:  # an invalid IPv6 host, say
            return value.split("?")[0].split("#")[0][:_MAX_SHOWN]
        if parts.scheme and parts.netloc:
            # The host and port: a user name and password are never shown.
            host = parts.netloc.rpartition("@")[2].lower()
            return f"{parts.scheme.lower()}://{host}{parts.path}"[:_MAX_SHOWN]
    scheme = _SCHEME_ONLY.match(value)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return f"{scheme.group(1).lower()}:"
    return value.split("?")[0].split("#")[0][:_MAX_SHOWN]


def _place(report: Report) -> str:
    for name in _PLACE:
        value = _text(report.body.get(name))
        if value:
            return blocked_place(value)
    return ""


@dataclass(frozen=True)
class Group:
    """The reports of one type, subject, blocked place and disposition."""

    type: str
    #: The directive (CSP), feature (Permissions-Policy), id (deprecation,
    #: intervention) or kind (COEP, COOP) the reports are about.
    subject: str
    #: The blocked URL's origin and path (or ``inline``, ``eval``,
    #: ``data:``...; where a report names no blocked URL, its source file).
    blocked: str
    #: ``enforce``, ``report`` (or as the browser wrote it); ``""`` if none.
    disposition: str
    count: int
    first_seen: datetime
    last_seen: datetime
    #: The latest report of the group, as it was stored.
    sample: Report

    def to_json(self) -> dict[str, Any]:
        """The group as ``flask talisman reports --format json`` prints it."""
        return {
            "type": self.type,
            "directive": self.subject,
            "blocked": self.blocked,
            "disposition": self.disposition,
            "count": self.count,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "sample": self.sample.to_json(),
        }


@dataclass(frozen=True)
class ReadResult:
    """The reports of a file, and the numbers of its lines that are not
    reports (the first :data:`MAX_BAD_LINES` of them; ``bad`` counts all)."""

    reports: list[Report]
    bad: int
    bad_lines: list[int]


@dataclass
class Tally:
    """The lines of a file :func:`iter_reports` found not to be reports:
    how many, and the numbers of the first :data:`MAX_BAD_LINES`."""

    bad: int = 0
    bad_lines: list[int] = field(default_factory=list)

    def note(self, number: int) -> None:
        """Count line ``number`` as not a report."""
        self.bad += 1
        if len(self.bad_lines) < MAX_BAD_LINES:
            self.bad_lines.append(number)


def iter_reports(lines: Iterable[bytes | str], tally: Tally) -> Iterator[Report]:
    """The reports of a reports file's lines, one at a time (a file of any
    size is read in the memory of one line); blank lines are skipped.

    A line that is not UTF-8, not JSON, or not a stored report is noted in
    ``tally``; nothing in a line can make this raise.
    """
    for number, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                tally.note(number)
                continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, Mapping):
                raise ValueError("not an object")
            report = Report.from_json(data)
            # Its time is compared with --since's, aware, in UTC.
            report.received.astimezone(timezone.utc)
        except (ValueError, TypeError, RecursionError, OverflowError):
            tally.note(number)
            continue
        yield report


def read_reports(lines: Iterable[bytes | str]) -> ReadResult:
    """Every report of a reports file's lines, in a list (see
    :func:`iter_reports`)."""
    tally = Tally()
    reports = list(iter_reports(lines, tally))
    return ReadResult(reports, tally.bad, tally.bad_lines)


def _key(report: Report) -> tuple[str, str, str, str]:
    return (
        report.type[:_MAX_SHOWN],
        subject_of(report),
        _place(report),
        _text(report.body.get("disposition"))[:_MAX_SHOWN],
    )


def group_reports(
    reports: Iterable[Report], since: datetime | None = None
) -> list[Group]:
    """``reports`` (received at or after ``since``, if given) in groups.

    Each report is read once and not kept (a group keeps its count, its
    times and its latest report), so ``reports`` may stream a file of any
    size. The groups with the most reports come first; among equal counts,
    the most recently seen.
    """
    found: dict[tuple[str, str, str, str], Group] = {}
    for report in reports:
        if since is not None and report.received < since:
            continue
        key = _key(report)
        group = found.get(key)
        if group is None:
            found[key] = Group(*key, 1, report.received, report.received, report)
            continue
        latest = report.received > group.last_seen
        found[key] = replace(
            group,
            count=group.count + 1,
            first_seen=min(group.first_seen, report.received),
            last_seen=report.received if latest else group.last_seen,
            sample=report if latest else group.sample,
        )
    groups = list(found.values())
    groups.sort(key=lambda g: (-g.count, -g.last_seen.timestamp(), _sortable(g)))
    return groups


def _sortable(group: Group) -> tuple[str, str, str, str]:
    return (group.type, group.subject, group.blocked, group.disposition)


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: a duration before ``now`` (``90m``, ``2h``, ``7d``,
    ``1w``; ``s`` for seconds) or an ISO 8601 date or date and time (UTC
    unless it names its offset). Raises ``ValueError`` naming the value and
    the forms it takes."""
    duration = _DURATION.match(text)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2).lower()
        try:
            return now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:  # 999999w: before the first date there is
            raise ValueError(
                f"{text!r} goes back before the first date there is."
            ) from None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration nor a date. Give a duration such "
            "as 30m, 2h or 7d, or a date and time such as 2026-12-07 or "
            "2026-12-07T09:30 (UTC unless an offset such as +01:00 is given)."
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+01:00
        raise ValueError(f"{text!r} is before the first date there is.") from None
