"""The Talisman extension: options in, hooks registered, per-view decorator."""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    has_app_context,
)
from flask import request as request_proxy
from werkzeug.datastructures import Headers

from .compose import Layer, apply_layers
from .cookies import apply_session_cookie_options, harden_response_cookies
from .errors import ConfigurationError, configuring, suggest, warn
from .headers.csp import csp_hash
from .https import https_url, is_secure
from .nonce import make_nonce
from .options import (
    PER_VIEW,
    SPECS,
    OptionStore,
    check_options,
    defaults,
    from_config,
)
from .policy import CompiledPolicy, HeaderSet, compile_policy
from .presets import resolve_preset
from .reports import RECEIVER_ENDPOINT, make_receiver

__all__ = ["Talisman", "csp_nonce"]

T = TypeVar("T")
_SAFE_ROOT = re.compile(
    r"https?://[A-Za-z0-9.:\[\]_-]+(?:/[A-Za-z0-9._~!$&'()*+=:@%/-]*)?\Z"
)
_MAX_WRAPPED = 32
# Options a per-view preset leaves as the app set them: how the app is
# reached (HTTPS redirect, proxies) and where its reports go.
_KEPT_BY_PRESETS = frozenset(
    {
        "force_https",
        "force_https_permanent",
        "force_https_preserve_method",
        "trust_x_forwarded_proto",
        "content_security_policy_report_uri",
        "content_security_policy_report_to",
        "cross_origin_opener_policy_report_to",
        "cross_origin_embedder_policy_report_to",
        "permissions_policy_report_to",
        "reporting_endpoints",
    }
)


def _current_request() -> Request:
    # The real object behind the proxy: one lookup instead of one per use.
    request: Request = request_proxy._get_current_object()  # type: ignore[attr-defined]
    return request


def set_headers(
    headers: Headers, pairs: tuple[tuple[str, str], ...], names: frozenset[str]
) -> None:
    """Set compiled header pairs, replacing any the response already has.

    The values were validated when the policy was compiled, so when none of
    the names is present yet (the usual case) the pairs are appended to the
    header list in one step instead of through :meth:`Headers.set`, which
    re-checks and scans for every header.
    """
    if type(headers) is Headers:
        existing: list[tuple[str, str]] = headers._list
        for key, _ in existing:
            if key.lower() in names:
                break
        else:
            existing.extend(pairs)
            return
    for name, value in pairs:
        headers[name] = value


def csp_nonce() -> str:
    """The current request's CSP nonce, or ``""`` if its policy uses none.

    Available in templates as ``{{ csp_nonce() }}``.
    """
    try:
        request = _current_request()
    except RuntimeError:  # outside a request
        return ""
    nonce: str = request.__dict__.get("csp_nonce", "")
    return nonce


