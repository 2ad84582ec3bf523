"""Properties: whatever a client sends, the typed reports hold.

A client writes every byte of a report, so the parsers are given any JSON
value (lists of report-shaped objects whose fields hold anything, URLs full
of ``?``, ``#`` and ``@``, extension schemes, lone surrogates) and must
return reports or raise :class:`Rejected` with 400, never anything else.
On every report that results, and on reports of every type built with any
body: each typed property returns ``None`` or the type it declares;
:func:`redact` is idempotent, keeps the class and leaves no ``?`` or ``#``
in any URL field; and a report survives its JSON line
(``from_json(to_json(r)) == r``).
"""

from __future__ import annotations

import json
import math
from datetime import timedelta, timezone
from typing import Any, get_args, get_type_hints

from hypothesis import given
from hypothesis import strategies as st

from flask_talisman import Report, redact
from flask_talisman.report_types import (
    EXTENSION_SCHEMES,
    Rejected,
    is_url_field,
    parse_batch,
    parse_legacy,
)

from ..test_report_types import CLASSES, FIELDS
from .test_options import SETTINGS

SPEC_NAMES = sorted(
    {name for fields in FIELDS.values() for name in fields.values()}
    | {"document_url", "source_file", "line_number", "openeeURL", "otherDocumentURL",
       "initialPopupURL", "page_visibility", "blocked-uri", "nested", "list"}
)  # fmt: skip
TYPES = [*sorted(CLASSES), "network-error", "x", ""]
PROPERTIES = {
    cls: {
        name: tuple(
            t
            for t in get_args(get_type_hints(getattr(cls, name).fget)["return"])
            if t is not type(None)
        )
        for name in fields
    }
    for cls, fields in FIELDS.items()
}

urls = st.builds(
    lambda scheme, user, host, path, query, fragment: (
        f"{scheme}{user}{host}{path}{query}{fragment}"
    ),
    st.sampled_from(["https://", "http://", "//", "", "data:", "blob:https://"]),
    st.sampled_from(["", "user@", "user:pw@", "a@b@"]),
    st.sampled_from(["a.example", "127.0.0.1:8443", "[::1]", ""]),
    st.text(st.sampled_from("/ab%@:;=."), max_size=8),
    st.sampled_from(["", "?", "?token=1", "?a=b?c#d", "??"]),
    st.sampled_from(["", "#", "#frag", "#a?b"]),
)
texts = st.one_of(
    st.text(max_size=20),
    st.text(st.sampled_from("?#@:/\\ab \ud800"), max_size=12),
    urls,
    st.sampled_from([*sorted(EXTENSION_SCHEMES), "inline", "eval", "'self'", ""]),
    st.sampled_from(sorted(EXTENSION_SCHEMES)).map(lambda s: s + "://id/x.js?q"),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts
)
keys = st.one_of(st.sampled_from(SPEC_NAMES), st.text(max_size=10))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(keys, json_values, max_size=8)
reportish = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(TYPES), json_values),
     "url": st.one_of(urls, json_values)},
    optional={"body": st.one_of(bodies, json_values),
              "age": st.one_of(st.integers(-1, 2**54), json_values),
              "user_agent": json_values},
)  # fmt: skip
# Reports a browser could have sent: any body, of any type.
wellformed = st.fixed_dictionaries(
    {"type": st.sampled_from([t for t in TYPES if t]), "url": urls, "body": bodies},
    optional={"age": st.integers(0, 2**53), "user_agent": texts},
)  # fmt: skip
legacyish = st.dictionaries(
    st.sampled_from(["document-uri", "blocked-uri", "source-file", "referrer",
                     "line-number", "status-code", "effective-directive"]),
    scalars,
)  # fmt: skip
sent = st.one_of(
    json_values,
    st.lists(reportish, max_size=3),
    reportish,
    st.lists(wellformed, min_size=1, max_size=3),
    wellformed,
    st.builds(lambda r: {"csp-report": r}, st.one_of(legacyish, json_values)),
)
# What Python's json reads but JSON has not: NaN, the infinities, and text
# with a lone surrogate (an escaped "\ud800").
not_text = st.builds(
    lambda before, lone, after: before + lone + after,
    st.text(max_size=3),
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]),
    st.text(max_size=3),
)
not_json = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf]), not_text)


