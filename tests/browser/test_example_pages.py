"""Every page of the example app in each engine: what it shows, and no noise.

Each page loads with no error, CSP violation, violation report or refused
load other than the ones it is there to show, with no response of 4xx or
5xx (the icon included), and its header panel lists the security headers
of the page's own response.

The same cases and assertions run in Chromium, Firefox and WebKit (the
``engine`` fixture). What happened is read where every engine shows it:
each page the app sends notes, from its first script on, its violations,
uncaught errors, the elements whose load was refused, and the frames shown
in it (conftest's ``serve_collector``); the server keeps each request and
response (``serve_site``). The app is served once for the module.

The popups page's COOP cases (which popup keeps its opener, which handle
is cut) are test_other_headers.py's ``test_coop_severs_the_opener``.

Set ``TALISMAN_EXAMPLE_SHOTS`` to a folder to keep a screenshot of each page
in each engine.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from example_app import create_app, received_reports

from .conftest import (
    Certificate,
    Site,
    noted,
    serve_collector,
    serve_site,
    settle,
    tls_context,
    violations,
    wait_for,
)
from .engines import Engine

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("TALISMAN_EXAMPLE_SHOTS")
NONCE_SOURCE = re.compile(r"'nonce-([^']+)'")
PLACEHOLDER = "'nonce-…'"
BADGE = "/static/img/badge.svg"

#: What a page is there to show: its violations as (directive, what was
#: blocked: a path of this server, "inline" or "trusted-types-sink",
#: disposition), the requests its policies refuse (frames of the other
#: origin are marked "other:"), and whether it has the header panel.
Violation = tuple[str, str, str]


@dataclass(frozen=True)
class Expected:
    violations: tuple[Violation, ...] = ()
    refused: frozenset[str] = field(default_factory=frozenset)
    panel: bool = True
    #: False for a page that is not HTML: no script of the test's runs in it
    #: to note what happens, so only the receiver and the server tell.
    html: bool = True


SCRIPT_INLINE = ("script-src-elem", "inline", "enforce")
TRUSTED_TYPES = ("require-trusted-types-for", "trusted-types-sink", "report")
PAGES: dict[str, Expected] = {
    "/": Expected(),
    "/nonce": Expected((SCRIPT_INLINE, ("script-src-attr", "inline", "enforce"))),
    "/locked": Expected(
        (
            ("script-src-elem", "/static/js/external.js", "enforce"),
            ("img-src", BADGE, "enforce"),
        ),
        frozenset({"/static/js/external.js", BADGE}),
    ),
    "/extend": Expected(),
    "/referrer": Expected(),
    "/report-only": Expected((("img-src", BADGE, "report"),)),
    "/report-only/report-uri": Expected((("img-src", BADGE, "report"),)),
    "/reports": Expected(),
    "/popups": Expected(),
    "/coop": Expected(),
    "/no-coop": Expected(),
    "/account": Expected(),
    # The refused frames are the frames' violations, not this page's: the
    # browser shows its error page in them and logs the refusal here.
    "/framing/": Expected(
        refused=frozenset(
            {"/framing/deny", "other:/framing/same-origin", "other:/framing/deny"}
        )
    ),
    "/framing/same-origin": Expected(panel=False),
    "/framing/deny": Expected(panel=False),
    "/framing/anywhere": Expected(panel=False),
    "/admin/": Expected(),
    "/presets/balanced": Expected((SCRIPT_INLINE,)),
    "/presets/strict": Expected(
        (
            ("script-src-elem", "/static/js/strict-written.js", "enforce"),
            TRUSTED_TYPES,
            TRUSTED_TYPES,
            TRUSTED_TYPES,
        ),
        frozenset({"/static/js/strict-written.js"}),
    ),
    "/presets/api": Expected(),
    "/api/status": Expected(panel=False, html=False),
}
#: What an engine adds to a page's own, as measured. Firefox and WebKit ask
#: for /favicon.ico on a page without an icon link under the page's
#: ``img-src``, and report its refusal as the page's violation; Chromium asks
#: for the icon outside the page's policy. /locked allows no image and
#: (base.html) leaves out its icon link.
ENGINE_VIOLATIONS: dict[str, dict[str, tuple[Violation, ...]]] = {
    "/locked": dict.fromkeys(
        ("firefox", "webkit"), (("img-src", "/favicon.ico", "enforce"),)
    ),
}
#: Engines that fire no ``error`` event at a script element the policy
#: blocks when document.write inserted it (WebKit, measured on
#: /presets/strict: the violation is reported, the element says nothing), so
#: the page cannot note that load as refused.
SILENT_WRITTEN_SCRIPT = {"webkit": "/static/js/strict-written.js"}

# Over HTTPS, the pages whose headers differ most from plain HTTP's (HSTS,
# report-to) or that are about reporting.
HTTPS_PAGES = ["/", "/locked", "/report-only", "/presets/strict", "/presets/api"]


class Hold:
    """Holds the answer to a COOP popup's page while ``holding`` is set."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.held = threading.Event()
        self.released = threading.Event()

    def __call__(self) -> None:
        if (
            self.holding.is_set()
            and request.path == "/coop"
            and "popup" in request.args
        ):
            self.held.set()
            self.released.wait(15)


