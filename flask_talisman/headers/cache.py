"""Cache-Control and Clear-Site-Data."""

from __future__ import annotations

import re

from ..errors import ConfigurationError, check_header_text, suggest, type_error
from .base import Header, Option, Resolved, header
from .tokens import text_or_off

__all__ = ["OPTIONS", "check_cache_control", "check_clear_site_data", "headers"]

_DIRECTIVE = re.compile(
    r'[A-Za-z][A-Za-z0-9-]*(?:=(?:[0-9]+|[A-Za-z0-9-]+|"[^"\\,]*"))?\Z'
)
CLEAR_SITE_DATA_TYPES = (
    "cache",
    "clientHints",
    "cookies",
    "executionContexts",
    "prefetchCache",
    "prerenderCache",
    "storage",
    "*",
)


def check_cache_control(option: str, value: object) -> str | None:
    """Cache-Control, such as ``"no-store"`` or ``"private, max-age=60"``."""
    value = text_or_off(option, value, "a Cache-Control str such as 'no-store'")
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",")]
    for part in parts:
        if not _DIRECTIVE.match(part):
            raise ConfigurationError(
                f"{option}: {part!r} in {value!r} is not a Cache-Control "
                "directive. Write directives separated by ', ', such as "
                "'no-store' or 'private, max-age=60'."
            )
    return ", ".join(parts)


def check_clear_site_data(option: str, value: object) -> str | None:
    """Clear-Site-Data from a list of types: ``["cache", "cookies"]``.

    Renders ``"cache", "cookies"`` (each type is a quoted string).
    """
    if value is None or value is False or value == "" or value in ([], ()):
        return None
    items: list[object]
    if isinstance(value, str):
        check_header_text(option, value)
        items = [v.strip().strip('"') for v in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise type_error(option, value, 'a list of types such as ["cache", "cookies"]')
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or item not in CLEAR_SITE_DATA_TYPES:
            hint = suggest(item, CLEAR_SITE_DATA_TYPES) if isinstance(item, str) else ""
            raise ConfigurationError(
                f"{option}: {item!r} is not a Clear-Site-Data type.{hint} Use "
                + ", ".join(map(repr, CLEAR_SITE_DATA_TYPES))
                + "."
            )
        quoted = f'"{item}"'
        if quoted not in out:
            out.append(quoted)
    return ", ".join(out)


def headers(o: Resolved) -> list[Header]:
    """``Cache-Control`` and ``Clear-Site-Data``."""
    return [
        *header("Cache-Control", o["cache_control"]),
        *header("Clear-Site-Data", o["clear_site_data"]),
    ]


OPTIONS = (
    Option(
        "cache_control",
        None,
        check_cache_control,
        "Cache-Control, e.g. 'no-store'.",
        header="Cache-Control",
        example='"no-store"',
        section="More headers",
        details=(
            '``Cache-Control``, such as ``"no-store"`` for pages with private data '
            'or ``"private, max-age=60"``. Each comma-separated directive must be a '
            "name, optionally ``=`` a number, a token or a quoted string; the "
            'directives are re-joined with ``", "``. It replaces a '
            "``Cache-Control`` header the view set itself."
        ),
    ),
    Option(
        "clear_site_data",
        None,
        check_clear_site_data,
        "Clear-Site-Data types, e.g. ['cache', 'cookies', 'storage'].",
        header="Clear-Site-Data",
        example='["cache", "cookies", "storage"]',
        section="More headers",
        details=(
            "``Clear-Site-Data``, which makes the browser delete this site's data "
            "(Chromium, Firefox and WebKit clear cookies and storage: "
            "``tests/browser/test_other_headers.py``), "
            'for a logout view for instance: a list of types from ``"cache"``, '
            '``"clientHints"``, ``"cookies"``, ``"executionContexts"``, '
            '``"prefetchCache"``, ``"prerenderCache"``, ``"storage"`` and ``"*"`` '
            "(case-sensitive), or a string of them separated by commas. Each is "
            'sent quoted, once: ``["cache", "cookies"]`` gives ``"cache", '
            '"cookies"``. An empty list sends nothing.'
        ),
    ),
)
