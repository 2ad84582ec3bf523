"""Counting a Python program's instructions with valgrind's callgrind."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def callgrind(*args: str) -> int:
    """Instructions callgrind counts for ``python *args`` (hash seed fixed)."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    assert match is not None, result.stderr
    return int(match.group(1))
