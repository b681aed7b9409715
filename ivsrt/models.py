"""Every model and enum of the IVS Real-Time API (generated from botocore's service model).

Models are frozen, slotted, keyword-only attrs classes with snake_case fields. Enums are
``str`` enums that keep values they do not know (see ``TolerantEnum.known``); each has a
``...Literal`` twin listing its values as strings, which request parameters accept too.
"""

from typing import TYPE_CHECKING, Any

from ivsrt._enum import TolerantEnum
from ivsrt._generated import models as _generated
from ivsrt._generated.models import __all__ as _generated_all

__all__ = ["TolerantEnum", *sorted([*_generated_all, *_generated.REQUEST_MODELS])]

if TYPE_CHECKING:
    from ivsrt._generated.models import *  # noqa: F403
    from ivsrt._generated.request_models import *  # noqa: F403
else:
    # Created on first access (``CreateStageRequest``...): nothing at ``import ivsrt`` needs
    # the request classes, and each attrs class costs about 1 ms to create.
    globals().update({n: getattr(_generated, n) for n in _generated_all})

    def __getattr__(name: str) -> Any:
        if name in _generated.REQUEST_MODELS:
            from ivsrt._generated import request_models

            value = getattr(request_models, name)
            globals()[name] = value
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
