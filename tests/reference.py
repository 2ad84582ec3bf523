"""flask-talisman 1.1.0, installed at test time to compare against.

It has our package's name, so it is installed with ``pip install --target``
into a folder of the temporary directory (never into the repository) and
loaded under the module name ``flask_talisman_110``. Without network access
the tests that need it skip with a reason, unless ``TALISMAN_REFERENCE_TESTS``
is ``required`` (as in CI), which makes them fail instead.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from .conftest import pip_install

VERSION = "1.1.0"
FOLDER = Path(tempfile.gettempdir()) / f"flask_talisman_reference_{VERSION}"
MODULE = "flask_talisman_110"


def package_dir() -> Path:
    """The installed 1.1.0 package folder (it holds its own ``talisman_test.py``)."""
    package = FOLDER / "flask_talisman"
    pip_install(
        sys.executable,
        FOLDER,
        [f"flask-talisman=={VERSION}"],
        package / "talisman.py",
    )
    return package


def load() -> ModuleType:
    """flask-talisman 1.1.0, imported as ``flask_talisman_110``."""
    if MODULE in sys.modules:
        return sys.modules[MODULE]
    package = package_dir()
    spec = importlib.util.spec_from_file_location(
        MODULE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)
    return module
