"""Per-request overhead of security-header extensions, against bare Flask.

Run from the project root::

    python benchmarks/run.py            # full run (about a minute)
    python benchmarks/run.py --quick    # fewer rounds

Every scenario is a small app called through ``app.wsgi_app`` in this one
process. Rounds are interleaved (every scenario once per round, in a rotating
order), and each scenario's result is the median of its rounds; the spread
column is the range of the round medians. Overhead is the median minus the
median of the matching bare-Flask app measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _vendor
from flask import Blueprint, Flask, render_template
from jinja2 import DictLoader

import flask_talisman
from flask_talisman import DENY, Talisman

TEMPLATE = "<script nonce='{{ csp_nonce() }}'>1</script><p>{{ text }}</p>"
#: What our default configuration sends on an HTTPS response.
DEFAULT_HEADERS = [
    ("Permissions-Policy", "browsing-topics=()"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Content-Security-Policy", "default-src 'self'; object-src 'none'"),
    ("Strict-Transport-Security", "max-age=31556926; includeSubDomains"),
]
NONCE_IN = {"content_security_policy_nonce_in": ["script-src"]}


def plain_app(template: bool = False) -> Flask:
    app = Flask("bench")
    app.jinja_loader = DictLoader({"page.html": TEMPLATE})

    @app.route("/")
    def index() -> str:
        if template:
            return render_template("page.html", text="hello")
        return "hello"

    return app


def bare(template: bool = False) -> Flask:
    app = plain_app(template)
    app.jinja_env.globals["csp_nonce"] = lambda: ""  # same template work
    return app


def hand_written() -> Flask:
    app = bare()

    @app.after_request
    def security_headers(response: Any) -> Any:
        for name, value in DEFAULT_HEADERS:
            response.headers[name] = value
        return response

    return app


def ours(template: bool = False, **options: Any) -> Flask:
    app = plain_app(template)
    Talisman(app, **options)
    return app


def blueprint_app(talisman: Talisman | None, decorate: bool) -> Flask:
    """The view inside a blueprint; decorated at both levels or not at all."""
    bp = Blueprint("admin", __name__)

    def index() -> str:
        return "hello"

    if talisman is not None and decorate:
        index = talisman.extend(
            content_security_policy={"img-src": "https://img.example"}
        )(index)
        talisman(frame_options=DENY)(bp)
    bp.add_url_rule("/", view_func=index)
    app = Flask("bench")
    app.register_blueprint(bp)
    if talisman is not None:
        talisman.init_app(app)
    return app


def bare_hook(extra: bool) -> Flask:
    """Bare Flask with an after_request hook that appends one header or none.

    The difference between the two is what Werkzeug's serialisation of one
    more response header costs, whoever adds it (the hook appends to the
    header list directly, as Talisman's fast path does).
    """
    app = bare()

    @app.after_request
    def one_header(response: Any) -> Any:
        if extra:
            response.headers._list.append(
                ("Vary", "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest")
            )
        return response

    return app


def flask_talisman_110(template: bool = False, **options: Any) -> Flask:
    app = plain_app(template)
    _vendor.flask_talisman_110().Talisman(app, **options)
    return app


def secure_default() -> Flask:
    app = bare()
    headers = _vendor.secure().Secure.with_default_headers()

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers.set_headers(response)
        return response

    return app


# name -> (factory, the bare app it is measured against)
SCENARIOS: dict[str, tuple[Callable[[], Flask], str]] = {
    "bare Flask": (bare, "bare Flask"),
    "bare Flask, template": (lambda: bare(True), "bare Flask, template"),
    "hand-written after_request hook": (hand_written, "bare Flask"),
    "ours, default (1.1.0-compatible)": (ours, "bare Flask"),
    "ours, nonce'd CSP in a template": (
        lambda: ours(True, **NONCE_IN),
        "bare Flask, template",
    ),
    "bare Flask, blueprint view": (
        lambda: blueprint_app(None, False),
        "bare Flask, blueprint view",
    ),
    "ours, blueprint view, undecorated": (
        lambda: blueprint_app(Talisman(), False),
        "bare Flask, blueprint view",
    ),
    "ours, blueprint view, per-view + blueprint options": (
        lambda: blueprint_app(Talisman(), True),
        "bare Flask, blueprint view",
    ),
    "ours, balanced preset": (lambda: ours(preset="balanced"), "bare Flask"),
    "ours, strict preset": (lambda: ours(preset="strict"), "bare Flask"),
    "ours, strict preset, receiver": (
        lambda: ours(preset="strict", report_receiver="/r"),
        "bare Flask",
    ),
    "ours, strict preset, receiver, reporting_sample_rate 0.1": (
        lambda: ours(preset="strict", report_receiver="/r", reporting_sample_rate=0.1),
        "bare Flask",
    ),
    "flask-talisman 1.1.0, default": (flask_talisman_110, "bare Flask"),
    "flask-talisman 1.1.0, nonce'd CSP in a template": (
        lambda: flask_talisman_110(True, **NONCE_IN),
        "bare Flask, template",
    ),
    "secure 2.0.1, default headers": (secure_default, "bare Flask"),
    # A browser's request (Fetch Metadata), for the cross-origin checks.
    "bare Flask, browser request": (bare, "bare Flask, browser request"),
    "ours, default, browser request": (ours, "bare Flask, browser request"),
    "ours, both cross-origin checks on, same-origin fetch": (
        lambda: ours(cross_origin_protection=True, resource_isolation=True),
        "bare Flask, browser request",
    ),
    "ours, both cross-origin checks on, cross-site link": (
        lambda: ours(cross_origin_protection=True, resource_isolation=True),
        "bare Flask, browser request",
    ),
    "ours, cross_origin_protection only, same-origin fetch": (
        lambda: ours(cross_origin_protection=True),
        "bare Flask, browser request",
    ),
    "ours, resource_isolation only, same-origin fetch": (
        lambda: ours(resource_isolation=True),
        "bare Flask, browser request",
    ),
    "ours, resource_isolation report-only, same-origin fetch": (
        lambda: ours(resource_isolation="report-only"),
        "bare Flask, browser request",
    ),
    # What one more response header costs a bare app (Werkzeug's part).
    "bare Flask, after_request hook": (
        lambda: bare_hook(False),
        "bare Flask, after_request hook",
    ),
    "bare Flask, after_request hook, one more header": (
        lambda: bare_hook(True),
        "bare Flask, after_request hook",
    ),
}
#: Request headers of the scenarios that stand for a browser's request.
SAME_ORIGIN_FETCH = {
    "HTTP_SEC_FETCH_SITE": "same-origin",
    "HTTP_SEC_FETCH_MODE": "cors",
    "HTTP_SEC_FETCH_DEST": "empty",
}
CROSS_SITE_LINK = {
    "HTTP_SEC_FETCH_SITE": "cross-site",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_DEST": "document",
}
ENVIRONS: dict[str, dict[str, str]] = {
    "bare Flask, browser request": SAME_ORIGIN_FETCH,
    "ours, default, browser request": SAME_ORIGIN_FETCH,
    "ours, both cross-origin checks on, same-origin fetch": SAME_ORIGIN_FETCH,
    "ours, both cross-origin checks on, cross-site link": CROSS_SITE_LINK,
    "ours, cross_origin_protection only, same-origin fetch": SAME_ORIGIN_FETCH,
    "ours, resource_isolation only, same-origin fetch": SAME_ORIGIN_FETCH,
    "ours, resource_isolation report-only, same-origin fetch": SAME_ORIGIN_FETCH,
}
RATIOS = [
    (
        "ours / flask-talisman 1.1.0, default",
        "ours, default (1.1.0-compatible)",
        "flask-talisman 1.1.0, default",
    ),
    (
        "ours / flask-talisman 1.1.0, nonce'd template",
        "ours, nonce'd CSP in a template",
        "flask-talisman 1.1.0, nonce'd CSP in a template",
    ),
    (
        "ours / hand-written hook, same headers",
        "ours, default (1.1.0-compatible)",
        "hand-written after_request hook",
    ),
    (
        "both cross-origin checks on / default, same-origin",
        "ours, both cross-origin checks on, same-origin fetch",
        "ours, default, browser request",
    ),
    (
        "per-view + blueprint options / undecorated",
        "ours, blueprint view, per-view + blueprint options",
        "ours, blueprint view, undecorated",
    ),
]


#: (label, scenario, the scenario it is compared with): printed as a difference.
#: The cross-origin checks' cost above the default on the same browser request.
DIFFERENCES = [
    (
        f"{checks} / default, {request}",
        f"ours, {checks}, {request}",
        "ours, default, browser request",
    )
    for checks, request in (
        ("cross_origin_protection only", "same-origin fetch"),
        ("resource_isolation only", "same-origin fetch"),
        ("resource_isolation report-only", "same-origin fetch"),
        ("both cross-origin checks on", "same-origin fetch"),
        ("both cross-origin checks on", "cross-site link"),
    )
]


def environ(scenario: str | None = None) -> dict[str, Any]:
    """The WSGI environ of a scenario's request (an HTTPS GET of ``/``)."""
    return {
        **ENVIRONS.get(scenario or "", {}),
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "https",
        "wsgi.input": None,
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
    assert status.startswith("200"), status


def time_requests(app: Flask, count: int, scenario: str | None = None) -> float:
    """Microseconds per request, over ``count`` requests."""
    call = app.wsgi_app
    base = environ(scenario)
    start = time.perf_counter()
    for _ in range(count):
        body = call(dict(base), start_response)
        body.close()  # type: ignore[attr-defined]
    return (time.perf_counter() - start) / count * 1e6


def check(apps: dict[str, Flask]) -> None:
    """Each app answers 200 with the headers it is meant to add."""
    for name, app in apps.items():
        response = app.test_client().get("/", base_url="https://localhost")
        assert response.status_code == 200, name
        if not name.startswith("bare") and "undecorated" not in name:
            assert "X-Content-Type-Options" in response.headers, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="per round")
    parser.add_argument("--quick", action="store_true", help="5 rounds of 500")
    parser.add_argument("--json", type=Path, help="also write results here")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests = 5, 500
    _vendor.install()
    apps = {name: factory() for name, (factory, _) in SCENARIOS.items()}
    check(apps)
    for name, app in apps.items():  # warm up caches and code paths
        time_requests(app, 200, name)
    samples: dict[str, list[float]] = {name: [] for name in apps}
    names = list(apps)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(time_requests(apps[name], args.requests, name))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(
        f"{args.rounds} interleaved rounds of {args.requests} requests; "
        f"Python {platform.python_version()}, Flask {version('flask')}, "
        f"Werkzeug {version('werkzeug')}; {platform.platform()}"
    )
    print(f"{'scenario':52} {'µs/req':>8} {'spread':>15} {'overhead µs':>12}")
    overhead = {}
    for name, (_, baseline) in SCENARIOS.items():
        values = samples[name]
        overhead[name] = medians[name] - medians[baseline]
        spread = f"{min(values):.1f}-{max(values):.1f}"
        print(f"{name:52} {medians[name]:8.1f} {spread:>15} {overhead[name]:12.1f}")
    print()
    ratios = {}
    for label, top, bottom in RATIOS:
        ratios[label] = overhead[top] / overhead[bottom]
        print(f"{label:52} {ratios[label]:8.2f}")
    print()
    differences = {}
    for label, top, bottom in DIFFERENCES:
        differences[label] = medians[top] - medians[bottom]
        print(f"{label:52} {differences[label]:8.1f} µs")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "flask_talisman": flask_talisman.__name__,
                    "rounds": args.rounds,
                    "requests_per_round": args.requests,
                    "median_us": medians,
                    "overhead_us": overhead,
                    "ratios": ratios,
                    "differences_us": differences,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
