"""Per-request CSP nonces."""

from __future__ import annotations

import secrets

__all__ = ["NONCE_LENGTH", "get_random_string", "make_nonce"]

#: Characters in a nonce: 32 URL-safe base64 characters carry 192 bits.
NONCE_LENGTH = 32
_NONCE_BYTES = NONCE_LENGTH * 3 // 4


def make_nonce() -> str:
    """Return a fresh nonce of :data:`NONCE_LENGTH` URL-safe characters.

    Each nonce is :func:`secrets.token_urlsafe` of 24 bytes, read from
    :func:`os.urandom` for it alone: nothing is kept between calls, so no
    thread, forked process (however it was forked) or later request can be
    handed the same bytes. (Encoding them directly, without
    :mod:`secrets`, saves 1,500 instructions per nonce: not enough to be
    the less plain form; see ``docs/benchmarks.rst``.)
    """
    return secrets.token_urlsafe(_NONCE_BYTES)


def get_random_string(length: int) -> str:
    """Return ``length`` random URL-safe characters (flask-talisman 1.1.0 API)."""
    return secrets.token_urlsafe(length)[:length]
