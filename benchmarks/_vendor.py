"""Install and load the packages we compare against, without touching ours.

flask-talisman 1.1.0 has our package name, so it is installed into
``benchmarks/.vendor/`` and loaded under the module name
``flask_talisman_110``; secure 2.0.1 goes into the same folder.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

VENDOR = Path(__file__).resolve().parent / ".vendor"
PINNED = ["flask-talisman==1.1.0", "secure==2.0.1"]


def install() -> None:
    """pip-install the pinned packages into :data:`VENDOR` once."""
    marker = VENDOR / ".installed"
    if marker.exists() and marker.read_text() == " ".join(PINNED):
        return
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--upgrade",
            "--target",
            str(VENDOR),
            *PINNED,
        ],
        check=True,
    )
    marker.write_text(" ".join(PINNED))


def flask_talisman_110() -> ModuleType:
    """flask-talisman 1.1.0, imported as ``flask_talisman_110``."""
    name = "flask_talisman_110"
    if name in sys.modules:
        return sys.modules[name]
    package = VENDOR / "flask_talisman"
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def secure() -> ModuleType:
    """secure 2.0.1 (its module name does not clash with anything of ours)."""
    if str(VENDOR) not in sys.path:
        sys.path.append(str(VENDOR))
    import secure as module

    return module
