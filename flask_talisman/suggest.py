"""The smallest CSP change that would have allowed what browsers reported.

:func:`suggest` reads CSP violation reports against the policy each report's
page gets now, and returns a :class:`Suggestion`: for each directive, the
origins to add (``scheme://host[:port]``, or ``'self'`` for the page's own
origin, or a scheme such as ``data:`` where that is safe), app-wide when
every page that needs a source needs them (or a page no URL rule serves, which
gets the app's own policy), else per view, for ``@talisman.extend(...)``.
It never suggests ``'unsafe-inline'``, ``'unsafe-eval'``, a path or an
extension's scheme: inline code and ``eval`` get advice (a nonce or a hash,
naming the page), and reports that browser extensions cause
(:attr:`Report.from_extension <flask_talisman.report_types.Report.from_extension>`)
are left out.

The policy is read as browsers read it, by the CSP Level 3 matching rules
(:func:`allows`): a source the policy allows already is not suggested, and a
directive the policy lacks starts from the sources of the one it falls back
to (``default-src``), as ``talisman.extend`` starts it. Nothing here knows
Flask but :func:`app_policies`, which reads an app's policies through the
route previews of :mod:`flask_talisman.inspection`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

from .headers.csp import FETCH_DIRECTIVES, NONE, SELF, SOURCE_LIST_DIRECTIVES
from .inspection import Served, default_host, preview
from .lint_csp import _effective, _Source, _source
from .report_groups import blocked_place, subject_of
from .report_types import Report

__all__ = [
    "MAX_ADVICE",
    "PagePolicy",
    "Suggestion",
    "allows",
    "app_policies",
    "suggest",
    "view_replaces",
]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})
# Schemes that may be added to a directive that does not run script.
_SAFE_SCHEMES = frozenset({"data", "blob", "mediastream", "filesystem"})
# Directives whose sources run as script: data: and blob: never go there
# (nor into default-src, which scripts fall back to).
_SCRIPT = frozenset({"script-src", "script-src-elem", "script-src-attr"})
# The element and attribute variants, and the directive a policy usually has.
_VARIANT_OF = {
    "script-src-elem": "script-src",
    "script-src-attr": "script-src",
    "style-src-elem": "style-src",
    "style-src-attr": "style-src",
}

# Directives whose violations get advice, not a source: widening them is
# how an injected element takes over the page.
_NOT_WIDENED = {
    "object-src": "plugins (<object>, <embed>) are obsolete; keep object-src "
    "'none' and replace the element.",
    "base-uri": "a <base> element of another origin redirects every relative "
    "URL of the page, its scripts' too; keep base-uri 'self' or 'none', and "
    "remove the element if the page did not add it.",
    "form-action": "a form that posts to another origin is how injected markup "
    "takes what users type; if the page's own form posts there, add the origin "
    "to form-action yourself.",
    "frame-ancestors": "a site that frames yours can trick users into clicking "
    "(clickjacking); if it is one you let frame the page, add its origin to "
    "frame-ancestors yourself.",
}
# A host as a CSP source can name it (CSP3 host-part: host-chars and dots;
# no IPv6 literal), after IDNA encoding.
_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?\Z")

#: The distinct advice lines a suggestion lists at most (a flood of forged
#: reports could bring one per report); the rest are counted in one line.
MAX_ADVICE = 50

#: ``(endpoint, policy)`` for a page's URL: the endpoint of the URL rule
#: that serves it (``None``: no rule, so the app's own options apply) and
#: the header value its responses get (``None``: no such policy).
PagePolicy = tuple[str | None, str | None]


@dataclass
class Suggestion:
    """What :func:`suggest` found; :meth:`to_json` is the command's JSON."""

    #: The option the sources go into.
    option: str
    #: The disposition of the reports read (``report`` or ``enforce``).
    disposition: str
    #: Sources every page needs (app-wide), by directive.
    add: dict[str, list[str]] = field(default_factory=dict)
    #: The app-wide directives as they would read with ``add``: ready to
    #: paste into the option's dict.
    directives: dict[str, str] = field(default_factory=dict)
    #: Sources only some views need: endpoint -> directive -> sources.
    views: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: What cannot be fixed by a source (inline code, eval...), one line each.
    advice: list[str] = field(default_factory=list)
    #: The suggested sources to check before adding them: those that would
    #: run as script (a report can be forged, and an enforced policy's
    #: reports include the attacks it stopped), one line each.
    review: list[str] = field(default_factory=list)
    #: The directives ``add`` or ``views`` start (the policy lacks them):
    #: directive -> the directive whose sources it starts from.
    started: dict[str, str] = field(default_factory=dict)
    #: How many reports were read, and how many of them were left out, why.
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"add": ..., "advice": ...}`` and the rest of what was found."""
        return {
            "option": self.option,
            "disposition": self.disposition,
            "add": self.add,
            "directives": self.directives,
            "views": self.views,
            "advice": self.advice,
            "review": self.review,
            "started": self.started,
            "counts": self.counts,
        }


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _port(url: SplitResult) -> int | None:
    """The URL's port, or its scheme's default; ``None`` when unreadable."""
    try:
        port = url.port
    except ValueError:
        return None
    return port if port is not None else _DEFAULT_PORTS.get(url.scheme)


def _scheme_matches(expression: str, scheme: str) -> bool:
    # CSP3 "scheme-part matching": an insecure scheme also allows its
    # secure upgrade (http -> https; ws -> wss, and http(s) for ws).
    return (
        expression == scheme
        or (expression == "http" and scheme == "https")
        or (expression == "ws" and scheme in ("wss", "http", "https"))
        or (expression == "wss" and scheme == "https")
    )


def _host_matches(expression: str, host: str) -> bool:
    if expression == "*":
        return True
    if expression.startswith("*."):
        return host.endswith(expression[1:]) and len(host) > len(expression) - 1
    return expression == host


def _port_matches(expression: str, url: SplitResult) -> bool:
    port = _port(url)
    if expression == "*":
        return True
    if expression == "":
        return port is not None and port == _DEFAULT_PORTS.get(url.scheme)
    if not expression.isdigit():
        return False
    wanted = int(expression)
    return port == wanted or (
        wanted == 80 and port == 443 and url.scheme in ("https", "wss")
    )


def _path_matches(expression: str, path: str) -> bool:
    if expression in ("", "/"):
        return True
    if expression.endswith("/"):
        return path.startswith(expression)
    return path == expression


def _self_matches(url: SplitResult, page: SplitResult) -> bool:
    """CSP3's ``'self'``: the page's origin, or its host over a secure
    scheme (or ws from an http page) on the same or default ports."""
    if not url.hostname or url.hostname != page.hostname:
        return False
    same_port = _port(url) == _port(page) or (
        _port(url) == _DEFAULT_PORTS.get(url.scheme)
        and _port(page) == _DEFAULT_PORTS.get(page.scheme)
    )
    if url.scheme == page.scheme and _port(url) == _port(page):
        return True
    return same_port and (
        url.scheme in ("https", "wss")
        or (page.scheme == "http" and url.scheme in ("http", "ws"))
    )


def _source_matches(source: _Source, url: SplitResult, page: SplitResult) -> bool:
    if source.kind == "keyword":
        return source.text == SELF and _self_matches(url, page)
    if source.kind == "scheme":
        return _scheme_matches(source.scheme, url.scheme)
    if source.kind != "host":
        return False  # a nonce or hash allows no URL
    if source.any_host and not source.scheme and not source.port and not source.path:
        # "*": any network scheme, or the page's own.
        return url.scheme in _NETWORK_SCHEMES or url.scheme == page.scheme
    if source.scheme:
        if not _scheme_matches(source.scheme, url.scheme):
            return False
    elif not _scheme_matches(page.scheme, url.scheme):
        return False
    return (
        bool(url.hostname)
        and _host_matches(source.host, url.hostname or "")
        and _port_matches(source.port, url)
        and _path_matches(source.path, url.path or "/")
    )


def allows(sources: Sequence[str], url: str, page: str) -> bool:
    """Whether a source list (``sources``, as written) allows a request for
    ``url`` from a page at ``page``, by CSP Level 3's matching rules.

    ``'none'`` allows nothing; nonces, hashes and keywords other than
    ``'self'`` allow no URL.
    """
    try:
        target, origin = urlsplit(url), urlsplit(page)
    except ValueError:
        return False
    target = _in_ascii(target._replace(scheme=target.scheme.lower()))
    origin = _in_ascii(origin._replace(scheme=origin.scheme.lower()))
    return any(
        _source_matches(source, target, origin)
        for source in (_source(text) for text in sources)
        if source.text != NONE
    )


def _in_ascii(url: SplitResult) -> SplitResult:
    """``url`` with a Unicode host written in IDNA, as a source names it
    (and as :func:`_origin` suggests it); unchanged when it cannot be."""
    host = url.hostname
    if not host or host.isascii():
        return url
    try:
        ascii_host = host.encode("idna").decode("ascii")
        port = url.port
    except (UnicodeError, ValueError):
        return url
    user, at, _ = url.netloc.rpartition("@")
    netloc = user + at + ascii_host + ("" if port is None else f":{port}")
    return url._replace(netloc=netloc)


def _parse(policy: str) -> dict[str, list[str]]:
    """A policy's directives (first wins, as browsers read them)."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = words[1:]
    return directives


