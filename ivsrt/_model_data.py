"""Where ivsrt's own copy of the service models lives, and how botocore is pointed at it.

ivsrt ships the ``ivs-realtime`` and ``ivs`` models of the botocore release it was generated
from (``ivsrt/_generated/data``, written by ``tools/codegen``), so its API is as new as that
model, whatever botocore aiobotocore pins. botocore finds them through its loader's search
paths, the mechanism boto3 uses for its own ``data/`` folder:

- a session ivsrt creates gets the folder first on its loader's search path;
- a session the caller passes in is left as it is (its other clients keep the models they
  had): ivsrt creates its clients from a shallow copy of it whose ``data_loader`` is a loader
  with ivsrt's folder first and the session's own search paths after it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

__all__ = ["DATA_PATH", "botocore_data_path", "with_model"]

DATA_PATH = Path(__file__).resolve().parent / "_generated" / "data"


def botocore_data_path() -> str:
    """The folder holding ivsrt's copy of the ``ivs-realtime`` and ``ivs`` service models, laid
    out as botocore's loader expects: put it first on a botocore session's search path to give
    boto3 or aiobotocore the same API as ivsrt::

        session = botocore.session.get_session()
        session.get_component("data_loader").search_paths.insert(0, ivsrt.botocore_data_path())
    """
    return str(DATA_PATH)


def own_session_uses_model(session: Any) -> None:
    """Put ivsrt's models first on the loader of a session that ivsrt created (idempotent)."""
    paths: list[str] = session.get_component("data_loader").search_paths
    if not paths or paths[0] != str(DATA_PATH):
        paths.insert(0, str(DATA_PATH))


def with_model(session: Any) -> Any:
    """A session that creates clients like ``session`` but loads ivsrt's models, leaving
    ``session`` itself unchanged."""
    own = session.get_component("data_loader")
    loader = Loader(
        extra_search_paths=[str(DATA_PATH), *own.search_paths],
        include_default_search_paths=False,
        include_default_extras=False,
    )
    view = copy.copy(session)
    original = session.get_component

    def get_component(name: str) -> Any:
        return loader if name == "data_loader" else original(name)

    # An instance attribute on the copy only: aiobotocore's create_client reads the loader with
    # self.get_component("data_loader"); everything else is the caller's session's.
    view.get_component = get_component
    return view
