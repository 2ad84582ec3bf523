"""The migration pages, checked against the packages they describe.

``docs/migration_secure.rst`` and ``docs/migration_flask_secure_headers.rst``
map another package's configuration to Talisman's options. These tests read
both pages, install the other package at test time into the temporary
directory (never into the repository or the virtualenv), run each
configuration with it and with flask_talisman in a Flask app, and compare
the headers:

* each row of a ``migration-map`` table: the first cell is their call, the
  second our options, the third the header sent (read below for the exact
  conventions);
* each pair of named code blocks listed in ``SECURE_CASES`` and
  ``FSH_CASES``, with the differences the page states;
* the tables that list whole responses (secure's presets,
  flask-secure-headers' defaults);
* each other claim the pages make about either package's output.

Every Python code block on the pages that configures Talisman belongs to a
case, so no example goes unchecked.

secure 2.0.1 is installed with ``pip install --target`` for this interpreter
and imported from there. flask-secure-headers 0.6 only runs on Python 2: it
is installed, with Flask 1.1.4, for a Python 2.7 interpreter (the
``TALISMAN_PYTHON2`` environment variable, else ``python2.7`` or
``python2`` on the PATH, else a pyenv 2.7 build), and its side of every
comparison runs there, all scenarios in one subprocess per session. Both
installs are kept in the temporary directory between sessions, like
:mod:`tests.reference`. When a package cannot be installed (no network) or
no Python 2.7 is found, the tests that need it skip with the reason, unless
``TALISMAN_REFERENCE_TESTS`` is ``required``, which makes them fail instead.
"""

from __future__ import annotations

import glob
import http.client
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

import flask_talisman
from flask_talisman import NONE, SELF, ConfigurationError, ConfigurationWarning

from .conftest import REFERENCE_TESTS, pip_install, unavailable

DOCS = Path(__file__).resolve().parent.parent / "docs"
SECURE_PAGE = DOCS / "migration_secure.rst"
FSH_PAGE = DOCS / "migration_flask_secure_headers.rst"

SECURE_VERSION = "2.0.1"
FSH_VERSION = "0.6"
#: flask-secure-headers' Python 2 world: the last Flask 1 and what it needs.
PY2_REQUIREMENTS = [
    f"flask-secure-headers=={FSH_VERSION}",
    "Flask==1.1.4",
    "Werkzeug==1.0.1",
    "Jinja2==2.11.3",
    "MarkupSafe==1.1.1",
    "itsdangerous==1.1.0",
    "click==7.1.2",
]
TMP = Path(tempfile.gettempdir())
SECURE_FOLDER = TMP / f"flask_talisman_migration_secure_{SECURE_VERSION}"
FSH_FOLDER = TMP / f"flask_talisman_migration_fsh_{FSH_VERSION}_py27"

#: Not security headers: left out of whole-response comparisons.
IGNORED = {"content-type", "content-length", "location"}
NONCE_SOURCE = re.compile(r"'nonce-[^']+'")


# ---------------------------------------------------------------------------
# Installing the packages
# ---------------------------------------------------------------------------


def load_secure() -> ModuleType:
    """secure 2.0.1, imported from its own folder under its own name."""
    pip_install(
        sys.executable,
        SECURE_FOLDER,
        [f"secure=={SECURE_VERSION}"],
        SECURE_FOLDER / "secure" / "__init__.py",
    )
    loaded = sys.modules.get("secure")
    if loaded is not None:
        assert Path(loaded.__file__ or "").is_relative_to(SECURE_FOLDER), (
            f"another 'secure' is already imported: {loaded.__file__}"
        )
        return loaded
    sys.path.insert(0, str(SECURE_FOLDER))
    try:
        module = importlib.import_module("secure")
        importlib.import_module("secure.middleware")
    finally:
        sys.path.remove(str(SECURE_FOLDER))
    return module


def python27() -> str | None:
    """A Python 2.7 interpreter that runs, or None."""
    candidates = [
        os.environ.get("TALISMAN_PYTHON2"),
        shutil.which("python2.7"),
        shutil.which("python2"),
        *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python"))),
    ]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            result = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
        except OSError:
            continue
        if result.stdout.strip() == "(2, 7)":
            return candidate
    return None


#: Runs on Python 2.7: reads scenarios as JSON on stdin, builds a Flask app
#: for each with its code, and prints each response's status and headers.
PY2_DRIVER = """
import json, sys, traceback
from flask import Flask
from flask_secure_headers.core import Secure_Headers

def run(scenario):
    app = Flask("fsh_" + scenario["id"])
    app.add_url_rule("/", "index", lambda: "index")
    try:
        exec(scenario["code"], {"app": app, "Secure_Headers": Secure_Headers})
    except Exception as error:
        return {"error": "%s: %s" % (type(error).__name__, error)}
    client = app.test_client()
    out = {}
    for path in scenario["paths"]:
        for scheme in ("http", "https"):
            response = client.get(path, base_url=scheme + "://localhost")
            out[scheme + " " + path] = [response.status_code, list(response.headers.items())]
    return out

scenarios = json.load(sys.stdin)
json.dump(dict((s["id"], run(s)) for s in scenarios), sys.stdout)
"""


