"""Nonces and caches: what keeps a page's nonce and its header together.

A nonce is a promise between a header and a body; a cache keeps one of
them and not the other. The after-request hook calls these functions, and
only for responses whose CSP carries a nonce:

* A ``304 Not Modified`` gets no nonce'd CSP at all (the hook leaves it
  out), so the browser keeps the header it stored with the body, whose
  nonce matches (RFC 9111, section 4.3.4: a 304 updates only the header
  fields it carries; Chromium and Firefox run the stored page's scripts
  on each revalidated visit, tests/browser/test_revalidation.py).
* :func:`body_uses_nonce` tells whether the body used this request's
  nonce; :func:`make_private` then keeps the response out of shared caches
  (a CDN, a caching proxy), which would hand one visitor's nonce to every
  other and make it predictable. Responses that did not use the nonce keep
  the caching the application gave them.
* A view cached by Flask-Caching (``@cache.cached``) that renders the nonce
  stores a body whose nonce only its first response carries. Its entry is
  removed as soon as it is stored (:func:`forget`), so the view renders for
  every request; a stored body that still reaches a response (stored before
  this, or by another request between its store and removal) is recognised
  by :func:`is_stale` and never sent: the view renders again for this
  request (:func:`render_again`).

See ``docs/caching.rst``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from flask import Flask, Request, Response
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

__all__ = [
    "PRIVATE",
    "SHARED_CACHING",
    "body_uses_nonce",
    "cached_view",
    "forget",
    "is_stale",
    "make_private",
    "render_again",
]

_logger = logging.getLogger("flask_talisman")

#: Cache-Control directives that let a shared cache store a response.
_SHARED = ("public", "s-maxage", "private=")
#: Headers that set a shared cache's lifetime over Cache-Control: CDN
#: targeted fields (RFC 9213's CDN-Cache-Control and the CDN-specific ones
#: its section 2 describes, Surrogate-Control, Edge-Control) and nginx's
#: X-Accel-Expires, which nginx obeys before Cache-Control.
_OVERRIDES = frozenset(
    {
        "cdn-cache-control",
        "cloudflare-cdn-cache-control",
        "vercel-cdn-cache-control",
        "netlify-cdn-cache-control",
        "surrogate-control",
        "edge-control",
        "x-accel-expires",
    }
)
#: What :func:`make_private` adds to a response with no caching header.
PRIVATE = (("Cache-Control", "private"),)
#: Lower-cased names of the headers that decide shared caching.
SHARED_CACHING = frozenset({"cache-control", *_OVERRIDES})
# A nonce attribute in markup and its value: `nonce=` with any case and
# spacing, quoted or not, and a value long enough to be a nonce (text such
# as "nonce=1" is not one; a false match costs a render, never a loop).
_NONCE_ATTRIBUTE = re.compile(rb"""(?i)\snonce\s*=\s*["']?([A-Za-z0-9+/_-]{16,}=*)""")
#: A stream whose length says it is at most this is read to be searched.
_SEARCHED_STREAM = 64 * 1024


def body_uses_nonce(response: Response, nonce: str) -> bool:
    """Whether ``response``'s body may carry ``nonce``.

    A body streamed without a small stated length is not read (a streamed
    template calls ``csp_nonce()`` after the hook, and a large stream would
    be held in memory), so it counts as using the nonce; so does a body
    compressed by a hook that ran before Talisman's (Flask-Compress set up
    after Talisman), which cannot be searched. A file passed straight
    through (``send_file``) does not. Other bodies are searched for the
    nonce: a template that reads ``request.csp_nonce`` (as 1.1.0's did) is
    found that way.
    """
    if response.direct_passthrough:
        return False
    chunks = _searchable(response)
    if chunks is None:
        return True
    needle = nonce.encode("ascii")
    for chunk in chunks:
        if isinstance(chunk, bytes) and needle in chunk:
            return True
        if isinstance(chunk, str) and nonce in chunk:
            return True
    return _encoded(response)


def _encoded(response: Response) -> bool:
    # Content-Encoding other than identity. A loop over the pairs: Werkzeug's
    # Headers.get raises and catches a KeyError subclass when the header is
    # absent, the usual case, which cost 10,000 instructions a response.
    for name, value in response.headers:
        if name.lower() == "content-encoding":
            return value.strip().lower() != "identity"
    return False


def _searchable(response: Response) -> Sequence[bytes | str] | None:
    # The body as the app gave it when it is one chunk (nothing joined or
    # copied), else its data joined: from a sequence, or from an iterator
    # of a small stated length (an error page made from an HTTPException).
    # None for files passed through and streams, which are not held in
    # memory to be searched.
    if response.direct_passthrough:
        return None
    body = response.response
    if isinstance(body, (list, tuple)) and len(body) < 2:
        return body  # a nonce cannot straddle two chunks
    if not response.is_streamed:
        return [response.get_data()]
    length = response.content_length
    if length is None or length > _SEARCHED_STREAM:
        return None
    return [response.get_data()]


