"""The linter behind ``flask talisman check``: what is weak, and the fix.

:func:`lint_csp` rates one Content-Security-Policy value by the rules of
Google's CSP Evaluator (what lets an injected script run) and a few of our
own (syntax slips, deprecated directives). :func:`lint_app` lints what an
app really sends: the headers of every URL rule, as
:func:`~flask_talisman.inspection.route_headers` previews them, and the
options and configuration behind them (HTTPS, HSTS, cookies, proxies).

Every rule reads a policy's sources in one normal form, the parts the CSP
Level 3 source grammar gives them (scheme, host with its ``*`` wildcards,
port, path; keyword, nonce, hash), so a source is judged by what browsers
match, not by how it is spelled. A route that may serve HTML and sends no
CSP at all is a finding too.

Each :class:`Finding` has a stable ``code``; :data:`CODES` gives every
code's severity, and ``docs/check.rst`` what each one means.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .caching import cached_view
from .csp_bypasses import ANGULAR_URLS, FLASH_URLS, JSONP_NEEDS_EVAL, JSONP_URLS
from .errors import ConfigurationError, suggest
from .headers.csp import (
    _KEYWORDS,
    FETCH_DIRECTIVES,
    KNOWN_DIRECTIVES,
    NONE,
    SELF,
    SOURCE_LIST_DIRECTIVES,
    STRICT_DYNAMIC,
    UNSAFE_EVAL,
    UNSAFE_HASHES,
    UNSAFE_INLINE,
)
from .headers.hsts import PRELOAD_MIN_AGE
from .inspection import NONCE_PLACEHOLDER, Served, route_headers
from .reports import RECEIVER_ENDPOINT

__all__ = [
    "CODES",
    "Finding",
    "Problem",
    "Severity",
    "group_findings",
    "known_codes",
    "lint_app",
    "lint_csp",
]

Severity = Literal["error", "warning", "info"]

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"

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


class _Findings:
    """Findings in the order found, each once."""

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


# -- Content-Security-Policy ----------------------------------------------------

#: The nonce as route previews show it: a fresh, long nonce per request.
PLACEHOLDER_NONCE = f"'nonce-{NONCE_PLACEHOLDER}'"

_SCRIPT_DIRECTIVES = ("script-src", "script-src-elem", "script-src-attr")
# Schemes that let in whatever a host of that scheme serves.
_RISKY_SCHEMES = frozenset({"http", "https", "data"})
_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*"
# scheme-source = scheme ":"
_SCHEME_SOURCE = re.compile(rf"(?P<scheme>{_SCHEME}):\Z")
# host-source = [ scheme "://" ] host [ ":" port ] [ path ], read leniently:
# the host is whatever comes before ":" or "/", so a source browsers would
# drop as malformed is still rated by its host. A leading "//" (no scheme,
# as the Evaluator and the bypass lists write hosts) reads as no scheme.
_HOST_SOURCE = re.compile(
    rf"(?:(?P<scheme>{_SCHEME})://|//)?(?P<host>[^/:]*)"
    r"(?::(?P<port>[^/]*))?(?P<path>/.*)?\Z",
    re.DOTALL,
)
_NONCE = re.compile(r"'(?i:nonce)-(?P<value>[^']*)'\Z")
_BASE64_NONCE = re.compile(r"'(?i:nonce)-[A-Za-z0-9+/_-]+={0,2}'\Z")
_HASH = re.compile(r"'(?i:sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'\Z")
# A keyword, nonce or hash written without its quotes.
_UNQUOTED = re.compile(
    r"(?:(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}|"
    + "|".join(re.escape(k) for k in sorted(_KEYWORDS))
    + r")\Z",
    re.IGNORECASE,
)
_MIN_NONCE = 8

#: Directives browsers dropped or never shipped, and what replaces each.
DEPRECATED: Mapping[str, str] = MappingProxyType(
    {
        "block-all-mixed-content": "browsers now upgrade or block mixed content "
        "on their own; use upgrade-insecure-requests if anything",
        "plugin-types": "browsers removed plugins; set object-src 'none'",
        "prefetch-src": "browsers are removing it; default-src or connect-src "
        "apply instead",
        "navigate-to": "it was removed from CSP Level 3 and never shipped",
        "require-sri-for": "it was removed from the specification; browsers "
        "ignore it (see the integrity_policy option)",
        "referrer": "it was removed in CSP Level 2; use the Referrer-Policy "
        "header (the referrer_policy option)",
        "reflected-xss": "it was removed in CSP Level 2; browsers have removed "
        "their XSS filters too, so leave it out",
        "disown-opener": "it was removed from CSP Level 3; use "
        "Cross-Origin-Opener-Policy (the cross_origin_opener_policy option)",
    }
)
_ALL_DIRECTIVES = KNOWN_DIRECTIVES | DEPRECATED.keys()
# Quoted words valid outside source lists, by directive.
_QUOTED_WORDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "require-trusted-types-for": frozenset({"'script'"}),
        "trusted-types": frozenset({"'none'", "'allow-duplicates'"}),
        "webrtc": frozenset({"'allow'", "'block'"}),
    }
)
_KEYWORD_SOURCES = frozenset(f"'{k}'" for k in _KEYWORDS)

_Kind = Literal["keyword", "nonce", "hash", "scheme", "host", "other"]


@dataclass(frozen=True)
class _Source:
    """One source expression in its normal form, by the CSP3 grammar.

    ``kind`` is ``keyword`` (``'self'``...), ``nonce``, ``hash``, ``scheme``
    (a scheme-source such as ``https:``), ``host`` (a host-source) or
    ``other`` (a quoted word that is none of those, or a host-source without
    a host). ``text`` is the source as written, keywords and schemes in
    lower case (they are case-insensitive). A scheme or host source has its
    parts: ``scheme`` without the ``:``, ``host`` in lower case (``*``,
    ``*.example.com`` or a name), ``port`` (``*`` or digits) and ``path``,
    each ``""`` when absent.
    """

    text: str
    kind: _Kind
    scheme: str = ""
    host: str = ""
    port: str = ""
    path: str = ""

    @property
    def quoted(self) -> bool:
        return self.text.startswith("'")

    @property
    def any_host(self) -> bool:
        """A host-source whose host is ``*``: it allows every host, as
        ``*`` does, whatever port and path it names (``*:*``, ``*:443``,
        ``https://*/``)."""
        return self.kind == "host" and self.host == "*"

    @property
    def public_host(self) -> bool:
        """A host-source naming a host on the internet (with a dot), or a
        ``*.`` family of them: what an allowlist check looks at."""
        return self.kind == "host" and not self.any_host and "." in self.host


def _source(text: str) -> _Source:
    """``text``, one source expression, in its normal form."""
    if text.startswith("'"):
        low = text.lower()
        if low in _KEYWORD_SOURCES:
            return _Source(low, "keyword")
        if text == PLACEHOLDER_NONCE or _BASE64_NONCE.match(text):
            return _Source(text, "nonce")
        if _HASH.match(text):
            return _Source(text, "hash")
        return _Source(text, "other")
    scheme = _SCHEME_SOURCE.match(text)
    if scheme:
        return _Source(text.lower(), "scheme", scheme.group("scheme").lower())
    host = _HOST_SOURCE.match(text)
    if host is None:  # pragma: no cover - the host part matches any text
        return _Source(text, "other")
    return _Source(
        text,
        "host" if host.group("host") else "other",
        (host.group("scheme") or "").lower(),
        host.group("host").lower(),
        host.group("port") or "",
        host.group("path") or "",
    )


def _parse(policy: str, found: _Findings) -> dict[str, list[_Source]]:
    """Directives by lower-case name, as browsers read them (first wins)."""
    directives: dict[str, list[_Source]] = {}
    for part in policy.split(";"):
        words = part.split()
        if not words:
            continue
        name = words[0].lower()
        if name in directives:
            first = " ".join([name, *(s.text for s in directives[name])])
            found.add(
                "csp-duplicate-directive",
                name,
                f"{name} is given more than once; browsers use the first one "
                f"({first!r}) and ignore {' '.join(words)!r}. Merge them into "
                "one directive.",
            )
            continue
        directives[name] = list(dict.fromkeys(_source(w) for w in words[1:]))
    return directives


def _effective(directives: Mapping[str, object], name: str) -> str | None:
    """The directive browsers apply for ``name``: itself or its fallback."""
    if name in directives:
        return name
    if name in ("script-src-elem", "script-src-attr") and "script-src" in directives:
        return "script-src"
    if name in FETCH_DIRECTIVES and "default-src" in directives:
        return "default-src"
    return None


def _texts(sources: Iterable[_Source]) -> list[str]:
    return [s.text for s in sources]


def _allowing(sources: Sequence[_Source]) -> list[_Source]:
    """The sources that allow something.

    ``'none'`` allows nothing, alone; beside other sources browsers ignore
    it and the others apply (CSP3: only a list of just ``'none'`` matches
    nothing).
    """
    return [s for s in sources if s.text != NONE]


def _keyed(sources: Sequence[_Source]) -> bool:
    return any(s.kind in ("nonce", "hash") for s in sources)


def _active(sources: Sequence[_Source]) -> list[_Source]:
    """The script sources CSP Level 3 browsers honour.

    A nonce or hash turns off ``'unsafe-inline'``; ``'strict-dynamic'``
    turns off it, ``'self'``, hosts and schemes; ``'none'`` beside other
    sources is ignored.
    """
    texts = _texts(sources)
    dynamic = STRICT_DYNAMIC in texts
    keyed = _keyed(sources)
    return [
        s
        for s in _allowing(sources)
        if not (s.text == UNSAFE_INLINE and (keyed or dynamic))
        and not (dynamic and (s.text == SELF or not s.quoted))
    ]


def _matches(source: _Source, url: _Source) -> bool:
    """Whether the host source ``source`` allows the list entry ``url``.

    By the host and the path, as the CSP Evaluator matches them (the scheme
    and the port are not compared): ``*.`` allows subdomains only; a path
    ending in ``/`` is a prefix, any other path must be exact.
    """
    host, path = source.host, source.path
    if host.startswith("*."):
        if not url.host.endswith(host[1:]):
            return False
    elif host != url.host:
        return False
    if path in ("", "/"):
        return True
    if path.endswith("/"):
        return url.path.startswith(path)
    return url.path == path


def _entries(urls: Iterable[str]) -> tuple[tuple[str, _Source], ...]:
    """A bypass list's entries (``//host/path``), each with its normal form."""
    return tuple((url[2:], _source(url)) for url in urls)


_JSONP = _entries(JSONP_URLS)
_ANGULAR = _entries(ANGULAR_URLS)
_FLASH = _entries(FLASH_URLS)


def _script_bypass(source: _Source, texts: Sequence[str]) -> str | None:
    """Why the allowlisted ``source`` lets any script run, if it does."""
    kinds = []
    for url, entry in _JSONP:
        if _matches(source, entry) and (
            entry.host not in JSONP_NEEDS_EVAL or UNSAFE_EVAL in texts
        ):
            kinds.append(f"JSONP endpoints (such as {url})")
            break
    for url, entry in _ANGULAR:
        if _matches(source, entry):
            kinds.append(f"AngularJS (such as {url})")
            break
    return " and ".join(kinds) or None


@dataclass
class _Facts:
    """What one policy does, for the checks that look at a set of policies."""

    scripts: bool = False
    objects: bool = False
    base_uri: bool = False
    needs_base_uri: bool = False


_PURPOSE = {
    "scripts": (
        "scripts",
        "use a nonce with 'strict-dynamic' (flask_talisman.NONCE) or list exact hosts",
    ),
    "objects": ("plugins (<object>, <embed>)", "set object-src 'none'"),
    "base": ("<base> URLs", "set base-uri 'none' or 'self'"),
}


def _lint_one(policy: str, found: _Findings) -> _Facts:
    directives = _parse(policy, found)
    facts = _Facts()
    _lint_syntax(directives, found)
    # Sources that let anything in, by (directive, source): what for.
    open_sources: dict[tuple[str, _Source], list[str]] = {}

    def wide(directive: str, sources: Iterable[_Source], purpose: str) -> set[_Source]:
        hits = set()
        for source in sources:
            if source.any_host or (
                source.kind == "scheme" and source.scheme in _RISKY_SCHEMES
            ):
                open_sources.setdefault((directive, source), []).append(purpose)
                hits.add(source)
        return hits

    # Scripts: script-src, -elem and -attr, each through its fallback.
    script_src = _effective(directives, "script-src")
    facts.scripts = script_src is not None
    # Each directive once: script-src-elem may fall back to script-src.
    effective = dict.fromkeys(_effective(directives, n) for n in _SCRIPT_DIRECTIVES)
    for name in filter(None, effective):
        sources = directives[name]
        active = _active(sources)
        if any(s.kind == "nonce" for s in sources) or (
            _keyed(sources) and STRICT_DYNAMIC in _texts(sources)
        ):
            facts.needs_base_uri = True
        _lint_script(name, sources, active, found)
        wide(name, active, "scripts")
    # Plugins: object-src, else default-src.
    object_src = _effective(directives, "object-src")
    facts.objects = object_src is not None
    if object_src is not None:
        sources = _allowing(directives[object_src])
        flagged = wide(object_src, sources, "objects")
        for source in sources:
            if source in flagged or not source.public_host:
                continue
            for url, entry in _FLASH:
                if _matches(source, entry):
                    flagged.add(source)
                    found.add(
                        "csp-object-host-bypass",
                        object_src,
                        f"{source.text} in {object_src} allows {url}, a Flash "
                        "file that runs script in the page. Set object-src "
                        "'none'.",
                    )
                    break
        # Keywords other than 'self' (and nonces, hashes) load no plugin.
        rest = [
            s.text
            for s in sources
            if s not in flagged and (s.text == SELF or not s.quoted)
        ]
        if rest:
            found.add(
                "csp-object-src-not-none",
                object_src,
                f"{object_src} {' '.join(_texts(directives[object_src]))} lets "
                f"<object> and <embed> load {', '.join(rest)} (the effective "
                "object-src). Nothing needs plugins any more: set "
                "object-src 'none'.",
            )
    # <base>: base-uri (no fallback).
    if "base-uri" in directives:
        facts.base_uri = True
        wide("base-uri", _allowing(directives["base-uri"]), "base")
    for (directive, source), purposes in open_sources.items():
        what = " and ".join(_PURPOSE[p][0] for p in purposes)
        fix = "; ".join(_PURPOSE[p][1] for p in purposes)
        if source.any_host:
            code = "csp-wildcard"
            anything = "any host"
            if source.port or source.path:
                anything += " (a port or path does not narrow the host *)"
        else:
            code = "csp-scheme-source"
            anything = f"any {source.text} URL"
        found.add(
            code,
            directive,
            f"{source.text} in {directive} lets {what} come from {anything}, "
            f"so an injected tag can load the attacker's. Remove it: {fix}.",
        )
    _lint_values(directives, found)
    return facts


def _lint_script(
    name: str, sources: Sequence[_Source], active: Sequence[_Source], found: _Findings
) -> None:
    live = _texts(active)
    if UNSAFE_INLINE in live:
        found.add(
            "csp-unsafe-inline",
            name,
            f"'unsafe-inline' in {name} lets injected inline scripts and event "
            "handlers run, which undoes most of what a CSP is for. Add a nonce "
            "(flask_talisman.NONCE; browsers then ignore 'unsafe-inline') and "
            'put nonce="{{ csp_nonce() }}" on each <script>, or hash the '
            "inline scripts with csp_hash().",
        )
    if UNSAFE_EVAL in live:
        found.add(
            "csp-unsafe-eval",
            name,
            f"'unsafe-eval' in {name} lets strings that reach eval(), "
            "new Function() or setTimeout() run as code. Remove it, and rewrite "
            "or replace the code that needs it.",
        )
    if UNSAFE_HASHES in live:
        found.add(
            "csp-unsafe-hashes",
            name,
            f"'unsafe-hashes' in {name} lets the event handlers whose hashes "
            "are listed run. Move those handlers into scripts "
            "(addEventListener) and remove 'unsafe-hashes'.",
        )
    if STRICT_DYNAMIC in _texts(sources) and not _keyed(sources):
        found.add(
            "csp-strict-dynamic-alone",
            name,
            f"'strict-dynamic' in {name} without a nonce or hash blocks every "
            "script in current browsers. Add a nonce (flask_talisman.NONCE).",
        )
    if name == "script-src-attr":
        return
    hosts = []
    for source in active:
        if source.text == SELF:
            found.add(
                "csp-script-self",
                name,
                f"'self' in {name} lets every script this origin serves run: a "
                "JSONP endpoint, an AngularJS copy or an uploaded file on it "
                "would defeat the policy. Fine if the site serves none of "
                "those; else use a nonce with 'strict-dynamic' instead.",
            )
        elif source.public_host:
            bypass = _script_bypass(source, live)
            if bypass is None:
                hosts.append(source.text)
                continue
            found.add(
                "csp-script-host-bypass",
                name,
                f"{source.text} in {name} serves {bypass}, through which an "
                "injected script tag runs any code. Remove it: load its scripts "
                "with a nonce and 'strict-dynamic' (flask_talisman.NONCE, "
                "STRICT_DYNAMIC).",
            )
    if hosts:
        found.add(
            "csp-script-host-allowlist",
            name,
            f"{name} trusts the hosts {', '.join(hosts)}: any JSONP endpoint "
            "or AngularJS copy on them would defeat the policy (none is "
            "known). Prefer a nonce with 'strict-dynamic' to host allowlists.",
        )


def _lint_values(directives: Mapping[str, list[_Source]], found: _Findings) -> None:
    for name, sources in directives.items():
        # Hosts and schemes that 'strict-dynamic' turns off are not loaded.
        live = _active(sources) if name in _SCRIPT_DIRECTIVES else sources
        plain = [s.text for s in live if s.scheme == "http" and s.kind != "scheme"]
        if plain and name == "report-uri":
            found.add(
                "csp-http-source",
                name,
                f"report-uri {' '.join(plain)} sends violation reports over "
                "plain HTTP, where they can be read or changed. Use https://.",
            )
        elif plain:
            found.add(
                "csp-http-source",
                name,
                f"{name} allows {', '.join(plain)} over plain HTTP, where a "
                "network attacker can change what is loaded. Use https://.",
            )
        for source in sources:
            match = _NONCE.match(source.text)
            if (
                match
                and source.text != PLACEHOLDER_NONCE
                and len(match.group("value")) < _MIN_NONCE
            ):
                found.add(
                    "csp-short-nonce",
                    name,
                    f"The nonce {source.text} in {name} is shorter than "
                    f"{_MIN_NONCE} characters and can be guessed. Use "
                    "flask_talisman.NONCE, which gets a fresh random nonce "
                    "on every request.",
                )


def _lint_syntax(directives: Mapping[str, list[_Source]], found: _Findings) -> None:
    for name, sources in directives.items():
        if name in DEPRECATED:
            found.add(
                "csp-deprecated-directive",
                name,
                f"{name} is deprecated: {DEPRECATED[name]}. Remove it.",
            )
        elif name not in _ALL_DIRECTIVES:
            colon = (
                " Directive names do not end with a colon."
                if name.endswith(":")
                else ""
            )
            found.add(
                "csp-unknown-directive",
                name,
                f"{name!r} is not a CSP directive, and browsers ignore it.{colon} "
                "Check the spelling.",
            )
        source_list = name in SOURCE_LIST_DIRECTIVES
        allowed = _QUOTED_WORDS.get(name)
        for source in sources:
            value = source.text
            if value.lower() in _ALL_DIRECTIVES:
                found.add(
                    "csp-missing-semicolon",
                    name,
                    f"{value!r} in {name} looks like a directive, not a "
                    f"source. Put a ';' before it.",
                )
            elif source_list and _UNQUOTED.match(value):
                found.add(
                    "csp-unquoted-keyword",
                    name,
                    f"{value} in {name} is not quoted, so browsers read it as a "
                    f"host name. Write '{value}' (the constants in "
                    "flask_talisman, such as SELF and NONE, carry the quotes).",
                )
            elif source.quoted and (
                (source_list and source.kind == "other")
                or (allowed is not None and value.lower() not in allowed)
            ):
                found.add(
                    "csp-unknown-keyword",
                    name,
                    f"{value} in {name} is not a CSP keyword; browsers ignore "
                    "it. Check the spelling ('self', 'none', "
                    "'strict-dynamic', 'nonce-...', 'sha256-...').",
                )


def lint_csp(
    policy: str,
    *,
    header: str = CSP,
    endpoint: str | None = None,
) -> list[Finding]:
    """Lint one Content-Security-Policy header value.

    ``policy`` is the header value as sent (a ``,`` separates policies, all
    of which browsers enforce). ``'nonce-{nonce}'``, the per-request nonce
    in route previews, counts as a nonce of adequate length. ``header`` and
    ``endpoint`` are copied into each :class:`Finding`.
    """
    found = _Findings(endpoint, header)
    facts = [_lint_one(part, found) for part in policy.split(",")]
    missing = _Findings(endpoint, header)
    if not any(f.scripts for f in facts):
        missing.add(
            "csp-script-src-missing",
            "script-src",
            "The policy has neither script-src nor default-src, so it lets "
            "any script run. Add script-src with a nonce and 'strict-dynamic' "
            "(flask_talisman.NONCE, STRICT_DYNAMIC), or default-src 'self'.",
        )
    if not any(f.objects for f in facts):
        missing.add(
            "csp-object-src-missing",
            "object-src",
            "The policy has neither object-src nor default-src, so <object> "
            "and <embed> can load plugins that run script. Add object-src "
            "'none'.",
        )
    if any(f.needs_base_uri for f in facts) and not any(f.base_uri for f in facts):
        missing.add(
            "csp-base-uri-missing",
            "base-uri",
            "The policy trusts scripts by nonce (or hash with "
            "'strict-dynamic') but has no base-uri: an injected <base> tag "
            "can point the page's relative script URLs at another host, and "
            "they load with the nonce. Add base-uri 'none' (or 'self').",
        )
    return [*missing, *found]


#: Codes about what a policy lacks or leaves to default-src; a second,
#: report-only policy beside an enforced one lacks them harmlessly.
_LACKING = frozenset(
    {
        "csp-script-src-missing",
        "csp-object-src-missing",
        "csp-object-src-not-none",
        "csp-base-uri-missing",
    }
)


# -- The app ----------------------------------------------------------------------


def _proxy_fix(app: Flask) -> ProxyFix | None:
    """The ProxyFix that sets the scheme, among the app's WSGI wrappers."""
    wsgi: object = app.wsgi_app
    seen: set[int] = set()
    while wsgi is not None and id(wsgi) not in seen:
        seen.add(id(wsgi))
        if isinstance(wsgi, ProxyFix) and wsgi.x_proto > 0:
            return wsgi
        wsgi = getattr(wsgi, "app", None)
    return None


def _option_findings(
    app: Flask, options: Mapping[str, Any], endpoint: str | None, found: _Findings
) -> None:
    """What the resolved options of the app (or of one endpoint) get wrong."""
    hsts = "Strict-Transport-Security"
    if not options["force_https"] and not app.debug and endpoint != RECEIVER_ENDPOINT:
        found.add(
            "https-not-forced",
            None,
            "force_https is off: plain-HTTP requests are served, "
            "not redirected to HTTPS. Turn it on, unless a proxy in front of "
            "the app already redirects.",
        )
    max_age = options["strict_transport_security_max_age"]
    if not options["strict_transport_security"]:
        found.add(
            "hsts-off",
            None,
            "strict_transport_security is off: browsers may "
            "reach the site over plain HTTP again. Turn it on.",
            header=hsts,
        )
    elif max_age < PRELOAD_MIN_AGE:
        found.add(
            "hsts-short",
            None,
            f"strict_transport_security_max_age is {max_age}, "
            "under a year, so browsers soon forget to insist on HTTPS. Use "
            f"at least {PRELOAD_MIN_AGE} (one year).",
            header=hsts,
        )
    if (
        options["strict_transport_security"]
        and options["strict_transport_security_preload"]
        and (
            not options["strict_transport_security_include_subdomains"]
            or max_age < PRELOAD_MIN_AGE
        )
    ):
        found.add(
            "hsts-preload-ineligible",
            None,
            "strict_transport_security_preload is on, but the "
            "preload list requires includeSubDomains and a max-age of at "
            f"least {PRELOAD_MIN_AGE}. Set "
            "strict_transport_security_include_subdomains=True and "
            f"strict_transport_security_max_age={PRELOAD_MIN_AGE} or more.",
            header=hsts,
        )
    if (
        options["harden_cookies"]
        and options["harden_cookies_samesite"] == "None"
        and (app.debug or not options["force_https"])
    ):
        found.add(
            "harden-cookies-samesite-none-http",
            None,
            "harden_cookies_samesite='None', and responses are also served "
            "over plain HTTP: browsers refuse SameSite=None without Secure, so "
            "Talisman leaves SameSite out there and those cookies stay "
            "same-site. Serve the view over HTTPS only (force_https) or use "
            "'Lax'.",
            header="Set-Cookie",
        )
    if (
        options["cross_origin_embedder_policy"] == "require-corp"
        and options["cross_origin_resource_policy"] is None
    ):
        found.add(
            "coep-without-corp",
            None,
            "cross_origin_embedder_policy='require-corp' without "
            "cross_origin_resource_policy: cross-origin isolated pages, on "
            "your other origins too, cannot embed these responses. Set "
            "cross_origin_resource_policy ('same-origin', 'same-site' or, "
            "for public assets, 'cross-origin').",
            header="Cross-Origin-Resource-Policy",
        )
    proxy = _proxy_fix(app)
    if options["trust_x_forwarded_proto"] and proxy is not None:
        found.add(
            "trust-x-forwarded-proto-with-proxyfix",
            None,
            "trust_x_forwarded_proto is on, but ProxyFix "
            f"(x_proto={proxy.x_proto}) already sets the scheme from the "
            "proxies it trusts; Talisman would also take the raw "
            "X-Forwarded-Proto header, a client's own wherever a proxy passes "
            "it on. Set trust_x_forwarded_proto=False.",
        )


def _cookie_findings(app: Flask, found: _Findings) -> None:
    """The session cookie's flags, from ``app.config``."""
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    samesite = app.config.get("SESSION_COOKIE_SAMESITE")
    if not secure and not app.debug:
        found.add(
            "session-cookie-insecure",
            None,
            "SESSION_COOKIE_SECURE is off: browsers also send the session "
            "cookie over plain HTTP, where it can be stolen. Leave "
            "session_cookie_secure=True (the default) and do not set "
            "SESSION_COOKIE_SECURE=False.",
            header="Set-Cookie",
        )
    if isinstance(samesite, str) and samesite.lower() == "none" and not secure:
        found.add(
            "session-cookie-samesite-none-insecure",
            None,
            "The session cookie has SameSite=None without Secure, which "
            "browsers refuse, so no session lasts. Set SESSION_COOKIE_SECURE "
            "(session_cookie_secure=True; Talisman skips it in debug mode) or "
            "use session_cookie_samesite='Lax'.",
            header="Set-Cookie",
        )


def _directives_of(policy: str) -> dict[str, list[str]]:
    """Every policy's directives of one header value, the first of each."""
    directives: dict[str, list[str]] = {}
    for words in filter(None, (p.split() for p in policy.replace(",", ";").split(";"))):
        directives.setdefault(words[0].lower(), words[1:])
    return directives


def _reports(policy: str) -> bool:
    directives = _directives_of(policy)
    return bool(directives.get("report-uri") or directives.get("report-to"))


def _header_findings(headers: Mapping[str, str], found: _Findings) -> None:
    """Lint the headers of one response."""
    enforced = headers.get(CSP)
    for name in (CSP, CSP_REPORT_ONLY):
        value = headers.get(name)
        if value is None:
            continue
        findings = lint_csp(value, header=name, endpoint=found.endpoint)
        if name == CSP_REPORT_ONLY and enforced is not None:
            # A second policy only adds restrictions: what it lacks, the
            # enforced one decides.
            findings = [f for f in findings if f.code not in _LACKING]
        found.extend(findings)
        for directive, values in _directives_of(value).items():
            for word in values:
                if _NONCE.match(word) and word != PLACEHOLDER_NONCE:
                    found.add(
                        "csp-static-nonce",
                        directive,
                        f"{word} in {directive} is written into the options, "
                        "so every response carries the same nonce and an "
                        "injected script can copy it. Use flask_talisman.NONCE, "
                        "which Talisman replaces by a fresh nonce per request.",
                        header=name,
                    )
    frame = headers.get("X-Frame-Options", "")
    if frame.upper().startswith("ALLOW-FROM") and (
        enforced is None or "frame-ancestors" not in _directives_of(enforced)
    ):
        found.add(
            "frame-options-allow-from",
            None,
            f"X-Frame-Options: {frame} is ignored by current browsers, and the "
            "CSP has no frame-ancestors, so any site can frame this page. Add "
            "frame-ancestors with that origin to content_security_policy.",
            header="X-Frame-Options",
        )


_MISSING = (
    "No Content-Security-Policy is sent, not even a report-only one, so "
    "nothing stops an injected script. Set content_security_policy "
    "(Talisman's default, or a nonce with 'strict-dynamic': "
    "flask_talisman.NONCE, STRICT_DYNAMIC) and do not turn it off for a "
    "view: a CSP does no harm to responses that are not HTML."
)
#: What a static file can be that runs script in the page: a document.
_DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _sends_csp(names: Iterable[str]) -> bool:
    names = {name.lower() for name in names}
    return CSP.lower() in names or CSP_REPORT_ONLY.lower() in names


def _serves_documents(app: Flask, endpoint: str) -> bool:
    """Whether ``endpoint`` may answer with a page that runs scripts.

    Views are not run to see, so any view may; not a static folder's
    endpoint (``static``, ``<blueprint>.static``) when the folder holds no
    HTML file.
    """
    blueprint = app.blueprints.get(endpoint.removesuffix(".static"))
    if endpoint == "static":
        folder = app.static_folder
    elif endpoint.endswith(".static") and blueprint is not None:
        folder = blueprint.static_folder
    else:
        return True
    if folder is None:
        return True  # a view of the app's own named "static"
    return any(
        mimetypes.guess_type(name)[0] in _DOCUMENT_TYPES
        for _, _, files in os.walk(folder)
        for name in files
    )


def _missing_csp_findings(
    served: Sequence[tuple[bool, Served]], found: _Findings
) -> None:
    """A page served without any CSP, or with a report-only one alone."""
    if not all(_sends_csp(response.headers) for _, response in served):
        found.add("csp-missing", None, _MISSING, header=CSP)
        return
    alone = [r.headers[CSP_REPORT_ONLY] for _, r in served if CSP not in r.headers]
    # One that reports nowhere is csp-report-only-no-endpoint.
    if alone and all(_reports(policy) for policy in alone):
        found.add(
            "csp-not-enforced",
            None,
            "The only CSP is report-only: browsers report what it would "
            "block, and block nothing, so an injected script runs. Enforce "
            "it (content_security_policy_report_only=False) once its "
            "reports show that the pages keep working.",
            header=CSP_REPORT_ONLY,
        )


def _report_only_findings(
    served: Sequence[tuple[bool, Served]], found: _Findings
) -> None:
    """A report-only CSP that reports nowhere (HTTPS first, then plain HTTP)."""
    for secure, response in sorted(served, key=lambda item: not item[0]):
        headers = response.headers
        policy = headers.get(CSP_REPORT_ONLY)
        if policy is None or _reports(policy):
            continue
        where = (
            "" if secure else " over plain HTTP, where Talisman leaves report-to out"
        )
        if CSP not in headers:
            found.add(
                "csp-report-only-no-endpoint",
                None,
                "The only CSP is report-only and names no report-uri or "
                f"report-to{where}: it neither blocks nor reports anything. Add "
                "content_security_policy_report_uri (or report_receiver), or "
                "enforce the policy.",
                header=CSP_REPORT_ONLY,
            )
        else:
            found.add(
                "csp-report-only-unreported",
                None,
                "The report-only CSP beside the enforced one names no "
                f"report-uri or report-to{where}: its violations only show in "
                "the browser console. Add report_receiver (or "
                "content_security_policy_report_uri) to collect them.",
                header=CSP_REPORT_ONLY,
            )
        return


def _options(
    app: Flask, endpoint: str | None, found: _Findings
) -> Mapping[str, Any] | None:
    """The resolved options, or ``None`` (and a finding) if they do not work."""
    try:
        options: Mapping[str, Any] = app.extensions["talisman"].options_for(endpoint)
    except ConfigurationError as error:
        _configuration_error(str(error), found)
        return None
    return options


def _configuration_error(error: str, found: _Findings) -> None:
    found.add(
        "configuration-error",
        None,
        f"{error.removeprefix('ConfigurationError: ')} Requests fail until the "
        "options are fixed (Talisman.check() raises for every such problem).",
    )


def _cached_view_findings(app: Flask, endpoint: str, found: _Findings) -> None:
    """A view cached by Flask-Caching whose CSP has a nonce."""
    if cached_view(app, endpoint) is None:
        return
    try:
        uses_nonce = app.extensions["talisman"].policy_for(endpoint).uses_nonce
    except ConfigurationError:  # reported as configuration-error
        return
    if uses_nonce:
        found.add(
            "csp-nonce-in-cached-view",
            None,
            "the view is cached by Flask-Caching (@cache.cached) and its CSP "
            "has a nonce. A cached page would carry another request's nonce, "
            "so Talisman removes each page that renders csp_nonce() from the "
            "cache as soon as it is stored: the view renders for every "
            "request. Allow its inline scripts by hash instead of a nonce "
            "({% csp_script %} in the template, and no nonce in the view's "
            "policy), or stop caching the view.",
            header=CSP,
        )


def lint_app(app: Flask, *, endpoint: str | None = None) -> list[Finding]:
    """Lint everything Talisman does for ``app``: its options and every route.

    App-wide findings (``endpoint`` ``None``) come first: the options of the
    app as a whole and its session cookie. Then, for each endpoint in the
    order of :func:`~flask_talisman.inspection.route_headers` (or for
    ``endpoint`` alone), the findings of the headers its URL rules send over
    HTTPS and, where they are served rather than redirected, over plain HTTP
    (each CSP header through :func:`lint_csp`), and of its resolved options
    where those differ from the app's. A static folder's endpoint that
    serves no HTML is judged as static files: its options are, the CSP rules
    for pages are not. A finding is given once per endpoint, and not for an
    endpoint when the app-wide finding already says it;
    :func:`group_findings` makes one of each problem. Raises
    :class:`RuntimeError` when Talisman is not registered on ``app``, and
    :class:`LookupError` when ``endpoint`` has no URL rule.
    """
    routes = route_headers(app, endpoint=endpoint)
    app_wide = _Findings(None, None)
    state = app.extensions["talisman"]
    try:
        policy = state.policy_for(None)
    except ConfigurationError as error:
        _configuration_error(str(error), app_wide)
    else:
        # The app's own policy, which error pages and every view without
        # options of its own get.
        if not _sends_csp(policy.secure.names | policy.insecure.names):
            app_wide.add("csp-missing", None, _MISSING, header=CSP)
    options = _options(app, None, app_wide)
    if options is not None:
        _option_findings(app, options, None, app_wide)
    _cookie_findings(app, app_wide)
    result = list(app_wide)
    said = {(f.header, f.directive, f.code, f.message) for f in result}
    served: dict[str, list[tuple[bool, Served]]] = {}
    for route in routes:
        served.setdefault(route.endpoint, []).extend(
            [(True, route.https), (False, route.http)]
        )
    for name, responses in served.items():
        found = _Findings(name, None)
        options = _options(app, name, found)
        if options is not None:
            _option_findings(app, options, name, found)
        pages = _serves_documents(app, name)
        documents = []
        for secure, response in responses:
            if response.error is not None:
                _configuration_error(response.error, found)
            elif response.redirect is None:
                documents.append((secure, response))
                if pages:
                    _header_findings(response.headers, found)
        if pages:
            _missing_csp_findings(documents, found)
            _report_only_findings(documents, found)
            _cached_view_findings(app, name, found)
        result.extend(
            f for f in found if (f.header, f.directive, f.code, f.message) not in said
        )
    return result
