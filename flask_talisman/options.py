"""The option registry, assembled from the modules that own the options.

Each header module (``headers/<family>.py``) declares its options beside the
function that turns them into headers; :mod:`.https`, :mod:`.cookies` and
:mod:`.reports` declare the options of the HTTPS redirect, the cookies and
the report receiver, and :mod:`.cross_origin_protection` those of the
cross-origin request checks. This module puts them together and holds what every
option shares: name checks, the check that turns a value into its normal
form, and the change detection for values the user edits in place.

Resolution, most specific last: defaults < preset < ``TALISMAN_*`` config <
``Talisman(...)`` keywords < ``init_app`` keywords < blueprint < view. The
user's own dicts and lists are held, never copied or wrapped, so an edit
made through any reference to them takes effect, as in flask-talisman
1.1.0. :func:`watch` and :func:`unchanged` tell when one was edited, so its
normal form is computed again only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import cookies, cross_origin_protection, https, reports
from .errors import ConfigurationError, suggest
from .headers import MODULES
from .headers.base import Option
from .headers.csp import DEFAULT_CSP_POLICY, GOOGLE_CSP_POLICY
from .headers.structured import (
    DEFAULT_DOCUMENT_POLICY,
    DEFAULT_FEATURE_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
)

__all__ = [
    "DEFAULT_NORMAL",
    "KEPT_BY_PRESETS",
    "PER_VIEW",
    "SPECS",
    "Checked",
    "Watch",
    "check_kept",
    "check_options",
    "check_value",
    "checked_defaults",
    "defaults",
    "from_config",
    "normal_forms",
    "own",
    "unchanged",
    "watch",
]

_SPECS = (
    *(option for module in MODULES for option in module.OPTIONS),
    *https.OPTIONS,
    *cookies.OPTIONS,
    *reports.OPTIONS,
    *cross_origin_protection.OPTIONS,
)

#: Every option, by name.
SPECS: Mapping[str, Option] = MappingProxyType({s.name: s for s in _SPECS})
#: Options a view (``@talisman(...)``) may set.
PER_VIEW: frozenset[str] = frozenset(s.name for s in _SPECS if s.per_view)
#: Options a per-view preset leaves as the app set them.
KEPT_BY_PRESETS: frozenset[str] = frozenset(s.name for s in _SPECS if s.kept_by_presets)


def check_name(option: str, *, where: str, per_view: bool = False) -> None:
    """Refuse an unknown option name, with a "did you mean" hint."""
    if option not in SPECS:
        raise ConfigurationError(
            f"{where}: unknown option {option!r}." + suggest(option, SPECS)
        )
    if per_view and option not in PER_VIEW:
        raise ConfigurationError(
            f"{where}: {option!r} cannot be set per view: it configures the "
            "app as a whole (the session cookie or the report receiver). Pass "
            "it to Talisman(...) or init_app(...)."
        )


def plain(value: Any) -> Any:
    """``value`` with every str, int and float in it as exactly that type.

    A ``str`` subclass (a ``(str, Enum)`` member among them) compares equal
    to its text but may render differently through ``str()`` or
    ``format()``: what is validated, and sent, is the text itself. Mappings
    become dicts and lists and tuples keep their type; anything else is left
    for the option's check to accept or refuse.
    """
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, set):
        return {plain(v) for v in value}
    if isinstance(value, frozenset):
        return frozenset(plain(v) for v in value)
    return value


def check_value(option: str, value: Any) -> Any:
    """Validate one option's value and return its normal form (plain types).

    Raises :class:`ConfigurationError`, also for a value that breaks the
    check itself (a ``__repr__`` that raises, a structure nested too deep).
    """
    try:
        return SPECS[option].check(option, plain(value))
    except ConfigurationError:
        raise
    except Exception as error:
        raise ConfigurationError(
            f"{option}: the value of type {type(value).__name__} could not be "
            f"checked ({type(error).__name__}: {error}). Pass a value of the "
            "type the option documents."
        ) from None


@dataclass(frozen=True, slots=True)
class Checked:
    """An option's value as the user gave it, its normal form, and a watch.

    The normal form stays valid until :meth:`edited`: something in the
    object was changed in place since it was checked.
    """

    value: Any
    normal: Any
    watched: Watch

    def edited(self) -> bool:
        """Whether the value was edited in place since it was checked."""
        return not unchanged(self.watched)

    def current(self, value: Any) -> bool:
        """Whether ``value`` is this object, unedited since it was checked."""
        return value is self.value and not self.edited()


def check_kept(option: str, value: Any) -> Checked:
    """Check ``value`` on its own; keep it with its normal form.

    The check reads the copy the watch compares with, so an edit made on
    another thread meanwhile is never half-read: it is seen as a change,
    and checked, when the option is next used.
    """
    copies, watched = watch([value])
    return Checked(value, check_value(option, copies[0]), watched)


def check_options(
    options: Mapping[str, Any], *, where: str, per_view: bool = False
) -> dict[str, Checked]:
    """Check each name and each value on its own.

    The values are kept as they are (the user's own objects, or copies of
    the package's constants), beside their normal forms; combinations are
    checked when the options are compiled.
    """
    for name in options:
        check_name(name, where=where, per_view=per_view)
    return {name: check_kept(name, own(value)) for name, value in options.items()}


def normal_forms(checked: dict[str, Checked]) -> dict[str, Any]:
    """Each option's normal form, checked again where it was edited in place.

    ``checked`` is updated with the new checks. A value that is invalid now
    gets its :class:`ConfigurationError` as its normal form, so that a view
    overriding it still compiles.
    """
    normal: dict[str, Any] = {}
    for name, entry in checked.items():
        if entry.edited():
            try:
                entry = checked[name] = check_kept(name, entry.value)
            except ConfigurationError as error:
                normal[name] = error
                continue
        normal[name] = entry.normal
    return normal


def own(value: Any) -> Any:
    """``value`` to keep: the object itself, or a copy of one of our constants.

    The package's policy constants (``DEFAULT_CSP_POLICY``,
    ``GOOGLE_CSP_POLICY``, ...) are copied, as flask-talisman 1.1.0 copied
    them, so editing an app's policy in place never changes them for every
    other app in the process.
    """
    if any(value is constant for constant in _CONSTANTS):
        return _copy(value)
    return value


@dataclass(frozen=True, slots=True)
class Watch:
    """The user's dicts and lists among some options, and copies to compare.

    :func:`unchanged` compares all of them in one tuple comparison, then the
    key order of every top-level dict with more than one key (``==`` on
    dicts ignores order, which is the order of a header's directives).
    Nested dicts and numbers are copied as :class:`_Ordered` and
    :class:`_Typed`, which compare order and type too (``1 == True`` in
    Python, but not in a header). An object that differs from its copy even
    right after copying (a type with its own ``==``) is compared by its
    ``repr`` instead.
    """

    objects: tuple[Any, ...] = ()
    copies: tuple[Any, ...] = ()
    #: ``(dict, its keys in order)`` for each top-level dict with several keys.
    ordered: tuple[tuple[Any, tuple[Any, ...]], ...] = ()
    #: ``(object, its repr)`` for objects that never equal their copy.
    opaque: tuple[tuple[Any, str], ...] = ()


def _copy(value: Any) -> Any:
    # A plain deep copy of the containers in ``value``: what is checked. A
    # set stays a set (and a frozenset a frozenset), as the check names it.
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, set):
        return set(value)
    if isinstance(value, frozenset):
        return frozenset(value)
    return value


def _kind(value: object) -> type | None:
    # The type a number is rendered as: True, 1 and 1.0 are three headers.
    for kind in (bool, int, float):
        if isinstance(value, kind):
            return kind
    return None


class _Typed:
    """A number in a comparison copy: equal only to a number of its kind."""

    __slots__ = ("kind", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.kind = _kind(value)

    def __eq__(self, other: object) -> bool:
        return _kind(other) is self.kind and bool(other == self.value)

    __hash__ = None  # type: ignore[assignment]


class _Ordered(dict[Any, Any]):
    """A nested dict in a comparison copy: equal only with the same key order."""

    __slots__ = ()

    # As a dict subclass it is asked first when compared with a plain dict.
    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Mapping)
            and tuple(other) == tuple(self)
            and tuple(other.values()) == tuple(self.values())
        )

    __hash__ = None


def _compare_copy(value: Any, top: bool = False) -> Any:
    if isinstance(value, Mapping):
        copy = {k: _compare_copy(v) for k, v in value.items()}
        return _Ordered(copy) if not top and len(copy) > 1 else copy
    if isinstance(value, list):
        return [_compare_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_compare_copy(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if _kind(value) is not None:
        return _Typed(value)
    return value


# A copy taken while another thread resizes the dict fails; it is retaken.
_COPY_ATTEMPTS = 100


def watch(values: Iterable[Any]) -> tuple[list[Any], Watch]:
    """Copies of ``values`` and what tells when one is edited in place.

    Returns plain copies (what a value is checked from, so that an edit made
    on another thread meanwhile cannot reach the check halfway) and a :class:`Watch` of
    every dict or list among ``values``, which :func:`unchanged` compares.
    The user's objects are never wrapped or written to.
    """
    items = list(values)
    for _ in range(_COPY_ATTEMPTS - 1):
        try:
            return _watch(items)
        except RuntimeError:  # resized by another thread while copied
            continue
    return _watch(items)  # pragma: no cover - resized during 99 copies in a row


def _watch(values: list[Any]) -> tuple[list[Any], Watch]:
    copies: list[Any] = []
    objects: list[Any] = []
    compared: list[Any] = []
    ordered: list[tuple[Any, tuple[Any, ...]]] = []
    opaque: list[tuple[Any, str]] = []
    for value in values:
        copies.append(_copy(value))
        if not isinstance(value, (Mapping, list, tuple, set)):
            continue
        comparison = _compare_copy(value, top=True)
        if value != comparison:
            opaque.append((value, repr(value)))
            continue
        objects.append(value)
        compared.append(comparison)
        if isinstance(comparison, dict) and len(comparison) > 1:
            ordered.append((value, tuple(comparison)))
    return copies, Watch(tuple(objects), tuple(compared), tuple(ordered), tuple(opaque))


def unchanged(watched: Watch) -> bool:
    """Whether no watched object was edited since :func:`watch` copied it."""
    try:
        return watched.objects == watched.copies and rest_unchanged(watched)
    except Exception:  # edited by another thread while compared, or worse
        return False


def rest_unchanged(watched: Watch) -> bool:
    """The key order and the opaque objects (once ``objects == copies``)."""
    for mapping, keys in watched.ordered:
        if tuple(mapping) != keys:
            return False
    for value, text in watched.opaque:  # noqa: SIM110 - no generator per request
        if repr(value) != text:
            return False
    return True


_CONSTANTS = (
    DEFAULT_CSP_POLICY,
    GOOGLE_CSP_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
    DEFAULT_DOCUMENT_POLICY,
    DEFAULT_FEATURE_POLICY,
)


def defaults() -> dict[str, Any]:
    """A fresh copy of every option's default (edits never reach the module's)."""
    return {name: _copy(spec.default) for name, spec in SPECS.items()}


def checked_defaults() -> dict[str, Checked]:
    """:func:`defaults`, each checked (their normal forms are computed once)."""
    values = defaults()
    return {
        name: Checked(value, DEFAULT_NORMAL[name], watch([value])[1])
        for name, value in values.items()
    }


#: ``TALISMAN_*`` config keys that are no option: the preset, and the codes
#: ``flask talisman check`` ignores.
NOT_OPTIONS = frozenset({"TALISMAN_PRESET", "TALISMAN_CHECK_IGNORE"})


def from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Read ``TALISMAN_<OPTION>`` keys (e.g. from ``from_prefixed_env()``)."""
    options = {}
    for key, value in config.items():
        if key.startswith("TALISMAN_") and key not in NOT_OPTIONS:
            name = key[len("TALISMAN_") :].lower()
            if name not in SPECS:
                raise ConfigurationError(
                    f"app.config[{key!r}]: unknown option {name!r}."
                    + suggest(name, SPECS)
                )
            options[name] = value
    return options


#: Every option's default in its normal form.
DEFAULT_NORMAL: Mapping[str, Any] = MappingProxyType(
    {name: check_value(name, spec.default) for name, spec in SPECS.items()}
)
