"""``report_receiver_file``: each kept report as one JSON line, from any
number of worker processes at once."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st

import flask_talisman.reports as reports_module
from flask_talisman import ConfigurationError, Report, Talisman
from flask_talisman.reports import register_receiver

from .conftest import HTTPS, collect_reports, make_app
from .report_server import gunicorn

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")

BATCH = [
    {
        "type": "csp-violation",
        "age": 3,
        "url": "https://site.example/page",
        "user_agent": "Browser/1.0",
        "body": {
            "documentURL": "https://site.example/page",
            "blockedURL": "https://cdn.example/x.js",
            "effectiveDirective": "script-src-elem",
            "disposition": "report",
        },
    },
    {"type": "deprecation", "url": "https://site.example/", "body": {"id": "x"}},
    {"type": "coop", "url": "https://site.example/", "body": None},
]


def file_app(path: Path | str, **options: Any) -> tuple[Flask, list[Report]]:
    app = make_app()
    Talisman(app, report_receiver="/r", report_receiver_file=path, **options)
    return app, collect_reports(app)


def post(app: Flask, body: object) -> Any:
    return app.test_client().post(
        "/r",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/reports+json",
        **HTTPS,
    )


def lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_each_kept_report_is_one_line_that_reads_back_as_signalled(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    assert post(app, BATCH).status_code == 204
    assert post(app, BATCH[:1]).status_code == 204
    stored = lines(path)
    assert [line["type"] for line in stored] == [
        "csp-violation",
        "deprecation",
        "coop",
        "csp-violation",
    ]
    assert [Report.from_json(line) for line in stored] == received
    assert stored[0] == received[0].to_json()


def test_the_file_is_created_at_init_app_readable_by_its_group_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reports.jsonl"
    file_app(path)
    assert path.read_text() == ""
    assert stat.S_IMODE(path.stat().st_mode) & ~0o640 == 0


def test_a_relative_path_is_taken_from_the_working_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app, _ = file_app("reports.jsonl")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    post(app, BATCH)
    assert len(lines(tmp_path / "reports.jsonl")) == 3
    assert not (tmp_path / "elsewhere" / "reports.jsonl").exists()


def test_a_path_object_is_accepted(tmp_path: Path) -> None:
    app, _ = file_app(tmp_path / "r.jsonl")
    post(app, BATCH[:1])
    assert len(lines(tmp_path / "r.jsonl")) == 1


def test_sampled_out_rejected_and_over_limit_posts_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(
        path, report_receiver_sample_rate=0.5, report_receiver_rate_limit=3
    )
    rolls = iter([0.9, 0.1, 0.9])  # only the second report is in the sample
    monkeypatch.setattr(reports_module.random, "random", lambda: next(rolls))
    assert post(app, BATCH).status_code == 204
    assert post(app, "{not json").status_code == 400
    assert post(app, [{"type": 1}]).status_code == 400
    assert post(app, BATCH).status_code == 204  # the fourth post: over the limit
    assert [line["type"] for line in lines(path)] == ["deprecation"]
    assert [report.type for report in received] == ["deprecation"]


def test_a_rotated_file_is_started_anew(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    app, _ = file_app(path)
    post(app, BATCH[:1])
    path.rename(tmp_path / "reports.jsonl.1")
    post(app, BATCH[1:])
    assert len(lines(tmp_path / "reports.jsonl.1")) == 1
    assert len(lines(path)) == 2


def test_a_file_that_cannot_be_written_is_logged_and_the_report_still_signalled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    path.unlink()
    path.mkdir()  # now a directory: opening it for appending fails
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        assert post(app, BATCH).status_code == 204
    assert len(received) == 3
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage().startswith(
        f"report_receiver_file: 3 report(s) not written to {path}:"
    )


def test_a_file_replaced_by_a_device_is_not_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    path.unlink()
    path.symlink_to(os.devnull)
    with caplog.at_level(logging.ERROR, logger="flask_talisman.reports"):
        assert post(app, BATCH).status_code == 204
    assert f"3 report(s) not written to {path}: not a regular file" in caplog.text
    assert len(received) == 3


def test_a_failing_file_is_logged_once_a_minute_not_once_a_post(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk must not let any client write a log line per post."""
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    path.unlink()
    path.mkdir()
    now = [1000.0]
    monkeypatch.setattr(reports_module.time, "monotonic", lambda: now[0])
    with caplog.at_level(logging.ERROR, logger="flask_talisman.reports"):
        for _ in range(5):
            post(app, BATCH)
        now[0] += 60
        post(app, BATCH)
    assert [r.getMessage().split(": ", 2)[-1] for r in caplog.records] == [
        "Is a directory (3 so far in this process; this is logged once a minute)",
        "Is a directory (18 so far in this process; this is logged once a minute)",
    ]
    assert len(received) == 18


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (123, "123 is not a file path"),
        (b"reports.jsonl", "b'reports.jsonl' is not a file path"),
        ("", "'' is not a file path"),
        ("reports\x00.jsonl", "is not a file path"),
        ("{tmp}", "is a directory. Name a file in it, such as '{tmp}/reports.jsonl'"),
        ("{tmp}/missing/r.jsonl", "the directory '{tmp}/missing' of"),
        ("{tmp}/fifo", "is not a regular file"),
    ],
)
def test_a_bad_path_is_a_configuration_error_naming_the_option(
    tmp_path: Path, value: object, message: str
) -> None:
    os.mkfifo(tmp_path / "fifo")
    if isinstance(value, str):
        value = value.format(tmp=tmp_path)
    with pytest.raises(ConfigurationError) as raised:
        Talisman(make_app(), report_receiver="/r", report_receiver_file=value)
    assert str(raised.value).startswith("report_receiver_file: ")
    assert message.format(tmp=tmp_path) in str(raised.value)