def make_private(headers: Headers) -> None:
    """Keep a response out of shared caches; the browser may still keep it.

    Adds ``private`` to Cache-Control (alone when there was none) and drops
    what would let a shared cache store it anyway: ``public``,
    ``s-maxage``, a field-qualified ``private="..."`` and the headers in
    :data:`_OVERRIDES`. Other directives (``max-age``, ``no-cache``,
    ``no-store``...) are kept, so the browser's own cache behaves as the
    application asked.
    """
    found: str | None = None
    drop = False
    for name, value in headers:
        low = name.lower()
        if low == "cache-control":
            found = value if found is None else f"{found}, {value}"
        elif low in _OVERRIDES:
            drop = True
    if drop:
        for name in _OVERRIDES:
            headers.remove(name)
    if found is None:
        headers.add("Cache-Control", "private")
        return
    directives = [d.strip() for d in found.split(",") if d.strip()]
    if any(d.lower() == "no-store" for d in directives):
        return  # never stored anywhere: left as the app wrote it
    kept = [
        d
        for d in directives
        if not d.lower().startswith(_SHARED) and d.lower() != "private"
    ]
    headers["Cache-Control"] = ", ".join(["private", *kept])


# -- Flask-Caching --------------------------------------------------------------


def cached_view(app: Flask, endpoint: str | None) -> Any:
    """The view of ``endpoint`` if Flask-Caching's ``@cache.cached`` wraps it.

    Flask-Caching marks the function it returns with ``uncached`` (the view
    it wraps) and ``make_cache_key``; ``app.extensions["cache"]`` holds its
    ``Cache`` objects.
    """
    if endpoint is None or not app.extensions.get("cache"):
        return None
    view = app.view_functions.get(endpoint)
    if hasattr(view, "uncached") and hasattr(view, "make_cache_key"):
        return view
    return None


def forget(app: Flask, view: Any, request: Request) -> bool:
    """Remove this request's entry of ``view`` from every Flask-Caching cache.

    The key is the one the decorator computes for this request:
    ``view.make_cache_key(use_request=True, **view_args)`` for
    ``@cache.cached``, ``view.make_cache_key(view.uncached, **view_args)`` for
    ``@cache.memoize``; it is removed with ``Cache.delete``. False if no cache
    held it, or the key cannot be computed (a ``make_cache_key=`` function
    given to the decorator is out of reach).
    """
    arguments = request.view_args or {}
    try:
        if hasattr(view, "delete_memoized"):
            key = view.make_cache_key(view.uncached, **arguments)
        else:
            key = view.make_cache_key(use_request=True, **arguments)
    except Exception:  # a make_cache_key of the app's, with other arguments
        _logger.warning(
            "Talisman could not find %s's entry in Flask-Caching's cache, "
            "whose page holds a CSP nonce: the view renders for each request "
            "that would replay it. Allow its scripts by hash instead of a "
            "nonce, or stop caching the view (see the caching docs).",
            request.endpoint,
            exc_info=True,
        )
        return False
    removed = False
    for cache in app.extensions.get("cache", {}):
        removed = bool(cache.delete(key)) or removed
    return removed


def is_stale(response: Response, nonce: str) -> bool:
    """Whether the body has a nonce attribute with another value than ``nonce``.

    For a cached view's response whose view did not call ``csp_nonce()``
    this time: a body stored by an earlier request.
    """
    chunks = _searchable(response)
    if chunks is None or _encoded(response):
        return False
    mine = nonce.encode("ascii")
    return any(
        found != mine
        for chunk in chunks
        for found in _NONCE_ATTRIBUTE.findall(
            chunk if isinstance(chunk, bytes) else chunk.encode()
        )
    )


#: Headers of a stored response that describe its body, not the request:
#: the page rendered again has its own.
_ENTITY = frozenset(
    {"content-length", "content-type", "content-encoding", "etag", "last-modified"}
)


def render_again(app: Flask, view: Any, request: Request, stored: Response) -> Response:
    """The view's page for this request, rendered without Flask-Caching.

    What the decorator would have done had the entry been missing: the view
    it wraps (``view.uncached``) is called with the request's arguments. An
    HTTP error it raises goes through the app's error handlers. Headers the
    app's other after-request hooks added to the stored response (those that
    ran before Talisman's) are kept.
    """
    try:
        result = app.ensure_sync(view.uncached)(**(request.view_args or {}))
    except HTTPException as error:
        result = app.handle_http_exception(error)
    fresh = app.make_response(result)
    for name, value in stored.headers:
        if name.lower() not in _ENTITY and name not in fresh.headers:
            fresh.headers.add(name, value)
    return fresh
