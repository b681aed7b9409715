"""The service models ivsrt is generated from, and the runtime copy it ships.

``tools/codegen/model/`` holds the model files of one botocore release, copied unchanged from
its wheel by ``make update-model`` (``RELEASE.json`` names the release and the wheel's sha256).
They are read with botocore's own ``Loader``, pointed at that folder only, so the installed
botocore's models never leak in.

From them the generator writes the typed code and, into ``ivsrt/_generated/data/``, the files
botocore needs at run time to call the services (``service-2``, ``endpoint-rule-set-1``,
``paginators-1``, ``waiters-2``), with the documentation strings stripped from the service
model: botocore does not use them at run time, and the typed code keeps them as docstrings.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

MODEL_DIR = Path(__file__).resolve().parent / "model"
RELEASE_FILE = MODEL_DIR / "RELEASE.json"
DATA_PACKAGE_DIR = "ivsrt/_generated/data"
"""Where the runtime copy goes, relative to the repository root."""

RUNTIME_FILES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")
"""The model files botocore reads to create and call a client (``examples-1`` it does not)."""


def release() -> dict[str, str]:
    """``{"package": "botocore", "version": ..., "wheel": ..., "sha256": ...}``."""
    data: dict[str, str] = json.loads(RELEASE_FILE.read_text(encoding="utf-8"))
    return data


def loader(model_dir: Path = MODEL_DIR) -> Loader:
    """A botocore loader that sees only ``model_dir``."""
    return Loader(
        extra_search_paths=[str(model_dir)],
        include_default_search_paths=False,
        include_default_extras=False,
    )


def load(service: str, api_version: str, type_name: str, model_dir: Path = MODEL_DIR) -> Any:
    """One model file (``service-2``, ``paginators-1``, ...) of the source release."""
    return loader(model_dir).load_service_model(service, type_name, api_version)


def _files(service: str, api_version: str, model_dir: Path) -> dict[str, Path]:
    folder = model_dir / service / api_version
    found: dict[str, Path] = {}
    for name in RUNTIME_FILES:
        for suffix in (".json", ".json.gz"):
            path = folder / (name + suffix)
            if path.is_file():
                found[name] = path
    return found


def strip_documentation(model: dict[str, Any]) -> dict[str, Any]:
    """``model`` (a ``service-2``) without documentation strings, walked by structure: a
    member that happens to be *named* ``documentation`` is kept."""
    out = dict(model)
    out["metadata"] = {k: v for k, v in model["metadata"].items() if k != "documentation"}
    out.pop("documentation", None)
    out["operations"] = {
        name: {k: v for k, v in op.items() if k not in ("documentation", "documentationUrl")}
        for name, op in model["operations"].items()
    }
    shapes: dict[str, Any] = {}
    for name, shape in model["shapes"].items():
        shape = {k: v for k, v in shape.items() if k != "documentation"}
        if "members" in shape:
            shape["members"] = {
                m: {k: v for k, v in mdef.items() if k != "documentation"}
                for m, mdef in shape["members"].items()
            }
        for part in ("member", "key", "value"):
            if isinstance(shape.get(part), dict):
                shape[part] = {k: v for k, v in shape[part].items() if k != "documentation"}
        shapes[name] = shape
    out["shapes"] = shapes
    return out


def runtime_files(service: str, api_version: str, model_dir: Path = MODEL_DIR) -> dict[str, bytes]:
    """The runtime copy of one service: relative path -> bytes. The service model is written
    compact and gzipped (botocore reads ``.json.gz``); the other files are copied as they are."""
    out: dict[str, bytes] = {}
    for name, path in _files(service, api_version, model_dir).items():
        rel = f"{service}/{api_version}/{path.name}"
        if name == "service-2":
            model = strip_documentation(load(service, api_version, name, model_dir))
            text = json.dumps(model, separators=(",", ":"), ensure_ascii=False)
            out[f"{service}/{api_version}/service-2.json.gz"] = gzip.compress(
                text.encode("utf-8"), compresslevel=9, mtime=0
            )
        else:
            out[rel] = path.read_bytes()
    return out


def read_data_file(path: Path) -> Any:
    """A JSON data file, gzipped or not (for comparing content rather than gzip bytes)."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))
