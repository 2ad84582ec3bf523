"""Every page of the example app in Chromium: what it shows, and no noise.

Each page loads with no console error, CSP violation, violation report or
failed request other than the ones it is there to show, with no response of
4xx or 5xx (the icon included), and its header panel lists the security
headers of the page's own response.

Set ``TALISMAN_EXAMPLE_SHOTS`` to a folder to keep a screenshot of each page.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from example_app import received_reports

from .conftest import Server, violations, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request, Response, Route

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
    "/api/status": Expected(panel=False),
}
# Over HTTPS, the pages whose headers differ most from plain HTTP's (HSTS,
# report-to) or that are about reporting.
HTTPS_PAGES = ["/", "/locked", "/report-only", "/presets/strict", "/presets/api"]


@dataclass
class Visit:
    """What the browser logged while it loaded one page."""

    url: str
    response: Response
    errors: list[str]
    failed: list[str]
    statuses: list[tuple[int, str]]


def visit(page: Page, server: Server, path: str) -> Visit:
    """Load ``path`` under a unique address, noting what goes wrong."""
    errors: list[str] = []
    failed: list[str] = []
    statuses: list[tuple[int, str]] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def request_failed(request: Request) -> None:
        failed.append(request.url)

    def response(response: Response) -> None:
        if response.status >= 400:
            statuses.append((response.status, response.url))

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("requestfailed", request_failed)
    page.on("response", response)
    url = server.url(f"{path}?run={uuid.uuid4().hex}")
    loaded = page.goto(url)
    assert loaded is not None
    return Visit(url, loaded, errors, failed, statuses)


def panel(page: Page, selector: str) -> list[tuple[str, str]]:
    """The (header, value) pairs a header panel shows, once it is filled."""
    page.wait_for_selector(f"{selector}[data-state=filled]", state="attached")
    shown: list[list[str]] = page.eval_on_selector_all(
        f"{selector} .headers dt",
        "terms => terms.map(t => [t.textContent, t.nextElementSibling.textContent])",
    )
    return [(name, value) for name, value in shown]


def expected_panel(page: Page, headers: dict[str, str]) -> list[tuple[str, str]]:
    """What a panel should show for ``headers`` (lower-case names)."""
    names: list[str] = page.evaluate("SECURITY_HEADERS")
    return [
        (name, NONCE_SOURCE.sub(PLACEHOLDER, headers[name.lower()]))
        for name in names
        if name.lower() in headers
    ]


def blocked_path(server: Server, blocked: str) -> str:
    for origin in (server.origin, server.other):
        if blocked.startswith(origin):
            return blocked[len(origin) :]
    return blocked


def check_page(page: Page, server: Server, path: str) -> None:
    expected = PAGES[path]
    seen = visit(page, server, path)
    headers = seen.response.all_headers()

    if expected.panel:
        # The panel shows this page's headers, its CSP first: the values of
        # this very response, but for the nonce, new in the panel's request.
        shown = panel(page, "#headers-panel")
        assert shown == expected_panel(page, headers)
        assert shown[0] == (
            "Content-Security-Policy",
            NONCE_SOURCE.sub(PLACEHOLDER, headers["content-security-policy"]),
        )
        status = page.inner_text("#headers-panel .headers-status")
        assert status.startswith(f"{len(shown)} security headers, read from a new 200")
        nonces = NONCE_SOURCE.findall(headers["content-security-policy"])
        if nonces:
            assert "shown as 'nonce-…'" in status
            script_nonce = page.eval_on_selector(
                "script[src$='/headers.js']", "script => script.nonce"
            )
            assert nonces == [script_nonce]
    else:
        assert page.query_selector("#headers-panel") is None

    # Its own violations and nothing else: none from the icon or the panel.
    def own_violations() -> list[Violation]:
        return sorted(
            (v["directive"], blocked_path(server, v["blocked"]), v["disposition"])
            for v in violations(page)
        )

    wanted = sorted(expected.violations)
    wait_for(lambda: own_violations() == wanted, timeout=5)
    assert own_violations() == wanted
    # Chromium logs each enforced violation, and each refused frame, as an
    # error: no other error (no 404, no uncaught exception).
    enforced = [v for v in expected.violations if v[2] == "enforce"]
    frames = [path for path in expected.refused if "/framing/" in path]
    assert len(seen.errors) == len(enforced) + len(frames), seen.errors
    for error in seen.errors:
        assert "violates the following Content Security Policy directive" in error
    refused = {
        url.replace(server.other, "other:").replace(server.origin, "")
        for url in seen.failed
    }
    assert refused == expected.refused
    assert seen.statuses == []

    # The receiver got reports of those violations only.
    def reports() -> list[tuple[str, str]]:
        return [
            (
                report.body.get("effectiveDirective", ""),
                blocked_path(server, report.body.get("blockedURL", "")),
            )
            for report in received_reports(server.app)
            if report.url == seen.url
        ]

    wait_for(lambda: len(reports()) >= len(expected.violations), timeout=3)
    assert Counter(reports()) <= Counter((v[0], v[1]) for v in expected.violations)

    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        name = path.strip("/").replace("/", "_") or "index"
        page.screenshot(path=folder / f"{server.scheme}-{name}.png", full_page=True)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_over_plain_http(page: Page, server: Server, path: str) -> None:
    check_page(page, server, path)


@pytest.mark.parametrize("path", HTTPS_PAGES)
def test_pages_over_https(page: Page, tls_server: Server, path: str) -> None:
    check_page(page, tls_server, path)
    headers = [name for name, _ in panel(page, "#headers-panel")]
    assert "Strict-Transport-Security" in headers


def test_api_page_shows_the_endpoints_headers(page: Page, server: Server) -> None:
    """/presets/api's second panel: the live headers of /api/status."""
    page.goto(server.url("/presets/api"))
    api = page.request.get(server.url("/api/status"))
    shown = panel(page, "#api-headers")
    assert shown == expected_panel(page, api.headers)
    assert ("Cache-Control", "no-store") in shown
    assert ("X-Frame-Options", "DENY") in shown
    names = {name for name, _ in shown}
    assert not names & {"Referrer-Policy", "Permissions-Policy"}
    assert page.inner_text("#api-headers .headers-status") == (
        f"{len(shown)} security headers, read from a new 200 response to /api/status."
    )


