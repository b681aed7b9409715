"""Every Python sample of README.md and ``docs/**/*.md`` passes ``mypy --strict``, as written.

A sample is what a reader copies, so it must type-check against ivsrt's public types: an
``Optional`` a sample forgets to narrow, or a name it misspells, fails here. How the blocks are
grouped follows how they run (see ``_blocks.py``): the ``<!-- run -->`` blocks of a docs page
form one program, in order (later blocks use names of earlier ones); each other block and each
README block stands alone. A program's top-level ``await`` / ``async with`` / ``async for`` is
legal where the samples run, so it is checked as the body of an ``async def``. Blocks marked
``<!-- fragment: <reason> -->`` are left out; includes (``--8<--``) are files the project's own
mypy run and tests cover.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.docs._blocks import FRAGMENT, ROOT, RUN, Block, blocks, pages

README = ROOT / "README.md"


@dataclass
class Program:
    name: str
    source: str
    origin: list[str]
    """``origin[i]``: where (page:line) line ``i + 1`` of ``source`` comes from."""


def _checked(page: Path) -> list[Block]:
    return [
        b
        for b in blocks(page)
        if b.language in ("python", "py") and not b.is_include and not FRAGMENT.match(b.marker)
    ]


def _groups() -> list[list[Block]]:
    groups: list[list[Block]] = [[b] for b in _checked(README)]
    for page in pages():
        checked = _checked(page)
        run = [b for b in checked if b.marker == RUN]
        if run:
            groups.append(run)
        groups += [[b] for b in checked if b.marker != RUN]
    return groups


def _program(index: int, group: list[Block]) -> Program:
    lines = ["async def _sample() -> None:"]
    origin = ["(wrapper)"]
    for block in group:
        for n, line in enumerate(block.source.splitlines(), start=block.line + 1):
            if line.strip() == "from __future__ import annotations":
                continue  # legal only at the top of a module; the samples run on 3.10+
            lines.append(textwrap.indent(line, "    ") if line.strip() else "")
            origin.append(f"{block.page.relative_to(ROOT)}:{n}")
        lines.append("    pass")
        origin.append("(wrapper)")
    return Program(f"sample_{index:03d}", "\n".join(lines) + "\n", origin)


def test_there_are_samples_to_check() -> None:
    groups = _groups()
    assert len(groups) >= 10
    assert any(b.page == README for g in groups for b in g)


def test_every_sample_passes_mypy_strict(tmp_path: Path) -> None:
    programs = [_program(i, g) for i, g in enumerate(_groups())]
    for program in programs:
        (tmp_path / f"{program.name}.py").write_text(program.source, encoding="utf-8")
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-error-summary"),
            *("--config-file", str(ROOT / "pyproject.toml")),
            *("--cache-dir", str(ROOT / ".mypy_cache")),
            *(str(tmp_path / f"{p.name}.py") for p in programs),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    by_name = {p.name: p for p in programs}

    def where(m: re.Match[str]) -> str:
        return by_name[m[1]].origin[int(m[2]) - 1] + ":"

    report = re.sub(r"\S*(sample_\d{3})\.py:(\d+):", where, proc.stdout + proc.stderr)
    assert proc.returncode == 0, report