# ---------------------------------------------------------------------------
# Reading the pages
# ---------------------------------------------------------------------------


@dataclass
class Directive:
    kind: str
    argument: str
    options: dict[str, str]
    body: str


DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. (?P<kind>[\w-]+)::(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<name>[\w-]+):(?P<value>.*)$")


def directives(text: str, kind: str) -> list[Directive]:
    """Every ``.. kind::`` directive of an rst text, with options and body."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match or match["kind"] != kind:
            continue
        indent = len(match["indent"])
        options: dict[str, str] = {}
        j = i + 1
        while j < len(lines) and (option := OPTION.match(lines[j].strip())):
            options[option["name"]] = option["value"].strip()
            j += 1
        body = []
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            body.append(lines[j])
            j += 1
        found.append(
            Directive(
                kind,
                match["arg"].strip(),
                options,
                textwrap.dedent("\n".join(body)).strip("\n") + "\n",
            )
        )
    return found


def code_blocks(page: Path) -> dict[str | None, list[str]]:
    """The Python code blocks of a page by ``:name:`` (None: unnamed)."""
    blocks: dict[str | None, list[str]] = {}
    for block in directives(page.read_text(), "code-block"):
        if block.argument == "python":
            blocks.setdefault(block.options.get("name"), []).append(block.body)
    return blocks


def block(page: Path, name: str) -> str:
    (code,) = code_blocks(page)[name]
    return code


def table_rows(page: Path, name: str) -> list[list[str]]:
    """The rows of the list-table named ``name``, each a list of cell texts."""
    (table,) = [
        t
        for t in directives(page.read_text(), "list-table")
        if t.options.get("name") == name
    ]
    rows: list[list[str]] = []
    for line in table.body.splitlines():
        if line.startswith("* - "):
            rows.append([line[4:].strip()])
        elif line.startswith("  - "):
            rows[-1].append(line[4:].strip())
        elif line.strip():
            rows[-1][-1] += " " + line.strip()
    return rows


def map_tables(page: Path) -> list[str]:
    """The names of a page's ``migration-map`` tables."""
    return [
        t.options["name"]
        for t in directives(page.read_text(), "list-table")
        if "migration-map" in t.options.get("class", "").split()
    ]


def literals(cell: str) -> list[str]:
    return re.findall(r"``(.+?)``", cell)


def prose(cell: str) -> str:
    return re.sub(r"``.+?``", "", cell).strip(" ,")


def sent(cell: str) -> str | None:
    """A header cell: the literal value, or None for "not sent"."""
    if prose(cell) == "not sent":
        return None
    (value,) = literals(cell)
    return value


#: Names the flask_talisman cells and blocks may use without importing them.
TALISMAN_NAMES = {"Talisman": flask_talisman.Talisman, "SELF": SELF, "NONE": NONE}


def options_of(cell: str) -> dict[str, Any] | None:
    """A flask_talisman cell as keyword options; None for "no option"."""
    if prose(cell) == "no option":
        return None
    if prose(cell) == "the default":
        return {}
    return eval(f"dict({', '.join(literals(cell))})", dict(TALISMAN_NAMES))


@dataclass
class Row:
    table: str
    theirs: str
    options: dict[str, Any] | None
    header: str | None
    value: str | None

    def __str__(self) -> str:
        return f"{self.table}: {self.theirs}"


def map_rows(page: Path) -> list[Row]:
    rows = []
    for name in map_tables(page):
        if name.endswith(("-presets", "-default-headers")):
            continue  # whole responses, read by their own tests
        heading, *body = table_rows(page, name)
        # A header's name heads the third column, unless each row's
        # builder names its own ("Value sent").
        header = re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)+", heading[2])
        for theirs, ours, value in body:
            rows.append(
                Row(
                    name,
                    theirs,
                    options_of(ours),
                    header[0] if header else None,
                    sent(value),
                )
            )
    return rows


# ---------------------------------------------------------------------------
# Running configurations
# ---------------------------------------------------------------------------


def bare_app(name: str) -> Flask:
    app = Flask(name)
    app.config["SECRET_KEY"] = "test"
    app.add_url_rule("/", "index", lambda: "index")
    return app


def get(app: Flask, path: str = "/", scheme: str = "https") -> TestResponse:
    return app.test_client().get(path, base_url=f"{scheme}://localhost")


def headers_of(response: TestResponse) -> dict[str, str]:
    """The security headers of a response, by lower-case name (each once)."""
    out: dict[str, str] = {}
    for name, value in response.headers.items():
        if name.lower() in IGNORED:
            continue
        assert name.lower() not in out, f"{name} sent twice"
        out[name.lower()] = value
    return out


def talisman_app(code: str | None = None, **options: Any) -> Flask:
    """An app with Talisman set up by a page's code block or by options."""
    app = bare_app("ours")
    if code is None:
        flask_talisman.Talisman(app, **options)
    else:
        exec(code, {"app": app, **TALISMAN_NAMES})
    return app


