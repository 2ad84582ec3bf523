"""Check the option tables in docs/options.rst against the code.

The tables are written by hand; this script makes sure they list every
option in ``flask_talisman.options.SPECS`` exactly once, with its real
default and per-view flag. Run it from the repository root::

    python docs/check_options.py

It prints the problems it finds and exits with status 1 if there are any.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from flask_talisman.options import PER_VIEW, SPECS

ROW = re.compile(
    r"^   \* - ``(?P<name>[a-z_]+)``\n"
    r"     - ``(?P<default>.*)``\n"
    r"     - (?P<per_view>yes|no)\n",
    re.MULTILINE,
)


def check(text: str) -> list[str]:
    """Return the problems found in the text of options.rst."""
    problems = []
    seen: set[str] = set()
    for row in ROW.finditer(text):
        name = row["name"]
        if name in seen:
            problems.append(f"{name}: listed twice")
        seen.add(name)
        spec = SPECS.get(name)
        if spec is None:
            problems.append(f"{name}: not an option")
            continue
        default = ast.literal_eval(row["default"])
        if default != spec.default or type(default) is not type(spec.default):
            problems.append(
                f"{name}: documented default {default!r}, real {spec.default!r}"
            )
        if (row["per_view"] == "yes") != (name in PER_VIEW):
            problems.append(
                f"{name}: documented per view {row['per_view']!r}, "
                f"real {name in PER_VIEW}"
            )
    problems.extend(f"{name}: missing" for name in sorted(set(SPECS) - seen))
    return problems


def main() -> int:
    text = (Path(__file__).parent / "options.rst").read_text(encoding="utf-8")
    problems = check(text)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"docs/options.rst documents all {len(SPECS)} options correctly.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
