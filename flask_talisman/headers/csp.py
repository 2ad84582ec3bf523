"""Content-Security-Policy: validation and compilation to a nonce template.

A policy compiles to a tuple of string parts. Per request the extension
joins the parts with the request's nonce (``nonce.join(parts)``); a policy
without a nonce is a single part, used as is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..errors import (
    ConfigurationError,
    check_header_text,
    suggest,
    type_error,
    warn,
)
from .base import NONCE_SLOT, ROOT_SLOT, Header, Option, Resolved
from .reporting import REPORT_ONLY_QUERY, check_endpoint_name
from .tokens import is_empty_policy, single_token

__all__ = [
    "DEFAULT_CSP_POLICY",
    "GOOGLE_CSP_POLICY",
    "NONCE",
    "NONE",
    "OPTIONS",
    "REPORT_SAMPLE",
    "SELF",
    "STRICT_DYNAMIC",
    "UNSAFE_EVAL",
    "UNSAFE_HASHES",
    "UNSAFE_INLINE",
    "WASM_UNSAFE_EVAL",
    "check_csp",
    "csp_hash",
    "extend_csp",
    "headers",
    "parse_directives",
]

SELF = "'self'"
NONE = "'none'"
UNSAFE_INLINE = "'unsafe-inline'"
UNSAFE_EVAL = "'unsafe-eval'"
UNSAFE_HASHES = "'unsafe-hashes'"
STRICT_DYNAMIC = "'strict-dynamic'"
WASM_UNSAFE_EVAL = "'wasm-unsafe-eval'"
REPORT_SAMPLE = "'report-sample'"
#: Placeholder source: replaced by ``'nonce-<this request's nonce>'``.
NONCE = "'nonce'"

Directives = list[tuple[str, list[str]]]
#: The normal form of a policy: ``(name, sources)`` for each directive.
Policy = tuple[tuple[str, tuple[str, ...]], ...]

DEFAULT_CSP_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "object-src": "'none'",
}
#: Policy for sites using Google Fonts, Maps, YouTube and hosted libraries.
GOOGLE_CSP_POLICY: dict[str, str] = {
    "font-src": "'self' themes.googleusercontent.com *.gstatic.com",
    "frame-src": "'self' www.google.com www.youtube.com",
    "script-src": "'self' ajax.googleapis.com *.googleanalytics.com "
    "*.google-analytics.com",
    "style-src": "'self' ajax.googleapis.com fonts.googleapis.com *.gstatic.com",
    "object-src": "'none'",
    "default-src": "'self' *.gstatic.com",
}

# Directives whose value is a source list (CSP Level 3 and drafts).
SOURCE_LIST_DIRECTIVES = frozenset(
    {
        "child-src",
        "connect-src",
        "default-src",
        "fenced-frame-src",
        "font-src",
        "frame-src",
        "img-src",
        "manifest-src",
        "media-src",
        "object-src",
        "prefetch-src",
        "script-src",
        "script-src-attr",
        "script-src-elem",
        "style-src",
        "style-src-attr",
        "style-src-elem",
        "worker-src",
        "base-uri",
        "form-action",
        "frame-ancestors",
        "navigate-to",
    }
)
OTHER_DIRECTIVES = frozenset(
    {
        "block-all-mixed-content",
        "plugin-types",
        "report-to",
        "report-uri",
        "require-sri-for",
        "require-trusted-types-for",
        "sandbox",
        "trusted-types",
        "upgrade-insecure-requests",
        "webrtc",
    }
)
KNOWN_DIRECTIVES = SOURCE_LIST_DIRECTIVES | OTHER_DIRECTIVES
# Source-list directives that fall back to default-src when absent.
FETCH_DIRECTIVES = SOURCE_LIST_DIRECTIVES - {
    "default-src",
    "base-uri",
    "form-action",
    "frame-ancestors",
    "navigate-to",
}
NONCE_DIRECTIVES = frozenset(
    {"default-src", "script-src", "script-src-elem", "style-src", "style-src-elem"}
)
#: Directives for inline event handlers and style attributes: browsers
#: ignore nonces there, so none is ever added to them.
ATTRIBUTE_DIRECTIVES = frozenset({"script-src-attr", "style-src-attr"})
#: Where an absent directive takes its sources from, nearest first (CSP
#: Level 3, "Get the effective directive for inline checks" and the
#: fallback lists); fetch directives not listed fall back to default-src.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "script-src-elem": ("script-src", "default-src"),
    "script-src-attr": ("script-src", "default-src"),
    "style-src-elem": ("style-src", "default-src"),
    "style-src-attr": ("style-src", "default-src"),
    "worker-src": ("child-src", "script-src", "default-src"),
    "frame-src": ("child-src", "default-src"),
}

_KEYWORDS = frozenset(
    {
        "self",
        "none",
        "unsafe-inline",
        "unsafe-eval",
        "unsafe-hashes",
        "strict-dynamic",
        "report-sample",
        "wasm-unsafe-eval",
        "unsafe-allow-redirects",
        "inline-speculation-rules",
        "trusted-types-eval",
        "report-sha256",
        "report-sha384",
        "report-sha512",
    }
)
# Quoted words that are valid in the non-source-list directives.
_OTHER_QUOTED = frozenset({"script", "allow-duplicates", "allow", "block"})
_HASH_BYTES = {"sha256": 32, "sha384": 48, "sha512": 64}
_NAME = re.compile(r"[A-Za-z0-9-]+\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}\Z")
_PREFIXED = re.compile(r"(nonce|sha\d+)-", re.IGNORECASE)
# An unquoted nonce or hash: a host name would have a dot or end otherwise.
_UNQUOTED_PREFIXED = re.compile(
    r"(nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}\Z", re.IGNORECASE
)


def _check_name(option: str, name: object) -> str:
    if not isinstance(name, str):
        raise type_error(option, name, "directive names as str")
    check_header_text(option, name)
    if any(ch in name for ch in ";,"):
        raise ConfigurationError(
            f"{option}: directive name {name!r} contains ';' or ',', which would "
            "inject another directive or policy. Give each directive its own key."
        )
    if any(ch.isspace() for ch in name):
        raise ConfigurationError(
            f"{option}: directive name {name!r} contains whitespace. Put the "
            "sources in the value: {'script-src': \"'self'\"}."
        )
    if not _NAME.match(name):
        raise ConfigurationError(
            f"{option}: {name!r} is not a valid directive name (letters, digits "
            "and '-' only)."
        )
    return name


def _tokens(option: str, name: str, value: object) -> list[str]:
    if value is None:
        return []
    items: Iterable[object]
    if isinstance(value, str):
        items = (value,)
    elif isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, (set, frozenset)):
        # flask-talisman 1.1.0 joins any iterable; a set's is made stable.
        items = sorted(value, key=repr)
    else:
        raise type_error(f"{option}[{name!r}]", value, "a str or a list of str sources")
    tokens: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise type_error(f"{option}[{name!r}]", item, "str sources")
        check_header_text(f"{option}[{name!r}]", item)
        tokens.extend(item.split())
    return tokens


def _check_quoted(where: str, token: str, source_list: bool) -> None:
    inner = token[1:-1]
    low = inner.lower()
    if low in _KEYWORDS or low in _OTHER_QUOTED or token == NONCE:
        return
    prefixed = _PREFIXED.match(inner)
    if prefixed:
        kind = prefixed.group(1).lower()
        data = inner[prefixed.end() :]
        if kind != "nonce" and kind not in _HASH_BYTES:
            raise ConfigurationError(
                f"{where}: {token!r} uses the unsupported hash algorithm "
                f"{kind!r}. Use sha256, sha384 or sha512."
            )
        if not _BASE64.match(data):
            raise ConfigurationError(
                f"{where}: {token!r} is not valid base64 after '{kind}-'. "
                "Encode the value with base64."
            )
        if kind != "nonce":
            padded = data.replace("-", "+").replace("_", "/")
            padded += "=" * (-len(padded) % 4)
            try:
                digest = base64.b64decode(padded, validate=True)
            except (binascii.Error, ValueError):  # e.g. one character too many
                digest = b""
            if len(digest) != _HASH_BYTES[kind]:
                raise ConfigurationError(
                    f"{where}: {token!r} decodes to {len(digest)} bytes but a "
                    f"{kind} digest has {_HASH_BYTES[kind]}. Use csp_hash() or "
                    f"`openssl dgst -{kind} -binary | base64`."
                )
        return
    known = sorted(f"'{k}'" for k in _KEYWORDS | _OTHER_QUOTED)
    warn(
        f"{where}: {token!r} is not a CSP keyword and browsers will ignore it."
        + suggest(token, known)
    )


def _check_token(option: str, name: str, token: str, source_list: bool) -> None:
    where = f"{option}[{name!r}]"
    if ";" in token or "," in token:
        raise ConfigurationError(
            f"{where}: source {token!r} contains ';' or ',', which would inject "
            "a directive or a second policy. Give each directive its own key."
        )
    quoted = token.startswith("'") or token.endswith("'")
    if quoted:
        if len(token) < 3 or token[0] != "'" or token[-1] != "'" or "'" in token[1:-1]:
            raise ConfigurationError(
                f"{where}: {token!r} has unbalanced quotes. Keywords are quoted "
                "on both sides: \"'self'\"."
            )
        if source_list:
            _check_quoted(where, token, source_list)
        return
    if not source_list:
        return
    low = token.lower()
    if low in _KEYWORDS or _UNQUOTED_PREFIXED.match(token):
        raise ConfigurationError(
            f"{where}: {token!r} should be quoted: \"'{token}'\". Unquoted, "
            "browsers read it as a host name. The constants in flask_talisman "
            "(SELF, NONE, ...) carry the quotes."
        )


def csp_hash(source: str | bytes, algorithm: str = "sha256") -> str:
    """The quoted hash source that allows one inline script or style.

    ``source`` is the exact text between the tags (a ``str`` is encoded as
    UTF-8). ``csp_hash("alert(1)")`` returns ``"'sha256-…'"``, ready to put in a
    ``script-src`` list. In templates, the ``csp_script`` and ``csp_style``
    tags hash what they hold (see ``docs/csp.rst``).
    """
    if algorithm not in _HASH_BYTES:
        raise ConfigurationError(
            f"csp_hash: algorithm {algorithm!r} is not supported by CSP. Use "
            "'sha256', 'sha384' or 'sha512'."
        )
    data = source.encode() if isinstance(source, str) else source
    digest = hashlib.new(algorithm, data).digest()
    return f"'{algorithm}-{base64.b64encode(digest).decode()}'"


def parse_directives(
    option: str, policy: object, *, check_sources: bool = True
) -> Directives:
    """Normalise a policy given as a mapping or a string into directives.

    ``check_sources`` applies the CSP source-expression rules (quoting of
    keywords, nonce and hash syntax) to source-list directives.
    Raises :class:`ConfigurationError` for anything that could break the
    header; warns about well-formed but unknown names and keywords.
    """
    raw: list[tuple[object, object]]
    if isinstance(policy, str):
        check_header_text(option, policy)
        raw = []
        for part in policy.split(";"):
            words = part.split()
            if words:
                raw.append((words[0], words[1:]))
    elif isinstance(policy, Mapping):
        raw = list(policy.items())
    else:
        raise type_error(option, policy, "a dict or a str policy")

    directives: Directives = []
    position: dict[str, int] = {}
    for key, value in raw:
        name = _check_name(option, key)
        low = name.lower()
        if check_sources and low not in KNOWN_DIRECTIVES and low not in position:
            warn(
                f"{option}: {name!r} is not a known CSP directive and browsers "
                "will ignore it." + suggest(low, KNOWN_DIRECTIVES)
            )
        tokens = _tokens(option, name, value)
        source_list = check_sources and low in SOURCE_LIST_DIRECTIVES
        for token in tokens:
            _check_token(option, name, token, source_list)
        if source_list:
            _warn_if_none_is_ignored(option, name, tokens, warn)
        if low in position:
            # Every occurrence is checked above; the last one is kept, in the
            # first one's place, as flask-talisman 1.1.0 did (applications
            # append a directive to a policy string to override it).
            earlier = directives[position[low]]
            warn(
                f"{option}: directive {earlier[0]!r} is given more than once; "
                f"the last value ({' '.join([name, *tokens])!r}) replaces "
                f"{' '.join([earlier[0], *earlier[1]])!r}. Give it once to "
                "silence this warning."
            )
            directives[position[low]] = (name, tokens)
            continue
        position[low] = len(directives)
        directives.append((name, tokens))
    return directives


def check_nonce_in(option: str, value: object) -> tuple[str, ...]:
    """Validate ``content_security_policy_nonce_in``: directive names."""
    if value is None or value is False:
        return ()
    names: Sequence[object]
    if isinstance(value, str):
        names = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        names = value
    elif isinstance(value, (set, frozenset)):  # 1.1.0 only asks `in`
        names = sorted(value, key=repr)
    else:
        raise type_error(option, value, "a list of directive names")
    result: list[str] = []
    for name in names:
        checked = _check_name(option, name)
        if checked.lower() in ATTRIBUTE_DIRECTIVES:
            warn(
                f"{option}: {checked!r} does not take nonces (browsers ignore "
                "them on attributes, and a nonce there would turn off its "
                "'unsafe-inline'), so none is added to it. Put nonces in "
                f"{checked.lower()[:-5]}-elem or {checked.lower()[:-5]}."
            )
        elif checked.lower() not in NONCE_DIRECTIVES:
            warn(
                f"{option}: {checked!r} does not take nonces; browsers honour "
                "nonces in "
                + ", ".join(sorted(NONCE_DIRECTIVES))
                + "."
                + suggest(checked.lower(), NONCE_DIRECTIVES)
            )
        if checked not in result:
            result.append(checked)
    return tuple(result)


def check_report_uri(option: str, value: object) -> str | None:
    """Validate a report URI: one token, no separators."""
    return single_token(option, value, "a URI", "Percent-encode those characters.")


def check_csp(option: str, policy: object) -> Policy:
    """A policy (a dict or a header string) in its normal form; ``()`` is none."""
    if is_empty_policy(policy):
        return ()
    return tuple(
        (name, tuple(tokens)) for name, tokens in parse_directives(option, policy)
    )


_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1"})


def check_report_only(option: str, value: object) -> bool | Policy:
    """``True`` (send the one policy as report-only), ``False``, or a policy."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):  # truth value, as in 1.1.0
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        raise ConfigurationError(
            f"{option}: {value!r} is a str, not a policy or a bool. Pass True "
            "or False (or a policy: a dict or a CSP str)."
        )
    return check_csp(option, value)


