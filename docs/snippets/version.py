"""Which ivsrt is installed."""

import importlib.metadata

import ivsrt

print(ivsrt.__version__)  # e.g. 0.1.0
assert importlib.metadata.version("ivsrt") == ivsrt.__version__