def _policies(header: str) -> list[dict[str, list[str]]]:
    # Several policies in one header are joined with commas; each applies.
    return [_parse(policy) for policy in header.split(",") if policy.strip()]


def _origin(url: SplitResult) -> str | None:
    """``scheme://host[:port]``, the port only when not the default;
    ``None`` when the host is not one a CSP source can name (an IPv6
    address, a character a source cannot hold: ``;``, ``*``, a space...).
    A host in Unicode is written in IDNA (punycode), as browsers send it."""
    host = url.hostname
    port = _port(url)
    if not host or port is None:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _HOST.match(host):
        return None
    default = _DEFAULT_PORTS.get(url.scheme)
    return f"{url.scheme}://{host}" + ("" if port == default else f":{port}")


def _is_ip(host: str) -> bool:
    """Whether ``host`` is an IP address a host source cannot match: CSP3
    matches no IP address but 127.0.0.1, and its grammar has no IPv6."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return str(address) != "127.0.0.1"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _page(url: str) -> str:
    """A page's address without its query and fragment, as advice names it."""
    return url.split("#")[0].split("?")[0]


@dataclass
class _Need:
    """The sources one directive of one page's policy must add."""

    sources: list[str] = field(default_factory=list)
    start: str | None = None


def _target(directives: Mapping[str, list[str]], name: str) -> str:
    """The directive of the policy to add a source to for a violation of
    ``name``: itself, or for an element or attribute variant the policy
    lacks (``script-src-elem``), the directive it reads (``script-src``)."""
    if name in directives or name not in _VARIANT_OF:
        return name
    return _VARIANT_OF[name]