def _warn_if_none_is_ignored(
    option: str, name: str, tokens: Sequence[str], warn: Callable[[str], None]
) -> None:
    if len(tokens) > 1 and NONE in (t.lower() for t in tokens):
        warn(
            f"{option}[{name!r}]: 'none' is ignored when other sources are "
            f"listed ({' '.join(tokens)}). Remove 'none' or the other sources."
        )


def extend_csp(
    option: str, base: Policy, extra: Policy, warn: Callable[[str], None]
) -> Policy:
    """``base`` with ``extra``'s sources appended, directive by directive.

    A fetch directive ``base`` lacks starts from the sources of the
    directive it fell back to (``script-src-elem`` from ``script-src``, then
    ``default-src``), so extending never loosens what applied before.
    """
    if not extra:
        return extra
    merged: dict[str, list[str]] = {name: list(tokens) for name, tokens in base}
    lower = {name.lower(): name for name in merged}
    original = [(name, list(tokens)) for name, tokens in base]
    positions = {name.lower(): i for i, (name, _) in enumerate(original)}
    for name, tokens in extra:
        key = lower.get(name.lower())
        if key is None:
            start = (
                _fallback_sources(original, positions, name.lower())
                if name.lower() in FETCH_DIRECTIVES
                else []
            )
            if name.lower() in ATTRIBUTE_DIRECTIVES:
                start = _attribute_sources(start)
            key = name
            lower[name.lower()] = name
            merged[key] = list(start)
        current = merged[key]
        if tokens and any(t.lower() == NONE for t in current):
            current = [t for t in current if t.lower() != NONE]
        for token in tokens:
            if token not in current:
                current.append(token)
        merged[key] = current
        if name.lower() in SOURCE_LIST_DIRECTIVES:
            _warn_if_none_is_ignored(option, key, current, warn)
    return tuple((name, tuple(tokens)) for name, tokens in merged.items())


