"""Nonces and caches: what keeps a page's nonce and its header together.

A nonce is a promise between a header and a body; a cache keeps one of
them and not the other. The after-request hook calls these functions, and
only for responses whose CSP carries a nonce:

* A ``304 Not Modified`` gets no nonce'd CSP at all (the hook leaves it
  out), so the browser keeps the header it stored with the body, whose
  nonce matches (RFC 9111, section 4.3.4: a 304 updates only the header
  fields it carries).
* :func:`body_uses_nonce` tells whether the body used this request's
  nonce; :func:`make_private` then keeps the response out of shared caches
  (a CDN, a caching proxy), which would hand one visitor's nonce to every
  other and make it predictable. Responses that did not use the nonce keep
  the caching the application gave them.
* A view cached by Flask-Caching (``@cache.cached``) that renders the nonce
  stores a body whose nonce only its first response carries. Its entry is
  removed as soon as it is stored (:func:`forget`), so the view renders for
  every request; a stored body that still reaches a response (stored before
  this, or by another process between its store and removal) is recognised
  by :func:`is_stale` and never sent: the request is answered with a
  redirect to itself, which renders afresh.

See ``docs/caching.rst``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Request, Response
from werkzeug.datastructures import Headers

__all__ = [
    "PRIVATE",
    "SHARED_CACHING",
    "body_uses_nonce",
    "cached_view",
    "forget",
    "is_stale",
    "make_private",
]

_logger = logging.getLogger("flask_talisman")

#: Cache-Control directives that let a shared cache store a response.
_SHARED = ("public", "s-maxage", "private=")
#: Headers that set a shared cache's lifetime over Cache-Control: CDN
#: targeted fields (RFC 9213's CDN-Cache-Control, Surrogate-Control) and
#: nginx's X-Accel-Expires, which nginx obeys before Cache-Control.
_OVERRIDES = frozenset({"cdn-cache-control", "surrogate-control", "x-accel-expires"})
#: What :func:`make_private` adds to a response with no caching header.
PRIVATE = (("Cache-Control", "private"),)
#: Lower-cased names of the headers that decide shared caching.
SHARED_CACHING = frozenset({"cache-control", *_OVERRIDES})
# A nonce attribute in markup: `nonce=` with any case and spacing.
_NONCE_ATTRIBUTE = re.compile(rb"(?i)\snonce\s*=")


def body_uses_nonce(response: Response, nonce: str) -> bool:
    """Whether ``response``'s body may carry ``nonce``.

    A body streamed without a length is not known yet when the hook runs (a
    streamed template calls ``csp_nonce()`` later), so it counts as using
    it; a file passed straight through (``send_file``) does not. Other
    bodies are searched for the nonce: a template that reads
    ``request.csp_nonce`` (as 1.1.0's did) is found that way.
    """
    body = _finite_body(response)
    if body is None:
        return not response.direct_passthrough
    if response.headers.get("Content-Encoding", "identity") != "identity":
        # Compressed by a hook that ran first (Flask-Compress registered
        # after Talisman): the nonce cannot be seen in it.
        return True
    return nonce.encode("ascii") in body


def _finite_body(response: Response) -> bytes | None:
    # The body, if reading it now does not end a stream early: a sequence,
    # or an iterator of a stated length (an error page made from an
    # HTTPException is one). None for files passed through and streams.
    if response.direct_passthrough:
        return None
    if response.is_streamed and "Content-Length" not in response.headers:
        return None
    return response.get_data()


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
    # (A no-store response is never stored: its Cache-Control stays as is.)
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
    if "no-store" in found.lower():
        return
    kept = []
    for directive in found.split(","):
        directive = directive.strip()
        low = directive.lower()
        if not directive or low.startswith(_SHARED) or low == "private":
            continue
        kept.append(directive)
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

    The key is the one ``@cache.cached`` computes for this request
    (``view.make_cache_key(use_request=True, **view_args)``, as the decorator
    calls it), removed with ``Cache.delete``. False if no cache held it. A
    ``make_cache_key=`` function given to the decorator cannot be reached
    from outside it: such a view's entry is not found.
    """
    try:
        key = view.make_cache_key(use_request=True, **(request.view_args or {}))
    except Exception:  # a make_cache_key of the app's that takes other arguments
        _logger.exception(
            "Talisman could not find %s's entry in Flask-Caching's cache: its "
            "page renders csp_nonce(), so a cached copy carries another "
            "request's nonce. Allow its scripts by hash instead of a nonce, or "
            "stop caching the view (see the caching docs).",
            request.endpoint,
        )
        return False
    removed = False
    for cache in app.extensions.get("cache", {}):
        removed = bool(cache.delete(key)) or removed
    return removed


def is_stale(response: Response, nonce: str) -> bool:
    """Whether the body has nonce attributes but not this request's nonce.

    For a cached view's response whose view did not call ``csp_nonce()``
    this time: a body stored by an earlier request.
    """
    body = _finite_body(response)
    if (
        body is None
        or response.headers.get("Content-Encoding", "identity") != "identity"
    ):
        return False
    return nonce.encode("ascii") not in body and bool(_NONCE_ATTRIBUTE.search(body))