def test_header_values_are_shown_as_text(page: Page, server: Server) -> None:
    """A header value that looks like markup stays text in the panel."""
    markup = '<img src=x onerror="window.__injected = true">'

    def with_markup(route: Route) -> None:
        response = route.fetch()
        headers = {**response.headers, "x-frame-options": markup}
        route.fulfill(response=response, headers=headers)

    page.goto(server.url("/referrer"))
    # Only the panel's own request is rewritten, after the page loaded.
    page.route(server.url("/referrer"), with_markup)
    page.evaluate(
        "() => { const p = document.querySelector('#headers-panel');"
        " p.querySelector('.headers').replaceChildren(); p.dataset.state = '';"
        " return fillPanel(p); }"
    )
    shown = dict(panel(page, "#headers-panel"))
    assert shown["X-Frame-Options"] == markup
    assert page.query_selector("#headers-panel img") is None
    assert page.evaluate("window.__injected === undefined")


def test_the_receiver_answers_reports_without_content_type(server: Server) -> None:
    """Over a real server too: an empty 204, without Content-Type (no ORB error)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
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

NARROW, WIDE = 420, 1280


@pytest.mark.parametrize("path", list(PAGES))
def test_no_page_scrolls_sideways_on_a_narrow_screen(
    page: Page, server: Server, path: str
) -> None:
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.goto(server.url(path))
    if PAGES[path].panel:
        panel(page, "#headers-panel")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW


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
    page: Page, server: Server, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server.url(path))
    panel(page, "#headers-panel")
    if path == "/presets/api":
        panel(page, "#api-headers")
    assert page.evaluate(LINE_BREAK_PROBLEMS, ".headers dd") == []
    # A policy shows one directive a line.
    policy = page.query_selector(".headers dd")
    assert policy is not None
    directives = policy.query_selector_all(".directive")
    assert len(directives) == policy.inner_text().count(";") + 1


# -- what each page shows -----------------------------------------------------------


def test_nonce_page_names_each_blocked_element(page: Page, server: Server) -> None:
    page.goto(server.url("/nonce"))
    page.click("#javascript-link")
    items = page.locator("#violations li")
    items.nth(2).wait_for()
    shown = items.all_inner_texts()
    assert len(shown) == len(set(shown)) == 3
    assert (
        'blocked by script-src-elem: the inline <script id="unnonced-script">, line '
        in shown[0]
    )
    assert shown[1] == (
        "blocked by script-src-attr: an event handler attribute of "
        '<img id="handler-image">'
    )
    assert shown[2] == (
        "blocked by script-src-elem: inline code of the page itself, "
        "such as a javascript: URL"
    )


def test_api_status_opened_in_a_browser_is_json(page: Page, server: Server) -> None:
    response = page.goto(server.url("/api/status"))
    assert response is not None
    assert response.headers["content-type"] == "application/json"
    assert response.headers["link"] == (
        '</presets/api>; rel="describedby"; type="text/html"'
    )
    page.goto(server.url("/presets/api"))
    panel(page, "#api-headers")
    assert json.loads(page.inner_text("#api-body")) == {
        "about": "/presets/api",
        "preset": "api",
        "status": "ok",
    }
    with page.expect_popup() as opened:
        page.click("#api-status")
    opened.value.wait_for_load_state()
    assert opened.value.url == server.url("/api/status")
    assert page.url == server.url("/presets/api")  # still there, to go back to


def handle_state(page: Page, button: str, *states: str) -> str:
    """The popups page's verdict on the popup ``button`` opened."""
    result = page.locator(f"#{button} ~ .handle")
    page.wait_for_function(
        "([result, states]) => states.includes("
        "document.querySelector(result).dataset.state)",
        arg=[f"#{button} ~ .handle", list(states)],
    )
    return result.inner_text()


