"""Every Talisman configuration the docs show passes ``flask talisman check``.

The docs tell readers to run ``flask talisman check`` in CI, so the examples
they copy must pass it. This module reads README.rst and every ``docs/*.rst``
(found by glob: a new page is covered without being listed here), picks each
Python code block that configures Talisman, runs it, and runs the check on
the app it made, through the command itself. A block passes when the command
exits 0: no finding of severity ``error``, the level at which it fails
without ``--strict``.

What counts as a Python code block: ``.. code-block::`` (or ``code``,
``sourcecode``) in ``python``, ``python3``, ``py`` or ``pycon``, and literal
blocks introduced by ``::``, which Sphinx highlights as Python. In a
``pycon`` block the ``>>>`` and ``...`` lines run and the output is ignored.
A block configures Talisman when it calls ``Talisman(...)``, the
``talisman(...)`` decorator, ``talisman.extend(...)`` or
``talisman.init_app(...)``, assigns a ``talisman.<option>``, or names a
``TALISMAN_*`` key or ``talisman_view_options`` (see ``CONFIGURES``).

A block runs on its own, in a namespace that holds what the pages take for
granted:

* every name of ``flask_talisman.__all__``, and ``Flask`` and ``Blueprint``;
* ``app = Flask(__name__)``;
* ``talisman``: ``Talisman()`` when the block makes its own extension or
  calls ``init_app``, else ``Talisman(app)``, the app of the page;
* ``from . import views``: a stub of the reader's own module, whose ``bp`` is
  a blueprint with one page.

The app checked is the one ``create_app()`` returns if the block defines
that factory, else ``app``. If Talisman is not registered on it yet, the
block's ``talisman`` is registered with ``init_app``. So that every policy
the block sets is linted, even one no route of the block uses (the check
lints the headers routes send), a probe page ``/docs-example-probe`` is
added to the app and to each blueprint the block made but did not register
(which is then registered).

A block that must not pass, or cannot run on its own, says so with an rst
comment right before it (invisible in the built page), one of:

``.. lint: expected CODE[, CODE...]``
    The check must fail with exactly these error codes: a new error, or one
    of them no longer found, fails the test.
``.. lint: raises EXCEPTION``
    Running the block must raise this exception (a ``flask_talisman`` name
    or a builtin); nothing is checked after it.
``.. lint: warns WARNING``
    Running the block, and checking it, must issue this warning and no
    other; the check must then pass as usual.
``.. lint: skip: REASON``
    The block is not run; the reason is in the test's id and the skip
    message. For test code and the like, never for a configuration that
    fails.

A marker that is not followed by a block that configures Talisman fails
:func:`test_every_marker_belongs_to_a_configuration`.
"""

from __future__ import annotations

import builtins
import json
import re
import sys
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask

import flask_talisman
from flask_talisman import Talisman
from flask_talisman.cli import talisman as talisman_cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.rst", *sorted((ROOT / "docs").glob("*.rst"))]

PYTHON = {"python", "python3", "py", "pycon"}
DIRECTIVE = re.compile(
    r"^(?P<indent> *)\.\. (?:code-block|code|sourcecode)::\s*(?P<language>\S*)\s*$"
)
LITERAL = re.compile(r"^(?P<indent> *)(?!\.\. )\S.*::$")
OPTION = re.compile(r"^ *:[\w-]+:")
MARKER = re.compile(r"^(?P<indent> *)\.\. lint: (?P<kind>\w+):? *(?P<argument>.*?)\s*$")
MARKER_KINDS = {"expected", "raises", "warns", "skip"}
CONFIGURES = re.compile(
    r"\bTalisman\("
    r"|\btalisman(?:\.extend)?\("
    r"|\btalisman\.init_app\("
    r"|\btalisman\.\w+(?:\[[^]]*\])?\s*=(?!=)"
    r"|\bTALISMAN_[A-Z]"
    r"|\btalisman_view_options\b"
)
MAKES_ITS_OWN = re.compile(r"\bTalisman\(|\.init_app\(")

PACKAGE = "docs_example"
VIEWS_STUB = """\
from flask import Blueprint

bp = Blueprint("views", __name__)


@bp.route("/")
def index():
    return "index"
"""
PROBE_RULE = "/docs-example-probe"


