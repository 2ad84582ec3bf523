"""The three browser engines behind one small interface, from Debian packages.

=========  ==================  =============================================
Engine     Package             Driven through
=========  ==================  =============================================
chromium   ``chromium``        Playwright over CDP (the suite's fixtures)
firefox    ``firefox-esr``     WebDriver BiDi, which Firefox speaks itself:
                               npm's ``puppeteer-core`` (it downloads no
                               browser and needs no geckodriver), run by
                               node from ``firefox_bridge.js``
webkit     ``webkit2gtk-       Selenium and WebKitWebDriver; MiniBrowser has
           driver``            no headless mode, so on a virtual X display
=========  ==================  =============================================

Firefox is driven from node because no Python client drives Firefox
without geckodriver (which Debian does not package), and Playwright's
Firefox is a patched build that can only be downloaded. puppeteer-core is
installed from npm's registry at test time, so the Firefox cases run when
``TALISMAN_BROWSER_TESTS`` is set (CI sets ``required``); Chromium and
WebKit run wherever they are installed.

Each engine is an :class:`Engine`: ``goto(url)`` loads a page and waits for
its ``load`` event, ``evaluate(expression)`` returns a JavaScript
expression's JSON value, ``close()`` ends the browser. ``click(selector)``
clicks an element as a user would (a user activation, which WebKit needs
before a page may open a popup). ``resize(width, height)`` makes the page's
viewport (``innerWidth`` by ``innerHeight``) that size: each driver's own
default differs (Playwright 1280 by 720, puppeteer 800 by 600, MiniBrowser
its window's), and the page's layout depends on it. ``screenshot(path)``
saves a PNG of the page (the whole page where the driver can, else the
viewport: WebDriver's screenshot is the viewport's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any, Protocol

from ..conftest import unavailable

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
PUPPETEER_VERSION = "24"
ENGINES = ("chromium", "firefox", "webkit")
VARIABLE = "TALISMAN_BROWSER_TESTS"


class Engine(Protocol):
    name: str

    def goto(self, url: str) -> None: ...

    def evaluate(self, expression: str) -> Any: ...

    def close(self) -> None: ...

    def click(self, selector: str) -> None:
        """Click the element ``selector`` as a user would (a user activation)."""
        ...

    def resize(self, width: int, height: int) -> None:
        """Make the viewport ``width`` by ``height`` CSS pixels."""
        ...

    def screenshot(self, path: Path) -> None:
        """Save a PNG of the page at ``path``."""
        ...


def missing(name: str) -> str | None:
    """Why engine ``name`` cannot run here, or None."""
    if name == "chromium":
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "the Python package playwright is not installed"
        if not os.access(CHROMIUM, os.X_OK):
            return f"Chromium is not installed at {CHROMIUM} (chromium)"
    elif name == "firefox":
        if not os.access(FIREFOX, os.X_OK):
            return f"Firefox is not installed at {FIREFOX} (firefox-esr)"
        if shutil.which("node") is None or shutil.which("npm") is None:
            return "node and npm drive Firefox (puppeteer-core), and are missing"
    elif name == "webkit":
        try:
            import selenium  # noqa: F401
        except ImportError:
            return "the Python package selenium is not installed"
        for path in (WEBKIT_DRIVER, MINIBROWSER):
            if not os.access(path, os.X_OK):
                return f"{path} is not installed (webkit2gtk-driver)"
        if shutil.which("Xvfb") is None:
            return "Xvfb is not installed (xvfb)"
    return None


def require(name: str) -> None:
    """Skip (or fail, when required) unless engine ``name`` can run."""
    problem = missing(name)
    if problem is not None:
        unavailable(VARIABLE, f"{name} browser tests", problem)
    if name == "firefox" and not os.environ.get(VARIABLE):
        import pytest

        pytest.skip(
            f"the Firefox cases run when {VARIABLE}=1 is set (they install "
            "puppeteer-core from npm's registry)"
        )


class Chromium:
    """A fresh Playwright context and page on the suite's shared Chromium."""

    name = "chromium"

    def __init__(self, browser: Any) -> None:
        self._context = browser.new_context(ignore_https_errors=True)
        self._context.set_default_timeout(20_000)
        self._page = self._context.new_page()

    def goto(self, url: str) -> None:
        self._page.goto(url, wait_until="load")

    def evaluate(self, expression: str) -> Any:
        return self._page.evaluate(expression)

    def close(self) -> None:
        self._context.close()

    def click(self, selector: str) -> None:
        self._page.click(selector)

    def resize(self, width: int, height: int) -> None:
        self._page.set_viewport_size({"width": width, "height": height})

    def screenshot(self, path: Path) -> None:
        self._page.screenshot(path=path, full_page=True)