def test_popups_the_coop_page_is_cut_off(page: Page, server: Server) -> None:
    page.goto(server.url("/popups"))
    for button in ("open-cross-coop", "open-coop"):
        with page.expect_popup() as opened:
            page.click(f"#{button}")
        popup = opened.value
        popup.wait_for_load_state()
        assert popup.inner_text("#opener-state").startswith("null")
        assert handle_state(page, button, "cut", "closed").startswith("cut:")
        popup.close()
    with page.expect_popup() as opened:
        page.click("#open-cross-no-coop")
    opened.value.wait_for_load_state()
    assert handle_state(page, "open-cross-no-coop", "live").startswith(
        "this page holds a live handle"
    )


def test_popups_a_popup_closed_quickly_is_closed_not_cut(
    page: Page, server: Server
) -> None:
    page.goto(server.url("/popups"))
    # A page without COOP, closed as soon as it has loaded.
    with page.expect_popup() as opened:
        page.click("#open-no-coop")
    popup = opened.value
    popup.wait_for_load_state()
    popup.close()
    assert handle_state(page, "open-no-coop", "cut", "closed").startswith("closed:")

    # The COOP page, closed before its response arrives: nothing was cut.
    def hold(route: Route) -> None:
        pass  # never answered

    page.context.route("**/coop?popup=*", hold)
    # Playwright sees a popup only once it has loaded: keep the handle.
    page.evaluate(
        "() => { const open = window.open; window.open = (...args) =>"
        " (window.lastPopup = open(...args)); }"
    )
    page.click("#open-coop")
    page.evaluate("window.lastPopup.close()")
    verdict = handle_state(page, "open-coop", "cut", "closed")
    assert verdict == "closed before its page loaded."
