"""mkdocs hooks (see ``hooks:`` in mkdocs.yml).

- The site shows the version of ivsrt it documents (from ivsrt/_version.py, the one place it is
  written), in the header and the footer.
- Opened from disk, Material's search runs its worker through the iframe-worker shim, which the
  offline plugin loads from unpkg.com; the site loads the copy in docs/assets/iframe-worker/
  (iframe-worker 1.0.4, MIT, its LICENSE beside it) instead, so search works with no network.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

_VERSION_FILE = Path(__file__).resolve().parents[2] / "ivsrt" / "_version.py"
_SHIM_CDN = "https://unpkg.com/iframe-worker/shim"
_SHIM_LOCAL = "assets/iframe-worker/shim.js"


def on_config(config: Any, **kwargs: Any) -> Any:
    version = runpy.run_path(str(_VERSION_FILE))["__version__"]
    config["site_name"] = f"ivsrt {version}"
    config["copyright"] = f"ivsrt {version} · Apache-2.0"
    config.setdefault("extra", {})["version"] = version
    return config


def on_post_page(output: str, *, page: Any, config: Any, **kwargs: Any) -> str:
    if _SHIM_CDN not in output:
        return output
    depth = str(page.url).count("/")
    return output.replace(_SHIM_CDN, "../" * depth + _SHIM_LOCAL)


def on_post_template(output_content: str, *, template_name: str, **kwargs: Any) -> str:
    """The 404 page (a theme template, not a page): served at any path, so an absolute path."""
    return output_content.replace(_SHIM_CDN, "/" + _SHIM_LOCAL)
