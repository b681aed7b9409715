"""The IVS channel API (service ``ivs``, 2020-07-14), generated from botocore's service model:
the channels that compositions publish to, their stream keys, playback keys, recording and
playback-restriction configurations, with the multitrack fields of the 2024-11-14 update.

```python
import ivsrt
from ivsrt import channels

async with ivsrt.Client(region="us-west-2") as ivs:
    created = await ivs.channels.create_channel(
        name="main",
        container_format="FRAGMENTED_MP4",
        multitrack_input_configuration=channels.MultitrackInputConfiguration(
            enabled=True, policy="ALLOW", maximum_resolution="FULL_HD"
        ),
    )
    print(created.channel.arn, created.stream_key)   # the key's value is not in the repr
```

Models and enums follow the conventions of [`ivsrt.models`][ivsrt.models]. The errors of the channel
calls
are here too: a channel error whose code IVS Real-Time also models subclasses the real-time class
(``except ivsrt.ResourceNotFoundError`` catches both), and the channel-only ones
(``ChannelNotBroadcastingError``, ``StreamUnavailableError``, ``ServiceUnavailableError``) live
only here. ``ERRORS_BY_CODE`` maps the codes of channel calls to these classes.
"""

from typing import TYPE_CHECKING, Any

from ivsrt._enum import TolerantEnum
from ivsrt._generated.channels import models as _models
from ivsrt._generated.channels.errors import *  # noqa: F403
from ivsrt._generated.channels.errors import __all__ as _errors_all
from ivsrt._generated.channels.models import __all__ as _models_all
from ivsrt._generated.channels.operations import ChannelsApi

__all__ = [
    "ChannelsApi",
    "TolerantEnum",
    *sorted([*_models_all, *_models.REQUEST_MODELS]),
    *_errors_all,
]

if TYPE_CHECKING:
    from ivsrt._generated.channels.models import *  # noqa: F403
    from ivsrt._generated.channels.request_models import *  # noqa: F403
else:
    # Created on first access (``CreateStageRequest``...): nothing at ``import ivsrt`` needs
    # the request classes, and each attrs class costs about 1 ms to create.
    globals().update({n: getattr(_models, n) for n in _models_all})

    def __getattr__(name: str) -> Any:
        if name in _models.REQUEST_MODELS:
            from ivsrt._generated.channels import request_models

            value = getattr(request_models, name)
            globals()[name] = value
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


from ivsrt._exceptions import publish_exceptions as _publish_exceptions

_publish_exceptions("ivsrt.channels", globals(), _errors_all)
