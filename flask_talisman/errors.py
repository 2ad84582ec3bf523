"""Errors and warnings raised while configuring Talisman."""

from __future__ import annotations

import difflib
import os
import re
import sys
import warnings
from collections.abc import Iterable

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


def choices(word: str, allowed: Iterable[str], lead: str = "Use") -> str:
    """A "did you mean" for ``word``, then every allowed value after ``lead``."""
    allowed = list(allowed)
    return f"{suggest(word, allowed)} {lead} {', '.join(map(repr, allowed))}."


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


def warn(message: str) -> None:
    """Emit a :class:`ConfigurationWarning` attributed to the user's code.

    A check warns when it runs: once where a value is configured, and again
    only when the value is edited in place (once for each app that uses
    it). A combination's warning is shown by the app's state when the
    combination first compiles for an endpoint.
    """
    level = 1
    frame = sys._getframe(0)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(message, ConfigurationWarning, stacklevel=level)
