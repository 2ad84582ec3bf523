"""``flask talisman``: show and lint the headers each route sends.

Registered through Flask's ``flask.commands`` entry point, so once the
package is installed ``flask --app APP talisman --help`` lists:

``flask talisman headers [--format table|json] [--endpoint NAME] [--host HOST] [PATH]``
    The headers Talisman adds to every URL rule's responses (or to the rule
    ``PATH`` matches, or the rules of one endpoint), over HTTPS and plain
    HTTP, as a real request gets them. A nonce is shown as ``{nonce}``. A
    route with a cross-origin request check on shows it on a ``Checks:``
    line.

``flask talisman check [--format table|json] [--strict]``
    Lints every route's policies and the app-wide configuration; exits 1
    when it finds an error (with ``--strict``: an error or a warning).

``flask talisman reports [--since WHEN] [--format table|json] FILE``
    The reports of a reports file (``report_receiver_file``) in groups: by
    type, directive, blocked origin and path, and disposition, with counts,
    first and last seen and a sample of each.

``flask talisman suggest [--disposition report|enforce] [--format text|json] FILE``
    The smallest change to the app's CSP that would have allowed the
    legitimate reports of a reports file, app-wide and per view.

``headers`` and ``check`` say which host they previewed the routes with.
No command runs the app's views, its other hooks or its session interface,
nor pushes an app context (whose teardown functions would run at the end).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import IO, Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

from .errors import ConfigurationError, ConfigurationWarning
from .inspection import (
    RouteHeaders,
    Served,
    app_headers,
    default_host,
    preview_host,
    route_headers,
)
from .lint import Problem, group_findings, known_codes, lint_app
from .report_groups import (
    Group,
    ReadResult,
    Tally,
    group_reports,
    iter_reports,
    parse_since,
)
from .report_types import Report
from .suggest import Suggestion, app_policies, suggest, view_replaces

__all__ = ["talisman"]

talisman = AppGroup(
    "talisman", help="Show and check the security headers of this app's routes."
)

_FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON for tools.",
)
#: The table's width: readable at 100 columns whatever the terminal says.
_WIDTH = 100


def _width() -> int:
    return min(_WIDTH, max(60, shutil.get_terminal_size((_WIDTH, 24)).columns))


def _host(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--host``, checked and lower-cased before the app is loaded."""
    if value is None:
        return None
    try:
        return preview_host(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def _app() -> Flask:
    """The app ``--app`` names (or the current one), loaded for a command.

    As :func:`flask.cli.with_appcontext` loads it, except that an error in
    Talisman's options, raised while the app is imported or made, is
    printed as its message alone (exit 1), as ``flask`` prints a missing
    app: Flask's traceback through its loader would only bury it. No app
    context is pushed: the commands need none, and its teardown functions
    would run when it is popped.
    """
    if current_app:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    try:
        return click.get_current_context().ensure_object(ScriptInfo).load_app()
    except (ConfigurationError, ConfigurationWarning) as error:
        raise click.ClickException(str(error)) from None


def _previewed_as(host: str) -> str:
    return f"Previewed as https://{host} and http://{host}"


@talisman.command("headers", with_appcontext=False)
@_FORMAT
@click.option("--endpoint", help="Only the URL rules of this endpoint.")
@click.option(
    "--host",
    callback=_host,
    help="The Host to preview, in any letter case (default: SERVER_NAME, "
    "else a name in TRUSTED_HOSTS that the app accepts, else localhost).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Show the app's own headers once, then for each route only what "
    "differs from them.",
)
@click.argument("path", required=False)
def headers_command(
    output: str, endpoint: str | None, host: str | None, diff: bool, path: str | None
) -> None:
    """Print the headers Talisman adds to each route's responses.

    For every URL rule (or the one PATH matches), over HTTPS and over plain
    HTTP, resolved through preset < app < blueprint < view, as a real
    request gets them. A nonce is shown as {nonce}. With --diff: the app's
    own headers (what a view without options of its own and an error page
    get), then each route's differences from them.
    """
    app = _app()
    try:
        host = host or default_host(app)
        routes = route_headers(app, host=host, endpoint=endpoint, path=path)
        base = app_headers(app, host=host) if diff else None
    except (RuntimeError, LookupError) as error:
        raise click.ClickException(str(error)) from None
    if output == "json":
        if base is None:
            click.echo(json.dumps([route.to_json() for route in routes], indent=2))
        else:
            click.echo(json.dumps(diff_json(routes, base), indent=2))
        return
    width = _width()
    lines = []
    if len(routes) > 1 or base is not None:
        lines.append(_headers_summary(routes, base or app_headers(app, host=host)))
    lines += [_previewed_as(host), ""]
    _echo("\n".join(lines))
    if base is None:
        _echo(format_table(routes, width, color=_color()))
    else:
        _echo(format_diff(routes, base, width, color=_color()))


def _color() -> bool | None:
    """``False`` when ``NO_COLOR`` is set (https://no-color.org), else
    ``None``: click colours a terminal and strips colour from a pipe."""
    return False if os.environ.get("NO_COLOR") else None


def _echo(text: str) -> None:
    click.echo(text, color=_color())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pair(route: RouteHeaders) -> tuple[Served, Served]:
    return (route.https, route.http)


def _headers_summary(routes: list[RouteHeaders], base: tuple[Served, Served]) -> str:
    """``26 routes, 7 header sets; 14 routes send the app's own.``"""
    sets = {
        tuple((tuple(s.headers.items()), _kind(s)) for s in _pair(route))
        for route in routes
    }
    same = sum(1 for route in routes if _same(route, base))
    return (
        f"{_plural(len(routes), 'route')}, {_plural(len(sets), 'header set')}; "
        f"{same} {'sends' if same == 1 else 'send'} the app's own."
    )


def _wrapped(name: str, value: str, width: int, indent: int) -> list[str]:
    # "    Name: value", long values wrapped at spaces under their start; a
    # word (a URL) is only broken when no line could hold it.
    return textwrap.wrap(
        f"{name}: {value}",
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + 4),
        break_long_words=True,
        break_on_hyphens=False,
    )


