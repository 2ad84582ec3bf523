"""docs/rollout.rst shows what the commands print, exactly.

Each ``console`` block of the page is a ``flask --app shop talisman ...``
command and its output. Here each command runs (through Flask's CLI runner,
at 80 columns, without colour) on docs/examples/shop.py's app, in a folder
holding docs/examples/reports.jsonl as ``reports.jsonl``, and must print the
block's output line for line. So when the commands' output changes, the
page has to change with it. (The reports file is Chromium's, captured by
tests/browser/test_policy_loop.py, which also checks it is still what
Chromium sends; that test runs the same loop to its end in the browser.)
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask
from flask.cli import ScriptInfo

from flask_talisman.cli import talisman as talisman_cli

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "rollout.rst"
EXAMPLES = ROOT / "docs" / "examples"
CONSOLE = re.compile(r"^\.\. code-block:: console\s*$")
COMMAND = "$ flask --app shop talisman "


@dataclass(frozen=True)
class Block:
    line: int
    args: list[str]
    output: str


def console_blocks() -> list[Block]:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if not CONSOLE.match(line):
            continue
        body = []
        for text in lines[number + 1 :]:
            if text.strip() and not text.startswith("    "):
                break
            body.append(text[4:])
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        assert body[0].startswith(COMMAND), (number + 1, body[0])
        args = shlex.split(body[0].removeprefix(COMMAND))
        blocks.append(Block(number + 1, args, "\n".join(body[1:]) + "\n"))
    return blocks


BLOCKS = console_blocks()


def docs_shop() -> ModuleType:
    """docs/examples/shop.py, the shop the page rolls a policy out on (a
    fresh module each time: its Talisman is set up on one app)."""
    spec = importlib.util.spec_from_file_location(
        "docs_example_shop", EXAMPLES / "shop.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shop_app() -> Flask:
    app: Flask = docs_shop().create_app()
    return app


@pytest.fixture
def shop_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the docs' reports file (the app appends to
    ``reports.jsonl`` in the working directory)."""
    shutil.copy(EXAMPLES / "reports.jsonl", tmp_path / "reports.jsonl")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_page_shows_each_command() -> None:
    commands = [block.args[0] for block in BLOCKS]
    assert commands == ["reports", "reports", "suggest", "suggest"]


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"line {b.line}")
def test_the_page_shows_what_the_command_prints(
    block: Block, shop_folder: Path
) -> None:
    result = (
        shop_app()
        .test_cli_runner()
        .invoke(
            talisman_cli,
            block.args,
            env={"COLUMNS": "80", "NO_COLOR": "1"},
            obj=ScriptInfo(create_app=shop_app),
        )
    )
    assert result.exit_code == 0, result.output
    assert result.output == block.output


def test_the_shop_passes_check(shop_folder: Path) -> None:
    result = shop_app().test_cli_runner().invoke(talisman_cli, ["check"])
    assert result.exit_code == 0, result.output
