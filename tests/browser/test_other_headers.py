"""Cross-Origin-Opener-Policy and Clear-Site-Data, as each engine applies them.

The example app is served once for the module; Chromium, Firefox and WebKit
each load its pages (engines.py). What happened is read where every engine
shows it: the popups page's own account of each popup (its handle on the
popup, and what the popup told the server it saw as ``window.opener``), the
account page, and the requests the server answered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask, Response, make_response

from example_app.views import ACCOUNT_COOKIE, POPUPS
from flask_talisman import Talisman

from .conftest import Site, navigate, serve_example, serve_site, wait_for
from .engine_table import note
from .engines import Engine

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_example() as served:
        yield served


# /popups, loaded from localhost, opens each page with window.open. "cross"
# pages are 127.0.0.1 pages: another origin.
@pytest.mark.parametrize(
    ("button", "path", "opener_kept"),
    [
        ("#open-cross-coop", "/coop", False),
        ("#open-cross-no-coop", "/no-coop", True),
        ("#open-coop", "/coop", False),
        ("#open-no-coop", "/no-coop", True),
    ],
)
def test_coop_severs_the_opener(
    engine: Engine, site: Site, button: str, path: str, opener_kept: bool
) -> None:
    engine.goto(site.other + "/popups")
    before = len(site.exchanges.seen)
    # A user's click: WebKit lets no script open a popup without one.
    engine.click(button)

    def popup_said() -> str | None:
        """The popup's id, once it told the server what its opener is."""
        for exchange in site.exchanges.seen[before:]:
            found = re.fullmatch(r"/popups/([0-9a-f]{32})", exchange.target)
            if exchange.method == "POST" and found:
                return found.group(1)
        return None

    popup_id = wait_for(popup_said)
    assert popup_id, f"the popup {path} never said what its window.opener is"
    # The popup itself: loaded from the button's origin, and its opener.
    (loaded,) = site.exchanges.navigations(f"{path}?popup={popup_id}")
    cross = "cross" in button
    assert loaded.sent["host"] == (site.origin if cross else site.other).split("//")[1]
    seen = site.app.extensions[POPUPS].get(popup_id)
    assert seen == ("live" if opener_kept else "null")

    # The opener's side, as the popups page shows it (it looks at its handle
    # every 100 ms): a live handle on the popup, or one that reads closed,
    # when the page asks the server and says the link was cut. The popup has
    # loaded its page by now, so a cut link already reads closed.
    def handle() -> str:
        state: str = engine.evaluate(
            f"document.querySelector({button!r}).parentElement"
            ".querySelector('.handle').dataset.state"
        )
        return state

    expected = "live" if opener_kept else "cut"
    wait_for(lambda: handle() == expected, timeout=5)
    time.sleep(0.3)  # three looks more: a live handle stays live
    assert handle() == expected


#: Whether each engine applies Clear-Site-Data on the sign-out's 303
#: redirect. WebKit (2.50, and its source today) reads the header only on the
#: final response of a load: NetworkResourceLoader::didReceiveResponse calls
#: processClearSiteDataHeader, the redirect path does not; MDN lists Safari
#: 17 as supporting the header without that caveat. Chromium and Firefox
#: apply it on the redirect, as the Clear Site Data spec has it (on each
#: response of a fetch).
CLEARS_ON_A_REDIRECT = {"chromium": True, "firefox": True, "webkit": False}


def test_logout_clears_cookies_and_storage(
    engine: Engine, site: Site, request: pytest.FixtureRequest
) -> None:
    account = site.url("/account")

    def shown() -> tuple[str, int]:
        user, visits = engine.evaluate(
            "[document.getElementById('user').textContent,"
            " document.getElementById('visits').textContent]"
        )
        return user, int(visits)

    def cookie_sent() -> str | None:
        return site.exchanges.navigations("/account")[-1].sent.get("cookie")

    engine.goto(account)
    _, visits = shown()  # counted in this origin's localStorage
    navigate(engine, "document.getElementById('sign-in').click()")
    assert engine.evaluate("location.href") == account
    assert shown() == ("alice", visits + 1)
    assert cookie_sent() == f"{ACCOUNT_COOKIE}=alice"

    navigate(engine, "document.getElementById('sign-out').click()")
    assert engine.evaluate("location.href") == account
    (logout,) = site.exchanges.to("/logout", "POST")[-1:]
    assert logout.status == 303
    assert logout.answered["clear-site-data"] == '"cache", "cookies", "storage"'
    if CLEARS_ON_A_REDIRECT[engine.name]:
        assert cookie_sent() is None
        assert shown() == ("nobody", 1)  # localStorage was emptied
    else:
        # What WebKit does instead: it keeps both, and the page says so.
        assert cookie_sent() == f"{ACCOUNT_COOKIE}=alice"
        assert shown() == ("alice", visits + 2)
        note(request, "keeps both: Clear-Site-Data is ignored on a 303")


def clear_site_data_app() -> Flask:
    """Sign-in sets a cookie; the signed-out page itself clears the site's data."""
    app = Flask("clear_site_data")
    talisman = Talisman(app, force_https=False, content_security_policy=None)
    page = (
        "<!doctype html><title>{title}</title><script>"
        "localStorage.setItem('visits', Number(localStorage.getItem('visits')) + 1);"
        "</script>"
    )

    @app.route("/signed-in")
    def signed_in() -> Response:
        response = make_response(page.format(title="signed in"))
        response.set_cookie("user", "alice", httponly=True, samesite="Lax")
        return response

    @app.route("/signed-out")
    @talisman(clear_site_data=["cookies", "storage"])
    def signed_out() -> str:
        return "<!doctype html><title>signed out</title>"

    @app.route("/")
    def home() -> str:
        return page.format(title="home")

    return app


@pytest.fixture(scope="module")
def plain_site() -> Iterator[Site]:
    with serve_site(clear_site_data_app()) as served:
        yield served


def test_a_page_with_clear_site_data_clears_cookies_and_storage(
    engine: Engine, plain_site: Site
) -> None:
    """On a final response (not a redirect), every engine applies it, WebKit too."""
    visits = "Number(localStorage.getItem('visits'))"

    def cookies_sent() -> dict[str, str]:
        """The cookies the engine sent with its latest load of the home page.

        (Cookies are kept by host, not port: the example app's on another
        port of 127.0.0.1 may be there too.)
        """
        header = plain_site.exchanges.navigations("/")[-1].sent.get("cookie", "")
        return dict(pair.split("=", 1) for pair in header.split("; ") if pair)

    engine.goto(plain_site.url("/signed-in"))
    engine.goto(plain_site.url("/"))
    assert cookies_sent().get("user") == "alice"
    assert engine.evaluate(visits) >= 2

    engine.goto(plain_site.url("/signed-out"))
    (cleared,) = plain_site.exchanges.navigations("/signed-out")[-1:]
    assert cleared.answered["clear-site-data"] == '"cookies", "storage"'
    engine.goto(plain_site.url("/"))
    assert cookies_sent() == {}  # the host's every cookie
    assert engine.evaluate(visits) == 1  # counted again from an empty storage
