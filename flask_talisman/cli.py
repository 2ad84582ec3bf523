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

Both say which host they previewed the routes with. Neither runs the app's
views, its other hooks or its session interface, nor pushes an app context
(whose teardown functions would run at the end).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

from .errors import ConfigurationError, ConfigurationWarning
from .inspection import (
    RouteHeaders,
    Served,
    default_host,
    preview_host,
    route_headers,
)
from .lint import Finding, lint_app

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
@click.argument("path", required=False)
def headers_command(
    output: str, endpoint: str | None, host: str | None, path: str | None
) -> None:
    """Print the headers Talisman adds to each route's responses.

    For every URL rule (or the one PATH matches), over HTTPS and over plain
    HTTP, resolved through preset < app < blueprint < view, as a real
    request gets them. A nonce is shown as {nonce}.
    """
    app = _app()
    try:
        host = host or default_host(app)
        routes = route_headers(app, host=host, endpoint=endpoint, path=path)
    except (RuntimeError, LookupError) as error:
        raise click.ClickException(str(error)) from None
    if output == "json":
        click.echo(json.dumps([route.to_json() for route in routes], indent=2))
        return
    click.echo(_previewed_as(host))
    click.echo()
    click.echo(format_table(routes, _width()))


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
    if served.redirect is not None:
        head = (
            f"  {label}: redirected, {served.redirect.status} to "
            f"{served.redirect.location}"
        )
    else:
        head = f"  {label}: served"
    lines = [head]
    if not served.headers:
        lines.append("    (no headers)")
    for name, value in served.headers.items():
        lines.extend(_wrapped(name, value, width, 4))
    return lines


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


def format_table(routes: list[RouteHeaders], width: int = _WIDTH) -> str:
    """The headers of ``routes`` as text for people, ``width`` columns wide."""
    blocks: list[str] = []
    for route in routes:
        title = f"{route.rule}  ({route.endpoint}; {', '.join(route.methods)})"
        lines = [title, "=" * min(len(title), width)]
        lines += _check_lines(route.checks, width)
        lines += _served_lines("HTTPS", route.https, width)
        if route.http.headers == route.https.headers and route.http == route.https:
            lines.append("  HTTP: the same as HTTPS")
        else:
            lines += _served_lines("HTTP", route.http, width)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@talisman.command("check", with_appcontext=False)
@_FORMAT
@click.option(
    "--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors."
)
def check_command(output: str, strict: bool) -> None:
    """Lint every route's policies and the app-wide configuration.

    Exits 1 when an error is found (with --strict: an error or a warning),
    else 0, so it can gate a deployment.
    """
    app = _app()
    try:
        findings = lint_app(app)
    except RuntimeError as error:  # Talisman is not registered on the app
        raise click.ClickException(str(error)) from None
    # The host lint_app's previews used (route_headers's default).
    host = default_host(app)
    if output == "json":
        payload: dict[str, Any] = {
            "host": host,
            "findings": [f.to_json() for f in findings],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(_previewed_as(host))
        click.echo()
        click.echo(format_findings(findings, _width()))
    failing = {"error", "warning"} if strict else {"error"}
    if any(finding.severity in failing for finding in findings):
        raise SystemExit(1)


def format_findings(findings: list[Finding], width: int = _WIDTH) -> str:
    """Findings as text for people: one block each, then a count."""
    if not findings:
        return "No findings."
    lines: list[str] = []
    for finding in findings:
        where = ", ".join(
            part
            for part in (finding.endpoint, finding.header, finding.directive)
            if part
        )
        head = f"{finding.severity.upper()} [{finding.code}] {where or 'app-wide'}"
        lines.append(head)
        lines.extend(
            textwrap.wrap(
                finding.message,
                width=width,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
        )
    counts = {
        severity: sum(1 for f in findings if f.severity == severity)
        for severity in ("error", "warning", "info")
    }
    lines.append("")
    lines.append(
        f"{counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} info."
    )
    return "\n".join(lines)
