"""Properties: ``reports`` and ``suggest`` read any file, and suggest only origins.

Whatever a reports file holds (any bytes; JSON lines of stored reports
whose fields are any values; reports whose URLs and directives are near
misses of real ones), ``flask talisman reports`` and ``flask talisman
suggest`` exit 0 with their output. Every source ``suggest`` offers is an
origin (``scheme://host[:port]``, no path), ``'self'``, or ``data:`` /
``blob:`` and their kin outside script directives: never
``'unsafe-inline'``, ``'unsafe-eval'``, a path or an extension's scheme. And
applying what it suggests leaves nothing more to suggest for those reports.
Any text given as ``--since`` is a moment or a ``ValueError`` naming it.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from hypothesis import example, given
from hypothesis import strategies as st

from flask_talisman import SELF, Talisman
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.report_groups import parse_since
from flask_talisman.report_types import EXTENSION_SCHEMES, Report
from flask_talisman.suggest import app_policies, suggest

from .test_options import SETTINGS

TIGHT = {"default-src": SELF, "object-src": "'none'"}
# An origin a CSP source can name: CSP3's host-chars (no IPv6, no ';', '*',
# quote or space a forged report could bring in).
ORIGIN = re.compile(r"(https?|wss?)://[a-z0-9-]+(\.[a-z0-9-]+)*\.?(:[0-9]+)?\Z")
SCHEMES = {"data:", "blob:", "mediastream:", "filesystem:"}
SCRIPT = {"script-src", "script-src-elem", "script-src-attr", "default-src"}


def make_app(
    policy: dict[str, Any] | None = None, views: dict[str, Any] | None = None
) -> Flask:
    app = Flask("shop")
    talisman = Talisman(
        app,
        content_security_policy={},
        content_security_policy_report_only=policy or TIGHT,
        report_receiver="/reports",
    )
    for rule, name in (("/", "index"), ("/cart", "cart"), ("/a/<int:n>", "item")):

        def view(**_: Any) -> str:
            return "page"

        view.__name__ = name
        if views and name in views:
            view = talisman.extend(content_security_policy_report_only=views[name])(
                view
            )
        app.add_url_rule(rule, name, view)
    return app


APP = make_app()

hosts = st.sampled_from(
    [
        "shop.example",
        "cdn.example",
        "SHOP.example",
        "127.0.0.1",
        "192.0.2.7",
        "[::1]",
        "x",
        "",
        "bücher.example",
        "cdn.example;script-src *",
        "*",
        "*.example",
        "'unsafe-inline'",
        "a b",
    ]
)
ports = st.sampled_from(["", ":443", ":80", ":8443", ":0", ":99999", ":x"])
paths = st.sampled_from(["/", "/cart", "/a/3", "/js/app.js", "", "/a b", "/%2e%2e/"])
schemes = st.sampled_from(
    ["https", "http", "wss", "ws", "ftp", "HTTPS", *sorted(EXTENSION_SCHEMES)]
)
urls = st.one_of(
    st.builds(
        lambda s, h, p, path, q: f"{s}://{h}{p}{path}{q}",
        schemes,
        hosts,
        ports,
        paths,
        st.sampled_from(["", "?token=1", "#frag", "?a=b#c"]),
    ),
    st.sampled_from(
        [
            "inline",
            "eval",
            "wasm-eval",
            "data",
            "blob",
            "data:text/javascript,alert(1)",
            "blob:https://shop.example/1",
            "filesystem:https://shop.example/temporary/x.js",
            "mediastream:1",
            "about",
            "about:blank",
            "trusted-types-sink",
            "self",
            "",
        ]
    ),
    st.text(max_size=30),
)
directives = st.one_of(
    st.sampled_from(
        [
            "script-src-elem",
            "script-src-attr",
            "script-src",
            "style-src-elem",
            "style-src-attr",
            "img-src",
            "font-src",
            "frame-src",
            "connect-src",
            "worker-src",
            "media-src",
            "default-src",
            "form-action",
            "frame-ancestors",
            "base-uri",
            "sandbox",
            "require-trusted-types-for",
            "img-src 'self'",
            "IMG-SRC",
        ]
    ),
    st.text(max_size=20),
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
reports = st.builds(
    lambda kind, page, blocked, directive, disposition, source, extra: Report(
        kind,
        page,
        {
            "documentURL": page,
            "blockedURL": blocked,
            "effectiveDirective": directive,
            "disposition": disposition,
            "sourceFile": source,
            **extra,
        },
        "agent",
    ),
    st.sampled_from(["csp-violation"] * 4 + ["coep", "x"]),
    urls,
    urls,
    directives,
    st.sampled_from(["report"] * 4 + ["enforce", "", "reporting"]),
    urls,
    st.dictionaries(st.sampled_from(["sample", "lineNumber", "statusCode"]), values),
)
stored_lines = st.one_of(
    reports.map(lambda r: json.dumps(r.to_json())),
    st.dictionaries(
        st.sampled_from(["type", "url", "body", "received", "age", "user_agent"]),
        values,
    ).map(json.dumps),
    st.text(max_size=40),
)
files = st.one_of(
    st.binary(max_size=300),
    st.lists(stored_lines, max_size=8).map(lambda lines: "\n".join(lines).encode()),
)


def invoke(app: Flask, data: bytes, *args: str) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reports.jsonl"
        path.write_bytes(data)
        return CliRunner().invoke(
            talisman_cli,
            [*args, str(path)],
            obj=ScriptInfo(create_app=lambda: app),
            env={"COLUMNS": "80", "NO_COLOR": None},
        )


def check_sources(found: dict[str, Any]) -> None:
    """Every suggested source is an origin, 'self' or a safe scheme."""
    places = [found["add"], *found["views"].values()]
    for place in places:
        for directive, sources in place.items():
            for source in sources:
                if source in SCHEMES:
                    assert directive not in SCRIPT, (directive, source)
                else:
                    assert source == SELF or ORIGIN.fullmatch(source), source
                assert source.split(":")[0] not in EXTENSION_SCHEMES
    for value in found["directives"].values():
        assert "'unsafe-inline'" not in value
        assert "'unsafe-eval'" not in value


@SETTINGS
@given(data=files)
def test_reports_reads_any_file(data: bytes) -> None:
    for output in ("table", "json"):
        result = invoke(APP, data, "reports", "--format", output)
        assert result.exit_code == 0, result.output
    json.loads(result.output)


@SETTINGS
@given(data=files)
def test_suggest_reads_any_file_and_suggests_only_origins(data: bytes) -> None:
    result = invoke(APP, data, "suggest")
    assert result.exit_code == 0, result.output
    result = invoke(APP, data, "suggest", "--format", "json")
    assert result.exit_code == 0, result.output
    check_sources(json.loads(result.output))


@SETTINGS
@given(found=st.lists(reports, max_size=8))
@example(  # a Unicode host: suggested in IDNA, and matched so afterwards
    [
        Report(
            "csp-violation",
            "https://shop.example/",
            {
                "documentURL": "https://shop.example/",
                "blockedURL": "https://bücher.example/",
                "effectiveDirective": "script-src-elem",
                "disposition": "report",
            },
            "agent",
        )
    ]
)
def test_applying_a_suggestion_leaves_nothing_to_suggest(found: list[Report]) -> None:
    policy_of, own, option = app_policies(APP, "report")
    first = suggest(found, policy_of, option=option, app_policy=own).to_json()
    check_sources(first)
    app = make_app({**TIGHT, **first["directives"]}, first["views"])
    policy_of, own, option = app_policies(app, "report")
    second = suggest(found, policy_of, option=option, app_policy=own)
    assert (second.add, second.views) == ({}, {})
    assert second.advice == first["advice"]


@SETTINGS
@given(
    text=st.one_of(
        st.text(max_size=30), st.from_regex(r"\s*[0-9]{1,6}\s*[smhdwSMHDW]\s*")
    )
)
@example("999999w")
@example("0001-01-01T00:00+01:00")
def test_since_is_a_moment_or_a_value_error(text: str) -> None:
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    try:
        moment: datetime | str = parse_since(text, now)
    except ValueError as error:
        moment = str(error)
    if isinstance(moment, str):
        assert repr(text) in moment
    else:
        assert moment.tzinfo is not None
