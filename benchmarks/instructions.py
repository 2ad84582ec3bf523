"""Per-request overhead in CPU instructions, counted by valgrind's callgrind.

Wall-clock timings on a shared machine spread by half; instruction counts
repeat to within a few instructions. Each scenario of ``run.py`` is run
twice under callgrind, with 0 and with ``--requests`` requests after the
same warm-up, and the difference divided by the number of requests is its
cost per request; the overhead is that minus the matching bare app's.
Instructions are not time (a system call such as ``os.urandom`` counts
only its user-space part), so read these beside ``run.py``'s numbers.

    python benchmarks/instructions.py            # needs valgrind
    python benchmarks/instructions.py --scenario cross_origin --scenario isolation
"""

from __future__ import annotations

import argparse
from pathlib import Path

import run
from _callgrind import callgrind

HERE = Path(__file__).resolve().parent
DRIVER = """
import sys
sys.path.insert(0, {here!r})
import run
from _callgrind import callgrind
factory, _ = run.SCENARIOS[{scenario!r}]
app = factory()
environ = run.environ({scenario!r})
for i in range(50 + {count}):
    for _ in app.wsgi_app(dict(environ), run.start_response):
        pass
"""


def instructions(scenario: str, count: int) -> int:
    code = DRIVER.format(here=str(HERE), scenario=scenario, count=count)
    return callgrind("-c", code)


def per_request(scenario: str, count: int) -> float:
    return (instructions(scenario, count) - instructions(scenario, 0)) / count


def selected(words: list[str]) -> list[str]:
    """The scenarios whose names contain one of ``words`` (all if none), the
    scenarios they are compared with, and the bare apps those are measured
    against."""
    if not words:
        return list(run.SCENARIOS)
    names = {name for name in run.SCENARIOS if any(w in name for w in words)}
    for _, top, bottom in run.RATIOS + run.DIFFERENCES:
        if top in names:
            names.add(bottom)
    names |= {run.SCENARIOS[name][1] for name in names}
    return [name for name in run.SCENARIOS if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="only the scenarios whose names contain this (repeatable)",
    )
    args = parser.parse_args()
    run._vendor.install()
    names = selected(args.scenario)
    costs = {name: per_request(name, args.requests) for name in names}
    print(f"{'scenario':<56} {'instructions/req':>17} {'overhead':>10}")
    overhead = {}
    for name in names:
        baseline = run.SCENARIOS[name][1]
        overhead[name] = costs[name] - costs[baseline]
        print(f"{name:<56} {costs[name]:>17,.0f} {overhead[name]:>10,.0f}")
    print()
    for label, ours, theirs in run.RATIOS:
        if ours in overhead and theirs in overhead and overhead[theirs] > 0:
            print(f"{label:<56} {overhead[ours] / overhead[theirs]:>8.2f}")
    print()
    for label, top, bottom in run.DIFFERENCES:
        if top in costs and bottom in costs:
            print(f"{label:<56} {costs[top] - costs[bottom]:>+8,.0f}")


if __name__ == "__main__":
    main()