def with_hook(app: Flask, secure_headers: Any) -> Flask:
    """secure's Flask example: one object applied in an after_request hook."""

    @app.after_request
    def add_security_headers(response: Any) -> Any:
        secure_headers.set_headers(response)
        return response

    return app


def secure_app(code: str) -> Flask:
    app = bare_app("secure")
    exec(code, {"app": app})
    return app


def secure_object(secure: ModuleType, expression: str) -> Any:
    return eval(expression, {name: getattr(secure, name) for name in secure.__all__})


@pytest.fixture(scope="session")
def secure() -> ModuleType:
    return load_secure()


# ---------------------------------------------------------------------------
# secure: the tables
# ---------------------------------------------------------------------------

SECURE_ROWS = map_rows(SECURE_PAGE)


def test_secure_page_has_its_tables() -> None:
    assert len(SECURE_ROWS) >= 40
    assert {row.table for row in SECURE_ROWS} >= {
        "migration-secure-hsts",
        "migration-secure-csp",
        "migration-secure-xfo",
        "migration-secure-referrer",
        "migration-secure-permissions",
        "migration-secure-cache",
        "migration-secure-cross-origin",
        "migration-secure-custom",
    }


@pytest.mark.parametrize("row", SECURE_ROWS, ids=str)
def test_secure_table_row(secure: ModuleType, row: Row) -> None:
    """Their builder and our options send the header the row shows."""
    if prose(row.theirs) == "not passed":
        theirs = None
        header = row.header
    else:
        theirs = secure_object(secure, "".join(literals(row.theirs)))
        header = row.header or theirs.header_name
        assert header == theirs.header_name
    assert header is not None
    theirs_app = with_hook(
        bare_app("secure"), secure.Secure(custom=[theirs] if theirs else None)
    )
    assert headers_of(get(theirs_app)).get(header.lower()) == row.value
    ours = headers_of(get(talisman_app(**(row.options or {}))))
    if row.options is None:  # "no option": only they send it
        assert header.lower() not in ours
    else:
        assert ours.get(header.lower()) == row.value


def test_secure_report_only_sends_no_enforced_policy(secure: ModuleType) -> None:
    (row,) = [r for r in SECURE_ROWS if r.table == "migration-secure-csp-report-only"]
    theirs = secure_object(secure, "".join(literals(row.theirs)))
    theirs_headers = headers_of(
        get(with_hook(bare_app("s"), secure.Secure(csp=theirs)))
    )
    ours_headers = headers_of(get(talisman_app(**(row.options or {}))))
    for found in (theirs_headers, ours_headers):
        assert "content-security-policy" not in found
        assert found["content-security-policy-report-only"] == row.value


# ---------------------------------------------------------------------------
# secure: the examples
# ---------------------------------------------------------------------------


@dataclass
class Case:
    #: their side: a code block of the page, or a preset call it names
    theirs: str
    #: our side: a code block of the page
    ours: str
    #: header -> (theirs, ours) where the page says they differ
    differs: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    paths: tuple[str, ...] = ("/",)
    normalise: Callable[[dict[str, str]], dict[str, str]] = dict
    #: the headers the example is about (None: the whole response)
    only: tuple[str, ...] | None = None

    def headers(self, response: TestResponse) -> dict[str, str]:
        headers = headers_of(response)
        if self.only is not None:
            headers = {k: v for k, v in headers.items() if k in self.only}
        return self.normalise(headers)


def without_nonces(headers: dict[str, str]) -> dict[str, str]:
    csp = headers["content-security-policy"]
    assert NONCE_SOURCE.search(csp), csp
    return {**headers, "content-security-policy": NONCE_SOURCE.sub("'nonce-…'", csp)}


BALANCED_EXTRAS: dict[str, tuple[str | None, str | None]] = {
    "server": ("", None),
    "origin-agent-cluster": (None, "?1"),
    "x-dns-prefetch-control": (None, "off"),
    "x-permitted-cross-domain-policies": (None, "none"),
    "x-download-options": (None, "noopen"),
    "x-xss-protection": (None, "0"),
}

SECURE_CASES = {
    "balanced": Case(
        "migration-secure-hook", "migration-secure-balanced", BALANCED_EXTRAS
    ),
    "middleware": Case(
        "migration-secure-middleware", "migration-secure-balanced", BALANCED_EXTRAS
    ),
    "basic": Case("Secure.from_preset(Preset.BASIC)", "migration-secure-basic"),
    "strict": Case(
        "Secure.from_preset(Preset.STRICT)",
        "migration-secure-strict",
        {"server": ("", None)},
    ),
    "nonce": Case(
        "migration-secure-nonce",
        "migration-secure-nonce-talisman",
        normalise=without_nonces,
        only=("content-security-policy",),
    ),
}


