"""What users see of ivsrt.to_dict / to_json / from_dict, pinned for type checkers.

The functions below are never run: ``mypy --strict ivsrt tests/typing`` (``make typecheck``)
checks their ``assert_type`` lines.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

import ivsrt
from ivsrt import models


def _pinned(stage: ivsrt.Stage, stages: list[ivsrt.Stage], page: ivsrt.Page[ivsrt.Stage]) -> None:
    assert_type(ivsrt.to_dict(stage), dict[str, Any])
    assert_type(ivsrt.to_dict(page, keys="wire"), dict[str, Any])
    assert_type(ivsrt.to_dict(stages, include_secrets=True), list[dict[str, Any]])
    assert_type(ivsrt.to_dict({"a": stage}), dict[str, dict[str, Any]])
    assert_type(ivsrt.to_json(stages, keys="wire", indent=2), str)
    assert_type(ivsrt.from_dict(models.Stage, {"arn": "a"}), models.Stage)
    assert_type(ivsrt.from_dict(ivsrt.Stage, {"arn": "a"}, client=stage.client), ivsrt.Stage)
    ivsrt.to_dict(stage, keys="camel")  # type: ignore[call-overload]
    ivsrt.from_dict(models.Stage, {}, keys="camel")  # type: ignore[arg-type]
