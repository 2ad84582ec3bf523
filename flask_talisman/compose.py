"""Layering options: app < blueprint < view, by replacing or extending.

``@talisman(...)`` replaces the options it names. ``@talisman.extend(...)``
appends to the inherited CSP and Permissions-Policy instead: each directive's
sources (or each feature's allowlist) gain the new ones, and a fetch
directive the inherited policy lacks starts from ``default-src``'s sources,
so extending never loosens what ``default-src`` allowed before. Every other
option is replaced. Layers are applied when a view's policy is compiled,
never per request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .errors import configuring
from .headers.csp import FETCH_DIRECTIVES, NONE, parse_directives
from .headers.structured import split_members

__all__ = ["Layer", "apply_layers"]

Layer = tuple[Literal["replace", "extend"], Mapping[str, Any]]

_CSP_OPTIONS = ("content_security_policy", "content_security_policy_report_only")
_ALLOW_ITEM = re.compile(r'\*|self|src|"[^"]*"')


def _is_policy(value: object) -> bool:
    return isinstance(value, (str, Mapping)) and bool(value)


def extend_csp(base: object, extra: object, option: str) -> dict[str, list[str]]:
    """``base`` with ``extra``'s sources appended, directive by directive."""
    with configuring(quiet=True):
        inherited = parse_directives(option, base) if _is_policy(base) else []
        added = parse_directives(option, extra)
    merged: dict[str, list[str]] = {name: list(tokens) for name, tokens in inherited}
    lower = {name.lower(): name for name in merged}
    default = merged.get(lower.get("default-src", ""), [])
    for name, tokens in added:
        key = lower.get(name.lower())
        if key is None:
            start = default if name.lower() in FETCH_DIRECTIVES else []
            key = name
            lower[name.lower()] = name
            merged[key] = list(start)
        current = merged[key]
        if tokens and any(t.lower() == NONE for t in current):
            current = [t for t in current if t.lower() != NONE]
        for token in tokens:
            if token not in current:
                current.append(token)
        merged[key] = current
    return merged


def _allowlist(value: object) -> list[str] | None:
    """Items of an allowlist, or ``None`` when it cannot be merged."""
    if value is True:
        return ["*"]
    if value is False:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip("'") for v in value]
    if isinstance(value, str):
        text = value.strip()
        inner = text[1:-1] if text.startswith("(") and text.endswith(")") else text
        items = inner.replace(",", " ").split()
        if all(_ALLOW_ITEM.fullmatch(item) for item in items):
            return [item.strip('"') for item in items]
    return None


def _features(policy: object) -> dict[str, object]:
    if isinstance(policy, Mapping):
        return dict(policy)
    if isinstance(policy, str):
        out: dict[str, object] = {}
        for member in split_members(policy):
            key, _, value = member.partition("=")
            out[key.strip()] = value.strip()
        return out
    return {}


def extend_permissions(base: object, extra: object) -> dict[str, object]:
    """``base`` with ``extra``'s allowlist items added, feature by feature."""
    merged = _features(base)
    for feature, value in _features(extra).items():
        old = _allowlist(merged.get(feature, []))
        new = _allowlist(value)
        if old is None or new is None or "*" in old or "*" in new:
            merged[feature] = value if (old is None or new is None) else ["*"]
            continue
        merged[feature] = old + [item for item in new if item not in old]
    return merged


def apply_layers(values: Mapping[str, Any], layers: Iterable[Layer]) -> dict[str, Any]:
    """Resolve options: ``values`` (the app's) with each layer applied in order."""
    result = dict(values)
    for operation, options in layers:
        for name, value in options.items():
            if (
                operation == "extend"
                and name == "content_security_policy_report_only"
                and result[name] is True
            ):
                # With report_only=True the app's one policy is the
                # report-only policy: extend that, keep reporting only.
                name = "content_security_policy"
            if operation == "extend" and _is_policy(value):
                if name in _CSP_OPTIONS:
                    value = extend_csp(result[name], value, name)
                elif name == "permissions_policy":
                    value = extend_permissions(result[name], value)
            result[name] = value
    return result