def extend_report_only(
    option: str,
    base: bool | Policy,
    extra: bool | Policy,
    warn: Callable[[str], None],
) -> bool | Policy:
    """Extend a report-only policy; ``True`` or ``False`` replaces it."""
    if isinstance(extra, bool):
        return extra
    return extend_csp(option, () if isinstance(base, bool) else base, extra, warn)


def _complete(
    policy: Policy,
    nonce_in: Iterable[str],
    report_uri: str | None,
    report_to: str | None,
    inline: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    without_nonce: bool = False,
) -> Directives:
    """``policy`` with the nonce and reporting the options ask for.

    ``nonce_in`` lists directives that get the nonce; one the policy lacks is
    created from the sources of the directive it falls back to.
    ``report_uri`` is appended unless the policy has a ``report-uri``
    directive, and ``report_to`` as a ``report-to`` directive likewise.
    ``inline`` holds the hashes of the app's script and style tags, added
    where inline scripts or styles are restricted; ``without_nonce`` leaves
    every nonce out (:func:`_drop_nonce`). ``[]`` for no policy.
    """
    if not policy:
        return []
    directives = [(name, list(tokens)) for name, tokens in policy]
    index = {name.lower(): i for i, (name, _) in enumerate(directives)}
    for wanted in nonce_in:
        if wanted.lower() in ATTRIBUTE_DIRECTIVES:
            # Browsers ignore nonces on attributes, and a nonce would turn
            # off the directive's 'unsafe-inline': left out (warned when the
            # option was checked), as 1.1.0 left it out of absent ones.
            continue
        i = index.get(wanted.lower())
        if i is None:
            base = _fallback_sources(directives, index, wanted.lower())
            tokens = [t for t in base if t.lower() != NONE and t != NONCE]
            index[wanted.lower()] = len(directives)
            directives.append((wanted, [*tokens, NONCE]))
        elif NONCE not in directives[i][1]:
            # 'none' beside a nonce is ignored by browsers: leave it out.
            kept = [t for t in directives[i][1] if t.lower() != NONE]
            directives[i] = (directives[i][0], [*kept, NONCE])
    for kind, digests in zip(("script", "style"), inline, strict=True):
        if digests:
            _add_hashes(directives, index, kind, digests)
    if without_nonce:
        _drop_nonce(directives)
    if report_uri is not None and "report-uri" not in index:
        directives.append(("report-uri", [report_uri]))
    if report_to is not None and "report-to" not in index:
        directives.append(("report-to", [report_to]))
    return directives


