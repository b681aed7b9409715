"""What the emulator needs beyond ivsrt's core: the ``emulator`` extra. Checked when
``ivsrt.emulator`` is imported, so that an install without it fails with the command to run
rather than somewhere deep in the server.

Only the standard library here: this runs before anything the extra brings is imported.
"""

from __future__ import annotations

import importlib
import re

__all__ = ["INSTALL_HINT", "REQUIREMENTS", "check_emulator_extra"]

INSTALL_HINT = "pip install 'ivsrt[emulator]'"
"""The command that installs what the emulator needs."""

REQUIREMENTS: dict[str, tuple[str, tuple[int, ...]]] = {
    # module checked: (distribution, lowest version), as pyproject.toml's `emulator` extra says
    "aiohttp.web": ("aiohttp", (3, 14)),
    "cryptography.hazmat.primitives.asymmetric.ec": ("cryptography", (43,)),
}


def _version(text: str) -> tuple[int, ...]:
    parts = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(p) for p in parts.group(0).split(".")) if parts else ()


def check_emulator_extra(package: str = "ivsrt.emulator") -> None:
    """Raise ``ModuleNotFoundError`` naming each missing or too-old package of the extra and
    the command that installs them."""
    problems: list[str] = []
    for module, (dist, lowest) in REQUIREMENTS.items():
        wanted = f"{dist}>={'.'.join(map(str, lowest))}"
        try:
            imported = importlib.import_module(module)
        except ImportError as exc:
            problems.append(f"{wanted} is not installed ({exc})")
            continue
        top = importlib.import_module(dist) if imported.__name__ != dist else imported
        found = str(getattr(top, "__version__", ""))
        if found and _version(found) < lowest:
            problems.append(f"{wanted} is needed, {found} is installed")
    if problems:
        # `name` is the module being imported: `python -m ivsrt.emulator` then prints this
        # message on one line instead of a traceback.
        raise ModuleNotFoundError(
            f"{package} needs the 'emulator' extra: {'; '.join(problems)}. "
            f"Install it with: {INSTALL_HINT}",
            name=package,
        )
