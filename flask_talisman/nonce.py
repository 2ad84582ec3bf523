"""Per-request CSP nonces."""

from __future__ import annotations

import os
import re
import secrets
from base64 import urlsafe_b64encode
from typing import TypeGuard

__all__ = ["NONCE_LENGTH", "get_random_string", "is_valid_nonce", "make_nonce"]

#: Characters in a nonce: 32 URL-safe base64 characters carry 192 bits.
NONCE_LENGTH = 32
_NONCE_BYTES = NONCE_LENGTH * 3 // 4


def make_nonce() -> str:
    """Return a fresh nonce of :data:`NONCE_LENGTH` URL-safe characters.

    Each nonce encodes 24 bytes read from :func:`os.urandom` for it alone:
    nothing is kept between calls, so no thread, forked process (however
    it was forked) or later request can be handed the same bytes. These are
    the bytes and the characters :func:`secrets.token_urlsafe` gives;
    encoding them here costs 1,500 instructions less per nonce'd request
    (2 % of its overhead, whose ratio to flask-talisman 1.1.0's is close to
    its 0.25 budget; see ``docs/benchmarks.rst``).
    """
    return urlsafe_b64encode(os.urandom(_NONCE_BYTES)).decode("ascii")


#: A CSP nonce's value (CSP Level 3 ``base64-value``): base64 or base64url
#: characters, then at most two ``=``.
_NONCE_VALUE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}\Z")


def is_valid_nonce(value: object) -> TypeGuard[str]:
    """Whether ``value`` can go into ``'nonce-...'`` as it is.

    Checks a ``request.csp_nonce`` that the application set itself (as
    flask-talisman 1.1.0 allowed) before it is copied into a header: a
    quote, space, ``;`` or ``,`` would break or inject into the policy.
    """
    return type(value) is str and _NONCE_VALUE.match(value) is not None


def get_random_string(length: int) -> str:
    """Return ``length`` random URL-safe characters (flask-talisman 1.1.0 API)."""
    return secrets.token_urlsafe(length)[:length]