def _served_lines(label: str, served: Served, width: int) -> list[str]:
    if served.error is not None:
        return [
            f"  {label}: cannot be served",
            *_wrapped("error", served.error, width, 4),
        ]
    lines = [f"  {label}: {_state(served)}"]
    if not served.headers:
        lines.append("    (no headers)")
    for name, value in served.headers.items():
        lines.extend(_wrapped(name, value, width, 4))
    return lines


def _state(served: Served) -> str:
    # (A request that cannot be served is shown with its error.)
    if served.redirect is not None:
        return f"redirected, {served.redirect.status} to {served.redirect.location}"
    return "served"


def _check_lines(checks: dict[str, Any], width: int) -> list[str]:
    # "  Checks: cross_origin_protection, resource_isolation (report-only)",
    # only for a route with a cross-origin check on.
    on = [
        name if checks[name] is True else f"{name} (report-only)"
        for name in ("cross_origin_protection", "resource_isolation")
        if checks.get(name)
    ]
    if not on:
        return []
    text = ", ".join(on)
    trusted = checks.get("cross_origin_trusted_origins")
    if trusted:
        text += "; trusted origins: " + " ".join(trusted)
    return _wrapped("  Checks", text, width, 0)


def _title(route: RouteHeaders, width: int, color: bool | None) -> list[str]:
    title = f"{route.rule}  ({route.endpoint}; {', '.join(route.methods)})"
    lines = textwrap.wrap(
        title, width=width, subsequent_indent="    ", break_on_hyphens=False
    )
    rule = "=" * min(max(map(len, lines)), width)
    return [*(_bold(line, color) for line in lines), rule]


def _bold(text: str, color: bool | None) -> str:
    return text if color is False else click.style(text, bold=True)


def format_table(
    routes: list[RouteHeaders], width: int = _WIDTH, *, color: bool | None = False
) -> str:
    """The headers of ``routes`` as text for people, ``width`` columns wide.

    Route titles are bold unless ``color`` is ``False``.
    """
    blocks: list[str] = []
    for route in routes:
        lines = _title(route, width, color)
        lines += _check_lines(route.checks, width)
        lines += _served_lines("HTTPS", route.https, width)
        if route.http.headers == route.https.headers and route.http == route.https:
            lines.append("  HTTP: the same as HTTPS")
        else:
            lines += _served_lines("HTTP", route.http, width)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# -- headers --diff -----------------------------------------------------------------


