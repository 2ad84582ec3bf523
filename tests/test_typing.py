"""Specification: the options are typed for the user's type checker.

``tests/typing/good_usage.py`` is a user's app written with every entry
point (the constructor, ``init_app`` with a ``TalismanOptions`` dict, the
view and blueprint decorators, ``extend``): ``mypy --strict`` accepts it.
``tests/typing/bad_usage.py`` has typos and wrong types, each marked with
the error mypy must give for its line (``# E: ...``), and no other.
Also: the typed names are exactly the options, and the view's are exactly
those a view can set.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import get_type_hints

import pytest

from flask_talisman import TalismanOptions, ViewOptions
from flask_talisman.options import PER_VIEW, SPECS

HERE = Path(__file__).resolve().parent / "typing"
ROOT = HERE.parent.parent
MARK = re.compile(r"#\s*E:\s*(?P<message>.+)$")


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip(
        "mypy", reason="mypy is a test dependency (pip install -e '.[test]')"
    )
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--hide-error-context", "--no-error-summary", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_typed_names_are_the_options_and_the_views_are_per_view() -> None:
    assert set(get_type_hints(TalismanOptions)) == {*SPECS, "preset"}
    assert set(get_type_hints(ViewOptions)) == {*PER_VIEW, "preset"}


def test_a_correctly_typed_app_passes_mypy_strict() -> None:
    result = mypy(HERE / "good_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_typos_and_wrong_types_fail_with_the_expected_errors() -> None:
    source = (HERE / "bad_usage.py").read_text().splitlines()
    expected = {
        number: match.group("message")
        for number, line in enumerate(source, start=1)
        if (match := MARK.search(line))
    }
    assert len(expected) == 5
    result = mypy(HERE / "bad_usage.py")
    assert result.returncode == 1, result.stdout + result.stderr
    errors: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        found = re.match(r".*bad_usage\.py:(\d+): error: (.*)$", line)
        if found:
            errors.setdefault(int(found.group(1)), []).append(found.group(2))
    assert sorted(errors) == sorted(expected), result.stdout
    for number, message in expected.items():
        assert any(error.startswith(message) for error in errors[number]), (
            number,
            errors[number],
        )
