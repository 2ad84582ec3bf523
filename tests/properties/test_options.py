"""Properties: any value, through any entry point, is refused or sent clean.

Every option gets hostile values (control characters, non-ASCII, separators,
quotes, long values, wrong types, str subclasses, enums, bytes, generators
and other one-shot iterators, sets) through every entry
point: the constructor, ``init_app``, ``TALISMAN_*`` config, the decorators
on a view and on a blueprint, attribute assignment and in-place edits. The
invariant: either a :class:`ConfigurationError` (while configuring, or from
the request that uses an in-place edit), or every response is below 500,
every header value is printable ASCII, every structured header parses, and a
CSP nonce is the one the page got from ``csp_nonce()``.

Deterministic (``derandomize=True``) and bounded so the suite stays well
under a minute.
"""

from __future__ import annotations

import copy
import enum
import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import http_sf
from flask import Blueprint, Flask, render_template_string
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flask_talisman import ConfigurationError, ConfigurationWarning, Talisman
from flask_talisman.options import PER_VIEW, SPECS

from ..conftest import Shifty
from ..headers.test_structured_fields import STRUCTURED

SETTINGS = settings(
    derandomize=True,
    max_examples=int(os.environ.get("TALISMAN_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")
NONCE = re.compile(r"'nonce-([^']*)'")
# Options fixed at init_app (the receiver) are left to their own tests.
OPTIONS = sorted(name for name in SPECS if not name.startswith("report_receiver"))


class Choice(str, enum.Enum):
    SAME_ORIGIN = "same-origin"
    SELF = "'self'"


#: Characters that break headers, structured fields and CSP.
HOSTILE = "\r\n\x00\x7f\t ;,\"'()=:*?@\\/\u00e9\u2028"
words = st.sampled_from(
    [
        "'self'", "'none'", "self", "*", "()", "(self)", "?0", "1.5", "DENY",
        "same-origin", "no-store", "script-src", "https://a.example", "/r",
        "cache", "default", "strict-origin", "Lax", "0", "img-src",
    ]
)  # fmt: skip
hostile_text = st.text(alphabet=st.sampled_from(HOSTILE) | st.characters(), max_size=12)
strings = st.one_of(
    words,
    hostile_text,
    st.builds(lambda a, b: a + b, words, hostile_text),
    st.builds(Shifty, words),
    st.sampled_from(list(Choice)),
    st.text(min_size=300, max_size=400),
)
scalars = st.one_of(
    strings,
    st.booleans(),
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=8),
    # One-shot iterables: read once, and must not be read as empty later.
    st.builds(lambda xs: (x for x in xs), st.lists(words, max_size=3)),
    st.builds(lambda xs: iter(xs), st.lists(words, max_size=3)),
    st.frozensets(words, max_size=3),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(strings, inner, max_size=4),
    ),
    max_leaves=8,
)