@dataclass
class Example:
    site: Site
    hold: Hold = field(default_factory=Hold)


#: The X-Frame-Options value ``/referrer`` is answered with while set.
X_FRAME_OPTIONS = "TEST_X_FRAME_OPTIONS"


def rewritten(app: Flask) -> None:
    """Answer ``/referrer`` with the X-Frame-Options in the app's config, if any.

    WSGI middleware: it sees the headers after every hook of the app.
    """
    inner = app.wsgi_app

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        value = app.config.get(X_FRAME_OPTIONS)
        if value is None or environ.get("PATH_INFO") != "/referrer":
            return inner(environ, start_response)

        def replacing(status: str, headers: Any, exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "x-frame-options"]
            return start_response(status, [*kept, ("X-Frame-Options", value)], exc_info)

        return inner(environ, replacing)

    app.wsgi_app = wsgi  # type: ignore[method-assign]


def _example(ssl_context: object = None) -> Iterator[Example]:
    app = create_app()
    hold = Hold()
    app.before_request(hold)
    serve_collector(app, inject=True)
    rewritten(app)
    with serve_site(app, ssl_context) as site:  # type: ignore[arg-type]
        yield Example(site, hold)
    hold.released.set()


@pytest.fixture(scope="module")
def example() -> Iterator[Example]:
    """The example app over plain HTTP, as ``flask run`` serves it."""
    yield from _example()


@pytest.fixture(scope="module")
def tls_example(certificate: Certificate | None) -> Iterator[Example]:
    """The same app over HTTPS, with the tests' throw-away certificate."""
    yield from _example(tls_context(certificate))


#: The narrowest viewport each engine's window allows, where it is wider
#: than NARROW: MiniBrowser's window (WebKitGTK 2.50) will not be narrower
#: than its toolbar, 447 CSS pixels (measured: WebDriver's set_window_size
#: with 300, 420 or 447 all give a 447-pixel window and viewport).
NARROWEST = {"webkit": 447}
NARROW, WIDE = 420, 1280
DESKTOP = (WIDE, 720)
#: The viewport each engine was last given.
_SIZES: weakref.WeakKeyDictionary[Engine, tuple[int, int]] = weakref.WeakKeyDictionary()


def size(engine: Engine, width: int, height: int) -> int:
    """Make the viewport ``width`` wide (or the engine's narrowest); its width."""
    if _SIZES.get(engine) != (width, height):
        engine.resize(width, height)
        _SIZES[engine] = (width, height)
    wanted = max(width, NARROWEST.get(engine.name, 0))
    shown: int = engine.evaluate("innerWidth")
    assert shown == wanted
    return shown


@pytest.fixture(autouse=True)
def viewport(request: pytest.FixtureRequest) -> None:
    """Each browser test's viewport: its ``width`` parameter's, else a desktop's.

    Set here, before the test, so that a run of tests at one width resizes
    the window once (each driver's own default differs). A test without a
    browser gets none.
    """
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    callspec = getattr(request.node, "callspec", None)
    width = callspec.params.get("width") if callspec else None
    if width is None:
        size(engine, *DESKTOP)
    else:
        size(engine, width, 900)


@dataclass
class Visit:
    """One page loaded under a unique address, and what the server sent."""

    url: str
    #: The headers of the page's response, names in lower case.
    headers: dict[str, str]
    #: How many exchanges the server had kept before the visit.
    start: int


