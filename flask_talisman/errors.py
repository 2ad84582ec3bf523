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

    A value that is wrong on its own is refused where it is configured
    (``Talisman(...)``, ``init_app``, the per-view decorator or an attribute
    assignment). A combination of options that cannot work together is
    refused where the options are used: ``init_app``, the decorator's own
    options, :meth:`Talisman.check`, or the first request that needs them
    (which then fails instead of sending the headers). The message names the
    option, shows the bad value and says how to fix it; :attr:`options` names
    the options of a combination. It subclasses :class:`ValueError`, which
    flask-talisman 1.1.0 raised.
    """

    def __init__(self, message: str, *, options: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        #: For a combination that cannot work: the options involved.
        self.options = options


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
# The warnings already shown for the configuration being checked (one set
# per Talisman instance), or None; and whether warnings are silenced.
_seen: ContextVar[set[str] | None] = ContextVar("talisman_seen", default=None)
_quiet: ContextVar[bool] = ContextVar("talisman_quiet", default=False)
# A record of shown warnings stops growing here (an app that keeps setting
# new values); older messages may then be shown again.
_MAX_SEEN = 1024


@contextmanager
def configuring(seen: set[str] | None = None, *, quiet: bool = False) -> Iterator[None]:
    """Check options with each warning shown at most once per ``seen`` record.

    A Talisman instance passes its own record, so a value checked when it is
    assigned and again when a request compiles it warns once. Nested calls
    without a record share the outer one.
    """
    outer = _seen.get()
    record = seen if seen is not None else (set() if outer is None else outer)
    seen_token = _seen.set(record)
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
        if len(seen) >= _MAX_SEEN:
            seen.clear()
        seen.add(message)
    level = 1
    frame = sys._getframe(0)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(message, ConfigurationWarning, stacklevel=level)
