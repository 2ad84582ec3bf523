"""Specification: ``flask talisman reports FILE`` groups a reports file.

A reports file (``report_receiver_file``) holds one stored report per line.
The command groups its reports by type, directive (or feature, or id),
blocked origin and path, and disposition; gives each group's count, first
and last seen and latest report; reads only the reports since ``--since``;
counts the lines that are not reports, with their numbers, and never stops
at one; and prints a table like ``check``'s or, with ``--format json``,
JSON. It needs no app.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from flask.cli import ScriptInfo

from flask_talisman.cli import _read, talisman
from flask_talisman.report_groups import (
    MAX_BAD_LINES,
    Tally,
    blocked_place,
    group_reports,
    iter_reports,
    parse_since,
    read_reports,
    subject_of,
)
from flask_talisman.report_types import Report

ANSI = re.compile(r"\x1b\[[0-9;]*m")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
PAGE = "https://shop.example/cart"


def csp(
    blocked: str,
    directive: str = "img-src",
    disposition: str = "report",
    at: datetime = T0,
    page: str = PAGE,
    **body: Any,
) -> Report:
    return Report(
        "csp-violation",
        page,
        {
            "documentURL": page,
            "blockedURL": blocked,
            "effectiveDirective": directive,
            "disposition": disposition,
            **body,
        },
        "Mozilla/5.0 Chrome/131",
        at,
    )


def line(report: Report) -> str:
    return json.dumps(report.to_json())


def write(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "reports.jsonl"
    path.write_bytes(
        b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    )
    return path


def failing_app() -> Any:  # pragma: no cover - the command never loads the app
    raise AssertionError("reports loaded the app")


def run(*args: str, columns: int = 100, **kwargs: Any) -> Result:
    env = {"COLUMNS": str(columns), "NO_COLOR": None, **kwargs.pop("env", {})}
    return CliRunner().invoke(
        talisman,
        ["reports", *args],
        obj=ScriptInfo(create_app=failing_app),
        env=env,
        **kwargs,
    )


def summary(result: Result) -> str:
    """The first paragraph of the output, unwrapped."""
    return result.output.split("\n\n")[0].replace("\n", " ").strip()


def as_json(*args: str) -> dict[str, Any]:
    result = run("--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


# -- grouping --------------------------------------------------------------------------


def test_reports_differing_only_in_query_and_fragment_are_one_group(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        line(csp("https://cdn.example/a.png?user=1", at=T0)),
        line(csp("https://cdn.example/a.png#x", at=T0 + timedelta(hours=1))),
        line(csp("https://CDN.example/a.png", at=T0 + timedelta(minutes=5))),
    )
    (group,) = as_json(str(path))["groups"]
    assert group["blocked"] == "https://cdn.example/a.png"
    assert group["count"] == 3
    assert group["first_seen"] == T0.isoformat()
    assert group["last_seen"] == (T0 + timedelta(hours=1)).isoformat()
    # The sample is the latest report, as stored.
    assert group["sample"]["body"]["blockedURL"] == "https://cdn.example/a.png#x"


@pytest.mark.parametrize(
    "other",
    [
        csp("https://cdn.example/b.png"),  # another path
        csp("https://other.example/a.png"),  # another origin
        csp("https://cdn.example:8443/a.png"),  # another port
        csp("https://cdn.example/a.png", directive="script-src-elem"),
        csp("https://cdn.example/a.png", disposition="enforce"),
        Report(
            "integrity-violation",
            PAGE,
            {"blockedURL": "https://cdn.example/a.png", "destination": "script"},
            "",
            T0,
        ),
    ],
)
def test_type_directive_blocked_origin_and_path_and_disposition_each_split_groups(
    tmp_path: Path, other: Report
) -> None:
    path = write(tmp_path, line(csp("https://cdn.example/a.png")), line(other))
    assert [g["count"] for g in as_json(str(path))["groups"]] == [1, 1]


def test_the_largest_group_comes_first_then_the_latest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        line(csp("https://a.example/x", at=T0)),
        line(csp("https://b.example/x", at=T0)),
        line(csp("https://b.example/x", at=T0)),
        line(csp("https://c.example/x", at=T0 + timedelta(days=1))),
    )
    blocked = [g["blocked"] for g in as_json(str(path))["groups"]]
    assert blocked == [
        "https://b.example/x",
        "https://c.example/x",
        "https://a.example/x",
    ]


def test_the_json_output_has_the_file_window_counts_and_groups(tmp_path: Path) -> None:
    path = write(tmp_path, line(csp("inline", "script-src-elem")), "{}")
    data = as_json(str(path))
    assert data == {
        "file": str(path),
        "since": None,
        "reports": 1,
        "not_reports": {"count": 1, "lines": [2]},
        "groups": [
            {
                "type": "csp-violation",
                "directive": "script-src-elem",
                "blocked": "inline",
                "disposition": "report",
                "count": 1,
                "first_seen": T0.isoformat(),
                "last_seen": T0.isoformat(),
                "sample": csp("inline", "script-src-elem").to_json(),
            }
        ],
    }


@pytest.mark.parametrize(
    ("report", "subject"),
    [
        (csp("x", directive="IMG-SRC"), "img-src"),
        # A legacy report-uri body's violated-directive holds its sources.
        (csp("x", directive="img-src 'self' https:"), "img-src"),
        (Report("permissions-policy-violation", PAGE, {"featureId": "camera"}, ""), "camera"),
        (Report("deprecation", PAGE, {"id": "UnloadHandler"}, ""), "UnloadHandler"),
        (Report("intervention", PAGE, {"id": "HeavyAd"}, ""), "HeavyAd"),
        (Report("coep", PAGE, {"type": "corp"}, ""), "corp"),
        (Report("coop", PAGE, {"type": "navigation-to-response"}, ""), "navigation-to-response"),
        (Report("crash", PAGE, {"reason": "oom"}, ""), "oom"),
        (Report("integrity-violation", PAGE, {"destination": "script"}, ""), "script"),
        (Report("something-new", PAGE, {"id": "x"}, ""), "x"),
        (Report("something-new", PAGE, {"id": 3}, ""), ""),
        (Report("csp-violation", PAGE, {}, ""), ""),
    ],
)  # fmt: skip
def test_what_a_report_is_about(report: Report, subject: str) -> None:
    assert subject_of(report) == subject


@pytest.mark.parametrize(
    ("blocked", "place"),
    [
        ("https://cdn.example/a/b.js?v=3#top", "https://cdn.example/a/b.js"),
        ("HTTPS://CDN.EXAMPLE:8443/A", "https://cdn.example:8443/A"),
        # Kept by report_receiver_keep_url_query=True, never shown.
        ("https://user:secret@cdn.example/a.png", "https://cdn.example/a.png"),
        ("https://a@b@cdn.example:8443/", "https://cdn.example:8443/"),
        ("wss://live.example/socket", "wss://live.example/socket"),
        ("data:image/png;base64,iVBORw0KGgo=", "data:"),
        ("blob:https://shop.example/1b2c", "blob:"),
        ("chrome-extension://abcdef/inject.js", "chrome-extension://abcdef/inject.js"),
        ("data", "data"),
        ("inline", "inline"),
        ("eval", "eval"),
        ("https://[::1/x", "https://[::1/x"),
        ("", ""),
    ],
)
def test_the_blocked_place_is_origin_and_path(blocked: str, place: str) -> None:
    assert blocked_place(blocked) == place


def test_a_report_without_a_place_is_grouped_by_its_type_and_subject() -> None:
    (group,) = group_reports([Report("deprecation", PAGE, {"id": "X"}, "")])
    assert (group.type, group.subject, group.blocked) == ("deprecation", "X", "")


def test_a_report_without_a_blocked_url_is_placed_by_its_source_file() -> None:
    report = Report(
        "deprecation",
        PAGE,
        {"id": "X", "sourceFile": "https://shop.example/app.js?v=2", "lineNumber": 3},
        "",
    )
    (group,) = group_reports([report])
    assert group.blocked == "https://shop.example/app.js"


# -- lines that are not reports ----------------------------------------------------------


NOT_REPORTS = [
    "not json",
    "[1, 2]",
    '"a string"',
    "{}",
    '{"type": "csp-violation", "url": "x", "body": {}}',  # no time
    '{"type": "csp-violation", "url": "x", "body": {}, "received": "yesterday"}',
    '{"type": 1, "url": "x", "body": {}, "received": "2026-12-07T09:00:00"}',
    '{"type": "x", "url": "x", "body": [], "received": "2026-12-07T09:00:00"}',
    "[" * 100_000,
    '{"type": "x", "url": "x", "body": {}, "received": "0001-01-01T00:00:00+05:00"}',
]


def test_every_line_that_is_not_a_report_is_counted_with_its_number(
    tmp_path: Path,
) -> None:
    good = line(csp("https://cdn.example/a.png"))
    path = write(tmp_path, good, *NOT_REPORTS[:5], b"\xff\xfe not utf-8", "", good)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert summary(result) == (
        f"2 reports in {path}, 1 group. 6 lines are not a report "
        "(lines 2, 3, 4, 5, 6, 7)."
    )


@pytest.mark.parametrize("bad", NOT_REPORTS)
def test_no_line_makes_the_command_fail(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, bad)
    data = as_json(str(path))
    assert data["not_reports"] == {"count": 1, "lines": [1]}
    assert data["groups"] == []


def test_only_the_first_bad_line_numbers_are_listed(tmp_path: Path) -> None:
    count = MAX_BAD_LINES + 3
    path = write(tmp_path, *["x"] * count)
    result = run(str(path))
    listed = ", ".join(str(n) for n in range(1, MAX_BAD_LINES + 1))
    assert summary(result) == (
        f"0 reports in {path}, 0 groups. {count} lines are not a report "
        f"(lines {listed} and 3 more)."
    )


def test_unknown_keys_and_a_naive_time_are_read(tmp_path: Path) -> None:
    stored = csp("https://cdn.example/a.png").to_json()
    stored["from_extension"] = False
    stored["received"] = "2026-12-07T09:00:00"  # read as UTC
    result = read_reports([json.dumps(stored)])
    assert result.bad == 0
    assert result.reports[0].received == T0


@pytest.mark.skipif(
    not Path("/proc/self/mem").exists(), reason="Linux's /proc/self/mem"
)
def test_a_file_that_cannot_be_read_is_an_error() -> None:
    # Reading /proc/self/mem from its start fails with an I/O error.
    result = run("/proc/self/mem")
    assert result.exit_code == 1
    assert result.output == "Error: /proc/self/mem: Input/output error\n"


def test_a_file_that_cannot_be_opened_is_an_error(tmp_path: Path) -> None:
    # (The command's argument refuses a folder before; the reading does too.)
    with pytest.raises(click.ClickException) as raised:
        _read(str(tmp_path), list)
    assert raised.value.message == f"{tmp_path}: Is a directory"


def test_an_error_outside_the_file_is_not_blamed_on_it(tmp_path: Path) -> None:
    path = write(tmp_path, line(csp("data")))

    def use(reports: Iterator[Report]) -> None:
        list(reports)
        raise OSError("the app's own")

    with pytest.raises(OSError, match="the app's own"):
        _read(str(path), use)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "absent.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


# -- --since -------------------------------------------------------------------------------


def test_since_a_duration_counts_back_from_now(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    path = write(
        tmp_path,
        line(csp("https://old.example/a", at=now - timedelta(hours=3))),
        line(csp("https://new.example/a", at=now - timedelta(hours=1))),
    )
    data = as_json("--since", "2h", str(path))
    assert [g["blocked"] for g in data["groups"]] == ["https://new.example/a"]
    assert data["reports"] == 1
    since = datetime.fromisoformat(data["since"])
    assert abs((now - timedelta(hours=2) - since).total_seconds()) < 60


def test_since_a_date_and_time(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        line(csp("https://old.example/a", at=T0)),
        line(csp("https://new.example/a", at=T0 + timedelta(minutes=30))),
    )
    data = as_json("--since", "2026-12-07T09:30", str(path))
    assert data["since"] == "2026-12-07T09:30:00+00:00"
    assert [g["blocked"] for g in data["groups"]] == ["https://new.example/a"]
    # An offset is honoured: 10:30+01:00 is 09:30 UTC.
    assert as_json("--since", "2026-12-07T10:30+01:00", str(path)) == data
    result = run("--since", "2026-12-07T09:30", str(path))
    assert summary(result) == (
        f"1 report since 2026-12-07 09:30:00 UTC in {path}, 1 group."
    )


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("45s", timedelta(seconds=45)),
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        (" 3D ", timedelta(days=3)),
    ],
)
def test_since_durations(text: str, back: timedelta) -> None:
    assert parse_since(text, T0) == T0 - back


def test_since_the_first_date_there_is_with_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first date"):
        parse_since("0001-01-01T00:00+01:00", T0)


@pytest.mark.parametrize("text", ["2", "2 hours", "-2h", "yesterday", "2026-13-01", ""])
def test_a_bad_since_is_a_usage_error_naming_the_forms(
    tmp_path: Path, text: str
) -> None:
    result = run("--since", text, str(write(tmp_path)))
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.output
    assert "such as 30m, 2h or 7d" in result.output


def test_a_since_before_the_first_date_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--since", "999999w", str(write(tmp_path)))
    assert result.exit_code == 2
    assert "'999999w' goes back before the first date there is." in result.output


# -- the table ------------------------------------------------------------------------------


def table_file(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        line(csp("https://cdn.example/a.png?u=1", at=T0)),
        line(csp("https://cdn.example/a.png", at=T0 + timedelta(hours=2))),
        line(
            csp(
                "inline",
                "script-src-elem",
                "enforce",
                T0,
                sourceFile=PAGE,
                lineNumber=12,
                sample="alert(1)",
            )
        ),
    )


def test_the_table_lists_each_group_with_its_count_times_and_sample(
    tmp_path: Path,
) -> None:
    path = table_file(tmp_path)
    result = run(str(path))
    assert result.exit_code == 0
    assert summary(result) == f"3 reports in {path}, 2 groups."
    assert result.output.split("\n\n", 1)[1] == (
        "csp-violation, img-src, report: 2 reports\n"
        "    Blocked: https://cdn.example/a.png\n"
        "    Seen: 2026-12-07 09:00:00 UTC to 2026-12-07 11:00:00 UTC\n"
        "    Sample: https://shop.example/cart\n"
        "\n"
        "csp-violation, script-src-elem, enforce: 1 report\n"
        "    Blocked: inline\n"
        "    Seen: 2026-12-07 09:00:00 UTC\n"
        "    Sample: https://shop.example/cart, at https://shop.example/cart:12, "
        "code 'alert(1)'\n"
    )


def test_a_group_without_a_blocked_url_has_no_blocked_line(tmp_path: Path) -> None:
    report = Report("deprecation", PAGE, {"id": "UnloadHandler"}, "", T0)
    output = run(str(write(tmp_path, line(report)))).output
    assert output.split("\n\n", 1)[1] == (
        "deprecation, UnloadHandler: 1 report\n"
        "    Seen: 2026-12-07 09:00:00 UTC\n"
        "    Sample: https://shop.example/cart\n"
    )


def test_the_table_wraps_at_the_terminal_width(tmp_path: Path) -> None:
    long = "https://cdn.example/" + "a" * 30 + "/" + "b" * 30 + ".png"
    path = write(tmp_path, line(csp(long)))
    output = run(str(path), columns=60).output
    assert max(map(len, output.splitlines())) <= 60
    assert "    Blocked: https://cdn.example/" in output


def test_colour_on_a_terminal_never_with_no_color(tmp_path: Path) -> None:
    path = table_file(tmp_path)
    coloured = run(str(path), color=True).output
    assert "\x1b[1mcsp-violation, img-src, report: 2 reports\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == run(str(path)).output
    assert not ANSI.search(run(str(path), color=True, env={"NO_COLOR": "1"}).output)


def test_a_report_s_control_characters_are_printed_as_escapes(tmp_path: Path) -> None:
    # A forged report's terminal escapes (colour, title, cursor), line breaks
    # and bidirectional overrides are shown, never sent to the terminal.
    report = csp(
        "https://cdn.example/\x1b[2J\x1b[31mred\r\nFAKE",
        "img-src\x07",
        page="https://shop.example/\x1b]0;owned\x07\u202egnp.exe",
    )
    output = run(str(write(tmp_path, line(report))), color=True).output
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", ANSI.sub("", output))
    assert "    Blocked: https://cdn.example/\\x1b[2J\\x1b[31mredFAKE\n" in output
    assert (
        "    Sample: https://shop.example/\\x1b]0;owned\\x07\\u202egnp.exe\n" in output
    )


def test_a_file_of_any_size_is_grouped_one_report_at_a_time() -> None:
    # 20,000 reports (about 8 MB as objects) stream through in the memory
    # of a few: a group keeps its count, times and latest report, not its
    # members.
    def lines() -> Iterator[str]:
        for n in range(20_000):
            yield line(
                csp(f"https://cdn.example/{n % 3}.png", at=T0 + timedelta(seconds=n))
            )

    tally = Tally()
    tracemalloc.start()
    try:
        groups = group_reports(iter_reports(lines(), tally))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [g.count for g in groups] == [6667, 6667, 6666]
    assert groups[0].last_seen == T0 + timedelta(seconds=19_999)
    assert groups[0].sample.received == groups[0].last_seen
    assert peak < 1_000_000, peak
    assert (tally.bad, tally.bad_lines) == (0, [])


def test_the_tally_counts_every_bad_line_and_keeps_the_first_numbers() -> None:
    tally = Tally()
    found = list(iter_reports(["x"] * (MAX_BAD_LINES + 5) + [line(csp("data"))], tally))
    assert len(found) == 1
    assert tally.bad == MAX_BAD_LINES + 5
    assert tally.bad_lines == list(range(1, MAX_BAD_LINES + 1))
