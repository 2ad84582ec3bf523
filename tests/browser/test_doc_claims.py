"""What the docs say browsers do, measured in Chromium, Firefox and WebKit.

Each case here backs a sentence of the docs (or of an option's text) that
no other browser case measures: what an engine does with a header's value
as it arrives. The headers are written out raw by a plain Flask app (no
Talisman), since several are values Talisman refuses to send (unquoted
``self``, ``ALLOW-FROM``); a case measures the engine, not Talisman. Each
page writes what happened into ``window.result`` from a nonce'd script
(the nonce is fixed: the header names it), and the server's log gives the
requests each engine made. One server and one engine of each kind serve
the whole module; where the engines differ, each engine's own behaviour is
asserted and noted for docs/engines.rst.
"""

from __future__ import annotations

import base64
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from .conftest import Site, navigate, serve_site, settle, settled
from .engine_table import note
from .engines import Engine

pytestmark = pytest.mark.browser

NONCE = "ZG9jLWNsYWltcw"
#: A 1x1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

#: A nonce'd script that loads an image and notes whether it loaded.
LOAD_IMAGE = f"""<script nonce="{NONCE}">
window.result = null;
const image = new Image();
image.onload = () => {{ window.result = "loaded"; }};
image.onerror = () => {{ window.result = "refused"; }};
image.src = "/pixel.png?" + Math.random();
</script>"""

#: An element with the nonce and a handler attribute, and a nonce'd script
#: noting the page's load.
HANDLER = f"""<script nonce="{NONCE}">window.result = {{}};</script>
<img src="/pixel.png?attr" nonce="{NONCE}" onload="window.result.handler = true">
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>"""

