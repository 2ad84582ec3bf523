"""flask-talisman 1.1.0's own test file, unchanged, passes against this package.

The file ships inside the 1.1.0 wheel (``flask_talisman/talisman_test.py``).
It is taken from the installed reference copy (see :mod:`tests.reference`)
into a temporary folder and run there with its own, empty pytest settings:
its ``import flask_talisman`` then finds this package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import flask_talisman

from . import reference


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_flask_talisman_1_1_0_own_tests_pass_against_this_package(
    tmp_path: Path,
) -> None:
    shutil.copy(reference.package_dir() / "talisman_test.py", tmp_path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    where = run(
        ["-c", "import flask_talisman; print(flask_talisman.__file__)"], tmp_path
    )
    assert where.stdout.strip() == flask_talisman.__file__  # ours, not 1.1.0
    result = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "talisman_test.py"], tmp_path
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary.startswith("15 passed"), summary