def visit(engine: Engine, site: Site, path: str) -> Visit:
    target = f"{path}?run={uuid.uuid4().hex}"
    start = len(site.exchanges.seen)
    url = site.url(target)
    try:
        engine.goto(url)
    except RuntimeError as error:
        # Firefox's remote agent (153 ESR) now and then fails the navigation
        # of a page that frames a page it refuses ("Address rejected", from
        # the refused frame's error page; about one run in four of
        # /framing/), while the page itself loads: wait for that instead.
        if engine.name != "firefox" or "Address rejected" not in str(error):
            raise
        settle(
            engine,
            f"location.href === {json.dumps(url)} && document.readyState === 'complete'",
        )
    loaded = site.exchanges.to(target)[0]
    assert loaded.status == 200
    return Visit(url, loaded.answered, start)


def panel(engine: Engine, selector: str) -> list[tuple[str, str]]:
    """The (header, value) pairs a header panel shows, once it is filled."""
    # A node is no JSON value (puppeteer's evaluate answers null for one).
    filled = json.dumps(selector + "[data-state=filled]")
    settle(engine, f"document.querySelector({filled}) !== null")
    shown: list[list[str]] = engine.evaluate(
        f"Array.from(document.querySelectorAll({json.dumps(selector + ' .headers dt')}),"
        " (t) => [t.textContent, t.nextElementSibling.textContent])"
    )
    return [(name, value) for name, value in shown]


def text(engine: Engine, selector: str) -> str:
    found: str = engine.evaluate(
        f"document.querySelector({json.dumps(selector)}).innerText"
    )
    return found


def expected_panel(engine: Engine, headers: dict[str, str]) -> list[tuple[str, str]]:
    """What a panel should show for ``headers`` (lower-case names)."""
    names: list[str] = engine.evaluate("SECURITY_HEADERS")
    return [
        (name, NONCE_SOURCE.sub(PLACEHOLDER, headers[name.lower()]))
        for name in names
        if name.lower() in headers
    ]


def blocked_path(site: Site, blocked: str) -> str:
    for origin in (site.origin, site.other):
        if blocked.startswith(origin):
            return blocked[len(origin) :]
    return blocked


def refused(engine: Engine, site: Site, expected: Expected) -> set[str]:
    """What the page was refused: elements whose load failed, frames not shown.

    Paths of this server; "other:" marks the other origin.
    """

    def short(url: str) -> str:
        return url.replace(site.other, "other:").replace(site.origin, "")

    frames: list[str] = engine.evaluate(
        "Array.from(document.querySelectorAll('iframe'), (f) => f.src)"
    )
    # The frames that are shown say so once loaded (before the page's load
    # event); their messages arrive in a task each.
    allowed = len(frames) - len([p for p in expected.refused if "/framing/" in p])
    wait_for(lambda: len(engine.evaluate("window.__shownFrames")) >= allowed)
    shown = set(engine.evaluate("window.__shownFrames"))
    failed = [
        error.removeprefix("failed to load ")
        for error in noted(engine)["errors"]
        if error.startswith("failed to load ")
    ]
    return {short(url) for url in failed} | {
        short(url) for url in frames if url not in shown
    }


#: Engines that now and then tell a report-only image violation twice (two
#: events, two reports), as WebKit did for /report-only/report-uri's image
#: once in two runs of this module (the image revalidated with a 304); the
#: repeat is counted once for them.
REPEATS_REPORT_ONLY_IMAGES = {"webkit"}


def once_each_repeat(engine: Engine, seen: list[Violation]) -> list[Violation]:
    """``seen`` (sorted), a report-only image's repeat dropped where allowed."""
    if engine.name not in REPEATS_REPORT_ONLY_IMAGES:
        return seen
    kept: list[Violation] = []
    for violation in seen:
        repeat = kept and kept[-1] == violation
        if not (repeat and violation[0] == "img-src" and violation[2] == "report"):
            kept.append(violation)
    return kept


def settled_reports(reports: Callable[[], list[Any]], timeout: float = 3.0) -> None:
    """Wait until ``reports()`` has not grown for half a second (at most ``timeout``)."""
    deadline = time.monotonic() + timeout
    count, since = len(reports()), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < 0.5:
        time.sleep(0.1)
        if len(reports()) != count:
            count, since = len(reports()), time.monotonic()


