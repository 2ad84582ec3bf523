"""docs/engines.rst: every browser case, by engine, as the suite measured it.

The page is generated from a run's results (tests/browser/engine_table.py)
and CI checks it against its own run; these tests check the generator, and
that the committed page names every browser case the suite collects.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .browser import engine_table

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "docs" / "engines.rst"


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        (
            "tests/browser/test_csp.py::test_nonce[chromium]",
            ("test_csp", "test_nonce", "chromium"),
        ),
        (
            "tests/browser/test_a.py::test_b[webkit-https]",
            ("test_a", "test_b[https]", "webkit"),
        ),
        (
            "tests/browser/test_a.py::test_b[http-firefox]",
            ("test_a", "test_b[http]", "firefox"),
        ),
        (
            "tests/browser/test_a.py::test_b[report-only-chromium-x]",
            ("test_a", "test_b[report-only-x]", "chromium"),
        ),
        (
            "tests/browser/test_a.py::test_b[chromiumish]",
            ("test_a", "test_b[chromiumish]", None),
        ),
        ("tests/browser/test_a.py::test_b", ("test_a", "test_b", None)),
    ],
)
def test_a_case_id_splits_into_module_case_and_engine(
    nodeid: str, expected: tuple[str, str, str | None]
) -> None:
    assert engine_table.split(nodeid) == expected


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    fresh: dict[str, str] = {}
    monkeypatch.setattr(engine_table, "_results", fresh)
    return fresh


def test_outcomes_are_recorded_per_case(results: dict[str, str]) -> None:
    base = "tests/browser/test_a.py::test_b"
    record = engine_table.record
    for phase in ("setup", "call", "teardown"):
        record(f"{base}[chromium]", phase, "passed", False)
    record(f"{base}[firefox]", "setup", "passed", False)
    record(f"{base}[firefox]", "call", "skipped", True)  # xfailed
    record(f"{base}[firefox]", "teardown", "passed", False)
    record(f"{base}[webkit]", "call", "passed", False, [("engine_note", "no report")])
    record(f"{base}[webkit]", "teardown", "passed", False)
    record("tests/browser/test_a.py::test_c[chromium]", "call", "passed", False)
    record("tests/browser/test_a.py::test_c[chromium]", "teardown", "failed", False)
    record("tests/browser/test_a.py::test_d[chromium]", "setup", "skipped", False)
    record("tests/test_other.py::test_e", "call", "passed", False)
    assert results == {
        f"{base}[chromium]": "passed",
        f"{base}[firefox]": "xfailed",
        f"{base}[webkit]": "no report",
        "tests/browser/test_a.py::test_c[chromium]": "failed",
        "tests/browser/test_a.py::test_d[chromium]": "skipped",
    }


def test_the_page_is_a_table_per_module() -> None:
    page = engine_table.render(
        {
            "tests/browser/test_a.py::test_b[chromium]": "passed",
            "tests/browser/test_a.py::test_b[firefox]": "xfailed",
            "tests/browser/test_a.py::test_b[webkit]": "no report",
            "tests/browser/test_z.py::test_webkit_only": "passed",
            "tests/browser/test_z.py::test_the_server_side": "passed",
        }
    )
    assert page.startswith(engine_table.HEADER)
    body = page[len(engine_table.HEADER) :]
    assert body.splitlines()[:7] == [
        "``test_a``",
        "----------",
        "",
        "==========  ========  =============  =========",
        "Case        Chromium  Firefox        WebKit",
        "==========  ========  =============  =========",
        "``test_b``  yes       not supported  no report",
    ]
    assert "``test_webkit_only``      not run     not run     yes" in body
    assert "``test_the_server_side``  no browser  no browser  no browser" in body


def test_the_check_refuses_a_page_that_differs(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text('{"tests/browser/test_a.py::test_b[webkit]": "passed"}')
    page = tmp_path / "engines.rst"
    page.write_text(
        engine_table.render({"tests/browser/test_a.py::test_b[webkit]": "failed"})
    )
    assert engine_table.main(["--check", str(page), str(results)]) == 1
    page.write_text(
        engine_table.render({"tests/browser/test_a.py::test_b[webkit]": "passed"})
    )
    assert engine_table.main(["--check", str(page), str(results)]) == 0


def test_the_committed_page_names_every_browser_case() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0",
         "tests/browser"],
        cwd=ROOT, capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip
    cases = {
        engine_table.split(line)[:2]
        for line in collected.splitlines()
        if line.startswith("tests/browser/")
    }
    assert cases, collected
    page = PAGE.read_text()
    sections = dict(
        re.findall(
            r"^``(test_\w+)``\n-+\n\n(.*?)(?=^``test_\w+``\n-|\Z)", page, re.M | re.S
        )
    )
    missing = sorted(
        (module, case)
        for module, case in cases
        if f"``{case}``" not in sections.get(module, "")
    )
    assert not missing, "regenerate docs/engines.rst (engine_table.py)"
