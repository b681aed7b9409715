"""The generated code is fresh and has the shape the issue asks for, checked against
botocore's own service model (not against the generator's output tables)."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from botocore import xform_name

import ivsrt
import ivsrt.errors
from ivsrt._enum import TolerantEnum
from ivsrt._generated import errors as gen_errors
from ivsrt._generated import models as gen_models
from ivsrt._generated.operations import RealtimeApi
from tests._model import source_model
from tools.codegen import source
from tools.codegen.config import SERVICES
from tools.codegen.generate import write_service

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "ivsrt" / "_generated"
CONFIG = next(c for c in SERVICES if c.service == "ivs-realtime")

RAW: dict[str, Any] = source_model("ivs-realtime")
"""The model of the botocore release ivsrt is generated from (tools/codegen/model), read with
botocore's loader: not the installed botocore's, which may be older."""
RELEASE = source.release()["version"]
SHAPES: dict[str, Any] = RAW["shapes"]
OPERATIONS: dict[str, Any] = RAW["operations"]
STRUCTURES = sorted(
    name for name, s in SHAPES.items() if s["type"] == "structure" and not s.get("exception")
)
EXCEPTIONS = sorted(name for name, s in SHAPES.items() if s.get("exception"))
ENUMS = sorted(name for name, s in SHAPES.items() if s["type"] == "string" and "enum" in s)

# The issue names these three; anything the model marks sensitive is added below.
NAMED_SENSITIVE = {
    ("ParticipantToken", "token"),
    ("IngestConfiguration", "streamKey"),
    ("RedundantIngestCredential", "streamKey"),
}
MODEL_SENSITIVE = {
    (struct, member)
    for struct in STRUCTURES
    for member, mdef in SHAPES[struct]["members"].items()
    if mdef.get("sensitive") or SHAPES[mdef["shape"]].get("sensitive")
}


# The issue names these: the one resource of a Get/Create/Update response, and its ARN.
NAMED_ALWAYS_PRESENT = {
    ("GetStageResponse", "stage"),
    ("CreateStageResponse", "stage"),
    ("UpdateStageResponse", "stage"),
    ("Stage", "arn"),
}


def test_the_members_the_service_always_returns_are_configured_and_output_only() -> None:
    present = CONFIG.always_present | {
        (s, m) for s in STRUCTURES for m in SHAPES[s].get("required", [])
    }
    assert present >= NAMED_ALWAYS_PRESENT
    inputs = {op["input"]["shape"] for op in OPERATIONS.values() if "input" in op}
    for struct, member in CONFIG.always_present:
        assert member in SHAPES[struct]["members"], (struct, member)
        assert struct not in inputs, struct
    # Every Get/Create/Update/Start/Import response with a single structure member has it
    # always present.
    for name, op in OPERATIONS.items():
        out = SHAPES[op["output"]["shape"]] if "output" in op else {"members": {}}
        structs = [
            w for w, m in out["members"].items() if SHAPES[m["shape"]]["type"] == "structure"
        ]
        if name.startswith(("Get", "Create", "Update", "Start", "Import")) and len(structs) == 1:
            assert (op["output"]["shape"], structs[0]) in present, name


def test_the_generator_refuses_an_always_present_member_the_model_lacks(tmp_path: Path) -> None:
    bad = dataclasses.replace(CONFIG, always_present=frozenset({("Stage", "nickname")}))
    with pytest.raises(ValueError, match=r"Stage\.nickname"):
        list(write_service(bad, tmp_path))
    sent = dataclasses.replace(
        CONFIG, always_present=frozenset({("ParticipantTokenConfiguration", "userId")})
    )
    with pytest.raises(ValueError, match="also sent in requests"):
        list(write_service(sent, tmp_path))


def test_the_model_has_40_operations() -> None:
    # botocore 1.44.8's ivs-realtime 2020-07-14 model; 1.43.118 added RevokeConnectionToken.
    assert len(OPERATIONS) == 40
    assert "RevokeConnectionToken" in OPERATIONS


def test_regenerating_gives_identical_files(tmp_path: Path) -> None:
    written = list(write_service(CONFIG, tmp_path))
    assert written, "the generator wrote nothing"
    fresh = {p.name: p.read_bytes() for p in (tmp_path / CONFIG.package_dir).glob("*.py")}
    committed = {p.name: p.read_bytes() for p in GENERATED.glob("*.py")}
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in sorted(fresh) if fresh[name] != committed[name]]
    assert not stale, f"ivsrt/_generated is stale, run `python -m tools.codegen`: {stale}"


def test_regenerating_gives_identical_runtime_model_files(tmp_path: Path) -> None:
    """The model files botocore loads at run time match the release they came from (compared
    as JSON: gzip bytes may differ between zlib builds)."""
    for config in SERVICES:
        list(write_service(config, tmp_path))
    data = Path(source.DATA_PACKAGE_DIR)
    fresh = {p.relative_to(tmp_path / data): p for p in (tmp_path / data).rglob("*.json*")}
    committed = {p.relative_to(ROOT / data): p for p in (ROOT / data).rglob("*.json*")}
    assert sorted(fresh) == sorted(committed)
    for rel, path in fresh.items():
        assert source.read_data_file(path) == source.read_data_file(committed[rel]), rel


def test_headers_name_generator_botocore_version_and_model_hash() -> None:
    canonical = json.dumps(RAW, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    sha = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    for path in sorted(GENERATED.glob("*.py")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        text = "\n".join(head)
        assert "Generated by tools/codegen" in head[0], path.name
        assert f"botocore {RELEASE}" in text, path.name
        assert "ivs-realtime 2020-07-14" in text, path.name
        match = re.search(r"sha256 ([0-9a-f]{64})", text)
        assert match is not None, path.name
        assert match.group(1) == sha, path.name
        assert "DO NOT EDIT" in text, path.name
    from ivsrt._generated import stamp

    assert RELEASE == stamp.BOTOCORE_VERSION
    assert sha == stamp.MODEL_SHA256


@pytest.mark.parametrize("op_name", sorted(OPERATIONS))
def test_every_operation_has_a_typed_keyword_only_method(op_name: str) -> None:
    op = OPERATIONS[op_name]
    method = getattr(RealtimeApi, xform_name(op_name), None)
    assert method is not None, f"RealtimeApi has no method for {op_name}"
    assert inspect.iscoroutinefunction(method)
    sig = inspect.signature(method, eval_str=True)
    params = list(sig.parameters.values())
    assert params[0].name == "self"
    params = params[1:]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), op_name

    input_shape = SHAPES[op["input"]["shape"]] if "input" in op else {"members": {}}
    required = set(input_shape.get("required", []))
    expected = {xform_name(m): m for m in input_shape["members"]}
    assert {p.name for p in params} == set(expected), op_name
    for p in params:
        wire = expected[p.name]
        if wire in required:
            assert p.default is inspect.Parameter.empty, f"{op_name}.{p.name} is required"
        else:
            assert p.default is None, f"{op_name}.{p.name} is optional, default None"
    output = op["output"]["shape"]
    assert sig.return_annotation is getattr(gen_models, output)


@pytest.mark.parametrize("shape_name", STRUCTURES)
def test_every_structure_is_a_frozen_slotted_kw_only_attrs_class(shape_name: str) -> None:
    cls = getattr(ivsrt.models, shape_name, None)
    assert cls is not None, f"no model class for {shape_name}"
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    assert cls.__doc__
    assert "<p>" not in cls.__doc__
    assert "<code>" not in cls.__doc__
    shape = SHAPES[shape_name]
    required = set(shape.get("required", [])) | {
        member for struct, member in CONFIG.always_present if struct == shape_name
    }
    fields = {f.metadata["wire"]: f for f in attrs.fields(cls)}
    assert set(fields) == set(shape["members"]), shape_name
    for wire, f in fields.items():
        assert f.name == xform_name(wire)
        assert f.kw_only, f"{shape_name}.{f.name} is not keyword-only"
        if wire in required:
            assert f.default is attrs.NOTHING, f"{shape_name}.{f.name} is required"
        else:
            assert f.default is None, f"{shape_name}.{f.name} is optional, default None"
    # Frozen and keyword-only, checked by behaviour.
    instance = cls(**{fields[w].name: "x" for w in required})
    first = attrs.fields(cls)[0] if attrs.fields(cls) else None
    if first is not None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(instance, first.name, "changed")
    with pytest.raises(AttributeError):
        instance.not_a_field = 1  # slotted: no __dict__
    if required:
        with pytest.raises(TypeError):
            cls(*["x"] * len(required))


def test_sensitive_members_are_hidden_from_repr() -> None:
    sensitive = NAMED_SENSITIVE | MODEL_SENSITIVE
    for struct in STRUCTURES:
        cls = getattr(ivsrt.models, struct)
        for f in attrs.fields(cls):
            hidden = (struct, f.metadata["wire"]) in sensitive
            assert (f.repr is False) == hidden, f"{struct}.{f.name}: repr={f.repr}"
    token = ivsrt.models.ParticipantToken(participant_id="p1", token="tok-canary-1")
    assert "tok-canary-1" not in repr(token)
    assert "tok-canary-1" not in str(token)
    assert "p1" in repr(token)


@pytest.mark.parametrize("shape_name", ENUMS)
def test_every_enum_shape_has_a_tolerant_enum_and_a_literal(shape_name: str) -> None:
    cls = getattr(ivsrt.models, shape_name)
    assert issubclass(cls, TolerantEnum)
    assert [m.value for m in cls] == SHAPES[shape_name]["enum"]
    literal = getattr(ivsrt.models, shape_name + "Literal")
    assert list(literal.__args__) == SHAPES[shape_name]["enum"]


@pytest.mark.parametrize("shape_name", EXCEPTIONS)
def test_every_modeled_error_has_a_class(shape_name: str) -> None:
    cls = gen_errors.ERRORS_BY_CODE[shape_name]
    assert issubclass(cls, ivsrt.ServiceError)
    assert cls.code_name == shape_name
    assert cls.default_status == SHAPES[shape_name]["error"]["httpStatusCode"]
    assert getattr(ivsrt.errors, cls.__name__) is cls