class _Reader:
    """The state of one :func:`suggest` run."""

    def __init__(
        self, policy_of: Callable[[str], PagePolicy], disposition: str
    ) -> None:
        self.policy_of = policy_of
        self.disposition = disposition
        self.needs: dict[tuple[str | None, str], _Need] = {}
        self.pages: set[str | None] = set()
        self.advice: dict[str, None] = {}
        self.review: dict[str, None] = {}
        self.advice_left_out = 0
        self.counts = dict.fromkeys(
            (
                "read",
                "not_csp",
                "from_extension",
                "other_disposition",
                "allowed_now",
                "no_policy_now",
                "advice",
                "unreadable",
            ),
            0,
        )

    def read(self, report: Report) -> None:
        self.counts["read"] += 1
        if report.type != "csp-violation":
            self.counts["not_csp"] += 1
            return
        if report.from_extension:
            self.counts["from_extension"] += 1
            return
        disposition = _text(report.body.get("disposition")) or "enforce"
        if disposition != self.disposition:
            self.counts["other_disposition"] += 1
            return
        page_url = _text(report.body.get("documentURL")) or report.url
        name = subject_of(report)
        blocked = _text(report.body.get("blockedURL")).strip()
        endpoint, header = self.policy_of(page_url)
        where = _page(page_url) + (f" (endpoint {endpoint})" if endpoint else "")
        if header is None:
            self.counts["no_policy_now"] += 1
            return
        if name in ("require-trusted-types-for", "trusted-types"):
            self._advise(
                f"A Trusted Types violation ({name}) on {where}: create the "
                "value through a Trusted Types policy, or list the policy's "
                "name in trusted-types."
            )
            return
        if name not in SOURCE_LIST_DIRECTIVES:
            self._advise(
                f"{name or 'A directive'} was violated on {where}: no source "
                "can allow that; see the report (flask talisman reports) for "
                "what the page did."
            )
            return
        if name in _NOT_WIDENED:
            self._advise(
                f"{blocked or 'A URL'} was blocked by {name} on {where}: "
                f"{_NOT_WIDENED[name]}"
            )
            return
        if blocked in ("inline", "eval", "wasm-eval"):
            self._code(blocked, name, where, header)
            return
        self._url(blocked, name, page_url, endpoint, header, where)

    def _advise(self, text: str) -> None:
        self.counts["advice"] += 1
        if text in self.advice or len(self.advice) < MAX_ADVICE:
            self.advice.setdefault(text, None)
        else:
            self.advice_left_out += 1

    def _code(self, blocked: str, name: str, where: str, header: str) -> None:
        if blocked == "inline":
            if name.endswith("-attr"):
                kind = "event handler" if name.startswith("script") else "style"
                self._advise(
                    f"An inline {kind} attribute on {where} was blocked by {name}: "
                    "move it into a script or stylesheet (an element with the "
                    "nonce, csp_nonce()); nonces do not apply to attributes."
                )
                return
            kind = "script" if name.startswith("script") else "style"
            self._advise(
                f"An inline {kind} on {where} was blocked by {name}: if it is "
                f"the page's own, give the <{kind}> element a nonce attribute "
                "from csp_nonce() or allow its hash (csp_hash); otherwise it "
                "was injected. Never add 'unsafe-inline'."
            )
        elif blocked == "eval":
            self._advise(
                f"eval, new Function or a string timer ran on {where} and was "
                f"blocked by {name}: replace it with code that does not "
                "compile strings. Never add 'unsafe-eval'."
            )
        else:  # wasm-eval
            self._advise(
                f"WebAssembly was compiled on {where} and blocked by {name}: "
                "if the page needs it, add 'wasm-unsafe-eval' to script-src."
            )

    def _url(
        self,
        blocked: str,
        name: str,
        page_url: str,
        endpoint: str | None,
        header: str,
        where: str,
    ) -> None:
        if blocked.lower() in _SAFE_SCHEMES:
            blocked += ":"  # Chromium reports a data: URL as "data"
        try:
            url = urlsplit(blocked)
            page = urlsplit(page_url)
        except ValueError:
            url = None
        if url is None or not url.scheme:
            self.counts["unreadable"] += 1
            return
        scheme = url.scheme.lower()
        url = url._replace(scheme=scheme)
        if scheme in _NETWORK_SCHEMES:
            if _self_matches(url, page._replace(scheme=page.scheme.lower())):
                source: str | None = SELF
            elif _is_ip(url.hostname or ""):
                self._advise(
                    f"{blocked_place(blocked)} was blocked by {name} on {where}: "
                    "its host is an IP address, which no CSP source can allow "
                    "(only 127.0.0.1 matches); serve it from a host name."
                )
                return
            else:
                source = _origin(url)
        elif scheme in _SAFE_SCHEMES:
            source = f"{scheme}:"
        else:
            source = None
        if source is None:
            self.counts["unreadable"] += 1
            return
        for directives in _policies(header):
            applied = _effective(directives, name)
            if applied is None:
                continue
            sources = directives[applied]
            # 'strict-dynamic' makes browsers ignore a script directive's
            # URL sources (a fallback's too: default-src's for scripts
            # alone, never for images or fonts).
            dynamic = name in _SCRIPT and "'strict-dynamic'" in (
                s.lower() for s in sources
            )
            if not dynamic and allows(sources, blocked, page_url):
                continue
            target = _target(directives, name)
            if scheme in _SAFE_SCHEMES and (
                target in _SCRIPT or name in _SCRIPT or target == "default-src"
            ):
                self._advise(
                    f"A {source} script on {where} was blocked by {name}: serve "
                    "it as a file from an allowed origin; a script source of "
                    "that scheme lets injected code run."
                )
                return
            if dynamic:
                self._advise(
                    f"{blocked} on {where} was blocked by {name}, whose "
                    "'strict-dynamic' makes browsers ignore origins: load it "
                    "from a script that has the nonce, or give its <script> "
                    "the nonce."
                )
                return
            need = self.needs.setdefault((endpoint, target), _Need())
            if target not in directives and target in FETCH_DIRECTIVES:
                need.start = _effective(directives, target)
            if source not in need.sources:
                need.sources.append(source)
            if source != SELF and (target in _SCRIPT or target == "default-src"):
                self.review.setdefault(
                    f"Check {source} before adding it to {target}: a script "
                    "source runs with the page's rights. Add it only if your "
                    "pages load scripts from there: anyone can post a report, "
                    "and an enforced policy's reports include the attacks it "
                    "stopped.",
                    None,
                )
            self.pages.add(endpoint)
            return
        self.counts["allowed_now"] += 1