class _AppState:
    """Talisman's state for one app, kept in ``app.extensions["talisman"]``."""

    __slots__ = (
        "__weakref__",
        "app_policy",
        "app_ref",
        "cache",
        "generation",
        "store",
        "talisman",
    )

    def __init__(self, talisman: Talisman, app: Flask, values: dict[str, Any]):
        self.talisman = talisman
        self.app_ref = weakref.ref(app)
        self.store = OptionStore(values, self._changed)
        self.cache: dict[str | None, CompiledPolicy] = {}
        self.generation = talisman._generation
        self.app_policy = compile_policy(self.store.values)

    def _changed(self, name: str) -> None:
        if name.startswith("report_receiver"):
            raise ConfigurationError(
                f"Talisman.{name}: the report receiver is registered by "
                "init_app; pass this option to Talisman(...) or init_app(...)."
            )
        # Compile now, so an inconsistent combination is refused here (and
        # the change rolled back by the store) rather than on a request.
        app_policy = compile_policy(self.store.values)
        views = self.check_views(self.store.values)
        self.app_policy = app_policy
        if name.startswith("session_cookie_"):
            # A configuration step taken by the user, not a per-request write.
            app = self.app_ref()
            if app is not None:
                apply_session_cookie_options(app, self.store.values)
        self.talisman._bump()
        self._warm(views)

    def policy_for(self, endpoint: str | None) -> CompiledPolicy:
        """The compiled policy for an endpoint (``None``: no route matched)."""
        if self.generation != self.talisman._generation:
            self._refresh()
        policy = self.cache.get(endpoint)
        if policy is None:
            policy = self._compile(endpoint)
            self.cache[endpoint] = policy
        return policy

    def _refresh(self) -> None:
        # The app policy is recompiled when this app's options change; a
        # change elsewhere (a decorator, another app) only empties the cache.
        self.cache.clear()
        self.generation = self.talisman._generation

    def check_views(
        self, values: Mapping[str, Any]
    ) -> dict[str | None, CompiledPolicy]:
        """Compile every decorated view of the app now, so a combination of
        view and app options that cannot work is refused while configuring
        rather than on the view's first request. Returns the policies."""
        compiled: dict[str | None, CompiledPolicy] = {}
        app = self.app_ref()
        if app is None:  # pragma: no cover - the app owns this state
            return compiled
        for endpoint in list(app.view_functions):
            layers = self._layers(app, endpoint)
            if layers:
                try:
                    with configuring(quiet=True):
                        compiled[endpoint] = compile_policy(
                            apply_layers(values, layers)
                        )
                except ConfigurationError as error:
                    raise ConfigurationError(
                        f"the view {endpoint!r} with the app's options: {error}"
                    ) from None
        return compiled

    def _warm(self, compiled: dict[str | None, CompiledPolicy]) -> None:
        # Policies just compiled for the current options: keep them.
        self.cache = compiled
        self.generation = self.talisman._generation

    def _layers(self, app: Flask, endpoint: str) -> list[Layer]:
        talisman = self.talisman
        layers: list[Layer] = []
        # Blueprints from the outermost in: "admin.users.list" is the view
        # "list" of the blueprint "users" nested in "admin".
        parts = endpoint.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            blueprint = app.blueprints.get(".".join(parts[:i]))
            entry = talisman._blueprints.get(id(blueprint))
            if entry is not None and entry[0] is blueprint:
                layers.extend(entry[1])
        layers.extend(talisman._layers_for_view(app.view_functions.get(endpoint)))
        return layers

    def _compile(self, endpoint: str | None) -> CompiledPolicy:
        app = self.app_ref()
        if endpoint is None or app is None:
            return self.app_policy
        layers = self._layers(app, endpoint)
        if not layers:
            return self.app_policy
        with configuring(quiet=True):
            return compile_policy(apply_layers(self.store.values, layers))