def _is_nonce_or_hash(token: str) -> bool:
    return token == NONCE or _PREFIXED.match(token.strip("'")) is not None


def _is_hash(token: str) -> bool:
    found = _PREFIXED.match(token.strip("'"))
    return found is not None and found.group(1).lower() != "nonce"


def _restricts_inline(tokens: Sequence[str]) -> bool:
    """Whether a directive with ``tokens`` blocks inline content not allowed
    by nonce or hash ('unsafe-inline' counts only without a nonce or hash)."""
    if UNSAFE_INLINE not in (t.lower() for t in tokens):
        return True
    return any(_is_nonce_or_hash(t) for t in tokens)


def _add_hashes(
    directives: Directives, index: Mapping[str, int], kind: str, digests: Sequence[str]
) -> None:
    """Add ``digests`` where inline ``<script>`` (or ``<style>``) is decided.

    That is ``script-src-elem``, else ``script-src``, else ``default-src``.
    Nothing is added where inline content is allowed anyway (no such
    directive, or 'unsafe-inline' alone, which a hash would turn off), nor
    where it is forbidden outright ('none' alone).
    """
    for name in (f"{kind}-src-elem", f"{kind}-src", "default-src"):
        i = index.get(name)
        if i is None:
            continue
        tokens = directives[i][1]
        if [t.lower() for t in tokens] == [NONE]:
            return  # no inline content at all: a hash would allow some
        if _restricts_inline(tokens):
            kept = [t for t in tokens if t.lower() != NONE]
            kept.extend(d for d in digests if d not in kept)
            directives[i] = (directives[i][0], kept)
        return


