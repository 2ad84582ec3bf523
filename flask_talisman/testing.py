"""Helpers for testing an app that uses Talisman.

Import them from ``flask_talisman.testing``; they need Flask and Werkzeug
only, and raise plain :class:`AssertionError`, so they work under pytest,
unittest or a bare script:

* :func:`https_client` (or :class:`HTTPSClient`, or ``**HTTPS`` on one
  request) makes test requests over HTTPS, so that ``force_https`` does not
  answer them with a redirect;
* :func:`assert_headers` compares response headers with expected values, a
  CSP nonce matched by the ``{nonce}`` placeholder;
* :func:`nonce_of` reads the nonce of a response's CSP, and
  :func:`assert_nonce_used` checks that the page's elements carry it.
"""

from __future__ import annotations

import bisect
import html.entities
import re
import string
import threading
import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol, TypeAlias, cast

import werkzeug.test
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers
from werkzeug.test import TestResponse
from werkzeug.wrappers import Request

__all__ = [
    "HTTPS",
    "NONCE_PLACEHOLDER",
    "Expected",
    "HTTPSClient",
    "HasHeaders",
    "assert_headers",
    "assert_nonce_used",
    "https_client",
    "nonce_of",
]

#: Keyword arguments that send one test request over HTTPS:
#: ``client.get("/", **HTTPS)``. The host stays the one Flask's test client
#: picks (``SERVER_NAME``, or ``localhost``).
HTTPS: Mapping[str, str] = MappingProxyType({"url_scheme": "https"})

#: Stands for the response's CSP nonce in a value given to
#: :func:`assert_headers`.
NONCE_PLACEHOLDER = "{nonce}"

#: What :func:`assert_headers` compares a header with: the exact value, a
#: compiled pattern the value must match as a whole, or ``None`` for a header
#: that must be absent.
Expected: TypeAlias = str | re.Pattern[str] | None

# A nonce source's value (CSP3 base64-value): base64 or base64url.
_NONCE_VALUE = r"[A-Za-z0-9+/_-]+={0,2}"
_NONCE_SOURCE = re.compile(rf"'(?i:nonce)-({_NONCE_VALUE})'")
_CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
# RFC 9110 field-name: a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_FIX_VALUE = (
    "write the exact value as a str, None for a header that must be absent, "
    "or re.compile(...) for a pattern the whole value must match"
)


class HasHeaders(Protocol):
    """A response: anything with ``headers``, a werkzeug ``Headers`` or a mapping.

    :class:`werkzeug.test.TestResponse` (what Flask's test client returns)
    and :class:`flask.Response` are such objects.
    """

    @property
    def headers(self) -> Headers | Mapping[str, str]:
        """The response's headers."""


# Sending test requests over HTTPS ------------------------------------------