@dataclass(frozen=True)
class Marker:
    line: int  # 1-based, in the page
    kind: str
    argument: str


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the directive (or of the ``::`` paragraph), 1-based
    first: int  # of the first line of code, 1-based
    language: str
    code: str
    marker: Marker | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def source(self) -> str:
        """The code to run, padded so that line numbers are the page's."""
        lines = self.code.splitlines()
        if self.language == "pycon":
            lines = [
                line[4:] if line.startswith((">>> ", "... ")) else "" for line in lines
            ]
        return "\n" * (self.first - 1) + "\n".join(lines) + "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def read_blocks(page: Path, text: str) -> tuple[list[Block], list[Marker]]:
    """The Python code blocks of an rst text, and the markers none claimed."""
    lines = text.splitlines()
    blocks: list[Block] = []
    stray: list[Marker] = []
    pending: Marker | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if marker := MARKER.match(line):
            if pending is not None:
                stray.append(pending)
            pending = Marker(i + 1, marker["kind"], marker["argument"])
            i += 1
            continue
        directive = DIRECTIVE.match(line)
        literal = None if directive else LITERAL.match(line)
        if not directive and not literal:
            if line.strip() and pending is not None:
                stray.append(pending)
                pending = None
            i += 1
            continue
        start = directive or literal
        assert start is not None
        indent = len(start["indent"])
        language = directive["language"] if directive else "python"
        j = i + 1
        while directive and j < len(lines) and OPTION.match(lines[j]):
            j += 1
        body_start = j
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            j += 1
        body = lines[body_start:j]
        first = next(
            (body_start + k + 1 for k, b in enumerate(body) if b.strip()), None
        )
        if first is not None and language in PYTHON:
            code = textwrap.dedent("\n".join(body)).strip("\n")
            blocks.append(Block(page, i + 1, first, language, code, pending))
        elif pending is not None:
            stray.append(pending)
        pending = None
        i = j
    if pending is not None:
        stray.append(pending)
    return blocks, stray


def configures_talisman(block: Block) -> bool:
    return CONFIGURES.search(block.code) is not None


def _collect() -> tuple[list[Block], list[str]]:
    """The blocks that configure Talisman, and each misplaced marker."""
    examples: list[Block] = []
    misplaced: list[str] = []
    for page in PAGES:
        blocks, stray = read_blocks(page, page.read_text(encoding="utf-8"))
        name = page.relative_to(ROOT)
        for marker in stray:
            misplaced.append(f"{name}:{marker.line}: no Python block follows")
        for block in blocks:
            if configures_talisman(block):
                examples.append(block)
            elif block.marker is not None:
                misplaced.append(f"{block.where}: configures no Talisman")
    return examples, misplaced


EXAMPLES, MISPLACED = _collect()


def _param(block: Block) -> Any:
    marker = block.marker
    if marker is not None and marker.kind == "skip":
        reason = marker.argument or "(no reason given)"
        return pytest.param(
            block,
            id=f"{block.where} skipped: {reason}",
            marks=pytest.mark.skip(reason=f"{block.where}: {reason}"),
        )
    label = f" {marker.kind} {marker.argument}" if marker is not None else ""
    return pytest.param(block, id=block.where + label)


# -- Running a block ----------------------------------------------------------------


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    """A package to run blocks in, holding the stub ``views`` module."""
    (tmp_path / "views.py").write_text(VIEWS_STUB, encoding="utf-8")
    module = type(sys)(PACKAGE)
    module.__path__ = [str(tmp_path)]
    module.__file__ = str(tmp_path / "__init__.py")
    sys.modules[PACKAGE] = module
    try:
        yield PACKAGE
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def namespace(block: Block, package: str) -> dict[str, Any]:
    """What the pages take for granted; see the module's docstring."""
    app = Flask(package)
    names: dict[str, Any] = {
        name: getattr(flask_talisman, name) for name in flask_talisman.__all__
    }
    names.update(
        __name__=package,
        __package__=package,
        Flask=Flask,
        Blueprint=Blueprint,
        app=app,
        talisman=Talisman() if MAKES_ITS_OWN.search(block.code) else Talisman(app),
    )
    return names


def run(block: Block, package: str) -> dict[str, Any]:
    names = namespace(block, package)
    exec(compile(block.source, str(block.page), "exec"), names)
    return names


def _probe() -> str:
    return "probe"


def app_of(names: dict[str, Any]) -> Flask:
    """The app the block made, with Talisman on it and the probe pages."""
    factory = names.get("create_app")
    app = factory() if callable(factory) else names["app"]
    assert isinstance(app, Flask), f"the block made no app: {app!r}"
    if "talisman" not in app.extensions:
        extension = names["talisman"]
        assert isinstance(extension, Talisman), (
            f"no Talisman to register: {extension!r}"
        )
        extension.init_app(app)
    for value in list(names.values()):
        if isinstance(value, Blueprint) and value.name not in app.blueprints:
            value.add_url_rule(PROBE_RULE, "docs_example_probe", _probe)
            app.register_blueprint(value)
    app.add_url_rule(PROBE_RULE, "docs_example_probe", _probe)
    return app


def check(app: Flask) -> tuple[int, list[dict[str, Any]]]:
    """``flask talisman check --format json``: the exit code and the findings."""
    result = app.test_cli_runner().invoke(talisman_cli, ["check", "--format", "json"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.output)["findings"]
    return result.exit_code, findings


def _exception(name: str) -> type[BaseException]:
    found = getattr(flask_talisman, name, None) or getattr(builtins, name, None)
    assert isinstance(found, type), f"no exception or warning named {name!r}"
    assert issubclass(found, BaseException), f"{name!r} is not an exception"
    return found


def _describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {f['severity']} [{f['code']}] "
        f"{', '.join(p for p in (*f['endpoints'], f['header'], f['directive']) if p)}"
        f": {f['message']}"
        for f in findings
    )


# -- The tests ----------------------------------------------------------------------


