"""The Talisman extension: options in, hooks registered, per-view decorator."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    has_app_context,
)
from werkzeug.exceptions import HTTPException

from .compose import Layer, apply_layers
from .cookies import apply_session_cookie_options, harden_response_cookies
from .errors import ConfigurationError, configuring, suggest, warn
from .headers.csp import csp_hash
from .https import https_url, is_secure, origin
from .nonce import make_nonce
from .options import (
    PER_VIEW,
    SPECS,
    Watch,
    check_options,
    check_value,
    defaults,
    from_config,
    normalize,
    own,
    unchanged,
    watch,
)
from .policy import CompiledPolicy, HeaderSet, compile_policy
from .presets import resolve_preset
from .reports import RECEIVER_ENDPOINT, make_receiver
from .views import Registry
from .wire import current_request, set_headers

if TYPE_CHECKING:  # typing_extensions is needed by type checkers only
    from typing_extensions import Unpack

    from .option_types import TalismanOptions, ViewOptions

__all__ = ["Talisman", "csp_nonce"]

T = TypeVar("T")
_MAX_WRAPPED = 32
# Copies of the options taken while another thread keeps editing them: after
# this many, the last is used (and the next request copies again).
_READ_ATTEMPTS = 8
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


def csp_nonce() -> str:
    """The current request's CSP nonce, or ``""`` if its policy uses none.

    Available in templates as ``{{ csp_nonce() }}``.
    """
    try:
        request = current_request()
    except RuntimeError:  # outside a request
        return ""
    nonce: str = getattr(request, "csp_nonce", "")
    return nonce


#: The per-view options attribute flask-talisman 1.1.0 read from a view
#: function. Applications set it themselves; Talisman reads it, never writes it.
VIEW_OPTIONS_ATTRIBUTE = "talisman_view_options"

Result = CompiledPolicy | ConfigurationError
_NOTHING = Watch()


class _ViewEntry:
    """One endpoint's compiled policy (or why it cannot be compiled)."""

    __slots__ = ("attribute", "error", "policy", "view", "watched")

    def __init__(
        self,
        view: object,
        attribute: object,
        watched: Watch,
        result: Result,
    ) -> None:
        self.view = view
        self.attribute = attribute
        self.watched = watched
        self.policy = result if isinstance(result, CompiledPolicy) else None
        self.error = result if isinstance(result, ConfigurationError) else None

    def changed(self, view: object) -> bool:
        """Whether ``view`` (the endpoint's function now) needs a new entry."""
        return (
            view is not self.view
            or _view_attribute_of(view) is not self.attribute
            or (self.watched is not _NOTHING and not unchanged(self.watched))
        )


class _Compiled:
    """One consistent reading of an app's options and what was compiled from it.

    Never changed once built, except that endpoints' entries are added to
    ``views``; a change of options builds a new one, swapped in whole.
    """

    __slots__ = ("app", "values", "version", "views", "watched")

    def __init__(
        self, version: int, values: dict[str, Any], watched: Watch, app: Result
    ) -> None:
        self.version = version
        self.values = values
        self.watched = watched
        self.app = app
        self.views: dict[str | None, _ViewEntry] = {}


def _read(values: Mapping[str, Any]) -> tuple[dict[str, Any], Watch]:
    # Copies of the options, and what tells when the user edits one.
    items = list(values.items())
    copies, watched = watch(value for _, value in items)
    return {name: copy for (name, _), copy in zip(items, copies, strict=True)}, watched


def _view_attribute_of(view: object) -> object:
    """``view.talisman_view_options``, or ``None``."""
    if view is None:
        return None
    try:
        return getattr(view, VIEW_OPTIONS_ATTRIBUTE, None)
    except Exception:  # a callable object whose attribute lookup fails
        return None


def _view_attribute(endpoint: str | None, options: object) -> dict[str, Any]:
    # What flask-talisman 1.1.0 read from ``view.talisman_view_options``:
    # options a view can set; anything else is ignored, as 1.1.0 did.
    where = f"the view {endpoint!r}: {VIEW_OPTIONS_ATTRIBUTE}"
    if not isinstance(options, Mapping):
        warn(f"{where} is {options!r}, not a dict of options; it is ignored.")
        return {}
    kept: dict[str, Any] = {}
    for name, value in options.items():
        if name in PER_VIEW:
            kept[name] = value
        elif name in SPECS:
            warn(
                f"{where}[{name!r}] configures the app as a whole, not one view; "
                "it is ignored. Pass it to Talisman(...) or init_app(...)."
            )
        else:
            warn(
                f"{where}[{name!r}] is not an option; it is ignored."
                + suggest(str(name), PER_VIEW)
            )
    return kept