#: Values each option accepts, which the strategies below start from.
VALID: dict[str, list[Any]] = {
    "feature_policy": [{"camera": "'none'"}, "vibrate 'none'; camera 'self'"],
    "permissions_policy": [
        {"camera": "()", "geolocation": ["self", "https://a.example"]},
        "camera=(), fullscreen=(self)", {"usb": True, "payment": False},
    ],
    "document_policy": [{"document-write": False, "oversized-images": 2.5},
                        "document-write=?0"],
    "frame_options": ["DENY", "SAMEORIGIN", "deny", None],
    "frame_options_allow_from": ["https://a.example", None],
    "strict_transport_security_max_age": [0, 600, 31536000],
    "content_security_policy": [
        {"default-src": "'self'", "img-src": ["'self'", "data:"]},
        "default-src 'self'; frame-ancestors 'none'; frame-ancestors *",
        {"script-src": ["'self'", "'nonce'"], "style-src": "'self'"}, None, {},
    ],
    "content_security_policy_report_uri": ["/csp", "https://r.example/csp"],
    "content_security_policy_report_only": [
        False, {"default-src": "'none'"}, "default-src 'self'",
    ],
    "content_security_policy_report_only_nonce_in": [["script-src"], None],
    "content_security_policy_nonce_in": [["script-src"], "script-src style-src", []],
    "referrer_policy": ["no-referrer", ["no-referrer", "strict-origin"], None],
    "session_cookie_samesite": ["Strict", "lax", None],
    "x_xss_protection": [True, False, "0"],
    "cross_origin_opener_policy": ["same-origin", "same-origin-allow-popups"],
    "cross_origin_embedder_policy": ["require-corp", "credentialless"],
    "cross_origin_opener_policy_report_only": ["same-origin", "noopener-allow-popups"],
    "cross_origin_embedder_policy_report_only": ["require-corp", "credentialless"],
    "permissions_policy_report_only": [{"camera": [], "geolocation": ["self"]},
                                       "fullscreen=(self)"],
    "cross_origin_resource_policy": ["same-origin", "cross-origin"],
    "origin_agent_cluster": [True, False, None],
    "x_dns_prefetch_control": ["off", "on"],
    "x_permitted_cross_domain_policies": ["none", "master-only"],
    "cache_control": ["no-store", "no-cache, max-age=0"],
    "clear_site_data": [["cache", "cookies"], "storage"],
    "integrity_policy": [{"blocked-destinations": ["script"]}],
    "integrity_policy_report_only": [{"blocked-destinations": ["script"]}],
    "reporting_endpoints": [{"main": "https://r.example/", "rel": "/r"}],
    "reporting_sample_rate": [0.5, 1, 0.01],
    "content_security_policy_report_to": ["main", False],
    "cross_origin_opener_policy_report_to": ["main", False],
    "cross_origin_embedder_policy_report_to": ["main", False],
    "permissions_policy_report_to": ["main", False],
    "harden_cookies_samesite": ["Strict", "None"],
    "harden_cookies_include": [["a"], "a"],
    "harden_cookies_exclude": [["a"]],
    "x_robots_tag": ["noindex, nofollow", ["googlebot: noindex", "max-snippet: 20"]],
    "cross_origin_protection": [True, "report-only", False],
    "resource_isolation": [True, "report-only", False],
    "cross_origin_trusted_origins": [["https://a.example"], "http://a.example:8080",
                                     {"https://b.example", "https://a.example"}],
}  # fmt: skip

#: Options whose default is the only valid value the strategies need.
DEFAULT_IS_ENOUGH = frozenset(
    {"report_receiver_max_bytes", "report_receiver_rate_limit",
     "report_receiver_sample_rate", "report_receiver", "report_receiver_file",
     "report_receiver_file_max_bytes"}
)  # fmt: skip


def test_every_option_with_values_has_valid_examples() -> None:
    # A new option's property tests start from values it accepts: give them.
    missing = {
        name
        for name, spec in SPECS.items()
        if not isinstance(spec.default, bool)
        and name not in VALID
        and name not in DEFAULT_IS_ENOUGH
    }
    assert not missing, f"add accepted values for {sorted(missing)} to VALID"


def mutate(value: Any, text: str) -> Any:
    """``value`` with ``text`` added to (or a subclass swapped for) its strings."""
    if isinstance(value, str):
        return value + text if text else Shifty(value)
    if isinstance(value, dict):
        return {mutate(k, text): mutate(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [mutate(v, text) for v in value]
    return value


def option_values(name: str) -> st.SearchStrategy[Any]:
    """Valid values for ``name``, the same with hostile text, and anything."""
    default = SPECS[name].default
    valid = st.sampled_from(
        VALID.get(name, [True, False, None] if isinstance(default, bool) else [default])
    )
    return st.one_of(
        valid,
        valid,
        st.builds(mutate, valid, st.sampled_from(HOSTILE) | st.just("")),
        values,
    )


options = st.sampled_from(OPTIONS).flatmap(
    lambda name: st.tuples(st.just(name), option_values(name))
)
view_options = st.sampled_from(sorted(PER_VIEW)).flatmap(
    lambda name: st.tuples(st.just(name), option_values(name))
)


@contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigurationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def make_app() -> Flask:
    app = Flask("properties")
    app.testing = True  # a ConfigurationError from a request reaches us
    app.config["SECRET_KEY"] = "properties"

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ csp_nonce() }}")

    return app


