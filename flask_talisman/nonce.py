"""Per-request CSP nonces."""

from __future__ import annotations

import secrets

__all__ = ["NONCE_LENGTH", "get_random_string", "make_nonce"]

#: Characters in a nonce: 32 URL-safe base64 characters carry 192 bits.
NONCE_LENGTH = 32
_NONCE_BYTES = NONCE_LENGTH * 3 // 4


def make_nonce() -> str:
    """Return a fresh nonce of :data:`NONCE_LENGTH` URL-safe characters."""
    return secrets.token_urlsafe(_NONCE_BYTES)


def get_random_string(length: int) -> str:
    """Return ``length`` random URL-safe characters (flask-talisman 1.1.0 API)."""
    return secrets.token_urlsafe(length)[:length]
