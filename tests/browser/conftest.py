"""Real browsers for the tests here: Chromium, Firefox and WebKit.

The ``engine`` fixture gives each engine in turn (tests/browser/engines.py
says how each is driven), started once per module; each module serves its
own apps once (``_serve``, ``serve_site``, ``serve_example``), on 127.0.0.1
with an ephemeral port, and reads what happened from the server's side
(``Exchanges``, ``Recorder``) and from what the page notes about itself
(``serve_collector``). The same server reached as ``localhost`` is another
origin, which the cross-origin cases use.

Chromium's Playwright fixtures are package-scoped rather than
session-scoped: Playwright's sync API keeps an asyncio loop running in the
main thread while it is started, which breaks tests that run later in the
session and call asgiref's async_to_sync (async views), so it is stopped
when this directory is done.

An engine that is not installed skips its cases with the reason, unless
``TALISMAN_BROWSER_TESTS=required`` is set: then they fail.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from example_app import create_app

from ..conftest import unavailable
from .engines import ENGINES, Chromium, Engine, Firefox, WebKit, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Deliver Reporting API reports after 100 ms instead of about a minute.
    "--short-reporting-delay",
]

# Runs in every page, frame and popup before the page's own scripts: keeps
# each securitypolicyviolation event the document sees.
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    disposition: event.disposition,
    sample: event.sample,
  });
}, true);
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: runs the example app in a real browser (Chromium via Playwright)",
    )


def _unavailable(what: str) -> NoReturn:
    """Skip, or fail when browser tests are required."""
    unavailable("TALISMAN_BROWSER_TESTS", "browser tests", what)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM}"
    return None


@pytest.fixture(scope="package", autouse=True)
def _browser_available() -> None:
    problem = _missing()
    if problem is not None:
        _unavailable(problem)


# -- the server -------------------------------------------------------------------


class Recorder:
    """WSGI middleware that notes each request's method, path and type.

    It also reads each response whole and closes it before the server sends
    it: when a browser drops a connection (a favicon request cut short by
    the next navigation), werkzeug's development server can skip close(),
    and the static file left open would surface as a ResourceWarning (an
    error here) in whichever test runs next.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.requests: list[tuple[str, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.requests.append(
            (
                environ["REQUEST_METHOD"],
                environ.get("PATH_INFO", ""),
                environ.get("CONTENT_TYPE", ""),
            )
        )
        response = self.app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()


@dataclass
class Server:
    """The app served on 127.0.0.1; ``other`` is the same server as localhost."""

    app: Flask
    recorder: Recorder
    scheme: str
    port: int
    origin: str = field(init=False)
    other: str = field(init=False)

    def __post_init__(self) -> None:
        self.origin = f"{self.scheme}://127.0.0.1:{self.port}"
        self.other = f"{self.scheme}://localhost:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path


@contextlib.contextmanager
def _serve(
    app: Flask, ssl_context: ssl.SSLContext | None = None
) -> Iterator[tuple[BaseWSGIServer, Recorder]]:
    recorder = Recorder(app)
    server = make_server(
        "127.0.0.1", 0, recorder, threaded=True, ssl_context=ssl_context
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    #: base64 SHA-256 of the public key, for --ignore-certificate-errors-spki-list
    spki: str


@pytest.fixture(scope="package")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate | None:
    """A throwaway self-signed certificate for 127.0.0.1, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    make_certificate = [
        *(openssl, "req", "-x509", "-newkey", "ec"),
        *("-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
        *("-keyout", str(key), "-out", str(cert), "-days", "2"),
        *("-subj", "/CN=127.0.0.1"),
        *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
    ]
    public_key = [openssl, "pkey", "-in", str(key), "-pubout", "-outform", "DER"]
    try:
        subprocess.run(make_certificate, check=True, capture_output=True)
        der = subprocess.run(public_key, check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spki = base64.b64encode(hashlib.sha256(der).digest()).decode()
    return Certificate(cert, key, spki)


def tls_context(certificate: Certificate | None) -> ssl.SSLContext:
    """A server's TLS context with the test certificate (fails or skips without)."""
    if certificate is None:
        _unavailable("openssl, to make a certificate for the HTTPS server")
    assert certificate is not None
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate.cert, certificate.key)
    return tls


# -- the browser ------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(
    playwright: Playwright, certificate: Certificate | None
) -> Iterator[Browser]:
    args = list(LAUNCH_ARGS)
    if certificate is not None:
        # Trust the test certificate's key, and nothing else that is invalid.
        args.append(f"--ignore-certificate-errors-spki-list={certificate.spki}")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=args
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each engine in turn (tests/browser/engines.py), started once a module."""
    require(request.param)
    made: Engine
    if request.param == "chromium":
        made = Chromium(request.getfixturevalue("browser"))
    elif request.param == "firefox":
        made = Firefox()
    else:
        made = WebKit()
    yield made
    made.close()


def violations(engine: Any) -> list[dict[str, str]]:
    """The securitypolicyviolation events the page in ``engine`` noted so far."""
    events: list[dict[str, str]] = engine.evaluate("window.__violations")
    return events


def wait_for(
    condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1
) -> Any:
    """Poll ``condition`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def require_flask_caching() -> None:
    """Fail (or skip, outside CI) the browser tests that need Flask-Caching."""
    try:
        import flask_caching  # noqa: F401
    except ImportError as error:
        _unavailable(
            f"flask_caching cannot be imported ({error}); the test extra has it"
        )


# -- engine-neutral instruments (the same in Chromium, Firefox and WebKit) ---------

#: Where ``serve_collector`` serves COLLECT_EVERYTHING.
COLLECTOR_PATH = "/__collect.js"
#: The tag that loads it: parser-blocking, so it runs before any later script
#: of the page. A policy with ``'self'`` in ``script-src`` and no
#: ``'strict-dynamic'`` allows it whatever the page's nonce.
COLLECTOR_TAG = f'<script src="{COLLECTOR_PATH}"></script>'
#: What a page notes about itself, for ``noted()`` to read: its
#: securitypolicyviolation events (as COLLECT_VIOLATIONS), uncaught
#: exceptions and rejections, resources that failed to load, console.error
#: calls, and the messages of the dialogs it opened (each dismissed: confirm
#: answers false). A popup hands its notes to its opener when it goes; a page
#: shown in a frame tells its parent (``window.__shownFrames``).
COLLECT_EVERYTHING = (
    "if (!window.__collecting) {\nwindow.__collecting = true;\n"
    + COLLECT_VIOLATIONS
    + """
window.__errors = [];
window.__dialogs = [];
addEventListener("error", (event) => {
  const target = event.target;
  if (target && target !== window && (target.src || target.href)) {
    window.__errors.push("failed to load " + (target.src || target.href));
  } else {
    window.__errors.push("uncaught: " + event.message);
  }
}, true);
addEventListener("unhandledrejection", (event) => {
  window.__errors.push("unhandled rejection: " + String(event.reason));
});
const consoleError = console.error.bind(console);
console.error = (...args) => {
  window.__errors.push("console.error: " + args.map(String).join(" "));
  consoleError(...args);
};
// A page shown in a frame says so to its parent, which notes the address
// (a refused frame runs nothing, so says nothing).
window.__shownFrames = [];
addEventListener("message", (event) => {
  if (event.data && typeof event.data.__shownFrame === "string") {
    window.__shownFrames.push(event.data.__shownFrame);
  }
});
if (window.parent !== window) {
  window.parent.postMessage({__shownFrame: location.href}, "*");
}
// A popup hands what it noted to its opener as it goes (a page that set
// window.__fromPopups to an array), copied into the opener's own objects.
addEventListener("pagehide", () => {
  try {
    const opener = window.opener;
    if (opener && Array.isArray(opener.__fromPopups)) {
      opener.__fromPopups.push(opener.JSON.parse(JSON.stringify({
        url: location.href,
        violations: window.__violations,
        errors: window.__errors,
      })));
    }
  } catch (error) {
    // An opener of another origin.
  }
});
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => {
    window.__dialogs.push(String(message));
    return name === "prompt" ? null : false;
  };
}
}
"""
)


def serve_collector(app: Flask, *, inject: bool = False) -> None:
    """Serve COLLECT_EVERYTHING at COLLECTOR_PATH from ``app``.

    With ``inject``, each HTML document the app sends (other extensions'
    pages, which the tests cannot edit; not fragments, which have neither
    ``<head>`` nor doctype) gets it as the first element of its ``<head>``,
    with the request's nonce when the policy has one (a ``'strict-dynamic'``
    policy ignores ``'self'``). Call it after ``Talisman(app)``: the hook
    then runs before Talisman's. The script notes once per document, however
    often it runs.
    """
    from flask import Response, request

    from flask_talisman import csp_nonce

    def collector() -> Response:
        return Response(COLLECT_EVERYTHING, mimetype="text/javascript")

    app.add_url_rule(COLLECTOR_PATH, "talisman_test_collector", collector)
    if not inject:
        return

    import re

    # After <head>, or else after the doctype (before it, the page would be
    # in quirks mode).
    head = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)
    doctype = re.compile(rb"<!doctype\b[^>]*>", re.IGNORECASE)

    @app.after_request
    def inject_collector(response: Response) -> Response:
        if (
            response.mimetype != "text/html"
            or response.direct_passthrough
            or request.path == COLLECTOR_PATH
        ):
            return response
        body = response.get_data()
        nonce = csp_nonce()
        attribute = f' nonce="{nonce}"' if nonce else ""
        tag = f'<script{attribute} src="{COLLECTOR_PATH}"></script>'.encode()
        found = head.search(body) or doctype.search(body)
        if found:
            at = found.end()
            response.set_data(body[:at] + tag + body[at:])
        return response


def noted(engine: Any) -> dict[str, list[Any]]:
    """What the current page noted (COLLECT_EVERYTHING), by kind."""
    found: dict[str, list[Any]] = engine.evaluate(
        "({violations: window.__violations, errors: window.__errors,"
        " dialogs: window.__dialogs})"
    )
    return found


def settle(engine: Any, expression: str, timeout: float = 10.0) -> Any:
    """Poll ``expression`` in the page until it is truthy; return its value.

    An evaluation that fails while a document is replaced by the next (each
    driver says so in its own way) counts as not yet.
    """

    def attempt() -> Any:
        try:
            return engine.evaluate(expression)
        except Exception:  # the drivers' errors have no common type
            return None

    value = wait_for(attempt, timeout=timeout)
    assert value, f"{engine.name}: still not true after {timeout}s: {expression}"
    return value


def navigate(engine: Any, expression: str, timeout: float = 10.0) -> None:
    """Run ``expression`` (a click, a submit, ``location.reload()``) and wait
    until the document it navigates to has loaded.

    The expression runs in a task of its own, so the evaluation that starts
    the navigation returns before the document goes.
    """
    engine.evaluate(
        "(window.__leaving = true, setTimeout(() => { " + expression + " }, 0), null)"
    )
    settle(
        engine,
        "window.__leaving === undefined && document.readyState === 'complete'",
        timeout,
    )


# -- every engine: the example app served for one module, and its pages read ------


@dataclass(frozen=True)
class Exchange:
    """One request the app answered: what the browser sent and what it got."""

    method: str
    #: The path, with ``?query`` when there is one.
    target: str
    status: int
    #: The request's headers, names in lower case.
    sent: dict[str, str]
    #: The response's headers, names in lower case (the last of repeats).
    answered: dict[str, str]


class Exchanges:
    """WSGI middleware (around ``app.wsgi_app``) keeping each :class:`Exchange`.

    The engine-neutral record of what a browser asked for and what the app
    answered, read from the test instead of a driver's network events.
    """

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        self.seen: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        sent = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        method = environ["REQUEST_METHOD"]

        def noting(status: str, headers: Any, exc_info: Any = None) -> Any:
            answered = {name.lower(): value for name, value in headers}
            exchange = Exchange(method, target, int(status[:3]), sent, answered)
            with self._lock:
                self.seen.append(exchange)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, noting)

    def to(self, target: str, method: str = "GET") -> list[Exchange]:
        """The exchanges for ``target`` (path and query) with ``method``."""
        with self._lock:
            return [e for e in self.seen if e.target == target and e.method == method]

    def navigations(self, target: str) -> list[Exchange]:
        """The exchanges that loaded ``target`` as a page (not a fetch of it)."""
        return [
            e for e in self.to(target) if e.sent.get("sec-fetch-mode") == "navigate"
        ]


@dataclass
class Site(Server):
    """A :class:`Server` whose app's exchanges are kept."""

    exchanges: Exchanges


@contextlib.contextmanager
def serve_site(app: Flask, ssl_context: ssl.SSLContext | None = None) -> Iterator[Site]:
    """Serve ``app`` (once for a module, say), keeping its exchanges."""
    exchanges = Exchanges(app.wsgi_app)
    app.wsgi_app = exchanges  # type: ignore[method-assign]
    with _serve(app, ssl_context) as (server, recorder):
        scheme = "http" if ssl_context is None else "https"
        yield Site(app, recorder, scheme, server.server_port, exchanges)


@contextlib.contextmanager
def serve_example(ssl_context: ssl.SSLContext | None = None) -> Iterator[Site]:
    """A new example app, served with its exchanges kept, for one module.

    Each page it sends notes its violations from its first script on
    (``serve_collector``), for ``violations()`` to read in any engine.
    """
    app = create_app()
    serve_collector(app, inject=True)
    with serve_site(app, ssl_context) as site:
        yield site


def settled(engine: Engine, promise: str, timeout: float = 10) -> Any:
    """The value a JavaScript promise expression settles to.

    Every engine's ``evaluate`` returns plain values; WebDriver's does not
    wait for promises, so the value is kept on the page and polled.
    """
    engine.evaluate(
        "(window.__settled = null,"
        f" Promise.resolve({promise}).then("
        "(value) => { window.__settled = {value}; },"
        " (error) => { window.__settled = {error: String(error)}; }), true)"
    )
    result = wait_for(lambda: engine.evaluate("window.__settled"), timeout=timeout)
    assert result, f"{promise} did not settle within {timeout} s"
    assert "error" not in result, result["error"]
    return result["value"]


def check_states(engine: Engine) -> dict[str, str]:
    """Each check of an example page: "ran" or "not-run"."""
    found: dict[str, str] = engine.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('[data-check]'),"
        " (c) => [c.dataset.check, c.dataset.state]))"
    )
    return found