_PUPPETEER: list[Path] = []


def _puppeteer_core() -> Path:
    """puppeteer-core's folder, installed once per run (browser download off)."""
    if _PUPPETEER:
        return _PUPPETEER[0]
    folder = Path(tempfile.mkdtemp(prefix="talisman-puppeteer-"))
    try:
        subprocess.run(
            [
                "npm", "install", "--prefix", str(folder), "--no-audit",
                "--no-fund", "--silent", f"puppeteer-core@{PUPPETEER_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
            env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        unavailable(VARIABLE, "firefox browser tests", f"npm install failed ({error})")
    module = folder / "node_modules" / "puppeteer-core"
    _PUPPETEER.append(module)
    return module


class Firefox:
    """Firefox ESR through ``firefox_bridge.js`` (puppeteer-core, BiDi)."""

    name = "firefox"

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            ["node", str(Path(__file__).with_name("firefox_bridge.js"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={
                **os.environ,
                "PUPPETEER_CORE": str(_puppeteer_core()),
                "FIREFOX": FIREFOX,
            },
        )
        self._read()  # {"ready": true}

    def _read(self) -> Any:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("Firefox's bridge ended")
        answer = json.loads(line)
        if not answer["ok"]:
            raise RuntimeError(f"Firefox: {answer['error']}")
        return answer.get("value")

    def _send(self, **command: Any) -> Any:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()
        return self._read()

    def goto(self, url: str) -> None:
        self._send(op="goto", url=url)

    def evaluate(self, expression: str) -> Any:
        return self._send(op="evaluate", script=expression)

    def close(self) -> None:
        try:
            self._send(op="close")
        finally:
            self._process.wait(20)
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()

    def click(self, selector: str) -> None:
        self._send(op="click", selector=selector)

    def resize(self, width: int, height: int) -> None:
        self._send(op="resize", width=width, height=height)

    def screenshot(self, path: Path) -> None:
        self._send(op="screenshot", path=str(path))


class VirtualDisplay:
    """An Xvfb display for MiniBrowser, which has no headless mode."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self._process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
             "-nolisten", "tcp"],
            pass_fds=(write,),
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        with os.fdopen(read) as numbers:
            self.name = ":" + numbers.readline().strip()

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(10)


class WebKit:
    """WebKitGTK's MiniBrowser through Selenium and WebKitWebDriver."""

    name = "webkit"

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self._display = VirtualDisplay()
        options = Options()
        options.binary_location = MINIBROWSER
        options.add_argument("--automation")
        # The tests' throw-away certificate (WebKitWebDriver cannot be told
        # to trust one key only).
        options.set_capability("acceptInsecureCerts", True)
        service = Service(
            WEBKIT_DRIVER, env={**os.environ, "DISPLAY": self._display.name}
        )
        with warnings.catch_warnings():
            # Selenium's own WebKitGTK driver uses an API Selenium deprecated.
            warnings.filterwarnings(
                "ignore", "setting remote_server_addr", DeprecationWarning
            )
            self._driver = webdriver.WebKitGTK(options=options, service=service)
        self._driver.set_page_load_timeout(20)

    def goto(self, url: str) -> None:
        self._driver.get(url)

    def evaluate(self, expression: str) -> Any:
        return self._driver.execute_script(f"return ({expression});")

    def close(self) -> None:
        try:
            self._driver.quit()
        finally:
            self._display.close()

    def click(self, selector: str) -> None:
        # WebDriver's element click, which WebKit counts as a user's: a
        # script's click() may not open a popup there.
        from selenium.webdriver.common.by import By

        self._driver.find_element(By.CSS_SELECTOR, selector).click()

    def resize(self, width: int, height: int) -> None:
        # WebDriver sizes the window, whose frame and toolbar take their
        # share: sized, then again by what the viewport fell short, once the
        # page has taken the new size (X resizes the window in its own time).
        wanted = [width, height]
        window = list(wanted)
        for _ in range(3):
            self._driver.set_window_size(*window)
            inner = self._viewport()
            if inner == wanted:
                return
            window = [window[0] + width - inner[0], window[1] + height - inner[1]]

    def _viewport(self) -> list[int]:
        """The page's viewport once it has kept one size for 0.2 seconds."""
        import time

        read = "return [innerWidth, innerHeight];"
        last = self._driver.execute_script(read)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self._driver.execute_script(read)
            if now == last:
                break
            last = now
        viewport: list[int] = last
        return viewport

    def screenshot(self, path: Path) -> None:
        self._driver.save_screenshot(str(path))
