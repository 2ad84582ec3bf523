"""X-Frame-Options (RFC 7034)."""

from __future__ import annotations

from ..errors import ConfigurationError
from .base import Header, Option, Resolved, header
from .tokens import single_token, text_or_off

__all__ = ["ALLOW_FROM", "DENY", "OPTIONS", "SAMEORIGIN", "headers"]

DENY = "DENY"
SAMEORIGIN = "SAMEORIGIN"
ALLOW_FROM = "ALLOW-FROM"
_VALUES = (DENY, SAMEORIGIN, ALLOW_FROM)


def check_frame_options(option: str, value: object) -> str | None:
    """Normalise ``frame_options``: DENY, SAMEORIGIN, ALLOW-FROM or off."""
    value = text_or_off(option, value, "DENY, SAMEORIGIN, ALLOW_FROM or None")
    if value is None:
        return None
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


def headers(o: Resolved) -> list[Header]:
    """``X-Frame-Options``; ALLOW-FROM needs its origin."""
    value = o["frame_options"]
    if value != ALLOW_FROM:
        return header("X-Frame-Options", value)
    allow_from = o["frame_options_allow_from"]
    if allow_from is None:
        raise ConfigurationError(
            "frame_options: ALLOW_FROM needs an origin in "
            "frame_options_allow_from, e.g. 'https://example.com'.",
            options=("frame_options", "frame_options_allow_from"),
        )
    # The enforced CSP (none with report_only=True) may say it already.
    enforced = (
        ()
        if o["content_security_policy_report_only"] is True
        else (o["content_security_policy"])
    )
    if not any(name.lower() == "frame-ancestors" for name, _ in enforced):
        o.warn(
            "frame_options: current browsers ignore ALLOW-FROM. Also add "
            f"'frame-ancestors': \"{frame_ancestors_source(allow_from)}\" to "
            "content_security_policy."
        )
    return header("X-Frame-Options", f"{ALLOW_FROM} {allow_from}")


OPTIONS = (
    Option(
        "frame_options",
        SAMEORIGIN,
        check_frame_options,
        "X-Frame-Options: DENY, SAMEORIGIN, ALLOW_FROM or None.",
        header="X-Frame-Options",
        example="DENY",
        section="Framing",
        details=(
            "``X-Frame-Options``: ``DENY`` (no page may frame this one), "
            "``SAMEORIGIN`` (pages of the same origin may) or ``ALLOW_FROM``. "
            "Case-insensitive, sent in upper case. ``None`` sends no header. Other "
            'strings, including ``"ALLOW-FROM https://a.example"`` written as one '
            "value, are refused."
        ),
    ),
    Option(
        "frame_options_allow_from",
        None,
        check_allow_from,
        "The origin for frame_options=ALLOW_FROM.",
        header="X-Frame-Options",
        example='"https://partner.example"',
        section="Framing",
        details=(
            "The origin for ``frame_options=ALLOW_FROM``, giving ``ALLOW-FROM "
            "<origin>``. One token without whitespace, ``,`` or ``;``. "
            "``ALLOW_FROM`` without it raises "
            ":class:`~flask_talisman.ConfigurationError` (at the same moments as "
            ":topt:`content_security_policy_report_only` without a report URI), and "
            "using it warns because Chromium, Firefox and WebKit ignore "
            "``ALLOW-FROM`` and let any origin frame the page "
            "(``tests/browser/test_doc_claims.py``): add a ``frame-ancestors`` "
            "directive to the CSP instead."
        ),
    ),
)