def secure_case_app(secure: ModuleType, case: Case) -> Flask:
    if case.theirs.startswith("migration-"):
        return secure_app(block(SECURE_PAGE, case.theirs))
    return with_hook(bare_app("secure"), secure_object(secure, case.theirs))


def compare(
    theirs: dict[str, str],
    ours: dict[str, str],
    differs: dict[str, tuple[str | None, str | None]],
) -> None:
    theirs, ours = dict(theirs), dict(ours)
    for header, (their_value, our_value) in differs.items():
        assert (theirs.pop(header, None), ours.pop(header, None)) == (
            their_value,
            our_value,
        ), header
    assert ours == theirs


@pytest.mark.parametrize("name", SECURE_CASES)
def test_secure_example(secure: ModuleType, name: str) -> None:
    """Each pair of examples sends the same headers, but where the page says."""
    case = SECURE_CASES[name]
    if not case.theirs.startswith("migration-"):
        assert f"``{case.theirs}``" in SECURE_PAGE.read_text()
    theirs_app = secure_case_app(secure, case)
    ours_app = talisman_app(block(SECURE_PAGE, case.ours))
    for path in case.paths:
        compare(
            case.headers(get(theirs_app, path)),
            case.headers(get(ours_app, path)),
            case.differs,
        )


def test_with_default_headers_is_balanced(secure: ModuleType) -> None:
    assert (
        secure.Secure.with_default_headers().header_items()
        == secure.Secure.from_preset(secure.Preset.BALANCED).header_items()
    )


def preset_cell(cell: str) -> tuple[str | None, str | None]:
    """A cell of the presets table: (theirs, ours)."""

    def value(text: str) -> str | None:
        text = text.strip()
        if text == "not sent":
            return None
        if text == "an empty value":
            return ""
        (literal,) = literals(text)
        assert text == f"``{literal}``", text
        return literal

    note = re.fullmatch(r"(.*?)\s*\(flask_talisman: (.*)\)", cell)
    if note:
        return value(note[1]), value(note[2])
    theirs = value(cell)
    return theirs, theirs


def test_secure_presets_table(secure: ModuleType) -> None:
    """What the table says each preset sends, and the options mapped to it."""
    heading, *rows = table_rows(SECURE_PAGE, "migration-secure-presets")
    columns = {"BASIC": "basic", "BALANCED": "balanced", "STRICT": "strict"}
    assert heading == ["Header", *columns]
    for column, case_name in columns.items():
        case = SECURE_CASES[case_name]
        theirs = headers_of(get(secure_case_app(secure, case)))
        ours = headers_of(get(talisman_app(block(SECURE_PAGE, case.ours))))
        index = heading.index(column)
        for row in rows:
            cell = row[index]
            if same := re.fullmatch(r"the same as (\w+)", cell):
                cell = row[heading.index(same[1])]
            their_value, our_value = preset_cell(cell)
            assert theirs.pop(row[0].lower(), None) == their_value, (column, row[0])
            assert ours.pop(row[0].lower(), None) == our_value, (column, row[0])
        assert theirs == ours == {}, f"{column}: headers missing from the table"


# ---------------------------------------------------------------------------
# secure: the other claims of the page
# ---------------------------------------------------------------------------


def test_secure_sends_hsts_on_plain_http_talisman_redirects(secure: ModuleType) -> None:
    theirs = with_hook(bare_app("s"), secure.Secure.with_default_headers())
    response = get(theirs, scheme="http")
    assert response.status_code == 200
    assert "upgrade-insecure-requests" in response.headers["Content-Security-Policy"]
    assert response.headers["Strict-Transport-Security"]
    ours = talisman_app(block(SECURE_PAGE, "migration-secure-balanced"))
    assert get(ours, scheme="http").status_code == 302
    local = talisman_app(preset="balanced", force_https=False)
    response = get(local, scheme="http")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert (
        "upgrade-insecure-requests" not in response.headers["Content-Security-Policy"]
    )


def test_unquoted_keyword(secure: ModuleType) -> None:
    assert (
        secure.ContentSecurityPolicy().default_src("self").header_value
        == "default-src self"
    )
    with pytest.raises(ConfigurationError, match=r"\"'self'\""):
        talisman_app(content_security_policy={"default-src": "self"})


def test_permissions_none_item(secure: ModuleType) -> None:
    for item in ("none", "'none'"):
        assert secure.PermissionsPolicy().camera(item).header_value == "camera=()"
        with pytest.raises(ConfigurationError, match="empty list"):
            talisman_app(permissions_policy={"camera": [item]})


def test_hsts_preload(secure: ModuleType) -> None:
    with pytest.raises(ValueError, match="max-age"):
        secure.StrictTransportSecurity().max_age(600).preload()
    assert (
        secure.StrictTransportSecurity().max_age(31536000).preload().header_value
        == "max-age=31536000; includeSubDomains; preload"
    )
    with pytest.warns(ConfigurationWarning):
        app = talisman_app(
            strict_transport_security_preload=True,
            strict_transport_security_max_age=600,
            strict_transport_security_include_subdomains=False,
        )
    assert get(app).headers["Strict-Transport-Security"] == "max-age=600; preload"