def check_page(engine: Engine, site: Site, path: str) -> None:
    expected = PAGES[path]
    extra = ENGINE_VIOLATIONS.get(path, {}).get(engine.name, ())
    wanted_refused = expected.refused - {SILENT_WRITTEN_SCRIPT.get(engine.name)}
    seen = visit(engine, site, path)
    headers = seen.headers

    if expected.panel:
        # The panel shows this page's headers, its CSP first: the values of
        # this very response, but for the nonce, new in the panel's request.
        shown = panel(engine, "#headers-panel")
        assert shown == expected_panel(engine, headers)
        assert shown[0] == (
            "Content-Security-Policy",
            NONCE_SOURCE.sub(PLACEHOLDER, headers["content-security-policy"]),
        )
        status = text(engine, "#headers-panel .headers-status")
        assert status.startswith(f"{len(shown)} security headers, read from a new 200")
        nonces = NONCE_SOURCE.findall(headers["content-security-policy"])
        if nonces:
            assert "shown as 'nonce-…'" in status
            script_nonce = engine.evaluate(
                "document.querySelector(\"script[src$='/headers.js']\").nonce"
            )
            assert nonces == [script_nonce]
    else:
        assert engine.evaluate("document.querySelector('#headers-panel') === null")

    # Its own violations and nothing else: none from the icon or the panel.
    def own_violations() -> list[Violation]:
        return once_each_repeat(
            engine,
            sorted(
                (v["directive"], blocked_path(site, v["blocked"]), v["disposition"])
                for v in violations(engine)
            ),
        )

    if expected.html:
        wanted = sorted(expected.violations + extra)
        wait_for(lambda: own_violations() == wanted, timeout=5)
        assert own_violations() == wanted
        # No uncaught exception, no error logged by a script; the loads
        # refused are the ones the page is there to show.
        errors = noted(engine)["errors"]
        assert [e for e in errors if not e.startswith("failed to load ")] == []
        assert refused(engine, site, expected) == wanted_refused
    else:
        assert violations(engine) is None  # nothing of the test's ran there
    # No 4xx or 5xx, the icon's included.
    failures = [
        (e.target, e.status)
        for e in site.exchanges.seen[seen.start :]
        if e.status >= 400
    ]
    assert failures == []

    # The receiver got reports of those violations only.
    def reports() -> list[tuple[str, str]]:
        found = sorted(
            (
                report.body.get("effectiveDirective", ""),
                blocked_path(site, report.body.get("blockedURL", "")),
                report.body.get("disposition", ""),
            )
            for report in received_reports(site.app)
            if report.url == seen.url
        )
        return [(d, b) for d, b, _ in once_each_repeat(engine, found)]

    # Until they stop coming: not every violation is reported in every
    # engine and scheme (report-to needs HTTPS), so no count is awaited.
    settled_reports(reports)
    every = expected.violations + extra
    assert Counter(reports()) <= Counter((v[0], v[1]) for v in every)

    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        name = path.strip("/").replace("/", "_") or "index"
        engine.screenshot(folder / f"{engine.name}-{site.scheme}-{name}.png")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_over_plain_http(
    engine: Engine, example: Example, path: str
) -> None:
    check_page(engine, example.site, path)


@pytest.mark.parametrize("path", HTTPS_PAGES)
def test_pages_over_https(engine: Engine, tls_example: Example, path: str) -> None:
    check_page(engine, tls_example.site, path)
    headers = [name for name, _ in panel(engine, "#headers-panel")]
    assert "Strict-Transport-Security" in headers


def test_api_page_shows_the_endpoints_headers(engine: Engine, example: Example) -> None:
    """/presets/api's second panel: the live headers of /api/status."""
    site = example.site
    engine.goto(site.url("/presets/api"))
    shown = panel(engine, "#api-headers")
    # The panel's own request, as the server answered it.
    api = site.exchanges.to("/api/status")[-1]
    assert api.status == 200
    assert shown == expected_panel(engine, api.answered)
    assert ("Cache-Control", "no-store") in shown
    assert ("X-Frame-Options", "DENY") in shown
    names = {name for name, _ in shown}
    assert not names & {"Referrer-Policy", "Permissions-Policy"}
    assert text(engine, "#api-headers .headers-status") == (
        f"{len(shown)} security headers, read from a new 200 response to /api/status."
    )


