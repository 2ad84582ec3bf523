"""Per-request overhead in CPU instructions, counted by valgrind's callgrind.

Wall-clock timings on a shared machine spread by half; instruction counts
repeat to within a few instructions. Each scenario of ``run.py`` is run
twice under callgrind, with 0 and with ``--requests`` requests after the
same warm-up, and the difference divided by the number of requests is its
cost per request; the overhead is that minus the matching bare app's.
Instructions are not time (a system call such as ``os.urandom`` counts
only its user-space part), so read these beside ``run.py``'s numbers.

    python benchmarks/instructions.py            # needs valgrind
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    run._vendor.install()
    costs = {name: per_request(name, args.requests) for name in run.SCENARIOS}
    print(f"{'scenario':<52} {'instructions/req':>17} {'overhead':>10}")
    overhead = {}
    for name, (_, baseline) in run.SCENARIOS.items():
        overhead[name] = costs[name] - costs[baseline]
        print(f"{name:<52} {costs[name]:>17,.0f} {overhead[name]:>10,.0f}")
    print()
    for label, ours, theirs in run.RATIOS:
        if overhead[theirs] > 0:
            print(f"{label:<52} {overhead[ours] / overhead[theirs]:>8.2f}")


if __name__ == "__main__":
    main()
