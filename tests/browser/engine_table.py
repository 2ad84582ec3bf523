"""The browser cases by engine, as measured: docs/engines.rst.

With ``TALISMAN_ENGINE_TABLE=<file>`` set, a pytest run records the outcome
of every browser case in every engine (tests/conftest.py calls
:func:`record` and :func:`save`). This module turns such a file into the
table of docs/engines.rst, and checks the committed page against it::

    python -m tests.browser.engine_table results.json > docs/engines.rst
    python -m tests.browser.engine_table --check results.json docs/engines.rst

CI runs the check after its main test run, so the page shows what the
suite measured in that run, case by case. Where engines differ and a case
asserts each engine's own behaviour, it says what it found in that engine
with :func:`note` (``note(request, "no report")``), and the table shows
that instead of "yes". A case without the ``engine`` parameter is about the
one engine its name says (``test_webkit_...``, for a reason its docstring
gives), or drives no browser at all.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ENGINES = ("chromium", "firefox", "webkit")
_ENGINE_ID = re.compile(r"(?:^|-)(chromium|firefox|webkit)(?=-|$)")
#: What each outcome reads as in the table.
MARKS = {
    "passed": "yes",
    "xfailed": "not supported",
    "skipped": "skipped",
    "failed": "FAILED",
}

_results: dict[str, str] = {}
_NOTE = "engine_note"


def note(request: Any, text: str) -> None:
    """Say, for the table, what this case found in its engine (it passed,
    asserting that engine's own behaviour)."""
    request.node.user_properties.append((_NOTE, text))


HEADER = """\
Browser engines
===============

.. This page is generated: python -m tests.browser.engine_table RESULTS.json
   (CI checks it against the run it measured; see tests/browser/engine_table.py).

Every case in ``tests/browser`` runs in Debian's Chromium 156 (driven by
Playwright), Firefox ESR 153 (WebDriver BiDi, through npm's
``puppeteer-core``) and WebKitGTK 2.50, the engine of Safari (WebKitWebDriver
under Xvfb), with the same assertions. "yes" means the case passed in that
engine; "not supported" means the engine lacks the feature, which the case
states and checks (it asserts what the engine does instead); a case can also
assert an engine's own behaviour where engines differ, which its docstring
describes. A claim about browsers in these docs holds for the engines shown
here.

"""


def split(nodeid: str) -> tuple[str, str, str | None]:
    """``(module, case, engine)`` of a test id; ``engine`` from its params."""
    path, _, name = nodeid.partition("::")
    module = Path(path).stem
    if "[" not in name:
        return module, name, None
    base, params = name[:-1].split("[", 1)
    found = _ENGINE_ID.search(params)
    if found is None:
        return module, name, None
    rest = (params[: found.start()] + "-" + params[found.end() :]).strip("-")
    rest = re.sub("-{2,}", "-", rest)
    return module, f"{base}[{rest}]" if rest else base, found.group(1)


def record(
    nodeid: str,
    when: str,
    outcome: str,
    xfail: bool,
    properties: Sequence[tuple[str, object]] = (),
) -> None:
    """Note one phase's report of a browser case."""
    if not nodeid.startswith("tests/browser/"):
        return
    if xfail:
        outcome = "xfailed" if outcome in ("skipped", "failed") else "failed"
    if outcome == "passed":
        if when == "call":
            notes = [str(text) for key, text in properties if key == _NOTE]
            _results[nodeid] = "; ".join(notes) or "passed"
        return
    # Skipped or failed in any phase (a failing teardown fails the case).
    if _results.get(nodeid) != "failed":
        _results[nodeid] = outcome


def save(path: str) -> None:
    """Write what was recorded to ``path`` (JSON: test id -> outcome)."""
    Path(path).write_text(json.dumps(_results, indent=1, sort_keys=True) + "\n")


def render(results: dict[str, str]) -> str:
    """The page, from recorded results."""
    rows: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for nodeid, outcome in results.items():
        module, case, engine = split(nodeid)
        mark = MARKS.get(outcome, outcome)
        if engine is not None:
            rows[module, case][engine] = mark
            continue
        # No engine parameter: a case about one engine names it, else it
        # drives no browser (it checks the server side of the module).
        named = [name for name in ENGINES if name in case.split("[")[0]]
        for name in ENGINES:
            rows[module, case][name] = (
                mark if name in named else "no browser" if not named else "not run"
            )
    lines = [HEADER]
    for module in sorted({module for module, _ in rows}):
        cases = sorted(case for m, case in rows if m == module)
        lines.append(f"``{module}``\n{'-' * (len(module) + 4)}\n\n")
        table: list[tuple[str, ...]] = [("Case", "Chromium", "Firefox", "WebKit")]
        for case in cases:
            cells = rows[module, case]
            table.append(
                (f"``{case}``", *(cells.get(engine, "not run") for engine in ENGINES))
            )
        lines.append(_grid(table) + "\n")
    return "".join(lines)


def _grid(table: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    rule = "  ".join("=" * width for width in widths)
    out = [rule]
    for number, row in enumerate(table):
        out.append(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )
        if number == 0:
            out.append(rule)
    out.append(rule)
    return "\n".join(line.rstrip() for line in out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the JSON file a run wrote")
    parser.add_argument("--check", metavar="PAGE", help="compare with this page")
    args = parser.parse_args(argv)
    results: dict[str, Any] = json.loads(Path(args.results).read_text())
    page = render(results)
    if args.check is None:
        sys.stdout.write(page)
        return 0
    if Path(args.check).read_text() != page:
        sys.stderr.write(
            f"{args.check} does not show what this run measured. Regenerate it:\n"
            f"  python -m tests.browser.engine_table {args.results} > {args.check}\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
