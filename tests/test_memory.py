"""Specification: nothing keeps an app, a view or a blueprint alive.

A long-lived ``Talisman()`` in an app factory outlives every app it is
registered on. Once the application drops an app (and its views and
blueprints), they can be collected, and so can what Talisman kept about
them.
"""

from __future__ import annotations

import gc
import weakref

from flask import Blueprint, Flask
from flask.testing import FlaskClient

from flask_talisman import DENY, Talisman
from flask_talisman.testing import https_client
from flask_talisman.views import Registry

from .conftest import HTTPS, add_view


def factory(talisman: Talisman) -> Flask:
    app = Flask("factory")

    add_view(app, "/view", talisman(frame_options=DENY))

    admin = Blueprint("admin", __name__)

    @admin.route("/page")
    def page() -> str:
        return "page"

    talisman(frame_options=DENY)(admin)
    app.register_blueprint(admin, url_prefix="/admin")
    talisman.init_app(app, report_receiver="/reports")
    client = app.test_client()
    assert client.get("/view", **HTTPS).headers["X-Frame-Options"] == DENY
    assert client.get("/admin/page", **HTTPS).headers["X-Frame-Options"] == DENY
    return app


def test_apps_from_a_factory_are_collected_with_their_views() -> None:
    talisman = Talisman()
    apps = [weakref.ref(factory(talisman)) for _ in range(20)]
    gc.collect()
    assert [ref for ref in apps if ref() is not None] == []
    assert len(talisman._views) == 0
    assert len(talisman._blueprints) == 0


def factory_with_its_own_client() -> tuple[Flask, type[FlaskClient]]:
    app = Flask("factory")
    Talisman(app)
    add_view(app, "/view")

    class Client(FlaskClient):
        """A test client class of this app's own, as factories define them."""

        def app_name(self) -> str:
            return app.name  # closes over the app

    app.test_client_class = Client
    first, second = https_client(app), https_client(app)
    assert type(first) is type(second)
    assert first.get("/view").status_code == 200
    return app, type(first)


def test_apps_whose_factory_defines_a_test_client_class_are_collected() -> None:
    made = [factory_with_its_own_client() for _ in range(30)]
    apps = [weakref.ref(app) for app, _ in made]
    classes = [weakref.ref(app.test_client_class) for app, _ in made]
    https_classes = [weakref.ref(cls) for _, cls in made]
    del made
    gc.collect()
    assert [ref for ref in apps if ref() is not None] == []
    assert [ref for ref in classes if ref() is not None] == []
    assert [ref for ref in https_classes if ref() is not None] == []


def test_a_view_that_cannot_be_weakly_referenced_is_held() -> None:
    class Slotted:
        __slots__ = ()

        def __call__(self) -> str:
            return "slotted"

    registry = Registry()
    view = Slotted()
    registry.add(view, ("replace", {"frame_options": DENY}))
    registry.add(view, ("replace", {"referrer_policy": None}))
    assert registry.get(view) == (
        ("replace", {"frame_options": DENY}),
        ("replace", {"referrer_policy": None}),
    )
    assert registry.get(Slotted()) == ()


def test_a_slotted_callable_view_gets_its_options() -> None:
    app = Flask("slotted")
    talisman = Talisman(app)

    class Slotted:
        __slots__ = ()

        def __call__(self) -> str:
            return "slotted"

    app.add_url_rule("/slotted", "slotted", talisman(frame_options=DENY)(Slotted()))
    headers = app.test_client().get("/slotted", **HTTPS).headers
    assert headers["X-Frame-Options"] == DENY


def test_an_entry_goes_when_its_object_does() -> None:
    registry = Registry()

    def view() -> str:
        return "view"

    registry.add(view, ("replace", {}))
    assert len(registry) == 1
    del view
    gc.collect()
    assert len(registry) == 0
