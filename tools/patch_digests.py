"""``python -m tools.patch_digests``: print the source digest of every private botocore /
aiobotocore member ivsrt overrides or relies on, for the installed versions.

``tests/test_patches.py`` holds the list and the digests known to work; after checking that a
new botocore/aiobotocore release keeps the behaviour ivsrt relies on, add the digests this
prints to that table (aiobotocore's ``tests/test_patches.py`` does the same for botocore).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from typing import Any


def resolve(path: str) -> Any:
    """``"package.module.Class.member"`` -> the function or class it names (looked up through
    the class's MRO, so a member inherited from a base class is found where it is defined)."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def digest(path: str) -> str:
    """sha1 of the member's source, as aiobotocore's test_patches does."""
    source = inspect.getsource(resolve(path))
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


def main() -> None:
    import aiobotocore
    import botocore

    from tests.test_patches import SURFACES

    print(f"# aiobotocore {aiobotocore.__version__}, botocore {botocore.__version__}")
    for path in SURFACES:
        print(f'    "{path}": "{digest(path)}",')


if __name__ == "__main__":
    main()
