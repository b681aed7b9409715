"""`make update-model`'s pieces, offline: taking the model files out of a botocore wheel and
reporting what changed between two releases."""

from __future__ import annotations

import copy
import gzip
import json
import zipfile
from pathlib import Path

from tests._model import source_model
from tools.codegen import source
from tools.codegen.update_model import changes, extract


def _wheel(tmp: Path, version: str, realtime: dict[str, object]) -> Path:
    """A wheel laid out like botocore's, with the two services' model files."""
    path = tmp / f"botocore-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for service, model in (("ivs-realtime", realtime), ("ivs", source_model("ivs"))):
            base = f"botocore/data/{service}/2020-07-14/"
            zf.writestr(base + "service-2.json.gz", gzip.compress(json.dumps(model).encode()))
            zf.writestr(base + "paginators-1.json", json.dumps({"pagination": {}}))
            zf.writestr(base + "examples-1.json", "{}")  # not needed at run time: left out
        zf.writestr("botocore/data/s3/2006-03-01/service-2.json.gz", b"other services")
    return path


def test_extract_copies_only_the_configured_services_runtime_files(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    release = extract(_wheel(tmp_path, "9.9.9", source_model("ivs-realtime")), model_dir)
    assert release["version"] == "9.9.9"
    assert json.loads((model_dir / "RELEASE.json").read_text()) == release
    files = sorted(p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*.json*"))
    assert files == [
        "RELEASE.json",
        "ivs-realtime/2020-07-14/paginators-1.json",
        "ivs-realtime/2020-07-14/service-2.json.gz",
        "ivs/2020-07-14/paginators-1.json",
        "ivs/2020-07-14/service-2.json.gz",
    ]
    loaded = source.load("ivs-realtime", "2020-07-14", "service-2", model_dir)
    assert loaded["operations"].keys() == source_model("ivs-realtime")["operations"].keys()


def test_changes_lists_operations_and_members_added_and_removed() -> None:
    new = source_model("ivs-realtime")
    old = copy.deepcopy(new)
    del old["operations"]["RevokeConnectionToken"]
    del old["shapes"]["RevokeConnectionTokenRequest"]
    old["shapes"]["Stage"]["members"]["legacyField"] = {"shape": "String"}
    del old["shapes"]["Stage"]["members"]["endpoints"]
    assert changes(old, new) == [
        "+ operation RevokeConnectionToken",
        "+ shape RevokeConnectionTokenRequest",
        "+ member Stage.endpoints",
        "- member Stage.legacyField",
    ]
    assert changes(new, new) == []
