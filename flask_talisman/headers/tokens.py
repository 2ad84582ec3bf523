"""Shared checks for headers whose value is one token from a fixed list."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConfigurationError, check_header_text, suggest, type_error

__all__ = ["is_empty_policy", "one_of", "single_token", "text_or_off"]


def is_empty_policy(policy: object) -> bool:
    """Whether a policy option means "send no header"."""
    return policy is None or policy is False or policy == "" or policy == {}


def text_or_off(option: str, value: object, expected: str) -> str | None:
    """``value`` as header text, or ``None`` for off (``None``, ``False``, ``""``).

    Refuses other types (``expected`` says what to pass) and control or
    non-ASCII characters.
    """
    if value is None or value is False or value == "":
        return None
    if not isinstance(value, str):
        raise type_error(option, value, expected)
    check_header_text(option, value)
    return value


def one_of(option: str, value: object, allowed: Sequence[str]) -> str | None:
    """``value`` if it is one of ``allowed`` (exactly), ``None`` if off."""
    value = text_or_off(option, value, "one of " + ", ".join(map(repr, allowed)))
    if value is None:
        return None
    if value not in allowed:
        raise ConfigurationError(
            f"{option}: {value!r} is not a valid value."
            + suggest(value.lower(), allowed)
            + " Use one of "
            + ", ".join(map(repr, allowed))
            + ", or None for no header."
        )
    return value


def single_token(option: str, value: object, what: str, fix: str) -> str | None:
    """``value`` if it is one token (no whitespace, ``;`` or ``,``), or ``None``.

    ``what`` names the expected value ("a URI"), ``fix`` says how to get one.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise type_error(option, value, f"{what} str")
    check_header_text(option, value)
    if any(ch.isspace() for ch in value) or ";" in value or "," in value:
        raise ConfigurationError(
            f"{option}: {value!r} must be {what} without whitespace, ';' or ','. {fix}"
        )
    return value
