"""Put on ``PYTHONPATH`` of a subprocess to make it look like a machine without some packages:
an import hook (run at interpreter start, before any test code) that

- refuses every module named in ``IVSRT_TEST_BLOCK`` (comma-separated; a name blocks its
  submodules too), as if it were not installed;
- reports ``IVSRT_TEST_AIOHTTP_VERSION`` as ``aiohttp.__version__``, as if an older aiohttp
  were installed.

Nothing of ivsrt is touched: the subprocess imports the real modules.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence

_BLOCKED = tuple(n for n in os.environ.get("IVSRT_TEST_BLOCK", "").split(",") if n)
_AIOHTTP_VERSION = os.environ.get("IVSRT_TEST_AIOHTTP_VERSION")


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if any(fullname == b or fullname.startswith(b + ".") for b in _BLOCKED):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        if fullname == "aiohttp" and _AIOHTTP_VERSION:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = _OldVersion(spec.loader)
            return spec
        return None


class _OldVersion(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        module.__version__ = _AIOHTTP_VERSION


sys.meta_path.insert(0, _Blocker())
