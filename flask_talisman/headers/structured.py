"""Permissions-Policy (and -Report-Only), Document-Policy, Feature-Policy.

Permissions-Policy and Document-Policy are structured-field dictionaries
(RFC 9651): ``key=value`` members joined by ``", "``. A Permissions-Policy
allowlist is ``*``, ``()``, or an inner list such as
``(self "https://a.example")``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from ..errors import (
    ConfigurationError,
    check_header_text,
    type_error,
    warn,
)
from .base import Header, Option, Resolved, header
from .csp import parse_directives
from .reporting import check_endpoint_name
from .tokens import is_empty_policy

__all__ = [
    "DEFAULT_DOCUMENT_POLICY",
    "DEFAULT_FEATURE_POLICY",
    "DEFAULT_PERMISSIONS_POLICY",
    "OPTIONS",
    "check_document_policy",
    "check_feature_policy",
    "check_permissions_policy",
    "extend_permissions",
    "headers",
]

DEFAULT_PERMISSIONS_POLICY: dict[str, str] = {"browsing-topics": "()"}
DEFAULT_DOCUMENT_POLICY: dict[str, str] = {}
DEFAULT_FEATURE_POLICY: dict[str, str] = {}

#: The normal form of a policy: its members (``"camera=(self)"``), in order.
Members = tuple[str, ...]

_KEY = re.compile(r"[a-z*][a-z0-9_.*-]*\Z")
# An origin inside a structured-field string: visible ASCII except the
# characters that would end the string or the member: " \\ , ; ( )
_ORIGIN = re.compile(r"[!#-'*+\--:<-\[\]-~]+\Z")
# RFC 9651 bare items. Strings are stricter than the RFC here: no ',' or
# ';' inside (which would look like injection) and no escapes.
_SF_STRING = r'"[!#-+\--:<-\[\]-~]*"'
_SF_NUMBER = r"-?(?:[0-9]{1,12}\.[0-9]{1,3}|[0-9]{1,15})"
_SF_TOKEN = r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*"
_SF_BINARY = r":[A-Za-z0-9+/]*={0,2}:"
_SF_BOOLEAN = r"\?[01]"
_BARE_ITEM = rf"(?:{_SF_NUMBER}|{_SF_STRING}|{_SF_TOKEN}|{_SF_BINARY}|{_SF_BOOLEAN})"
_SF_KEY = r"[a-z*][a-z0-9_.*-]*"
# Parameters: ";key" or ";key=bare-item", each after optional spaces.
_PARAMS = rf"(?:; *{_SF_KEY}(?:={_BARE_ITEM})?)*"
_ALLOW_ITEM = rf"(?:\*|self|src|{_SF_STRING})"
# A Permissions-Policy allowlist: one item or an inner list, then parameters.
_INNER_ITEM = _ALLOW_ITEM  # no parameters on allowlist items
_ALLOWLIST = re.compile(
    rf"(?:{_ALLOW_ITEM}|\((?: *{_INNER_ITEM}(?: +{_INNER_ITEM})*)? *\)){_PARAMS}\Z"
)
# A Document-Policy value: a structured-field bare item, then parameters.
_DOCUMENT_VALUE = re.compile(rf"{_BARE_ITEM}{_PARAMS}\Z")


def _check_key(option: str, key: object) -> str:
    if not isinstance(key, str):
        raise type_error(option, key, "feature names as str")
    check_header_text(option, key)
    if not _KEY.match(key):
        raise ConfigurationError(
            f"{option}: {key!r} is not a valid feature name (lowercase letters, "
            "digits, '_', '-', '.', '*'; no spaces, ',' or ';')."
        )
    return key


def _split_top(value: str) -> tuple[list[str], bool]:
    """Split at commas outside parentheses and quotes.

    Returns the pieces and whether a comma was seen inside parentheses.
    """
    pieces: list[str] = []
    depth = 0
    quoted = False
    inner_comma = False
    start = 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ",":
            if depth > 0:
                inner_comma = True
            else:
                pieces.append(value[start:i])
                start = i + 1
    pieces.append(value[start:])
    return pieces, inner_comma


def _param_names(member: str) -> list[str]:
    """The parameter names of one validated member (``camera=();report-to=a``).

    Validated strings hold no ';', so every ';' starts a parameter.
    """
    return [p.strip().partition("=")[0] for p in member.split(";")[1:]]


def _without_report_to(member: str) -> str:
    """``member`` with its ``report-to`` parameter left out."""
    head, *params = member.split(";")
    kept = [p for p in params if p.strip().partition("=")[0] != "report-to"]
    return ";".join([head, *kept])


def _fix_inner_commas(value: str) -> str:
    out: list[str] = []
    depth = 0
    quoted = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and depth > 0 and not quoted:
            ch = " "
        out.append(ch)
    return re.sub(
        r"\(\s+", "(", re.sub(r"\s+\)", ")", re.sub(r" {2,}", " ", "".join(out)))
    )


_ALLOWLIST_HELP = (
    'Use *, self, () or an inner list such as (self "https://a.example"), '
    "or pass a list: ['self', 'https://a.example']."
)
_DOCUMENT_HELP = "Use a token, a number, a quoted string, ?0 or ?1."


def _check_value_str(
    option: str,
    key: str,
    value: str,
    pattern: re.Pattern[str] = _ALLOWLIST,
    kind: str = "Permissions-Policy allowlist",
    example: str = _ALLOWLIST_HELP,
) -> str:
    where = f"{option}[{key!r}]"
    check_header_text(where, value)
    pieces, inner_comma = _split_top(value)
    if len(pieces) > 1:
        raise ConfigurationError(
            f"{where}: {value!r} contains a ',' outside parentheses, which would "
            "add another member to the header. Give each feature its own key. "
            f"{example}"
        )
    # The grammar refuses the rest: ';' inside a list, unbalanced quotes or
    # parentheses, stray words.
    fixed = _fix_inner_commas(value) if inner_comma else value
    if not pattern.match(fixed.strip()):
        raise ConfigurationError(f"{where}: {value!r} is not a valid {kind}. {example}")
    # Browsers drop the whole header for a space after '=': it is not sent.
    value = value.strip()
    if inner_comma:
        warn(
            f"{where}: {value!r} separates allowlist items with ','; that is "
            "not a valid structured field, so browsers ignore the whole "
            f"header. Write {fixed!r}."
        )
    return value


def _allowlist_item(where: str, item: object) -> str:
    if not isinstance(item, str):
        raise type_error(where, item, "allowlist items as str")
    check_header_text(where, item)
    bare = item.strip()
    if bare in ("self", "'self'"):
        return "self"
    if bare in ("*", "src", "'src'"):
        return bare.strip("'")
    if bare.strip("'") == "none":
        raise ConfigurationError(
            f"{where}: {item!r} is not an allowlist item. An empty list [] (sent "
            "as ()) is what disables a feature."
        )
    if len(bare) >= 2 and bare[0] == bare[-1] == '"':
        bare = bare[1:-1]
    if not bare or not _ORIGIN.match(bare):
        raise ConfigurationError(
            f"{where}: {item!r} is not an allowlist item. Use 'self', '*', "
            "'src' or an origin such as 'https://a.example' (no spaces, quotes, "
            "',' or ';')."
        )
    return f'"{bare}"'


def _permissions_value(option: str, key: str, value: object) -> str:
    where = f"{option}[{key!r}]"
    if isinstance(value, bool):
        return "*" if value else "()"
    if isinstance(value, str):
        return _check_value_str(option, key, value)
    if isinstance(value, (list, tuple)):
        items = [_allowlist_item(where, item) for item in value]
        if items == ["*"]:
            return "*"
        return "(" + " ".join(items) + ")"
    raise type_error(where, value, "an allowlist str, a list of origins or a bool")


_BARE_MEMBER = re.compile(rf"{_SF_KEY}{_PARAMS}\Z")


def _compile_string(
    option: str,
    policy: str,
    pattern: re.Pattern[str],
    kind: str,
    example: str,
    bare_keys: bool,
) -> Members:
    check_header_text(option, policy)
    members, _ = _split_top(policy)
    out = []
    for member in members:
        member = member.strip()
        if not member:
            continue
        key, sep, value = member.partition("=")
        if sep and ";" not in key:
            key = _check_key(option, key.strip())
            value = _check_value_str(option, key, value, pattern, kind, example)
            member = f"{key}={value}"
        elif not bare_keys:
            raise ConfigurationError(
                f"{option}: {member!r} has no allowlist. Write it as "
                f"{member.split(';')[0]}=() to disable the feature or "
                f"{member.split(';')[0]}=(self) to allow it for this origin."
            )
        elif not _BARE_MEMBER.match(member):
            raise ConfigurationError(
                f"{option}: {member!r} is not a valid {kind}. {example}"
            )
        out.append(member)
    return tuple(out)


def _sf_number(option: str, name: str, value: float) -> str:
    """A structured-field integer (15 digits) or decimal (12.3 digits)."""
    if isinstance(value, int):
        if abs(value) > 999_999_999_999_999:
            raise ConfigurationError(
                f"{option}[{name!r}]: {value!r} has more than 15 digits, the "
                "most a structured-field integer holds."
            )
        return str(value)
    if not math.isfinite(value) or abs(round(value, 3)) >= 1e12:
        raise ConfigurationError(
            f"{option}[{name!r}]: {value!r} is not a structured-field decimal "
            "(finite, at most 12 digits before the point)."
        )
    if round(value, 3) != value:
        raise ConfigurationError(
            f"{option}[{name!r}]: {value!r} has more than three decimals, the "
            f"most a structured-field decimal holds. Use {round(value, 3)!r}."
        )
    text = f"{value:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _check_policy(
    option: str,
    policy: object,
    string_rules: tuple[re.Pattern[str], str, str, bool],
    member: Callable[[str, str, object], str],
) -> Members:
    # A dict's members are made by ``member``; a string's are checked with
    # ``string_rules`` (the value pattern, its name, its help, bare keys).
    if is_empty_policy(policy):
        return ()
    if isinstance(policy, str):
        pattern, kind, example, bare_keys = string_rules
        return _compile_string(option, policy, pattern, kind, example, bare_keys)
    if not isinstance(policy, Mapping):
        raise type_error(option, policy, "a dict or a str policy")
    return tuple(
        member(option, _check_key(option, key), value) for key, value in policy.items()
    )


def _permissions_member(option: str, name: str, value: object) -> str:
    return f"{name}={_permissions_value(option, name, value)}"


def _document_member(option: str, name: str, value: object) -> str:
    if value is True:
        return name
    if value is False:
        return f"{name}=?0"
    if isinstance(value, (int, float)):
        return f"{name}={_sf_number(option, name, value)}"
    if isinstance(value, str):
        checked = _check_value_str(
            option,
            name,
            value,
            _DOCUMENT_VALUE,
            "Document-Policy value",
            _DOCUMENT_HELP,
        )
        return f"{name}={checked}"
    raise type_error(f"{option}[{name!r}]", value, "a str, number or bool")


def check_permissions_policy(option: str, policy: object) -> Members:
    """A Permissions-Policy given as a dict or a string, as its members."""
    rules = (_ALLOWLIST, "Permissions-Policy allowlist", _ALLOWLIST_HELP, False)
    return _check_policy(option, policy, rules, _permissions_member)


def check_document_policy(option: str, policy: object) -> Members:
    """A Document-Policy given as a dict or a string, as its members."""
    rules = (_DOCUMENT_VALUE, "Document-Policy value", _DOCUMENT_HELP, True)
    return _check_policy(option, policy, rules, _document_member)


def check_feature_policy(option: str, policy: object) -> str | None:
    """The legacy Feature-Policy (``feature 'self'; other 'none'``), rendered."""
    if is_empty_policy(policy):
        return None
    # parse_directives refuses ';' and ',' in names and values (injection).
    directives = parse_directives(option, policy, check_sources=False)
    return "; ".join(" ".join([name, *tokens]) for name, tokens in directives) or None


def _allowlist_items(value: str) -> list[str] | None:
    """The items of a checked allowlist, or ``None`` if it has parameters."""
    if ";" in value:
        return None
    if value.startswith("("):
        return value[1:-1].replace(",", " ").split()
    return [value]


def extend_permissions(
    option: str, base: Members, extra: Members, warn: Callable[[str], None]
) -> Members:
    """``base`` with ``extra``'s allowlist items added, feature by feature.

    An allowlist with parameters (``;report-to=...``) is replaced, not
    merged; ``*`` on either side stays ``*``.
    """
    if not extra:
        return extra
    merged = dict(member.partition("=")[::2] for member in base)
    for member in extra:
        feature, value = member.partition("=")[::2]
        old = _allowlist_items(merged.get(feature, "()"))
        new = _allowlist_items(value)
        if old is None or new is None:
            merged[feature] = value
        elif "*" in old or "*" in new:
            merged[feature] = "*"
        else:
            items = old + [item for item in new if item not in old]
            merged[feature] = "(" + " ".join(items) + ")"
    return tuple(f"{feature}={value}" for feature, value in merged.items())


def _without_reporting(o: Resolved, members: Members) -> Members:
    if o.reporting:
        return members
    return tuple(_without_report_to(member) for member in members)


def _permissions(o: Resolved, members: Members) -> str | None:
    """A Permissions-Policy (or its report-only variant) as sent.

    ``permissions_policy_report_to`` adds a ``report-to`` parameter to every
    feature that has none; without reporting, every ``report-to`` parameter
    is left out, the user's own included.
    """
    members = _without_reporting(o, members)
    report_to = o["permissions_policy_report_to"]
    if o.reporting and report_to:
        members = tuple(
            m if "report-to" in _param_names(m) else f"{m};report-to={report_to}"
            for m in members
        )
    return ", ".join(members) or None


def _check_report_only_endpoint(o: Resolved, members: Members) -> None:
    """Warn when a report-only feature's reports can reach no endpoint.

    Browsers send a Permissions-Policy violation without a ``report-to``
    parameter to the endpoint named ``default`` (Chromium, as the
    Permissions Policy spec's reporting section has it), which the built-in
    receiver is, or ``reporting_endpoints`` may name.
    """
    if not o.reporting or o["permissions_policy_report_to"]:
        return
    if o["report_receiver"] is not None or any(
        name == "default" for name, _ in o["reporting_endpoints"]
    ):
        return
    unreported = [
        m.partition("=")[0] for m in members if "report-to" not in _param_names(m)
    ]
    if unreported:
        o.warn(
            "permissions_policy_report_only: the features "
            f"{', '.join(map(repr, unreported))} have no report-to parameter, so "
            "browsers report their violations to the endpoint named 'default', "
            "and no 'default' is configured: the report-only policy reports "
            "nothing and enforces nothing. Set permissions_policy_report_to (an "
            "endpoint of reporting_endpoints), add a 'default' endpoint to "
            "reporting_endpoints, or turn on report_receiver."
        )


def headers(o: Resolved) -> list[Header]:
    """Feature-Policy, Permissions-Policy (and -Report-Only), Document-Policy."""
    report_only = o["permissions_policy_report_only"]
    _check_report_only_endpoint(o, report_only)
    document = _without_reporting(o, o["document_policy"])
    return [
        *header("Feature-Policy", o["feature_policy"]),
        *header("Permissions-Policy", _permissions(o, o["permissions_policy"])),
        *header("Permissions-Policy-Report-Only", _permissions(o, report_only)),
        *header("Document-Policy", ", ".join(document) or None),
    ]


OPTIONS = (
    Option(
        "feature_policy",
        DEFAULT_FEATURE_POLICY,
        check_feature_policy,
        "Legacy Feature-Policy header, as a dict or string.",
        header="Feature-Policy",
        example='{"geolocation": NONE}',
        section="Other policies",
        details=(
            "The legacy ``Feature-Policy`` header, which browsers replaced with "
            "Permissions-Policy. A dict mapping features to sources (a string or a "
            "list) or a header string, written like a CSP. Never gets a nonce. "
            "Refuses ``;`` and ``,`` inside names and sources."
        ),
    ),
    Option(
        "permissions_policy",
        DEFAULT_PERMISSIONS_POLICY,
        check_permissions_policy,
        "Permissions-Policy header, as a dict or string.",
        extend=extend_permissions,
        header="Permissions-Policy",
        example='{"geolocation": [], "camera": ["self"]}',
        section="Other policies",
        details=(
            "``Permissions-Policy``, as a dict mapping feature names to allowlists "
            "or as a header string. An allowlist is a list or tuple of items "
            '(``"self"``, ``"*"``, ``"src"`` or origins), ``True`` (``*``), '
            "``False`` (``()``), or a string in the header's own structured-field "
            'syntax: ``"*"``, ``"self"``, ``"src"``, ``"()"``, a double-quoted '
            "origin, or an inner list such as ``'(self \"https://a.example\")'``, "
            "optionally followed by parameters (``;report-to=...``). Other strings "
            "are refused with the accepted forms in the message, among them "
            'CSP-style values such as ``"\'self\'"``, unquoted origins and ``"() '
            'geolocation=*"``. The items ``"none"`` and ``"\'none\'"`` are refused '
            "too: an empty list (``()``) is what disables a feature. In a header "
            'string every member needs an ``=`` and an allowlist: ``"geolocation"`` '
            "alone is refused, with ``geolocation=()`` and ``geolocation=(self)`` "
            "offered instead. Also refused: feature names outside "
            "``[a-z*][a-z0-9_.*-]*``; a ``,`` outside parentheses (it would add a "
            "feature); ``;`` inside parentheses; unbalanced parentheses or quotes; "
            "sets and frozensets (use a list, which keeps its order); list items "
            'that are empty or contain whitespace, ``,``, ``;`` or a ``"`` (other '
            "than a pair around the whole origin). A ``,`` between items inside "
            "parentheses, as in ``'(self, \"https://a.example\")'``, warns and shows "
            "the valid form. The value is then sent as written, but it is not valid "
            "structured-field syntax, so browsers fail to parse the header and "
            "ignore all of it."
        ),
    ),
    Option(
        "permissions_policy_report_only",
        None,
        check_permissions_policy,
        "Permissions-Policy-Report-Only: a Permissions-Policy reported, not enforced.",
        extend=extend_permissions,
        header="Permissions-Policy-Report-Only",
        example='{"geolocation": [], "camera": ["self"]}',
        section="Other policies",
        details=(
            "``Permissions-Policy-Report-Only``: a policy written and checked "
            "exactly as :topt:`permissions_policy` (the same forms, the same "
            "refusals and warnings) and merged the same way by "
            "``@talisman.extend(...)``. Browsers that support it (Chromium) "
            "let the page use every feature and report each use the policy would "
            "have blocked, with the disposition ``report``. "
            ":topt:`permissions_policy_report_to` adds its ``;report-to=<name>`` "
            "here too. A feature without a ``report-to`` reports to the endpoint "
            "named ``default``: :topt:`report_receiver`'s, or one in "
            ":topt:`reporting_endpoints`; when there is neither, the header "
            "reports nowhere and Talisman warns. ``None`` (the default) sends no "
            "header."
        ),
    ),
    Option(
        "document_policy",
        DEFAULT_DOCUMENT_POLICY,
        check_document_policy,
        "Document-Policy header, as a dict or string.",
        header="Document-Policy",
        example='{"force-load-at-top": True}',
        section="Other policies",
        details=(
            "``Document-Policy``, as a dict or a header string. A value of ``True`` "
            "sends the bare name, ``False`` sends ``name=?0``, a number "
            "``name=<number>`` and a string ``name=<string>``. Numbers must fit a "
            "structured field: an ``int`` has at most 15 digits, and a ``float`` "
            "must be finite, below 10\\ :sup:`12` in size and have at most three "
            "decimal places (``1.2345`` or ``1e-7`` is refused, with the rounded "
            "value offered); it is written without an exponent (``2.0``, "
            "``1.235``). A string must be one structured-field item, optionally "
            "with parameters: a token, a number (up to 15 digits before the point "
            "and three after it), a double-quoted string without spaces, ``,`` or "
            "``;``, ``?0`` or ``?1``. Values in single quotes, spaces, inner lists "
            "and a ``,`` (which would add a member) are refused, and so are "
            "``None``, lists, sets and other types. A header string is checked "
            "member by member the same way."
        ),
    ),
    Option(
        "permissions_policy_report_to",
        None,
        check_endpoint_name,
        "Reporting-Endpoints name for Permissions-Policy reports.",
        kept_by_presets=True,
        header="Permissions-Policy, Permissions-Policy-Report-Only",
        example='"default"',
        section="Reporting",
        details=(
            "An endpoint name added to every member of Permissions-Policy and "
            "Permissions-Policy-Report-Only as ``;report-to=<name>``, except "
            "members that have their own. ``None`` or ``False`` adds none; "
            "browsers then send the reports to the endpoint named ``default``."
        ),
    ),
)
