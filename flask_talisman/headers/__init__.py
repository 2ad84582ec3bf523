"""One module per header family, and the order their headers are sent in.

Each module declares its options (``OPTIONS``) and a pure function from
resolved options to its headers (``headers``); see :mod:`.base`. The
functions run when a policy is compiled, never per request. Adding a header
is one module, one line in :data:`MODULES`, one test file.
"""

from __future__ import annotations

from . import (
    cache,
    cross_origin,
    csp,
    frame_options,
    hsts,
    integrity,
    legacy,
    referrer,
    reporting,
    robots,
    structured,
)

#: The header modules, in the order their headers are sent.
MODULES = (
    structured,
    frame_options,
    legacy,
    referrer,
    cross_origin,
    cache,
    robots,
    integrity,
    reporting,
    csp,
    hsts,
)
