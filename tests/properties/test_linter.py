"""Properties: ``flask talisman check`` never calls a weak policy clean.

Three oracles the linter is not built from:

* **Google's CSP Evaluator** (the npm package, under one node process for
  the whole module): for any policy built from the CSP3 source grammar
  (keywords, nonces, hashes, schemes, hosts with ``*.`` or ``*``, ports,
  paths, any letter case, ``'none'`` beside other sources,
  ``'strict-dynamic'``...), every finding the Evaluator rates HIGH or
  MEDIUM on a directive that decides whether an injected script runs
  (``script-src``, ``object-src``, ``base-uri``, their fallbacks) is an
  error or a warning of ours on that directive, saying the same thing.
  Skipped without node, npm or the registry, unless
  ``TALISMAN_EVALUATOR_TESTS=required``.
* **The CSP3 matching rules** themselves: a host ``*`` allows every host
  whatever its scheme, port or path, so it rates as ``*`` does; ``'none'``
  beside other sources is ignored, so it changes no rating. The Evaluator
  misses both (it reads only a bare ``*`` as a wildcard, and stops rating
  script hosts at ``'none'``), so it cannot be the oracle there.
* **The responses the app sends**: whatever the app and the view turn the
  CSP off with, a page served without any CSP header fails the check.

Deterministic (``derandomize=True``) and bounded, a few seconds in all.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from flask_talisman import ConfigurationError, Talisman, csp_bypasses
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.lint import Finding, lint_csp

from ..conftest import make_app
from ..test_lint import expected_codes, install_evaluator

EXAMPLES = int(os.environ.get("TALISMAN_PROPERTY_EXAMPLES", "150"))
SETTINGS = settings(
    derandomize=True,
    max_examples=EXAMPLES * 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
#: The comparison with the Evaluator: more examples, as it finds the most.
EVALUATOR_SETTINGS = settings(SETTINGS, max_examples=EXAMPLES * 3)

#: Directives that decide whether an injected script runs, and fallbacks.
XSS_DIRECTIVES = (
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "object-src",
    "base-uri",
    "default-src",
)


# -- Policies from the source grammar -------------------------------------------


def any_case(text: str) -> st.SearchStrategy[str]:
    """``text`` with each letter in either case (shrinks to lower case)."""

    def cased(mask: int) -> str:
        return "".join(
            c.upper() if mask >> i & 1 else c.lower() for i, c in enumerate(text)
        )

    # As written half of the time: the Evaluator compares some (http://)
    # case-sensitively.
    return st.one_of(st.just(text), st.integers(0, 2 ** len(text) - 1).map(cased))


def _entries(urls: tuple[str, ...]) -> list[tuple[str, str]]:
    """(host, path) of each entry (``//host/path``) of a bypass list."""
    entries = []
    for url in urls:
        host, _, path = url.removeprefix("//").partition("/")
        entries.append((host, "/" + path))
    return entries


#: The Evaluator's bypass lists, and hosts on none of them.
ENTRIES = [
    _entries(csp_bypasses.JSONP_URLS),
    _entries(csp_bypasses.ANGULAR_URLS),
    _entries(csp_bypasses.FLASH_URLS),
    [
        (host, "/")
        for host in ("example.com", "static.example.com", "localhost", "127.0.0.1")
    ],
]

KEYWORDS = [
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashes'",
    "'wasm-unsafe-eval'",
    "'report-sample'",
]
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"

keywords = st.sampled_from(KEYWORDS).flatmap(any_case)
# Nonces and hashes as Talisman and the Evaluator write them: a lower-case
# prefix (the Evaluator does not read 'NONCE-...' as a nonce).
nonces = st.text(BASE64 + "$", min_size=1, max_size=24).map(lambda v: f"'nonce-{v}'")
hashes = st.builds(
    lambda algorithm, value: f"'{algorithm}-{value}='",
    st.sampled_from(["sha256", "sha384", "sha512"]),
    st.text(BASE64, min_size=4, max_size=44),
)
schemes = st.sampled_from(
    ["http:", "https:", "data:", "blob:", "ws:", "wss:", "filesystem:", "javascript:"]
).flatmap(any_case)


@st.composite
def hosts(draw: st.DrawFn) -> str:
    """A host-source: [scheme "://"] host [":" port] [path]."""
    name, entry_path = draw(st.sampled_from(draw(st.sampled_from(ENTRIES))))
    labels = name.split(".")
    # "*." before a domain or its parent domain; not before an IP address
    # (the Evaluator's URL parser throws on "*.127.0.0.1").
    families = [] if labels[-1].isdigit() else ["*." + name]
    if families and len(labels) > 2:
        families.append("*." + ".".join(labels[1:]))
    host = draw(st.sampled_from([name, "*", *families]))
    scheme = draw(st.sampled_from(["", "https://", "http://", "//", "wss://"]))
    port = draw(st.sampled_from(["", ":*", ":443", ":8080"]))
    prefix = entry_path.rsplit("/", 1)[0] + "/"
    path = draw(st.sampled_from(["", "/", entry_path, prefix, "/js/", "/app.js"]))
    return draw(any_case(scheme + host + port)) + path


sources = st.one_of(
    keywords,
    nonces,
    hashes,
    schemes,
    hosts(),
    hosts(),
    st.sampled_from(["*", "'none'", "'unsafe-inline'", "'strict-dynamic'"]),
)


@st.composite
def policies(draw: st.DrawFn) -> str:
    names = draw(
        st.lists(st.sampled_from(XSS_DIRECTIVES), min_size=0, max_size=4, unique=True)
    )
    parts = []
    for name in names:
        values = draw(st.lists(sources, min_size=0, max_size=5))
        parts.append(" ".join([draw(any_case(name)), *values]))
    return "; ".join(parts)


# -- The Evaluator, one node process for the module ------------------------------

#: One policy (a JSON string) per line in, its findings (a JSON list) per
#: line out; a policy the Evaluator cannot rate gives {"error": ...}.
SERVER = """\
const {CspEvaluator} = require("csp_evaluator/dist/evaluator.js");
const {CspParser} = require("csp_evaluator/dist/parser.js");
const {Severity, Type} = require("csp_evaluator/dist/finding.js");
const lines = require("readline").createInterface({input: process.stdin});
lines.on("line", (line) => {
  let out;
  try {
    out = new CspEvaluator(new CspParser(JSON.parse(line)).csp)
      .evaluate()
      .map((f) => ({
        type: Type[f.type],
        severity: Severity[f.severity],
        directive: f.directive,
        value: f.value === undefined ? null : f.value,
      }));
  } catch (error) {
    out = {error: String(error)};
  }
  process.stdout.write(JSON.stringify(out) + "\\n");
});
"""

Evaluate = Callable[[str], Any]


@pytest.fixture(scope="module")
def evaluate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evaluate]:
    node, directory = install_evaluator(tmp_path_factory)
    script = directory / "server.js"
    script.write_text(SERVER)
    with subprocess.Popen(
        [node, str(script)],
        cwd=directory,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        stdin, stdout = process.stdin, process.stdout

        def run(policy: str) -> Any:
            stdin.write(json.dumps(policy) + "\n")
            stdin.flush()
            line = stdout.readline()
            assert line, f"the Evaluator's node process ended ({process.poll()})"
            return json.loads(line)

        yield run
        stdin.close()
        process.wait(timeout=30)


def _directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for words in filter(None, (part.split() for part in policy.split(";"))):
        directives.setdefault(words[0].lower(), words[1:])
    return directives


def evaluator_mistake(policy: str, finding: dict[str, Any]) -> str | None:
    """Why a rated Evaluator finding is wrong, where it is (None: it is right).

    The one disagreement the property finds: an empty source list
    (``object-src;``, or a ``default-src;`` it falls back to) allows
    nothing, as the CSP3 specification says ("If source list is empty,
    return Does Not Match"); the Evaluator reports object-src as missing.
    """
    if finding["type"] == "MISSING_DIRECTIVES" and finding["directive"] == "object-src":
        directives = _directives(policy)
        name = "object-src" if "object-src" in directives else "default-src"
        if directives.get(name) == []:
            return "an empty source list allows nothing"
    return None


def agrees(finding: dict[str, Any], ours: list[Finding]) -> bool:
    wanted = expected_codes(finding)
    value = finding["value"]
    return any(
        f.code in wanted
        and f.directive == finding["directive"]
        and f.severity in ("error", "warning")
        and (value is None or value in f.message)
        for f in ours
    )


@EVALUATOR_SETTINGS
@given(policy=policies())
def test_what_the_evaluator_rates_high_or_medium_we_report(
    evaluate: Evaluate, policy: str
) -> None:
    theirs = evaluate(policy)
    assert not isinstance(theirs, dict), theirs  # the strategy makes valid URLs
    ours = lint_csp(policy)
    for finding in theirs:
        if finding["severity"] in ("HIGH", "MEDIUM"):
            event(f"rated {finding['type']} ({finding['severity']})")
    missed = [
        finding
        for finding in theirs
        if finding["severity"] in ("HIGH", "MEDIUM")
        and finding["directive"] in XSS_DIRECTIVES
        and evaluator_mistake(policy, finding) is None
        and not agrees(finding, ours)
    ]
    assert missed == [], [(f.code, f.directive, f.severity) for f in ours]


def test_the_known_disagreement_is_the_evaluator_s(evaluate: Evaluate) -> None:
    # The Evaluator calls object-src missing; the specification and we do not.
    policy = "script-src 'none'; object-src"
    (finding,) = [f for f in evaluate(policy) if f["severity"] == "HIGH"]
    assert evaluator_mistake(policy, finding) is not None
    assert lint_csp(policy) == []


# -- The CSP3 matching rules ------------------------------------------------------


def ratings(policy: str) -> set[tuple[str, str | None, str]]:
    """What the policy is rated: (code, directive, severity) above info."""
    return {
        (f.code, f.directive, f.severity)
        for f in lint_csp(policy)
        if f.severity != "info"
    }


@st.composite
def star_hosts(draw: st.DrawFn) -> tuple[str, str]:
    """A host-source whose host is ``*``, and the same without port and path."""
    scheme = draw(st.sampled_from(["", "https://", "http://", "//", "wss://"]))
    port = draw(st.sampled_from(["", ":*", ":443", ":8080"]))
    path = draw(st.sampled_from(["", "/", "/js/", "/app.js", "/ajax/libs/"]))
    assume(port or path)
    return draw(any_case(scheme)) + "*" + port + path, scheme + "*"


@SETTINGS
@given(policy=policies(), star=star_hosts(), where=st.integers(0, 3))
def test_a_port_or_path_does_not_narrow_the_host_star(
    policy: str, star: tuple[str, str], where: int
) -> None:
    # CSP3 host-part matching: "*" matches every host; a port or a path
    # narrows nothing an attacker cannot choose.
    source, bare = star
    parts = policy.split("; ") if policy else ["script-src"]
    part = where % len(parts)
    ratings_of = []
    for added in (source, bare):
        changed = list(parts)
        changed[part] = f"{parts[part]} {added}"
        ratings_of.append(ratings("; ".join(changed)))
    assert ratings_of[0] == ratings_of[1]


@SETTINGS
@given(policy=policies(), where=st.integers(0, 3), at=st.integers(0, 5))
def test_none_beside_other_sources_changes_no_rating(
    policy: str, where: int, at: int
) -> None:
    parts = policy.split("; ")
    assume(policy and len(parts[where % len(parts)].split()) > 1)
    words = parts[where % len(parts)].split()
    words.insert(1 + at % len(words), "'none'")
    parts[where % len(parts)] = " ".join(words)
    assert ratings("; ".join(parts)) == ratings(policy)


# -- The responses the app sends --------------------------------------------------

POLICY = {"default-src": "'self'", "object-src": "'none'"}
#: What a layer says of the CSP: turned off, a policy, or nothing.
LAYER = st.sampled_from([None, False, POLICY, "unset"])
CSP_HEADERS = {"Content-Security-Policy", "Content-Security-Policy-Report-Only"}


@SETTINGS
@given(
    app_policy=LAYER,
    in_config=st.booleans(),
    blueprint_policy=LAYER,
    view_policy=LAYER,
    report_only=st.booleans(),
)
def test_a_page_served_without_a_csp_fails_the_check(
    app_policy: Any,
    in_config: bool,
    blueprint_policy: Any,
    view_policy: Any,
    report_only: bool,
) -> None:
    # Whichever layer turns the CSP off (the app's keywords or config, a
    # blueprint, a view), a page really served without one fails the check.
    app: Flask = make_app()
    pages = Blueprint("pages", __name__)
    pages.add_url_rule("/page", "page", lambda: "page")
    options: dict[str, Any] = {}
    if report_only:
        options |= {
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "/r",
        }
    if app_policy != "unset" and in_config:
        app.config["TALISMAN_CONTENT_SECURITY_POLICY"] = app_policy
    elif app_policy != "unset":
        options["content_security_policy"] = app_policy
    try:
        talisman = Talisman(app, **options)
        if blueprint_policy != "unset":
            talisman(content_security_policy=blueprint_policy)(pages)
        if view_policy != "unset":
            talisman(content_security_policy=view_policy)(app.view_functions["index"])
    except ConfigurationError:  # an invalid combination, refused while configuring
        assume(False)
    app.register_blueprint(pages)
    client = app.test_client()
    bare = []
    for path in ("/", "/other", "/page"):
        response = client.get(path, base_url="https://localhost")
        assume(response.status_code == 200)
        if not CSP_HEADERS & set(response.headers.keys()):
            bare.append(path)
    result = app.test_cli_runner().invoke(talisman_cli, ["check", "--strict"])
    if bare:
        assert result.exit_code == 1
        assert "[csp-missing]" in result.output
    else:
        assert "[csp-missing]" not in result.output
