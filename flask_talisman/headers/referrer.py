"""Referrer-Policy (W3C Referrer Policy)."""

from __future__ import annotations

from ..errors import ConfigurationError, check_header_text, suggest, type_error
from .base import Header, Option, Resolved, header

__all__ = [
    "DEFAULT_REFERRER_POLICY",
    "OPTIONS",
    "REFERRER_POLICIES",
    "check_referrer_policy",
    "headers",
]

DEFAULT_REFERRER_POLICY = "strict-origin-when-cross-origin"

REFERRER_POLICIES = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)


def check_referrer_policy(option: str, value: object) -> str | None:
    """Return the header value (tokens joined by ``", "``) or ``None``.

    A list gives fallbacks: browsers use the last token they understand
    (the Referrer Policy spec's header parsing).
    """
    if value is None or value is False or value == "" or value == []:
        return None
    if isinstance(value, str):
        check_header_text(option, value)
        tokens = [t.strip() for t in value.split(",")]
    elif isinstance(value, (list, tuple)) and value:
        tokens = []
        for item in value:
            if not isinstance(item, str):
                raise type_error(option, item, "Referrer-Policy tokens as str")
            check_header_text(option, item)
            tokens.append(item.strip())
    else:
        raise type_error(option, value, "a Referrer-Policy str or list of str")
    for token in tokens:
        if token not in REFERRER_POLICIES:
            raise ConfigurationError(
                f"{option}: {token!r} is not a Referrer-Policy value."
                + suggest(token.lower(), REFERRER_POLICIES)
                + " Valid: "
                + ", ".join(REFERRER_POLICIES)
                + "."
            )
    return ", ".join(tokens)


def headers(o: Resolved) -> list[Header]:
    """``Referrer-Policy``."""
    return header("Referrer-Policy", o["referrer_policy"])


OPTIONS = (
    Option(
        "referrer_policy",
        DEFAULT_REFERRER_POLICY,
        check_referrer_policy,
        "Referrer-Policy header; None for none.",
        header="Referrer-Policy",
        example='"no-referrer"',
        section="Other policies",
        details=(
            "``Referrer-Policy``: one of ``no-referrer``, "
            "``no-referrer-when-downgrade``, ``origin``, "
            "``origin-when-cross-origin``, ``same-origin``, ``strict-origin``, "
            "``strict-origin-when-cross-origin``, ``unsafe-url``. A list (or a "
            "comma-separated string) gives fallbacks, of which browsers use the "
            "last one they know (the Referrer Policy spec). Other tokens, "
            "including differently capitalised "
            "ones, are refused. ``None`` sends no header."
        ),
    ),
)
