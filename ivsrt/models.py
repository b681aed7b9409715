"""Every model and enum of the IVS Real-Time API (generated from botocore's service model).

Models are frozen, slotted, keyword-only attrs classes with snake_case fields. Enums are
``str`` enums that keep values they do not know (see ``TolerantEnum.known``); each has a
``...Literal`` twin listing its values as strings, which request parameters accept too.
"""

from ivsrt._enum import TolerantEnum
from ivsrt._generated.models import *  # noqa: F403
from ivsrt._generated.models import __all__ as _generated_all

__all__ = ["TolerantEnum", *_generated_all]
