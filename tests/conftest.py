"""Shared helpers: a small app, requests, the header check and the contract runners."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Blueprint, Flask, make_response, render_template_string
from werkzeug.test import TestResponse

from flask_talisman import (
    DENY,
    SAMEORIGIN,
    ConfigurationError,
    Report,
    Talisman,
    report_received,
)

#: Every header Talisman may set, with the value the default options produce
#: on an HTTPS request (None: absent). The first block is exactly
#: flask-talisman 1.1.0's output; the headers added since are absent by default.
DEFAULT_HEADERS: dict[str, str | None] = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'",
    "Content-Security-Policy-Report-Only": None,
    "Strict-Transport-Security": "max-age=31556926; includeSubDomains",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "browsing-topics=()",
    "Document-Policy": None,
    "Feature-Policy": None,
    "X-XSS-Protection": None,
    "X-Download-Options": None,
    # added after 1.1.0
    "Cross-Origin-Opener-Policy": None,
    "Cross-Origin-Embedder-Policy": None,
    "Cross-Origin-Opener-Policy-Report-Only": None,
    "Cross-Origin-Embedder-Policy-Report-Only": None,
    "Permissions-Policy-Report-Only": None,
    "Cross-Origin-Resource-Policy": None,
    "Origin-Agent-Cluster": None,
    "X-DNS-Prefetch-Control": None,
    "X-Permitted-Cross-Domain-Policies": None,
    "Cache-Control": None,
    "Clear-Site-Data": None,
    "Integrity-Policy": None,
    "Integrity-Policy-Report-Only": None,
}

NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9_-]{32})'")
HTTPS = {"base_url": "https://localhost"}
HTTP = {"base_url": "http://localhost"}


class Shifty(str):
    """Equal to its text, rendered (``str``, ``format``) as a header injection."""

    __slots__ = ()

    def __str__(self) -> str:
        return "rendered;\r\nX: injected"

    def __format__(self, spec: str) -> str:
        return "formatted;\r\nX: injected"

    def __repr__(self) -> str:
        return "Shifty()"


def check(response: TestResponse, expected: Mapping[str, str | None]) -> None:
    """Assert every security header: ``expected`` over :data:`DEFAULT_HEADERS`.

    A value of ``None`` means the header must be absent; each header must
    appear at most once.
    """
    wanted = {**DEFAULT_HEADERS, **expected}
    for name, value in wanted.items():
        got = response.headers.getlist(name)
        if value is None:
            assert got == [], f"{name} should be absent, got {got!r}"
        else:
            assert got == [value], f"{name}: expected {value!r}, got {got!r}"


def make_app(name: str = "test_app") -> Flask:
    """A bare app with a few routes (no Talisman)."""
    app = Flask(name)
    app.config["SECRET_KEY"] = "test"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/other")
    def other() -> str:
        return "other"

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return "posted"

    return app


@pytest.fixture
def app() -> Flask:
    """The app pytest-flask's ``client`` fixture uses."""
    return make_app()


def add_view(
    app: Flask | Blueprint,
    path: str,
    *decorators: Callable[[Any], Any],
    renders_nonce: bool = False,
) -> Any:
    """Route ``path`` to a view under ``decorators``, outermost first.

    As if written ``@app.route(path)`` then ``@decorator``... over a function
    named and returning the last segment of ``path`` ("index" for ``/``).
    With ``renders_nonce`` the view returns the request's nonce instead.
    Returns the view as routed.
    """
    name = path.rstrip("/").rsplit("/", 1)[-1].replace("-", "_") or "index"

    def view() -> str:
        return render_template_string("{{ csp_nonce() }}") if renders_nonce else name

    view.__name__ = name
    decorated: Any = view
    for decorator in reversed(decorators):
        decorated = decorator(decorated)
    app.add_url_rule(path, view_func=decorated)
    return decorated


def add_cookie_view(app: Flask) -> None:
    """Route ``/cookies`` to a view that sets the cookies ``a=1`` and ``b=2``."""

    @app.route("/cookies")
    def cookies() -> Any:
        response = make_response("cookies")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response


def get(app: Flask, path: str = "/", **kwargs: Any) -> TestResponse:
    """A GET over HTTPS (unless ``kwargs`` say otherwise) that must succeed."""
    response = app.test_client().get(path, **{**HTTPS, **kwargs})
    assert response.status_code == 200
    return response


