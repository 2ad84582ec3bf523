"""Each shortcut of ``flask_talisman/wire.py`` against its plain public form.

Every piece is timed as one request uses it (the default configuration on
an HTTPS request: a response with Flask's two headers gets six), inside a
pushed request context, and the plain form beside it. The plain forms are
written out here; the package keeps only the form that won.

    python benchmarks/wire.py                 # ns per request (timeit)
    python benchmarks/wire.py --instructions  # instructions per request (valgrind)

Instruction counts are from callgrind: one run of the setup alone and one
with ``--count`` calls of each form; the difference divided by the count.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from types import FunctionType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _callgrind import callgrind
from flask import Flask, request
from werkzeug.datastructures import Headers

import flask_talisman
from flask_talisman import Talisman
from flask_talisman.policy import HeaderSet

app = Flask("bench")


@app.route("/")
def index() -> str:
    return "hello"


Talisman(app)
context = app.test_request_context("/", base_url="https://localhost")
context.push()
real = request._get_current_object()  # type: ignore[attr-defined]
real._talisman = ("header set", "", "")
policy: HeaderSet = app.extensions["talisman"].policy_for("index").secure
PAIRS = policy.static
NAMES = policy.names
FLASK_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "5")]
ATTRIBUTE = "talisman_view_options"


# -- the request object: once per hook, or the proxy on every use ------------
# The hooks use the request four times per request: the endpoint, is_secure,
# storing the per-request data (before) and reading it (after).


def proxy_uses() -> None:
    request.endpoint  # noqa: B018
    request.is_secure  # noqa: B018
    request._talisman = ("header set", "", "")  # type: ignore[attr-defined]
    getattr(request, "_talisman", None)


def object_once_per_hook() -> None:
    r = request._get_current_object()  # type: ignore[attr-defined]
    r.endpoint  # noqa: B018
    r.is_secure  # noqa: B018
    r._talisman = ("header set", "", "")
    r = request._get_current_object()  # type: ignore[attr-defined]
    getattr(r, "_talisman", None)


# -- reading per-request data off the request (after_request, csp_nonce) -----


def getattr_present() -> None:
    getattr(real, "_talisman", None)


def dict_present() -> None:
    real.__dict__.get("_talisman")


def getattr_missing() -> None:
    getattr(real, "csp_nonce", "")


def dict_missing() -> None:
    real.__dict__.get("csp_nonce", "")


# -- the view's talisman_view_options (every request, to see it changed) -----


def view_getattr() -> None:
    try:  # noqa: SIM105 - the form _view_attribute_of uses
        getattr(index, ATTRIBUTE, None)
    except Exception:
        pass


def view_dict() -> None:
    if type(index) is FunctionType:
        index.__dict__.get(ATTRIBUTE)
    else:
        getattr(index, ATTRIBUTE, None)


# -- setting the compiled headers on a response without them -----------------


def headers_fresh() -> None:
    Headers(FLASK_HEADERS)


def headers_setitem() -> None:
    headers = Headers(FLASK_HEADERS)
    for name, value in PAIRS:
        headers[name] = value


def headers_extend() -> None:
    headers = Headers(FLASK_HEADERS)
    for key, _ in headers:
        if key.lower() in NAMES:
            break
    else:
        headers.extend(PAIRS)


def headers_list() -> None:
    headers = Headers(FLASK_HEADERS)
    existing = headers._list  # type: ignore[attr-defined]
    for key, _ in existing:
        if key.lower() in NAMES:
            break
    else:
        existing.extend(PAIRS)


# -- the nonce ----------------------------------------------------------------


def nonce_token_urlsafe() -> None:
    secrets.token_urlsafe(24)


def nonce_b64_urandom() -> None:
    base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")


def nothing() -> None:
    pass


# (piece, [(form, function)], what to subtract: the setup each form repeats)
PIECES: list[tuple[str, list[tuple[str, Callable[[], None]]], Callable[[], None]]] = [
    (
        "request object (4 uses)",
        [("proxy each use", proxy_uses), ("_get_current_object", object_once_per_hook)],
        nothing,
    ),
    (
        "per-request data, present",
        [("getattr", getattr_present), ("__dict__.get", dict_present)],
        nothing,
    ),
    (
        "per-request data, missing",
        [("getattr", getattr_missing), ("__dict__.get", dict_missing)],
        nothing,
    ),
    (
        "view attribute",
        [("getattr", view_getattr), ("__dict__.get", view_dict)],
        nothing,
    ),
    (
        "6 headers onto 2",
        [
            ("headers[name] =", headers_setitem),
            ("Headers.extend", headers_extend),
            ("Headers._list.extend", headers_list),
        ],
        headers_fresh,
    ),
    (
        "nonce",
        [
            ("secrets.token_urlsafe(24)", nonce_token_urlsafe),
            ("b64encode(os.urandom(24))", nonce_b64_urandom),
        ],
        nothing,
    ),
]
FUNCTIONS = {
    function.__name__: function
    for _, forms, base in PIECES
    for function in [base, *(f for _, f in forms)]
}


def nanoseconds(function: Callable[[], None], number: int, repeat: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e9


def instructions(name: str, count: int) -> int:
    return callgrind(__file__, "--call", name, "--count", str(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--call", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.call is not None:
        function = FUNCTIONS[args.call]
        for _ in range(args.count):
            function()
        return
    unit = "instructions" if args.instructions else "ns"
    print(f"flask_talisman from {Path(flask_talisman.__file__).parent}")
    print(f"{'piece':28} {'form':28} {unit:>12} {'vs first':>9}")
    if args.instructions:
        count = args.count or 2000
        zero = instructions("nothing", 0)

        def measure(function: Callable[[], None]) -> float:
            return (instructions(function.__name__, count) - zero) / count

    else:
        count = args.count or 100_000

        def measure(function: Callable[[], None]) -> float:
            return nanoseconds(function, count, 7)

    for piece, forms, base in PIECES:
        subtract = measure(base)
        first = None
        for form, function in forms:
            cost = measure(function) - subtract
            first = cost if first is None else first
            print(f"{piece:28} {form:28} {cost:12,.0f} {cost - first:+9,.0f}")
            piece = ""


if __name__ == "__main__":
    main()