class Talisman:
    """HTTP security headers for a Flask app.

    ``Talisman(app, **options)`` or, in an app factory,
    ``talisman = Talisman(**options)`` then ``talisman.init_app(app)``. Every
    option is validated here; see :doc:`/options` for the list. Options can
    also come from ``TALISMAN_<OPTION>`` config keys; keyword arguments win.

    Options are readable and writable as attributes
    (``talisman.force_https = False``; dicts can be edited in place). Inside an
    app context they refer to that app's options; outside one, to the app
    most recently passed to :meth:`init_app`.
    """

    _generation: int
    _views: dict[int, tuple[object, list[Layer]]]
    _blueprints: dict[int, tuple[object, list[Layer]]]
    _explicit: set[str]
    _store: OptionStore
    _last_state: weakref.ref[_AppState] | None
    _preset: object
    _states: weakref.WeakSet[_AppState]

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        object.__setattr__(self, "_generation", 0)
        object.__setattr__(self, "_views", {})
        object.__setattr__(self, "_blueprints", {})
        object.__setattr__(self, "_explicit", set())
        object.__setattr__(self, "_last_state", None)
        object.__setattr__(self, "_states", weakref.WeakSet())
        with configuring():
            preset = options.pop("preset", None)
            resolve_preset(preset, "Talisman(preset=...)")
            object.__setattr__(self, "_preset", preset)
            checked = check_options(options, where="Talisman(...)")
            self._explicit.update(checked)
            object.__setattr__(
                self,
                "_store",
                OptionStore({**defaults(), **checked}, self._instance_changed),
            )
            if app is not None:
                self.init_app(app)

    def init_app(self, app: Flask, **options: Any) -> None:
        """Register Talisman on ``app``.

        ``options`` override, for this app only, those given to the
        constructor and in ``app.config``. Registering twice on one app raises
        :class:`RuntimeError`.
        """
        if "talisman" in app.extensions:
            raise RuntimeError(
                "Talisman is already registered on this app; call init_app "
                "once per app (Talisman(app) already calls it)."
            )
        with configuring():
            preset_name = options.pop(
                "preset", app.config.get("TALISMAN_PRESET", self._preset)
            )
            preset = check_options(
                resolve_preset(preset_name, "init_app(preset=...)"), where="preset"
            )
            from_cfg = check_options(from_config(app.config), where="app.config")
            checked = check_options(options, where="init_app(...)")
            values = defaults()
            values.update(preset)
            values.update(from_cfg)
            values.update({name: self._store.values[name] for name in self._explicit})
            values.update(checked)
            state = _AppState(self, app, values)
            state._warm(state.check_views(state.store.values))
        apply_session_cookie_options(app, state.store.values)
        app.extensions["talisman"] = state
        self._register_receiver(app, state)
        object.__setattr__(self, "_last_state", weakref.ref(state))
        self._states.add(state)
        app.before_request(self._make_before_request(app, state))
        app.after_request(self._make_after_request(state))
        app.jinja_env.globals["csp_nonce"] = csp_nonce
        app.jinja_env.globals["csp_hash"] = csp_hash

    def __call__(self, **options: Any) -> Callable[[T], T]:
        """Per-view options that replace the app's: ``@talisman(frame_options=DENY)``.

        Use it above or below ``@app.route``, on sync or async views and on
        class-based views (``decorators = [talisman(...)]``), or call it on a
        :class:`~flask.Blueprint` to set options for all of its views
        (``talisman(frame_options=DENY)(admin_bp)``). Options not given keep
        following the app's (or blueprint's), including later changes.
        Resolution, most specific last: preset < app < blueprint < view.
        ``preset="strict"`` (or another preset) first resets every per-view
        header option to that preset, so a blueprint can run a different
        preset from the app; the HTTPS-redirect and reporting options keep
        the app's values. Nothing is stored on the view function; it is returned
        unchanged.
        """
        return self._decorator("replace", options, "@talisman(...)")

    def extend(self, **options: Any) -> Callable[[T], T]:
        """Per-view options that add to the inherited policy.

        ``@talisman.extend(content_security_policy={"img-src": "https://cdn"})``
        appends sources to the inherited CSP (and allowlist items to the
        Permissions-Policy) instead of replacing it; a fetch directive the
        inherited policy lacks starts from ``default-src``'s sources. Other
        options are replaced, and ``False`` turns a header off. Like the plain
        decorator it applies to views and blueprints.
        """
        return self._decorator("extend", options, "@talisman.extend(...)")

    def _decorator(
        self, operation: Literal["replace", "extend"], options: Any, where: str
    ) -> Callable[[T], T]:
        with configuring():
            preset = options.pop("preset", None)
            checked = check_options(options, where=where, per_view=True)
            if preset is not None:
                if operation == "extend":
                    raise ConfigurationError(
                        f"{where}: preset= resets a view's options; use it "
                        "with @talisman(preset=...), not extend."
                    )
                # Every per-view option back to the preset's value (or the
                # default), then the options given beside it.
                base = {**defaults(), **resolve_preset(preset, f"{where} preset")}
                checked = {
                    **check_options(
                        {
                            k: v
                            for k, v in base.items()
                            if k in PER_VIEW and k not in _KEPT_BY_PRESETS
                        },
                        where="preset",
                        per_view=True,
                    ),
                    **checked,
                }
            # Show the warnings about the given values now; the full policy
            # is compiled with the app's options on first use (an incomplete
            # combination here may be completed by the app's).
            with contextlib.suppress(ConfigurationError):
                compile_policy(apply_layers(defaults(), [(operation, checked)]))
        layer: Layer = (operation, checked)
        # Against the apps already set up: refused when none of them could
        # complete the combination (init_app and later changes check the
        # views actually registered, blueprint options included).
        errors = []
        states = list(self._states)
        for state in states:
            try:
                with configuring(quiet=True):
                    compile_policy(apply_layers(state.store.values, [layer]))
            except ConfigurationError as error:
                errors.append(error)
        if states and len(errors) == len(states):
            raise ConfigurationError(
                f"{where} with the app's options: {errors[0]}"
            ) from None

        def decorator(target: T) -> T:
            if isinstance(target, Blueprint):
                registry = self._blueprints
            elif callable(target):
                registry = self._views
            else:
                raise TypeError(
                    f"{where} decorates a view function or a Blueprint, got {target!r}."
                )
            entry = registry.get(id(target))
            layers = [*entry[1], layer] if entry and entry[0] is target else [layer]
            registry[id(target)] = (target, layers)
            self._bump()
            return target

        return decorator

    # -- options as attributes ------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name in SPECS:
            return self._target().values[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if name in SPECS:
            self._target().set(name, value)
            return
        hint = suggest(name, SPECS)
        if hint and not name.startswith("_"):
            with configuring():
                warn(f"Talisman.{name} is not an option, so it changes nothing.{hint}")
        object.__setattr__(self, name, value)

    def _target(self) -> OptionStore:
        if has_app_context():
            state = current_app.extensions.get("talisman")
            if isinstance(state, _AppState) and state.talisman is self:
                return state.store
        last = self._last_state() if self._last_state is not None else None
        if last is not None:
            return last.store
        return self._store

    def _instance_changed(self, name: str) -> None:
        self._explicit.add(name)
        self._bump()

    def _bump(self) -> None:
        object.__setattr__(self, "_generation", self._generation + 1)

    def _layers_for_view(self, view: object) -> list[Layer]:
        # Follow __wrapped__ so options survive functools.wraps decorators
        # stacked between @app.route and @talisman(...).
        for _ in range(_MAX_WRAPPED):
            if view is None:
                break
            entry = self._views.get(id(view))
            if entry is not None and entry[0] is view:
                return entry[1]
            view = getattr(view, "__wrapped__", None)
        return []

    def _register_receiver(self, app: Flask, state: _AppState) -> None:
        values = state.store.values
        path = values["report_receiver"]
        if path is None:
            return
        view = make_receiver(
            app,
            values["report_receiver_max_bytes"],
            values["report_receiver_rate_limit"],
            values["report_receiver_sample_rate"],
        )
        app.add_url_rule(path, RECEIVER_ENDPOINT, view, methods=["POST"])
        # Browsers post reports from wherever the page was, plain HTTP too.
        self._views[id(view)] = (view, [("replace", {"force_https": False})])
        csrf = app.extensions.get("csrf")
        if csrf is not None and hasattr(csrf, "exempt"):
            csrf.exempt(view)

    # -- per-request hooks ----------------------------------------------------

    def _make_before_request(
        self, app: Flask, state: _AppState
    ) -> Callable[[], Response | None]:
        config = app.config

        def talisman_before_request() -> Response | None:
            request = _current_request()
            policy = state.policy_for(request.endpoint)
            secure = is_secure(request, policy.trust_x_forwarded_proto)
            headers = policy.secure if secure else policy.insecure
            if policy.force_https and not secure and not app.debug:
                request._talisman = (headers, "")  # type: ignore[attr-defined]
                url = https_url(request, config)
                if url is not None:
                    return app.redirect(url, code=policy.redirect_code)  # type: ignore[return-value]
            nonce = ""
            if policy.uses_nonce:
                nonce = request.csp_nonce = make_nonce()  # type: ignore[attr-defined]
            # Kept on the request, not on g: g belongs to the app context,
            # which can outlive one request (a test's pushed context).
            request._talisman = (headers, nonce)  # type: ignore[attr-defined]
            return None

        return talisman_before_request

    def _make_after_request(self, state: _AppState) -> Callable[[Response], Response]:
        def talisman_after_request(response: Response) -> Response:
            request = _current_request()
            data: tuple[HeaderSet, str] | None = request.__dict__.get("_talisman")
            if data is None:
                # The before-request hook did not run for this request (an
                # earlier hook failed or returned a response), or it failed
                # to compile the view's policy: fall back to the app's.
                try:
                    policy = state.policy_for(request.endpoint)
                except ConfigurationError:
                    policy = state.app_policy
                secure = is_secure(request, policy.trust_x_forwarded_proto)
                data = (policy.secure if secure else policy.insecure, "")
            header_set, nonce = data
            pairs = header_set.static
            if header_set.templated:
                # A redirect or an early failure made no nonce; the header
                # still gets a fresh one rather than an empty source.
                nonce = nonce or make_nonce()
                pairs += tuple(
                    [(name, nonce.join(parts)) for name, parts in header_set.templated]
                )
            if header_set.origin_templated:
                root = request.url_root.rstrip("/")
                # The Host header is the client's: only a plain host name
                # may go into a header value.
                if _SAFE_ROOT.match(root):
                    pairs = pairs + tuple(
                        [
                            (name, root.join(parts))
                            for name, parts in header_set.origin_templated
                        ]
                    )
            set_headers(response.headers, pairs, header_set.names)
            if header_set.cookies is not None:
                harden_response_cookies(
                    response.headers, header_set.cookies, header_set.secure
                )
            return response

        return talisman_after_request