def suggest(
    reports: Iterable[Report],
    policy_of: Callable[[str], PagePolicy],
    *,
    disposition: str = "report",
    option: str = "content_security_policy_report_only",
    app_policy: str | None = None,
    replaces: Callable[[str], bool] = lambda endpoint: False,
) -> Suggestion:
    """The sources to add so that ``reports`` would not have happened.

    ``policy_of`` gives a page URL's endpoint and the policy its responses
    get now (the report-only one for ``disposition="report"``, the
    enforced one for ``"enforce"``); reports of the other disposition are
    counted and left out. ``app_policy`` is the app's own policy (what a
    view without options of its own gets): the app-wide directives are
    written out from it. ``replaces(endpoint)`` tells a view that replaces
    ``option`` (``@talisman(...)``): the app's value does not reach it, so
    what it needs is always given for that view.
    """
    reader = _Reader(policy_of, disposition)
    for report in reports:
        reader.read(report)
    found = Suggestion(option, disposition, counts=reader.counts)
    found.advice = list(reader.advice)
    if reader.advice_left_out:
        found.advice.append(
            f"{_plural(reader.advice_left_out, 'more report')} got advice "
            f"beyond the first {MAX_ADVICE} kinds, left out here: see flask "
            "talisman reports for them (a flood of them may be forged)."
        )
    found.review = list(reader.review)
    # A source every page that needs a source needs is app-wide (pages with
    # only inline code to fix do not count, nor views that replace the
    # option: the app's value does not reach them); so is one a page
    # without a URL rule needs (it gets the app's own policy).
    own = {e for e in reader.pages if e is None or not replaces(e)}
    wanted: dict[tuple[str, str], set[str | None]] = {}
    starts: dict[str, str] = {}
    for (endpoint, directive), need in reader.needs.items():
        if need.start is not None:
            starts.setdefault(directive, need.start)
        for source in need.sources:
            wanted.setdefault((directive, source), set()).add(endpoint)
    for (directive, source), endpoints in wanted.items():
        reached = endpoints & own
        app_wide = None in reached or (len(own) > 1 and reached == own)
        if app_wide:
            found.add.setdefault(directive, []).append(source)
        for endpoint in sorted(e for e in endpoints if e is not None):
            if not app_wide or endpoint not in own:
                view = found.views.setdefault(endpoint, {})
                view.setdefault(directive, []).append(source)
    base = _policies(app_policy)[0] if app_policy else {}
    for directive, sources in found.add.items():
        if directive in base:
            start = list(base[directive])
        else:
            applied = (
                _effective(base, directive) if directive in FETCH_DIRECTIVES else None
            )
            start = list(base[applied]) if applied else []
            if applied:
                found.started[directive] = applied
        kept = [s for s in start if _source(s).kind != "nonce" and s.lower() != NONE]
        found.directives[directive] = " ".join(dict.fromkeys([*kept, *sources]))
    for directive, fallback in starts.items():
        found.started.setdefault(directive, fallback)
    found.add = dict(sorted(found.add.items()))
    found.directives = dict(sorted(found.directives.items()))
    found.views = {
        endpoint: dict(sorted(view.items()))
        for endpoint, view in sorted(found.views.items())
    }
    found.started = dict(sorted(found.started.items()))
    return found


