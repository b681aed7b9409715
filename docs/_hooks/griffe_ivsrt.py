"""A griffe extension (loaded by mkdocstrings, see mkdocs.yml) that makes the API reference read
like the code is used, not like it is written:

- an attrs field shows its default, not its definition: ``tags: Mapping[str, str] | None =
  None``, not ``= attrs.field(default=None, metadata={"wire": "tags"})`` (no default: nothing);
- a parameter whose default is a module constant shows the constant's value: ``timeout: float
  = 300.0``, not ``= DEFAULT_TIMEOUT``;
- docstrings written in reST style render as Markdown: a paragraph ending in ``::`` followed by
  an indented block becomes a fenced code block, and ``~a.b.C`` cross-reference tildes go.

It changes only what the documentation shows; the code is untouched.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import griffe

_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
_TILDE = re.compile(r"(?<![\w/.~])~(?=[A-Za-z_][\w]*\.[\w.]+)")


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


def _field_default(value: str) -> tuple[bool, str | None]:
    """``(is an attrs field, its default's source or None)`` for an attribute's value."""
    try:
        node = ast.parse(value, mode="eval").body
    except SyntaxError:
        return False, None
    if not (isinstance(node, ast.Call) and ast.unparse(node.func) in ("attrs.field", "field")):
        return False, None
    for kw in node.keywords:
        if kw.arg == "default":
            return True, ast.unparse(kw.value)
        if kw.arg == "factory":
            return True, f"{ast.unparse(kw.value)}()"
    return True, None


def _markdown(text: str) -> str:
    """reST literal blocks (``text::`` + indented block) as fenced code; no ``~`` in refs."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and not line.strip().startswith(("```", ">>>")):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            indent = len(line) - len(line.lstrip())
            block: list[str] = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
            ):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                head = line.rstrip()[:-2].rstrip()
                out.append(head + ":" if head and not head.endswith(":") else head)
                pad = " " * indent
                out += ["", pad + "```python"]
                out += [pad + ln for ln in textwrap.dedent("\n".join(block)).splitlines()]
                out += [pad + "```", ""]
                i = j
                continue
        out.append(line)
        i += 1
    return _TILDE.sub("", "\n".join(out))


class IvsrtReference(griffe.Extension):
    """See the module docstring."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        objects = list(_objects(pkg))
        constants: dict[str, str] = {}
        for obj in objects:
            if isinstance(obj, griffe.Attribute) and obj.value is not None:
                is_field, default = _field_default(str(obj.value))
                if is_field:
                    obj.value = default
                elif _CONSTANT.match(obj.name) and obj.parent is not None and obj.parent.is_module:
                    try:
                        ast.literal_eval(str(obj.value))
                    except (ValueError, SyntaxError):
                        continue
                    constants[obj.path] = str(obj.value)
            if obj.docstring is not None:
                obj.docstring.value = _markdown(obj.docstring.value)
        for obj in objects:
            if isinstance(obj, griffe.Function):
                for param in obj.parameters:
                    default = param.default
                    if isinstance(default, griffe.ExprName):
                        value = constants.get(default.canonical_path)
                        if value is not None:
                            param.default = value