def _kind(served: Served) -> tuple[str, object]:
    # What a route's response is, compared without the redirect's URL
    # (which names the route's own path).
    if served.error is not None:
        return ("error", served.error)
    if served.redirect is not None:
        return ("redirect", served.redirect.status)
    return ("served", None)


def _changes(served: Served, base: Served) -> dict[str, Any]:
    """What ``served`` adds, changes and removes from ``base``'s headers
    (or only its error, when it cannot be served)."""
    if served.error is not None and _kind(served) != _kind(base):
        return {
            "state": f"cannot be served: {served.error}",
            "added": {},
            "changed": {},
            "removed": [],
        }
    return {
        "state": None if _kind(served) == _kind(base) else _state(served),
        "added": {n: v for n, v in served.headers.items() if n not in base.headers},
        "changed": {
            n: v
            for n, v in served.headers.items()
            if n in base.headers and base.headers[n] != v
        },
        "removed": [n for n in base.headers if n not in served.headers],
    }


def _no_change(change: dict[str, Any]) -> bool:
    return not any(change.values())


def _same(route: RouteHeaders, base: tuple[Served, Served]) -> bool:
    return _no_change(_changes(route.https, base[0])) and _no_change(
        _changes(route.http, base[1])
    )


def diff_json(
    routes: list[RouteHeaders], base: tuple[Served, Served]
) -> dict[str, Any]:
    """``flask talisman headers --diff --format json``: the app's headers,
    then each route's changes (``state``, ``added``, ``changed``,
    ``removed``) over HTTPS and plain HTTP."""
    return {
        "app": {"https": base[0].to_json(), "http": base[1].to_json()},
        "routes": [
            {
                "endpoint": route.endpoint,
                "rule": route.rule,
                "methods": list(route.methods),
                "host": route.host,
                "https": _changes(route.https, base[0]),
                "http": _changes(route.http, base[1]),
                "checks": dict(route.checks),
            }
            for route in routes
        ],
    }


_POLICIES = ("content-security-policy", "content-security-policy-report-only")


def _directives(policy: str) -> dict[str, str]:
    directives: dict[str, str] = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives.setdefault(name.lower(), value.strip())
    return directives


def _policy_change(value: str, base: str) -> str | None:
    """A CSP's directives that differ from ``base``'s (``None`` for a list
    of policies, shown whole)."""
    if "," in value or "," in base:
        return None
    new, old = _directives(value), _directives(base)
    parts = [f"{n} {v}".rstrip() for n, v in new.items() if old.get(n) != v]
    gone = [n for n in old if n not in new]
    if gone:
        parts.append(f"without {', '.join(gone)}")
    return "; ".join(parts)


def _change_lines(
    label: str, change: dict[str, Any], base: Served, width: int
) -> list[str]:
    # "  HTTP:", or "  HTTP: served" where the app's redirect (or fail).
    lines = textwrap.wrap(
        f"  {label}: {change['state'] or ''}".rstrip(),
        width=width,
        subsequent_indent="    ",
        break_on_hyphens=False,
    )
    for name, value in change["added"].items():
        lines += _wrapped(f"+ {name}", value, width, 4)
    for name, value in change["changed"].items():
        part = None
        if name.lower() in _POLICIES:
            part = _policy_change(value, base.headers[name])
        if part is None:
            lines += _wrapped(f"~ {name}", value, width, 4)
        else:
            lines += _wrapped(f"~ {name} directives", part, width, 4)
    lines += [f"    - {name}" for name in change["removed"]]
    return lines