# -- the app's policies ----------------------------------------------------------------

_HEADERS = {
    "report": "Content-Security-Policy-Report-Only",
    "enforce": "Content-Security-Policy",
}


def _served(app: Flask, rule: Any, secure: bool, host: str) -> Served:
    served = preview(app, rule, secure=secure, host=host)
    if served.redirect is not None or served.error is not None:
        # Not served that way (redirected to HTTPS): the other way is.
        other = preview(app, rule, secure=not secure, host=host)
        if other.redirect is None and other.error is None:
            return other
    return served


def app_policies(
    app: Flask, disposition: str
) -> tuple[Callable[[str], PagePolicy], str | None, str]:
    """For :func:`suggest`: a page URL's endpoint and policy, by ``app``'s
    URL map and its route previews; the app's own policy; and the option
    that holds the policy of ``disposition``'s reports.

    Raises :class:`RuntimeError` when Talisman is not registered on ``app``.
    """
    if "talisman" not in app.extensions:
        raise RuntimeError(
            "Talisman is not registered on this app; call Talisman(app) or "
            "talisman.init_app(app) in the app (factory) that --app names."
        )
    host = default_host(app)
    name = _HEADERS[disposition]
    cache: dict[tuple[str | None, bool], str | None] = {}

    def policy(rule: Any, secure: bool) -> str | None:
        key = (None if rule is None else rule.endpoint, secure)
        if key not in cache:
            cache[key] = _served(app, rule, secure, host).headers.get(name)
        return cache[key]

    # Mounted under a prefix (APPLICATION_ROOT), the app's URL rules match
    # a page's path without it.
    root = str(app.config.get("APPLICATION_ROOT") or "/").rstrip("/")

    def policy_of(page_url: str) -> PagePolicy:
        try:
            page = urlsplit(page_url)
            adapter = app.url_map.bind(
                page.netloc or host, url_scheme=page.scheme or "https"
            )
            path = page.path or "/"
            if root and (path == root or path.startswith(root + "/")):
                path = path[len(root) :] or "/"
            rule, _ = adapter.match(path, method="GET", return_rule=True)
        except (HTTPException, ValueError):
            rule = None
        secure = not page_url.lower().startswith("http:")
        return (None if rule is None else rule.endpoint, policy(rule, secure))

    options = app.extensions["talisman"].options_for(None)
    option = "content_security_policy"
    if (
        disposition == "report"
        and options["content_security_policy_report_only"] is not True
    ):
        option = "content_security_policy_report_only"
    return policy_of, policy(None, True), option


def view_replaces(app: Flask, option: str) -> Callable[[str], bool]:
    """For :func:`suggest`'s ``replaces``: whether an endpoint's view (or
    its blueprint) replaces ``option`` with ``@talisman(...)`` or a view
    attribute, so that the app's value of it does not reach the view."""
    state = app.extensions["talisman"]
    return lambda endpoint: bool(state.replaces(endpoint, option))
