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
import re
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

from ._html import MATHML, SVG, Page, script_runs

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


# Elements that need the nonce ------------------------------------------------


def _inline(namespace: str, name: str, attributes: Mapping[str, str]) -> bool:
    """Whether an element is inline code that a nonce allows.

    A ``<style>``, or a ``<script>`` without a source that the browser runs,
    in HTML or in SVG (whose ``<script>`` and ``<style>`` CSP governs too);
    MathML has neither.
    """
    if namespace == MATHML:
        return False
    if name == "style":
        return True
    sources = ("href", "xlink:href") if namespace == SVG else ("src",)
    return (
        name == "script"
        and not any(source in attributes for source in sources)
        and script_runs(attributes)
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
    page = Page(_body_of(response))
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
