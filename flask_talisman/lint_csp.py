"""The CSP half of the linter: what lets an injected script run, and the fix.

:func:`lint_csp` rates one Content-Security-Policy value by the rules of
Google's CSP Evaluator (what lets an injected script run: ``script-src``,
``object-src``, ``base-uri`` and their ``default-src`` fallback, with the
JSONP, AngularJS and Flash hosts of :mod:`flask_talisman.csp_bypasses`)
and a few of our own (syntax slips, deprecated directives). It knows
nothing of Flask: a policy string in, findings out.

Every rule reads a policy's sources in one normal form, the parts the CSP
Level 3 source grammar gives them (scheme, host with its ``*`` wildcards,
port, path; keyword, nonce, hash), so a source is judged by what browsers
match, not by how it is spelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from .csp_bypasses import ANGULAR_URLS, FLASH_URLS, JSONP_NEEDS_EVAL, JSONP_URLS
from .headers.csp import (
    _KEYWORDS,
    _UNQUOTED_PREFIXED,
    FALLBACKS,
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
from .inspection import NONCE_PLACEHOLDER
from .lint_findings import Finding, Findings
from .nonce import is_valid_nonce

__all__ = [
    "CSP",
    "CSP_REPORT_ONLY",
    "DEPRECATED",
    "LACKING",
    "NONCE_SOURCE",
    "PLACEHOLDER_NONCE",
    "lint_csp",
]

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"

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
NONCE_SOURCE = re.compile(r"'(?i:nonce)-(?P<value>[^']*)'\Z")
_HASH = re.compile(r"'(?i:sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'\Z")
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
        nonce = NONCE_SOURCE.match(text)
        if text == PLACEHOLDER_NONCE or (nonce and is_valid_nonce(nonce["value"])):
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


def _parse(policy: str, found: Findings) -> dict[str, list[_Source]]:
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
    """The directive browsers apply for ``name``: itself or its fallback
    (CSP Level 3's lists, :data:`~flask_talisman.headers.csp.FALLBACKS`)."""
    if name in directives:
        return name
    fallbacks = FALLBACKS.get(
        name, ("default-src",) if name in FETCH_DIRECTIVES else ()
    )
    return next((f for f in fallbacks if f in directives), None)


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


def _lint_one(policy: str, found: Findings) -> _Facts:
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
    name: str, sources: Sequence[_Source], active: Sequence[_Source], found: Findings
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


def _lint_values(directives: Mapping[str, list[_Source]], found: Findings) -> None:
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
            match = NONCE_SOURCE.match(source.text)
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


def _lint_syntax(directives: Mapping[str, list[_Source]], found: Findings) -> None:
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
            elif source_list and (
                # A keyword, nonce or hash written without its quotes.
                value.lower() in _KEYWORDS or _UNQUOTED_PREFIXED.match(value)
            ):
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
    found = Findings(endpoint, header)
    facts = [_lint_one(part, found) for part in policy.split(",")]
    missing = Findings(endpoint, header)
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
LACKING = frozenset(
    {
        "csp-script-src-missing",
        "csp-object-src-missing",
        "csp-object-src-not-none",
        "csp-base-uri-missing",
    }
)
