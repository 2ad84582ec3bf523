"""The per-request path's only contact with Werkzeug's and Flask's internals.

Each function here takes a shortcut past a public API, and is kept because
it measured cheaper per request than the plain public form, by these numbers
(``python benchmarks/wire.py --instructions``, the default configuration on
an HTTPS request; see ``docs/benchmarks.rst``):

:func:`current_request`
    ``flask.request._get_current_object()``: the request behind Flask's
    proxy, looked up once per hook. Every use of the proxy looks it up
    again: the hooks' four uses cost 33,100 instructions through the proxy,
    6,100 as two lookups and four uses of the request itself.

:func:`set_headers` and :func:`append_headers`
    Appends the compiled pairs to ``Headers._list`` when the response has
    none of their names: six headers onto Flask's two cost 2,700
    instructions, against 36,700 through :meth:`Headers.extend
    <werkzeug.datastructures.Headers.extend>` and 61,700 through
    ``headers[name] = value``, which check each value for newlines again
    (the compiled values were checked once, when compiled).

Reading per-request data with ``request.__dict__.get(...)`` instead of
``getattr`` measured slower (553 against 388 instructions), and so did a
view function's ``__dict__`` (713 against 496): those are plain ``getattr``
calls in the hooks. ``tests/test_wire.py`` fails, naming the versions, if
Werkzeug or Flask changes what these functions rely on.
"""

from __future__ import annotations

from flask import Request
from flask import request as _request_proxy
from werkzeug.datastructures import Headers

__all__ = ["append_headers", "current_request", "set_headers"]


def current_request() -> Request:
    """The current request itself, not the proxy; :exc:`RuntimeError` outside one."""
    request: Request = _request_proxy._get_current_object()  # type: ignore[attr-defined]
    return request


def set_headers(
    headers: Headers, pairs: tuple[tuple[str, str], ...], names: frozenset[str]
) -> None:
    """``headers[name] = value`` for each pair; ``names`` are theirs, lower-cased.

    When none of the names is present (the usual case) the pairs, whose
    values were checked when compiled, are appended to the header list in
    one step. (That is :func:`append_headers`'s pass, written out here:
    calling it would cost every response one more Python frame.)
    """
    if type(headers) is Headers:
        existing: list[tuple[str, str]] = headers._list
        for key, _ in existing:
            if key.lower() in names:
                break
        else:
            existing.extend(pairs)
            return
    for name, value in pairs:
        headers[name] = value


def append_headers(
    headers: Headers, pairs: tuple[tuple[str, str], ...], names: frozenset[str]
) -> bool:
    """Append ``pairs`` if the response has none of ``names``; else False.

    :func:`set_headers`'s usual case as a test: a page that used its nonce
    gets its headers and ``Cache-Control: private`` in this one pass over
    the response's headers, when it has no caching header of its own.
    """
    if type(headers) is not Headers:
        return False
    existing: list[tuple[str, str]] = headers._list
    for key, _ in existing:
        if key.lower() in names:
            return False
    existing.extend(pairs)
    return True