def _session_options(values: Mapping[str, Any]) -> dict[str, Any]:
    return normalize({k: v for k, v in values.items() if k.startswith("session_")})


def _fresh(error: ConfigurationError) -> ConfigurationError:
    # Raised anew each time, so that no traceback grows request after request.
    return ConfigurationError(str(error), options=error.options)


class _AppState:
    """Talisman's state for one app, kept in ``app.extensions["talisman"]``.

    ``values`` holds the app's options as the user gave them. Per request,
    :meth:`policy_for` returns the compiled policy of the endpoint: it
    recompiles only when an option was assigned or a dict or list among them
    was edited in place, and the check for that is a comparison with copies.
    """

    __slots__ = (
        "__weakref__",
        "after_hook",
        "app_ref",
        "before_hook",
        "compiled",
        "cookie_hook",
        "last_good",
        "lock",
        "talisman",
        "values",
        "version",
        "view_functions",
    )

    def __init__(self, talisman: Talisman, app: Flask, values: dict[str, Any]) -> None:
        #: Whether the app has Talisman's last-running cookie hook.
        self.cookie_hook = False
        #: The app's before- and after-request hooks (for previews).
        self.before_hook: Callable[[], Response | None] | None = None
        self.after_hook: Callable[[Response], Response] | None = None
        self.talisman = talisman
        self.app_ref = weakref.ref(app)
        self.view_functions = app.view_functions
        self.values = values
        self.version = 0
        self.lock = threading.RLock()
        copies, watched = _read(values)
        policy = self._compile(copies, [], None)
        if isinstance(policy, ConfigurationError):
            raise _fresh(policy)
        self.last_good: CompiledPolicy = policy
        self.compiled = _Compiled(0, copies, watched, policy)

    # -- options --------------------------------------------------------------

    def invalidate(self) -> None:
        """Compile again on the next request (a decorator was registered)."""
        with self.lock:
            self.version += 1

    def set(self, name: str, value: Any) -> None:
        """Store one option (already checked on its own)."""
        if name.startswith("report_receiver"):
            raise ConfigurationError(
                f"Talisman.{name}: the report receiver is registered by "
                "init_app; pass this option to Talisman(...) or init_app(...)."
            )
        with self.lock:
            self.values[name] = value
            self.version += 1
        if name == "harden_cookies" and value:
            app = self.app_ref()
            if app is not None:  # pragma: no branch - the app owns this state
                self.talisman._add_cookie_hook(app, self)
        if name.startswith("session_cookie_"):
            # A configuration step taken by the user, not a per-request write.
            app = self.app_ref()
            if app is not None:  # pragma: no branch - the app owns this state
                apply_session_cookie_options(app, _session_options(self.values))

    # -- compiled policies ----------------------------------------------------

    def policy_for(self, endpoint: str | None) -> CompiledPolicy:
        """The compiled policy for an endpoint (``None``: no route matched).

        Raises :class:`ConfigurationError` when the endpoint's options, as
        they are now, cannot work together.
        """
        # The per-request path: a few comparisons when nothing changed.
        compiled = self.compiled
        entry = compiled.views.get(endpoint)
        if (
            entry is None
            or compiled.version != self.version
            or entry.changed(
                None if endpoint is None else self.view_functions.get(endpoint)
            )
            or not unchanged(compiled.watched)
        ):
            entry = self._entry(endpoint)
        policy = entry.policy
        if policy is None:
            raise _fresh(entry.error)  # type: ignore[arg-type]
        return policy

    def _current(self) -> _Compiled:
        compiled = self.compiled
        if compiled.version == self.version and unchanged(compiled.watched):
            return compiled
        with self.lock:
            compiled = self.compiled
            if compiled.version == self.version and unchanged(compiled.watched):
                return compiled  # another thread has just recompiled
            copies, watched = self._read_consistently()
            app_result = self._compile(copies, [], None)
            if isinstance(app_result, CompiledPolicy):
                self.last_good = app_result
            compiled = _Compiled(self.version, copies, watched, app_result)
            self.compiled = compiled
            return compiled

    def _read_consistently(self) -> tuple[dict[str, Any], Watch]:
        # Copy the options; if another thread edited one meanwhile, copy
        # again, so that the copies are one state the options were in (not
        # one dict from before an edit and another from after the next).
        for _ in range(_READ_ATTEMPTS):
            version = self.version
            copies, watched = _read(self.values)
            if version == self.version and unchanged(watched):
                break
        return copies, watched

    def _entry(self, endpoint: str | None) -> _ViewEntry:
        compiled = self._current()
        entry = compiled.views.get(endpoint)
        view = self.view_functions.get(endpoint) if endpoint is not None else None
        if entry is None or entry.changed(view):
            entry = self._compile_view(compiled, endpoint, view)
            compiled.views[endpoint] = entry
        return entry

    def _compile_view(
        self, compiled: _Compiled, endpoint: str | None, view: object
    ) -> _ViewEntry:
        attribute = _view_attribute_of(view)
        layers, watched = self._copied_layers(endpoint, view, attribute)
        if not layers:
            return _ViewEntry(view, attribute, _NOTHING, compiled.app)
        result = self._compile(compiled.values, layers, endpoint)
        return _ViewEntry(view, attribute, watched, result)

    def _copied_layers(
        self, endpoint: str | None, view: object, attribute: object
    ) -> tuple[list[Layer], Watch]:
        sources = self._layers(endpoint, view, attribute)
        if not sources:
            return [], _NOTHING
        # Copies of every layer's options: the compile reads these, so an
        # edit made meanwhile on another thread cannot reach it halfway.
        copies, watched = watch(options for _, (_, options) in sources)
        layers: list[Layer] = []
        with configuring(self.talisman._warned):
            for (kind, (operation, _)), copy in zip(sources, copies, strict=True):
                if kind == "attribute":
                    copy = _view_attribute(endpoint, copy)
                layers.append((operation, copy))
        return layers, watched

    def options_for(self, endpoint: str | None) -> dict[str, Any]:
        """The endpoint's options as its policy is compiled from them.

        Each option in its normal form, after preset < app < blueprint <
        view. Raises :class:`ConfigurationError` as :meth:`policy_for` does.
        """
        compiled = self._current()
        view = self.view_functions.get(endpoint) if endpoint is not None else None
        layers, _ = self._copied_layers(endpoint, view, _view_attribute_of(view))
        with configuring(self.talisman._warned):
            return normalize(
                apply_layers(compiled.values, layers) if layers else compiled.values
            )

    def _layers(
        self, endpoint: str | None, view: object, attribute: object
    ) -> list[tuple[str, Layer]]:
        """The option layers over the app's, outermost first, with their kind."""
        if endpoint is None:
            return []
        talisman = self.talisman
        layers: list[tuple[str, Layer]] = []
        # Blueprints from the outermost in: "admin.users.list" is the view
        # "list" of the blueprint "users" nested in "admin".
        app = self.app_ref()
        parts = endpoint.split(".")[:-1]
        if app is not None:  # pragma: no branch - the app owns this state
            for i in range(1, len(parts) + 1):
                blueprint = app.blueprints.get(".".join(parts[:i]))
                layers.extend(
                    ("decorator", layer)
                    for layer in talisman._blueprints.get(blueprint)
                )
        if endpoint == RECEIVER_ENDPOINT and self.values["report_receiver"]:
            # Browsers post reports from wherever the page was, plain HTTP too.
            layers.append(("receiver", ("replace", {"force_https": False})))
        if attribute is not None:
            # Checked and filtered on a copy, in _compile_view.
            layers.append(("attribute", ("replace", attribute)))  # type: ignore[arg-type]
        layers.extend(("decorator", layer) for layer in talisman._layers_for_view(view))
        return layers

    def _compile(
        self, values: Mapping[str, Any], layers: list[Layer], endpoint: str | None
    ) -> Result:
        try:
            with configuring(self.talisman._warned):
                resolved = apply_layers(values, layers) if layers else values
                return compile_policy(normalize(resolved))
        except ConfigurationError as error:
            if endpoint is None:
                return error
            return ConfigurationError(
                f"the view {endpoint!r} with the app's options: {error}",
                options=error.options,
            )

    def problems(self) -> list[ConfigurationError]:
        """Compile the app's policy and every view's now; return what fails."""
        found: list[ConfigurationError] = []
        app_result = self._current().app
        if isinstance(app_result, ConfigurationError):
            found.append(app_result)
        for endpoint in list(self.view_functions):
            error = self._entry(endpoint).error
            if error is not None and error is not app_result:
                found.append(error)
        return found