def test_allow_from(secure: ModuleType) -> None:
    theirs = secure.XFrameOptions().allow_from("https://a.example").header_value
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        app = talisman_app(
            frame_options="ALLOW-FROM", frame_options_allow_from="https://a.example"
        )
    assert (
        get(app).headers["X-Frame-Options"] == theirs == "ALLOW-FROM https://a.example"
    )


def test_cache_control_replaces_the_views_own(secure: ModuleType) -> None:
    def view() -> tuple[str, dict[str, str]]:
        return "x", {"Cache-Control": "public, max-age=600"}

    theirs = with_hook(
        bare_app("s"), secure.Secure(cache=secure.CacheControl().no_store())
    )
    theirs.add_url_rule("/cached", "cached", view)
    ours = talisman_app(cache_control="no-store")
    ours.add_url_rule("/cached", "cached", view)
    for app in (theirs, ours):
        assert get(app, "/cached").headers.getlist("Cache-Control") == ["no-store"]


def test_server_header(secure: ModuleType) -> None:
    """secure sets an empty Server; normalising drops it; the server adds its own."""
    secure_headers = secure.Secure.with_default_headers()
    assert dict(secure_headers.header_items())["Server"] == ""
    assert "Server" not in secure_headers.validate_and_normalize_headers().headers
    app = with_hook(bare_app("s"), secure.Secure.with_default_headers())
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection(
            "127.0.0.1", server.server_port, timeout=10
        )
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    values = [v for k, v in response.getheaders() if k.lower() == "server"]
    assert len(values) == 2
    assert "" in values
    assert any(v.startswith("Werkzeug/") for v in values)
    assert "Server" not in get(talisman_app(preset="balanced")).headers


# ---------------------------------------------------------------------------
# flask-secure-headers: scenarios, run together on Python 2.7
# ---------------------------------------------------------------------------

FSH_ROWS = map_rows(FSH_PAGE)


def fsh_code(update: str | None) -> str:
    """The app-wide setup of a table row: ``update()`` (if any), then init_app."""
    code = "sh = Secure_Headers()\n"
    if update is not None:
        code += f"sh.update({update})\n"
    return code + "sh.init_app(app)\n"


def row_update(row: Row) -> str | None:
    if prose(row.theirs) == "not called":
        return None
    (update,) = literals(row.theirs)
    return update


MAP_VIEW = """
@app.route("/map")
@sh.wrapper({
    "CSP": {"img-src": ["self", "tiles.example"]},
    "X_Frame_Options": {"value": "deny"},
})
def map_view():
    return "map"
"""

PLAIN_VIEW = """
@app.route("/plain")
@sh.wrapper()
def plain():
    return "plain"
"""

LEGACY_VIEW = """
@app.route("/legacy")
@sh.wrapper({"CSP": None})
def legacy():
    return "legacy"
"""

#: Scenarios for the claims the page makes in prose.
FSH_EXTRA = {
    "leak-view": (
        "sh = Secure_Headers()\nsh.init_app(app)\n" + MAP_VIEW + PLAIN_VIEW,
        ["/", "/map", "/plain"],
    ),
    "leak-init-app": (
        "sh = Secure_Headers()\n" + MAP_VIEW + "sh.init_app(app)\n",
        ["/"],
    ),
    "wrapper-only": ("sh = Secure_Headers()\n" + PLAIN_VIEW, ["/", "/plain"]),
    "missing-directive": (
        "sh = Secure_Headers()\nsh.init_app(app)\n"
        '@app.route("/tiles")\n@sh.wrapper({"CSP": {"img-src": ["tiles.example"]}})\n'
        'def tiles():\n    return "tiles"\n',
        ["/tiles"],
    ),
    "update-none": (fsh_code('{"CSP": {"default-src": ["none"]}}'), ["/"]),
    "keyword-prefix": (
        fsh_code('{"CSP": {"img-src": ["selfservice.example"]}}'),
        ["/"],
    ),
    "report-only-update": (fsh_code('{"CSP": {"report-only": True}}'), ["/"]),
    "report-only-rewrite": (
        'sh = Secure_Headers()\nsh.rewrite({"CSP": {"default-src": ["self"], "report-only": True}})\nsh.init_app(app)\n',
        ["/"],
    ),
    "report-only-init-app": (
        'sh = Secure_Headers()\nsh.init_app(app, {"CSP": {"report-only": True}})\n',
        ["/"],
    ),
    "report-only-wrapper": (
        'sh = Secure_Headers()\n@app.route("/ro")\n@sh.wrapper({"CSP": {"report-only": True}})\ndef ro():\n    return "ro"\n',
        ["/ro"],
    ),
    "leak-none": (
        "sh = Secure_Headers()\nsh.init_app(app)\n" + LEGACY_VIEW + PLAIN_VIEW,
        ["/plain"],
    ),
    "xss-value-only": (fsh_code('{"X_XSS_Protection": {"value": 0}}'), ["/"]),
    "allow-from": (
        fsh_code('{"X_Frame_Options": {"value": "allow-from https://a.example"}}'),
        ["/"],
    ),
    "hyphens": (fsh_code('{"X-Frame-Options": {"value": "deny"}}'), ["/"]),
    "init-app-changes": (
        'sh = Secure_Headers()\nsh.init_app(app, {"HSTS": {"max-age": 600}})\n',
        ["/"],
    ),
    **{
        f"refused-{directive}": (
            fsh_code(f'{{"CSP": {{"{directive}": ["self"]}}}}'),
            ["/"],
        )
        for directive in ("frame-src", "worker-src", "upgrade-insecure-requests")
    },
}