def shows(option: str, fragment: str) -> str:
    """A ``match`` pattern: the message names ``option``, then shows ``fragment``.

    ``fragment`` is taken literally (typically the ``repr`` of the bad value).
    """
    return re.escape(option) + ".*" + re.escape(fragment)


# -- contract tables ------------------------------------------------------------
#
# A header family's test file opens with two tables: CONTRACT rows
# ``(id, options, request, expected headers)`` and REFUSED rows
# ``(id, option, bad value, fragment the error shows after the option name)``.


def table(rows: Iterable[tuple[Any, ...]]) -> list[Any]:
    """Rows ``(id, *values)`` as ``pytest.param(*values, id=id)``."""
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


def assert_contract(
    options: dict[str, Any],
    request_kwargs: dict[str, Any],
    expected: dict[str, str | None],
) -> None:
    """``options`` give exactly ``expected`` (over the defaults) for ``request_kwargs``."""
    unknown = set(expected) - set(DEFAULT_HEADERS)
    assert not unknown, f"not a security header: {unknown}"
    app = make_app()
    Talisman(app, **options)
    check(get(app, **request_kwargs), expected)


# Every place an option can be configured. Each takes the options to apply.


def at_constructor(options: dict[str, Any]) -> None:
    Talisman(make_app(), **options)


def at_constructor_without_app(options: dict[str, Any]) -> None:
    Talisman(**options)


def at_init_app(options: dict[str, Any]) -> None:
    Talisman().init_app(make_app(), **options)


def at_app_config(options: dict[str, Any]) -> None:
    app = make_app()
    app.config.update({f"TALISMAN_{name.upper()}": v for name, v in options.items()})
    Talisman(app)


def at_decorator(options: dict[str, Any]) -> None:
    # The options are checked when the decorator is made, before any view.
    Talisman(make_app())(**options)


def at_attribute(options: dict[str, Any]) -> None:
    talisman = Talisman(make_app())
    for name, value in options.items():
        setattr(talisman, name, value)


PLACES: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("constructor", at_constructor),
    ("constructor-without-app", at_constructor_without_app),
    ("init_app", at_init_app),
    ("app-config", at_app_config),
    ("decorator", at_decorator),
    ("attribute", at_attribute),
]

#: Options that cannot be set per view at all (refused at the decorator).
PER_VIEW_REFUSED = {
    "session_cookie_secure",
    "session_cookie_http_only",
    "session_cookie_samesite",
}


def refused_everywhere(rows: Iterable[tuple[str, str, Any, str]]) -> list[Any]:
    """REFUSED rows at every place of :data:`PLACES` the option may be set."""
    return [
        pytest.param(configure, option, value, fragment, id=f"{place}-{row_id}")
        for place, configure in PLACES
        for row_id, option, value, fragment in rows
        if not (place == "decorator" and option in PER_VIEW_REFUSED)
    ]


def contract_test(
    contract: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]],
) -> Callable[..., None]:
    """The test of a CONTRACT table: each row's options give exactly its headers."""

    @pytest.mark.parametrize(("options", "request_kwargs", "expected"), table(contract))
    def test_contract(
        options: dict[str, Any],
        request_kwargs: dict[str, Any],
        expected: dict[str, str | None],
    ) -> None:
        assert_contract(options, request_kwargs, expected)

    return test_contract


def refused_test(refused: list[tuple[str, str, Any, str]]) -> Callable[..., None]:
    """The test of a REFUSED table: each row's value is refused wherever it is set."""

    @pytest.mark.parametrize(
        ("configure", "option", "value", "fragment"), refused_everywhere(refused)
    )
    def test_refused(
        configure: Callable[[dict[str, Any]], None],
        option: str,
        value: Any,
        fragment: str,
    ) -> None:
        with pytest.raises(ConfigurationError, match=shows(option, fragment)):
            configure({option: value})

    return test_refused


# -- helpers shared by several test files ----------------------------------------

INTEGRITY_DICT = {"blocked-destinations": ["script"], "endpoints": ["default"]}


INTEGRITY_HEADER = "blocked-destinations=(script), endpoints=(default)"