def assert_clean(app: Flask, paths: tuple[str, ...] = ("/", "/missing")) -> None:
    """Requests either fail with ConfigurationError or are sent clean."""
    client = app.test_client()
    for path in paths:
        for kwargs in (
            {"base_url": "https://localhost"},
            {},
            {"headers": {"X-Forwarded-Proto": "https"}},
        ):
            try:
                response = client.get(path, **kwargs)
            except ConfigurationError:
                event("refused by the request")
                continue  # an in-place edit or a combination, refused when used
            assert response.status_code < 500
            for name, value in response.headers:
                assert PRINTABLE.match(value), (name, value)
                kind = STRUCTURED.get(name)
                if kind is not None:
                    http_sf.parse(value.encode(), tltype=kind)
            body = response.get_data(as_text=True)
            csp = response.headers.get("Content-Security-Policy", "")
            nonces = set(NONCE.findall(csp))
            if body and response.status_code == 200 and nonces:
                assert nonces == {body}, (nonces, body)


def configure(entry: Callable[[], Any]) -> bool:
    """Run one configuration step; False when it is refused."""
    try:
        entry()
    except ConfigurationError:
        event("refused while configuring")
        return False
    event("accepted")
    return True


@SETTINGS
@given(option=options, extra=st.lists(options, max_size=3))
def test_constructor(option: tuple[str, Any], extra: list[tuple[str, Any]]) -> None:
    app = make_app()
    name, value = option
    given = dict(extra)
    given[name] = value
    with quiet():
        if configure(lambda: Talisman(app, **given)):
            assert_clean(app)


@SETTINGS
@given(option=options)
def test_init_app_and_config(option: tuple[str, Any]) -> None:
    name, value = option
    with quiet():
        app = make_app()
        if configure(lambda: Talisman().init_app(app, **{name: value})):
            assert_clean(app)
        app = make_app()
        app.config[f"TALISMAN_{name.upper()}"] = value
        if configure(lambda: Talisman(app)):
            assert_clean(app)


@SETTINGS
@given(option=view_options, extend=st.booleans(), on_blueprint=st.booleans())
def test_decorators(option: tuple[str, Any], extend: bool, on_blueprint: bool) -> None:
    name, value = option
    app = make_app()
    with quiet():
        talisman = Talisman(app)
        decorate = talisman.extend if extend else talisman
        bp = Blueprint("bp", __name__)

        def view() -> str:
            return render_template_string("{{ csp_nonce() }}")

        try:
            decorator = decorate(**{name: value})
        except ConfigurationError:
            event("refused while configuring")
            return
        event("accepted")
        if on_blueprint:
            decorator(bp)
        else:
            view = decorator(view)
        bp.add_url_rule("/view", "view", view)
        app.register_blueprint(bp, url_prefix="/bp")
        assert_clean(app, ("/bp/view", "/"))


@SETTINGS
@given(steps=st.lists(options, min_size=1, max_size=4))
def test_attribute_assignments(steps: list[tuple[str, Any]]) -> None:
    app = make_app()
    with quiet():
        talisman = Talisman(app)
        for name, value in steps:  # a sequence, as 1.1.0 code writes them
            if configure(lambda n=name, v=value: setattr(talisman, n, v)):
                assert getattr(talisman, name) is value or value is None
        assert_clean(app)


container_options = st.sampled_from(
    [
        ("content_security_policy", {"default-src": ["'self'"]}),
        ("permissions_policy", {"camera": ["self"]}),
        ("document_policy", {"document-write": False}),
        ("reporting_endpoints", {"main": "https://r.example/"}),
        ("integrity_policy", {"blocked-destinations": ["script"]}),
        ("content_security_policy_nonce_in", ["script-src"]),
        ("clear_site_data", ["cache"]),
    ]
)


@SETTINGS
@given(
    option=container_options,
    key=st.one_of(words, words, strings),
    value=st.one_of(words, st.lists(words, max_size=3), st.booleans(), values),
    nested=st.booleans(),
)
def test_in_place_edits(
    option: tuple[str, Any], key: Any, value: Any, nested: bool
) -> None:
    name, initial = option
    app = make_app()
    with quiet():
        # The object passed is the object held: a fresh one per example.
        talisman = Talisman(app, **{name: copy.deepcopy(initial)})
        held = getattr(talisman, name)
        if isinstance(held, dict):
            inner = next(iter(held.values()))
            if nested and isinstance(inner, list):
                inner.append(value)
            else:
                held[key] = value
        else:
            held.append(value)
        assert_clean(app)
        assert getattr(talisman, name) is held  # the user's object, kept
