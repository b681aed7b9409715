"""The table-like outputs of the emitter: ``errors.py`` and ``constraints.py`` (plain data
read by the validation, the redaction and the emulator)."""

from __future__ import annotations

import re
from typing import Any

from botocore import xform_name

from tools.codegen.config import ServiceConfig
from tools.codegen.reading import (
    Model,
    docstring,
    error_class_name,
    html_to_text,
    load_model,
    py_name,
)


class TablesEmitter:
    """The ``errors.py`` and ``constraints.py`` half of ``generate.Emitter`` (its base)."""

    m: Model
    cfg: ServiceConfig
    input_side: set[str]
    output_side: set[str]

    def header(self, what: str) -> list[str]:  # pragma: no cover - Emitter defines it
        raise NotImplementedError

    def pagination(
        self, input_shape: str | None, output_shape: str | None
    ) -> dict[str, str]:  # pragma: no cover - Emitter defines it
        raise NotImplementedError

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
