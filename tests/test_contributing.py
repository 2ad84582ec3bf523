"""CONTRIBUTING.rst says how to run what CI runs, and .pre-commit does it.

* Every static check in ``.ci/run`` is in CONTRIBUTING.rst's table, as the
  command to run it alone.
* Every ``TALISMAN_*`` variable the tests read to decide what runs is
  explained there.
* The pre-commit hooks run exactly the lint, format and type checks CI runs.
* README.rst links the guide.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "CONTRIBUTING.rst").read_text()
CI = (ROOT / ".ci" / "run").read_text()
STATIC_CHECKS = [
    "python docs/check_options.py",
    "ruff check .",
    "ruff format --check .",
    "mypy --strict flask_talisman",
    "sphinx-build -W -b html docs docs/_build/html",
]


def test_the_static_checks_ci_runs_are_in_the_guide() -> None:
    for command in STATIC_CHECKS:
        assert command in CI.splitlines(), command
        assert f"``{command}``" in GUIDE, command


def test_every_variable_that_decides_what_runs_is_explained() -> None:
    used = set()
    for path in (ROOT / "tests").rglob("*.py"):
        used |= set(
            re.findall(r"TALISMAN_[A-Z_]+_(?:TESTS|EXAMPLES)", path.read_text())
        )
    assert used, "the pattern no longer finds the variables"
    missing = {name for name in used if f"``{name}``" not in GUIDE}
    assert not missing, missing


def test_the_pre_commit_hooks_run_what_ci_runs() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    entries = re.findall(r"entry: (.+)", config)
    assert entries == [
        "ruff check --force-exclude",
        "ruff format --check --force-exclude",
        "mypy --strict flask_talisman",
    ]
    assert "language: system" in config  # nothing to download
    assert "repo: local" in config


def test_the_readme_links_the_guide() -> None:
    assert "CONTRIBUTING.rst" in (ROOT / "README.rst").read_text()