def _drop_nonce(directives: Directives) -> None:
    """Leave every nonce out, never allowing more than with it.

    A nonce turns off 'unsafe-inline' in its directive; without the nonce
    that 'unsafe-inline' is dropped too, unless a hash still turns it off.
    A directive left with no source gets 'none'.
    """
    for i, (name, tokens) in enumerate(directives):
        if NONCE not in tokens:
            continue
        kept = [t for t in tokens if t != NONCE]
        if not any(_is_nonce_or_hash(t) for t in kept):
            kept = [t for t in kept if t.lower() != UNSAFE_INLINE]
        directives[i] = (name, kept or [NONE])


def _attribute_sources(tokens: Sequence[str]) -> list[str]:
    """What ``tokens`` of the fallback directive mean for attributes.

    Only 'unsafe-inline' (when no nonce or hash turns it off), 'unsafe-hashes'
    with its hashes and 'report-sample' apply to event handlers and style
    attributes; hosts, schemes, nonces and 'strict-dynamic' do not, and a
    nonce copied into an attribute directive would turn off an
    'unsafe-inline' added to it. ``['none']`` when nothing applies.
    """
    inline_on = not _restricts_inline(tokens)
    kept = [
        t
        for t in tokens
        if (t.lower() == UNSAFE_INLINE and inline_on)
        or t.lower() in (UNSAFE_HASHES, REPORT_SAMPLE)
        or _is_hash(t)
    ]
    return kept or [NONE]