def _default_scheme(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> bool:
    """Whether a request built from ``args`` and ``kwargs`` names no scheme.

    Flask's test client takes the URL as ``path``, ``base_url``,
    ``subdomain``, ``url_scheme``, positional or not; a prepared
    :class:`~werkzeug.test.EnvironBuilder`, environ or request (which
    redirects are followed with) already has its URL.
    """
    if args and isinstance(args[0], (werkzeug.test.EnvironBuilder, dict, Request)):
        return False
    if len(args) > 3:
        return False  # url_scheme given by position
    if len(args) > 1 and args[1] is not None:
        return False  # base_url given by position
    return kwargs.get("base_url") is None and kwargs.get("url_scheme") is None


class HTTPSClient(FlaskClient):
    """A Flask test client whose requests go over HTTPS unless they say otherwise.

    A request that gives no ``base_url`` and no ``url_scheme`` is made with
    ``url_scheme="https"``: the URL is ``https://`` plus the host Flask's
    test client uses (``SERVER_NAME``, or ``localhost``) and
    ``APPLICATION_ROOT``. A request that names its scheme keeps it:
    ``client.get("http://localhost/")`` and
    ``client.get("/", base_url="http://localhost")`` are plain HTTP.

    Make one with :func:`https_client`, or set
    ``app.test_client_class = HTTPSClient`` so that every
    ``app.test_client()`` (pytest-flask's ``client`` fixture included) is
    one.
    """

    def open(
        self,
        *args: Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> TestResponse:
        """Make a request, as :meth:`flask.testing.FlaskClient.open`, over HTTPS."""
        if _default_scheme(args, kwargs):
            kwargs["url_scheme"] = "https"
        return super().open(
            *args, buffered=buffered, follow_redirects=follow_redirects, **kwargs
        )


# The HTTPS version of each client class an app names, made once and found
# again while anything holds it, so that the clients of one app share their
# type. Both sides are weak: the class made refers to its base (its
# __bases__), and the base may refer to an app (a class defined in a factory,
# its methods closing over the app), so holding either strongly would keep
# that app alive after the application drops it. A class nothing holds any
# more cannot be told from a new one.
_HTTPS_CLASSES: weakref.WeakKeyDictionary[
    type[FlaskClient], weakref.ref[type[HTTPSClient]]
] = weakref.WeakKeyDictionary()
_HTTPS_CLASSES_LOCK = threading.Lock()


def _https_class(base: type[FlaskClient]) -> type[HTTPSClient]:
    """``base`` with :class:`HTTPSClient`'s ``open`` in front."""
    if issubclass(base, HTTPSClient):
        return base
    with _HTTPS_CLASSES_LOCK:
        made = _HTTPS_CLASSES.get(base)
        cls = made() if made is not None else None
        if cls is None:
            namespace = {"__module__": base.__module__, "__doc__": HTTPSClient.__doc__}
            cls = cast(
                "type[HTTPSClient]",
                type(f"HTTPS{base.__name__}", (HTTPSClient, base), namespace),
            )
            _HTTPS_CLASSES[base] = weakref.ref(cls)
    return cls


def https_client(app: Flask, use_cookies: bool = True, **kwargs: Any) -> HTTPSClient:
    """A test client for ``app`` whose requests go over HTTPS by default.

    Like ``app.test_client(use_cookies, **kwargs)``, and of the app's
    ``test_client_class`` if it has one, but each request that names no
    scheme is made to ``https://`` and the host Flask's test client uses
    (``SERVER_NAME``, or ``localhost``); see :class:`HTTPSClient`.
    Talisman's ``force_https`` then lets the request through instead of
    answering it with a redirect, and the response carries the headers an
    HTTPS visitor gets, ``Strict-Transport-Security`` included.
    """
    if not isinstance(app, Flask):
        raise TypeError(
            f"https_client(app): app should be a Flask app, got {app!r}; "
            "pass the app object (in pytest-flask, the app fixture)."
        )
    base = app.test_client_class or FlaskClient
    if not (isinstance(base, type) and issubclass(base, FlaskClient)):
        raise TypeError(
            f"https_client(app): app.test_client_class is {base!r}, which is not "
            "a subclass of flask.testing.FlaskClient; subclass FlaskClient, or "
            "set app.test_client_class = flask_talisman.testing.HTTPSClient."
        )
    return _https_class(base)(
        app, app.response_class, use_cookies=use_cookies, **kwargs
    )


# Reading headers -------------------------------------------------------------


def _headers_of(response: object, function: str) -> Headers | Mapping[str, str]:
    headers = getattr(response, "headers", None)
    if isinstance(headers, (Headers, Mapping)):
        return headers
    if headers is None:
        raise TypeError(
            f"{function}(response): {response!r} has no headers; pass the "
            "response itself, as the test client returns it "
            "(response = client.get(...))."
        )
    raise TypeError(
        f"{function}(response): response.headers is {headers!r}; it should be "
        "werkzeug Headers or a mapping of header names to str values."
    )


def _values(headers: Headers | Mapping[str, str], name: str) -> list[str]:
    """Every value of the header ``name`` (any case), in the order sent."""
    if isinstance(headers, Headers):
        return headers.getlist(name)
    wanted = name.lower()
    values = []
    for key, value in headers.items():
        if key.lower() != wanted:
            continue
        if not isinstance(value, str):
            raise TypeError(
                f"response.headers[{key!r}] is {value!r}; a mapping of headers "
                "should hold one str value per header name."
            )
        values.append(value)
    return values


def _show(value: str) -> str:
    """A value as it reads in a header line, quoted where that would hide it."""
    if value and value.isprintable() and value == value.strip():
        return value
    return repr(value)


# assert_headers --------------------------------------------------------------


def _checked_expected(expected: object) -> list[tuple[str, Expected]]:
    """``expected`` as (name, value) pairs, refused if it cannot mean anything."""
    if not isinstance(expected, Mapping):
        raise TypeError(
            f"assert_headers(response, expected): expected should be a mapping of "
            f"header names to values, got {expected!r}; write "
            '{"X-Frame-Options": "DENY", "X-XSS-Protection": None}.'
        )
    if not expected:
        raise ValueError(
            "assert_headers(response, expected): expected is empty, so nothing "
            "would be checked; name at least one header."
        )
    seen: dict[str, str] = {}
    pairs: list[tuple[str, Expected]] = []
    for name, value in expected.items():
        if not isinstance(name, str):
            raise TypeError(
                f"assert_headers: expected has the key {name!r}, which is not a "
                "str; the keys are header names, such as 'X-Frame-Options'."
            )
        if not _TOKEN.match(name):
            cleaned = name.strip().rstrip(":").strip()
            hint = (
                f" Did you mean {cleaned!r}?"
                if cleaned != name and _TOKEN.match(cleaned)
                else ""
            )
            raise ValueError(
                f"assert_headers: expected has the key {name!r}, which is not a "
                "header name (letters, digits and !#$%&'*+-.^_`|~, without the "
                f"colon or spaces).{hint}"
            )
        if name.lower() in seen:
            raise ValueError(
                f"assert_headers: expected names one header twice, as "
                f"{seen[name.lower()]!r} and {name!r}; header names are "
                "case-insensitive, so keep one of them."
            )
        seen[name.lower()] = name
        if isinstance(value, re.Pattern):
            if not isinstance(value.pattern, str):
                raise TypeError(
                    f"assert_headers: expected[{name!r}] is {value!r}, a bytes "
                    "pattern; header values are str, so compile a str pattern."
                )
            if NONCE_PLACEHOLDER in value.pattern:
                raise ValueError(
                    f"assert_headers: expected[{name!r}] is {value!r}; "
                    f"{NONCE_PLACEHOLDER} is a placeholder in str values only. "
                    "Write the value as a str, or match the nonce with "
                    f"{_NONCE_VALUE} in the pattern."
                )
        elif value is not None and not isinstance(value, str):
            raise TypeError(
                f"assert_headers: expected[{name!r}] is {value!r}; {_FIX_VALUE}."
            )
        pairs.append((name, value))
    return pairs


class _Nonce:
    """The value every ``{nonce}`` of one :func:`assert_headers` call stands for."""

    def __init__(self) -> None:
        self.value: str | None = None
        self.source = ""

    def pattern(self, expected: str) -> re.Pattern[str]:
        """``expected`` as a pattern, each ``{nonce}`` the same nonce."""
        parts = [re.escape(part) for part in expected.split(NONCE_PLACEHOLDER)]
        if self.value is not None:
            return re.compile(re.escape(self.value).join(parts))
        # The first {nonce} captures it, the others must repeat it.
        first, second, *rest = parts
        nonce = f"(?P<nonce>{_NONCE_VALUE})"
        return re.compile(first + nonce + "(?P=nonce)".join([second, *rest]))


def _matches(name: str, wanted: Expected, got: list[str], nonce: _Nonce) -> bool:
    if wanted is None:
        return not got
    if len(got) != 1:
        return False
    if isinstance(wanted, re.Pattern):
        return wanted.fullmatch(got[0]) is not None
    if NONCE_PLACEHOLDER not in wanted:
        return got[0] == wanted
    match = nonce.pattern(wanted).fullmatch(got[0])
    if match is None:
        return False
    if nonce.value is None:
        nonce.value, nonce.source = match["nonce"], name
    return True


def _diff(name: str, wanted: Expected, got: list[str], nonce: _Nonce) -> list[str]:
    """The lines that show how header ``name`` differs."""
    if wanted is None:
        lines = [f"- {name} (absent)"]
    elif isinstance(wanted, re.Pattern):
        lines = [f"- {name} (matching {wanted.pattern!r})"]
    else:
        lines = [f"- {name}: {_show(wanted)}"]
    lines += [f"+ {name}: {_show(value)}" for value in got] or [f"+ {name} (absent)"]
    if wanted is not None and len(got) > 1:
        lines.append(f"  {name} is sent {len(got)} times; expected once.")
    if isinstance(wanted, str) and NONCE_PLACEHOLDER in wanted and nonce.value:
        # Bound by an earlier header: this one has another nonce, or differs.
        lines.append(
            f"  {NONCE_PLACEHOLDER} is {nonce.value!r} here, the nonce of "
            f"{nonce.source}."
        )
    return lines


def _redirect_hint(response: object, headers: Headers | Mapping[str, str]) -> str:
    """Why a response is a redirect to HTTPS, if it is one."""
    status = getattr(response, "status_code", None)
    location = _values(headers, "Location")
    if status not in _REDIRECTS or not location:
        return ""
    if not location[0].startswith("https://"):
        return ""
    request = getattr(response, "request", None)
    if getattr(request, "scheme", "http") != "http":
        return ""
    return (
        f"\nThe response is a {status} redirect to {location[0]}: Talisman's "
        "force_https sends plain-HTTP requests to HTTPS, and the test client "
        "speaks plain HTTP. Use flask_talisman.testing.https_client(app), or "
        "client.get(..., **flask_talisman.testing.HTTPS)."
    )


def assert_headers(response: HasHeaders, expected: Mapping[str, Expected]) -> None:
    """Assert that ``response`` has the headers ``expected`` describes.

    ``expected`` maps header names, in any case, to:

    * a ``str``: the header is sent once, with exactly this value. Each
      ``{nonce}`` in it matches a nonce (the base64 or base64url characters
      of a CSP nonce source), and every ``{nonce}`` of one call must be the
      same nonce: ``"script-src 'nonce-{nonce}'"``;
    * a compiled pattern (:func:`re.compile`): the header is sent once and
      the pattern matches its whole value;
    * ``None``: the header is not sent.

    Headers that ``expected`` does not name are not looked at. Raises
    :class:`AssertionError` listing each header that differs, expected
    (``-``) then actual (``+``):

    .. code-block:: text

        1 of 2 expected headers differs (- expected, + actual):
        - X-Frame-Options: DENY
        + X-Frame-Options: SAMEORIGIN

    When the response is Talisman's redirect of a plain-HTTP request to
    HTTPS, the message says so. Raises :class:`TypeError` or
    :class:`ValueError` if ``expected`` cannot be read.
    """
    pairs = _checked_expected(expected)
    headers = _headers_of(response, "assert_headers")
    nonce = _Nonce()
    lines: list[str] = []
    failed = 0
    for name, wanted in pairs:
        got = _values(headers, name)
        if not _matches(name, wanted, got, nonce):
            failed += 1
            lines += _diff(name, wanted, got, nonce)
    if not failed:
        return
    total = len(pairs)
    noun = "header" if total == 1 else "headers"
    verb = "differs" if failed == 1 else "differ"
    raise AssertionError(
        f"{failed} of {total} expected {noun} {verb} (- expected, + actual):\n"
        + "\n".join(lines)
        + _redirect_hint(response, headers)
    )


# Nonces ----------------------------------------------------------------------


def nonce_of(response: HasHeaders) -> str | None:
    """The nonce in the response's Content-Security-Policy, or ``None``.

    Reads the ``'nonce-...'`` sources of ``Content-Security-Policy`` and
    ``Content-Security-Policy-Report-Only`` (Talisman gives both the same
    nonce). Returns ``None`` when neither has one. Raises
    :class:`AssertionError` when they hold more than one nonce, which no
    page can satisfy.
    """
    return _nonce_in(_headers_of(response, "nonce_of"))


def _nonce_in(headers: Headers | Mapping[str, str]) -> str | None:
    found: dict[str, str] = {}
    for header in _CSP_HEADERS:
        for value in _values(headers, header):
            for nonce in _NONCE_SOURCE.findall(value):
                found.setdefault(nonce, header)
    if len(found) > 1:
        listed = "\n".join(f"  {n!r} in {header}" for n, header in found.items())
        raise AssertionError(
            f"The response's CSP has {len(found)} different nonces, where an "
            f"element can carry one:\n{listed}"
        )
    return next(iter(found), None)


# Script types a browser runs, so that an inline one needs the nonce: the
# HTML standard's JavaScript MIME types and the non-MIME types. Other types
# are data blocks (JSON, templates), which CSP does not block.
_SCRIPT_TYPE = re.compile(
    r"|module|importmap|speculationrules|text/(jscript|livescript)"
    r"|(text|application)/(x-)?(java|ecma)script(1\.[0-5])?"
)


def _runs(attributes: Mapping[str, str]) -> bool:
    """Whether a ``<script>`` with these attributes is one a browser runs.

    Without a ``type``, a non-empty ``language`` names the type
    ``text/<language>`` (HTML's "prepare the script element").
    """
    kind = attributes.get("type")
    if kind is None and attributes.get("language"):
        kind = "text/" + attributes["language"]
    kind = (kind or "").split(";")[0].strip(_WHITESPACE).translate(_ASCII_LOWER)
    return _SCRIPT_TYPE.fullmatch(kind) is not None


# Reading a page as browsers do -------------------------------------------------
#
# The HTML standard's tokenizer (https://html.spec.whatwg.org/#tokenization)
# and as much of its tree construction as decides which start tags become
# elements and where the tokenizer reads text instead of markup: raw text
# (script, style, textarea, title, noscript with scripting on...), comments
# (``--!>``, ``<!-->``), CDATA sections in SVG and MathML, foreign content and
# its integration points, and the stack of open elements with its scopes,
# implied end tags, tables and the adoption agency algorithm. The DOM itself
# is not built. Written out rather than taken from html.parser, which keeps
# the last of two equal attributes and whose comments changed in CPython
# patch releases.

_WHITESPACE = "\t\n\f "
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ALPHA = frozenset(string.ascii_letters)
_ALNUM = frozenset(string.ascii_letters + string.digits)
_HEX = frozenset(string.hexdigits)
_TAG_NAME_END = re.compile(r"[\t\n\f />]")
_ATTRIBUTE_NAME_END = re.compile(r"[\t\n\f />=]")
_UNQUOTED_END = re.compile(r"[\t\n\f &>]")
_QUOTED_END = {'"': re.compile(r'["&]'), "'": re.compile(r"['&]")}
# What ends a tag's name where raw text looks for its end tag (or a script's
# escaped text for "script").
_NAME_END = frozenset("\t\n\f />")
_DASHES_CLOSE = re.compile(r"-*>")
_SCRIPT_ESCAPED_EVENT = re.compile(r"<|-->")
_LONGEST_REFERENCE = max(map(len, html.entities.html5))

_HTML, _SVG, _MATHML = "html", "svg", "math"


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Tokenizer states in which the tree builder may leave it.
_DATA, _RCDATA, _RAWTEXT, _SCRIPT_DATA, _PLAINTEXT = range(5)

_VOID = _names(
    "area base basefont bgsound br col embed frame hr img input keygen link "
    "meta param source track wbr"
)
_SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body "
    "br button caption center col colgroup dd details dir div dl dt embed "
    "fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 "
    "head header hgroup hr html iframe img input keygen li link listing main "
    "marquee menu meta nav noembed noframes noscript object ol p param "
    "plaintext pre script search section select source style summary table "
    "tbody td template textarea tfoot th thead title tr track ul wbr xmp"
)
_SPECIAL_FOREIGN = frozenset(
    {(_MATHML, n) for n in ("mi", "mo", "mn", "ms", "mtext", "annotation-xml")}
    | {(_SVG, n) for n in ("foreignobject", "desc", "title")}
)
_SCOPE = _names("applet caption html table td th marquee object template")
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_IMPLIED_END = _names("dd dt li optgroup option p rb rp rt rtc")
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# Start tags that close an open p element, then open their element.
_BLOCKS = _names(
    "address article aside blockquote center details dialog dir div dl "
    "fieldset figcaption figure footer header hgroup main menu nav ol p "
    "search section summary ul"
)
# End tags that close their element when it is in scope.
_BLOCK_ENDS = _BLOCKS - {"p"} | {"button", "listing", "pre", "select"}
_TABLE_PARTS = _names("caption col colgroup tbody td tfoot th thead tr")
_THOROUGH_IMPLIED_END = _IMPLIED_END | _TABLE_PARTS - {"col"}
# End tags each of a table's insertion modes ignores.
_IGNORED_IN_CELL = _names("body caption col colgroup html")
_IGNORED_IN_ROW = _IGNORED_IN_CELL | {"td", "th"}
_IGNORED_IN_TABLE_BODY = _IGNORED_IN_ROW | {"tr"}
_IGNORED_IN_TABLE = _IGNORED_IN_TABLE_BODY | {"tbody", "tfoot", "thead"}
_IGNORED_IN_CAPTION = _IGNORED_IN_TABLE - {"caption"}
_HEAD_ELEMENTS = _names(
    "base basefont bgsound link meta noframes script style template title"
)
_RAW_TEXT = {
    "title": _RCDATA,
    "textarea": _RCDATA,
    "style": _RAWTEXT,
    "xmp": _RAWTEXT,
    "iframe": _RAWTEXT,
    "noembed": _RAWTEXT,
    "noframes": _RAWTEXT,
    # Browsers run scripts, so noscript's content is text to them.
    "noscript": _RAWTEXT,
    "script": _SCRIPT_DATA,
    "plaintext": _PLAINTEXT,
}
# Start tags that leave foreign content (SVG, MathML) for HTML.
_BREAKOUT = _names(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 "
    "h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span "
    "strong strike sub sup table tt u ul var"
)


class _Node:
    """An open element: its namespace, lowercase name and attributes."""

    __slots__ = ("attributes", "name", "namespace")

    def __init__(self, namespace: str, name: str, attributes: dict[str, str]) -> None:
        self.namespace = namespace
        self.name = name
        self.attributes = attributes

    def html(self, *names: str) -> bool:
        return self.namespace == _HTML and (not names or self.name in names)

    @property
    def special(self) -> bool:
        if self.namespace == _HTML:
            return self.name in _SPECIAL
        return (self.namespace, self.name) in _SPECIAL_FOREIGN

    @property
    def html_integration_point(self) -> bool:
        if self.namespace == _SVG:
            return self.name in ("foreignobject", "desc", "title")
        return (
            self.namespace == _MATHML
            and self.name == "annotation-xml"
            and self.attributes.get("encoding", "").translate(_ASCII_LOWER)
            in ("text/html", "application/xhtml+xml")
        )

    @property
    def mathml_text_integration_point(self) -> bool:
        return self.namespace == _MATHML and self.name in (
            "mi",
            "mo",
            "mn",
            "ms",
            "mtext",
        )


class _Tag:
    """A start or end tag token."""

    __slots__ = ("attributes", "end", "name", "self_closing", "start", "stop")

    def __init__(self, name: str, start: int, end: bool) -> None:
        self.name = name
        self.start = start
        self.stop = start
        self.end = end
        self.attributes: dict[str, str] = {}
        self.self_closing = False


def _numeric_reference(code: int) -> str:
    """The character of ``&#code;`` in HTML."""
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= code <= 0x9F:
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return chr(code)


def _reference(text: str, at: int) -> tuple[str, int]:
    """The character reference at ``text[at]`` (an ``&``) in an attribute value.

    Returns what it stands for and the index after it: the ``&`` alone when
    nothing follows that makes a reference.
    """
    after = at + 1
    if text.startswith("#", after):
        start = after + 1
        hexadecimal = text[start : start + 1] in ("x", "X")
        if hexadecimal:
            start += 1
        digits = _HEX if hexadecimal else frozenset(string.digits)
        end = start
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start:
            return "&", after  # "&#" or "&#x" without digits: text
        code = int(text[start:end], 16 if hexadecimal else 10)
        if text.startswith(";", end):
            end += 1
        return _numeric_reference(min(code, 0x110000)), end
    if text[after : after + 1] not in _ALNUM:
        return "&", after
    for length in range(min(_LONGEST_REFERENCE, len(text) - after), 0, -1):
        name = text[after : after + length]
        if name in html.entities.html5:
            end = after + length
            if not name.endswith(";") and (
                text[end : end + 1] == "=" or text[end : end + 1] in _ALNUM
            ):
                # In an attribute, "&amp=" and "&ampx" stay as written.
                return text[at:end], end
            return html.entities.html5[name], end
    return "&", after


class _Page:
    """The elements of an HTML document, found as a browser's parser finds them.

    ``elements`` lists, in the order of their start tags, each element the
    parser inserts: (start of its tag, end of its tag, namespace, name,
    attributes).
    """

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.elements: list[tuple[int, int, str, str, dict[str, str]]] = []
        self.state = _DATA
        self.last_start = ""  # for the end tag that ends raw text
        html_element = _Node(_HTML, "html", {})
        self.stack = [html_element, _Node(_HTML, "body", {})]
        self.formatting: list[_Node | None] = []  # None: a marker
        self.form: _Node | None = None
        self.quirks: bool | None = None  # decided by the first token
        self.merged: set[str] = set()
        self._tokenize()

    # The tokenizer -------------------------------------------------------------

    def _tokenize(self) -> None:
        text = self.text
        size = len(text)
        at = 0
        while at < size:
            state = self.state
            if state == _PLAINTEXT:
                self._characters(text[at:])
                return
            less = text.find("<", at)
            if less < 0:
                self._characters(text[at:])
                return
            if less > at:
                self._characters(text[at:less])
            if state == _DATA:
                at = self._tag_open(less)
            elif state == _SCRIPT_DATA:
                at = self._script_less_than(less)
            else:
                at = self._raw_less_than(less)

    def _tag_open(self, at: int) -> int:
        """After ``<`` in the data state: a tag, comment, doctype or text."""
        text = self.text
        following = text[at + 1 : at + 2]
        if following and following in _ALPHA:
            return self._tag(at, at + 1, end=False)
        if following == "/":
            name = text[at + 2 : at + 3]
            if name and name in _ALPHA:
                return self._tag(at, at + 2, end=True)
            if name == ">":
                return at + 3
            if not name:
                self._characters("</")
                return at + 2
            return self._bogus_comment(at + 2)
        if following == "!":
            return self._markup_declaration(at + 2)
        if following == "?":
            return self._bogus_comment(at + 1)
        self._characters("<")
        return at + 1

    def _markup_declaration(self, at: int) -> int:
        text = self.text
        if text.startswith("--", at):
            return self._comment(at + 2)
        if text[at : at + 7].translate(_ASCII_LOWER) == "doctype":
            end = text.find(">", at)
            end = len(text) if end < 0 else end + 1
            self._doctype(text[at + 7 : end])
            return end
        if text.startswith("[CDATA[", at) and not self.stack[-1].html():
            end = text.find("]]>", at + 7)
            if end < 0:
                self._characters(text[at + 7 :])
                return len(text)
            self._characters(text[at + 7 : end])
            return end + 3
        return self._bogus_comment(at)

    def _comment(self, at: int) -> int:
        """After ``<!--``: the index after the comment."""
        text = self.text
        if text.startswith(">", at):
            return at + 1  # <!-->
        if text.startswith("->", at):
            return at + 2  # <!--->
        ends = [
            end + len(mark)
            for mark in ("-->", "--!>")
            if (end := text.find(mark, at)) >= 0
        ]
        return min(ends, default=len(text))

    def _bogus_comment(self, at: int) -> int:
        end = self.text.find(">", at)
        return len(self.text) if end < 0 else end + 1

    def _tag(self, at: int, name_at: int, *, end: bool) -> int:
        """A tag whose name starts at ``name_at``: the index after it."""
        text = self.text
        match = _TAG_NAME_END.search(text, name_at)
        name_end = match.start() if match else len(text)
        name = text[name_at:name_end].translate(_ASCII_LOWER).replace("\0", "\ufffd")
        tag = _Tag(name, at, end)
        return self._attributes(tag, name_end)

    def _attributes(self, tag: _Tag, at: int) -> int:
        """The rest of ``tag`` from ``at``: attributes, ``/`` and ``>``.

        The tag is emitted at its ``>``; one that the document ends inside
        is dropped, as browsers drop it.
        """
        text = self.text
        size = len(text)
        while True:
            # before attribute name
            while at < size and text[at] in _WHITESPACE:
                at += 1
            if at >= size:
                return size
            char = text[at]
            if char == ">":
                tag.stop = at + 1
                self._emit(tag)
                return at + 1
            if char == "/":
                # self-closing start tag state
                if text.startswith(">", at + 1):
                    tag.self_closing = True
                    tag.stop = at + 2
                    self._emit(tag)
                    return at + 2
                at += 1
                continue
            # attribute name (a leading "=" is part of it)
            match = _ATTRIBUTE_NAME_END.search(text, at + 1)
            name_end = match.start() if match else size
            name = text[at:name_end].translate(_ASCII_LOWER).replace("\0", "\ufffd")
            at = name_end
            # after attribute name
            while at < size and text[at] in _WHITESPACE:
                at += 1
            value = ""
            if text.startswith("=", at):
                at += 1
                while at < size and text[at] in _WHITESPACE:
                    at += 1
                if at >= size:
                    return size
                value, at = self._attribute_value(at)
                if at < 0:
                    return size
            # The first of two equal names is kept.
            tag.attributes.setdefault(name, value)

    def _attribute_value(self, at: int) -> tuple[str, int]:
        """The value starting at ``text[at]``: (value, index after it), or -1 at EOF."""
        text = self.text
        quote = text[at]
        parts: list[str] = []
        if quote in _QUOTED_END:
            pattern = _QUOTED_END[quote]
            at += 1
            while True:
                match = pattern.search(text, at)
                if match is None:
                    return "", -1
                parts.append(text[at : match.start()])
                if match.group() == quote:
                    at = match.end()
                    # after attribute value (quoted): anything but whitespace,
                    # "/" or ">" starts the next attribute.
                    break
                decoded, at = _reference(text, match.start())
                parts.append(decoded)
        else:
            if quote == ">":
                return "", at  # missing value: the tag ends here
            while True:
                match = _UNQUOTED_END.search(text, at)
                if match is None:
                    return "", -1
                parts.append(text[at : match.start()])
                if match.group() != "&":
                    at = match.start()
                    break
                decoded, at = _reference(text, match.start())
                parts.append(decoded)
        return "".join(parts).replace("\0", "\ufffd"), at

    def _letters(self, at: int) -> tuple[str, int]:
        """The ASCII letters from ``at``, lowercase, and the index after them."""
        text = self.text
        end = at
        while end < len(text) and text[end] in _ALPHA:
            end += 1
        return text[at:end].translate(_ASCII_LOWER), end

    def _appropriate_end_tag(self, at: int) -> int:
        """At ``</`` in raw text: the index after the end tag that ends it, or -1.

        Only the end tag of the element whose text it is ends it, its name
        followed by whitespace, ``/`` or ``>``; its attributes are read and
        ignored.
        """
        name, end = self._letters(at + 2)
        following = self.text[end : end + 1]
        if name != self.last_start or not following or following not in _NAME_END:
            return -1
        self.state = _DATA
        return self._attributes(_Tag(name, at, end=True), end)

    def _raw_less_than(self, at: int) -> int:
        if self.text.startswith("</", at):
            end = self._appropriate_end_tag(at)
            if end >= 0:
                return end
        self._characters("<")
        return at + 1

    def _script_less_than(self, at: int) -> int:
        """At ``<`` in a script's text, including its escaped states."""
        text = self.text
        if text.startswith("</", at):
            end = self._appropriate_end_tag(at)
            if end >= 0:
                return end
        elif text.startswith("<!--", at):
            return self._script_escaped(at + 4)
        self._characters("<")
        return at + 1

    def _script_escaped(self, at: int) -> int:
        """After ``<!--`` in a script: where its script data state resumes.

        In this escaped state ``</script>`` still ends the script; after a
        ``<script`` (the double escaped state) it does not, until a
        ``</script`` returns to the escaped state. ``-->`` ends both.
        """
        text = self.text
        if (start := _DASHES_CLOSE.match(text, at)) is not None:
            return start.end()  # <!--> and <!--->: the "--" of "<!--" counts
        double = False
        while (event := _SCRIPT_ESCAPED_EVENT.search(text, at)) is not None:
            at = event.end()
            if event.group() != "<":
                return at  # -->
            if not double and text.startswith("/", at):
                end = self._appropriate_end_tag(at - 1)
                if end >= 0:
                    return end
            slash = text.startswith("/", at)
            name, end = self._letters(at + slash)
            following = text[end : end + 1]
            if slash == double and name == "script" and following in _NAME_END:
                double = not double
                at = end + 1
            else:
                at = end
        return len(text)

    # Tree construction -----------------------------------------------------------

    def _doctype(self, body: str) -> None:
        if self.quirks is None:
            words = body.translate(_ASCII_LOWER).replace(">", " ").split()
            self.quirks = words[:1] != ["html"]

    def _characters(self, chars: str) -> None:
        if not chars:
            return
        if self.quirks is None and chars.strip(_WHITESPACE):
            self.quirks = True
        if self.state != _DATA and self.state != _PLAINTEXT:
            return  # the text of a raw text element
        if self._in_foreign_content(None) or not chars.strip("\0"):
            return
        mode = self._mode()
        if mode == "column group":
            if chars.strip(_WHITESPACE) and self.stack[-1].html("colgroup"):
                self.stack.pop()
                self._characters(chars)
            return
        if (
            mode in ("table", "table body", "row")
            and self.stack[-1].html("table", "tbody", "tfoot", "thead", "tr")
            and not chars.strip(_WHITESPACE)
        ):
            return
        self._reconstruct()

    def _emit(self, tag: _Tag) -> None:
        if self.quirks is None:
            self.quirks = True
        if tag.end:
            self._end(tag)
        else:
            self._start(tag)

    def _in_foreign_content(self, tag: _Tag | None) -> bool:
        """Whether ``tag`` (None: characters) goes to the rules for foreign content."""
        node = self.stack[-1]
        if node.namespace == _HTML:
            return False
        start = tag is not None and not tag.end
        if node.mathml_text_integration_point and (
            tag is None or (start and tag.name not in ("mglyph", "malignmark"))
        ):
            return False
        if (
            start
            and tag is not None
            and tag.name == "svg"
            and node.namespace == _MATHML
            and node.name == "annotation-xml"
        ):
            return False
        return not (node.html_integration_point and (tag is None or start))

    def _mode(self) -> str:
        """The insertion mode, as "reset the insertion mode appropriately" finds it."""
        for node in reversed(self.stack[1:]):
            if node.namespace != _HTML:
                continue
            name = node.name
            if name in ("td", "th"):
                return "cell"
            if name == "tr":
                return "row"
            if name in ("tbody", "thead", "tfoot"):
                return "table body"
            if name == "caption":
                return "caption"
            if name == "colgroup":
                return "column group"
            if name == "table":
                return "table"
            if name in ("template", "body"):
                return "body"
        return "body"

    def _record(self, tag: _Tag, namespace: str) -> _Node:
        node = _Node(namespace, tag.name, tag.attributes)
        self.elements.append((tag.start, tag.stop, namespace, tag.name, tag.attributes))
        return node

    def _insert(self, tag: _Tag, namespace: str = _HTML) -> _Node:
        node = self._record(tag, namespace)
        self.stack.append(node)
        return node

    def _start(self, tag: _Tag) -> None:
        if self._in_foreign_content(tag):
            self._foreign_start(tag)
        else:
            self._html_start(tag, self._mode())

    def _end(self, tag: _Tag) -> None:
        if self._in_foreign_content(tag):
            self._foreign_end(tag)
        else:
            self._html_end(tag.name, self._mode())

    # Foreign content

    def _foreign_start(self, tag: _Tag) -> None:
        name = tag.name
        if name in _BREAKOUT or (
            name == "font" and {"color", "face", "size"} & tag.attributes.keys()
        ):
            while not (
                self.stack[-1].namespace == _HTML
                or self.stack[-1].mathml_text_integration_point
                or self.stack[-1].html_integration_point
            ):
                self.stack.pop()
            self._html_start(tag, self._mode())
            return
        node = self._insert(tag, self.stack[-1].namespace)
        if tag.self_closing:
            self.stack.remove(node)

    def _foreign_end(self, tag: _Tag) -> None:
        index = len(self.stack) - 1
        while index > 0:
            node = self.stack[index]
            if node.name == tag.name:
                del self.stack[index:]
                return
            index -= 1
            if self.stack[index].namespace == _HTML:
                self._html_end(tag.name, self._mode())
                return

    # Scopes and the stack

    def _in_scope(self, target: str | _Node, extra: tuple[str, ...] = ()) -> bool:
        for node in reversed(self.stack):
            if node is target or (isinstance(target, str) and node.html(target)):
                return True
            if node.namespace == _HTML:
                if node.name in _SCOPE or node.name in extra:
                    return False
            elif (node.namespace, node.name) in _SPECIAL_FOREIGN:
                return False
        return False

    def _in_table_scope(self, name: str) -> bool:
        for node in reversed(self.stack):
            if node.html(name):
                return True
            if node.html("html", "table", "template"):
                return False
        return False

    def _pop_until(self, *names: str) -> None:
        while len(self.stack) > 1:
            node = self.stack.pop()
            if node.html(*names):
                return

    def _implied_end_tags(self, *, but: str = "") -> None:
        while self.stack[-1].html() and self.stack[-1].name in _IMPLIED_END - {but}:
            self.stack.pop()

    def _close_p(self) -> None:
        if self._in_scope("p", ("button",)):
            self._implied_end_tags(but="p")
            self._pop_until("p")

    def _clear_to(self, *names: str) -> None:
        while not self.stack[-1].html("html", "template", *names):
            self.stack.pop()

    def _clear_formatting_to_marker(self) -> None:
        while self.formatting and self.formatting.pop() is not None:
            pass

    def _reconstruct(self) -> None:
        formatting = self.formatting
        if not formatting or formatting[-1] is None or formatting[-1] in self.stack:
            return
        first = len(formatting) - 1
        while first > 0:
            entry = formatting[first - 1]
            if entry is None or entry in self.stack:
                break
            first -= 1
        for index in range(first, len(formatting)):
            entry = formatting[index]
            if entry is not None:  # always: a marker stops the rewinding
                copy = _Node(_HTML, entry.name, entry.attributes)
                self.stack.append(copy)
                formatting[index] = copy

    def _push_formatting(self, node: _Node) -> None:
        same = []
        for entry in reversed(self.formatting):
            if entry is None:
                break
            if entry.name == node.name and entry.attributes == node.attributes:
                same.append(entry)
        if len(same) >= 3:
            self.formatting.remove(same[-1])  # the earliest of them
        self.formatting.append(node)

    def _adoption_agency(self, subject: str) -> None:
        current = self.stack[-1]
        if current.html(subject) and current not in self.formatting:
            self.stack.pop()
            return
        for _ in range(8):
            element = None
            for entry in reversed(self.formatting):
                if entry is None:
                    break
                if entry.name == subject:
                    element = entry
                    break
            if element is None:
                self._any_other_end(subject)
                return
            if element not in self.stack:
                self.formatting.remove(element)
                return
            if not self._in_scope(element):
                return
            position = self.stack.index(element)
            furthest = next(
                (node for node in self.stack[position + 1 :] if node.special), None
            )
            if furthest is None:
                del self.stack[position:]
                self.formatting.remove(element)
                return
            bookmark = _Node(_HTML, "", {})  # stands in the list for a position
            self.formatting.insert(self.formatting.index(element) + 1, bookmark)
            node_index = self.stack.index(furthest)
            last = furthest
            inner = 0
            while True:
                inner += 1
                node_index -= 1
                node = self.stack[node_index]
                if node is element:
                    break
                if inner > 3 and node in self.formatting:
                    self.formatting.remove(node)
                if node not in self.formatting:
                    del self.stack[node_index]
                    continue
                copy = _Node(_HTML, node.name, node.attributes)
                self.formatting[self.formatting.index(node)] = copy
                self.stack[node_index] = copy
                if last is furthest:
                    self.formatting.remove(bookmark)
                    self.formatting.insert(self.formatting.index(copy) + 1, bookmark)
                last = copy
            copy = _Node(_HTML, element.name, element.attributes)
            self.formatting.remove(element)
            self.formatting[self.formatting.index(bookmark)] = copy
            self.stack.remove(element)
            self.stack.insert(self.stack.index(furthest) + 1, copy)

    # HTML content

    def _html_start(self, tag: _Tag, mode: str) -> None:
        name = tag.name
        if mode != "body" and self._table_start(tag, mode):
            return
        if name in ("html", "body", "head"):
            if "nonce" in tag.attributes and name not in self.merged:
                self.merged.add(name)
                self._record(tag, _HTML)
            return
        if name in _HEAD_ELEMENTS or name == "noscript":
            if name == "template":
                self._insert(tag)
                self.formatting.append(None)
            elif name in _VOID:
                self._record(tag, _HTML)
            else:
                self._raw_text(tag)
            return
        if name in _TABLE_PARTS or name == "frame":
            return
        if name in _BLOCKS or name in ("pre", "listing"):
            self._close_p()
            self._insert(tag)
        elif name in _HEADINGS:
            self._close_p()
            if self.stack[-1].html(*_HEADINGS):
                self.stack.pop()
            self._insert(tag)
        elif name == "form":
            template = any(node.html("template") for node in self.stack)
            if self.form is not None and not template:
                return
            self._close_p()
            node = self._insert(tag)
            if not template:
                self.form = node
        elif name in ("li", "dd", "dt"):
            closes = ("li",) if name == "li" else ("dd", "dt")
            for node in reversed(self.stack):
                if node.html(*closes):
                    self._implied_end_tags(but=node.name)
                    self._pop_until(node.name)
                    break
                if node.special and not node.html("address", "div", "p"):
                    break
            self._close_p()
            self._insert(tag)
        elif name == "plaintext":
            self._close_p()
            self._raw_text(tag)
        elif name == "button":
            if self._in_scope("button"):
                self._implied_end_tags()
                self._pop_until("button")
            self._reconstruct()
            self._insert(tag)
        elif name == "a":
            for entry in reversed(self.formatting):
                if entry is None:
                    break
                if entry.name == "a":
                    self._adoption_agency("a")
                    if entry in self.formatting:
                        self.formatting.remove(entry)
                    if entry in self.stack:
                        self.stack.remove(entry)
                    break
            self._reconstruct()
            self._push_formatting(self._insert(tag))
        elif name in _FORMATTING:
            self._reconstruct()
            if name == "nobr" and self._in_scope("nobr"):
                self._adoption_agency("nobr")
                self._reconstruct()
            self._push_formatting(self._insert(tag))
        elif name in ("applet", "marquee", "object"):
            self._reconstruct()
            self._insert(tag)
            self.formatting.append(None)
        elif name == "table":
            if not self.quirks:
                self._close_p()
            self._insert(tag)
        elif name in _VOID or name == "image":
            if name == "hr":
                self._close_p()
            elif name not in ("param", "source", "track"):
                self._reconstruct()
            if name == "image":
                tag.name = "img"
            self._record(tag, _HTML)
        elif name in ("textarea", "iframe", "noembed", "xmp"):
            if name == "xmp":
                self._close_p()
                self._reconstruct()
            self._raw_text(tag)
        elif name == "select":
            if self._in_scope("select"):
                self._pop_until("select")
                return
            self._reconstruct()
            self._insert(tag)
        elif name in ("optgroup", "option"):
            if self.stack[-1].html("option"):
                self.stack.pop()
            self._reconstruct()
            self._insert(tag)
        elif name in ("rb", "rtc", "rp", "rt"):
            if self._in_scope("ruby"):
                self._implied_end_tags(but="rtc" if name in ("rp", "rt") else "")
            self._insert(tag)
        elif name in ("math", "svg"):
            self._reconstruct()
            node = self._insert(tag, _MATHML if name == "math" else _SVG)
            if tag.self_closing:
                self.stack.remove(node)
        else:
            self._reconstruct()
            self._insert(tag)

    def _raw_text(self, tag: _Tag) -> None:
        self._insert(tag)
        self.state = _RAW_TEXT[tag.name]
        self.last_start = tag.name

    def _table_start(self, tag: _Tag, mode: str) -> bool:
        """The start tag in a table's insertion modes; False: as in the body."""
        name = tag.name
        if mode == "cell" or mode == "caption":
            if name not in _TABLE_PARTS:
                return False
            if mode == "cell":
                if not (self._in_table_scope("td") or self._in_table_scope("th")):
                    return True
                self._close_cell()
            else:
                if not self._in_table_scope("caption"):
                    return True
                self._implied_end_tags()
                self._pop_until("caption")
                self._clear_formatting_to_marker()
            self._html_start(tag, self._mode())
            return True
        if mode == "column group":
            if name == "col":
                self._record(tag, _HTML)
                return True
            if name == "template":
                return False
            if not self.stack[-1].html("colgroup"):
                return True
            self.stack.pop()
            self._html_start(tag, self._mode())
            return True
        if mode == "row":
            if name in ("th", "td"):
                self._clear_to("tr")
                self._insert(tag)
                self.formatting.append(None)
                return True
            if name in _TABLE_PARTS:
                if self._in_table_scope("tr"):
                    self._clear_to("tr")
                    self.stack.pop()
                    self._html_start(tag, self._mode())
                return True
        if mode == "table body":
            if name == "tr":
                self._clear_to("tbody", "tfoot", "thead")
                self._insert(tag)
                return True
            if name in ("th", "td"):
                self._clear_to("tbody", "tfoot", "thead")
                self.stack.append(_Node(_HTML, "tr", {}))
                self._html_start(tag, "row")
                return True
            if name in _TABLE_PARTS:
                if any(
                    self._in_table_scope(part) for part in ("tbody", "thead", "tfoot")
                ):
                    self._clear_to("tbody", "tfoot", "thead")
                    self.stack.pop()
                    self._html_start(tag, self._mode())
                return True
        # in table
        if name == "caption":
            self._clear_to("table")
            self.formatting.append(None)
            self._insert(tag)
        elif name == "colgroup":
            self._clear_to("table")
            self._insert(tag)
        elif name == "col":
            self._clear_to("table")
            self.stack.append(_Node(_HTML, "colgroup", {}))
            self._html_start(tag, "column group")
        elif name in ("tbody", "tfoot", "thead"):
            self._clear_to("table")
            self._insert(tag)
        elif name in ("td", "th", "tr"):
            self._clear_to("table")
            self.stack.append(_Node(_HTML, "tbody", {}))
            self._html_start(tag, "table body")
        elif name == "table":
            if self._in_table_scope("table"):
                self._pop_until("table")
                self._html_start(tag, self._mode())
        elif name in ("style", "script", "template"):
            return False
        elif (
            name == "input"
            and tag.attributes.get("type", "").translate(_ASCII_LOWER) == "hidden"
        ):
            self._record(tag, _HTML)
        elif name == "form":
            if self.form is None and not any(n.html("template") for n in self.stack):
                self.form = self._record(tag, _HTML)
        else:
            return False
        return True

    def _close_cell(self) -> None:
        self._implied_end_tags()
        self._pop_until("td", "th")
        self._clear_formatting_to_marker()

    def _html_end(self, name: str, mode: str) -> None:
        if mode != "body" and self._table_end(name, mode):
            return
        if name == "template":
            if any(node.html("template") for node in self.stack):
                while self.stack[-1].html(*_THOROUGH_IMPLIED_END):
                    self.stack.pop()
                self._pop_until("template")
                self._clear_formatting_to_marker()
        elif name in ("body", "html", "head"):
            pass
        elif name in _BLOCK_ENDS:
            if self._in_scope(name):
                self._implied_end_tags()
                self._pop_until(name)
        elif name == "form":
            if any(node.html("template") for node in self.stack):
                if self._in_scope("form"):
                    self._implied_end_tags()
                    self._pop_until("form")
                return
            node, self.form = self.form, None
            if node is not None and self._in_scope(node):
                self._implied_end_tags()
                self.stack.remove(node)
        elif name == "p":
            if self._in_scope("p", ("button",)):
                self._implied_end_tags(but="p")
                self._pop_until("p")
        elif name == "li":
            if self._in_scope("li", ("ol", "ul")):
                self._implied_end_tags(but="li")
                self._pop_until("li")
        elif name in ("dd", "dt"):
            if self._in_scope(name):
                self._implied_end_tags(but=name)
                self._pop_until(name)
        elif name in _HEADINGS:
            if any(self._in_scope(h) for h in _HEADINGS):
                self._implied_end_tags()
                self._pop_until(*_HEADINGS)
        elif name in _FORMATTING:
            self._adoption_agency(name)
        elif name in ("applet", "marquee", "object"):
            if self._in_scope(name):
                self._implied_end_tags()
                self._pop_until(name)
                self._clear_formatting_to_marker()
        elif name == "br":
            self._reconstruct()
        else:
            self._any_other_end(name)

    def _any_other_end(self, name: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            node = self.stack[index]
            if node.html(name):
                self._implied_end_tags(but=name)
                del self.stack[index:]
                return
            if node.special:
                return

    def _table_end(self, name: str, mode: str) -> bool:
        """The end tag in a table's insertion modes; False: as in the body."""
        if mode == "cell":
            if name in ("td", "th"):
                if self._in_table_scope(name):
                    self._implied_end_tags()
                    self._pop_until(name)
                    self._clear_formatting_to_marker()
            elif name in _IGNORED_IN_CELL:
                pass
            elif name in ("table", "tbody", "tfoot", "thead", "tr"):
                if self._in_table_scope(name):
                    self._close_cell()
                    self._html_end(name, self._mode())
            else:
                return False
            return True
        if mode == "caption":
            if name in ("caption", "table"):
                if self._in_table_scope("caption"):
                    self._implied_end_tags()
                    self._pop_until("caption")
                    self._clear_formatting_to_marker()
                    if name == "table":
                        self._html_end(name, self._mode())
            elif name in _IGNORED_IN_CAPTION:
                pass
            else:
                return False
            return True
        if mode == "column group":
            if name == "colgroup":
                if self.stack[-1].html("colgroup"):
                    self.stack.pop()
            elif name == "col":
                pass
            elif name == "template":
                return False
            elif self.stack[-1].html("colgroup"):
                self.stack.pop()
                self._html_end(name, self._mode())
            return True
        if mode == "row":
            if name == "tr":
                if self._in_table_scope("tr"):
                    self._clear_to("tr")
                    self.stack.pop()
                return True
            if name in ("table", "tbody", "tfoot", "thead"):
                if (
                    name == "table" or self._in_table_scope(name)
                ) and self._in_table_scope("tr"):
                    self._clear_to("tr")
                    self.stack.pop()
                    self._html_end(name, self._mode())
                return True
            if name in _IGNORED_IN_ROW:
                return True
        if mode in ("row", "table body"):
            if name in ("tbody", "tfoot", "thead"):
                if self._in_table_scope(name):
                    self._clear_to("tbody", "tfoot", "thead")
                    self.stack.pop()
                return True
            if name == "table":
                if any(self._in_table_scope(p) for p in ("tbody", "thead", "tfoot")):
                    self._clear_to("tbody", "tfoot", "thead")
                    self.stack.pop()
                    self._html_end(name, self._mode())
                return True
            if name in _IGNORED_IN_TABLE_BODY:
                return True
        # in table
        if name == "table":
            if self._in_table_scope("table"):
                self._pop_until("table")
            return True
        return name in _IGNORED_IN_TABLE


def _inline(namespace: str, name: str, attributes: Mapping[str, str]) -> bool:
    """Whether an element is inline code that a nonce allows.

    A ``<style>``, or a ``<script>`` without a source that the browser runs,
    in HTML or in SVG (whose ``<script>`` and ``<style>`` CSP governs too);
    MathML has neither.
    """
    if namespace == _MATHML:
        return False
    if name == "style":
        return True
    sources = ("href", "xlink:href") if namespace == _SVG else ("src",)
    return (
        name == "script"
        and not any(source in attributes for source in sources)
        and _runs(attributes)
    )


def _body_of(response: object) -> str:
    get_data = getattr(response, "get_data", None)
    if callable(get_data):
        return cast(str, get_data(as_text=True))
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text
    raise TypeError(
        f"assert_nonce_used(response): cannot read the body of {response!r}; "
        "pass a response with get_data() (werkzeug, Flask) or a str .text."
    )


def assert_nonce_used(response: HasHeaders, *, all_inline: bool = False) -> str:
    """Assert that the page uses its CSP nonce, and return the nonce.

    Checks that the response's CSP has a nonce (see :func:`nonce_of`), that
    every element of the HTML body with a ``nonce`` attribute carries that
    nonce, and that at least one does. With ``all_inline=True`` every inline
    ``<script>`` (one without ``src`` that the browser runs: not a JSON or
    other data block) and every ``<style>`` must carry it too, for a policy
    that allows no inline code otherwise.

    The body is read as browsers read HTML (the HTML standard's parser):
    the first of two ``nonce`` attributes counts, comments end where
    browsers end them, the text of ``<script>``, ``<textarea>``,
    ``<noscript>`` and the like is text, and ``<script>`` and ``<style>`` in
    SVG and in ``<template>`` count as elements. An ``<iframe srcdoc>`` is
    another document, not read.

    Raises :class:`AssertionError` listing, by line, the elements that do
    not carry the nonce, or saying that none does.
    """
    headers = _headers_of(response, "assert_nonce_used")
    nonce = _nonce_in(headers)
    if nonce is None:
        shown = [
            f"  {header}: {_show(value)}"
            for header in _CSP_HEADERS
            for value in _values(headers, header)
        ] or ["  (no Content-Security-Policy header)"]
        raise AssertionError(
            "The response's CSP has no nonce, so no element can use one:\n"
            + "\n".join(shown)
            + "\nPut NONCE in the view's policy, or name its directives in "
            "content_security_policy_nonce_in."
        )
    page = _Page(_body_of(response))
    newlines = [at for at, char in enumerate(page.text) if char == "\n"]
    wrong: list[str] = []
    used = 0
    for start, stop, namespace, name, attributes in page.elements:
        carried = attributes.get("nonce")
        if carried is None and not (
            all_inline and _inline(namespace, name, attributes)
        ):
            continue
        line = bisect.bisect(newlines, start) + 1
        text = page.text[start:stop]
        if len(text) > 80:
            text = text[:77] + "..."
        if carried == nonce:
            used += 1
        elif carried is None:
            wrong.append(f"  line {line}: {text}  (no nonce)")
        elif carried == "":
            wrong.append(
                f"  line {line}: {text}  (empty nonce: does the template "
                "call csp_nonce()?)"
            )
        else:
            wrong.append(f"  line {line}: {text}  (nonce {carried!r})")
    if wrong:
        noun = "element does" if len(wrong) == 1 else "elements do"
        raise AssertionError(
            f"{len(wrong)} {noun} not carry the response's nonce {nonce!r}:\n"
            + "\n".join(wrong)
        )
    if not used:
        raise AssertionError(
            f"No element of the body carries the response's nonce {nonce!r}: "
            "give the page's inline <script> and <style> elements "
            'nonce="{{ csp_nonce() }}", or leave the nonce out of the policy.'
        )
    return nonce
