"""The service models ivsrt ships, read the way botocore reads them, for tests that check the
generated code and the wire against the model rather than against the generator's tables."""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.loaders import Loader

import ivsrt


@cache
def shipped_model(service: str, type_name: str = "service-2") -> Any:
    """``type_name`` of ``service`` from ``ivsrt.botocore_data_path()`` only (the runtime copy:
    no documentation strings)."""
    loader = Loader(
        extra_search_paths=[ivsrt.botocore_data_path()],
        include_default_search_paths=False,
        include_default_extras=False,
    )
    return loader.load_service_model(service, type_name, "2020-07-14")


@cache
def source_model(service: str, type_name: str = "service-2") -> Any:
    """``type_name`` of ``service`` from the botocore release in ``tools/codegen/model`` (with
    documentation): what the generator read."""
    from tools.codegen import source

    return source.load(service, "2020-07-14", type_name)
