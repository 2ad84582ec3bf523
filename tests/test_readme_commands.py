"""README.rst's two set-up commands, run as a newcomer pastes them.

Each order (serve then test, test then serve), once in one shell and once
in two, in a fresh home folder: every command exits 0, and the clone is made
once. The commands clone from a local clone of this repository instead of
GitHub, serve nothing (``flask --app example_app routes`` loads the app the
server would) and collect the suite rather than run it (this test is part
of it); everything else runs as written, installing from the package
registry.

It needs git and the package registry, and takes a few minutes: it runs
with ``TALISMAN_README_TESTS=1`` (CI sets ``required``, which also fails it
where git or the registry is missing) and is skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import unavailable
from .test_packaging import ROOT, pyproject, setup_commands

pytestmark = pytest.mark.skipif(
    not os.environ.get("TALISMAN_README_TESTS"),
    reason="README commands run with TALISMAN_README_TESTS=1 (they install "
    "from the package registry and take minutes)",
)


def adapted(command: str, origin: Path) -> str:
    """``command`` cloning ``origin``, serving and testing nothing."""
    source = pyproject()["project"]["urls"]["Source"]
    assert command.count(source) == 1
    command = command.replace(source, origin.as_uri())
    if command.endswith(" && flask --app example_app run"):
        return command.removesuffix(" run") + " routes"
    assert command.endswith(" && pytest")
    return command + " -n 0 --collect-only -q tests/test_packaging.py"


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository's committed HEAD, with this README."""
    if shutil.which("git") is None:
        unavailable("TALISMAN_README_TESTS", "README commands", "git is missing")
    folder = tmp_path_factory.mktemp("origin") / "flask_talisman"
    subprocess.run(
        ["git", "clone", "-q", str(ROOT), str(folder)], check=True, timeout=120
    )
    shutil.copy(ROOT / "README.rst", folder / "README.rst")
    return folder


def run(script: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH") and not key.startswith("PYTEST")
    }
    # The user's pip cache: the same downloads as a newcomer's, made once.
    environment.setdefault(
        "PIP_CACHE_DIR", str(Path(os.path.expanduser("~")) / ".cache" / "pip")
    )
    environment.update(HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK="1")
    environment["PATH"] = os.pathsep.join(
        part
        for part in environment.get("PATH", "").split(os.pathsep)
        if not os.environ.get("VIRTUAL_ENV")
        or not part.startswith(os.environ["VIRTUAL_ENV"])
    )
    return subprocess.run(
        ["bash", "-c", script],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.parametrize("shells", ["one shell", "two shells"])
def test_the_readme_commands_work_in_either_order(
    origin: Path, tmp_path: Path, shells: str
) -> None:
    serve, test = (adapted(c, origin) for c in setup_commands())
    # One shell: serve, then test where the first left the shell. Two
    # shells: test, then serve, each from the home folder.
    if shells == "one shell":
        results = [
            run(
                f"{serve}\nstatus=$?; [ $status = 0 ] || exit $status\n{test}", tmp_path
            )
        ]
    else:
        results = [run(test, tmp_path), run(serve, tmp_path)]
    for result in results:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = "".join(r.stdout for r in results)
    assert "talisman_report_receiver" in output  # flask routes listed the app
    assert "tests/test_packaging.py::" in output  # pytest collected
    assert not (tmp_path / "flask_talisman" / "flask_talisman" / ".git").exists()
    assert (tmp_path / "flask_talisman" / ".git").is_dir()
