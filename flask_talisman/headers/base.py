"""What a header module declares: its options, and the headers they make.

A header module (``headers/<family>.py``) has two public names:

``OPTIONS``
    An :class:`Option` for each option it reads: name, default, check,
    whether a view may set it, whether a per-view preset leaves it alone,
    how ``@talisman.extend(...)`` merges it, and its documentation.

``headers(options)``
    A pure function from :class:`Resolved` options (every option in its
    normal form) to the module's :class:`Header` values.

Each option's check returns the value's normal form (plain ``str``, tuples,
``bool``, ``int``), which is all that layering and compiling read: nothing
is parsed again after the check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from ..errors import ConfigurationError, type_error

__all__ = [
    "NONCE_SLOT",
    "ORIGIN_SLOT",
    "ROOT_SLOT",
    "Header",
    "Option",
    "Resolved",
    "flag",
    "header",
]

#: Marks where the request's nonce goes in a header value.
NONCE_SLOT = "\x00"
#: Marks where the request's origin (``https://host``) goes.
ORIGIN_SLOT = "\x01"
#: Marks where the path the app is mounted at goes (``""`` unless mounted).
ROOT_SLOT = "\x02"

#: ``check(option name, value) -> normal form``; raises ConfigurationError.
Checker = Callable[[str, Any], Any]
#: ``merge(option, inherited, added, warn) -> normal form``: both normal
#: forms; ``warn(message)`` records a warning about the merged value.
Merger = Callable[[str, Any, Any, Callable[[str], None]], Any]


@dataclass(frozen=True)
class Option:
    """One option: its default, its check, where it may be set, its docs.

    The option's type is declared in :mod:`flask_talisman.option_types`
    (for type checkers); docs/options.rst is generated from the rest.
    """

    name: str
    default: Any
    #: Returns the value's normal form, or raises ConfigurationError.
    check: Checker
    #: A one-line summary.
    doc: str
    _: KW_ONLY
    #: Whether a view or blueprint may set it (``@talisman(...)``).
    per_view: bool = True
    #: Whether ``@talisman(preset=...)`` leaves it as the app set it (how
    #: the app is reached and where its reports go).
    kept_by_presets: bool = False
    #: How ``@talisman.extend(...)`` adds to the inherited value; ``None``
    #: replaces it.
    extend: Merger | None = None
    #: The header or headers the option controls (``", "`` between two), or
    #: ``None`` for an option that controls behaviour.
    header: str | None
    #: A Python expression of a typical value, read with the names of
    #: :mod:`flask_talisman` (``SELF``, ``DENY``...) in scope.
    example: str
    #: The section of docs/options.rst the option is shown in.
    section: str
    #: The full documentation, in reStructuredText (inline markup only).
    details: str


@dataclass(frozen=True, slots=True)
class Header:
    """One header's value on HTTPS and on plain-HTTP responses.

    ``None`` leaves the header out for that kind of request. A value may hold
    :data:`NONCE_SLOT`, :data:`ORIGIN_SLOT` or :data:`ROOT_SLOT`, filled per
    request.
    """

    name: str
    secure: str | None
    plain: str | None


def header(name: str, value: str | None) -> list[Header]:
    """The header ``name`` with the same value on every request (or none)."""
    return [] if value is None else [Header(name, value, value)]


@dataclass(slots=True)
class Resolved:
    """Every option in its normal form, as the ``headers`` functions read it.

    ``reporting=False`` asks for the headers without any report-to group or
    Reporting-Endpoints (for a response whose origin cannot be named);
    ``sampled_out=True`` also leaves out ``report-uri``.
    Warnings about combinations are collected in :attr:`warnings`; the
    extension shows each once, where the combination is configured.
    """

    values: Mapping[str, Any]
    reporting: bool = True
    warnings: list[str] = field(default_factory=list)
    #: The hashes of the app's ``csp_script`` and ``csp_style`` tags.
    inline: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    #: The headers for a response that does not use its nonce: no nonce
    #: source, and no 'unsafe-inline' that the nonce was turning off.
    without_nonce: bool = False
    #: The headers for a response left out of :topt:`reporting_sample_rate`:
    #: no reporting at all, ``report-uri`` included (``reporting`` is
    #: ``False`` too).
    sampled_out: bool = False

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def warn(self, message: str) -> None:
        """Record a warning about this combination of options."""
        if message not in self.warnings:
            self.warnings.append(message)


def flag(option: str, value: object) -> bool:
    """An on/off option: ``True``/``False`` (also ``1``/``0``, and ``None``).

    flask-talisman 1.1.0 read these flags by truth value, so 1 and 0 (as
    written by code that predates bool, or read from a config file) work.
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        raise ConfigurationError(
            f"{option}: {value!r} is a str, and any non-empty str (even "
            "'False' or '0') would read as true. Pass True or False; for an "
            "environment variable, compare it, e.g. os.environ.get(NAME) == '1'."
        )
    raise type_error(option, value, "True or False")
