"""The documentation cannot drift from the code.

- The site builds with ``mkdocs build --strict`` (broken links, missing references, unresolved
  mkdocstrings identifiers and missing snippet files are all errors).
- Every public name is in the API reference.
- Every Python block of the docs is run (against the bundled emulator) or included from a file
  that is run; see ``_blocks.py`` for the convention.
"""

from __future__ import annotations

import ast
import asyncio
import html as html_lib
import importlib
import inspect
import os
import re
import runpy
import subprocess
import sys
import threading
import types
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ivsrt.emulator import Emulator
from tests.docs._blocks import DOCS, FRAGMENT, NOT_RUN, ROOT, RUN, blocks, includes, pages, runnable

SNIPPETS = DOCS / "snippets"


@pytest.fixture
async def docs_emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Emulator]:
    """A fresh emulator, and the environment a reader would set to point ivsrt at it (the
    machine's own AWS settings are already cleared by tests/conftest.py)."""
    async with Emulator(seed=0) as emu:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IVS_REALTIME", emu.endpoint_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", emu.endpoint_url)  # the channel API
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        yield emu


# -- every code block is accounted for --------------------------------------------------------


def test_every_python_block_is_run_or_included() -> None:
    unaccounted = [
        b.where
        for page in pages()
        for b in blocks(page)
        if b.language in ("python", "py")
        and not b.is_include
        and b.marker != RUN
        and not NOT_RUN.match(b.marker)
        and not FRAGMENT.match(b.marker)
    ]
    assert unaccounted == [], (
        "python blocks in docs/ must be marked <!-- run --> (the tests execute them), include a "
        "tested file with --8<--, or say <!-- not run: why --> (or <!-- fragment: why -->)"
    )
    assert sum(len(runnable(p)) for p in pages()) >= 20


CODE_WIDTH = 110
"""Columns of code the content column shows whole on a 1400 px wide window (docs/stylesheets/
extra.css gives it about 114)."""


def test_code_samples_fit_the_column() -> None:
    too_wide = []
    for page in pages():
        for b in blocks(page):
            for n, line in enumerate(b.source.splitlines(), start=b.line + 1):
                if len(line) > CODE_WIDTH and not line.lstrip().startswith("--8<--"):
                    too_wide.append(f"{page.relative_to(ROOT)}:{n}: {len(line)} columns")
        for inc in includes(page):
            path = SNIPPETS / inc if (SNIPPETS / inc).is_file() else ROOT / inc
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if len(line) > CODE_WIDTH:
                    too_wide.append(f"{path.relative_to(ROOT)}:{n}: {len(line)} columns")
    assert too_wide == []


def test_included_files_exist_and_snippets_are_all_used() -> None:
    used = {inc for page in pages() for inc in includes(page)}
    for inc in used:
        assert (SNIPPETS / inc).is_file() or (ROOT / inc).is_file(), inc
    unused = [
        p.name for p in SNIPPETS.glob("*.py") if p.name not in used and p.name != "conftest.py"
    ]
    assert unused == []


def test_operation_counts_in_the_prose_match_the_model() -> None:
    """ "N operations" is the IVS Real-Time count, "N channel operations" the IVS one."""
    from ivsrt._generated.channels.constraints import OPERATIONS as CHANNEL_OPERATIONS
    from ivsrt._generated.constraints import OPERATIONS

    expected = {"": len(OPERATIONS), "channel ": len(CHANNEL_OPERATIONS)}
    counts = {
        f"{page.relative_to(DOCS)}: {m[0]}": (int(m[1]), m[2] or "")
        for page in pages()
        for m in re.finditer(r"\b(\d+) (channel )?operations\b", page.read_text(encoding="utf-8"))
    }
    assert counts, "the docs state how many operations there are"
    assert {k: n for k, (n, kind) in counts.items() if n != expected[kind]} == {}


# -- the pages' code blocks run -----------------------------------------------------------------

RUN_PAGES = [p for p in pages() if runnable(p)]


async def _run_blocks(page: Path, namespace: dict[str, Any]) -> int:
    ran = 0
    for block in runnable(page):
        code = compile(block.source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            await asyncio.wait_for(result, timeout=20)
        ran += 1
    return ran


@pytest.mark.parametrize("page", RUN_PAGES, ids=[str(p.relative_to(DOCS)) for p in RUN_PAGES])
async def test_page_examples_run(page: Path, docs_emulator: Emulator) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs:{page.stem}"}
    ran = await _run_blocks(page, namespace)
    assert ran == len(runnable(page))
    text = "\n".join(b.source for b in runnable(page))
    if re.search(r'ivsrt\.Client\(region="us-west-2"(?!, endpoint_url)', text):
        # The page's ordinary-looking client calls really reached the emulator.
        assert docs_emulator.request_count() > 0


# -- the included snippet files run -------------------------------------------------------------

SCRIPTS = sorted(p for p in SNIPPETS.glob("*.py") if not p.name.startswith("test_"))


def _run_script_in_thread(path: Path, argv: list[str]) -> None:
    """Run a script as ``__main__`` in its own thread (it calls ``asyncio.run`` itself)."""
    errors: list[BaseException] = []

    def target() -> None:
        saved = sys.argv
        sys.argv = [str(path), *argv]
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (0, None):
                errors.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            sys.argv = saved

    thread = threading.Thread(target=target, name=f"snippet:{path.name}")
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), f"{path.name} did not finish within 30 s"
    if errors:
        raise errors[0]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
