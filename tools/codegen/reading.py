"""Reading a botocore service model for the generator: documentation text, the `Model` and its
shapes, and the Python names shapes and members get."""

from __future__ import annotations

import hashlib
import html
import json
import keyword
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore import xform_name

from tools.codegen import source
from tools.codegen.config import ServiceConfig

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
