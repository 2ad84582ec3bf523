"""Errors and warnings raised while configuring Talisman."""

from __future__ import annotations

import difflib
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["ConfigurationError", "ConfigurationWarning"]


class ConfigurationError(ValueError):
    """An option has a value that would produce a wrong or unsafe header.

    Raised where the option is configured (``Talisman(...)``, ``init_app``,
    the per-view decorator or an attribute assignment), never per request.
    The message names the option, shows the bad value and says how to fix
    it. It subclasses :class:`ValueError`, which flask-talisman 1.1.0 raised.
    """


class ConfigurationWarning(UserWarning):
    """A value is valid HTTP but probably not what was meant.

    Examples: an unknown CSP directive (``scirpt-src``), HSTS ``preload``
    without ``includeSubDomains``, or a Permissions-Policy allowlist with
    commas. The header is still sent as configured.
    """


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""


def check_header_text(option: str, value: str) -> None:
    """Refuse control characters (CR, LF, NUL...) and non-ASCII in ``value``.

    Header values are ASCII: a control character would break or inject into
    the header, and a WSGI server cannot send most other characters.
    """
    match = _CONTROL.search(value)
    if match is not None:
        raise ConfigurationError(
            f"{option}: {value!r} contains the control character "
            f"{match.group()!r}, which would break or inject into the header. "
            "Remove it."
        )
    if not value.isascii():
        char = next(ch for ch in value if not ch.isascii())
        raise ConfigurationError(
            f"{option}: {value!r} contains the non-ASCII character {char!r}; "
            "header values are ASCII. Write host names in punycode (xn--...) "
            "and percent-encode URLs."
        )


def type_error(option: str, value: object, expected: str) -> ConfigurationError:
    """Build the error for a value of the wrong type."""
    return ConfigurationError(
        f"{option}: expected {expected}, got {value!r} "
        f"({type(value).__name__}). Pass {expected}."
    )


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Messages already warned about in the current configuration step, or None
# outside one; and whether warnings are silenced (lazy per-view compiles).
_seen: ContextVar[set[str] | None] = ContextVar("talisman_seen", default=None)
_quiet: ContextVar[bool] = ContextVar("talisman_quiet", default=False)


@contextmanager
def configuring(*, quiet: bool = False) -> Iterator[None]:
    """One configuration step: each warning is shown at most once in it.

    Nested steps share the outer step's record, so ``Talisman(app, ...)``
    warns once about a value even though it also runs ``init_app``.
    """
    outer = _seen.get()
    seen_token = _seen.set(set() if outer is None else outer)
    quiet_token = _quiet.set(quiet or _quiet.get())
    try:
        yield
    finally:
        _quiet.reset(quiet_token)
        _seen.reset(seen_token)


def warn(message: str) -> None:
    """Emit a :class:`ConfigurationWarning` attributed to the user's code."""
    if _quiet.get():
        return
    seen = _seen.get()
    if seen is not None:
        if message in seen:
            return
        seen.add(message)
    level = 1
    frame = sys._getframe(0)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(message, ConfigurationWarning, stacklevel=level)
