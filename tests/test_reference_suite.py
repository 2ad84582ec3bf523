"""flask-talisman 1.1.0's own test file, unchanged, passes against this package.

The file ships inside the 1.1.0 wheel (``flask_talisman/talisman_test.py``).
It is taken from the installed reference copy (see :mod:`tests.reference`)
into a temporary folder and run there with its own, empty pytest settings:
its ``import flask_talisman`` then finds this package, the copy this test
process imported. That copy's parent folder goes first on the subprocess's
``PYTHONPATH``: in an unpacked sdist whose package is also installed (as a
packager runs its tests), pytest imports the source tree's copy while a
subprocess started elsewhere would find the installed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import flask_talisman

from . import reference

#: The folder this test process imported flask_talisman from.
IMPORTED_FROM = Path(flask_talisman.__file__).resolve().parent.parent


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python args`` in ``cwd``, importing the flask_talisman this process did."""
    path = os.environ.get("PYTHONPATH")
    env = {
        # Not this run's pytest options (CI passes coverage through them).
        **{k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
        "PYTHONPATH": os.pathsep.join([str(IMPORTED_FROM), *([path] if path else [])]),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def imported_file(cwd: Path) -> str:
    """The ``flask_talisman/__init__.py`` a subprocess started by :func:`run` imports."""
    where = run(["-c", "import flask_talisman; print(flask_talisman.__file__)"], cwd)
    assert where.returncode == 0, where.stderr
    return str(Path(where.stdout.strip()).resolve())


def test_the_subprocess_imports_this_processs_copy_before_any_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another flask_talisman where the subprocess would look first otherwise,
    # as the installed copy is for the tests of an unpacked sdist.
    other = tmp_path / "elsewhere" / "flask_talisman"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(other.parent))
    assert imported_file(tmp_path) == str(Path(flask_talisman.__file__).resolve())


def test_flask_talisman_1_1_0_own_tests_pass_against_this_package(
    tmp_path: Path,
) -> None:
    shutil.copy(reference.package_dir() / "talisman_test.py", tmp_path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    # Ours, not 1.1.0 nor another installed copy.
    assert imported_file(tmp_path) == str(Path(flask_talisman.__file__).resolve())
    result = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "talisman_test.py"], tmp_path
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary.startswith("15 passed"), summary
