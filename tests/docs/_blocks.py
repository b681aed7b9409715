"""Read the fenced code blocks of the documentation pages.

Convention (checked by ``test_docs.py``): every ```` ```python ```` block of ``docs/`` is either

- preceded by ``<!-- run -->``: the tests execute it. The runnable blocks of one page run in
  order in one namespace (like a REPL session: later blocks may use names from earlier ones),
  with top-level ``await`` allowed, against a fresh emulator that the standard
  ``AWS_ENDPOINT_URL_IVS_REALTIME`` variable points the page's ``ivsrt.Client(...)`` at; or
- an include of a file the tests run (a ``--8<--`` line: ``docs/snippets/`` or ``examples/``); or
- preceded by ``<!-- not run: <reason> -->`` (for instance code that needs a real AWS account);
  or
- preceded by ``<!-- fragment: <reason> -->``: deliberately incomplete code (a signature, an
  excerpt), neither run nor type-checked.

Every Python block of README.md and of ``docs/`` that is not a fragment is also type-checked
with ``mypy --strict`` (``tests/docs/test_samples_typecheck.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})(?P<info>[^`]*)$")
RUN = "<!-- run -->"
NOT_RUN = re.compile(r"^<!-- not run: .+ -->$")
FRAGMENT = re.compile(r"^<!-- fragment: .+ -->$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    marker: str  # the non-blank line before the fence ("" if none)
    source: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def is_include(self) -> bool:
        lines = [ln.strip() for ln in self.source.splitlines() if ln.strip()]
        return bool(lines) and all(ln.startswith("--8<--") for ln in lines)


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], m["indent"]
        language = (m["info"].strip().split() or [""])[0]
        marker = ""
        for back in range(i - 1, -1, -1):
            if lines[back].strip():
                marker = lines[back].strip()
                break
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        found.append(Block(page, i + 1, language, marker, "\n".join(body) + "\n"))
        i = j + 1
    return found


def runnable(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.language == "python" and b.marker == RUN]


def includes(page: Path) -> list[str]:
    """Paths of the files a page includes with ``--8<--`` (without section suffixes)."""
    found = []
    for line in page.read_text(encoding="utf-8").splitlines():
        m = re.match(r'^\s*--8<--\s+"([^"]+)"', line)
        if m:
            found.append(m[1].split(":")[0])
    return found
