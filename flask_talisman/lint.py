"""The linter behind ``flask talisman check``: what is weak, and the fix.

It has two halves, each readable on its own:

:mod:`flask_talisman.lint_csp`
    :func:`lint_csp` rates one Content-Security-Policy value by the rules of
    Google's CSP Evaluator (what lets an injected script run) and a few of
    our own (syntax slips, deprecated directives).
:mod:`flask_talisman.lint_app`
    :func:`lint_app` lints what an app really sends: the headers of every
    URL rule, as :func:`~flask_talisman.inspection.route_headers` previews
    them, and the options and configuration behind them (HTTPS, HSTS,
    cookies, hosts, proxies).

Both report :class:`Finding` objects (:mod:`flask_talisman.lint_findings`);
:func:`group_findings` makes one :class:`Problem` of equal findings on
several endpoints. Each has a stable ``code``; :data:`CODES` gives every
code's severity, and ``docs/check.rst`` what each one means. This module
gathers the public names.
"""

from __future__ import annotations

from .lint_app import lint_app
from .lint_csp import DEPRECATED, PLACEHOLDER_NONCE, lint_csp
from .lint_findings import (
    CODES,
    Finding,
    Problem,
    Severity,
    group_findings,
    known_codes,
)

__all__ = [
    "CODES",
    "DEPRECATED",
    "PLACEHOLDER_NONCE",
    "Finding",
    "Problem",
    "Severity",
    "group_findings",
    "known_codes",
    "lint_app",
    "lint_csp",
]
