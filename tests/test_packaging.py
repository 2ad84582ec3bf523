"""Specification: the distribution's metadata, contents and set-up commands.

Fast checks of the files themselves; building the sdist and the wheel,
installing them and running the suite from the sdist are ``.ci/run``'s
packaging stage.

* The classifiers name exactly the Python versions ``.ci/run`` tests, the
  ``requires-python`` floor among them.
* The project URLs point at one repository, the one README.rst clones.
* README.rst opens with exactly two set-up commands, each self-contained
  from a fresh machine (it clones the repository first); CI runs the test
  command verbatim.
* ``[tool.setuptools] packages`` lists every package directory, and
  MANIFEST.in puts into the sdist every top-level directory or file the
  tests import or read.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

import flask_talisman

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest depends on tomli before Python 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / ".ci" / "run"
README = ROOT / "README.rst"


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def ci_python_versions() -> set[str]:
    """The Python versions .ci/run runs on: MAIN_PYTHON and OTHER_PYTHONS."""
    script = CI.read_text()
    found = dict(re.findall(r"^(MAIN_PYTHON|OTHER_PYTHONS)=(.*)$", script, re.M))
    assert set(found) == {"MAIN_PYTHON", "OTHER_PYTHONS"}, found
    versions = [
        v for value in found.values() for v in " ".join(shlex.split(value)).split()
    ]
    assert all(re.fullmatch(r"3\.\d+", version) for version in versions), versions
    # Each variable is used: python3 is checked against MAIN_PYTHON and the
    # suite loops over OTHER_PYTHONS.
    assert "$MAIN_PYTHON" in script
    assert "for version in $OTHER_PYTHONS; do" in script
    return set(versions)


def test_classifiers_list_exactly_the_python_versions_ci_tests() -> None:
    classifiers = pyproject()["project"]["classifiers"]
    listed = {
        c.removeprefix("Programming Language :: Python :: ")
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert listed == ci_python_versions()
    assert "Programming Language :: Python :: 3 :: Only" in classifiers


def test_the_requires_python_floor_is_tested() -> None:
    requires = pyproject()["project"]["requires-python"]
    floor = re.fullmatch(r">=(3\.\d+)", requires)
    assert floor, requires
    versions = ci_python_versions()
    assert floor.group(1) == min(versions, key=lambda v: int(v.split(".")[1]))


def test_the_project_urls_point_at_one_repository() -> None:
    urls = pyproject()["project"]["urls"]
    assert set(urls) == {"Documentation", "Changes", "Source", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())
    assert urls["Issues"] == urls["Source"] + "/issues"
    assert urls["Changes"].startswith(urls["Documentation"])


def clone_prefix() -> str:
    """How each README command starts: clone the Source URL into the home
    folder unless it is there (so the two work in either order, in one shell
    or two), and enter the clone."""
    source = pyproject()["project"]["urls"]["Source"]
    folder = "~/" + source.rsplit("/", 1)[1]
    return f"test -d {folder} || git clone {source} {folder} && cd {folder} && "


def setup_commands() -> list[str]:
    """The code blocks README.rst opens with, before any text."""
    blocks = README.read_text().split("\n\n")
    commands = []
    # blocks[0] is the title; then a directive and its indented command.
    for directive, body in zip(blocks[1::2], blocks[2::2], strict=False):
        if directive != ".. code-block:: sh":
            break
        assert body.startswith("    "), body
        assert "\n" not in body, body
        commands.append(body.strip())
    return commands


def test_readme_opens_with_two_self_contained_setup_commands() -> None:
    commands = setup_commands()
    assert len(commands) == 2, commands
    serve, test = commands
    assert serve.startswith(clone_prefix())
    assert serve.endswith("pip install -e . && flask --app example_app run")
    assert test.startswith(clone_prefix())
    assert test.endswith('pip install -e ".[test]" && pytest')


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test = setup_commands()[1].removeprefix(clone_prefix())
    assert test in CI.read_text().splitlines()


def test_the_wheel_lists_every_package_directory() -> None:
    package = Path(flask_talisman.__file__).parent
    found = {
        ".".join(module.parent.relative_to(package.parent).parts)
        for module in package.rglob("*.py")
    }
    assert set(pyproject()["tool"]["setuptools"]["packages"]) == found


def manifest() -> dict[str, set[str]]:
    """MANIFEST.in's arguments by command (graft, include, prune, ...)."""
    rules: dict[str, set[str]] = {}
    for line in (ROOT / "MANIFEST.in").read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            rules.setdefault(words[0], set()).update(words[1:])
    return rules


#: What setuptools puts in every sdist, whatever MANIFEST.in says (besides
#: the packages and README).
ALWAYS_IN_SDIST = {"pyproject.toml", "setup.cfg", "MANIFEST.in", "PKG-INFO"}


def in_sdist(name: str) -> bool:
    """Whether the sdist holds the top-level entry ``name`` (or files in it)."""
    rules = manifest()
    if name in ALWAYS_IN_SDIST:
        return True
    if name in rules.get("prune", set()):
        return False
    return name in rules.get("graft", set()) or any(
        path == name or path.startswith(name + "/")
        for path in rules.get("include", set())
    )


def ignored(name: str) -> bool:
    """Whether the top-level entry is git's, or a build or cache git ignores."""
    if name in {".git", ".gitignore"}:
        return True
    gitignore = ROOT / ".gitignore"
    if not gitignore.exists():  # an unpacked sdist
        return False
    patterns = [p.strip().rstrip("/") for p in gitignore.read_text().splitlines()]
    return any(p and fnmatch.fnmatch(name, p) for p in patterns)


def needed_by_tests() -> set[str]:
    """Top-level entries of the repository the tests import or read.

    Imports of a top-level module or package the checkout holds, and path
    literals naming a top-level entry (``ROOT / "docs"``); the package
    itself is always in the sdist.
    """
    entries = {p.name for p in ROOT.iterdir() if not ignored(p.name)}
    needed = {"tests"}
    for source in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            tops: list[str] = []
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div)
                and isinstance(node.right, ast.Constant)
                and isinstance(node.right.value, str)
            ):
                tops = [node.right.value.split("/")[0]]
            for top in tops:
                if top in entries:
                    needed.add(top)
                elif f"{top}.py" in entries:
                    needed.add(f"{top}.py")
    return needed - {"flask_talisman"}


def test_the_sdist_holds_what_the_tests_import_and_read() -> None:
    needed = needed_by_tests()
    assert {"tests", "example_app", "docs", ".ci"} <= needed
    assert [name for name in sorted(needed) if not in_sdist(name)] == []


@pytest.mark.parametrize("name", ["docs/_build", "benchmarks/.vendor"])
def test_the_sdist_leaves_out_builds_and_downloads(name: str) -> None:
    assert name in manifest()["prune"]
