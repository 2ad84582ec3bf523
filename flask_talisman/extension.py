"""The Talisman extension: options in, hooks registered, per-view decorator."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from random import random
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    has_app_context,
)
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from .caching import (
    PRIVATE,
    body_uses_nonce,
    cached_view,
    forget,
    is_stale,
    make_private,
    render_again,
)
from .compose import apply_layers
from .cookies import (
    SESSION_OPTIONS,
    apply_session_cookie_options,
    harden_response_cookies,
)
from .cross_origin_protection import add_vary, judge
from .errors import ConfigurationError, suggest, warn
from .hashes import InlineExtension, inline_hashes
from .https import https_url, is_secure, mount_path, origin
from .nonce import is_valid_nonce, make_nonce
from .options import (
    DEFAULT_NORMAL,
    KEPT_BY_PRESETS,
    PER_VIEW,
    SPECS,
    Checked,
    check_kept,
    check_options,
    checked_defaults,
    defaults,
    from_config,
    own,
    watch,
)
from .policy import CompiledPolicy, HeaderSet, Pairs, compile_policy, mounted
from .presets import resolve_preset
from .reports import RECEIVER_OPTIONS, register_receiver
from .state import AppState, normal_layer
from .views import Registry
from .wire import append_headers, current_request, set_headers

if TYPE_CHECKING:  # typing_extensions is needed by type checkers only
    from typing_extensions import Unpack

    from .option_types import TalismanOptions, ViewOptions

__all__ = ["Talisman", "csp_nonce"]

T = TypeVar("T")

_logger = logging.getLogger("flask_talisman")


def csp_nonce() -> str:
    """The current request's CSP nonce, or ``""`` if its policy uses none.

    Available in templates as ``{{ csp_nonce() }}``. It is the nonce the
    response's CSP header carries, wherever it is called during the
    request: in a view, an error handler, or a template rendered by a hook
    that runs before Talisman's (which then makes the nonce). A valid
    ``request.csp_nonce`` set by the application before Talisman's hook
    runs is used, as in flask-talisman 1.1.0. Calling it also marks the
    response as one whose body holds the nonce, which keeps it out of
    shared caches (see :doc:`/caching`).
    """
    try:
        request = current_request()
    except RuntimeError:  # outside a request
        return ""
    data: tuple[HeaderSet, str, str] | None = getattr(request, "_talisman", None)
    made = "" if data is None else data[1]
    current: object = getattr(request, "csp_nonce", None)
    if made and current is made:
        request._talisman_used = True  # type: ignore[attr-defined]
        return made
    state = current_app.extensions.get("talisman")
    if not isinstance(state, AppState) or not (
        _policy_or_last_good(state, request.endpoint).uses_nonce
    ):
        # No nonce in the header: the app's own request.csp_nonce, if it set
        # one, as flask-talisman 1.1.0 returned it.
        return current if isinstance(current, str) else ""
    nonce = _settle_nonce(request)
    request._talisman_used = True  # type: ignore[attr-defined]
    return nonce


#: ``request._talisman_used`` when the page rendered a hashed tag but has
#: not asked for its nonce (``True`` once it has).
_HASHED = "hashed"


def _hashed_page() -> None:
    # A csp_script or csp_style tag rendered in this request. If its hash
    # came after the policies were compiled (its template was compiled in
    # this request), the after-request hook picks the headers again: it does
    # so for requests without Talisman's data, and the nonce and origin this
    # request already has are kept aside.
    try:
        request = current_request()
    except RuntimeError:  # rendered outside a request
        return
    if getattr(request, "_talisman_used", None) is not True:
        # True (the nonce was asked for) says more; one attribute for both
        # keeps the after-request hook to one lookup.
        request._talisman_used = _HASHED  # type: ignore[attr-defined]
    state = current_app.extensions.get("talisman")
    if isinstance(state, AppState) and state.lacks_hashes():
        state.invalidate()  # even before the registry has told it
        data = getattr(request, "_talisman", None)
        if data is not None:
            request._talisman_kept = data[1:]  # type: ignore[attr-defined]
            request._talisman = None  # type: ignore[attr-defined]


def _policy_or_last_good(state: AppState, endpoint: str | None) -> CompiledPolicy:
    # A response always gets a complete header set: the endpoint's, or the
    # last one that compiled when its options cannot work together.
    try:
        return state.policy_for(endpoint)
    except ConfigurationError:
        return state.last_good


def _settle_nonce(request: Request) -> str:
    """This request's nonce: ``request.csp_nonce`` if valid, else a new one.

    The nonce is then kept in ``request.csp_nonce`` (where 1.1.0 kept it and
    where templates written for it read it) and in Talisman's request data,
    so that it is checked once.
    """
    given = getattr(request, "csp_nonce", None)
    if is_valid_nonce(given):
        nonce = given
    else:
        if given is not None and given != "":
            _logger.warning(
                "request.csp_nonce is %r, which cannot go into a CSP header "
                "(base64 characters only); Talisman used a new nonce instead.",
                given,
            )
        nonce = request.csp_nonce = make_nonce()  # type: ignore[attr-defined]
    data = getattr(request, "_talisman", None)
    if data is not None:
        request._talisman = (data[0], nonce, data[2])  # type: ignore[attr-defined]
    return nonce


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

    def __init__(
        self, app: Flask | None = None, **options: Unpack[TalismanOptions]
    ) -> None:
        self._views = Registry()
        self._blueprints = Registry()
        self._last_state: weakref.ref[AppState] | None = None
        self._states: weakref.WeakSet[AppState] = weakref.WeakSet()
        preset = options.pop("preset", None)
        resolve_preset(preset, "Talisman(preset=...)")
        checked = check_options(options, where="Talisman(...)")
        self._preset = preset
        #: Options given here or assigned before init_app, checked.
        self._checked: dict[str, Checked] = {**checked_defaults(), **checked}
        self._explicit = set(checked)
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
        preset_name = options.pop(
            "preset", app.config.get("TALISMAN_PRESET", self._preset)
        )
        # A preset's dicts are copied: editing the app's options in place
        # must not change the preset for other apps.
        preset = check_options(
            dict(watch(resolve_preset(preset_name, "init_app(preset=...)").items())[0]),
            where="preset",
        )
        from_cfg = check_options(from_config(app.config), where="app.config")
        given = check_options(options, where="init_app(...)")
        checked = checked_defaults()
        checked.update(preset)
        checked.update(from_cfg)
        # Options given to Talisman(...), assigned before init_app, or
        # (dicts and lists) edited in place before it.
        checked.update(
            {
                name: entry
                for name, entry in self._checked.items()
                if name in self._explicit or entry.edited()
            }
        )
        checked.update(given)
        # Every combination is checked here, before a second registration
        # is refused (flask-talisman 1.1.0 refused report_only without a
        # report URI first, too).
        state = AppState(
            self, app, checked, views=self._views, blueprints=self._blueprints
        )
        if "talisman" in app.extensions:
            raise RuntimeError(
                "Talisman is already registered on this app; call init_app "
                "once per app (Talisman(app) already calls it)."
            )
        apply_session_cookie_options(app, state.normal(SESSION_OPTIONS))
        app.extensions["talisman"] = state
        self._register_receiver(app, state, state.normal(RECEIVER_OPTIONS))
        self._last_state = weakref.ref(state)
        self._states.add(state)
        state.before_hook = self._make_before_request(app, state)
        state.after_hook = self._make_after_request(app, state)
        app.before_request(state.before_hook)
        app.after_request(state.after_hook)
        if self._on_anywhere(state, ("harden_cookies",)):
            self._add_cookie_hook(app, state)
        if self._on_anywhere(state, _CHECKS):
            self._hook_first(app, state)
        app.jinja_env.globals["csp_nonce"] = csp_nonce
        app.jinja_env.add_extension(InlineExtension)
        extension = app.jinja_env.extensions[InlineExtension.identifier]
        extension.on_render = _hashed_page  # type: ignore[attr-defined]
        state.use_inline(inline_hashes(app.jinja_env))

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
        inherited policy lacks starts from the sources of the directive it
        fell back to (``script-src-elem`` from ``script-src``, then
        ``default-src``). Other
        options are replaced, and ``False`` turns a header off. Like the plain
        decorator it applies to views and blueprints.
        """
        return self._decorator("extend", options, "@talisman.extend(...)")

    def _decorator(
        self, operation: Literal["replace", "extend"], options: Any, where: str
    ) -> Callable[[T], T]:
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
                if k in PER_VIEW and k not in KEPT_BY_PRESETS
            }
            checked = {**check_options(reset, where="preset"), **checked}
        layer = (operation, checked)
        # The decorator's own combination is refused now when every option
        # it involves is given here. Otherwise the app's options may complete
        # it (even ones set later): that is checked when the view is used.
        # Its warnings are shown then too, with the app's options.
        try:
            compile_policy(apply_layers(DEFAULT_NORMAL, [normal_layer(layer)]))
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
            # A hook an option needs, added to every app once it is on for
            # a view or blueprint.
            steps = [
                step
                for names, step in (
                    (("harden_cookies",), self._add_cookie_hook),
                    (_CHECKS, self._hook_first),
                )
                if _any_on(checked[name].normal for name in names if name in checked)
            ]
            for state in list(self._states) if steps else []:
                app = state.app_ref()
                if app is not None:  # pragma: no branch - the app owns it
                    for step in steps:
                        step(app, state)
            return target

        return decorator

    # -- options as attributes ------------------------------------------------

    if TYPE_CHECKING:  # each option is a property, added below the class

        def __getattr__(self, name: str) -> Any: ...

    def _get_option(self, name: str) -> Any:
        state = self._state_of(None)
        if state is not None:
            return state.value(name)
        return self._checked[name].value

    def _set_option(self, name: str, value: Any) -> None:
        # Only the value on its own: the options it goes with may be set on
        # the next lines, so combinations are checked when used.
        checked = check_kept(name, own(value))
        state = self._state_of(None)
        if state is None:
            self._checked[name] = checked
            self._explicit.add(name)
            return
        state.set(name, checked)
        app = state.app_ref()
        if app is None:  # pragma: no cover - the app owns its state
            return
        if name == "harden_cookies" and checked.normal:
            self._add_cookie_hook(app, state)
        if name in _CHECKS and checked.normal:
            self._hook_first(app, state)
        if name in SESSION_OPTIONS:
            # A configuration step taken by the user, not a per-request write.
            apply_session_cookie_options(app, state.normal(SESSION_OPTIONS))

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and not hasattr(type(self), name):
            hint = suggest(name, SPECS)
            if hint:
                warn(f"Talisman.{name} is not an option, so it changes nothing.{hint}")
        super().__setattr__(name, value)

    def _state_of(self, app: Flask | None) -> AppState | None:
        """This extension's state on ``app``, the current app or the last one."""
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            state = app.extensions.get("talisman")
            if isinstance(state, AppState) and state.owner is self:
                return state
        elif app is not None:
            state = app.extensions.get("talisman")
            if isinstance(state, AppState) and state.owner is self:
                return state
            return None
        return self._last_state() if self._last_state is not None else None

    def _bump(self) -> None:
        # Views and blueprints gained options: every app compiles again.
        for state in list(self._states):
            state.invalidate()

    def _register_receiver(
        self, app: Flask, state: AppState, options: Mapping[str, Any]
    ) -> None:
        # Extensions set up after Talisman (a CSRF check, Flask-Limiter) are
        # found on the first request.
        step = register_receiver(app, options)
        if step is not None:
            state.first_request.append(step)

    # -- per-request hooks ----------------------------------------------------

    def _make_before_request(
        self, app: Flask, state: AppState
    ) -> Callable[[], Response | None]:
        config = app.config

        def talisman_before_request() -> Response | None:
            request = current_request()
            policy = state.policy_for(request.endpoint)
            if policy.cross_origin is not None:
                # First of the app's hooks when on at set-up (_hook_first).
                judge(policy.cross_origin, request)
            secure = is_secure(request, policy.trust_x_forwarded_proto)
            headers = policy.secure if secure else policy.insecure
            # Whether the Host must name an origin is the policy's, not the
            # draw's: a Host refused on one draw is refused on every one.
            names_origin = bool(headers.origin_templated)
            if headers.unsampled is not None and random() >= headers.sample_rate:
                # Outside reporting_sample_rate: no reporting directives.
                headers = headers.unsampled
            if policy.force_https and not secure and not app.debug:
                request._talisman = (headers, "", "")  # type: ignore[attr-defined]
                url = https_url(request, config)
                if url is not None:
                    return app.redirect(url, code=policy.redirect_code)  # type: ignore[return-value]
            root = ""
            if names_origin:
                # 400 for a Host the endpoints' origin cannot name: one the
                # app does not serve, or no host name at all.
                root = origin(request, secure, config)
            nonce = ""
            if policy.uses_nonce:
                # A valid nonce the app set before this hook (1.1.0 kept it),
                # or one csp_nonce() made in a template rendered earlier.
                if getattr(request, "csp_nonce", None) is None:  # the usual case
                    nonce = request.csp_nonce = make_nonce()  # type: ignore[attr-defined]
                else:
                    nonce = _settle_nonce(request)
            # Kept on the request, not on g: g belongs to the app context,
            # which can outlive one request (a test's pushed context).
            request._talisman = (headers, nonce, root)  # type: ignore[attr-defined]
            return None

        return talisman_before_request

    def _make_after_request(
        self, app: Flask, state: AppState
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
                # never a partial one. Also when the page rendered a hashed
                # tag first compiled during this request (_hashed_page): its
                # hash is in the policies compiled now.
                policy = _policy_or_last_good(state, request.endpoint)
                secure = is_secure(request, policy.trust_x_forwarded_proto)
                header_set = policy.secure if secure else policy.insecure
                if (
                    header_set.unsampled is not None
                    and random() >= header_set.sample_rate
                ):
                    header_set = header_set.unsampled
                kept: tuple[str, str] = getattr(request, "_talisman_kept", ("", ""))
                data = (header_set, *kept)
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
            private = False
            pairs = header_set.static
            if header_set.templated and response.status_code != 304:
                # (A 304 gets no nonce'd header: the browser keeps the one it
                # stored with the body, whose nonce matches.)
                if not nonce or getattr(request, "csp_nonce", None) is not nonce:
                    # A redirect or an early failure made none (the header
                    # still gets a fresh one), or the app set its own.
                    nonce = _settle_nonce(request)
                nonce_free = False
                marks = getattr(request, "_talisman_used", None)
                if marks is True:
                    private = True
                    if "cache" in app.extensions:
                        self._forget_filled(app, request)
                else:
                    response, private, nonce_free = self._unused_nonce(
                        app, request, response, nonce, marks is _HASHED
                    )
                if nonce_free:
                    header_set = header_set.without_nonce  # type: ignore[assignment]
                    pairs = header_set.static
                else:
                    # A loop, not a comprehension: one header or two, and a
                    # comprehension's own frame cost more than the joins.
                    for name, parts in header_set.templated:
                        pairs += ((name, nonce.join(parts)),)
            for name, parts in header_set.origin_templated:
                pairs += ((name, root.join(parts)),)
            if header_set.rooted and request.script_root:
                # An app mounted under a path: the receiver's report-uri too.
                pairs = mounted(pairs, header_set.rooted, mount_path(request), nonce)
            if not private:
                done = append_headers(response.headers, pairs, header_set.names)
            else:
                done = header_set.private_names is not None and append_headers(
                    response.headers, pairs + PRIVATE, header_set.private_names
                )
            if not done:
                _set_each(response.headers, pairs, header_set, private)
            if header_set.cookies is not None and not state.cookie_hook:
                # harden_cookies turned on after the app started serving:
                # hardened here, after the hooks registered after Talisman.
                harden_response_cookies(
                    response.headers, header_set.cookies, header_set.secure
                )
            return response

        return talisman_after_request

    def _forget_filled(self, app: Flask, request: Request) -> None:
        # A page that used its nonce, stored by Flask-Caching with it: every
        # later request must render its own (caching.py).
        view = cached_view(app, request.endpoint)
        if view is not None:
            forget(app, view, request)

    def _unused_nonce(
        self,
        app: Flask,
        request: Request,
        response: Response,
        nonce: str,
        hashed: bool,
    ) -> tuple[Response, bool, bool]:
        """A response whose code did not ask for the nonce (caching.py).

        Returns the response to send, whether its body holds the nonce all
        the same (then it is kept out of shared caches) and whether its
        headers must carry no nonce: a page allowed by hashes, or replayed
        by Flask-Caching, that did not use it (its header's nonce would only
        be handed out).
        """
        view = None
        if "cache" in app.extensions:
            view = cached_view(app, request.endpoint)
            if view is not None and is_stale(response, nonce):
                # A stored page whose nonces are another request's: never
                # sent. Its entry goes, and the view renders for this request.
                forget(app, view, request)
                response = render_again(app, view, request, response)
                if getattr(request, "_talisman_used", None) is True:
                    return response, True, False
        used = body_uses_nonce(response, nonce)
        if used and view is not None:
            # Stored by Flask-Caching with this request's nonce (a template
            # that reads request.csp_nonce).
            forget(app, view, request)
        return response, used, not used and (hashed or view is not None)

    def _add_cookie_hook(self, app: Flask, state: AppState) -> None:
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

    def _on_anywhere(self, state: AppState, names: tuple[str, ...]) -> bool:
        """Whether one of the options ``names`` is on for the app, or for
        any view or blueprint."""
        return _any_on(state.normal(names).values()) or any(
            _any_on(layer[1][name].normal for name in names if name in layer[1])
            for registry in (self._views, self._blueprints)
            for layers in registry.layers()
            for layer in layers
        )

    def _hook_first(self, app: Flask, state: AppState) -> None:
        # With a cross-origin check on, Talisman's before-request hook runs
        # first of the app's, whichever extensions were set up before
        # Talisman (Flask-WTF's CSRFProtect among them): a refused request
        # reaches no other hook and no view. Flask runs app-wide
        # before-request hooks in list order, so the hook moves to the front;
        # only while the app is set up (never once it serves requests, when
        # another thread may be running the list), and only where a check is
        # on, so an app without them keeps its order and pays nothing.
        # Turned on later, the checks still run, in the hook where it is.
        if state.cross_origin_hook or app._got_first_request:
            return
        hooks = app.before_request_funcs.setdefault(None, [])
        hook: Any = state.before_hook
        if hook in hooks:  # pragma: no branch - init_app added it
            hooks.remove(hook)
        hooks.insert(0, hook)
        state.cross_origin_hook = True

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


def _set_each(
    headers: Headers, pairs: Pairs, header_set: HeaderSet, private: bool
) -> None:
    """The after hook's slow path: the response has one of the set's names.

    Each pair is set over the response's own; ``Cache-Control`` is made
    private after Talisman's own (cache_control) for a page that used its
    nonce; resource isolation's ``Vary`` names are merged into the
    response's ``Vary`` (Flask-CORS adds one), never set over it.
    """
    if header_set.vary:
        pairs = tuple(pair for pair in pairs if pair[0] != "Vary")
    set_headers(headers, pairs, header_set.names)
    if private:
        make_private(headers)
    if header_set.vary:
        add_vary(headers, header_set.vary)


#: The options that turn the cross-origin request checks on.
_CHECKS = ("cross_origin_protection", "resource_isolation")


def _any_on(modes: Any) -> bool:
    return any(mode for mode in modes if not isinstance(mode, ConfigurationError))


def _option_property(name: str) -> property:
    def get(self: Talisman) -> Any:
        return self._get_option(name)

    def set(self: Talisman, value: Any) -> None:
        self._set_option(name, value)

    return property(get, set, doc=SPECS[name].doc)


# Options are readable and writable as attributes, as in flask-talisman 1.1.0.
for _name in SPECS:
    setattr(Talisman, _name, _option_property(_name))
del _name
