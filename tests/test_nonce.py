"""Nonces: length, alphabet, uniqueness, and no reuse across threads or forks."""

from __future__ import annotations

import os
import re
import threading

import pytest

from flask_talisman import NONCE_LENGTH
from flask_talisman.nonce import make_nonce

BASE64URL = re.compile(r"[A-Za-z0-9_-]+\Z")


def test_nonces_are_unique_url_safe_and_long_enough() -> None:
    nonces = [make_nonce() for _ in range(1000)]
    assert len(set(nonces)) == len(nonces)
    assert all(len(n) == NONCE_LENGTH and BASE64URL.match(n) for n in nonces)


def test_threads_never_share_a_nonce() -> None:
    results: list[list[str]] = [[] for _ in range(4)]

    def worker(out: list[str]) -> None:
        out.extend(make_nonce() for _ in range(300))

    threads = [threading.Thread(target=worker, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [n for out in results for n in out]
    assert len(set(everything)) == len(everything)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_the_parents_nonces() -> None:
    make_nonce()  # the parent now holds a partly used batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, ",".join(make_nonce() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [make_nonce() for _ in range(5)]
    assert not set(child) & set(parent)


def libc_fork() -> int:
    """fork(2) called directly, skipping Python's at-fork hooks (as uWSGI does)."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    pid: int = libc.fork()
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_without_pythons_hooks_does_not_repeat_nonces() -> None:
    make_nonce()
    read, write = os.pipe()
    pid = libc_fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, ",".join(make_nonce() for _ in range(5)).encode())
        os._exit(0)
    assert pid > 0
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [make_nonce() for _ in range(5)]
    assert len(child) == 5
    assert not set(child) & set(parent)
