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
from collections.abc import Iterable, Mapping, Sequence

from ..errors import (
    ConfigurationError,
    check_header_text,
    suggest,
    type_error,
    warn,
)
from .tokens import is_empty_policy, single_token

__all__ = [
    "NONCE",
    "NONE",
    "REPORT_SAMPLE",
    "SELF",
    "STRICT_DYNAMIC",
    "UNSAFE_EVAL",
    "UNSAFE_HASHES",
    "UNSAFE_INLINE",
    "WASM_UNSAFE_EVAL",
    "build_csp",
    "csp_hash",
    "parse_directives",
    "render_csp",
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
_SLOT = "\x00"  # never valid in a token, so it cannot collide


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
    ``script-src`` list. Also available in templates as ``csp_hash(...)``.
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
        if source_list and len(tokens) > 1 and NONE in (t.lower() for t in tokens):
            warn(
                f"{option}[{name!r}]: 'none' is ignored when other sources are "
                f"listed ({' '.join(tokens)}). Remove 'none' or the other sources."
            )
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
        if checked.lower() not in NONCE_DIRECTIVES:
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


def build_csp(
    policy: object,
    *,
    option: str = "content_security_policy",
    nonce_in: Iterable[str] = (),
    report_uri: str | None = None,
    report_to: str | None = None,
) -> Directives:
    """Parse a policy and add what the options ask for; ``[]`` if none.

    ``nonce_in`` lists directives that get the nonce; one the policy lacks is
    created from ``default-src``'s sources. ``report_uri`` is appended unless
    the policy has a ``report-uri`` directive, and ``report_to`` as a
    ``report-to`` directive likewise.
    """
    if is_empty_policy(policy):
        return []
    directives = parse_directives(option, policy)
    index = {name.lower(): i for i, (name, _) in enumerate(directives)}
    for wanted in nonce_in:
        i = index.get(wanted.lower())
        if i is None:
            default = index.get("default-src")
            base = [] if default is None else directives[default][1]
            tokens = [t for t in base if t.lower() != NONE and t != NONCE]
            index[wanted.lower()] = len(directives)
            directives.append((wanted, [*tokens, NONCE]))
        elif NONCE not in directives[i][1]:
            # 'none' beside a nonce is ignored by browsers: leave it out.
            kept = [t for t in directives[i][1] if t.lower() != NONE]
            directives[i] = (directives[i][0], [*kept, NONCE])
    if report_uri is not None and "report-uri" not in index:
        directives.append(("report-uri", [report_uri]))
    if report_to is not None and "report-to" not in index:
        directives.append(("report-to", [report_to]))
    return directives


def render_csp(
    directives: Directives, drop: Iterable[str] = ()
) -> tuple[str, ...] | None:
    """The header value as parts to be joined with the request's nonce.

    ``drop`` names directives to leave out (``upgrade-insecure-requests`` on
    plain HTTP). Returns ``None`` when nothing is left to send.
    """
    dropped = {name.lower() for name in drop}
    text = "; ".join(
        " ".join([name, *tokens])
        for name, tokens in directives
        if name.lower() not in dropped
    )
    if not text:
        return None
    return tuple(text.replace(NONCE, f"'nonce-{_SLOT}'").split(_SLOT))
