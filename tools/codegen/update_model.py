"""``python -m tools.codegen.update_model [--version X.Y.Z] [--wheel PATH]``: take the service
models of a botocore release (the newest by default), regenerate ``ivsrt/_generated`` from them,
and print what changed.

The wheel is fetched with ``pip download --no-deps`` into a temporary folder (nothing is
installed), and only the model files of the configured services are copied out of it into
``tools/codegen/model/``, with ``RELEASE.json`` naming the release and the wheel's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from tools.codegen import source
from tools.codegen.config import SERVICES
from tools.codegen.generate import write_service

ROOT = Path(__file__).resolve().parents[2]


def download(version: str | None, into: Path) -> Path:
    """The botocore wheel of ``version`` (newest when None), downloaded with pip."""
    spec = f"botocore=={version}" if version else "botocore"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
            "--dest",
            str(into),
            spec,
        ],
        check=True,
    )
    (wheel,) = into.glob("botocore-*.whl")
    return wheel


def extract(wheel: Path, model_dir: Path) -> dict[str, str]:
    """Copy the configured services' model files out of ``wheel`` into ``model_dir``."""
    version = re.match(r"botocore-([^-]+)-", wheel.name)
    if version is None:
        raise SystemExit(f"not a botocore wheel: {wheel.name}")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for config in SERVICES:
            prefix = f"botocore/data/{config.service}/{config.api_version}/"
            target = model_dir / config.service / config.api_version
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            wanted = [
                n
                for n in names
                if n.startswith(prefix)
                and n[len(prefix) :].split(".", 1)[0] in source.RUNTIME_FILES
            ]
            if not any("service-2" in n for n in wanted):
                raise SystemExit(f"{wheel.name} has no {config.service} {config.api_version}")
            for name in wanted:
                (target / name[len(prefix) :]).write_bytes(zf.read(name))
    release = {
        "package": "botocore",
        "version": version.group(1),
        "wheel": wheel.name,
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
    }
    (model_dir / "RELEASE.json").write_text(json.dumps(release, indent=2) + "\n")
    return release


def _members(model: dict[str, Any]) -> dict[str, set[str]]:
    return {
        name: set(shape.get("members", {}))
        for name, shape in model["shapes"].items()
        if shape.get("type") == "structure"
    }


def changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Operations and structure members added or removed, one line each."""
    if old is None:
        return [f"+ operation {op}" for op in sorted(new["operations"])]
    lines = [f"+ operation {op}" for op in sorted(set(new["operations"]) - set(old["operations"]))]
    lines += [f"- operation {op}" for op in sorted(set(old["operations"]) - set(new["operations"]))]
    before, after = _members(old), _members(new)
    for shape in sorted(set(before) | set(after)):
        if shape not in before:
            lines.append(f"+ shape {shape}")
            continue
        if shape not in after:
            lines.append(f"- shape {shape}")
            continue
        lines += [f"+ member {shape}.{m}" for m in sorted(after[shape] - before[shape])]
        lines += [f"- member {shape}.{m}" for m in sorted(before[shape] - after[shape])]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", help="botocore release to take (default: the newest)")
    parser.add_argument("--wheel", type=Path, help="a botocore wheel already on disk")
    args = parser.parse_args()

    previous = source.release()["version"] if source.RELEASE_FILE.exists() else None
    old = {}
    for config in SERVICES:
        try:
            old[config.service] = source.load(config.service, config.api_version, "service-2")
        except Exception:  # no model yet
            old[config.service] = None

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(args.version, Path(tmp))
        release = extract(wheel, source.MODEL_DIR)

    print(f"botocore {previous} -> {release['version']} ({release['wheel']})")
    for config in SERVICES:
        new = source.load(config.service, config.api_version, "service-2")
        lines = changes(old[config.service], new)
        print(f"{config.service} {config.api_version}: {len(new['operations'])} operations")
        for line in lines or ["(no operation or member added or removed)"]:
            print(f"  {line}")
        for path in write_service(config, ROOT):
            print(f"  wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
