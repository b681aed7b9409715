"""The one place ivsrt's version is written.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``), ``ivsrt.__version__`` re-exports it,
the client sends it in its User-Agent, and CHANGELOG.md has a section for it (a test checks all
four agree). This module imports nothing, so the build can read it without importing ivsrt.
"""

__version__ = "0.1.0"