async def test_snippet_scripts_run(
    script: Path, docs_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.to_thread(_run_script_in_thread, script, [])
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed nothing"


def test_pytest_fixture_example_passes_in_a_fresh_project(tmp_path: Path) -> None:
    """The testing guide's conftest.py, pytest configuration and test file, copied into an
    empty project, pass (and would fail if the fixtures or the control surface changed)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("conftest.py", "test_town_hall.py", "pyproject.toml"):
        (project / name).write_text((SNIPPETS / "testing" / name).read_text())
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "pytest_asyncio.plugin"),
            *("-p", "no:cacheprovider", "-W", "error", "-q", str(project)),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r"\b3 passed\b", proc.stdout), proc.stdout[-2000:]


# -- the API reference covers every public name -------------------------------------------------


def _directives() -> list[tuple[str, list[str] | None]]:
    """``(identifier, explicit members or None)`` for every ``::: identifier`` in the docs."""
    found: list[tuple[str, list[str] | None]] = []
    for page in pages():
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^:::\s+(\S+)", line)
            if not m:
                continue
            members: list[str] | None = None
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                opt = re.match(r"^\s+members:\s*(.*)$", lines[j])
                if opt:
                    members = []  # "members: false" or an explicit list below
                    k = j + 1
                    while k < len(lines) and re.match(r"^\s+-\s+\S", lines[k]):
                        members.append(lines[k].split("-", 1)[1].strip())
                        k += 1
                j += 1
            found.append((m[1], members))
    return found


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def _public(module: types.ModuleType) -> list[str]:
    return [n for n in getattr(module, "__all__", []) if not n.startswith("_")]


PUBLIC_MODULES = [
    "ivsrt",
    "ivsrt.errors",
    "ivsrt.models",
    "ivsrt.channels",
    "ivsrt.validation",
    "ivsrt.resources",
    "ivsrt.paging",
    "ivsrt.waiting",
    "ivsrt.retry",
    "ivsrt.emulator",
    "ivsrt.emulator.pytest_plugin",
    "ivsrt.tokens",
    "ivsrt.events",
]


def test_reference_documents_every_public_name() -> None:
    documented: set[int] = set()
    for ident, members in _directives():
        obj = _resolve(ident)
        documented.add(id(obj))
        if isinstance(obj, types.ModuleType) and members is None:
            documented.update(id(getattr(obj, n)) for n in _public(obj))
        elif members:
            documented.update(id(getattr(obj, n)) for n in members)
    missing: list[str] = []
    checked = 0
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in _public(module):
            value = getattr(module, attr)
            if isinstance(value, (str, int)) and attr.startswith("__"):
                continue
            checked += 1
            if id(value) not in documented:
                missing.append(f"{name}.{attr}")
    assert missing == []
    assert checked > 150


# -- the site builds ---------------------------------------------------------------------------


SPHINX_ROLE = re.compile(r":(?:meth|class|attr|func|data|mod|exc):(?:`|<code>)")


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    stages = (site / "reference" / "models" / "stages.html").read_text()
    assert 'id="ivsrt.models.Stage"' in stages
    assert "active_session_id" in stages  # attribute docstrings were read
    # Opened from disk: search works without a server (the offline plugin's index script).
    assert (site / "search" / "search_index.js").is_file()
    version = runpy.run_path(str(ROOT / "ivsrt" / "_version.py"))["__version__"]
    assert f"ivsrt {version}" in (site / "index.html").read_text()  # the version is shown
    assert "## [Unreleased]" not in (site / "changelog.html").read_text()  # rendered, included
    assert "Unreleased" in (site / "changelog.html").read_text()
    pages_checked = 0
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "--8&lt;--" not in text, html  # every include was resolved
        assert "--8<--" not in text, html
        assert "fonts.googleapis.com" not in text, html  # nothing fetched from the web
        assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', text), html
        # mkdocstrings (Google style) does not resolve Sphinx roles: they would show raw
        roles = SPHINX_ROLE.findall(text)
        assert not roles, (html, roles[:5])
        if html.name != "404.html":  # served by a web server at any path: absolute links
            _check_reference_page(site, html, text)
        pages_checked += 1
    assert pages_checked > 40


def _visible_text(page: str) -> str:
    """The page's text outside code blocks (``<pre>``), tags removed, entities decoded."""
    outside = re.sub(r"<pre.*?</pre>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", outside))


def _check_reference_page(site: Path, path: Path, page: str) -> None:
    """What a reader sees is clean: no reST leftovers, no attrs definitions or constant names
    where values belong, links that open from disk, pages of a readable size."""
    where = path.relative_to(site)
    assert len(page) < 300_000, (where, len(page))
    decoded = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    assert not re.search(r"=\s*attrs\.field\(", decoded), where  # the default, not the definition
    assert not re.search(r"= DEFAULT_[A-Z_]+\b", decoded), where  # the value, not its name
    text = _visible_text(page)
    assert not re.search(r"\w::(\s|$)", text), where  # a reST literal-block marker
    assert not re.search(r"(?<![\w/.~])~[A-Za-z_]\w*\.\w", text), where  # a reST ~ref
    for href in re.findall(r'href="([^"#?]+)', page):
        if re.match(r"^[a-z]+:", href) or href.startswith("//"):
            continue  # absolute links (https:, mailto:)
        target = (path.parent / href).resolve()
        # From disk, a link to a folder opens a directory listing, not the page.
        assert target.is_file(), (where, href)
