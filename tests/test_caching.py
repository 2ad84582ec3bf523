"""Nonces and caches: a page's nonce and its header are never separated.

A 304 carries no nonce'd header (the browser keeps the one it stored with
the page); a body that used its nonce is kept out of shared caches; a view
cached by Flask-Caching never serves another request's nonce. What real
browsers and a real caching proxy do with this is in
tests/browser/test_revalidation.py, tests/browser/test_flask_caching.py and
tests/test_shared_cache.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import (
    Blueprint,
    Flask,
    Response,
    jsonify,
    make_response,
    render_template_string,
    request,
    stream_template_string,
)
from markupsafe import Markup
from werkzeug.test import TestResponse

from flask_talisman import Talisman

from .conftest import HTTPS, NONCE_RE

PAGE = "<script nonce='{{ csp_nonce() }}'>run()</script>"


def nonce_app(**options: Any) -> Flask:
    app = Flask("caching_app", static_folder=str(Path(__file__).parent / "static"))
    app.config["SECRET_KEY"] = "k"
    Talisman(app, content_security_policy_nonce_in=["script-src"], **options)
    return app


def header_nonce(response: TestResponse) -> str:
    found = NONCE_RE.search(response.headers["Content-Security-Policy"])
    assert found is not None
    return found.group(1)


# -- revalidation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "condition"),
    [
        ("etag", lambda r: {"If-None-Match": r.headers["ETag"]}),
        ("last-modified", lambda r: {"If-Modified-Since": r.headers["Last-Modified"]}),
    ],
)
def test_a_304_carries_no_nonced_csp(validator: str, condition: Any) -> None:
    app = nonce_app()

    @app.route("/")
    def page() -> Response:
        response = make_response(render_template_string(PAGE))
        if validator == "etag":
            response.set_etag("v1")
        else:
            response.last_modified = 1_700_000_000  # type: ignore[assignment]
        return response.make_conditional(request)

    client = app.test_client()
    first = client.get("/", **HTTPS)
    assert first.status_code == 200
    assert header_nonce(first)
    again = client.get("/", headers=condition(first), **HTTPS)
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again.headers
    # The headers without a nonce are sent as on any response.
    assert again.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert again.headers["Strict-Transport-Security"]


def test_a_304_of_a_policy_without_a_nonce_keeps_its_csp() -> None:
    app = Flask("static_csp")
    Talisman(app)

    @app.route("/")
    def page() -> Response:
        response = make_response("page")
        response.set_etag("v1")
        return response.make_conditional(request)

    client = app.test_client()
    again = client.get("/", headers={"If-None-Match": '"v1"'}, **HTTPS)
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'"
    )


# -- shared caches: Cache-Control -------------------------------------------------

CACHE_CONTROL = [
    # (the view's headers, what a page that used its nonce gets)
    ({}, {"Cache-Control": "private"}),
    ({"Cache-Control": "public, max-age=60"}, {"Cache-Control": "private, max-age=60"}),
    (
        {"Cache-Control": "max-age=60, s-maxage=600"},
        {"Cache-Control": "private, max-age=60"},
    ),
    (
        {"Cache-Control": 'private="Set-Cookie", max-age=5'},
        {"Cache-Control": "private, max-age=5"},
    ),
    ({"Cache-Control": "no-cache"}, {"Cache-Control": "private, no-cache"}),
    ({"Cache-Control": "private"}, {"Cache-Control": "private"}),
    ({"Cache-Control": "no-store"}, {"Cache-Control": "no-store"}),
    (
        {"Cache-Control": "public", "CDN-Cache-Control": "max-age=600"},
        {"Cache-Control": "private", "CDN-Cache-Control": None},
    ),
    (
        {"Surrogate-Control": "max-age=600", "X-Accel-Expires": "600"},
        {
            "Cache-Control": "private",
            "Surrogate-Control": None,
            "X-Accel-Expires": None,
        },
    ),
    (
        {"Cache-Control": "no-store", "X-Accel-Expires": "600"},
        {"Cache-Control": "no-store", "X-Accel-Expires": None},
    ),
    # no-store is a directive, not a word inside another.
    (
        {"Cache-Control": 'public, max-age=600, x-note="no-store"'},
        {"Cache-Control": 'private, max-age=600, x-note="no-store"'},
    ),
    (
        {"Cache-Control": "public, s-maxage=600, no-store-if-auth"},
        {"Cache-Control": "private, no-store-if-auth"},
    ),
    (
        {
            "Cloudflare-CDN-Cache-Control": "max-age=600",
            "Vercel-CDN-Cache-Control": "max-age=600",
            "Edge-Control": "cache-maxage=600",
        },
        {
            "Cache-Control": "private",
            "Cloudflare-CDN-Cache-Control": None,
            "Vercel-CDN-Cache-Control": None,
            "Edge-Control": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("given", "sent"), CACHE_CONTROL, ids=[str(given) for given, _ in CACHE_CONTROL]
)
def test_a_page_that_used_its_nonce_is_never_stored_by_a_shared_cache(
    given: dict[str, str], sent: dict[str, str | None]
) -> None:
    app = nonce_app()

    @app.route("/")
    def page() -> Response:
        return make_response(render_template_string(PAGE), 200, given)

    response = app.test_client().get("/", **HTTPS)
    for name, value in sent.items():
        assert response.headers.get(name) == value, name
    assert len(response.headers.getlist("Cache-Control")) == 1


def test_talismans_own_cache_control_is_made_private_too() -> None:
    app = nonce_app(cache_control="public, max-age=60")

    @app.route("/")
    def page() -> str:
        return render_template_string(PAGE)

    response = app.test_client().get("/", **HTTPS)
    assert response.headers.getlist("Cache-Control") == ["private, max-age=60"]


@pytest.mark.parametrize(
    "template",
    [
        "<script nonce='{{ request.csp_nonce }}'>",  # as 1.1.0's docs wrote it
        "{% set n = csp_nonce() %}<p>{{ n }}</p>",
    ],
)
def test_a_body_carrying_the_nonce_however_it_got_it_is_private(template: str) -> None:
    app = nonce_app()

    @app.route("/")
    def page() -> str:
        return render_template_string(template)

    assert app.test_client().get("/", **HTTPS).headers["Cache-Control"] == "private"


def test_a_streamed_page_counts_as_using_its_nonce() -> None:
    """Its template calls csp_nonce() after the hook has run."""
    app = nonce_app()

    @app.route("/")
    def page() -> Any:
        return stream_template_string(PAGE)

    response = app.test_client().get("/", **HTTPS)
    assert response.headers["Cache-Control"] == "private"
    assert header_nonce(response) in response.get_data(as_text=True)


def test_a_large_stream_is_never_read_and_counts_as_using_the_nonce() -> None:
    app = nonce_app()
    pulled: list[int] = []

    @app.route("/")
    def page() -> Response:
        def chunks() -> Any:
            for i in range(100):
                pulled.append(i)
                yield b"x" * 1024

        return Response(chunks(), headers={"Content-Length": str(100 * 1024)})

    response = app.test_client().get("/", **HTTPS, buffered=False)
    # Nothing read by Talisman (the test client pulls the first chunk to
    # start the response; reading the body would have pulled all 100).
    assert len(pulled) <= 1
    assert response.headers["Cache-Control"] == "private"
    response.close()


def test_responses_that_did_not_use_the_nonce_keep_their_caching(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.js").write_text("run()")
    app = nonce_app()
    app.static_folder = str(tmp_path)

    @app.route("/api")
    def api() -> Response:
        response = jsonify(ok=True)
        response.headers["Cache-Control"] = "public, max-age=60"
        return response

    @app.route("/plain")
    def plain() -> Response:
        return make_response(
            "<p>no inline scripts</p>",
            200,
            {"Cache-Control": "public, max-age=60", "X-Accel-Expires": "60"},
        )

    @app.route("/bare")
    def bare() -> str:
        return "<p>no Cache-Control of its own</p>"

    client = app.test_client()
    assert client.get("/api", **HTTPS).headers["Cache-Control"] == "public, max-age=60"
    plain_response = client.get("/plain", **HTTPS)
    assert plain_response.headers["Cache-Control"] == "public, max-age=60"
    assert plain_response.headers["X-Accel-Expires"] == "60"
    assert "Cache-Control" not in client.get("/bare", **HTTPS).headers
    static = client.get("/static/app.js", **HTTPS)
    assert static.headers["Cache-Control"] == "no-cache"  # Flask's own
    static.close()
    # Flask's 404 page, streamed with a length: read, and found not to use it.
    assert "Cache-Control" not in client.get("/missing", **HTTPS).headers


# -- server-side caches: Flask-Caching -------------------------------------------

flask_caching = pytest.importorskip("flask_caching")


def cached_app(cache_dir: Path, *, talisman: bool = True) -> tuple[Flask, Any]:
    app = Flask("cached_app")
    cache = flask_caching.Cache(
        app, config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(cache_dir)}
    )
    if talisman:
        Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/page/<name>")
    @cache.cached(timeout=60)
    def page(name: str) -> str:
        if not talisman:  # a page stored by an app that knew no better
            return "<script nonce='oldNonceFromAnotherRequest00000'>run()</script>"
        return render_template_string(PAGE)

    @app.route("/plain")
    @cache.cached(timeout=60)
    def plain() -> str:
        return f"<p>rendered {len(plain_calls)}</p>{plain_calls.append(1) or ''}"

    plain_calls: list[int] = []
    return app, cache


def test_a_cached_view_that_renders_the_nonce_renders_for_every_request(
    tmp_path: Path,
) -> None:
    app, _ = cached_app(tmp_path)
    client = app.test_client()
    nonces = []
    for _ in range(3):
        response = client.get("/page/a", **HTTPS)
        assert response.status_code == 200
        body = re.search(r"nonce='([^']+)'", response.get_data(as_text=True))
        assert body is not None
        assert body.group(1) == header_nonce(response)
        nonces.append(body.group(1))
    assert len(set(nonces)) == 3


def test_a_cached_view_that_does_not_use_the_nonce_stays_cached(
    tmp_path: Path,
) -> None:
    app, _ = cached_app(tmp_path)
    client = app.test_client()
    bodies = {client.get("/plain", **HTTPS).get_data(as_text=True) for _ in range(3)}
    assert bodies == {"<p>rendered 0</p>"}


def test_a_stored_page_with_another_requests_nonce_is_never_sent(
    tmp_path: Path,
) -> None:
    stale_app, _ = cached_app(tmp_path, talisman=False)
    stale_app.test_client().get("/page/b?x=1")  # stored, with an old nonce
    app, cache = cached_app(tmp_path)
    client = app.test_client()
    response = client.get("/page/b?x=1", **HTTPS)
    # Rendered again for this request, with its own nonce.
    assert response.status_code == 200
    assert "oldNonce" not in response.get_data(as_text=True)
    assert header_nonce(response) in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private"
    # And the stored page is gone.
    with app.app_context():
        assert cache.get("view//page/b") is None


def test_a_page_that_mentions_nonce_is_not_taken_for_a_stored_one(
    tmp_path: Path,
) -> None:
    """Text such as `nonce=1` in a comment, or a hashed script's variable."""
    app = Flask("mentions")
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    Talisman(app, content_security_policy_nonce_in=["script-src"])
    calls: list[int] = []

    @app.route("/comments")
    @cache.cached(timeout=60)
    def comments() -> str:
        calls.append(1)
        return render_template_string(
            "<p>hello nonce=1</p>{% csp_script %}let nonce = 2;{% endcsp_script %}"
        )

    client = app.test_client()
    answers = [client.get("/comments", **HTTPS) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 4
    assert calls == [1]  # cached as usual


def test_injected_markup_with_a_nonce_attribute_costs_a_render_not_a_loop(
    tmp_path: Path,
) -> None:
    app = Flask("injected")
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/comments")
    @cache.cached(timeout=60)
    def comments() -> str:
        return render_template_string(
            "<p>{{ comment }}</p>", comment=Markup('<b nonce="' + "A" * 32 + '">x</b>')
        )

    client = app.test_client()
    for _ in range(3):
        response = client.get("/comments", **HTTPS)
        assert response.status_code == 200
        assert "A" * 32 in response.get_data(as_text=True)


def test_a_stored_page_keeps_the_headers_other_hooks_added(tmp_path: Path) -> None:
    stale_app, _ = cached_app(tmp_path, talisman=False)
    stale_app.test_client().get("/page/c")
    app, _ = cached_app(tmp_path)

    @app.after_request
    def cors(response: Response) -> Response:  # runs before Talisman's
        response.headers["Access-Control-Allow-Origin"] = "https://app.example"
        return response

    response = app.test_client().get("/page/c", **HTTPS)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert header_nonce(response) in response.get_data(as_text=True)


def test_a_memoized_view_renders_its_own_nonce(tmp_path: Path) -> None:
    app = nonce_app()
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})

    @app.route("/memo/<int:n>")
    @cache.memoize(timeout=60)
    def memo(n: int) -> str:
        return render_template_string(PAGE)

    client = app.test_client()
    answers = [client.get("/memo/1", **HTTPS) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert len({header_nonce(answer) for answer in answers}) == 3
    for answer in answers:
        assert header_nonce(answer) in answer.get_data(as_text=True)


def test_a_cached_view_reading_request_csp_nonce_renders_for_every_request(
    tmp_path: Path,
) -> None:
    app = nonce_app()
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    calls: list[int] = []

    @app.route("/old-style")
    @cache.cached(timeout=60)
    def old_style() -> str:
        calls.append(1)
        return render_template_string("<script nonce='{{ request.csp_nonce }}'>")

    client = app.test_client()
    answers = [client.get("/old-style", **HTTPS) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 4
    assert calls == [1, 1, 1, 1]
    for answer in answers:
        assert header_nonce(answer) in answer.get_data(as_text=True)


def test_concurrent_requests_to_a_cached_view_all_get_their_own_nonce(
    tmp_path: Path,
) -> None:
    """One request's stored page read by another before it is removed."""
    import threading

    app = nonce_app()
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})

    @app.route("/busy")
    @cache.cached(timeout=60)
    def busy() -> str:
        return render_template_string(PAGE)

    @app.after_request
    def slow(response: Response) -> Response:  # widens the window
        import time

        time.sleep(0.001)
        return response

    results: list[tuple[int, bool]] = []

    def visit() -> None:
        client = app.test_client()
        for _ in range(15):
            answer = client.get("/busy", **HTTPS)
            results.append(
                (
                    answer.status_code,
                    header_nonce(answer) in answer.get_data(as_text=True),
                )
            )

    threads = [threading.Thread(target=visit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 90
    assert set(results) == {(200, True)}


def blueprint_view(app: Flask, cache: Any) -> None:
    pages = Blueprint("pages", __name__)

    @pages.route("/page")
    @cache.cached(timeout=60)
    def page() -> str:
        return render_template_string(PAGE)

    app.register_blueprint(pages)


def endpoint_not_the_function_name(app: Flask, cache: Any) -> None:
    @app.route("/page", endpoint="home")
    @cache.cached(timeout=60)
    def page() -> str:
        return render_template_string(PAGE)


def second_url_rule(app: Flask, cache: Any) -> None:
    @app.route("/page")
    @app.route("/other")
    @cache.cached(timeout=60)
    def page() -> str:
        return render_template_string(PAGE)


@pytest.mark.parametrize(
    "route", [blueprint_view, endpoint_not_the_function_name, second_url_rule]
)
def test_the_entry_removed_is_the_one_stored_for_the_request(route: Any) -> None:
    """The key is the decorator's for this request, not one built from the name."""
    app = nonce_app()
    route(app, flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"}))
    client = app.test_client()
    answers = [client.get("/page", **HTTPS) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len({header_nonce(answer) for answer in answers}) == 3


def test_a_compressed_body_counts_as_using_its_nonce() -> None:
    """Compressed by a hook that ran before Talisman's: the nonce cannot be seen."""
    import gzip

    app = nonce_app()

    @app.route("/")
    def page() -> str:
        return render_template_string("<script nonce='{{ request.csp_nonce }}'>")

    @app.after_request
    def compress(response: Response) -> Response:  # runs before Talisman's
        response.set_data(gzip.compress(response.get_data()))
        response.headers["Content-Encoding"] = "gzip"
        return response

    assert app.test_client().get("/", **HTTPS).headers["Cache-Control"] == "private"
