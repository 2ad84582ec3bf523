"""Specification: ``check`` and ``headers`` output that people and CI can read.

``flask talisman check`` gives one finding per problem with the endpoints it
applies to, judges static folders as static files, accepts codes through
``--ignore`` and ``TALISMAN_CHECK_IGNORE`` (counted in the summary), can be
restricted to one ``--endpoint``, wraps to the terminal (60 to 100
columns) and colours a terminal only. ``flask talisman headers`` starts
with a one-line summary, and ``--diff`` shows the app's own headers once,
then each route's differences from them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from example_app import create_app
from flask_talisman import DENY, NONCE, SELF, Talisman
from flask_talisman.cli import _policy_change, format_findings, talisman
from flask_talisman.inspection import app_headers
from flask_talisman.lint import (
    CODES,
    Finding,
    Problem,
    group_findings,
    known_codes,
    lint_app,
)

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(app: Flask, *args: str, columns: int = 100, **kwargs: Any) -> Any:
    env = {"COLUMNS": str(columns), "NO_COLOR": None, **kwargs.pop("env", {})}
    return app.test_cli_runner().invoke(talisman, list(args), env=env, **kwargs)


def five_routes(**config: Any) -> Flask:
    """Five routes, three problems: a wildcard script-src everywhere, HSTS
    short on one view, and no HTTPS redirect app-wide."""
    app = Flask("five")
    app.config.update(config)
    for name in ("a", "b", "c", "d", "e"):
        app.add_url_rule(f"/{name}", name, lambda: "x")
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy={
            "default-src": SELF,
            "script-src": "*",
            "object-src": "'none'",
        },
    )
    talisman(strict_transport_security_max_age=600)(app.view_functions["e"])
    return app


# -- check: one finding per problem -------------------------------------------------


def test_each_problem_is_one_finding_that_lists_its_endpoints() -> None:
    app = five_routes()
    assert len(lint_app(app)) > 3  # once per endpoint, as lint_app gives them
    problems = group_findings(lint_app(app))
    assert [(p.code, p.endpoints) for p in problems] == [
        ("csp-wildcard", ("a", "b", "c", "d", "e")),
        ("https-not-forced", ()),
        ("hsts-short", ("e",)),
    ]
    payload = json.loads(run(app, "check", "--format", "json").output)
    assert [(f["code"], f["endpoints"]) for f in payload["findings"]] == [
        ("csp-wildcard", ["a", "b", "c", "d", "e"]),
        ("https-not-forced", []),
        ("hsts-short", ["e"]),
    ]
    assert payload["summary"] == {"error": 1, "warning": 2, "info": 0, "ignored": {}}


def test_errors_come_first_and_equal_findings_need_the_same_message() -> None:
    findings = [
        Finding(None, None, None, "info", "csp-script-self", "m"),
        Finding("a", "H", "d", "error", "csp-wildcard", "one"),
        Finding("b", "H", "d", "error", "csp-wildcard", "other"),
        Finding("c", "H", "d", "error", "csp-wildcard", "one"),
    ]
    assert group_findings(findings) == [
        Problem(("a", "c"), "H", "d", "error", "csp-wildcard", "one"),
        Problem(("b",), "H", "d", "error", "csp-wildcard", "other"),
        Problem((), None, None, "info", "csp-script-self", "m"),
    ]


def test_the_example_app_prints_each_problem_once() -> None:
    result = run(create_app(), "check")
    heads = [line for line in result.output.splitlines() if "] " in line]
    assert len(heads) == len(set(heads))
    assert sum("[csp-script-self]" in line for line in heads) <= 2
    assert len(result.output.splitlines()) < 40


def test_a_static_folder_without_pages_is_judged_as_static_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.js").write_text("x")
    app = Flask("static_files", static_folder=str(tmp_path))
    app.add_url_rule("/", "index", lambda: "x")
    Talisman(app, content_security_policy={"default-src": SELF, "script-src": "*"})
    endpoints = {f.endpoint for f in lint_app(app) if f.code == "csp-wildcard"}
    assert endpoints == {"index"}
    (tmp_path / "manual.html").write_text("x")
    endpoints = {f.endpoint for f in lint_app(app) if f.code == "csp-wildcard"}
    assert endpoints == {"index", "static"}


# -- check: --ignore, TALISMAN_CHECK_IGNORE, --endpoint -----------------------------


def test_ignored_codes_are_counted_not_shown_and_never_fail() -> None:
    app = five_routes()
    result = run(app, "check", "--ignore", "csp-wildcard", "--ignore", "hsts-short")
    assert result.exit_code == 0, result.output
    assert "[csp-wildcard]" not in result.output
    assert result.output.splitlines()[-1] == (
        "0 errors, 1 warning, 0 info; ignored: csp-wildcard (1), hsts-short (1)."
    )
    strict = run(app, "check", "--strict", "--ignore", "https-not-forced")
    assert strict.exit_code == 1  # csp-wildcard and hsts-short still count
    payload = json.loads(
        run(app, "check", "--format", "json", "--ignore", "csp-wildcard").output
    )
    # The JSON keeps every finding, the ignored ones marked.
    assert [(f["code"], f["ignored"]) for f in payload["findings"]] == [
        ("csp-wildcard", True),
        ("https-not-forced", False),
        ("hsts-short", False),
    ]
    assert payload["summary"] == {
        "error": 0,
        "warning": 2,
        "info": 0,
        "ignored": {"csp-wildcard": 1},
    }


@pytest.mark.parametrize(
    "config",
    [
        ["csp-wildcard", "https-not-forced", "hsts-short"],
        ("csp-wildcard", "https-not-forced", "hsts-short"),
        {"csp-wildcard", "https-not-forced", "hsts-short"},
        "csp-wildcard, https-not-forced hsts-short",
    ],
    ids=["list", "tuple", "set", "string"],
)
def test_the_config_list_is_ignored_too(config: Any) -> None:
    app = five_routes(TALISMAN_CHECK_IGNORE=config)
    result = run(app, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "No findings; ignored: csp-wildcard (1), hsts-short (1), https-not-forced (1)."
    )


def test_an_unknown_code_is_an_error_that_suggests_the_nearest() -> None:
    result = run(five_routes(), "check", "--ignore", "csp-wildcards")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--ignore': 'csp-wildcards' is not a finding code. "
        "Did you mean 'csp-wildcard'?"
    ) in result.output
    result = run(five_routes(TALISMAN_CHECK_IGNORE=["hsts-shrt"]), "check")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: TALISMAN_CHECK_IGNORE: 'hsts-shrt' is not a finding code. "
        "Did you mean 'hsts-short'?"
    )
    result = run(five_routes(TALISMAN_CHECK_IGNORE=[1]), "check")
    assert result.exit_code == 1
    assert "TALISMAN_CHECK_IGNORE: [1] is not a list of finding codes" in (
        result.output
    )
    assert known_codes(["hsts-off", "hsts-off"], "x") == ("hsts-off",)
    with pytest.raises(ValueError, match=r"^x: 'nope' is not a finding code\.$"):
        known_codes(["nope"], "x")
    assert set(CODES) >= {"csp-wildcard", "hsts-short"}


def test_the_config_key_is_not_taken_for_an_option() -> None:
    app = five_routes(TALISMAN_CHECK_IGNORE=["csp-wildcard"])
    assert "talisman" in app.extensions


def test_one_endpoint_can_be_checked_with_the_app_wide_findings() -> None:
    app = five_routes()
    payload = json.loads(
        run(app, "check", "--format", "json", "--endpoint", "e").output
    )
    assert [(f["code"], f["endpoints"]) for f in payload["findings"]] == [
        ("csp-wildcard", ["e"]),
        ("https-not-forced", []),
        ("hsts-short", ["e"]),
    ]
    only_a = run(app, "check", "--endpoint", "a").output
    assert "hsts-short" not in only_a
    assert "    Endpoint: a" in only_a.splitlines()
    missing = run(app, "check", "--endpoint", "f")
    assert missing.exit_code == 1
    assert "no URL rule has the endpoint 'f'." in missing.output
    typo = run(app, "headers", "--endpoint", "index")
    assert "no URL rule has the endpoint 'index'." in typo.output


def test_an_endpoint_name_is_suggested() -> None:
    result = run(create_app(), "check", "--endpoint", "pages.noce")
    assert result.exit_code == 1
    assert "Did you mean 'pages.nonce'?" in result.output


# -- check: the text at 60 and 100 columns, colour ----------------------------------


@pytest.mark.parametrize("columns", [60, 100])
def test_check_is_wrapped_to_the_terminal(columns: int) -> None:
    lines = run(create_app(), "check", columns=columns).output.splitlines()
    assert max(map(len, lines)) <= columns
    assert lines[:2] == ["Previewed as https://localhost and http://localhost", ""]
    heads = [i for i, line in enumerate(lines) if re.match(r"[A-Z]+ \[", line)]
    assert heads
    for i in heads:
        # A heading (continued under four spaces), then the scope, then the
        # message; a blank line between problems.
        assert lines[i - 1] == ""
        # (A heading's continuation is indented 2, its body 4.)
        body = [line for line in lines[i + 1 :] if not re.match("  [^ ]", line)]
        assert re.match(r"    (App-wide|Endpoints?[ :])", body[0])
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ info\.", lines[-1])


def test_a_long_heading_and_many_endpoints_wrap_at_60_columns() -> None:
    problem = Problem(
        tuple(f"blueprint_{i}.view_{i}" for i in range(9)),
        "Content-Security-Policy-Report-Only",
        "script-src-elem",
        "info",
        "csp-script-self",
        "message",
    )
    lines = format_findings([problem], 60).splitlines()
    assert max(map(len, lines)) <= 60
    assert lines[0] == "INFO [csp-script-self] Content-Security-Policy-Report-Only,"
    assert lines[1] == "  script-src-elem"
    assert lines[2].startswith("    Endpoints (9): blueprint_0.view_0, ")
    assert lines[3].startswith("        blueprint_")


@pytest.mark.parametrize(
    ("endpoints", "scope"),
    [
        ((), "App-wide"),
        (("a",), "Endpoint: a"),
        (("a", "b"), "Endpoints (2): a, b"),
        (("a", "b", "c", "d", "e"), "Endpoints: all 5"),
        (("a", "b", "c", "d"), "Endpoints: all 5 but e"),
        (("a", "b", "c"), "Endpoints (3): a, b, c"),
    ],
)
def test_the_scope_says_all_when_it_is_shorter(
    endpoints: tuple[str, ...], scope: str
) -> None:
    problem = Problem(endpoints, None, None, "warning", "hsts-short", "m")
    text = format_findings([problem], endpoints=("a", "b", "c", "d", "e"))
    assert text.splitlines()[:3] == ["WARNING [hsts-short]", f"    {scope}", "    m"]


def test_colour_on_a_terminal_never_with_no_color() -> None:
    app = five_routes()
    coloured = run(app, "check", color=True).output
    assert "\x1b[31m\x1b[1mERROR\x1b[0m [csp-wildcard]" in coloured
    assert "\x1b[33m\x1b[1mWARNING\x1b[0m [https-not-forced]" in coloured
    for result in (
        run(app, "check", color=True, env={"NO_COLOR": "1"}),
        run(app, "check"),  # not a terminal
        run(app, "headers", color=True, env={"NO_COLOR": "1"}),
        run(app, "headers", "--diff", color=True, env={"NO_COLOR": "1"}),
    ):
        assert not ANSI.search(result.output)
    assert ANSI.search(run(app, "headers", color=True).output)
    assert ANSI.sub("", coloured) == run(app, "check").output


def test_a_pipe_gets_no_colour() -> None:
    env = {**os.environ, "FLASK_APP": "example_app", "COLUMNS": "60"}
    env.pop("NO_COLOR", None)
    for args in (["check"], ["headers", "--diff"]):
        result = subprocess.run(
            [sys.executable, "-m", "flask", "talisman", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert not ANSI.search(result.stdout)
        assert max(map(len, result.stdout.splitlines())) <= 60


# -- headers: the summary and --diff ------------------------------------------------


def diff_app() -> Flask:
    app = Flask("diff")
    for name in ("same", "other", "framed", "plain"):
        app.add_url_rule(f"/{name}", name, lambda: "x")
    talisman = Talisman(
        app,
        content_security_policy={
            "default-src": SELF,
            "script-src": [SELF, NONCE],
            "object-src": "'none'",
        },
    )
    talisman(frame_options=DENY, referrer_policy="no-referrer")(
        app.view_functions["framed"]
    )
    talisman(force_https=False, content_security_policy={"default-src": SELF})(
        app.view_functions["plain"]
    )
    talisman(content_security_policy={"default-src": SELF, "object-src": "'none'"})(
        app.view_functions["other"]
    )
    return app


def test_the_listing_starts_with_a_one_line_summary() -> None:
    lines = run(diff_app(), "headers").output.splitlines()
    # /other, /plain and /framed differ; /same and /static share.
    assert lines[:3] == [
        "5 routes, 4 header sets; 2 send the app's own.",
        "Previewed as https://localhost and http://localhost",
        "",
    ]
    one = run(diff_app(), "headers", "/same").output.splitlines()
    assert one[0] == "Previewed as https://localhost and http://localhost"
    example = run(create_app(), "headers").output.splitlines()
    assert re.fullmatch(
        r"\d+ routes, \d+ header sets; \d+ send the app's own\.", example[0]
    )


@pytest.mark.parametrize("columns", [60, 100])
def test_diff_shows_the_apps_headers_once_then_what_differs(columns: int) -> None:
    result = run(diff_app(), "headers", "--diff", columns=columns)
    assert result.exit_code == 0, result.output
    text = result.output
    lines = text.splitlines()
    assert max(map(len, lines)) <= columns
    assert lines[0] == "5 routes, 4 header sets; 2 send the app's own."
    assert lines[3] == "The app's own headers (views without options, error pages)"
    assert "  HTTPS: served" in lines
    assert "  HTTP: redirected, 302 to https://localhost/" in lines
    assert sum("Permissions-Policy:" in line for line in lines) == 2  # the app's
    flat = " ".join(text.split())
    assert "Sent unchanged by 2 routes: /same, /static/<path:filename>" in flat
    blocks = {block.split("\n", 1)[0]: block for block in text.split("\n\n")}
    framed = blocks["/framed  (framed; GET, HEAD, OPTIONS)"].splitlines()
    assert framed[2:] == [
        "  HTTPS and HTTP:",
        "    ~ X-Frame-Options: DENY",
        "    ~ Referrer-Policy: no-referrer",
    ]
    other = blocks["/other  (other; GET, HEAD, OPTIONS)"].splitlines()
    assert other[2:] == [
        "  HTTPS and HTTP:",
        "    ~ Content-Security-Policy directives: without script-src",
    ]
    plain = " ".join(blocks["/plain  (plain; GET, HEAD, OPTIONS)"].split())
    assert "HTTPS: ~ Content-Security-Policy directives: without script-src," in plain
    assert "HTTP: served ~ Content-Security-Policy directives: without" in plain


def test_a_csp_diff_names_the_directives_that_differ() -> None:
    base = "default-src 'self'; script-src 'self'; object-src 'none'"
    assert _policy_change("default-src 'none'; object-src 'none'", base) == (
        "default-src 'none'; without script-src"
    )
    assert _policy_change(f"upgrade-insecure-requests; {base};", base) == (
        "upgrade-insecure-requests"
    )
    # A list of policies is shown whole.
    assert _policy_change("default-src 'self', img-src 'none'", base) is None


def test_diff_on_the_example_app_is_a_fraction_of_the_listing() -> None:
    app = create_app()
    full = run(app, "headers").output.splitlines()
    diff = run(app, "headers", "--diff").output.splitlines()
    assert len(diff) < len(full) / 2
    assert "  HTTPS and HTTP:" in diff


def test_diff_json_has_the_apps_headers_and_each_routes_changes() -> None:
    result = run(diff_app(), "headers", "--diff", "--format", "json")
    payload = json.loads(result.output)
    assert list(payload) == ["app", "routes"]
    assert list(payload["app"]) == ["https", "http"]
    assert payload["app"]["http"]["redirect"]["status"] == 302
    routes = {route["endpoint"]: route for route in payload["routes"]}
    keys = ["endpoint", "rule", "methods", "host", "https", "http", "checks"]
    assert all(list(route) == keys for route in routes.values())
    assert routes["same"]["https"] == {
        "state": None,
        "added": {},
        "changed": {},
        "removed": [],
    }
    assert routes["framed"]["https"]["changed"] == {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
    assert routes["plain"]["http"]["state"] == "served"
    assert routes["plain"]["http"]["removed"] == []


def test_an_error_or_a_removed_header_is_shown_in_the_diff() -> None:
    app = Flask("broken")
    app.add_url_rule("/", "index", lambda: "x")
    app.add_url_rule("/bare", "bare", lambda: "x")
    talisman = Talisman(app, force_https=False)
    talisman(frame_options=None)(app.view_functions["bare"])
    talisman(content_security_policy_report_only=True)(app.view_functions["index"])
    text = run(app, "headers", "--diff").output
    blocks = {block.split("\n", 1)[0]: block for block in text.split("\n\n")}
    assert "    - X-Frame-Options" in blocks["/bare  (bare; GET, HEAD, OPTIONS)"]
    index = blocks["/  (index; GET, HEAD, OPTIONS)"]
    assert index.splitlines()[2].startswith(
        "  HTTPS and HTTP: cannot be served: ConfigurationError: "
    )
    assert "    - " not in index


def test_app_headers_needs_talisman() -> None:
    with pytest.raises(RuntimeError, match="Talisman is not registered"):
        app_headers(Flask("bare"))
    assert run(Flask("bare"), "headers", "--diff").exit_code == 1


def test_a_diff_where_every_route_differs_and_http_is_served() -> None:
    app = Flask("differ")
    app.add_url_rule("/", "index", lambda: "x")
    talisman = Talisman(app, force_https=False, strict_transport_security=False)
    talisman(frame_options=DENY)(app.view_functions["index"])
    talisman(frame_options=DENY)(app.view_functions["static"])
    lines = run(app, "headers", "--diff").output.splitlines()
    assert lines[0] == "2 routes, 1 header set; 0 send the app's own."
    assert "  HTTP: the same as HTTPS" in lines
    assert not any(line.startswith("Sent unchanged") for line in lines)
