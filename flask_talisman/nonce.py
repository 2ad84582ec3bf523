"""Per-request CSP nonces."""

from __future__ import annotations

import os
import secrets
import threading
from base64 import urlsafe_b64encode
from collections.abc import Iterator

__all__ = ["NONCE_LENGTH", "get_random_string", "make_nonce"]

#: Characters in a nonce: 32 URL-safe base64 characters carry 192 bits.
NONCE_LENGTH = 32
_NONCE_BYTES = NONCE_LENGTH * 3 // 4
# Random bytes are read from the OS for 128 nonces at a time: one system call
# per request costs more than all the rest of a nonce's work.
_POOL_BYTES = _NONCE_BYTES * 128


class _Pool(threading.local):
    batch: Iterator[str] = iter(())


_pool = _Pool()


def _forget_pool() -> None:
    # A forked child must not hand out the nonces its parent will also use.
    global _pool
    _pool = _Pool()


if hasattr(os, "register_at_fork"):  # pragma: no branch - absent on Windows
    os.register_at_fork(after_in_child=_forget_pool)


def make_nonce() -> str:
    """Return a fresh nonce of :data:`NONCE_LENGTH` URL-safe characters.

    Each nonce encodes 24 bytes from :func:`os.urandom` that no other nonce
    uses. Bytes are read (and base64-encoded) for 128 nonces at a time per
    thread: 24 bytes are exactly 32 characters, so the encoded batch splits
    into nonces. The batch is discarded in a forked child.
    """
    pool = _pool
    try:
        return next(pool.batch)
    except StopIteration:
        text = urlsafe_b64encode(os.urandom(_POOL_BYTES)).decode("ascii")
        pool.batch = iter(
            [text[i : i + NONCE_LENGTH] for i in range(0, len(text), NONCE_LENGTH)]
        )
        return next(pool.batch)


def get_random_string(length: int) -> str:
    """Return ``length`` random URL-safe characters (flask-talisman 1.1.0 API)."""
    return secrets.token_urlsafe(length)[:length]
