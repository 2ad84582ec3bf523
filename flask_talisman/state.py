"""Talisman's state for one app: its options and their compiled policies.

:class:`AppState` is kept in ``app.extensions["talisman"]``. Its surface is
short: :meth:`~AppState.policy_for` an endpoint (what the per-request hooks
ask), :meth:`~AppState.set` an option, :meth:`~AppState.invalidate` after a
decorator registers, :meth:`~AppState.options_for` and
:meth:`~AppState.problems` for inspection. A change of options builds a new
immutable reading, swapped in whole; only a changed value is checked again.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Response

from .compose import Layer, apply_layers
from .errors import ConfigurationError, suggest, warn
from .hashes import InlineHashes
from .options import (
    PER_VIEW,
    SPECS,
    Checked,
    Watch,
    check_kept,
    check_value,
    normal_forms,
    unchanged,
    watch,
)
from .policy import CompiledPolicy, compile_policy
from .reports import RECEIVER_ENDPOINT, RECEIVER_OPTIONS
from .views import CheckedLayer, Registry

__all__ = ["VIEW_OPTIONS_ATTRIBUTE", "AppState", "normal_layer"]

#: The per-view options attribute flask-talisman 1.1.0 read from a view
#: function. Applications set it themselves; Talisman reads it, never writes it.
VIEW_OPTIONS_ATTRIBUTE = "talisman_view_options"

Result = CompiledPolicy | ConfigurationError
_NOTHING = Watch()
#: Browsers post reports from wherever the page was, plain HTTP too, and
#: from other sites: the cross-origin checks never refuse a report.
_RECEIVER_LAYER: Layer = (
    "replace",
    {
        "force_https": False,
        "cross_origin_protection": False,
        "resource_isolation": False,
    },
)


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
    """One reading of an app's options and what was compiled from it.

    Never changed once built, except that endpoints' entries are added to
    ``views``; a change of options builds a new one, swapped in whole.
    """

    __slots__ = ("app", "normal", "version", "views", "watched")

    def __init__(
        self, version: int, normal: dict[str, Any], watched: Watch, app: Result
    ) -> None:
        self.version = version
        #: Each option's normal form (its ConfigurationError if invalid now).
        self.normal = normal
        self.watched = watched
        self.app = app
        self.views: dict[str | None, _ViewEntry] = {}


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
    # options a view can set, in their normal forms; anything else is
    # ignored, as 1.1.0 did.
    where = f"the view {endpoint!r}: {VIEW_OPTIONS_ATTRIBUTE}"
    if not isinstance(options, Mapping):
        warn(f"{where} is {options!r}, not a dict of options; it is ignored.")
        return {}
    kept: dict[str, Any] = {}
    for name, value in options.items():
        if name in PER_VIEW:
            kept[name] = check_value(name, value)
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


def normal_layer(layer: CheckedLayer) -> Layer:
    """A decorator's options in their normal forms.

    They were checked when the decorator was applied. One edited in place
    since then is checked again, once: the layer (Talisman's own dict) keeps
    the new check for every view and app that uses it.
    """
    operation, options = layer
    for name, checked in list(options.items()):
        if checked.edited():
            options[name] = check_kept(name, checked.value)
    return operation, {name: checked.normal for name, checked in options.items()}


def _fresh(error: ConfigurationError) -> ConfigurationError:
    # Raised anew each time, so that no traceback grows request after request.
    return ConfigurationError(str(error), options=error.options)


class AppState:
    """Talisman's state for one app, kept in ``app.extensions["talisman"]``.

    Each option is kept as the user gave it, with its normal form
    (:class:`~.options.Checked`). Per request, :meth:`policy_for` returns the compiled
    policy of the endpoint: it recompiles only when an option was assigned
    or a dict or list among them was edited in place, and the check for that
    is a comparison with copies. Only a changed value is checked again.
    """

    __slots__ = (
        "__weakref__",
        "_attributes",
        "_blueprints",
        "_checked",
        "_compiled",
        "_inline",
        "_lock",
        "_shown",
        "_version",
        "_views",
        "after_hook",
        "app_ref",
        "before_hook",
        "cookie_hook",
        "cross_origin_hook",
        "first_request",
        "inline_registry",
        "last_good",
        "owner",
        "view_functions",
    )

    def __init__(
        self,
        owner: object,
        app: Flask,
        checked: dict[str, Checked],
        *,
        views: Registry,
        blueprints: Registry,
    ) -> None:
        #: Whether the app has Talisman's last-running cookie hook.
        self.cookie_hook = False
        #: Whether Talisman's before-request hook was moved to the front of
        #: the app's list (a cross-origin check is on).
        self.cross_origin_hook = False
        #: The app's before- and after-request hooks (for previews).
        self.before_hook: Callable[[], Response | None] | None = None
        self.after_hook: Callable[[Response], Response] | None = None
        #: The extension object this state belongs to.
        self.owner = owner
        self.app_ref = weakref.ref(app)
        self.view_functions = app.view_functions
        self._checked = checked
        self._views = views
        self._blueprints = blueprints
        #: Each endpoint's view attribute, checked: (attribute, its layer).
        self._attributes: dict[str, Checked] = {}
        #: The combination warnings last shown for each endpoint (None: app).
        self._shown: dict[str | None, tuple[str, ...]] = {}
        self._version = 0
        self._lock = threading.RLock()
        #: Steps taken once, on the app's first request, when every extension
        #: is set up (such as exempting the receiver from a CSRF check).
        self.first_request: list[Callable[[Flask], None]] = []
        #: The hashes of the app's csp_script and csp_style tags (hashes.py).
        self.inline_registry: InlineHashes | None = None
        self._inline: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        watched = self._watch()
        normal = normal_forms(checked)
        policy = self._compile(normal, [], None)
        if isinstance(policy, ConfigurationError):
            raise _fresh(policy)
        #: The last policy that compiled, for responses whose own cannot.
        self.last_good: CompiledPolicy = policy
        self._compiled = _Compiled(0, normal, watched, policy)

    # -- options --------------------------------------------------------------

    def invalidate(self) -> None:
        """Compile again on the next request (a decorator was registered)."""
        with self._lock:
            self._version += 1

    def lacks_hashes(self) -> bool:
        """Whether a hash was found after the policies were last compiled."""
        registry = self.inline_registry
        return registry is not None and registry.count != sum(map(len, self._inline))

    def use_inline(self, registry: InlineHashes) -> None:
        """Add the hashes of the app's template tags to every policy.

        The templates are read on the first request (blueprints and their
        templates are registered by then); the policies are compiled again
        only if they use a tag, and again for each hash found later.
        """
        self.inline_registry = registry
        registry.listen(self)

    def set(self, name: str, checked: Checked) -> None:
        """Store one option (already checked on its own)."""
        if name in RECEIVER_OPTIONS:
            raise ConfigurationError(
                f"Talisman.{name}: the report receiver is registered by "
                "init_app; pass this option to Talisman(...) or init_app(...)."
            )
        with self._lock:
            self._checked[name] = checked
            self._version += 1

    def value(self, name: str) -> Any:
        """The app's option ``name`` as the user gave it (the object itself)."""
        return self._checked[name].value

    def _watch(self) -> Watch:
        # One comparison per request tells whether any option was edited.
        return watch([entry.value for entry in self._checked.values()])[1]

    def normal(self, names: Iterable[str]) -> dict[str, Any]:
        """The normal forms of the app's own options ``names``."""
        return {name: self._checked[name].normal for name in names}

    # -- compiled policies ----------------------------------------------------

    def policy_for(self, endpoint: str | None) -> CompiledPolicy:
        """The compiled policy for an endpoint (``None``: no route matched).

        Raises :class:`ConfigurationError` when the endpoint's options, as
        they are now, cannot work together.
        """
        # The per-request path: a few comparisons when nothing changed.
        compiled = self._compiled
        entry = compiled.views.get(endpoint)
        if (
            entry is None
            or compiled.version != self._version
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
        compiled = self._compiled
        if compiled.version == self._version and unchanged(compiled.watched):
            return compiled
        with self._lock:
            compiled = self._compiled
            if compiled.version == self._version and unchanged(compiled.watched):
                return compiled  # another thread has just recompiled
            registry = self.inline_registry
            if registry is not None:
                self._inline = registry.snapshot()
            version = self._version
            watched = self._watch()
            normal = normal_forms(self._checked)
            app_result = self._compile(normal, [], None)
            if isinstance(app_result, CompiledPolicy):
                self.last_good = app_result
            compiled = _Compiled(version, normal, watched, app_result)
            self._compiled = compiled
            return compiled

    def _entry(self, endpoint: str | None) -> _ViewEntry:
        if self.first_request:
            self._first_request()
        registry = self.inline_registry
        if registry is not None and not registry.scanned:
            app = self.app_ref()
            if app is not None:  # pragma: no branch - the app owns this state
                registry.scan(app.jinja_env)  # a hash found compiles again
        compiled = self._current()
        entry = compiled.views.get(endpoint)
        view = self.view_functions.get(endpoint) if endpoint is not None else None
        if entry is None or entry.changed(view):
            entry = self._compile_view(compiled, endpoint, view)
            compiled.views[endpoint] = entry
        return entry

    def _first_request(self) -> None:
        # Before the first request's own policy: this is its first step.
        with self._lock:
            steps, self.first_request = self.first_request, []
            app = self.app_ref()
            if app is not None:  # pragma: no branch - the app owns this state
                for step in steps:
                    step(app)

    def _compile_view(
        self, compiled: _Compiled, endpoint: str | None, view: object
    ) -> _ViewEntry:
        attribute = _view_attribute_of(view)
        sources = self._view_sources(endpoint, view, attribute)
        if endpoint is None or not sources:
            return _ViewEntry(view, attribute, _NOTHING, compiled.app)
        # Watched before they are checked: a view whose options are wrong
        # now is compiled again once they are fixed in place.
        objects = [obj for kind, source in sources for obj in _objects(kind, source)]
        watched = watch(objects)[1] if objects else _NOTHING
        try:
            layers = self._layers(endpoint, sources)
        except ConfigurationError as error:
            return _ViewEntry(view, attribute, watched, self._in_view(endpoint, error))
        result = self._compile(compiled.normal, layers, endpoint)
        return _ViewEntry(view, attribute, watched, result)

    def _view_sources(
        self, endpoint: str | None, view: object, attribute: object
    ) -> list[tuple[str, Any]]:
        """What sets options over the app's for ``endpoint``, outermost first.

        Each is ``("decorator", checked layer)``, ``("layer", normal-form
        layer)`` or ``("attribute", the view's talisman_view_options)``.
        """
        if endpoint is None:
            return []
        sources: list[tuple[str, Any]] = []
        # Blueprints from the outermost in: "admin.users.list" is the view
        # "list" of the blueprint "users" nested in "admin".
        app = self.app_ref()
        parts = endpoint.split(".")[:-1]
        if app is not None:  # pragma: no branch - the app owns this state
            for i in range(1, len(parts) + 1):
                blueprint = app.blueprints.get(".".join(parts[:i]))
                sources.extend(
                    ("decorator", layer) for layer in self._blueprints.get(blueprint)
                )
        if endpoint == RECEIVER_ENDPOINT and self.value("report_receiver"):
            sources.append(("layer", _RECEIVER_LAYER))
        if attribute is not None:
            sources.append(("attribute", attribute))
        sources.extend(("decorator", layer) for layer in self._views.get_wrapped(view))
        return sources

    def _layers(self, endpoint: str, sources: list[tuple[str, Any]]) -> list[Layer]:
        # The sources' options in their normal forms (checked only if edited).
        layers: list[Layer] = []
        for kind, source in sources:
            if kind == "decorator":
                layers.append(normal_layer(source))
            elif kind == "attribute":
                layers.append(("replace", self._attribute_layer(endpoint, source)))
            else:
                layers.append(source)
        return layers

    def _attribute_layer(self, endpoint: str, attribute: object) -> dict[str, Any]:
        # Checked once per edit of the attribute, not once per compile.
        cached = self._attributes.get(endpoint)
        if cached is None or not cached.current(attribute):
            copies, watched = watch([attribute])
            normal = _view_attribute(endpoint, copies[0])
            cached = self._attributes[endpoint] = Checked(attribute, normal, watched)
        layer: dict[str, Any] = cached.normal
        return layer

    def options_for(self, endpoint: str | None) -> dict[str, Any]:
        """The endpoint's options as its policy is compiled from them.

        Each option in its normal form, after preset < app < blueprint <
        view. Raises :class:`ConfigurationError` as :meth:`policy_for` does.
        """
        compiled = self._current()
        if endpoint is None:
            return _valid(dict(compiled.normal))
        view = self.view_functions.get(endpoint)
        sources = self._view_sources(endpoint, view, _view_attribute_of(view))
        return _valid(apply_layers(compiled.normal, self._layers(endpoint, sources)))

    def replaces(self, endpoint: str, name: str) -> bool:
        """Whether a layer of ``endpoint`` (its view's or a blueprint's
        ``@talisman(...)``, its view attribute) replaces option ``name``:
        then what the app sets for it does not reach the view."""
        view = self.view_functions.get(endpoint)
        sources = self._view_sources(endpoint, view, _view_attribute_of(view))
        return any(
            operation == "replace" and name in options
            for operation, options in self._layers(endpoint, sources)
        )

    def _compile(
        self, normal: Mapping[str, Any], layers: list[Layer], endpoint: str | None
    ) -> Result:
        merged: list[str] = []
        try:
            policy = compile_policy(
                _valid(apply_layers(normal, layers, merged.append)),
                inline=self._inline,
            )
        except ConfigurationError as error:
            return self._in_view(endpoint, error)
        self._show(endpoint, (*merged, *policy.warnings))
        return policy

    def _show(self, endpoint: str | None, messages: tuple[str, ...]) -> None:
        # Each combination warning once, when it first appears: not again
        # for the view of an app that already showed it, nor when the same
        # options are compiled again after an unrelated change.
        before = {*self._shown.get(endpoint, ()), *self._shown.get(None, ())}
        for message in messages:
            if message not in before:
                warn(message)
        self._shown[endpoint] = messages

    @staticmethod
    def _in_view(endpoint: str | None, error: ConfigurationError) -> ConfigurationError:
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


def _objects(kind: str, source: Any) -> list[Any]:
    # The user's objects among a source's options, to watch for edits.
    if kind == "decorator":
        return [checked.value for checked in source[1].values()]
    if kind == "attribute":
        return [source]
    return []


def _valid(resolved: dict[str, Any]) -> dict[str, Any]:
    # An option whose value is invalid now (edited in place) refuses the
    # policy that needs it.
    for value in resolved.values():
        if isinstance(value, ConfigurationError):
            raise value
    return resolved
