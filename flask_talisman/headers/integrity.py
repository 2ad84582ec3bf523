"""Integrity-Policy and Integrity-Policy-Report-Only (W3C SRI draft).

A structured-field dictionary such as
``blocked-destinations=(script), endpoints=(integrity-endpoint)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import ConfigurationError, check_header_text, suggest, type_error
from .tokens import is_empty_policy

__all__ = ["compile_integrity_policy"]

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
                f"{option}[{key!r}]: {item!r} is not valid."
                + suggest(item, allowed)
                + " Use "
                + ", ".join(map(repr, allowed))
                + "."
            )
        if allowed is None and not _ENDPOINT.match(item):
            raise ConfigurationError(
                f"{option}[{key!r}]: {item!r} is not a Reporting-Endpoints name "
                "(lowercase letters, digits, '_', '-', '.', '*')."
            )
        out.append(item)
    return out


def compile_integrity_policy(
    option: str, policy: object, *, reporting: bool = True
) -> str | None:
    """Compile a dict (``{"blocked-destinations": ["script"]}``) or string.

    ``reporting=False`` leaves out the ``endpoints`` member (the
    Reporting-Endpoints names), keeping what the policy blocks.
    """
    if is_empty_policy(policy):
        return None
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
        if key == "endpoints" and not reporting:
            _items(option, key, value)  # still checked
            continue
        members.append(f"{key}=({' '.join(_items(option, key, value))})")
    return ", ".join(members) or None