def _fallback_sources(
    directives: Directives, index: Mapping[str, int], name: str
) -> list[str]:
    """The sources that apply where directive ``name`` is absent.

    CSP Level 3's fallback lists: ``script-src-elem`` falls back to
    ``script-src``, then ``default-src`` (``style-src-elem`` likewise); other
    fetch directives to ``default-src``.
    """
    for fallback in FALLBACKS.get(name, ("default-src",)):
        i = index.get(fallback)
        if i is not None:
            return directives[i][1]
    return []


def _render(directives: Directives, drop: tuple[str, ...]) -> str | None:
    """The header value, with :data:`NONCE_SLOT` where the nonce goes.

    ``drop`` names directives to leave out. ``None`` when nothing is left.
    """
    text = "; ".join(
        " ".join([name, *tokens])
        for name, tokens in directives
        if name.lower() not in drop
    )
    return text.replace(NONCE, f"'nonce-{NONCE_SLOT}'") or None


def headers(o: Resolved) -> list[Header]:
    """Content-Security-Policy and Content-Security-Policy-Report-Only.

    On plain-HTTP responses ``upgrade-insecure-requests`` is left out (it
    would send a local development server's subresources to an HTTPS port
    that is not there), and so is ``report-to``: Chromium delivers no
    Reporting API reports from plain-HTTP pages, and ignores ``report-uri``
    in a policy with ``report-to``.
    """
    receiver = o["report_receiver"]
    report_to = o["content_security_policy_report_to"]
    if report_to is None and receiver is not None:
        # The built-in receiver takes every report nobody else was told to.
        report_to = "default"
    if report_to is False or not o.reporting:
        # Chromium ignores report-uri when a policy has report-to: False
        # keeps report-to out so that report-uri is used.
        report_to = None
    report_uri = o["content_security_policy_report_uri"]
    if o.sampled_out:
        # A response outside reporting_sample_rate: no reporting directive
        # at all, so the browser sends nothing for this page.
        receiver = report_uri = None
    # Where the report-only policy reports: the same URI, but WebKit's
    # report-uri reports carry no disposition, so the receiver is told
    # which header the policy came in.
    report_only_uri = report_uri
    if report_uri is None and receiver is not None:
        # The receiver's path is the app's: under a mount (SCRIPT_NAME,
        # DispatcherMiddleware, ProxyFix's X-Forwarded-Prefix) the browser
        # must post to the mount's path. (A report URI of the user's own is
        # sent as given, as flask-talisman 1.1.0 did.)
        report_uri = ROOT_SLOT + receiver
        report_only_uri = report_uri + REPORT_ONLY_QUERY
    report_only = o["content_security_policy_report_only"]
    nonce_in = o["content_security_policy_nonce_in"]
    policy = _complete(
        o["content_security_policy"],
        nonce_in,
        report_only_uri if report_only is True else report_uri,
        report_to,
        o.inline,
        o.without_nonce,
    )
    policies: list[tuple[str, Directives]] = []
    if report_only is True:
        # flask-talisman 1.1.0: the one policy is sent as report-only.
        names = {name.lower() for name, _ in policy}
        if (
            o.reporting  # checked once, with reporting
            and report_uri is None
            and report_to is None
            and not names & {"report-uri", "report-to"}
        ):
            raise ConfigurationError(
                "content_security_policy_report_only: setting it to True also "
                "requires a URI in content_security_policy_report_uri (or a "
                "report-uri / report-to directive in the policy), or the "
                "browser has nowhere to send reports.",
                options=(
                    "content_security_policy_report_only",
                    "content_security_policy_report_uri",
                    "content_security_policy",
                ),
            )
        if o["content_security_policy_report_only_nonce_in"]:
            o.warn(
                "content_security_policy_report_only_nonce_in: with "
                "content_security_policy_report_only=True the one policy is "
                "sent as report-only and takes its nonces from "
                "content_security_policy_nonce_in; this option is ignored."
            )
        policies.append(("Content-Security-Policy-Report-Only", policy))
    else:
        policies.append(("Content-Security-Policy", policy))
        # Without report-uri / report-to, violations of a report-only policy
        # still show in the browser console, which is how it is used while
        # developing (and how the strict preset ships it).
        if report_only is not False:
            policies.append(
                (
                    "Content-Security-Policy-Report-Only",
                    _complete(
                        report_only,
                        o["content_security_policy_report_only_nonce_in"],
                        report_only_uri,
                        report_to,
                        o.inline,
                        o.without_nonce,
                    ),
                )
            )
    secure_drop: tuple[str, ...] = () if o.reporting else ("report-to",)
    plain_drop: tuple[str, ...] = ("upgrade-insecure-requests", "report-to")
    if o.sampled_out:
        # Also the reporting directives written in the policy itself.
        secure_drop = ("report-to", "report-uri")
        plain_drop = (*plain_drop, "report-uri")
    found = []
    for name, directives in policies:
        secure = _render(directives, secure_drop)
        plain = _render(directives, plain_drop)
        if secure is not None or plain is not None:
            found.append(Header(name, secure, plain))
    return found


