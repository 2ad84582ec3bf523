"""Layering options: app < blueprint < view, by replacing or extending.

``@talisman(...)`` replaces the options it names. ``@talisman.extend(...)``
merges an option with the inherited value where the option's module says
how (:attr:`~.headers.base.Option.extend`: the CSP's sources and the
Permissions-Policy's allowlists); every other option is replaced. Layers
hold normal forms, so nothing is parsed here. They are applied when a
view's policy is compiled, never per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from .errors import ConfigurationError
from .options import SPECS

__all__ = ["Layer", "apply_layers"]

#: ``(operation, {option: normal form})``.
Layer = tuple[Literal["replace", "extend"], Mapping[str, Any]]


def apply_layers(
    values: Mapping[str, Any],
    layers: Iterable[Layer],
    warn: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Resolve options: ``values`` (the app's) with each layer applied in order.

    ``warn`` receives the warnings about merged values (``'none'`` beside
    other sources). A value that is a :class:`ConfigurationError` (the app's
    option is invalid as it is now) stays refused when a layer extends it
    with a policy; a layer that turns the header off replaces it.
    """
    result = dict(values)
    for operation, options in layers:
        for name, value in options.items():
            if operation == "extend":
                if (
                    name == "content_security_policy_report_only"
                    and result[name] is True
                    and isinstance(value, tuple)
                ):
                    # With report_only=True the app's one policy is the
                    # report-only policy: extend that, keep reporting only.
                    name = "content_security_policy"
                merge = SPECS[name].extend
                if merge is not None:
                    base = result[name]
                    if not isinstance(base, ConfigurationError):
                        value = merge(name, base, value, warn)
                    elif value and not isinstance(value, bool):
                        value = base  # what extends a refused value is refused
            result[name] = value
    return result