def format_diff(
    routes: list[RouteHeaders],
    base: tuple[Served, Served],
    width: int = _WIDTH,
    *,
    color: bool | None = False,
) -> str:
    """The app's own headers once, then each route's differences from them.

    ``+`` a header the route adds, ``~`` one whose value differs (the
    route's is shown), ``-`` one it does not send; HTTPS and HTTP are shown
    once when their differences are the same. Routes that differ in nothing
    are listed in one paragraph.
    """
    https, http = base
    title = "The app's own headers (views without options, error pages)"
    lines = [_bold(title, color), "=" * min(len(title), width)]
    lines += _served_lines("HTTPS", https, width)
    if http == https:
        lines.append("  HTTP: the same as HTTPS")
    else:
        lines += _served_lines("HTTP", http, width)
    blocks = ["\n".join(lines)]
    same = [route for route in routes if _same(route, base)]
    if same:
        blocks.append(
            "\n".join(
                textwrap.wrap(
                    f"Sent unchanged by {_plural(len(same), 'route')}: "
                    + ", ".join(dict.fromkeys(route.rule for route in same)),
                    width=width,
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
        )
    for route in routes:
        if route in same:
            continue
        lines = _title(route, width, color) + _check_lines(route.checks, width)
        secure = _changes(route.https, https)
        plain = _changes(route.http, http)
        both = _change_lines("HTTPS and HTTP", secure, https, width)
        if both == _change_lines("HTTPS and HTTP", plain, http, width):
            lines += both
        else:
            for label, change, served in (
                ("HTTPS", secure, https),
                ("HTTP", plain, http),
            ):
                if not _no_change(change):
                    lines += _change_lines(label, change, served, width)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# -- check ----------------------------------------------------------------------------


@talisman.command("check", with_appcontext=False)
@_FORMAT
@click.option(
    "--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors."
)
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="CODE",
    help="A finding code to accept (repeatable; added to the "
    "TALISMAN_CHECK_IGNORE config list): counted, not shown, never failing.",
)
@click.option("--endpoint", help="Only this endpoint (and the app-wide findings).")
def check_command(
    output: str, strict: bool, ignore: tuple[str, ...], endpoint: str | None
) -> None:
    """Lint every route's policies and the app-wide configuration.

    One finding per problem, with the endpoints it applies to. Exits 1 when
    an error is found (with --strict: an error or a warning), else 0, so it
    can gate a deployment; ignored codes never fail it.
    """
    try:
        ignored = known_codes(ignore, "--ignore")
    except ValueError as error:
        raise click.BadParameter(
            str(error).removeprefix("--ignore: "), param_hint="'--ignore'"
        ) from None
    app = _app()
    try:
        ignored += known_codes(_config_codes(app), "TALISMAN_CHECK_IGNORE")
        problems = group_findings(lint_app(app, endpoint=endpoint))
    except (ValueError, RuntimeError, LookupError) as error:
        raise click.ClickException(str(error)) from None
    # The host lint_app's previews used (route_headers's default).
    host = default_host(app)
    shown = [p for p in problems if p.code not in ignored]
    skipped = dict(
        sorted(Counter(p.code for p in problems if p.code in ignored).items())
    )
    if output == "json":
        counts = Counter(p.severity for p in shown)
        payload: dict[str, Any] = {
            "host": host,
            "findings": [p.to_json(ignored=p.code in ignored) for p in problems],
            "summary": {
                "error": counts["error"],
                "warning": counts["warning"],
                "info": counts["info"],
                "ignored": skipped,
            },
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        _echo(_previewed_as(host))
        _echo("")
        linted = sorted(
            {
                rule.endpoint
                for rule in app.url_map.iter_rules()
                if endpoint is None or rule.endpoint == endpoint
            }
        )
        _echo(
            format_findings(
                shown, _width(), endpoints=linted, ignored=skipped, color=_color()
            )
        )
    failing = {"error", "warning"} if strict else {"error"}
    if any(problem.severity in failing for problem in shown):
        raise SystemExit(1)


def _config_codes(app: Flask) -> list[str]:
    """``TALISMAN_CHECK_IGNORE``: a list of codes, or a string of them
    separated by commas or spaces (as from an environment variable)."""
    codes = app.config.get("TALISMAN_CHECK_IGNORE") or []
    if isinstance(codes, str):
        codes = codes.replace(",", " ").split()
    if not isinstance(codes, (list, tuple, set, frozenset)) or not all(
        isinstance(code, str) for code in codes
    ):
        raise ValueError(
            f"TALISMAN_CHECK_IGNORE: {codes!r} is not a list of finding codes. "
            "Give a list of strings, such as ['csp-script-self']."
        )
    return sorted(codes) if isinstance(codes, (set, frozenset)) else list(codes)


_STYLES: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "info": {"fg": "cyan", "bold": True},
}


def _scope(endpoints: Sequence[str], linted: Sequence[str]) -> str:
    """``App-wide``, ``Endpoint: x``, ``Endpoints (2): x, y``, or, when
    that is shorter, ``Endpoints: all 22`` or ``Endpoints: all 22 but x``
    (of the ``linted`` endpoints)."""
    if not endpoints:
        return "App-wide"
    if len(endpoints) == 1:
        return f"Endpoint: {endpoints[0]}"
    rest = [name for name in linted if name not in endpoints]
    if len(linted) == len(endpoints) + len(rest) and len(rest) * 2 < len(endpoints):
        but = f" but {', '.join(rest)}" if rest else ""
        return f"Endpoints: all {len(linted)}{but}"
    return f"Endpoints ({len(endpoints)}): {', '.join(endpoints)}"


def format_findings(
    problems: list[Problem],
    width: int = _WIDTH,
    *,
    endpoints: Sequence[str] = (),
    ignored: Mapping[str, int] | None = None,
    color: bool | None = False,
) -> str:
    """Problems as text for people, then a count; ``width`` columns wide.

    Each problem: a heading (severity, code, header and directive), where it
    applies (app-wide, or its endpoints: "all" of ``endpoints``, the ones
    linted, when that is shorter), and the message with its fix. The count
    names each code in ``ignored`` with how many problems it hid. The
    severity is coloured unless ``color`` is ``False``.
    """
    ignored = ignored or {}
    blocks: list[str] = []
    for problem in problems:
        where = ", ".join(part for part in (problem.header, problem.directive) if part)
        severity = problem.severity.upper()
        head = textwrap.wrap(
            f"{severity} [{problem.code}] {where}".rstrip(),
            width=width,
            subsequent_indent="  ",
            break_on_hyphens=False,
        )
        if color is not False:
            head[0] = (
                click.style(severity, **_STYLES[problem.severity])
                + head[0][len(severity) :]
            )
        scope = _scope(problem.endpoints, endpoints)
        lines = [
            *head,
            *textwrap.wrap(
                scope,
                width=width,
                initial_indent="    ",
                subsequent_indent="        ",
                break_on_hyphens=False,
            ),
            *textwrap.wrap(
                problem.message,
                width=width,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            ),
        ]
        blocks.append("\n".join(lines))
    counts = Counter(problem.severity for problem in problems)
    summary = (
        f"{_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    if ignored:
        summary += "; ignored: " + ", ".join(
            f"{code} ({count})" for code, count in ignored.items()
        )
    summary += "."
    if not problems:
        summary = "No findings" + (summary[summary.index(";") :] if ignored else ".")
    blocks.append(
        "\n".join(textwrap.wrap(summary, width=width, break_on_hyphens=False))
    )
    return "\n\n".join(blocks)


# -- reports --------------------------------------------------------------------------


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--since``, read before the file is."""
    if value is None:
        return None
    try:
        return parse_since(value, datetime.now(timezone.utc))
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


_T = TypeVar("_T")

_REPORTS_FILE = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, readable=True)
)


def _read(file: str, use: Callable[[Iterator[Report]], _T]) -> tuple[_T, Tally]:
    """``use``'s result on FILE's reports, streamed (a file of any size is
    read one line at a time), and the tally of its lines that are not
    reports; a file that cannot be read is an error (exit 1)."""
    tally = Tally()
    try:
        handle = open(file, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise _unreadable(file, error) from None
    with handle:
        return use(iter_reports(_lines(handle, file), tally)), tally


def _lines(handle: IO[bytes], file: str) -> Iterator[bytes]:
    # Only an error reading the file is the file's: one that ``use`` meets
    # elsewhere (a view run by a route preview) is its own.
    try:
        yield from handle
    except OSError as error:
        raise _unreadable(file, error) from None


def _unreadable(file: str, error: OSError) -> click.ClickException:
    return click.ClickException(f"{file}: {error.strerror or error}")


@talisman.command("reports", with_appcontext=False)
@click.option(
    "--since",
    callback=_since,
    metavar="WHEN",
    help="Only reports received since then: a duration back from now (30m, "
    "2h, 7d, 1w) or an ISO 8601 date or date and time (UTC unless it has "
    "an offset).",
)
@_FORMAT
@_REPORTS_FILE
def reports_command(since: datetime | None, output: str, file: str) -> None:
    """Group the reports of FILE, a reports file (report_receiver_file).

    Groups by type, directive (or feature or id), blocked origin and path,
    and disposition, the largest first: how many, when the first and the
    last arrived, and the latest as a sample. A line that is not a report
    is counted, and its number shown. Needs no app.
    """
    groups, read = _read(file, lambda reports: group_reports(reports, since))
    if output == "json":
        payload = {
            "file": file,
            "since": None if since is None else since.isoformat(),
            "reports": sum(group.count for group in groups),
            "not_reports": {"count": read.bad, "lines": read.bad_lines},
            "groups": [group.to_json() for group in groups],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    _echo(format_groups(groups, read, file, since, _width(), color=_color()))


# Characters a report's text may not bring to a terminal: C0 and C1 controls
# (escape sequences, line breaks) and the bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """Text from a report, safe to print: each control character written as
    a ``\\xNN`` (or ``\\uNNNN``) escape, so that a forged report cannot
    move the cursor, recolour or retitle the terminal, or fake a line."""
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


def _moment(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _not_reports(read: ReadResult | Tally) -> str:
    if not read.bad:
        return ""
    lines = ", ".join(map(str, read.bad_lines))
    more = (
        f" and {read.bad - len(read.bad_lines)} more"
        if read.bad > len(read.bad_lines)
        else ""
    )
    return (
        f" {_plural(read.bad, 'line')} {'is' if read.bad == 1 else 'are'} not "
        f"a report (line{'' if read.bad == 1 else 's'} {lines}{more})."
    )


def format_groups(
    groups: list[Group],
    read: ReadResult | Tally,
    file: str,
    since: datetime | None = None,
    width: int = _WIDTH,
    *,
    color: bool | None = False,
) -> str:
    """Report groups as text for people, ``width`` columns wide.

    A summary line (reports read, lines that are not reports, groups),
    then each group: its type, directive and disposition with its count
    (bold unless ``color`` is ``False``), the blocked origin and path, when
    it was first and last seen, and where the sample came from.
    """
    total = sum(group.count for group in groups)
    window = "" if since is None else f" since {_moment(since)}"
    summary = (
        f"{_plural(total, 'report')}{window} in {file}, "
        f"{_plural(len(groups), 'group')}.{_not_reports(read)}"
    )
    blocks = ["\n".join(textwrap.wrap(summary, width=width, break_on_hyphens=False))]
    for group in groups:
        head = ", ".join(
            part for part in (group.type, group.subject, group.disposition) if part
        )
        title = textwrap.wrap(
            _printable(f"{head}: {_plural(group.count, 'report')}"),
            width=width,
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        lines = [_bold(line, color) for line in title]
        if group.blocked:
            lines += _wrapped("Blocked", _printable(group.blocked), width, 4)
        seen = _moment(group.first_seen)
        if group.count > 1:
            seen = f"{seen} to {_moment(group.last_seen)}"
        lines += _wrapped("Seen", seen, width, 4)
        lines += _wrapped("Sample", _printable(_sample(group)), width, 4)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _sample(group: Group) -> str:
    """Where the latest report came from: its page, the source line, the
    code sample the browser sent."""
    body = group.sample.body
    page = body.get("documentURL")
    parts = [page if isinstance(page, str) and page else group.sample.url or "?"]
    source = body.get("sourceFile")
    if isinstance(source, str) and source:
        line = body.get("lineNumber")
        parts.append(f"at {source}" + (f":{line}" if isinstance(line, int) else ""))
    code = body.get("sample")
    if isinstance(code, str) and code:
        parts.append(f"code {code!r}")
    return ", ".join(parts)


# -- suggest --------------------------------------------------------------------------


@talisman.command("suggest", with_appcontext=False)
@click.option(
    "--disposition",
    type=click.Choice(["report", "enforce"]),
    help="The reports to read: of the report-only policy or of the enforced "
    "one (default: report-only when the file has any, else enforced).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text and code to paste, or JSON for tools.",
)
@_REPORTS_FILE
def suggest_command(disposition: str | None, output: str, file: str) -> None:
    """Suggest the smallest CSP change that allows FILE's reports.

    Reads the reports file (report_receiver_file) against the policy each
    report's page gets now, and prints the origins to add per directive:
    app-wide when every page that needs a source needs it, else for
    @talisman.extend(...) on the views that do. Never 'unsafe-inline',
    'unsafe-eval', a path or an extension's scheme: inline code and eval
    get advice, naming the page; reports that browser extensions cause are
    left out.
    """
    app = _app()
    if disposition is None:
        reported, _ = _read(
            file,
            lambda reports: any(
                r.type == "csp-violation"
                and r.body.get("disposition") == "report"
                and not r.from_extension
                for r in reports
            ),
        )
        disposition = "report" if reported else "enforce"
    chosen: str = disposition
    try:
        policy_of, app_policy, option = app_policies(app, chosen)
        found, read = _read(
            file,
            lambda reports: suggest(
                reports,
                policy_of,
                disposition=chosen,
                option=option,
                app_policy=app_policy,
                replaces=view_replaces(app, option),
            ),
        )
    except (RuntimeError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    found.counts["not_reports"] = read.bad
    if output == "json":
        click.echo(json.dumps(found.to_json(), indent=2))
        return
    _echo(format_suggestion(found, file, _width(), color=_color()))


_LEFT_OUT = (
    ("other_disposition", "of the other policy"),
    ("from_extension", "caused by browser extensions"),
    ("not_csp", "not CSP violations"),
    ("allowed_now", "allowed by the policy now"),
    ("no_policy_now", "from pages without that policy now"),
    ("unreadable", "without a blocked URL to allow"),
)


def format_suggestion(
    found: Suggestion, file: str, width: int = _WIDTH, *, color: bool | None = False
) -> str:
    """A suggestion as text for people: what was read, the app-wide
    directives to paste, the ``@talisman.extend(...)`` of each view that
    alone needs a source, and the advice. Headings are bold unless
    ``color`` is ``False``; code lines are never wrapped."""
    counts = found.counts
    policy = "report-only" if found.disposition == "report" else "enforced"
    left = [f"{counts[key]} {why}" for key, why in _LEFT_OUT if counts.get(key)]
    if counts.get("not_reports"):
        left.append(_plural(counts["not_reports"], "line") + " not a report")
    summary = (
        f"{_plural(counts['read'], 'report')} in {file}, read against the "
        f"{policy} policy."
    )
    if left:
        summary += " Left out: " + ", ".join(left) + "."
    blocks = ["\n".join(textwrap.wrap(summary, width=width, break_on_hyphens=False))]
    if not found.add and not found.views:
        blocks.append("Nothing to add.")
    if found.add:
        lines = [_bold(f"App-wide, in {found.option}:", color), ""]
        lines.append(f"    {found.option} = {{")
        lines.append("        # ...the other directives as they are...")
        for directive, value in found.directives.items():
            lines.append(f"        {json.dumps(directive)}: {json.dumps(value)},")
        lines.append("    }")
        blocks.append("\n".join(lines))
    notes = [
        f"{directive} is not in the policy: it starts from {start}'s sources."
        for directive, start in found.started.items()
    ]
    if notes:
        blocks.append(
            "\n".join(
                line
                for note in notes
                for line in textwrap.wrap(note, width=width, break_on_hyphens=False)
            )
        )
    if found.views:
        lines = [_bold("Only on some views, with @talisman.extend(...) there:", color)]
        for endpoint, view in found.views.items():
            lines += ["", f"    # {endpoint}"]
            call = f"    @talisman.extend({found.option}={json.dumps(view)})"
            if len(call) > width:  # the argument on a line of its own
                call = (
                    f"    @talisman.extend(\n        {found.option}="
                    f"{json.dumps(view)}\n    )"
                )
            lines.append(call)
        blocks.append("\n".join(lines))
    for heading, items in (("Review:", found.review), ("Advice:", found.advice)):
        if items:
            lines = [_bold(heading, color)]
            for item in items:
                lines += textwrap.wrap(
                    _printable(item),
                    width=width,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