def assert_passes(block: Block, package: str) -> None:
    """Run ``block`` and check its app, as its marker (if any) says."""
    marker = block.marker
    kind = marker.kind if marker is not None else None
    argument = marker.argument if marker is not None else ""
    if kind == "raises":
        with pytest.raises(_exception(argument)):
            run(block, package)
        return
    if kind == "warns":
        warning = _exception(argument)
        assert issubclass(warning, Warning), f"{argument!r} is not a warning"
        with warnings.catch_warnings(record=True) as issued:
            warnings.simplefilter("always")
            status, findings = check(app_of(run(block, package)))
        assert issued, f"{block.where} issues no {argument}"
        others = [w for w in issued if not issubclass(w.category, warning)]
        assert not others, [str(w.message) for w in others]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            status, findings = check(app_of(run(block, package)))
    errors = {f["code"] for f in findings if f["severity"] == "error"}
    if kind == "expected":
        expected = {code.strip() for code in argument.split(",") if code.strip()}
        assert errors == expected, (
            f"{block.where}: expected exactly {sorted(expected)}, the check "
            f"found:\n{_describe(findings)}"
        )
        assert status == 1
    else:
        assert status == 0, (
            f"{block.where} fails `flask talisman check`:\n{_describe(findings)}"
        )


@pytest.mark.parametrize("block", [_param(block) for block in EXAMPLES])
def test_example_passes_the_check(block: Block, package: str) -> None:
    assert_passes(block, package)


def test_every_marker_belongs_to_a_configuration() -> None:
    assert MISPLACED == []


def test_every_marker_is_known_and_complete() -> None:
    wrong = [
        f"{block.where}: .. lint: {block.marker.kind} {block.marker.argument}"
        for block in EXAMPLES
        if block.marker is not None
        and (block.marker.kind not in MARKER_KINDS or not block.marker.argument)
    ]
    assert wrong == []


def test_the_docs_show_configurations() -> None:
    # A reader that found nothing would pass every page.
    assert len(EXAMPLES) > 30
    assert {b.page.name for b in EXAMPLES} >= {"README.rst", "quickstart.rst"}


# -- The reader itself --------------------------------------------------------------

SAMPLE = """\
Title
=====

.. code-block:: python
    :caption: app.py

    talisman = Talisman(app)

.. lint: expected csp-base-uri-missing

.. code-block:: python

    talisman = Talisman(app, content_security_policy_nonce_in=["script-src"])

A paragraph::

    @talisman(frame_options=DENY)
    def view():
        ...

.. code-block:: pycon

    >>> Talisman(app, force_https=1)
    ConfigurationError: ...

.. code-block:: html+jinja

    <script nonce="{{ csp_nonce() }}"></script>

.. lint: skip: the marker of a block that is no Python

.. code-block:: sh

    flask talisman check
"""


def test_reader_finds_python_blocks_with_their_lines_and_markers() -> None:
    blocks, stray = read_blocks(ROOT / "sample.rst", SAMPLE)
    assert [(b.line, b.first, b.language) for b in blocks] == [
        (4, 7, "python"),
        (11, 13, "python"),
        (15, 17, "python"),
        (21, 23, "pycon"),
    ]
    assert [b.marker for b in blocks] == [
        None,
        Marker(9, "expected", "csp-base-uri-missing"),
        None,
        None,
    ]
    assert stray == [Marker(30, "skip", "the marker of a block that is no Python")]
    assert all(configures_talisman(b) for b in blocks)


def test_pycon_runs_the_prompts_only_at_their_lines() -> None:
    (_, _, _, pycon), _ = read_blocks(ROOT / "sample.rst", SAMPLE)
    assert pycon.source.splitlines()[22:] == ["Talisman(app, force_https=1)", ""]


@pytest.mark.parametrize(
    "code",
    [
        "import talisman_helpers",
        "from flask_talisman import SELF",
        "talisman.check(app)",
        "assert talisman.force_https == True",
        "{'script-src': [SELF, NONCE]}",
    ],
)
def test_code_that_configures_nothing_is_not_collected(code: str) -> None:
    block = Block(ROOT / "x.rst", 1, 2, "python", code, None)
    assert not configures_talisman(block)


def test_an_expected_finding_must_be_exactly_what_the_check_finds(
    package: str,
) -> None:
    blocks, _ = read_blocks(ROOT / "sample.rst", SAMPLE)
    nonce = blocks[1]
    assert nonce.marker == Marker(9, "expected", "csp-base-uri-missing")
    assert_passes(nonce, package)
    with pytest.raises(AssertionError, match="fails `flask talisman check`"):
        assert_passes(replace(nonce, marker=None), package)
    for codes in ("csp-object-src-missing", "csp-base-uri-missing, csp-unsafe-inline"):
        marker = Marker(9, "expected", codes)
        with pytest.raises(AssertionError, match="expected exactly"):
            assert_passes(replace(nonce, marker=marker), package)


def test_a_block_that_should_raise_must_raise(package: str) -> None:
    blocks, _ = read_blocks(ROOT / "sample.rst", SAMPLE)
    raises = Marker(9, "raises", "ConfigurationError")
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        assert_passes(replace(blocks[0], marker=raises), package)
