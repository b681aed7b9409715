"""The generated ivs code is fresh and follows the conventions of the real-time code, checked
against botocore's own service model."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import attrs
import pytest
from botocore import xform_name

import ivsrt
import ivsrt.errors
from ivsrt import channels as c
from ivsrt._enum import TolerantEnum
from ivsrt._generated.channels import stamp
from tests._model import source_model
from tools.codegen.config import SERVICES
from tools.codegen.generate import write_service

ROOT = Path(__file__).resolve().parents[2]
CONFIG = next(s for s in SERVICES if s.service == "ivs")
GENERATED = ROOT / CONFIG.package_dir
RAW: dict[str, Any] = source_model("ivs")
"""The model of the botocore release ivsrt is generated from, not the installed botocore's."""
SHAPES: dict[str, Any] = RAW["shapes"]
STRUCTURES = sorted(
    n for n, s in SHAPES.items() if s["type"] == "structure" and not s.get("exception")
)
EXCEPTIONS = sorted(n for n, s in SHAPES.items() if s.get("exception"))


def test_regenerating_gives_identical_files(tmp_path: Path) -> None:
    assert list(write_service(CONFIG, tmp_path))
    fresh = {p.name: p.read_bytes() for p in (tmp_path / CONFIG.package_dir).glob("*.py")}
    committed = {p.name: p.read_bytes() for p in GENERATED.glob("*.py")}
    assert sorted(fresh) == sorted(committed)
    stale = [n for n in sorted(fresh) if fresh[n] != committed[n]]
    assert not stale, f"{CONFIG.package_dir} is stale, run `python -m tools.codegen`: {stale}"
    assert stamp.SERVICE == "ivs"
    assert "service ivs 2020-07-14" in (GENERATED / "models.py").read_text().splitlines()[0]


def test_every_operation_is_a_method_of_client_channels() -> None:
    for name, op in RAW["operations"].items():
        method = getattr(c.ChannelsApi, xform_name(name))
        assert inspect.iscoroutinefunction(method), name
        sig = inspect.signature(method, eval_str=True)
        members = SHAPES[op["input"]["shape"]]["members"] if "input" in op else {}
        assert {p for p in sig.parameters if p != "self"} == {xform_name(m) for m in members}
        out = op.get("output")
        assert sig.return_annotation is (getattr(c, out["shape"]) if out else None), name


def test_sensitive_members_are_hidden_from_repr() -> None:
    marked = {
        (s, m)
        for s in STRUCTURES
        for m, d in SHAPES[s]["members"].items()
        if d.get("sensitive") or SHAPES[d["shape"]].get("sensitive")
    }
    assert {("StreamKey", "value"), ("Srt", "passphrase")} <= marked | CONFIG.extra_sensitive
    for s in STRUCTURES:
        for f in attrs.fields(getattr(c, s)):
            hidden = (s, f.metadata["wire"]) in marked | CONFIG.extra_sensitive
            assert (f.repr is False) == hidden, f"{s}.{f.name}"
    key = c.StreamKey(arn="a", value="sk_canary_repr")
    assert "sk_canary_repr" not in repr(key)


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_errors_do_not_clash_with_the_realtime_ones(name: str) -> None:
    cls = c.ERRORS_BY_CODE[name]
    assert issubclass(cls, ivsrt.ServiceError)
    if name == "ThrottlingException":
        assert cls is ivsrt.ThrottlingError
        return
    assert cls.code_name == name
    assert cls.__module__ == "ivsrt.channels"  # its own class, reported at its public path
    realtime = ivsrt.errors.ERRORS_BY_CODE.get(name)
    if realtime is not None:
        assert issubclass(cls, realtime)
        assert cls is not realtime
        assert cls is not realtime
    assert getattr(c, cls.__name__) is cls


def test_the_multitrack_shapes_are_there() -> None:
    assert issubclass(c.ContainerFormat, TolerantEnum)
    assert [m.value for m in c.MultitrackPolicy] == ["ALLOW", "REQUIRE"]
    assert [m.value for m in c.MultitrackMaximumResolution] == ["SD", "HD", "FULL_HD"]
    fields = {f.metadata["wire"] for f in attrs.fields(c.Channel)}
    assert {"containerFormat", "multitrackInputConfiguration"} <= fields


def test_ivs_outputs_fit_the_fast_parser() -> None:
    """``client._Parser`` hands the JSON body to the converter as is; that holds only for
    outputs without payload members, blobs or documents."""
    seen: set[str] = set()
    stack = [op["output"]["shape"] for op in RAW["operations"].values() if "output" in op]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = SHAPES[name]
        assert shape["type"] not in ("blob", "document"), name
        assert "payload" not in shape, name
        if shape["type"] == "structure":
            stack += [m["shape"] for m in shape["members"].values()]
        elif shape["type"] == "list":
            stack.append(shape["member"]["shape"])
        elif shape["type"] == "map":
            stack += [shape["key"]["shape"], shape["value"]["shape"]]
    assert "Channel" in seen