FSH_CASES = {
    "default": Case("migration-fsh-default", "migration-fsh-default-talisman"),
    "rewrite": Case("migration-fsh-rewrite", "migration-fsh-rewrite-talisman"),
    "views": Case(
        "migration-fsh-views",
        "migration-fsh-views-talisman",
        paths=("/", "/map", "/legacy"),
    ),
}


def fsh_scenarios() -> list[dict[str, Any]]:
    scenarios = [
        {"id": f"row-{i}", "code": fsh_code(row_update(row)), "paths": ["/"]}
        for i, row in enumerate(FSH_ROWS)
    ]
    scenarios += [
        {
            "id": f"case-{name}",
            "code": block(FSH_PAGE, case.theirs),
            "paths": list(case.paths),
        }
        for name, case in FSH_CASES.items()
    ]
    scenarios += [
        {"id": name, "code": code, "paths": paths}
        for name, (code, paths) in FSH_EXTRA.items()
    ]
    return scenarios


@pytest.fixture(scope="session")
def fsh_results() -> dict[str, Any]:
    """Every scenario's responses from flask-secure-headers on Python 2.7."""
    python = python27()
    if python is None:
        unavailable(
            REFERENCE_TESTS,
            "the comparison with flask-secure-headers",
            "flask-secure-headers runs on Python 2.7 only and no Python 2.7 was "
            "found (set TALISMAN_PYTHON2 to one)",
        )
    assert python is not None
    pip_install(
        python,
        FSH_FOLDER,
        PY2_REQUIREMENTS,
        FSH_FOLDER / "flask_secure_headers" / "core.py",
    )
    if not (FSH_FOLDER / "flask" / "__init__.py").exists():
        unavailable(
            REFERENCE_TESTS,
            "the comparison with flask-secure-headers",
            "Flask 1.1.4 is missing from the Python 2.7 install",
        )
    result = subprocess.run(
        [python, "-c", PY2_DRIVER],
        input=json.dumps(fsh_scenarios()),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(FSH_FOLDER), "PYTHONHASHSEED": "0"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    results: dict[str, Any] = json.loads(result.stdout)
    return results


class Fsh:
    """One scenario's responses from flask-secure-headers."""

    def __init__(self, results: dict[str, Any], scenario: str) -> None:
        self.responses = results[scenario]
        assert "error" not in self.responses, self.responses.get("error")

    def status(self, path: str = "/", scheme: str = "https") -> int:
        status: int = self.responses[f"{scheme} {path}"][0]
        return status

    def headers(self, path: str = "/", scheme: str = "https") -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self.responses[f"{scheme} {path}"][1]:
            if name.lower() not in IGNORED:
                assert name.lower() not in out, f"{name} sent twice"
                out[name.lower()] = value
        return out


def parts(value: str | None) -> frozenset[tuple[str, frozenset[str]]] | None:
    """A header's parts without their order: the name of each ``;`` part
    (case-insensitive, as browsers read them) with its set of values."""
    if value is None:
        return None
    return frozenset(
        (words[0].lower(), frozenset(words[1:]))
        for part in value.split(";")
        if (words := part.split())
    )


def test_fsh_page_has_its_tables() -> None:
    assert len(FSH_ROWS) >= 20
    assert {row.table for row in FSH_ROWS} >= {
        "migration-fsh-csp",
        "migration-fsh-hsts",
        "migration-fsh-xfo",
        "migration-fsh-xss",
        "migration-fsh-hpkp",
    }


@pytest.mark.parametrize("index", range(len(FSH_ROWS)), ids=lambda i: str(FSH_ROWS[i]))
def test_fsh_table_row(fsh_results: dict[str, Any], index: int) -> None:
    """Their policy change and our options send the same parts; ours exactly
    the header of the row ("no option" rows show theirs)."""
    row = FSH_ROWS[index]
    assert row.header is not None
    theirs = Fsh(fsh_results, f"row-{index}").headers().get(row.header.lower())
    assert parts(theirs) == parts(row.value)
    ours = headers_of(get(talisman_app(**(row.options or {}))))
    if row.options is None:
        assert row.header.lower() not in ours
    else:
        assert ours.get(row.header.lower()) == row.value


def test_fsh_default_headers_table(fsh_results: dict[str, Any]) -> None:
    heading, *rows = table_rows(FSH_PAGE, "migration-fsh-default-headers")
    assert heading == ["Header", "flask-secure-headers", "flask_talisman"]
    theirs = Fsh(fsh_results, "case-default").headers()
    ours = headers_of(
        get(talisman_app(block(FSH_PAGE, "migration-fsh-default-talisman")))
    )
    for header, their_cell, our_cell in rows:
        assert theirs.pop(header.lower(), None) == sent(their_cell), header
        assert ours.pop(header.lower(), None) == sent(our_cell), header
    assert theirs == ours == {}, "headers missing from the table"


def test_fsh_default_on_plain_http(fsh_results: dict[str, Any]) -> None:
    theirs = Fsh(fsh_results, "case-default")
    assert theirs.status(scheme="http") == 200
    assert theirs.headers(scheme="http") == theirs.headers()
    ours = talisman_app(block(FSH_PAGE, "migration-fsh-default-talisman"))
    assert get(ours, scheme="http").status_code == 302
    ours_local = talisman_app(force_https=False)
    assert "Strict-Transport-Security" not in get(ours_local, scheme="http").headers


def test_fsh_rewrite(fsh_results: dict[str, Any]) -> None:
    expected = "default-src 'none'; img-src 'self'"
    assert f"Both send ``{expected}``" in FSH_PAGE.read_text()
    theirs = Fsh(fsh_results, "case-rewrite").headers()["content-security-policy"]
    ours = get(talisman_app(block(FSH_PAGE, "migration-fsh-rewrite-talisman")))
    assert parts(theirs) == parts(expected)
    assert ours.headers["Content-Security-Policy"] == expected


def test_fsh_views(fsh_results: dict[str, Any]) -> None:
    """``/map`` sends the extended CSP and DENY; ``/legacy`` no CSP, and
    with flask-secure-headers the DENY it was not given."""
    theirs = Fsh(fsh_results, "case-views")
    ours = talisman_app(block(FSH_PAGE, "migration-fsh-views-talisman"))
    map_csp = "default-src 'self'; img-src 'self' tiles.example; report-uri /csp_report"
    expected = {  # path: CSP, their X-Frame-Options, ours
        "/": ("default-src 'self'; report-uri /csp_report", "SAMEORIGIN", "SAMEORIGIN"),
        "/map": (map_csp, "DENY", "DENY"),
        "/legacy": (None, "DENY", "SAMEORIGIN"),
    }
    text = " ".join(FSH_PAGE.read_text().split())
    assert f"``/map`` sends ``{map_csp}``" in text
    for path, (csp, their_xfo, our_xfo) in expected.items():
        their_headers = theirs.headers(path)
        assert parts(their_headers.get("content-security-policy")) == parts(csp), path
        assert their_headers["x-frame-options"].upper() == their_xfo, path
        our_headers = get(ours, path).headers
        assert our_headers.get("Content-Security-Policy") == csp, path
        assert our_headers["X-Frame-Options"] == our_xfo, path


def test_fsh_wrapper_changes_leak(fsh_results: dict[str, Any]) -> None:
    """A wrapper's changes reach views decorated after it, and a later
    init_app; a Talisman decorator stays on its view."""
    leaked = Fsh(fsh_results, "leak-view")
    for path in ("/map", "/plain"):
        headers = leaked.headers(path)
        assert "img-src 'self' tiles.example" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "deny"
    assert "img-src" not in leaked.headers("/")["content-security-policy"]
    assert (
        "img-src"
        in Fsh(fsh_results, "leak-init-app").headers()["content-security-policy"]
    )
    assert "content-security-policy" not in Fsh(fsh_results, "leak-none").headers(
        "/plain"
    )
    ours = talisman_app(block(FSH_PAGE, "migration-fsh-views-talisman"))
    ours.add_url_rule("/plain", "plain", lambda: "plain")
    plain = get(ours, "/plain").headers
    assert (
        plain["Content-Security-Policy"] == "default-src 'self'; report-uri /csp_report"
    )
    assert plain["X-Frame-Options"] == "SAMEORIGIN"


def test_fsh_wrapper_only_app(fsh_results: dict[str, Any]) -> None:
    theirs = Fsh(fsh_results, "wrapper-only")
    assert theirs.headers("/") == {}
    assert "x-frame-options" in theirs.headers("/plain")


def test_fsh_missing_directive(fsh_results: dict[str, Any]) -> None:
    text = " ".join(FSH_PAGE.read_text().split())
    theirs = parts(
        Fsh(fsh_results, "missing-directive").headers("/tiles")[
            "content-security-policy"
        ]
    )
    assert theirs is not None
    assert ("img-src", frozenset({"tiles.example"})) in theirs
    assert "sends ``img-src tiles.example``" in text
    app = bare_app("ours")
    talisman = flask_talisman.Talisman(
        app, content_security_policy={"default-src": SELF}
    )

    @app.route("/tiles")
    @talisman.extend(content_security_policy={"img-src": "tiles.example"})
    def tiles() -> str:
        return "tiles"

    ours = get(app, "/tiles").headers["Content-Security-Policy"]
    assert "img-src 'self' tiles.example" in ours
    assert "sends ``img-src 'self' tiles.example``" in text


def test_fsh_update_cannot_remove_a_source(fsh_results: dict[str, Any]) -> None:
    csp = parts(Fsh(fsh_results, "update-none").headers()["content-security-policy"])
    assert csp is not None
    assert ("default-src", frozenset({"'self'", "'none'"})) in csp
    assert "``default-src 'self' 'none'``" in FSH_PAGE.read_text()
    with pytest.warns(ConfigurationWarning):
        talisman_app(content_security_policy={"default-src": [SELF, NONE]})


def test_fsh_keyword_prefix(fsh_results: dict[str, Any]) -> None:
    csp = Fsh(fsh_results, "keyword-prefix").headers()["content-security-policy"]
    assert "img-src 'selfservice.example'" in csp
    app = talisman_app(content_security_policy={"img-src": "selfservice.example"})
    assert get(app).headers["Content-Security-Policy"] == "img-src selfservice.example"


def test_fsh_report_only_is_lost(fsh_results: dict[str, Any]) -> None:
    """flask-secure-headers drops "report-only" before building the header."""
    for scenario, path in [
        ("report-only-update", "/"),
        ("report-only-rewrite", "/"),
        ("report-only-init-app", "/"),
        ("report-only-wrapper", "/ro"),
    ]:
        theirs = Fsh(fsh_results, scenario).headers(path)
        assert "content-security-policy-report-only" not in theirs, scenario
        assert "content-security-policy" in theirs, scenario
    ours = headers_of(
        get(
            talisman_app(
                content_security_policy={"default-src": SELF},
                content_security_policy_report_uri="/csp_report",
                content_security_policy_report_only=True,
            )
        )
    )
    assert "content-security-policy" not in ours
    assert ours["content-security-policy-report-only"] == (
        "default-src 'self'; report-uri /csp_report"
    )


def test_fsh_refused_directives(fsh_results: dict[str, Any]) -> None:
    for directive in ("frame-src", "worker-src", "upgrade-insecure-requests"):
        error = fsh_results[f"refused-{directive}"].get("error", "")
        assert error.startswith("ValueError: Invalid parameter"), error
        assert f"``{directive}``" in FSH_PAGE.read_text()
        talisman_app(
            content_security_policy={
                "default-src": SELF,
                directive: SELF if directive != "upgrade-insecure-requests" else "",
            }
        )


def test_fsh_dead_directives_warn() -> None:
    for directive in ("plugin-src", "referrer", "reflected-xss"):
        with pytest.warns(ConfigurationWarning, match="not a known CSP directive"):
            talisman_app(content_security_policy={"default-src": SELF, directive: SELF})


def test_fsh_xss_value_only_keeps_mode(fsh_results: dict[str, Any]) -> None:
    assert (
        Fsh(fsh_results, "xss-value-only").headers()["x-xss-protection"]
        == "0; mode=block"
    )


def test_fsh_allow_from(fsh_results: dict[str, Any]) -> None:
    theirs = Fsh(fsh_results, "allow-from").headers()["x-frame-options"]
    assert theirs == "allow-from https://a.example"
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        app = talisman_app(
            frame_options="ALLOW-FROM", frame_options_allow_from="https://a.example"
        )
    assert get(app).headers["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_fsh_policy_names_with_hyphens(fsh_results: dict[str, Any]) -> None:
    assert Fsh(fsh_results, "hyphens").headers()["x-frame-options"] == "deny"


def test_fsh_init_app_changes_are_an_update(fsh_results: dict[str, Any]) -> None:
    hsts = Fsh(fsh_results, "init-app-changes").headers()["strict-transport-security"]
    assert parts(hsts) == parts("max-age=600; includeSubDomains")


# ---------------------------------------------------------------------------
# Both pages: every example is checked
# ---------------------------------------------------------------------------


def checked_blocks(cases: dict[str, Case]) -> set[str]:
    return {
        name
        for case in cases.values()
        for name in (case.theirs, case.ours)
        if name.startswith("migration-")
    }


@pytest.mark.parametrize(
    ("page", "cases"),
    [(SECURE_PAGE, SECURE_CASES), (FSH_PAGE, FSH_CASES)],
    ids=["secure", "fsh"],
)
def test_every_example_is_checked(page: Path, cases: dict[str, Case]) -> None:
    blocks = code_blocks(page)
    named = {name for name in blocks if name is not None}
    assert named == checked_blocks(cases)
    assert all(len(blocks[name]) == 1 for name in named)
    for code in blocks.get(None, []):
        assert "talisman" not in code.lower(), code


def test_pages_point_to_the_flask_talisman_migration() -> None:
    for page in (SECURE_PAGE, FSH_PAGE):
        text = page.read_text()
        pointer = "Coming from flask-talisman 1.1.0 instead? :doc:`migration` lists what\nchanged for you."
        assert pointer in text
        assert text.index(pointer) < text.index("\n\n", text.index("</style>") + 20)
