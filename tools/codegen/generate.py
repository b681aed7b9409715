"""Read a botocore service model and write typed Python for it.

Output (per service, into ``config.package_dir``):

``models.py``       enums (tolerant of values the model does not know) and frozen attrs classes
``errors.py``       one exception class per modeled error, and the code -> class table
``constraints.py``  request constraints and the operation table, as plain data
``operations.py``   one typed async method per operation
``stamp.py``        the botocore version and model hash the files came from
"""

from __future__ import annotations

import hashlib
import html
import json
import keyword
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore import xform_name

from tools.codegen import source
from tools.codegen.config import ServiceConfig

GENERATOR = "tools/codegen"

# ---------------------------------------------------------------------------------------------
# documentation


def _absolute(href: str) -> str:
    """Links in the model are relative to the AWS documentation site."""
    return "https://docs.aws.amazon.com" + href if href.startswith("/") else href


def html_to_text(doc: str | None) -> str:
    """Turn the model's HTML documentation into plain text with light Markdown."""
    if not doc:
        return ""
    text = doc
    text = re.sub(r"<code>\s*(.*?)\s*</code>", lambda m: f"`{m.group(1)}`", text, flags=re.S)
    text = re.sub(
        r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>',
        lambda m: f"[{m.group(2).strip()}]({_absolute(m.group(1))})",
        text,
        flags=re.S,
    )
    text = re.sub(r"<a[^>]*>(.*?)</a>", r"\1", text, flags=re.S)
    text = re.sub(r"<i>\s*(.*?)\s*</i>", lambda m: f"*{m.group(1)}*", text, flags=re.S)
    text = re.sub(r"<b>\s*(.*?)\s*</b>", lambda m: f"**{m.group(1)}**", text, flags=re.S)
    text = re.sub(r"<li>", "\n\n- ", text)
    text = re.sub(r"</p>|<br\s*/?>|</ul>|<ul>|</li>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para and para != "-":
            paragraphs.append(para)
    # Join list items that were split from their bullet.
    return "\n\n".join(paragraphs)


def docstring(text: str, indent: int, *, width: int = 96) -> list[str]:
    """Render ``text`` as a triple-quoted docstring at ``indent`` spaces."""
    pad = " " * indent
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if not text:
        text = "(No documentation in the service model.)"
    lines: list[str] = []
    for i, para in enumerate(text.split("\n\n")):
        if i:
            lines.append("")
        sub = "  " if para.startswith("- ") else ""
        lines.extend(
            textwrap.wrap(
                para,
                width=width - indent,
                subsequent_indent=sub,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    if text.endswith('"'):
        lines[-1] += " "
    if len(lines) == 1 and len(lines[0]) + indent + 6 <= width:
        return [f'{pad}"""{lines[0]}"""']
    out = [f'{pad}"""{lines[0]}']
    out.extend(f"{pad}{line}" if line else "" for line in lines[1:])
    out.append(f'{pad}"""')
    return out


# ---------------------------------------------------------------------------------------------
# model reading


@dataclass
class Model:
    config: ServiceConfig
    raw: dict[str, Any]
    paginators: dict[str, Any]
    sha256: str
    botocore_version: str
    shapes: dict[str, Any] = field(init=False)
    operations: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.shapes = self.raw["shapes"]
        self.operations = self.raw["operations"]

    def shape(self, name: str) -> dict[str, Any]:
        return self.shapes[name]  # type: ignore[no-any-return]

    def is_exception(self, name: str) -> bool:
        return bool(self.shape(name).get("exception"))

    def reachable(self, roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self.children(name))
        return seen

    def children(self, name: str) -> list[str]:
        shape = self.shape(name)
        kind = shape["type"]
        if kind == "structure":
            return [m["shape"] for m in shape["members"].values()]
        if kind == "list":
            return [shape["member"]["shape"]]
        if kind == "map":
            return [shape["key"]["shape"], shape["value"]["shape"]]
        return []

    def input_roots(self) -> list[str]:
        return [op["input"]["shape"] for op in self.operations.values() if "input" in op]

    def output_roots(self) -> list[str]:
        return [op["output"]["shape"] for op in self.operations.values() if "output" in op]

    def sensitive(self, struct: str, member: str) -> bool:
        target = self.shape(self.shape(struct)["members"][member]["shape"])
        member_def = self.shape(struct)["members"][member]
        return (
            bool(target.get("sensitive"))
            or bool(member_def.get("sensitive"))
            or (struct, member) in self.config.extra_sensitive
        )

    def present(self, struct: str) -> set[str]:
        """Members of ``struct`` always in a reply: the model's ``required`` list and the
        configuration's ``always_present`` pairs."""
        extra = {m for s, m in self.config.always_present if s == struct}
        return set(self.shape(struct).get("required", [])) | extra

    def check_always_present(self, input_side: set[str]) -> None:
        """Every ``always_present`` pair names a member of an output-only structure."""
        for struct, member in sorted(self.config.always_present):
            if member not in self.shapes.get(struct, {}).get("members", {}):
                raise ValueError(f"always_present: the model has no {struct}.{member}")
            if struct in input_side:
                raise ValueError(f"always_present: {struct} is also sent in requests")

    def pattern(self, name: str) -> str | None:
        if name in self.config.pattern_overrides:
            return self.config.pattern_overrides[name]
        return self.shape(name).get("pattern")


def load_model(config: ServiceConfig, model_dir: Path = source.MODEL_DIR) -> Model:
    """The service model of ``config`` from the botocore release in ``model_dir`` (not from
    the installed botocore)."""
    raw = source.load(config.service, config.api_version, "service-2", model_dir)
    try:
        paginators = source.load(config.service, config.api_version, "paginators-1", model_dir)
    except Exception:  # pragma: no cover - services without paginators
        paginators = {"pagination": {}}
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    sha = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return Model(
        config=config,
        raw=raw,
        paginators=paginators.get("pagination", {}),
        sha256=sha,
        botocore_version=source.release()["version"],
    )


# ---------------------------------------------------------------------------------------------
# naming


def py_name(member: str) -> str:
    name: str = xform_name(member)
    if keyword.iskeyword(name) or name in {"self", "client"}:
        name += "_"
    return name


def class_name(shape: str) -> str:
    return shape[0].upper() + shape[1:]


def error_class_name(shape: str) -> str:
    base = shape[: -len("Exception")] if shape.endswith("Exception") else shape
    name = class_name(base) + "Error"
    # The service's ValidationException must not shadow ivsrt.ValidationError, which is
    # raised before anything is sent.
    return "ServiceValidationError" if name == "ValidationError" else name


def enum_member(value: str) -> str:
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def is_enum(shape: dict[str, Any]) -> bool:
    return shape["type"] == "string" and "enum" in shape


# ---------------------------------------------------------------------------------------------
# emitters


class Emitter:
    def __init__(self, model: Model) -> None:
        self.m = model
        self.cfg = model.config
        self.input_side = model.reachable(model.input_roots())
        self.output_side = model.reachable(model.output_roots())
        model.check_always_present(self.input_side)
        self.module = self.cfg.package_dir.replace("/", ".")
        """Import path of the generated package (``ivsrt._generated``)."""

    # -- shared -----------------------------------------------------------------------------
    def header(self, what: str) -> list[str]:
        return [
            f"# Generated by {GENERATOR} from botocore {self.m.botocore_version}, service "
            f"{self.cfg.service} {self.cfg.api_version},",
            f"# model sha256 {self.m.sha256}.",
            "# DO NOT EDIT: change tools/codegen and run `make codegen`.",
            f'"""{what}"""',
            "",
        ]

    def structures(self) -> list[str]:
        """Structure shapes (not errors) in dependency order."""
        ordered: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            shape = self.m.shape(name)
            for child in self.m.children(name):
                visit(child)
            if shape["type"] == "structure" and not shape.get("exception"):
                ordered.append(name)

        for name in sorted(self.m.shapes):
            if self.m.shape(name)["type"] == "structure":
                visit(name)
        return ordered

    def enums(self) -> list[str]:
        used = self.input_side | self.output_side
        return sorted(n for n in self.m.shapes if is_enum(self.m.shape(n)) and n in used)

    def annotation(self, shape_name: str, *, accept_literal: bool, prefix: str = "") -> str:
        shape = self.m.shape(shape_name)
        kind = shape["type"]
        if is_enum(shape):
            cls = prefix + class_name(shape_name)
            return f"{cls} | {cls}Literal" if accept_literal else cls
        if kind == "string":
            return "str"
        if kind in ("integer", "long"):
            return "int"
        if kind in ("float", "double"):
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "timestamp":
            return "datetime.datetime"
        if kind == "blob":
            return "bytes"
        if kind == "list":
            inner = self.annotation(
                shape["member"]["shape"], accept_literal=accept_literal, prefix=prefix
            )
            return f"Sequence[{inner}]"
        if kind == "map":
            k = self.annotation(shape["key"]["shape"], accept_literal=accept_literal, prefix=prefix)
            v = self.annotation(
                shape["value"]["shape"], accept_literal=accept_literal, prefix=prefix
            )
            return f"Mapping[{k}, {v}]"
        if kind == "structure":
            return prefix + class_name(shape_name)
        if kind == "document":
            return "Any"
        raise ValueError(f"unsupported shape type {kind!r} ({shape_name})")

    def has_timestamp_parameters(self) -> bool:
        """Whether an operation takes a timestamp parameter (annotated ``datetime.datetime``)."""
        return any(
            self.m.shape(member["shape"])["type"] == "timestamp"
            for root in self.m.input_roots()
            for member in self.m.shape(root)["members"].values()
        )

    def has_documents(self) -> bool:
        """Whether the model has a document shape (annotated ``Any``)."""
        return any(shape.get("type") == "document" for shape in self.m.shapes.values())

    # -- models.py ----------------------------------------------------------------------------
    def models(self) -> str:
        out = self.header(
            f"Models of the {self.m.raw['metadata']['serviceFullName']} API: enums and frozen "
            "attrs classes."
        )
        out += [
            "import datetime",
            "from collections.abc import Mapping, Sequence",
            "from typing import Any, Literal"
            if self.has_documents()
            else "from typing import Literal",
            "",
            "import attrs",
            "",
            "from ivsrt._enum import TolerantEnum",
            "",
            "__all__ = [",
        ]
        names: list[str] = []
        for e in self.enums():
            names += [class_name(e), class_name(e) + "Literal"]
        names += [class_name(s) for s in self.structures()]
        out += [f'    "{n}",' for n in sorted(names)]
        out += ["]", ""]
        for name in self.enums():
            shape = self.m.shape(name)
            cls = class_name(name)
            out += ["", f"class {cls}(TolerantEnum):"]
            doc = html_to_text(shape.get("documentation")) or (
                f"Values of `{name}`. A value the model does not know is kept as a "
                "pseudo-member whose `known` is False."
            )
            out += docstring(doc, 4)
            out.append("")
            for value in shape["enum"]:
                out.append(f'    {enum_member(value)} = "{value}"')
            out += [""]
            values = ", ".join(f'"{v}"' for v in shape["enum"])
            out += [f"{cls}Literal = Literal[{values}]", f'"""The values of `{cls}` as strings."""']
            out.append("")
        for name in self.structures():
            out += ["", *self.model_class(name)]
        return "\n".join(out).rstrip() + "\n"

    def model_class(self, name: str) -> list[str]:
        shape = self.m.shape(name)
        cls = class_name(name)
        accept_literal = name in self.input_side
        out = ["@attrs.frozen(kw_only=True)", f"class {cls}:"]
        out += docstring(html_to_text(shape.get("documentation")) or f"The `{name}` shape.", 4)
        required = self.m.present(name)
        members = shape["members"]
        if not members:
            return out
        out.append("")
        for wire, member in members.items():
            annot = self.annotation(member["shape"], accept_literal=accept_literal)
            args = []
            if wire not in required:
                annot += " | None"
                args.append("default=None")
            if self.m.sensitive(name, wire):
                args.append("repr=False")
            meta = f'{{"wire": "{wire}"'
            if self.m.sensitive(name, wire):
                meta += ', "sensitive": True'
            meta += "}"
            args.append(f"metadata={meta}")
            out.append(f"    {py_name(wire)}: {annot} = attrs.field({', '.join(args)})")
            out += docstring(html_to_text(member.get("documentation")), 4)
        return out

    # -- errors.py ----------------------------------------------------------------------------
    def errors(self) -> str:
        out = self.header(f"Modeled errors of {self.cfg.service}, one class per error shape.")
        out += [f"from {self.cfg.error_base_module} import ServiceError, ThrottlingError"]
        errs = sorted(n for n in self.m.shapes if self.m.is_exception(n))
        # A modeled throttling error is the retryable ThrottlingError itself (no class of its
        # own, which would shadow it).
        throttling = [n for n in errs if n in self.cfg.throttling_codes]
        errs = [n for n in errs if n not in throttling]
        parents = self.inherited_errors()
        if parents:
            alias = "_" + re.sub(r"\W", "_", str(self.cfg.inherit_errors_from))
            out.append(f"from {parents['']} import errors as {alias}")
        out += ["", "__all__ = ["]
        out += [f'    "{error_class_name(n)}",' for n in errs]
        out += ['    "ERRORS_BY_CODE",', "]", ""]
        for name in errs:
            shape = self.m.shape(name)
            status = shape.get("error", {}).get("httpStatusCode", 400)
            fault = "server" if shape.get("fault") else "client"
            base = "ServiceError"
            if name in parents:
                base = f"{alias}.{parents[name]}"
            out += ["", f"class {error_class_name(name)}({base}):"]
            doc = html_to_text(shape.get("documentation")) or name
            out += docstring(f"{doc}\n\nService error code `{name}`, HTTP {status} ({fault}).", 4)
            out += ["", f'    code_name = "{name}"', f"    default_status = {status}", ""]
        out += [
            "",
            "ERRORS_BY_CODE: dict[str, type[ServiceError]] = {",
        ]
        out += [f'    "{n}": {error_class_name(n)},' for n in errs]
        out += [f'    "{c}": ThrottlingError,' for c in self.cfg.throttling_codes]
        out += [
            f'    "{c}": ThrottlingError,' for c in throttling if c not in self.cfg.throttling_codes
        ]
        out += ["}", '"""Maps the error code the service sends to the class ivsrt raises."""']
        return "\n".join(out).rstrip() + "\n"

    def inherited_errors(self) -> dict[str, str]:
        """Error code -> class name in ``inherit_errors_from`` for the codes both services model
        (and ``""`` -> that service's generated module)."""
        other = self.cfg.inherit_errors_from
        if other is None:
            return {}
        from tools.codegen.config import SERVICES

        config = next(c for c in SERVICES if c.service == other)
        model = load_model(config)
        theirs = {n for n in model.shapes if model.is_exception(n)}
        ours = {n for n in self.m.shapes if self.m.is_exception(n)}
        found = {n: error_class_name(n) for n in sorted(theirs & ours)}
        found = {n: c for n, c in found.items() if n not in config.throttling_codes}
        return {"": config.package_dir.replace("/", "."), **found}

    # -- constraints.py -----------------------------------------------------------------------
    def constraints(self) -> str:
        out = self.header(
            "Request constraints and the operation table of the service model, as plain data.\n\n"
            "``ivsrt.validation`` checks requests against ``INPUT_SHAPES``; the emulator uses the\n"
            "same data to validate what it receives."
        )
        out += ["from typing import Any", "", "INPUT_SHAPES: dict[str, dict[str, Any]] = {"]
        for name in sorted(self.input_side):
            out.append(f"    {name!r}: {self.shape_spec(name)!r},")
        out += ["}", ""]
        sensitive = sorted(
            {
                wire
                for s in self.m.shapes
                if self.m.shape(s)["type"] == "structure" and not self.m.is_exception(s)
                for wire in self.m.shape(s)["members"]
                if self.m.sensitive(s, wire)
            }
        )
        out += [
            f"SENSITIVE_WIRE_MEMBERS: frozenset[str] = frozenset({sensitive!r})",
            '"""Wire names of members whose values are secrets (kept out of logs)."""',
            "",
            "OUTPUT_SHAPES: dict[str, dict[str, Any]] = {",
        ]
        for name in sorted(self.output_side):
            out.append(f"    {name!r}: {self.shape_spec(name)!r},")
        out += ["}", "", "OPERATIONS: dict[str, dict[str, Any]] = {"]
        for name, op in sorted(self.m.operations.items()):
            out.append(f"    {name!r}: {self.op_spec(name, op)!r},")
        out += ["}", ""]
        out += ["ERROR_STATUS: dict[str, int] = {"]
        for n in sorted(s for s in self.m.shapes if self.m.is_exception(s)):
            out.append(f"    {n!r}: {self.m.shape(n).get('error', {}).get('httpStatusCode', 400)},")
        out += ["}", ""]
        return "\n".join(out).rstrip() + "\n"

    def shape_spec(self, name: str) -> dict[str, Any]:
        shape = self.m.shape(name)
        spec: dict[str, Any] = {"type": shape["type"]}
        for key in ("min", "max", "enum"):
            if key in shape:
                spec[key] = shape[key]
        pattern = self.m.pattern(name)
        if pattern is not None:
            spec["pattern"] = pattern
        if shape.get("sensitive"):
            spec["sensitive"] = True
        if shape["type"] == "structure":
            spec["members"] = {
                wire: {
                    "name": py_name(wire),
                    "wire": wire,
                    "shape": m["shape"],
                    **({"location": m["location"]} if "location" in m else {}),
                    **({"location_name": m["locationName"]} if "locationName" in m else {}),
                    **({"idempotency_token": True} if m.get("idempotencyToken") else {}),
                    **({"sensitive": True} if self.m.sensitive(name, wire) else {}),
                }
                for wire, m in shape["members"].items()
            }
            spec["required"] = list(shape.get("required", []))
        elif shape["type"] == "list":
            spec["member"] = shape["member"]["shape"]
        elif shape["type"] == "map":
            spec["key"] = shape["key"]["shape"]
            spec["value"] = shape["value"]["shape"]
        return spec

    def op_spec(self, name: str, op: dict[str, Any]) -> dict[str, Any]:
        input_shape = op.get("input", {}).get("shape")
        output_shape = op.get("output", {}).get("shape")
        spec: dict[str, Any] = {
            "python_name": xform_name(name),
            "method": op["http"]["method"],
            "uri": op["http"]["requestUri"],
            "status": op["http"].get("responseCode", 200),
            "input": input_shape,
            "output": output_shape,
            "errors": [e["shape"] for e in op.get("errors", [])],
            "idempotency_tokens": [
                w
                for w, m in (self.m.shape(input_shape)["members"] if input_shape else {}).items()
                if m.get("idempotencyToken")
            ],
            "idempotent": bool(op.get("idempotent")),
            "read_only": name.startswith(("Get", "List", "BatchGet")),
            "botocore_paginator": name in self.m.paginators,
        }
        pagination = self.pagination(input_shape, output_shape)
        if pagination:
            spec["pagination"] = pagination
        return spec

    def pagination(self, input_shape: str | None, output_shape: str | None) -> dict[str, str]:
        if not input_shape or not output_shape:
            return {}
        ins = self.m.shape(input_shape)["members"]
        outs = self.m.shape(output_shape)["members"]
        if "nextToken" not in ins or "nextToken" not in outs:
            return {}
        lists = [w for w, m in outs.items() if self.m.shape(m["shape"])["type"] == "list"]
        if len(lists) != 1:
            raise ValueError(f"cannot tell the result key of {output_shape}: {lists}")
        return {
            "input_token": "nextToken",
            "output_token": "nextToken",
            "limit_key": "maxResults" if "maxResults" in ins else "",
            "result_key": lists[0],
        }

    # -- operations.py ------------------------------------------------------------------------
    def operations(self) -> str:
        meta = self.m.raw["metadata"]
        out = self.header(f"Typed async bindings for every operation of {meta['serviceFullName']}.")
        out += [
            *(["import datetime"] if self.has_timestamp_parameters() else []),
            "from collections.abc import Mapping, Sequence",
            *(["from typing import Any"] if self.has_documents() else []),
            "",
            "from ivsrt._api_base import ApiBase, HasArn, OperationSpec"
            if self.uses_arn_members()
            else "from ivsrt._api_base import ApiBase, OperationSpec",
            f"from {self.module} import models as m",
            "",
            f'__all__ = ["{self.cfg.api_class}"]',
            "",
        ]
        ops = sorted(self.m.operations.items())
        for name, op in ops:
            out.append(self.spec_constant(name, op))
        out += ["", "", f"class {self.cfg.api_class}(ApiBase):"]
        svc_doc = html_to_text(self.m.raw.get("documentation"))
        out += docstring(
            f"Every operation of {meta['serviceFullName']} ({self.cfg.service} "
            f"{self.cfg.api_version}) as a typed async method.\n\n"
            f"Reach it as `client.{self.cfg.client_attribute}`. Parameters are keyword-only and "
            "named after the model's members in snake_case; each method validates its request "
            "before sending and returns the operation's output model.\n\n"
            + svc_doc.split("\n\n")[0],
            4,
        )
        out += ["", "    __slots__ = ()", ""]
        for name, op in ops:
            out += self.method(name, op)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def spec_constant(self, name: str, op: dict[str, Any]) -> str:
        output = op.get("output", {}).get("shape")
        # An operation without output (a 204) returns None: its output type is NoneType.
        out_t = f"m.{class_name(output)}" if output else "type(None)"
        spec = self.op_spec(name, op)
        safe = spec["read_only"] or spec["idempotent"] or bool(spec["idempotency_tokens"])
        return (
            f"_{xform_name(name).upper()} = OperationSpec("
            f'"{name}", "{xform_name(name)}", {spec["input"]!r}, {out_t}, '
            f"idempotency_tokens={tuple(spec['idempotency_tokens'])!r}, "
            f"read_only={spec['read_only']!r}, retry_safe={safe!r}, "
            f"service={self.cfg.service!r}"
            + (f", arn_members={arns!r})" if (arns := self.arn_members(op)) else ")")
        )

    def arn_members(self, op: dict[str, Any]) -> tuple[str, ...]:
        """Wire names of the top-level string members named ``arn`` or ``*_arn``: the typed
        methods take them as ``str | HasArn`` (a resource or model in place of its ARN)."""
        input_shape = op.get("input", {}).get("shape")
        if not input_shape:
            return ()
        members = self.m.shape(input_shape)["members"]
        return tuple(
            wire
            for wire, member in members.items()
            if (py_name(wire) == "arn" or py_name(wire).endswith("_arn"))
            and self.m.shape(member["shape"])["type"] == "string"
            and not is_enum(self.m.shape(member["shape"]))
        )

    def uses_arn_members(self) -> bool:
        return any(self.arn_members(op) for op in self.m.operations.values())

    def method(self, name: str, op: dict[str, Any]) -> list[str]:
        input_shape = op.get("input", {}).get("shape")
        output = op.get("output", {}).get("shape")
        ret = f"m.{class_name(output)}" if output else "None"
        members = self.m.shape(input_shape)["members"] if input_shape else {}
        required = set(self.m.shape(input_shape).get("required", [])) if input_shape else set()
        params = []
        ordered = [w for w in members if w in required] + [w for w in members if w not in required]
        arns = self.arn_members(op)
        for wire in ordered:
            annot = self.annotation(members[wire]["shape"], accept_literal=True, prefix="m.")
            if wire in arns:
                annot = "str | HasArn"
            if wire in required:
                params.append(f"{py_name(wire)}: {annot}")
            else:
                params.append(f"{py_name(wire)}: {annot} | None = None")
        pyname = xform_name(name)
        sig = ", ".join(["self", "*", *params]) if params else "self"
        lines = [f"    async def {pyname}({sig}) -> {ret}:"]
        if len(lines[0]) > 100:
            lines = [f"    async def {pyname}(", "        self,"]
            if params:
                lines.append("        *,")
            lines += [f"        {p}," for p in params]
            lines.append(f"    ) -> {ret}:")
        doc = html_to_text(op.get("documentation")) or name
        if members:
            doc += "\n\nArgs:"
        body = docstring(doc, 8)
        # Args are indented under the "Args:" heading: add them to the docstring by hand.
        if members:
            arg_lines = []
            for wire in ordered:
                text = html_to_text(members[wire].get("documentation")) or wire
                text = " ".join(text.split("\n\n"))
                if wire in arns:
                    text += " Also takes an object with an ``arn`` (a resource, a model)."
                if wire in members and members[wire].get("idempotencyToken"):
                    text += (
                        " If omitted, ivsrt generates one and reuses it on every retry of "
                        "this call."
                    )
                wrapped = textwrap.wrap(
                    f"{py_name(wire)}: {text}".replace("\\", "\\\\").replace('"""', "'''"),
                    width=96 - 12,
                    subsequent_indent="    ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                arg_lines += [f"            {w}" for w in wrapped]
            body = body[:-1] + arg_lines + ["", "        Returns:"]
            body.append(
                f"            The `{class_name(output)}` output model."
                if output
                else "            None."
            )
            body.append('        """')
        lines += body
        args = ", ".join(f'"{w}": {py_name(w)}' for w in ordered)
        const = f"_{pyname.upper()}"
        call = f"        return await self._invoke({const}, {{{args}}})"
        if len(call) > 100:
            lines.append("        return await self._invoke(")
            lines.append(f"            {const},")
            lines.append("            {")
            lines += [f'                "{w}": {py_name(w)},' for w in ordered]
            lines.append("            },")
            lines.append("        )")
        else:
            lines.append(call)
        return lines

    # -- stamp.py -----------------------------------------------------------------------------
    def stamp(self) -> str:
        out = self.header("Where the generated code came from.")
        out += [
            f'GENERATOR = "{GENERATOR}"',
            f'BOTOCORE_VERSION = "{self.m.botocore_version}"',
            f'SERVICE = "{self.cfg.service}"',
            f'API_VERSION = "{self.cfg.api_version}"',
            f'MODEL_SHA256 = "{self.m.sha256}"',
            f'SIGNING_NAME = "{self.m.raw["metadata"]["signingName"]}"',
            f'ENDPOINT_PREFIX = "{self.m.raw["metadata"]["endpointPrefix"]}"',
        ]
        return "\n".join(out).rstrip() + "\n"


def render(config: ServiceConfig) -> dict[str, str]:
    """All generated files for ``config``, by file name."""
    emitter = Emitter(load_model(config))
    return {
        "__init__.py": "\n".join(emitter.header("Generated code. DO NOT EDIT.")).rstrip() + "\n",
        "models.py": emitter.models(),
        "errors.py": emitter.errors(),
        "constraints.py": emitter.constraints(),
        "operations.py": emitter.operations(),
        "stamp.py": emitter.stamp(),
    }


def write_service(config: ServiceConfig, root: Path) -> Iterator[Path]:
    """Write the typed code of ``config`` into ``root/config.package_dir`` and the runtime model
    files botocore loads into ``root/ivsrt/_generated/data/<service>/<version>/``."""
    target = root / config.package_dir
    target.mkdir(parents=True, exist_ok=True)
    for filename, text in render(config).items():
        path = target / filename
        path.write_text(text, encoding="utf-8")
        yield path
    data = root / source.DATA_PACKAGE_DIR
    folder = data / config.service / config.api_version
    if folder.is_dir():
        for stale in folder.iterdir():
            stale.unlink()
    for rel, payload in source.runtime_files(config.service, config.api_version).items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        yield path
