"""mkdocs hook: the site shows the version of ivsrt it documents (from ivsrt/_version.py, the
one place it is written), in the header and the footer."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

_VERSION_FILE = Path(__file__).resolve().parents[2] / "ivsrt" / "_version.py"


def on_config(config: Any, **kwargs: Any) -> Any:
    version = runpy.run_path(str(_VERSION_FILE))["__version__"]
    config["site_name"] = f"ivsrt {version}"
    config["copyright"] = f"ivsrt {version} · Apache-2.0"
    config.setdefault("extra", {})["version"] = version
    return config
