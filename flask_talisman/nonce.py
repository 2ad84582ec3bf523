"""Per-request CSP nonces."""

from __future__ import annotations

import os
import re
import secrets
from binascii import b2a_base64
from typing import TypeGuard

__all__ = ["NONCE_LENGTH", "get_random_string", "is_valid_nonce", "make_nonce"]

#: Characters in a nonce: 32 URL-safe base64 characters carry 192 bits.
NONCE_LENGTH = 32
_NONCE_BYTES = NONCE_LENGTH * 3 // 4
# Standard base64 to its URL-safe alphabet, as base64.urlsafe_b64encode does.
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def make_nonce() -> str:
    """Return a fresh nonce of :data:`NONCE_LENGTH` URL-safe characters.

    Each nonce encodes 24 bytes read from :func:`os.urandom` for it alone:
    nothing is kept between calls, so no thread, forked process (however
    it was forked) or later request can be handed the same bytes. These are
    the bytes and the characters :func:`secrets.token_urlsafe` and
    :func:`base64.urlsafe_b64encode` give, encoded with the function both
    end in (:func:`binascii.b2a_base64`) and the same translation: each
    Python call between costs a nonce'd request about 600 instructions, and
    its overhead is close to its budget (see ``docs/benchmarks.rst``).
    """
    return (
        b2a_base64(os.urandom(_NONCE_BYTES), newline=False)
        .translate(_URL_SAFE)
        .decode("ascii")
    )


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