class Talisman:
    """HTTP security headers for a Flask app.

    ``Talisman(app, **options)`` or, in an app factory,
    ``talisman = Talisman(**options)`` then ``talisman.init_app(app)``. See
    :doc:`/options` for the options. Options can also come from
    ``TALISMAN_<OPTION>`` config keys; keyword arguments win.

    Options are readable and writable as attributes
    (``talisman.force_https = False``), as in flask-talisman 1.1.0: the
    object you assign is the object kept, and dicts and lists can be edited
    in place, also through your own reference. Inside an app context they
    refer to that app's options; outside one, to the app most recently
    passed to :meth:`init_app`. A value that is wrong on its own is refused
    when assigned; a combination is checked when it is used (see
    :doc:`/options`, "When options are checked").
    """

    _views: Registry
    _blueprints: Registry
    _explicit: set[str]
    _values: dict[str, Any]
    _last_state: weakref.ref[_AppState] | None
    _preset: object
    _states: weakref.WeakSet[_AppState]
    _warned: set[str]

    def __init__(
        self, app: Flask | None = None, **options: Unpack[TalismanOptions]
    ) -> None:
        internal: dict[str, object] = {
            "_views": Registry(),
            "_blueprints": Registry(),
            "_last_state": None,
            "_states": weakref.WeakSet(),
            "_warned": set(),
        }
        for name, value in internal.items():
            object.__setattr__(self, name, value)
        with configuring(self._warned):
            preset = options.pop("preset", None)
            resolve_preset(preset, "Talisman(preset=...)")
            checked = check_options(options, where="Talisman(...)")
        object.__setattr__(self, "_preset", preset)
        object.__setattr__(self, "_explicit", set(checked))
        object.__setattr__(self, "_values", {**defaults(), **checked})
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **options: Unpack[TalismanOptions]) -> None:
        """Register Talisman on ``app``.

        ``options`` override, for this app only, those given to the
        constructor and in ``app.config``. The options are checked, on their
        own and together, before anything is registered: a
        :class:`ConfigurationError` leaves the app untouched. Registering twice
        on one app raises :class:`RuntimeError`.
        """
        with configuring(self._warned):
            preset_name = options.pop(
                "preset", app.config.get("TALISMAN_PRESET", self._preset)
            )
            preset = check_options(
                resolve_preset(preset_name, "init_app(preset=...)"), where="preset"
            )
            from_cfg = check_options(from_config(app.config), where="app.config")
            checked = check_options(options, where="init_app(...)")
            values = defaults()
            # A preset's dicts are copied: editing the app's options in place
            # must not change the preset for other apps.
            values.update(_read(preset)[0])
            values.update(from_cfg)
            # Options given to Talisman(...), assigned before init_app, or
            # (dicts and lists) edited in place before it.
            fresh = defaults()
            values.update(
                {
                    name: value
                    for name, value in self._values.items()
                    if name in self._explicit or value != fresh[name]
                }
            )
            values.update(checked)
            # Every combination is checked here, before a second registration
            # is refused (flask-talisman 1.1.0 refused report_only without a
            # report URI first, too).
            state = _AppState(self, app, values)
        if "talisman" in app.extensions:
            raise RuntimeError(
                "Talisman is already registered on this app; call init_app "
                "once per app (Talisman(app) already calls it)."
            )
        apply_session_cookie_options(app, _session_options(values))
        app.extensions["talisman"] = state
        self._register_receiver(app, values)
        object.__setattr__(self, "_last_state", weakref.ref(state))
        self._states.add(state)
        state.before_hook = self._make_before_request(app, state)
        state.after_hook = self._make_after_request(app, state)
        app.before_request(state.before_hook)
        app.after_request(state.after_hook)
        if values["harden_cookies"] or any(
            layer[1].get("harden_cookies")
            for registry in (self._views, self._blueprints)
            for layers in registry.layers()
            for layer in layers
        ):
            self._add_cookie_hook(app, state)
        app.jinja_env.globals["csp_nonce"] = csp_nonce
        app.jinja_env.globals["csp_hash"] = csp_hash

    def check(self, app: Flask | None = None) -> None:
        """Compile the options of ``app`` and of each of its views now.

        Raises :class:`ConfigurationError` naming every endpoint whose options
        cannot work together, which the first request to it would otherwise
        raise. ``app`` defaults to the current app (or the one most recently
        passed to :meth:`init_app`). Use it in a test, or after changing
        several options at run time.
        """
        state = self._state_of(app)
        if state is None:
            raise RuntimeError(
                "Talisman.check(): Talisman is not registered on this app; "
                "call init_app(app) first."
            )
        problems = state.problems()
        if problems:
            raise ConfigurationError(
                "; ".join(str(problem) for problem in problems),
                options=tuple(
                    dict.fromkeys(name for p in problems for name in p.options)
                ),
            )

    def __call__(self, **options: Unpack[ViewOptions]) -> Callable[[T], T]:
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
        the app's values. Nothing is stored on the view function; it is
        returned unchanged.
        """
        return self._decorator("replace", options, "@talisman(...)")

    def extend(self, **options: Unpack[ViewOptions]) -> Callable[[T], T]:
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
        with configuring(self._warned):
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
                reset = {
                    k: v
                    for k, v in base.items()
                    if k in PER_VIEW and k not in _KEPT_BY_PRESETS
                }
                checked = {**check_options(reset, where="preset"), **checked}
        layer: Layer = (operation, checked)
        # The decorator's own combination is refused now when every option
        # it involves is given here. Otherwise the app's options may complete
        # it (even ones set later): that is checked when the view is used.
        try:
            with configuring(quiet=True):
                compile_policy(normalize(apply_layers(defaults(), [layer])))
        except ConfigurationError as error:
            if error.options and set(error.options) <= set(checked):
                raise ConfigurationError(
                    f"{where}: {error}", options=error.options
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
            registry.add(target, layer)
            self._bump()
            if checked.get("harden_cookies"):
                for state in list(self._states):
                    app = state.app_ref()
                    if app is not None:  # pragma: no branch - the app owns it
                        self._add_cookie_hook(app, state)
            return target

        return decorator

    # -- options as attributes ------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name in SPECS:
            state = self._state_of(None)
            return (state.values if state is not None else self._values)[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if name in SPECS:
            # Only the value on its own: the options it goes with may be set
            # on the next lines, so combinations are checked when used.
            with configuring(self._warned):
                check_value(name, value)
            value = own(value)
            state = self._state_of(None)
            if state is None:
                self._values[name] = value
                self._explicit.add(name)
            else:
                state.set(name, value)
            return
        hint = suggest(name, SPECS)
        if hint and not name.startswith("_"):
            with configuring(self._warned):
                warn(f"Talisman.{name} is not an option, so it changes nothing.{hint}")
        object.__setattr__(self, name, value)

    def _state_of(self, app: Flask | None) -> _AppState | None:
        """This extension's state on ``app``, the current app or the last one."""
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            state = app.extensions.get("talisman")
            if isinstance(state, _AppState) and state.talisman is self:
                return state
        elif app is not None:
            state = app.extensions.get("talisman")
            if isinstance(state, _AppState) and state.talisman is self:
                return state
            return None
        return self._last_state() if self._last_state is not None else None

    def _bump(self) -> None:
        # Views and blueprints gained options: every app compiles again.
        for state in list(self._states):
            state.invalidate()

    def _layers_for_view(self, view: object) -> tuple[Layer, ...]:
        # Follow __wrapped__ so options survive functools.wraps decorators
        # stacked between @app.route and @talisman(...).
        for _ in range(_MAX_WRAPPED):
            if view is None:
                break
            layers = self._views.get(view)
            if layers:
                return layers
            view = getattr(view, "__wrapped__", None)
        return ()

    def _register_receiver(self, app: Flask, values: Mapping[str, Any]) -> None:
        options = normalize(
            {name: values[name] for name in SPECS if name.startswith("report_receiver")}
        )
        path = options["report_receiver"]
        if path is None:
            return
        view = make_receiver(
            app,
            options["report_receiver_max_bytes"],
            options["report_receiver_rate_limit"],
            options["report_receiver_sample_rate"],
        )
        app.add_url_rule(path, RECEIVER_ENDPOINT, view, methods=["POST"])
        csrf = app.extensions.get("csrf")
        if csrf is not None and hasattr(csrf, "exempt"):
            csrf.exempt(view)

    # -- per-request hooks ----------------------------------------------------

    def _make_before_request(
        self, app: Flask, state: _AppState
    ) -> Callable[[], Response | None]:
        config = app.config

        def talisman_before_request() -> Response | None:
            request = current_request()
            policy = state.policy_for(request.endpoint)
            secure = is_secure(request, policy.trust_x_forwarded_proto)
            headers = policy.secure if secure else policy.insecure
            if policy.force_https and not secure and not app.debug:
                request._talisman = (headers, "", "")  # type: ignore[attr-defined]
                url = https_url(request, config)
                if url is not None:
                    return app.redirect(url, code=policy.redirect_code)  # type: ignore[return-value]
            root = ""
            if headers.origin_templated:
                # 400 for a Host the endpoints' origin cannot name: one the
                # app does not serve, or no host name at all.
                root = origin(request, secure, config)
            nonce = ""
            if policy.uses_nonce:
                nonce = request.csp_nonce = make_nonce()  # type: ignore[attr-defined]
            # Kept on the request, not on g: g belongs to the app context,
            # which can outlive one request (a test's pushed context).
            request._talisman = (headers, nonce, root)  # type: ignore[attr-defined]
            return None

        return talisman_before_request

    def _make_after_request(
        self, app: Flask, state: _AppState
    ) -> Callable[[Response], Response]:
        config = app.config

        def talisman_after_request(response: Response) -> Response:
            request = current_request()
            data: tuple[HeaderSet, str, str] | None = getattr(
                request, "_talisman", None
            )
            if data is None:
                # The before-request hook did not run for this request (an
                # earlier hook failed or returned a response), or it raised
                # because the options cannot work together: then this error
                # response gets the last complete header set that compiled,
                # never a partial one.
                try:
                    policy = state.policy_for(request.endpoint)
                except ConfigurationError:
                    policy = state.last_good
                secure = is_secure(request, policy.trust_x_forwarded_proto)
                data = (policy.secure if secure else policy.insecure, "", "")
                request._talisman = data  # type: ignore[attr-defined]
            header_set, nonce, root = data
            if header_set.origin_templated and not root:
                # Relative reporting endpoints, resolved against this request's
                # origin, when the before-request hook did not (a redirect, an
                # early failure). A Host it refused (400) gets the headers
                # without reporting, so no report-to names a missing endpoint.
                try:
                    root = origin(request, header_set.secure, config)
                except HTTPException:
                    header_set = header_set.no_origin  # type: ignore[assignment]
            pairs = header_set.static
            if header_set.templated:
                # A redirect or an early failure made no nonce; the header
                # still gets a fresh one rather than an empty source.
                nonce = nonce or make_nonce()
                pairs += tuple(
                    [(name, nonce.join(parts)) for name, parts in header_set.templated]
                )
            if header_set.origin_templated:
                pairs = pairs + tuple(
                    [
                        (name, root.join(parts))
                        for name, parts in header_set.origin_templated
                    ]
                )
            set_headers(response.headers, pairs, header_set.names)
            if header_set.cookies is not None and not state.cookie_hook:
                # harden_cookies turned on after the app started serving:
                # hardened here, after the hooks registered after Talisman.
                harden_response_cookies(
                    response.headers, header_set.cookies, header_set.secure
                )
            return response

        return talisman_after_request

    def _add_cookie_hook(self, app: Flask, state: _AppState) -> None:
        # Flask runs app-wide after-request hooks last-registered first: at
        # the front of the list, cookies are hardened after every other hook
        # has run, whoever set them and whenever it was registered. Only
        # added while the app is set up (never once it serves requests, when
        # another thread may be running the list), and only where cookie
        # hardening is asked for, since every hook costs each request.
        if state.cookie_hook or app._got_first_request:
            return
        app.after_request_funcs.setdefault(None, []).insert(0, self._make_cookie_hook())
        state.cookie_hook = True

    def _make_cookie_hook(self) -> Callable[[Response], Response]:
        def talisman_harden_cookies(response: Response) -> Response:
            data: tuple[HeaderSet, str, str] | None = getattr(
                current_request(), "_talisman", None
            )
            if data is not None and data[0].cookies is not None:
                header_set = data[0]
                harden_response_cookies(
                    response.headers,
                    header_set.cookies,  # type: ignore[arg-type]
                    header_set.secure,
                )
            return response

        return talisman_harden_cookies
