"""Specification: when options are checked, and what a request gets meanwhile.

- A value wrong on its own (CR/LF, an injected ``;``, a bad token, an unknown
  option) is refused where it is given: ``Talisman(...)``, ``init_app``, the
  decorator, an attribute assignment.
- A combination of options (ALLOW-FROM and its origin, report-only and its
  report URI, ...) is checked when the options are used: ``init_app``, the
  decorator's own options, ``Talisman.check()`` and the next request. It is
  never checked between two assignments, which flask-talisman 1.1.0 code
  makes one line at a time, in any order.
- A request whose options cannot work together sends none of them: it fails
  with :class:`ConfigurationError` (in testing it reaches the test; otherwise
  Flask logs it and answers 500 with the last complete header set), and the
  first request after the options are fixed is served normally.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, render_template_string

from flask_talisman import (
    ALLOW_FROM,
    DENY,
    SAMEORIGIN,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from .conftest import HTTPS, NONCE_RE, make_app

HTTP: dict[str, Any] = {}


def headers(app: Flask, path: str = "/", **kwargs: Any) -> dict[str, str]:
    response = app.test_client().get(path, **(kwargs or HTTPS))
    return {name: NONCE_RE.sub("'nonce-N'", value) for name, value in response.headers}


def strict_app(name: str = "app") -> Flask:
    app = make_app(name)
    app.testing = True  # a ConfigurationError reaches the test
    return app


# -- sequences of assignments --------------------------------------------------

#: Sequences 1.1.0 code runs, one assignment per line, and the options an app
#: configured with the end result from the start gets.
SEQUENCES: list[tuple[str, list[tuple[str, Any]], dict[str, Any]]] = [
    (
        "allow-from",
        [
            ("frame_options", ALLOW_FROM),
            ("frame_options_allow_from", "https://a.example"),
        ],
        {"frame_options": ALLOW_FROM, "frame_options_allow_from": "https://a.example"},
    ),
    (
        "report-only",
        [
            ("content_security_policy_report_only", True),
            ("content_security_policy_report_uri", "/r"),
        ],
        {
            "content_security_policy_report_only": True,
            "content_security_policy_report_uri": "/r",
        },
    ),
    (
        "policy-and-nonce",
        [
            ("content_security_policy", "default-src 'self'; script-src 'self'"),
            ("content_security_policy_nonce_in", ["script-src"]),
        ],
        {
            "content_security_policy": "default-src 'self'; script-src 'self'",
            "content_security_policy_nonce_in": ["script-src"],
        },
    ),
    (
        "report-only-off",
        [
            ("content_security_policy_report_uri", None),
            ("content_security_policy_report_only", False),
        ],
        {},
    ),
]


@pytest.mark.parametrize("order", ["as-written", "reversed"])
@pytest.mark.parametrize(
    ("steps", "end"),
    [(steps, end) for _, steps, end in SEQUENCES],
    ids=[name for name, _, _ in SEQUENCES],
)
def test_a_sequence_of_assignments_is_checked_only_when_used(
    steps: list[tuple[str, Any]], end: dict[str, Any], order: str
) -> None:
    app = strict_app()
    start = {
        "content_security_policy_report_only": True,
        "content_security_policy_report_uri": "/start",
    }
    talisman = Talisman(app, **(start if not end else {}))
    for name, value in steps if order == "as-written" else steps[::-1]:
        setattr(talisman, name, value)  # never refused half-way
    with warnings_ignored():
        expected = make_app("expected")
        Talisman(expected, **end)
        assert headers(app) == headers(expected)


@pytest.fixture
def quiet() -> Iterator[None]:
    with warnings_ignored():
        yield


@contextmanager
def warnings_ignored() -> Iterator[None]:
    """ALLOW-FROM advice and the like are not what these tests are about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigurationWarning)
        yield


