"""X-Frame-Options (RFC 7034)."""

from __future__ import annotations

from ..errors import (
    ConfigurationError,
    check_header_text,
    type_error,
    warn,
)
from .tokens import single_token

__all__ = ["ALLOW_FROM", "DENY", "SAMEORIGIN", "compile_frame_options"]

DENY = "DENY"
SAMEORIGIN = "SAMEORIGIN"
ALLOW_FROM = "ALLOW-FROM"
_VALUES = (DENY, SAMEORIGIN, ALLOW_FROM)


def check_frame_options(option: str, value: object) -> str | None:
    """Normalise ``frame_options``: DENY, SAMEORIGIN, ALLOW-FROM or off."""
    if value is None or value is False or value == "":
        return None
    if not isinstance(value, str):
        raise type_error(option, value, "DENY, SAMEORIGIN, ALLOW_FROM or None")
    check_header_text(option, value)
    upper = value.strip().upper()
    if upper in _VALUES:
        return upper
    if upper.startswith(ALLOW_FROM):
        raise ConfigurationError(
            f"{option}: {value!r}: pass the origin separately, as "
            "frame_options=ALLOW_FROM, frame_options_allow_from='https://…'."
        )
    raise ConfigurationError(
        f"{option}: {value!r} is not an X-Frame-Options value. Use DENY, "
        "SAMEORIGIN, ALLOW_FROM (with frame_options_allow_from), or None to "
        "send no header."
    )


def check_allow_from(option: str, value: object) -> str | None:
    """An ALLOW-FROM origin is one token."""
    return single_token(
        option, value, "an origin", "Write one origin such as 'https://example.com'."
    )


def frame_ancestors_source(allow_from: str) -> str:
    """The CSP ``frame-ancestors`` source that allows what ``allow_from`` does."""
    if allow_from.upper() in (SAMEORIGIN, "SELF", "'SELF'"):
        return "'self'"
    return allow_from


def compile_frame_options(
    value: str | None, allow_from: str | None, *, csp_frame_ancestors: bool = False
) -> str | None:
    """Return the header value, or ``None`` for no header.

    ``csp_frame_ancestors`` says whether the enforced CSP already has a
    ``frame-ancestors`` directive (then ALLOW-FROM needs no advice).
    """
    if value is None:
        return None
    if value != ALLOW_FROM:
        return value
    if allow_from is None:
        raise ConfigurationError(
            "frame_options: ALLOW_FROM needs an origin in "
            "frame_options_allow_from, e.g. 'https://example.com'.",
            options=("frame_options", "frame_options_allow_from"),
        )
    if not csp_frame_ancestors:
        warn(
            "frame_options: current browsers ignore ALLOW-FROM. Also add "
            f"'frame-ancestors': \"{frame_ancestors_source(allow_from)}\" to "
            "content_security_policy."
        )
    return f"{ALLOW_FROM} {allow_from}"
