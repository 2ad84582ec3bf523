"""Layering options: app < blueprint < view, by replacing or extending.

``@talisman(...)`` replaces the options it names. ``@talisman.extend(...)``
merges an option with the inherited value where the option's module says
how (:attr:`~.headers.base.Option.extend`: the CSP's sources and the
Permissions-Policy's allowlists); every other option is replaced. Layers
hold normal forms, so nothing is parsed here. They are applied when a
view's policy is compiled, never per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .errors import ConfigurationError
from .options import SPECS

__all__ = ["Layer", "apply_layers"]

#: ``(operation, {option: normal form})``.
Layer = tuple[Literal["replace", "extend"], Mapping[str, Any]]


def apply_layers(values: Mapping[str, Any], layers: Iterable[Layer]) -> dict[str, Any]:
    """Resolve options: ``values`` (the app's) with each layer applied in order.

    A value that is a :class:`ConfigurationError` (the app's option is
    invalid as it is now) stays refused when a layer extends it.
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
                    if isinstance(result[name], ConfigurationError):
                        continue
                    value = merge(result[name], value)
            result[name] = value
    return result
