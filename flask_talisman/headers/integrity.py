"""Integrity-Policy and Integrity-Policy-Report-Only (W3C SRI draft).

A structured-field dictionary such as
``blocked-destinations=(script), endpoints=(integrity-endpoint)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import (
    ConfigurationError,
    check_header_text,
    choices,
    suggest,
    type_error,
)
from .base import Header, Option, Resolved, header
from .tokens import is_empty_policy

__all__ = ["OPTIONS", "check_integrity_policy", "headers"]

#: The normal form: ``(key, items)`` for each member, in the given order.
Members = tuple[tuple[str, tuple[str, ...]], ...]

KEYS = ("blocked-destinations", "sources", "endpoints")
DESTINATIONS = ("script", "style")
SOURCES = ("inline",)
_ENDPOINT = re.compile(r"[a-z*][a-z0-9_.*-]*\Z")
_STRING = re.compile(
    r"(?:blocked-destinations|sources|endpoints)=\([a-z0-9_.* -]*\)"
    r"(?:, *(?:blocked-destinations|sources|endpoints)=\([a-z0-9_.* -]*\))*\Z"
)


def _items(option: str, key: str, value: object) -> list[str]:
    if isinstance(value, str):
        value = value.strip("()").split()
    if not isinstance(value, (list, tuple)):
        raise type_error(f"{option}[{key!r}]", value, "a list of str")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise type_error(f"{option}[{key!r}]", item, "str items")
        check_header_text(option, item)
        allowed: tuple[str, ...] | None = {
            "blocked-destinations": DESTINATIONS,
            "sources": SOURCES,
        }.get(key)
        if allowed is not None and item not in allowed:
            raise ConfigurationError(
                f"{option}[{key!r}]: {item!r} is not valid." + choices(item, allowed)
            )
        if allowed is None and not _ENDPOINT.match(item):
            raise ConfigurationError(
                f"{option}[{key!r}]: {item!r} is not a Reporting-Endpoints name "
                "(lowercase letters, digits, '_', '-', '.', '*')."
            )
        out.append(item)
    return out


def check_integrity_policy(option: str, policy: object) -> Members:
    """A dict (``{"blocked-destinations": ["script"]}``) or string, as members."""
    if is_empty_policy(policy):
        return ()
    if isinstance(policy, str):
        check_header_text(option, policy)
        if not _STRING.match(policy.strip()):
            raise ConfigurationError(
                f"{option}: {policy!r} is not an Integrity-Policy. Write e.g. "
                "'blocked-destinations=(script), endpoints=(default)'."
            )
        parsed: dict[str, object] = {}
        for member in policy.split(","):
            key, _, value = member.strip().partition("=")
            if key in parsed:
                raise ConfigurationError(
                    f"{option}: {key!r} appears twice in {policy!r}. Give each "
                    "key once."
                )
            parsed[key] = value
        policy = parsed
    if not isinstance(policy, Mapping):
        raise type_error(option, policy, "a dict or a str policy")
    members = []
    for key, value in policy.items():
        if key not in KEYS:
            raise ConfigurationError(
                f"{option}: unknown key {key!r}." + suggest(str(key), KEYS)
            )
        members.append((key, tuple(_items(option, key, value))))
    return tuple(members)


def _render(o: Resolved, members: Members) -> str | None:
    # Without reporting, the endpoints member (Reporting-Endpoints names) is
    # left out, keeping what the policy blocks.
    return (
        ", ".join(
            f"{key}=({' '.join(items)})"
            for key, items in members
            if o.reporting or key != "endpoints"
        )
        or None
    )


def headers(o: Resolved) -> list[Header]:
    """``Integrity-Policy`` and ``Integrity-Policy-Report-Only``."""
    return [
        *header("Integrity-Policy", _render(o, o["integrity_policy"])),
        *header(
            "Integrity-Policy-Report-Only",
            _render(o, o["integrity_policy_report_only"]),
        ),
    ]


OPTIONS = (
    Option(
        "integrity_policy",
        None,
        check_integrity_policy,
        "Integrity-Policy, e.g. {'blocked-destinations': ['script']}.",
        header="Integrity-Policy",
        example='{"blocked-destinations": ["script"]}',
        section="More headers",
        details=(
            "``Integrity-Policy``: make the browser refuse scripts (and styles) "
            "loaded without Subresource Integrity metadata (Chromium, Firefox "
            "and WebKit refuse such a script under "
            "``blocked-destinations=(script)``: "
            "``tests/browser/test_doc_claims.py``; styles are not measured). A "
            "dict with the keys "
            '``blocked-destinations`` (a list of ``"script"`` and ``"style"``), '
            '``sources`` (``["inline"]``) and ``endpoints`` (a list of '
            "``Reporting-Endpoints`` names), or the header string itself: "
            '``{"blocked-destinations": ["script"], "endpoints": ["default"]}`` '
            "gives ``blocked-destinations=(script), endpoints=(default)``. Other "
            "keys and values are refused."
        ),
    ),
    Option(
        "integrity_policy_report_only",
        None,
        check_integrity_policy,
        "Integrity-Policy-Report-Only, the same syntax as integrity_policy.",
        header="Integrity-Policy-Report-Only",
        example='{"blocked-destinations": ["script", "style"]}',
        section="More headers",
        details=(
            "``Integrity-Policy-Report-Only``, the same syntax: report what "
            ":topt:`integrity_policy` would block, without blocking it."
        ),
    ),
)