def test_a_file_that_cannot_be_opened_is_refused_at_init_app(tmp_path: Path) -> None:
    name = tmp_path / ("r" * 300)  # longer than a file name may be
    with pytest.raises(ConfigurationError, match="cannot be opened for appending"):
        Talisman(make_app(), report_receiver="/r", report_receiver_file=name)


def test_without_a_receiver_the_file_is_not_created(tmp_path: Path) -> None:
    Talisman(make_app(), report_receiver_file=tmp_path / "r.jsonl")
    assert not (tmp_path / "r.jsonl").exists()


def test_the_file_grows_no_further_than_its_bound(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Anyone may post: a post that would take the file past
    report_receiver_file_max_bytes is not written, logged once a minute,
    and its reports are still logged and signalled."""
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path, report_receiver_file_max_bytes=2000)
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        for _ in range(10):
            assert post(app, BATCH).status_code == 204
    assert 0 < path.stat().st_size <= 2000
    written = lines(path)  # whole lines only
    assert len(written) % 3 == 0
    assert len(written) < 30
    assert len(received) == 30
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert message.startswith(
        f"report_receiver_file: {path} holds report_receiver_file_max_bytes "
        "(2000 bytes)"
    )
    assert "(3 left out so far in this process" in message
    assert (
        sum(r.getMessage().startswith("csp-violation report") for r in caplog.records)
        == 10
    )


def test_the_bound_is_the_files_whoever_writes(tmp_path: Path) -> None:
    # Two apps, as two worker processes: the size is read under the lock.
    path = tmp_path / "reports.jsonl"
    first, _ = file_app(path, report_receiver_file_max_bytes=1500)
    second, _ = file_app(path, report_receiver_file_max_bytes=1500)
    for _ in range(5):
        post(first, BATCH)
        post(second, BATCH)
    assert path.stat().st_size <= 1500
    assert len(lines(path)) >= 3


def test_the_default_bound_is_100_mib(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    os.truncate(path, 100 * 2**20 - 100)  # sparse: nearly full, for free
    assert post(app, BATCH).status_code == 204
    assert path.stat().st_size == 100 * 2**20 - 100
    assert len(received) == 3


def test_none_leaves_the_file_unbounded(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    app, _ = file_app(path, report_receiver_file_max_bytes=None)
    os.truncate(path, 100 * 2**20)
    assert post(app, BATCH).status_code == 204
    assert path.stat().st_size > 100 * 2**20


@pytest.mark.parametrize("value", [0, -1, 1.5, "100", True, 10**18])
def test_a_bad_bound_is_a_configuration_error(tmp_path: Path, value: object) -> None:
    with pytest.raises(ConfigurationError, match="report_receiver_file_max_bytes"):
        file_app(tmp_path / "r.jsonl", report_receiver_file_max_bytes=value)


def test_a_file_in_a_folder_the_app_serves_is_refused(tmp_path: Path) -> None:
    """A reports file under the static folder would be served to anyone."""
    static = tmp_path / "static"
    (static / "sub").mkdir(parents=True)
    app = Flask("served", static_folder=str(static))
    with pytest.raises(ConfigurationError) as raised:
        Talisman(app, report_receiver="/r", report_receiver_file=static / "sub/r.jsonl")
    assert str(raised.value).startswith(
        f"report_receiver_file: '{static}/sub/r.jsonl' is in '{static}', which the "
        "app serves as static files"
    )
    assert not (static / "sub/r.jsonl").exists()
    # A blueprint's static folder too, and a link into one.
    app = Flask("served", static_folder=None)
    app.register_blueprint(Blueprint("bp", __name__, static_folder=str(static)))
    (tmp_path / "link").symlink_to(static)
    with pytest.raises(ConfigurationError, match="serves as static files"):
        Talisman(app, report_receiver="/r", report_receiver_file=tmp_path / "link/r")
    # Beside it is fine.
    Talisman(Flask("beside", static_folder=str(static)), report_receiver="/r",
             report_receiver_file=tmp_path / "static.jsonl")  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_file_replaced_by_a_fifo_never_holds_the_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)
    path.unlink()
    os.mkfifo(path)  # nobody reads it: a plain open for writing would wait
    with ThreadPoolExecutor(1) as pool, caplog.at_level(logging.ERROR):
        answer = pool.submit(post, app, BATCH)
        try:
            status = answer.result(timeout=10).status_code
        finally:
            if not answer.done():  # let the stuck open return before failing
                os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    assert status == 204
    assert len(received) == 3
    assert "report_receiver_file: 3 report(s) not written" in caplog.text


report_text = st.text(
    st.characters(exclude_categories=("Cs",)), max_size=60
)  # any Unicode a JSON body can hold


@settings(
    max_examples=int(os.environ.get("TALISMAN_PROPERTY_EXAMPLES", "150")),
    deadline=None,  # an app and a file per example
)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "type": report_text.filter(bool),
                "url": report_text,
                "body": st.dictionaries(report_text, report_text, max_size=4),
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_report_is_one_line_that_reads_back(batch: list[dict[str, Any]]) -> None:
    # Line and paragraph separators, control characters and any text: one
    # line per report, whatever the report holds.
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reports.jsonl"
        app = make_app()
        register_receiver(
            app,
            {
                "report_receiver": "/r",
                "report_receiver_max_bytes": 65536,
                "report_receiver_rate_limit": None,
                "report_receiver_sample_rate": 1.0,
                "report_receiver_keep_url_query": True,
                "report_receiver_file": str(path),
                "report_receiver_file_max_bytes": None,
            },
        )
        assert post(app, batch).status_code == 204
        stored = [Report.from_json(line) for line in lines(path)]
    assert [(r.type, r.url, dict(r.body)) for r in stored] == [
        (item["type"][:100], item["url"], item["body"]) for item in batch
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("room", [100, 0])
def test_a_short_write_is_taken_back_so_the_file_keeps_whole_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, room: int
) -> None:
    """A short write, for real: under a file size limit (RLIMIT_FSIZE) a
    write stops at the limit, and the next one fails with EFBIG (with no
    room left, the first one fails)."""
    import resource
    import signal

    path = tmp_path / "reports.jsonl"
    app, received = file_app(path)

    def report(size: int) -> list[dict[str, Any]]:
        return [{"type": "x", "url": "https://a.example/", "body": {"m": "m" * size}}]

    assert post(app, report(10)).status_code == 204
    before = path.stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    ignored = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (before + room, hard))
    try:
        with caplog.at_level(logging.ERROR, logger="flask_talisman.reports"):
            status = post(app, report(3000)).status_code  # 3,000 bytes; room fit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, ignored)
    assert status == 204
    assert path.stat().st_size == before
    assert "report_receiver_file: 1 report(s) not written" in caplog.text
    assert len(received) == 2  # logged and signalled all the same
    assert post(app, report(20)).status_code == 204
    assert [len(line["body"]["m"]) for line in lines(path)] == [10, 20]


def test_several_gunicorn_workers_append_whole_lines_and_lose_none(
    tmp_path: Path,
) -> None:
    """Four worker processes, sixteen clients at once, 240 posts of one to
    three reports of about 13 KB each (over PIPE_BUF, 4 KiB): every line
    parses and every report is there once."""
    path = tmp_path / "reports.jsonl"
    posts = [
        [
            {
                "type": "csp-violation",
                "url": f"https://site.example/{n}/{i}",
                "body": {
                    "documentURL": f"https://site.example/{n}/{i}",
                    "sample": f"{n}-{i}-" + "x" * 4000,
                    "sourceFile": "s" * 4000,
                    "originalPolicy": "p" * 4000,
                },
            }
            for i in range(1 + n % 3)
        ]
        for n in range(240)
    ]
    expected = {report["url"] for batch in posts for report in batch}

    with gunicorn({"REPORT_SERVER_FILE": str(path)}, workers=4) as url:
        import urllib.request

        def send(batch: list[dict[str, Any]]) -> tuple[int, str]:
            request = urllib.request.Request(
                url + "/reports",
                data=json.dumps(batch).encode(),
                headers={"Content-Type": "application/reports+json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers["X-Worker"]

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(send, posts))

    assert {status for status, _ in answers} == {204}
    assert len({worker for _, worker in answers}) > 1
    stored = lines(path)
    assert len(stored) == len(expected) == sum(len(batch) for batch in posts)
    assert {line["url"] for line in stored} == expected
    for line in stored:
        n, i = line["url"].rsplit("/", 2)[-2:]
        assert line["body"]["sample"] == f"{n}-{i}-" + "x" * 4000