BOOL_OPTIONS = [
    "force_https",
    "force_https_permanent",
    "force_https_preserve_method",
    "trust_x_forwarded_proto",
    "force_file_save",
    "strict_transport_security",
    "strict_transport_security_preload",
    "strict_transport_security_include_subdomains",
    "content_security_policy_report_only",
    "session_cookie_secure",
    "session_cookie_http_only",
    "x_content_type_options",
    "x_xss_protection",
]


def headers(app: Flask, path: str = "/", **kwargs: Any) -> dict[str, str]:
    response = app.test_client().get(path, **(kwargs or HTTPS))
    return {name: NONCE_RE.sub("'nonce-N'", value) for name, value in response.headers}


@pytest.fixture
def disconnect_report_receivers() -> Any:
    """Disconnect every receiver of ``report_received`` after the test."""
    yield
    for receiver in list(report_received.receivers.values()):
        report_received.disconnect(receiver)


def collect_reports(app: Flask) -> list[Report]:
    """The reports ``app``'s receiver signals from now on, in a list."""
    received: list[Report] = []

    def collect(sender: Flask, report: Report) -> None:
        assert sender is app
        received.append(report)

    report_received.connect(collect, app, weak=False)
    return received


def strict_app(name: str = "app") -> Flask:
    app = make_app(name)
    app.testing = True  # a ConfigurationError reaches the test
    return app


def blueprint_app() -> tuple[Flask, Talisman]:
    t = Talisman()
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    reports = Blueprint("reports", __name__, url_prefix="/reports")

    @admin.route("/")
    def dashboard() -> str:
        return "dashboard"

    @admin.route("/embed")
    @t(frame_options=SAMEORIGIN)
    def embed() -> str:
        return "embed"

    @reports.route("/")
    def report_list() -> str:
        return "reports"

    @reports.route("/chart")
    @t.extend(content_security_policy={"img-src": "https://charts.example"})
    def chart() -> str:
        return "chart"

    t(frame_options=DENY, referrer_policy="no-referrer")(admin)
    t.extend(content_security_policy={"img-src": "data:"})(reports)
    admin.register_blueprint(reports)
    app = make_app()
    app.register_blueprint(admin)
    t.init_app(app)
    return app, t


# -- tests that need tools from outside ------------------------------------------

#: The comparisons with other packages install them from the package
#: registry: they run when this is set (to ``1``, or to ``required``, as in
#: CI, which fails them instead of skipping when that cannot be done).
REFERENCE_TESTS = "TALISMAN_REFERENCE_TESTS"


def unavailable(variable: str, what: str, reason: str) -> NoReturn:
    """Skip ``what`` for ``reason``, or fail where ``variable`` is ``required``."""
    if os.environ.get(variable) == "required":
        pytest.fail(f"{variable}=required, but {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason} (set {variable}=required to fail instead)")


def asked_for(variable: str, what: str, needs: str) -> None:
    """Skip ``what`` unless ``variable`` is set: it needs ``needs``.

    A contributor's ``pytest`` stays offline and quick; CI sets each
    variable to ``required``.
    """
    if not os.environ.get(variable):
        pytest.skip(f"{what} runs when {variable}=1 is set (it needs {needs})")


def pip_install(
    python: str, folder: Path, requirements: list[str], marker: Path
) -> None:
    """``pip install --target folder``, into a fresh folder renamed when done."""
    asked_for(REFERENCE_TESTS, "the comparison with another package", "the registry")
    if marker.exists():
        return
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            str(partial),
            *requirements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = partial / marker.relative_to(folder)
    if result.returncode != 0 or not installed.exists():
        shutil.rmtree(partial, ignore_errors=True)
        unavailable(
            REFERENCE_TESTS,
            "the comparison with another package",
            f"{requirements[0]} could not be installed: "
            + (result.stderr.strip().splitlines() or ["no output"])[-1],
        )
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Browser outcomes per engine, for docs/engines.rst (engine_table.py)."""
    if os.environ.get("TALISMAN_ENGINE_TABLE"):
        from .browser import engine_table

        engine_table.record(
            report.nodeid,
            report.when,
            report.outcome,
            hasattr(report, "wasxfail"),
            report.user_properties,
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("TALISMAN_ENGINE_TABLE")
    if path and not hasattr(session.config, "workerinput"):  # xdist's controller
        from .browser import engine_table

        engine_table.save(path)
