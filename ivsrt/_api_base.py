"""What the generated operation classes import: `ApiBase`, `HasArn` and `OperationSpec`.

A thin re-export kept so the generated files (``from ivsrt._api_base import ApiBase,
OperationSpec``) work unchanged; the call path itself is ``ivsrt._runtime.pipeline``.
"""

from ivsrt._arn import HasArn
from ivsrt._runtime.pipeline import ApiBase
from ivsrt._runtime.spec import OperationSpec

__all__ = ["ApiBase", "HasArn", "OperationSpec"]
