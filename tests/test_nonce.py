"""Nonces: length, alphabet, uniqueness, no reuse across threads or forks,
and one nonce for the header and the body wherever the page is rendered."""

from __future__ import annotations

import os
import re
import threading

import pytest
from flask import Flask, abort, render_template_string, request
from werkzeug.test import TestResponse

from flask_talisman import NONCE_LENGTH, Talisman, csp_nonce
from flask_talisman.nonce import make_nonce

from .conftest import HTTPS, NONCE_RE

BASE64URL = re.compile(r"[A-Za-z0-9_-]+\Z")


def test_nonces_are_unique_url_safe_and_long_enough() -> None:
    nonces = [make_nonce() for _ in range(1000)]
    assert len(set(nonces)) == len(nonces)
    assert all(len(n) == NONCE_LENGTH and BASE64URL.match(n) for n in nonces)


def test_threads_never_share_a_nonce() -> None:
    results: list[list[str]] = [[] for _ in range(4)]

    def worker(out: list[str]) -> None:
        out.extend(make_nonce() for _ in range(300))

    threads = [threading.Thread(target=worker, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [n for out in results for n in out]
    assert len(set(everything)) == len(everything)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_the_parents_nonces() -> None:
    make_nonce()  # the parent now holds a partly used batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, ",".join(make_nonce() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [make_nonce() for _ in range(5)]
    assert not set(child) & set(parent)


def libc_fork() -> int:
    """fork(2) called directly, skipping Python's at-fork hooks (as uWSGI does)."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    pid: int = libc.fork()
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_without_pythons_hooks_does_not_repeat_nonces() -> None:
    make_nonce()
    read, write = os.pipe()
    pid = libc_fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, ",".join(make_nonce() for _ in range(5)).encode())
        os._exit(0)
    assert pid > 0
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [make_nonce() for _ in range(5)]
    assert len(child) == 5
    assert not set(child) & set(parent)


# -- the nonce exists whenever a page can render ------------------------------
#
# csp_nonce() returns the nonce the response's header carries, wherever it is
# called during the request: the body and the header always agree.

PAGE = "<script nonce='{{ csp_nonce() }}'>run()</script>"
PAGE_NONCE = re.compile(r"nonce='([^']*)'")


def nonce_app() -> Flask:
    app = Flask("nonce_app")
    app.config["SECRET_KEY"] = "k"
    return app


def header_nonce(response: TestResponse) -> str | None:
    found = NONCE_RE.search(response.headers.get("Content-Security-Policy", ""))
    return found.group(1) if found else None


def body_nonce(response: TestResponse) -> str:
    found = PAGE_NONCE.search(response.get_data(as_text=True))
    assert found is not None, response.get_data(as_text=True)
    return found.group(1)


def assert_agree(response: TestResponse) -> str:
    nonce = body_nonce(response)
    assert len(nonce) == NONCE_LENGTH
    assert header_nonce(response) == nonce
    return nonce


def test_an_error_page_from_a_hook_that_runs_before_talismans_gets_the_nonce() -> None:
    app = nonce_app()

    @app.before_request
    def refuse() -> None:  # registered first: runs before Talisman's hook
        abort(403)

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 403

    Talisman(app, content_security_policy_nonce_in=["script-src"])
    response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 403
    assert_agree(response)


def test_a_template_rendered_by_an_earlier_hook_and_the_view_share_one_nonce() -> None:
    app = nonce_app()
    seen = []

    @app.before_request
    def early() -> None:
        seen.append(render_template_string("{{ csp_nonce() }}"))

    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    response = app.test_client().get("/", **HTTPS)
    assert seen == [assert_agree(response)]


def test_abort_in_a_view_renders_the_error_page_with_the_nonce() -> None:
    app = nonce_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        abort(404)

    @app.errorhandler(404)
    def missing(error: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 404

    client = app.test_client()
    assert_agree(client.get("/", **HTTPS))
    assert_agree(client.get("/no-such-page", **HTTPS))  # no endpoint at all


def test_an_error_page_of_a_view_with_broken_options_gets_the_last_good_nonce() -> None:
    app = nonce_app()
    talisman = Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.errorhandler(500)
    def failed(error: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 500

    @app.route("/")
    def index() -> str:
        return "ok"

    client = app.test_client()
    client.get("/", **HTTPS)
    # A combination that cannot work (report-only without a report URI),
    # made by editing options one at a time as 1.1.0 code does.
    talisman.content_security_policy_report_only = True
    app.testing = False  # errors become 500 pages instead of raising
    response = client.get("/", **HTTPS)
    assert response.status_code == 500
    assert_agree(response)


def test_a_valid_nonce_set_before_talismans_hook_is_kept() -> None:
    app = nonce_app()

    @app.before_request
    def restore() -> None:
        request.csp_nonce = "restored-NONCE_value+0123456789/="  # type: ignore[attr-defined]

    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    response = app.test_client().get("/", **HTTPS)
    assert body_nonce(response) == "restored-NONCE_value+0123456789/="
    assert (
        "'nonce-restored-NONCE_value+0123456789/='"
        in response.headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize(
    "bad",
    ["x' 'unsafe-inline", "a;script-src *", "a,b", "two words", "", 42, "é"],
)
def test_a_nonce_set_before_that_cannot_go_into_a_header_is_replaced(
    bad: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = nonce_app()

    @app.before_request
    def restore() -> None:
        request.csp_nonce = bad  # type: ignore[attr-defined]

    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE)

    response = app.test_client().get("/", **HTTPS)
    nonce = assert_agree(response)
    assert nonce != bad
    # Never in the header as a source ("42" may occur inside a random nonce).
    assert f"'nonce-{bad}'" not in response.headers["Content-Security-Policy"]
    assert nonce.isascii()
    assert nonce.replace("-", "").replace("_", "").isalnum()
    if bad != "":
        assert "cannot go into a CSP header" in caplog.text


def test_templates_written_for_1_1_0_read_request_csp_nonce() -> None:
    app = nonce_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        return render_template_string("<script nonce='{{ request.csp_nonce }}'>")

    assert_agree(app.test_client().get("/", **HTTPS))


def test_a_view_without_a_nonced_policy_gets_an_empty_nonce_and_none_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = []
    monkeypatch.setattr(
        "flask_talisman.extension.make_nonce", lambda: made.append(1) or "n" * 32
    )
    app = nonce_app()
    Talisman(app)

    @app.route("/")
    def index() -> str:
        return render_template_string("[{{ csp_nonce() }}]")

    response = app.test_client().get("/", **HTTPS)
    assert response.get_data(as_text=True) == "[]"
    assert made == []


def test_one_nonce_is_made_per_nonced_request(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def counting() -> str:
        made.append(make_nonce())
        return made[-1]

    monkeypatch.setattr("flask_talisman.extension.make_nonce", counting)
    app = nonce_app()
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.route("/")
    def index() -> str:
        return render_template_string(PAGE + PAGE)

    assert_agree(app.test_client().get("/", **HTTPS))
    assert len(made) == 1


def test_csp_nonce_in_an_app_without_talisman_reads_the_request() -> None:
    app = nonce_app()

    @app.route("/")
    def index() -> str:
        request.csp_nonce = "abc"  # type: ignore[attr-defined]
        return csp_nonce()

    @app.route("/none")
    def none() -> str:
        return "[" + csp_nonce() + "]"

    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == "abc"
    assert client.get("/none").get_data(as_text=True) == "[]"


def test_flask_wtfs_csrf_error_page_gets_the_nonce() -> None:
    """CSRFProtect refuses the request in its before_request, before Talisman's."""
    flask_wtf_csrf = pytest.importorskip("flask_wtf.csrf")
    app = nonce_app()
    flask_wtf_csrf.CSRFProtect(app)
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.errorhandler(flask_wtf_csrf.CSRFError)
    def refused(error: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 400

    @app.post("/form")
    def form() -> str:
        return "accepted"

    response = app.test_client().post("/form", **HTTPS)
    assert response.status_code == 400
    assert_agree(response)


def test_flask_limiters_429_page_gets_the_nonce() -> None:
    flask_limiter = pytest.importorskip("flask_limiter")
    app = nonce_app()
    limiter = flask_limiter.Limiter(
        lambda: "one client", app=app, storage_uri="memory://"
    )
    Talisman(app, content_security_policy_nonce_in=["script-src"])

    @app.errorhandler(429)
    def too_many(error: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 429

    @app.route("/")
    @limiter.limit("1/minute")
    def index() -> str:
        return render_template_string(PAGE)

    client = app.test_client()
    assert_agree(client.get("/", **HTTPS))
    response = client.get("/", **HTTPS)
    assert response.status_code == 429
    assert_agree(response)


def test_csp_nonce_without_a_nonced_policy_gives_the_apps_own_as_1_1_0() -> None:
    app = nonce_app()

    @app.before_request
    def restore() -> None:
        request.csp_nonce = "appNonce123"  # type: ignore[attr-defined]

    Talisman(app)

    @app.route("/")
    def index() -> str:
        return render_template_string("[{{ csp_nonce() }}]")

    response = app.test_client().get("/", **HTTPS)
    assert response.get_data(as_text=True) == "[appNonce123]"
    assert "nonce" not in response.headers["Content-Security-Policy"]
