"""What ``flask talisman check`` reports: the codes, findings and problems.

Both halves of the linter, the CSP rules (:mod:`flask_talisman.lint_csp`)
and the app checks (:mod:`flask_talisman.lint_app`), report a
:class:`Finding` per endpoint through :class:`Findings`; the command
prints one :class:`Problem` per distinct finding (:func:`group_findings`).
Each finding has a stable ``code``; :data:`CODES` gives every code's
severity, and ``docs/check.rst`` what each one means.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from .errors import suggest

__all__ = [
    "CODES",
    "Finding",
    "Findings",
    "Problem",
    "Severity",
    "group_findings",
    "known_codes",
]

Severity = Literal["error", "warning", "info"]

#: Every finding code and its severity (``docs/check.rst`` explains each).
CODES: Mapping[str, Severity] = MappingProxyType(
    {
        # lint_csp: what lets scripts, plugins or base URLs in.
        "csp-script-src-missing": "error",
        "csp-unsafe-inline": "error",
        "csp-unsafe-eval": "warning",
        "csp-unsafe-hashes": "info",
        "csp-wildcard": "error",
        "csp-scheme-source": "error",
        "csp-script-host-bypass": "error",
        "csp-script-host-allowlist": "info",
        "csp-script-self": "info",
        "csp-strict-dynamic-alone": "info",
        "csp-object-src-missing": "error",
        "csp-object-host-bypass": "error",
        "csp-object-src-not-none": "warning",
        "csp-base-uri-missing": "error",
        "csp-http-source": "warning",
        "csp-short-nonce": "warning",
        # lint_csp: how the policy is written.
        "csp-deprecated-directive": "info",
        "csp-unknown-directive": "warning",
        "csp-duplicate-directive": "warning",
        "csp-missing-semicolon": "warning",
        "csp-unquoted-keyword": "warning",
        "csp-unknown-keyword": "warning",
        # lint_app: the headers a route sends.
        "configuration-error": "error",
        "csp-missing": "error",
        "csp-not-enforced": "warning",
        "csp-static-nonce": "error",
        "csp-report-only-no-endpoint": "warning",
        "csp-report-only-unreported": "info",
        "frame-options-allow-from": "warning",
        "csp-nonce-in-cached-view": "warning",
        # lint_app: the options and configuration.
        "https-not-forced": "warning",
        "hsts-off": "warning",
        "hsts-short": "warning",
        "hsts-preload-ineligible": "warning",
        "session-cookie-insecure": "warning",
        "session-cookie-samesite-none-insecure": "error",
        "harden-cookies-samesite-none-http": "warning",
        "coep-without-corp": "warning",
        "trust-x-forwarded-proto-with-proxyfix": "warning",
        "csrf-unguarded": "warning",
    }
)


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, how bad it is, and how to fix it."""

    #: The endpoint whose responses have it; ``None`` for the whole app.
    endpoint: str | None
    #: The header concerned, e.g. ``"Content-Security-Policy"``, if any.
    header: str | None
    #: The CSP directive concerned, e.g. ``"script-src"``, if any.
    directive: str | None
    severity: Severity
    #: A stable identifier, e.g. ``"csp-unsafe-inline"`` (see :data:`CODES`).
    code: str
    #: What is wrong and the fix.
    message: str

    def to_json(self) -> dict[str, object]:
        """The finding as ``flask talisman check --format json`` prints it."""
        return {
            "endpoint": self.endpoint,
            "header": self.header,
            "directive": self.directive,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Problem:
    """One problem and every endpoint it applies to, as ``check`` prints it.

    :func:`group_findings` makes one of the equal findings of several
    endpoints (same code, header, directive and message).
    """

    #: The endpoints whose responses have it, sorted; ``()`` for the whole
    #: app.
    endpoints: tuple[str, ...]
    header: str | None
    directive: str | None
    severity: Severity
    code: str
    message: str

    def to_json(self, *, ignored: bool = False) -> dict[str, object]:
        """The problem as ``flask talisman check --format json`` prints it."""
        return {
            "endpoints": list(self.endpoints),
            "header": self.header,
            "directive": self.directive,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "ignored": ignored,
        }


_RANK = {"error": 0, "warning": 1, "info": 2}


def group_findings(findings: Iterable[Finding]) -> list[Problem]:
    """One :class:`Problem` per distinct finding, with all its endpoints.

    Errors first, then warnings, then info; within each, in the order first
    found (so app-wide problems lead, as :func:`lint_app` finds them).
    """
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        key = (
            finding.endpoint is None,
            finding.header,
            finding.directive,
            finding.severity,
            finding.code,
            finding.message,
        )
        groups.setdefault(key, []).append(finding)
    problems = [
        Problem(
            tuple(sorted({f.endpoint for f in group if f.endpoint is not None})),
            first.header,
            first.directive,
            first.severity,
            first.code,
            first.message,
        )
        for group in groups.values()
        for first in group[:1]
    ]
    return sorted(problems, key=lambda problem: _RANK[problem.severity])


def known_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    """``codes``, each once, if each is in :data:`CODES`.

    Raises :class:`ValueError` that names the unknown code, ``where`` it
    was given, and the nearest known one.
    """
    codes = tuple(dict.fromkeys(codes))
    for code in codes:
        if code not in CODES:
            raise ValueError(
                f"{where}: {code!r} is not a finding code." + suggest(code, CODES)
            )
    return codes


class Findings:
    """Findings in the order found, each once, for one endpoint (or the
    app) and, by default, one header."""

    def __init__(self, endpoint: str | None, header: str | None) -> None:
        self.endpoint = endpoint
        self.header = header
        self.found: dict[Finding, None] = {}

    def add(
        self,
        code: str,
        directive: str | None,
        message: str,
        *,
        header: str | None = None,
    ) -> None:
        finding = Finding(
            self.endpoint,
            self.header if header is None else header,
            directive,
            CODES[code],
            code,
            message,
        )
        self.found.setdefault(finding, None)

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.found.setdefault(finding, None)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.found)