def test_a_value_wrong_on_its_own_is_refused_at_once() -> None:
    talisman = Talisman(make_app())
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        talisman.frame_options_allow_from = "https://a.example\r\nX-Injected: 1"
    with pytest.raises(ConfigurationError, match="';' or ','"):
        talisman.content_security_policy = {"default-src": "'self'; script-src *"}
    assert talisman.frame_options_allow_from is None


# -- an inconsistent state that reaches a request -------------------------------


def broken_allow_from(talisman: Talisman) -> None:
    talisman.frame_options = ALLOW_FROM  # the origin is not set (yet)


def test_an_inconsistent_request_raises_naming_the_options_and_the_fix() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    with pytest.raises(ConfigurationError, match="frame_options_allow_from") as raised:
        app.test_client().get("/", **HTTPS)
    assert raised.value.options == ("frame_options", "frame_options_allow_from")
    assert "e.g. 'https://example.com'" in str(raised.value)


def test_outside_testing_it_is_a_logged_500_with_a_complete_header_set(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()  # not testing: Flask answers 500 and logs the error
    talisman = Talisman(app, frame_options=DENY)
    good = headers(app)
    broken_allow_from(talisman)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 500
    assert "frame_options_allow_from" in caplog.text
    # The last header set that compiled, whole: nothing of the broken one.
    sent = {k: v for k, v in response.headers if k not in ("Content-Length",)}
    expected = {k: v for k, v in good.items() if k not in ("Content-Length",)}
    assert sent == {**expected, "Content-Type": sent["Content-Type"]}


def test_the_first_request_after_the_fix_is_served_normally() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    for _ in range(2):  # refused every time, not only once
        with pytest.raises(ConfigurationError):
            app.test_client().get("/", **HTTPS)
    talisman.frame_options_allow_from = "https://a.example"
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        assert headers(app)["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_other_views_keep_working_where_their_own_policy_is_valid() -> None:
    app = strict_app()
    talisman = Talisman(app)

    @app.route("/denied")
    @talisman(frame_options=DENY)
    def denied() -> str:
        return "denied"

    broken_allow_from(talisman)
    with pytest.raises(ConfigurationError):
        app.test_client().get("/", **HTTPS)
    assert headers(app, "/denied")["X-Frame-Options"] == "DENY"


def test_a_broken_view_fails_alone_and_check_names_it() -> None:
    app = strict_app()
    talisman = Talisman(app)

    @app.route("/report-only")
    @talisman(content_security_policy_report_only=True)  # the app may add the URI
    def report_only() -> str:
        return "report-only"

    with pytest.raises(ConfigurationError, match=r"view 'report_only'.*report_uri"):
        talisman.check()
    with pytest.raises(ConfigurationError, match="report_uri"):
        app.test_client().get("/report-only", **HTTPS)
    assert headers(app)["X-Frame-Options"] == SAMEORIGIN  # the rest is served
    talisman.content_security_policy_report_uri = "/csp-report"
    talisman.check()
    assert "Content-Security-Policy-Report-Only" in headers(app, "/report-only")


def test_check_passes_on_a_consistent_app_and_needs_init_app() -> None:
    app = make_app()
    talisman = Talisman(app)
    talisman.check()
    talisman.check(app)
    with pytest.raises(RuntimeError, match="init_app"):
        Talisman().check(make_app("other"))


def test_repeated_failures_do_not_grow_the_error() -> None:
    app = strict_app()
    talisman = Talisman(app)
    broken_allow_from(talisman)
    errors = []
    for _ in range(3):
        with pytest.raises(ConfigurationError) as raised:
            app.test_client().get("/", **HTTPS)
        errors.append(raised.value)
    assert len({id(error) for error in errors}) == 3  # a fresh error each time


# -- where combinations are checked ----------------------------------------


def test_init_app_checks_the_combination() -> None:
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        Talisman(make_app(), frame_options=ALLOW_FROM)


def test_a_decorators_own_combination_is_refused_at_decoration() -> None:
    talisman = Talisman(make_app())
    with pytest.raises(ConfigurationError, match=r"@talisman\(\.\.\.\).*allow_from"):
        talisman(frame_options=ALLOW_FROM, frame_options_allow_from=None)


def test_a_decorator_the_app_completes_later_is_accepted(quiet: None) -> None:
    app = strict_app()
    talisman = Talisman(app)

    @app.route("/framed")
    @talisman(frame_options=ALLOW_FROM)
    def framed() -> str:
        return "framed"

    talisman.frame_options_allow_from = "https://a.example"  # as 1.1.0 allowed
    assert headers(app, "/framed")["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_options_are_checked_before_a_second_registration_is_refused() -> None:
    # 1.1.0's own test expects the ValueError about the report URI here.
    app = make_app()
    Talisman(app)
    with pytest.raises(ValueError, match="content_security_policy_report_uri"):
        Talisman(app, content_security_policy_report_only=True)
    with pytest.raises(RuntimeError, match="already registered"):
        Talisman(app)


# -- threads -------------------------------------------------------------------


class PausingDict(dict[str, Any]):
    """A policy whose next copy stops half-way until the test lets it go."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pause = False
        self.reached = threading.Event()
        self.resume = threading.Event()

    def items(self) -> Any:
        if self.pause:
            self.pause = False
            self.reached.set()
            assert self.resume.wait(5)
        return super().items()


def run(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(target()))
    thread.start()
    return thread, result


def test_an_edit_during_a_compile_never_gives_a_mixed_header_set() -> None:
    app = make_app()
    policy = PausingDict({"default-src": "'self'"})
    permissions = {"camera": "()"}
    talisman = Talisman(
        app, content_security_policy=policy, permissions_policy=permissions
    )
    policy["img-src"] = "*"  # so that the next request recompiles
    policy.pause = True
    thread, result = run(lambda: headers(app))
    assert policy.reached.wait(5)  # the request is copying the options
    # Meanwhile an admin view changes two options, one after the other.
    policy["img-src"] = "https://img.example"
    permissions["camera"] = "(self)"
    policy.resume.set()
    thread.join(5)
    (got,) = result
    # Either both edits or neither: here both, since the copy is retaken.
    assert got["Content-Security-Policy"] == (
        "default-src 'self'; img-src https://img.example"
    )
    assert got["Permissions-Policy"] == "camera=(self)"
    assert talisman.content_security_policy is policy


def test_a_response_keeps_the_policy_its_request_started_with() -> None:
    app = make_app()
    talisman = Talisman(app, content_security_policy_nonce_in=["script-src"])
    entered, leave = threading.Event(), threading.Event()

    @app.route("/slow")
    def slow() -> str:
        entered.set()
        assert leave.wait(5)
        return render_template_string("{{ csp_nonce() }}")

    thread, result = run(lambda: app.test_client().get("/slow", **HTTPS))
    assert entered.wait(5)
    talisman.frame_options = DENY  # while the view runs
    talisman.content_security_policy = {"default-src": "'none'"}
    leave.set()
    thread.join(5)
    (response,) = result
    assert response.headers["X-Frame-Options"] == SAMEORIGIN
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; object-src 'none'; script-src")
    assert response.get_data(as_text=True) in csp  # its own nonce
    assert headers(app)["X-Frame-Options"] == DENY  # the next one: new options


def test_a_valid_edit_is_not_refused_because_of_another_threads_bad_edit() -> None:
    app = strict_app()
    talisman = Talisman(app)
    bad_done = threading.Event()

    def bad_edit() -> None:
        talisman.content_security_policy["script-src"] = "self"  # unquoted
        bad_done.set()

    thread, _ = run(bad_edit)
    assert bad_done.wait(5)
    thread.join(5)
    talisman.frame_options = DENY  # valid on its own: accepted
    assert talisman.frame_options == DENY
    with pytest.raises(ConfigurationError, match="should be quoted"):
        app.test_client().get("/", **HTTPS)
    del talisman.content_security_policy["script-src"]
    assert headers(app)["X-Frame-Options"] == DENY


def test_concurrent_requests_and_edits_always_send_one_whole_configuration() -> None:
    # One assignment that moves the policy between two headers: a response
    # that mixed the two configurations would have both headers, or neither.
    app = make_app()
    talisman = Talisman(app, content_security_policy_report_uri="/r")
    stop = threading.Event()
    seen: list[tuple[str | None, str | None]] = []
    failures: list[BaseException] = []

    def serve() -> None:
        client = app.test_client()
        while not stop.is_set():
            try:
                response = client.get("/", **HTTPS)
                seen.append(
                    (
                        response.headers.get("Content-Security-Policy"),
                        response.headers.get("Content-Security-Policy-Report-Only"),
                    )
                )
            except BaseException as error:  # pragma: no cover - reported below
                failures.append(error)

    threads = [threading.Thread(target=serve) for _ in range(4)]
    for thread in threads:
        thread.start()
    i = 0
    while i < 400 or (len(seen) < 200 and i < 100_000):
        talisman.content_security_policy_report_only = bool(i % 2)
        talisman.content_security_policy["img-src"] = f"https://{i}.example"
        i += 1
    stop.set()
    for thread in threads:
        thread.join(10)
    assert not failures
    assert seen
    for enforced, report_only in seen:
        assert (enforced is None) != (report_only is None)
        value = enforced or report_only
        assert value is not None
        assert re.fullmatch(
            r"default-src 'self'; object-src 'none'(; img-src https://\d+\.example)?"
            r"; report-uri /r",
            value,
        ), value
    assert talisman.content_security_policy["img-src"] == f"https://{i - 1}.example"


# -- the per-view attribute flask-talisman 1.1.0 read ---------------------------


def test_a_view_attribute_set_by_the_app_is_honoured() -> None:
    app = make_app()
    Talisman(app)

    @app.route("/health")
    def health() -> str:
        return "ok"

    health.talisman_view_options = {"force_https": False}  # type: ignore[attr-defined]
    assert app.test_client().get("/health").status_code == 200  # plain HTTP
    assert app.test_client().get("/").status_code == 302


def test_edits_of_the_view_attribute_are_seen_and_never_written_by_us() -> None:
    app = make_app()
    Talisman(app)

    @app.route("/view")
    def view() -> str:
        return "view"

    options: dict[str, Any] = {"frame_options": DENY}
    view.talisman_view_options = options  # type: ignore[attr-defined]
    assert headers(app, "/view")["X-Frame-Options"] == DENY
    options["frame_options"] = None
    assert "X-Frame-Options" not in headers(app, "/view")
    view.talisman_view_options = {}  # type: ignore[attr-defined]
    assert headers(app, "/view")["X-Frame-Options"] == SAMEORIGIN
    assert options == {"frame_options": None}  # 1.1.0 wrote the app's in here


def test_our_decorator_does_not_set_the_attribute() -> None:
    talisman = Talisman(make_app())

    @talisman(frame_options=DENY)
    def view() -> str:
        return "view"

    assert not hasattr(view, "talisman_view_options")


def test_unknown_names_in_the_view_attribute_warn_and_are_ignored() -> None:
    app = make_app()
    Talisman(app)

    @app.route("/view")
    def view() -> str:
        return "view"

    view.talisman_view_options = {  # type: ignore[attr-defined]
        "frame_option": DENY,
        "session_cookie_secure": False,
    }
    with pytest.warns(ConfigurationWarning) as record:
        got = headers(app, "/view")
    assert [str(w.message) for w in record] == [
        "the view 'view': talisman_view_options['frame_option'] is not an option; "
        "it is ignored. Did you mean 'frame_options'?",
        "the view 'view': talisman_view_options['session_cookie_secure'] configures "
        "the app as a whole, not one view; it is ignored. Pass it to Talisman(...) "
        "or init_app(...).",
    ]
    assert got["X-Frame-Options"] == SAMEORIGIN


def test_a_view_attribute_that_is_not_a_dict_warns_and_is_ignored() -> None:
    app = make_app()
    Talisman(app)

    @app.route("/view")
    def view() -> str:
        return "view"

    view.talisman_view_options = ["force_https"]  # type: ignore[attr-defined]
    with pytest.warns(ConfigurationWarning, match="not a dict of options"):
        assert headers(app, "/view")["X-Frame-Options"] == SAMEORIGIN


# -- repeated directives -------------------------------------------------------


def test_a_repeated_directive_keeps_the_last_value_in_the_first_place() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(
            app,
            content_security_policy=(
                "default-src 'self'; frame-ancestors 'none'; img-src *; "
                "frame-ancestors *"
            ),
        )
    assert headers(app)["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors *; img-src *"
    )
    (warning,) = record
    assert str(warning.message) == (
        "content_security_policy: directive 'frame-ancestors' is given more than "
        "once; the last value ('frame-ancestors *') replaces "
        "\"frame-ancestors 'none'\". Give it once to silence this warning."
    )


def test_a_directive_repeated_in_another_case_is_checked_every_time() -> None:
    with pytest.raises(ConfigurationError, match="should be quoted"):
        Talisman(
            make_app(),
            content_security_policy={"script-src": "self", "SCRIPT-SRC": "'self'"},
        )
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="more than once"):
        Talisman(
            app, content_security_policy={"script-src": "'self'", "SCRIPT-SRC": "*"}
        )
    assert headers(app)["Content-Security-Policy"] == "SCRIPT-SRC *"


# -- warnings that are right ---------------------------------------------------


@pytest.mark.parametrize(
    ("allow_from", "source"),
    [
        ("https://a.example", '"https://a.example"'),
        ("SAMEORIGIN", "\"'self'\""),
        ("a.example", '"a.example"'),
    ],
)
def test_allow_from_advice_gives_a_valid_csp_source(
    allow_from: str, source: str
) -> None:
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(
            make_app(), frame_options=ALLOW_FROM, frame_options_allow_from=allow_from
        )
    (warning,) = record
    assert f"'frame-ancestors': {source}" in str(warning.message)


def test_no_allow_from_advice_when_the_policy_has_frame_ancestors() -> None:
    app = make_app()
    Talisman(
        app,
        frame_options=ALLOW_FROM,
        frame_options_allow_from="https://a.example",
        content_security_policy={"frame-ancestors": "https://a.example"},
    )
    assert headers(app)["X-Frame-Options"] == "ALLOW-FROM https://a.example"


def test_a_warning_is_shown_once_for_one_configuration() -> None:
    app = make_app()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        talisman = Talisman(app, content_security_policy={"image-src": "*"})
        for _ in range(3):
            headers(app)
        talisman.frame_options = DENY  # recompiles the same policy
        headers(app)
    assert [str(w.message) for w in record] == [
        "content_security_policy: 'image-src' is not a known CSP directive and "
        "browsers will ignore it. Did you mean 'img-src'?"
    ]


# -- change detection at the edges -------------------------------------------


class NeverEqual(dict[str, Any]):
    """A policy that never compares equal, not even to its own copy."""

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


def test_an_object_that_never_equals_its_copy_is_compared_by_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flask_talisman.state as state_module

    compiles = []
    real = state_module.compile_policy
    monkeypatch.setattr(
        state_module, "compile_policy", lambda o: compiles.append(1) or real(o)
    )
    app = make_app()
    policy = NeverEqual({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    for _ in range(3):
        assert headers(app)["Content-Security-Policy"] == "default-src 'self'"
    assert len(compiles) == 1  # not recompiled on every request
    policy["img-src"] = "*"
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'; img-src *"


class ResizedWhileCopied(dict[str, Any]):
    """Copying it fails a few times, as a dict resized by another thread does."""

    failures = 0

    def items(self) -> Any:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("dictionary changed size during iteration")
        return super().items()


def test_a_policy_resized_while_copied_is_copied_again() -> None:
    app = make_app()
    policy = ResizedWhileCopied({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    policy["img-src"] = "*"
    policy.failures = 5
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'; img-src *"


def test_reordering_a_nested_dict_is_seen() -> None:
    app = make_app()
    Talisman(app)

    @app.route("/view")
    def view() -> str:
        return "view"

    options: dict[str, Any] = {
        "content_security_policy": {"default-src": "'self'", "img-src": "a.example"}
    }
    view.talisman_view_options = options  # type: ignore[attr-defined]
    assert headers(app, "/view")["Content-Security-Policy"] == (
        "default-src 'self'; img-src a.example"
    )
    options["content_security_policy"] = {
        "img-src": "a.example",
        "default-src": "'self'",
    }
    assert headers(app, "/view")["Content-Security-Policy"] == (
        "img-src a.example; default-src 'self'"
    )


class FailsOnceWhileIterated(dict[str, Any]):
    """Iterating it fails once as a dict edited by another thread would."""

    armed = False

    def __iter__(self) -> Any:
        if self.armed:
            self.armed = False
            raise RuntimeError("dictionary changed size during iteration")
        return super().__iter__()


def test_a_policy_edited_while_compared_is_treated_as_changed() -> None:
    app = make_app()
    policy = FailsOnceWhileIterated({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    headers(app)
    policy.armed = True
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


class FailsWhileCompared(dict[str, Any]):
    """Comparing it fails (twice) as a dict edited by another thread would."""

    failures = 0

    def __eq__(self, other: object) -> bool:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("dictionary changed size during iteration")
        return dict.__eq__(self, other)  # type: ignore[operator,no-any-return]

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


def test_a_policy_that_fails_while_compared_is_treated_as_changed() -> None:
    app = make_app()
    policy = FailsWhileCompared({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    headers(app)
    policy.failures = 2
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


def test_the_view_attribute_of_a_callable_object_is_read() -> None:
    app = make_app()
    Talisman(app)

    class Health:
        talisman_view_options = {"force_https": False}  # noqa: RUF012

        def __call__(self) -> str:
            return "ok"

    app.add_url_rule("/health", "health", Health())
    assert app.test_client().get("/health").status_code == 200


class Restless(NeverEqual):
    """Different every time it is looked at."""

    looks = 0

    def __repr__(self) -> str:
        Restless.looks += 1
        return f"Restless({Restless.looks})"


def test_an_object_that_changes_at_every_look_is_still_served() -> None:
    app = make_app()
    Talisman(app, content_security_policy=Restless({"default-src": "'self'"}))
    for _ in range(2):
        assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


def test_a_view_function_replaced_in_the_app_is_seen() -> None:
    app = make_app()
    talisman = Talisman(app)

    @talisman(frame_options=DENY)
    def replacement() -> str:
        return "replaced"

    assert headers(app)["X-Frame-Options"] == SAMEORIGIN
    app.view_functions["index"] = replacement
    assert headers(app)["X-Frame-Options"] == DENY


def test_a_callable_view_whose_attribute_lookup_fails_is_served() -> None:
    app = make_app()
    Talisman(app)

    class Fragile:
        def __getattr__(self, name: str) -> Any:
            if name == "talisman_view_options":
                raise RuntimeError(name)
            raise AttributeError(name)

        def __call__(self) -> str:
            return "ok"

    app.add_url_rule("/fragile", "fragile", Fragile())
    assert headers(app, "/fragile")["X-Frame-Options"] == SAMEORIGIN