OPTIONS = (
    Option(
        "content_security_policy",
        DEFAULT_CSP_POLICY,
        check_csp,
        "Content-Security-Policy, as a dict or string; None or {} for none.",
        extend=extend_csp,
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='{"default-src": SELF, "img-src": [SELF, "data:"]}',
        section="Content-Security-Policy",
        details=(
            "The policy, as a dict mapping directive names to sources (a string of "
            "space-separated sources or a list of them) or as a policy string. "
            '``None``, ``False``, ``""`` or ``{}`` sends no CSP header. Refuses '
            "anything that would break or inject into the header and keywords "
            "written without their quotes; warns about unknown directives."
        ),
    ),
    Option(
        "content_security_policy_report_uri",
        None,
        check_report_uri,
        "URI appended as the CSP report-uri directive.",
        kept_by_presets=True,
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='"/csp-reports"',
        section="Content-Security-Policy",
        details=(
            "A URI appended to the policy as ``report-uri <uri>``, unless the "
            "policy has its own ``report-uri`` directive. One token: whitespace, "
            "``;`` and ``,`` are refused."
        ),
    ),
    Option(
        "content_security_policy_report_only",
        False,
        check_report_only,
        "True: send the CSP as Content-Security-Policy-Report-Only. A policy "
        "(dict or str): send it as a report-only policy beside the enforced one.",
        extend=extend_report_only,
        header="Content-Security-Policy-Report-Only",
        example="True",
        section="Content-Security-Policy",
        details=(
            "``True`` sends the policy as ``Content-Security-Policy-Report-Only``: "
            "browsers report violations without blocking anything (Chromium, "
            "Firefox and WebKit do: ``tests/browser/test_reporting.py``). That "
            "needs "
            "somewhere to send reports: :topt:`content_security_policy_report_uri`, "
            ":topt:`content_security_policy_report_to`, :topt:`report_receiver` or "
            "a ``report-uri`` or ``report-to`` directive in the policy. Without one "
            "it raises :class:`~flask_talisman.ConfigurationError`. A policy (a "
            "dict or a string, written like :topt:`content_security_policy`) is "
            "sent as a second, report-only header next to the enforced policy; it "
            "needs no report destination, since Chromium, Firefox and WebKit "
            "still fire a ``securitypolicyviolation`` event at the page for each "
            "violation (``tests/browser/test_doc_claims.py``). A string that "
            'looks like a boolean (``"true"``, ``"0"``, ``"yes"``...) is refused.'
        ),
    ),
    Option(
        "content_security_policy_report_only_nonce_in",
        None,
        check_nonce_in,
        "Directives of the report-only policy that get the request's nonce.",
        header="Content-Security-Policy-Report-Only",
        example='["script-src"]',
        section="Content-Security-Policy",
        details=(
            "Like :topt:`content_security_policy_nonce_in`, for the report-only "
            "policy given as a policy; both headers carry the same nonce. With "
            "``content_security_policy_report_only=True`` it is ignored, with a "
            "warning: the one policy then takes "
            ":topt:`content_security_policy_nonce_in`."
        ),
    ),
    Option(
        "content_security_policy_nonce_in",
        [],
        check_nonce_in,
        "CSP directives that get the per-request nonce.",
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='["script-src", "style-src"]',
        section="Content-Security-Policy",
        details=(
            "Directives that get this request's nonce, as a list, tuple or set of "
            "names or one string of names separated by commas or spaces. A listed "
            "directive the policy lacks is created from the sources of the "
            "directive it falls back to (``script-src-elem`` from ``script-src``, "
            "then ``default-src``; ``style-src-elem`` likewise). Warns for "
            "directives where CSP Level 3 ignores nonces (anything but "
            "``default-src``, ``script-src``, ``script-src-elem``, ``style-src``, "
            "``style-src-elem``); ``script-src-attr`` and ``style-src-attr`` never "
            "get one, since a nonce there would turn off their "
            "``'unsafe-inline'`` (it does in Chromium, Firefox and WebKit: "
            "``tests/browser/test_doc_claims.py``). A nonce added to a directive "
            "whose only source "
            "is ``'none'`` replaces the ``'none'``."
        ),
    ),
    Option(
        "content_security_policy_report_to",
        None,
        check_endpoint_name,
        "Reporting-Endpoints name for the CSP report-to directive.",
        kept_by_presets=True,
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='"csp"',
        section="Content-Security-Policy",
        details=(
            "A ``Reporting-Endpoints`` name added to the policy as ``report-to "
            "<name>``, unless the policy has its own ``report-to`` directive. "
            "``False`` keeps the ``report-to`` directive out even when "
            ":topt:`report_receiver` would add one, so that Chromium, Firefox and "
            "WebKit, which each ignore ``report-uri`` in a policy that has "
            "``report-to`` (``tests/browser/test_reporting.py``), use the "
            "``report-uri``. Responses to plain-HTTP requests never get a "
            "``report-to`` directive. See :doc:`reporting`."
        ),
    ),
)