#: path: (headers, body). Every CSP lets the page's nonce'd scripts run.
PAGES: dict[str, tuple[dict[str, str], str]] = {
    # 'none' beside another source, and alone (the control).
    "/none-beside-self": (
        {
            "Content-Security-Policy": f"script-src 'nonce-{NONCE}'; img-src 'none' 'self'"
        },
        LOAD_IMAGE,
    ),
    "/none-alone": (
        {"Content-Security-Policy": f"script-src 'nonce-{NONCE}'; img-src 'none'"},
        LOAD_IMAGE,
    ),
    # self without quotes: a host called "self".
    "/unquoted-self": (
        {"Content-Security-Policy": f"script-src 'nonce-{NONCE}'; img-src self"},
        LOAD_IMAGE,
    ),
    # A directive given twice: the first counts.
    "/twice-none-first": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}'; img-src 'none'; img-src 'self'"
            )
        },
        LOAD_IMAGE,
    ),
    "/twice-self-first": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}'; img-src 'self'; img-src 'none'"
            )
        },
        LOAD_IMAGE,
    ),
    # The same directive in another letter case: the first still counts.
    "/twice-other-case": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}'; img-src 'none'; IMG-SRC 'self'"
            )
        },
        LOAD_IMAGE,
    ),
    # script-src-attr: 'unsafe-inline' lets a handler attribute run, unless
    # the directive also has a nonce.
    "/attr-unsafe-inline": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}'; script-src-attr 'unsafe-inline'"
            )
        },
        HANDLER,
    ),
    "/attr-nonce": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}';"
                f" script-src-attr 'unsafe-inline' 'nonce-{NONCE}'"
            )
        },
        HANDLER,
    ),
    # With a nonce, 'unsafe-inline' is ignored; a nonce on a handler
    # attribute does not make it run.
    "/nonce-and-unsafe-inline": (
        {"Content-Security-Policy": f"script-src 'nonce-{NONCE}' 'unsafe-inline'"},
        f"""<script nonce="{NONCE}">window.result = {{nonced: true}};</script>
<script>window.result.unnonced = true;</script>
<img src="/pixel.png?handler" nonce="{NONCE}" onload="window.result.handler = true">
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # With 'strict-dynamic', 'self' and scheme sources are ignored: a
    # parser-inserted script from the page's own origin is refused, one a
    # nonce'd script creates runs.
    "/strict-dynamic": (
        {
            "Content-Security-Policy": (
                f"script-src 'nonce-{NONCE}' 'strict-dynamic' 'self' http: https:"
            )
        },
        f"""<script nonce="{NONCE}">window.result = {{}};</script>
<script src="/mark.js?parsed"></script>
<script nonce="{NONCE}">
const created = document.createElement("script");
created.src = "/mark.js?created";
document.head.append(created);
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # A report-only policy without any report destination.
    "/report-only-nowhere": (
        {"Content-Security-Policy-Report-Only": (f"script-src 'nonce-{NONCE}'")},
        f"""<script nonce="{NONCE}">
window.result = {{violations: []}};
document.addEventListener("securitypolicyviolation", (event) => {{
  window.result.violations.push(event.effectiveDirective + " " + event.disposition);
}});
</script>
<script>window.result.inline = true;</script>
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # nosniff against a script served as text/plain, and the control.
    "/nosniff": (
        {"Content-Security-Policy": f"script-src 'nonce-{NONCE}' 'self'"},
        f"""<script nonce="{NONCE}">window.result = {{}};</script>
<script src="/plain.js?nosniff=1"></script>
<script src="/plain.js?nosniff=0"></script>
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # Integrity-Policy: a script without an integrity attribute.
    "/integrity-policy": (
        {
            "Content-Security-Policy": f"script-src 'nonce-{NONCE}' 'self'",
            "Integrity-Policy": "blocked-destinations=(script)",
        },
        f"""<script nonce="{NONCE}">window.result = {{}};</script>
<script src="/mark.js?without-integrity"></script>
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # The control: the same page without Integrity-Policy.
    "/integrity-control": (
        {"Content-Security-Policy": f"script-src 'nonce-{NONCE}' 'self'"},
        f"""<script nonce="{NONCE}">window.result = {{}};</script>
<script src="/mark.js?without-integrity"></script>
<script nonce="{NONCE}">
addEventListener("load", () => {{ window.result.loaded = true; }});
</script>""",
    ),
    # The XSS auditor: a reflected inline script under "1; mode=block".
    "/xss-filter": (
        {"X-XSS-Protection": "1; mode=block"},
        "",  # the body is the query's script, reflected
    ),
}

#: Framed pages' X-Frame-Options values.
FRAMED = {
    "allow-from": "ALLOW-FROM http://localhost",
    "lower-case-deny": "deny",
    "upper-case-deny": "DENY",
}


def make_app() -> Flask:
    app = Flask("doc_claims")
    app.config["result"] = {}

    @app.route("/pixel.png")
    def pixel() -> Response:
        return Response(PIXEL, mimetype="image/png")

    @app.route("/mark.js")
    def mark() -> Response:
        key = request.query_string.decode()
        return Response(f"window.result[{key!r}] = true;", mimetype="text/javascript")

    @app.route("/plain.js")
    def plain() -> Response:
        nosniff = request.args["nosniff"] == "1"
        response = Response(
            f"window.result.ranWithNosniff{int(nosniff)} = true;",
            mimetype="text/plain",
        )
        if nosniff:
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    for path, (headers, body) in PAGES.items():

        def page(headers: dict[str, str] = headers, body: str = body) -> Response:
            text = body or request.args.get("reflect", "")
            html = f"<!doctype html><title>claim</title><body>{text}</body>"
            return Response(html, headers=headers, mimetype="text/html")

        app.add_url_rule(path, path.strip("/"), page)

    @app.route("/framed/<name>")
    def framed(name: str) -> Response:
        html = (
            "<!doctype html><title>framed</title>"
            f'<script>parent.postMessage("{name}", "*");</script>'
        )
        return Response(
            html, headers={"X-Frame-Options": FRAMED[name]}, mimetype="text/html"
        )

    @app.route("/parent/<int:port>")
    def parent(port: int) -> str:
        frames = "".join(
            f'<iframe src="http://127.0.0.1:{port}/framed/{name}"></iframe>'
            for name in FRAMED
        )
        return (
            "<!doctype html><title>parent</title><script>window.shown = [];"
            'addEventListener("message", (e) => window.shown.push(e.data));'
            'addEventListener("load", () => { window.loaded = true; });'
            f"</script>{frames}"
        )

    @app.route("/post-form/<int:code>")
    def post_form(code: int) -> str:
        return (
            "<!doctype html><title>form</title>"
            f'<form method="post" action="/redirect/{code}">'
            '<input name="field" value="sent"></form>'
        )

    @app.route("/redirect/<int:code>", methods=["POST"])
    def redirect_post(code: int) -> Response:
        return Response(status=code, headers={"Location": f"/landed/{code}"})

    @app.route("/landed/<int:code>", methods=["GET", "POST"])
    def landed(code: int) -> str:
        return f"{request.method} {request.form.get('field', '')}".strip()

    @app.route("/set-cookie/<name>")
    def set_cookie(name: str) -> Response:
        attributes = request.args["attributes"]
        response = Response(
            "<!doctype html><title>cookie</title>", mimetype="text/html"
        )
        response.headers["Set-Cookie"] = f"{name}=1; Path=/; {attributes}"
        return response

    @app.route("/cookies")
    def cookies() -> dict[str, Any]:
        return dict(request.cookies)

    return app


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_site(make_app()) as served:
        yield served


def image_at(engine: Engine, site: Site, path: str) -> str:
    engine.goto(site.url(path))
    found: str = settle(engine, "window.result")
    return found


def test_none_beside_other_sources_is_ignored(engine: Engine, site: Site) -> None:
    """``img-src 'none' 'self'`` loads a same-origin image; ``'none'`` alone not."""
    assert image_at(engine, site, "/none-beside-self") == "loaded"
    assert image_at(engine, site, "/none-alone") == "refused"


def test_unquoted_self_is_a_host_name(engine: Engine, site: Site) -> None:
    """``img-src self`` (no quotes) names a host "self": the page's own image
    is refused."""
    assert image_at(engine, site, "/unquoted-self") == "refused"


def test_a_directive_given_twice_the_first_counts(engine: Engine, site: Site) -> None:
    assert image_at(engine, site, "/twice-none-first") == "refused"
    assert image_at(engine, site, "/twice-self-first") == "loaded"
    # Directive names are case-insensitive: IMG-SRC repeats img-src.
    assert image_at(engine, site, "/twice-other-case") == "refused"


def test_a_nonce_in_script_src_attr_turns_its_unsafe_inline_off(
    engine: Engine, site: Site
) -> None:
    """A handler attribute runs under ``script-src-attr 'unsafe-inline'``,
    and not once the directive also has a nonce (which no attribute can
    match, even on an element that carries it)."""
    engine.goto(site.url("/attr-unsafe-inline"))
    found = settle(engine, "window.result.loaded && window.result")
    assert found == {"handler": True, "loaded": True}
    engine.goto(site.url("/attr-nonce"))
    assert settle(engine, "window.result.loaded && window.result") == {"loaded": True}


def test_a_nonce_turns_unsafe_inline_off_and_no_handler_runs(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/nonce-and-unsafe-inline"))
    found = settle(engine, "window.result.loaded && window.result")
    # Only the nonce'd script ran: not the inline one 'unsafe-inline' would
    # allow, nor the handler attribute of an element with the nonce.
    assert found == {"nonced": True, "loaded": True}


def test_strict_dynamic_ignores_self_and_scheme_sources(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/strict-dynamic"))
    found = settle(
        engine, "window.result.loaded && window.result.created && window.result"
    )
    assert found == {"loaded": True, "created": True}
    requested = {e.target for e in site.exchanges.seen}
    # The refused script was never even fetched.
    assert "/mark.js?parsed" not in requested


def test_report_only_without_a_destination_still_tells_the_page(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/report-only-nowhere"))
    found = settle(
        engine,
        "window.result.loaded && window.result.violations.length && window.result",
    )
    assert found == {
        "violations": ["script-src-elem report"],
        "inline": True,
        "loaded": True,
    }


def test_nosniff_refuses_a_script_served_as_text(engine: Engine, site: Site) -> None:
    engine.goto(site.url("/nosniff"))
    found = settle(engine, "window.result.loaded && window.result")
    # Without nosniff the same text/plain script runs (the control).
    assert found == {"ranWithNosniff0": True, "loaded": True}
    # Both were fetched: the one with nosniff was refused, not skipped.
    requested = {e.target for e in site.exchanges.seen}
    assert {"/plain.js?nosniff=1", "/plain.js?nosniff=0"} <= requested


def test_no_engine_has_an_xss_filter(engine: Engine, site: Site) -> None:
    """``X-XSS-Protection: 1; mode=block`` and a script reflected from the
    query: the script runs, the page is not blanked."""
    mark = uuid.uuid4().hex
    script = f"<script>window.result = '{mark}';</script>"
    engine.goto(site.url("/xss-filter?reflect=" + quote(script)))
    assert settle(engine, "window.result") == mark


def test_x_frame_options_values(engine: Engine, site: Site) -> None:
    """Framed by another origin (localhost framing 127.0.0.1): ``deny`` in
    lower case refuses as ``DENY`` does; ``ALLOW-FROM`` is no value the
    engines know, so it refuses nothing, even to an origin it does not name."""
    engine.goto(f"{site.other}/parent/{site.port}")
    settle(engine, "window.loaded")
    # Let the frames that are shown post their message.
    settle(engine, "window.shown.length >= 1")
    time.sleep(0.5)
    shown = sorted(engine.evaluate("window.shown"))
    assert shown == ["allow-from"]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirected_post(engine: Engine, site: Site, code: int) -> None:
    """301, 302 and 303 turn a form's POST into a GET without its body;
    307 and 308 repeat the POST with it."""
    engine.goto(site.url(f"/post-form/{code}"))
    navigate(engine, "document.forms[0].submit()")
    landed = engine.evaluate("document.body.textContent")
    assert landed == ("POST sent" if code in (307, 308) else "GET")


COOKIES = {
    # name: Set-Cookie attributes
    "samesite_none": "SameSite=None",
    "samesite_none_secure": "SameSite=None; Secure",
    "secure": "Secure",
    "plain": "SameSite=Lax",
}
#: What each engine keeps of COOKIES from a plain-HTTP response, on the
#: loopback address (a potentially trustworthy origin, where a Secure cookie
#: may be set) and on an address of the machine's network (one that is not).
KEPT = {
    ("chromium", "loopback"): ["plain", "samesite_none_secure", "secure"],
    ("firefox", "loopback"): ["plain", "samesite_none_secure", "secure"],
    ("webkit", "loopback"): ["plain", "samesite_none"],
    ("chromium", "network"): ["plain"],
    ("firefox", "network"): ["plain"],
    ("webkit", "network"): ["plain", "samesite_none"],
}


def network_address() -> str | None:
    """An IPv4 address of this machine other than loopback, if it has one."""
    import socket

    with (
        contextlib.suppress(OSError),
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe,
    ):
        probe.connect(("192.0.2.1", 9))  # no packet is sent
        address: str = probe.getsockname()[0]
        if not address.startswith("127."):
            return address
    return None


@pytest.fixture(scope="module")
def network_origin() -> Iterator[str]:
    """The app over plain HTTP on a non-loopback address of this machine."""
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address but loopback")
    server = make_server(address, 0, make_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def kept_cookies(engine: Engine, origin: str) -> list[str]:
    run = uuid.uuid4().hex[:8]
    for name, attributes in COOKIES.items():
        engine.goto(f"{origin}/set-cookie/{name}_{run}?attributes={quote(attributes)}")
    sent = settled(engine, "fetch('/cookies').then((r) => r.json())")
    return sorted(name.removesuffix(f"_{run}") for name in sent if name.endswith(run))


@pytest.mark.parametrize("where", ["loopback", "network"])
def test_cookies_from_plain_http(
    engine: Engine,
    site: Site,
    request: pytest.FixtureRequest,
    where: str,
) -> None:
    """Which of a Secure cookie, SameSite=None with and without Secure, and
    a plain one each engine keeps from a plain-HTTP response."""
    origin = (
        site.origin
        if where == "loopback"
        else request.getfixturevalue("network_origin")
    )
    kept = kept_cookies(engine, origin)
    note(request, "kept: " + ", ".join(kept))
    assert kept == KEPT[engine.name, where]


def test_integrity_policy_refuses_a_script_without_integrity(
    engine: Engine, site: Site
) -> None:
    """``Integrity-Policy: blocked-destinations=(script)``: a same-origin
    script without an ``integrity`` attribute is refused; without the
    header (the control) the same script runs."""
    engine.goto(site.url("/integrity-policy"))
    assert settle(engine, "window.result.loaded && window.result") == {"loaded": True}
    engine.goto(site.url("/integrity-control"))
    found = settle(engine, "window.result.loaded && window.result")
    assert found == {"without-integrity": True, "loaded": True}