def test_header_values_are_shown_as_text(engine: Engine, example: Example) -> None:
    """A header value that looks like markup stays text in the panel."""
    site = example.site
    markup = '<img src=x onerror="window.__injected = true">'
    engine.goto(site.url("/referrer"))
    panel(engine, "#headers-panel")
    # Only the panel's own request gets the markup, after the page loaded.
    app = site.app
    app.config[X_FRAME_OPTIONS] = markup
    try:
        engine.evaluate(
            "(() => { const p = document.querySelector('#headers-panel');"
            " p.querySelector('.headers').replaceChildren(); p.dataset.state = '';"
            " fillPanel(p); return null; })()"
        )
        shown = dict(panel(engine, "#headers-panel"))
    finally:
        app.config.pop(X_FRAME_OPTIONS)
    assert site.exchanges.to("/referrer")[-1].answered["x-frame-options"] == markup
    assert shown["X-Frame-Options"] == markup
    assert engine.evaluate("document.querySelector('#headers-panel img') === null")
    assert engine.evaluate("window.__injected === undefined")


def test_the_receiver_answers_reports_without_content_type(example: Example) -> None:
    """Over a real server too: an empty 204, without Content-Type (no ORB error)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", example.site.port, timeout=5)
    try:
        connection.request(
            "POST",
            "/talisman/reports",
            body=b'{"csp-report": {"document-uri": "http://127.0.0.1/x"}}',
            headers={"Content-Type": "application/csp-report"},
        )
        response = connection.getresponse()
        assert response.status == 204
        assert response.getheader("Content-Type") is None
        assert response.read() == b""
    finally:
        connection.close()


# -- layout at a phone's width and at a desktop's ----------------------------------


@pytest.mark.parametrize("width", [NARROW])
@pytest.mark.parametrize("path", list(PAGES))
def test_no_page_scrolls_sideways_on_a_narrow_screen(
    engine: Engine, example: Example, path: str, width: int
) -> None:
    narrow = size(engine, width, 900)
    engine.goto(example.site.url(path))
    if PAGES[path].panel:
        panel(engine, "#headers-panel")
    width = engine.evaluate("document.documentElement.scrollWidth")
    assert width <= narrow


# Where each line of a header value's <dd> breaks, and what is wrong with it:
# a break inside a word ("report|s", "report-|uri"), inside a quoted string
# that would fit on a line of its own, or a line of nothing but punctuation
# (the lone '"'). A word may break after "/", "=", ",", ";" when it is longer
# than the line.
LINE_BREAK_PROBLEMS = """
(selector) => {
  const problems = [];
  for (const dd of document.querySelectorAll(selector)) {
    const style = getComputedStyle(dd);
    const room = dd.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    const text = dd.textContent;
    const chars = [];
    const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        chars.push({ ch: node.data[i], rect: rect && rect.width > 0 ? rect : null });
      }
    }
    const lines = [];
    let quote = -1;  // where the open quoted string starts
    let previous = null;
    chars.forEach(({ ch, rect }, index) => {
      if (rect && /\\S/.test(ch)) {
        if (previous === null || rect.top > previous.rect.top + 2) {
          lines.push("");
          if (previous !== null && previous.index === index - 1) {
            if (!"/=,;".includes(previous.ch)) {
              problems.push(`${dd.previousElementSibling.textContent}: ` +
                `"${text.slice(index - 8, index)}|${text.slice(index, index + 8)}"`);
            }
            if (quote >= 0) {
              const end = text.indexOf('"', quote + 1);
              const width = (end - quote + 1) * rect.width;
              if (width <= room) {
                problems.push(`${dd.previousElementSibling.textContent}: ` +
                  `breaks in ${text.slice(quote, end + 1)}`);
              }
            }
          }
        }
        lines[lines.length - 1] += ch;
        previous = { ch, rect, index };
      }
      if (ch === '"') {
        quote = quote >= 0 ? -1 : index;
      }
    });
    for (const line of lines) {
      if (!/[A-Za-z0-9]/.test(line)) {
        problems.push(`${dd.previousElementSibling.textContent}: a line "${line}"`);
      }
    }
  }
  return problems;
}
"""
# The pages whose panels have the longest values: policies with many
# directives, a long Permissions-Policy, Reporting-Endpoints everywhere.
LONG_VALUES = ["/", "/framing/", "/report-only", "/presets/strict", "/presets/api"]


@pytest.mark.parametrize("width", [NARROW, WIDE])
@pytest.mark.parametrize("path", LONG_VALUES)
def test_header_values_wrap_between_words(
    engine: Engine, example: Example, path: str, width: int
) -> None:
    size(engine, width, 900)
    engine.goto(example.site.url(path))
    panel(engine, "#headers-panel")
    if path == "/presets/api":
        panel(engine, "#api-headers")
    assert engine.evaluate(f"({LINE_BREAK_PROBLEMS})('.headers dd')") == []
    # A policy shows one directive a line.
    directives, semicolons = engine.evaluate(
        "(() => { const policy = document.querySelector('.headers dd');"
        " return [policy.querySelectorAll('.directive').length,"
        " policy.innerText.split(';').length - 1]; })()"
    )
    assert directives == semicolons + 1


# -- what each page shows -----------------------------------------------------------


#: Engines whose violation event for an event handler attribute has a line.
HANDLER_LINE = {"webkit"}


def test_nonce_page_names_each_blocked_element(
    engine: Engine, example: Example
) -> None:
    engine.goto(example.site.url("/nonce"))
    engine.click("#javascript-link")
    settle(engine, "document.querySelectorAll('#violations li').length >= 3")
    shown: list[str] = engine.evaluate(
        "Array.from(document.querySelectorAll('#violations li'), (li) => li.innerText)"
    )
    assert len(shown) == len(set(shown)) == 3
    assert (
        'blocked by script-src-elem: the inline <script id="unnonced-script">, line '
        in shown[0]
    )
    # WebKit gives the attribute's line (the event's lineNumber), and the
    # page shows it; Chromium and Firefox give none for an attribute.
    line = r", line \d+" if engine.name in HANDLER_LINE else ""
    handler = (
        "blocked by script-src-attr: an event handler attribute of "
        '<img id="handler-image">'
    )
    assert re.fullmatch(re.escape(handler) + line, shown[1]), shown[1]
    assert shown[2] == (
        "blocked by script-src-elem: inline code of the page itself, "
        "such as a javascript: URL"
    )


def test_api_status_opened_in_a_browser_is_json(
    engine: Engine, example: Example
) -> None:
    site = example.site
    target = f"/api/status?run={uuid.uuid4().hex}"
    engine.goto(site.url(target))
    (loaded,) = site.exchanges.to(target)
    assert loaded.answered["content-type"] == "application/json"
    assert loaded.answered["link"] == (
        '</presets/api>; rel="describedby"; type="text/html"'
    )
    engine.goto(site.url("/presets/api"))
    panel(engine, "#api-headers")
    assert json.loads(text(engine, "#api-body")) == {
        "about": "/presets/api",
        "preset": "api",
        "status": "ok",
    }
    before = len(site.exchanges.seen)
    engine.click("#api-status")

    def opened() -> list[str]:
        return [
            e.target
            for e in site.exchanges.seen[before:]
            if e.target == "/api/status" and e.sent.get("sec-fetch-dest") == "document"
        ]

    # Loaded as a page, in a new window: this one is still there, to go back to.
    assert wait_for(opened) == ["/api/status"]
    assert engine.evaluate("location.href") == site.url("/presets/api")


KEEP_HANDLE = (
    "(() => { const open = window.open;"
    " window.open = (...args) => (window.lastPopup = open(...args)); return null; })()"
)


def handle_state(engine: Engine, button: str, *states: str) -> str:
    """The popups page's verdict on the popup ``button`` opened."""
    result = json.dumps(f"#{button} ~ .handle")
    settle(
        engine,
        f"{json.dumps(list(states))}.includes(document.querySelector({result}).dataset.state)",
    )
    return text(engine, f"#{button} ~ .handle")


def test_popups_a_popup_closed_quickly_is_closed_not_cut(
    engine: Engine, example: Example
) -> None:
    site, hold = example.site, example.hold
    engine.goto(site.url("/popups"))
    engine.evaluate(KEEP_HANDLE)
    # A page without COOP, closed as soon as it has loaded.
    engine.click("#open-no-coop")
    settle(
        engine,
        "window.lastPopup && window.lastPopup.location.pathname === '/no-coop'"
        " && window.lastPopup.document.readyState === 'complete'",
    )
    engine.evaluate("(window.lastPopup.close(), null)")
    assert handle_state(engine, "open-no-coop", "cut", "closed").startswith("closed:")

    # The COOP page, closed before its response arrives: nothing was cut.
    hold.held.clear()
    hold.released.clear()
    hold.holding.set()
    try:
        engine.click("#open-coop")
        assert wait_for(hold.held.is_set)
        engine.evaluate("(window.lastPopup.close(), null)")
        verdict = handle_state(engine, "open-coop", "cut", "closed")
    finally:
        hold.holding.clear()
        hold.released.set()
    assert verdict == "closed before its page loaded."
