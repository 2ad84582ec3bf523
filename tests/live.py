"""An app served on 127.0.0.1 for real clients, with a log of what it answered.

The browser and shared-cache tests count, server side, which status each
request got: a 304 or a cache HIT is only proven where the server says so.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from flask import Flask
from werkzeug.serving import make_server


class StatusLog:
    """WSGI middleware that notes each request's path, query and status.

    It reads each response whole and closes it before the server sends it,
    as tests/browser/conftest.py's Recorder does: a client that drops a
    connection can make werkzeug's development server skip ``close()``, and
    the file left open would surface as a ResourceWarning (an error here).
    """

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        self.answered: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        target = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]

        def noting(status: str, headers: Any, exc_info: Any = None) -> Any:
            with self._lock:
                self.answered.append((target, int(status.split(" ", 1)[0])))
            return start_response(status, headers, exc_info)

        response = self.wsgi_app(environ, noting)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    def statuses(self, target: str) -> list[int]:
        """The statuses answered to ``target`` (path and query), in order."""
        with self._lock:
            return [status for seen, status in self.answered if seen == target]


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[tuple[str, StatusLog]]:
    """Serve ``app`` on 127.0.0.1 (an ephemeral port): its origin and its log."""
    log = StatusLog(app.wsgi_app)
    app.wsgi_app = log  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