def url_strings(value: Any) -> list[str]:
    """Every string in a URL field's value, at any depth."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in url_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in url_strings(item)]
    return []


def url_fields(body: Any) -> list[str]:
    """The strings of every URL field in a body, at any depth."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            found += url_strings(value) if is_url_field(key) else url_fields(value)
    elif isinstance(body, list):
        for item in body:
            found += url_fields(item)
    return found


def check(report: Report) -> None:
    """What holds for every report, however it was made."""
    cls = CLASSES.get(report.type, Report)
    assert type(report) is cls
    for name, types in PROPERTIES.get(cls, {}).items():
        value = getattr(report, name)
        assert value is None or isinstance(value, types), (name, value)
        assert not isinstance(value, bool) or bool in types, (name, value)
    assert isinstance(report.from_extension, bool)
    redacted = redact(report)
    assert type(redacted) is cls
    assert redact(redacted) == redacted
    for text in [redacted.url, *url_fields(dict(redacted.body))]:
        assert "?" not in text, text
        assert "#" not in text, text
    assert redacted.type == report.type
    assert redacted.user_agent == report.user_agent


def parsed(parser: Any, data: Any) -> list[Report] | int:
    """The reports ``parser`` makes of ``data``, or the status it refuses
    them with: any other exception fails the test."""
    try:
        reports: list[Report] = parser(data, "UA")
    except Rejected as rejected:
        return rejected.status
    return reports


@SETTINGS
@given(data=sent)
def test_any_json_becomes_reports_or_a_400(data: Any) -> None:
    for parser in (parse_batch, parse_legacy):
        outcome = parsed(parser, data)
        if isinstance(outcome, int):
            assert outcome == 400
            continue
        for report in outcome:
            check(report)
            # Its line in a reports file is strict JSON, writable as UTF-8.
            line = json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False)
            line.encode()


@SETTINGS
@given(report=wellformed, key=keys, value=not_json, bad_key=not_text, at=st.booleans())
def test_a_report_holding_what_json_has_not_is_a_400(
    report: dict[str, Any], key: str, value: Any, bad_key: str, at: bool
) -> None:
    body = {**report["body"], **({bad_key: 1} if at else {key: [value]})}
    assert parsed(parse_batch, [{**report, "body": body}]) == 400


@SETTINGS
@given(kind=st.sampled_from(TYPES), url=texts, body=bodies)
def test_any_body_of_any_type_reads_and_redacts_safely(
    kind: str, url: str, body: dict[str, Any]
) -> None:
    check(Report(kind, url, body, "UA"))


@SETTINGS
@given(
    kind=st.one_of(st.sampled_from(TYPES), st.text(max_size=10)),
    url=texts,
    body=bodies,
    agent=st.text(max_size=20),
    received=st.datetimes(
        timezones=st.sampled_from(
            [timezone.utc, timezone(timedelta(hours=5, minutes=30))]
        )
    ),
    age=st.one_of(st.none(), st.integers(0, 2**53)),
)
def test_every_report_survives_its_json_line(
    kind: str, url: str, body: dict[str, Any], agent: str, received: Any, age: Any
) -> None:
    report = Report(kind, url, body, agent, received, age)
    line = json.dumps(report.to_json())
    back = Report.from_json(json.loads(line))
    assert back == report
    assert type(back) is type(report)
    assert back.from_extension == report.from_extension
    redacted = redact(report)
    assert Report.from_json(json.loads(json.dumps(redacted.to_json()))) == redacted
