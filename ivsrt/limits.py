"""Client-side rate limits: the service's published call-rate table, so a burst is paced.

```python
import ivsrt
from ivsrt import RateLimits

async with ivsrt.Client(region="us-west-2") as ivs:   # the service's table, on by default
    ...
async with ivsrt.Client(region="us-west-2", rate_limits="off") as ivs:  # no pacing
    ...
mine = RateLimits.service().with_rates(CreateParticipantToken=20)    # a smaller share
async with ivsrt.Client(region="us-west-2", rate_limits=mine) as ivs:
    await ivs.with_options(rate_limits="off").api.get_stage(arn=arn)   # this call unpaced
```

IVS's API call rate quotas are per account and region, per operation, and **not adjustable**
(the quotas pages of the IVS Real-Time User Guide, "API Call Rate Quotas", and of the
Low-Latency Streaming User Guide for the channel operations):

| Operations | TPS |
| --- | --- |
| ``CreateParticipantToken`` | 50 |
| ``ImportPublicKey``, ``GetPublicKey``, ``ListPublicKeys``, ``DeletePublicKey`` | 3 |
| ``TagResource``, ``UntagResource``, ``ListTagsForResource`` (both services) | 10 |
| channels: ``Import/Get/List/DeletePlaybackKeyPair`` | 3 |
| channels: ``Create/Get/List/DeleteRecordingConfiguration`` | 3 |
| channels: ``BatchStartViewerSessionRevocation`` | 2 |
| channels: ``PutMetadata`` | 155 (per account; the per-channel 5 TPS is not modelled) |
| every other operation | 5 |

A call over its rate is answered with HTTP 429 ``ThrottlingException``. The limiter
(``ivsrt._runtime.limiting``) keeps one token bucket per operation, filled at the operation's
rate; the first attempt of a call waits for a token (in FIFO order), so a burst runs at the
limit instead of being throttled and backed off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs

__all__ = ["SERVICE_RATES", "RateLimits", "RateLimitsOption"]

SERVICE_RATES: Mapping[str, float] = {
    # IVS Real-Time User Guide, Service Quotas, "API Call Rate Quotas"
    "CreateParticipantToken": 50.0,
    "DeletePublicKey": 3.0,
    "GetPublicKey": 3.0,
    "ImportPublicKey": 3.0,
    "ListPublicKeys": 3.0,
    "ListTagsForResource": 10.0,
    "TagResource": 10.0,
    "UntagResource": 10.0,
    # IVS Low-Latency Streaming User Guide, Service Quotas (the ``ivs`` channel operations)
    "DeletePlaybackKeyPair": 3.0,
    "GetPlaybackKeyPair": 3.0,
    "ImportPlaybackKeyPair": 3.0,
    "ListPlaybackKeyPairs": 3.0,
    "CreateRecordingConfiguration": 3.0,
    "DeleteRecordingConfiguration": 3.0,
    "GetRecordingConfiguration": 3.0,
    "ListRecordingConfigurations": 3.0,
    "BatchStartViewerSessionRevocation": 2.0,
    "PutMetadata": 155.0,
}
"""The service's TPS per operation where it is not `SERVICE_DEFAULT_TPS`."""

SERVICE_DEFAULT_TPS = 5.0
"""The service's rate for every operation not in `SERVICE_RATES`."""


def _rate(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"RateLimits.{where} must be a number of calls per second, not {value!r}")
    if not (0 < value < math.inf):
        raise ValueError(f"RateLimits.{where} must be a finite number > 0, not {value!r}")
    return float(value)


def _rates(value: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError(f"RateLimits.operations must be a mapping, not {type(value).__name__}")
    out: dict[str, float] = {}
    for name, tps in value.items():
        if not isinstance(name, str) or not name[:1].isupper():
            raise ValueError(
                f"RateLimits.operations: keys are operation names (e.g. 'GetStage'), not {name!r}"
            )
        out[name] = _rate(f"operations[{name!r}]", tps)
    return out


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    _rate(attribute.name, value)


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        raise ValueError(f"RateLimits.{attribute.name} must be a finite number >= 0, not {value!r}")


@attrs.frozen(kw_only=True, eq=True, hash=False)
class RateLimits:
    """The call rates a client keeps to, per operation. Immutable.

    ``RateLimits.service()`` is the service's table (see [`ivsrt.limits`][ivsrt.limits]);
    ``RateLimits(default=..., operations={...})`` another one, for an account that shares its
    quota with other processes or has other limits. Give one to
    ``ivsrt.Client(rate_limits=...)``, or to ``client.with_options(rate_limits=...)`` for a view
    whose calls keep to it. ``"off"`` instead of a ``RateLimits`` disables pacing.

    Each operation has its own token bucket (per client: the client and its ``with_options``
    views with an equal ``RateLimits`` share the buckets; channel and real-time operations of
    the same name have separate ones). A bucket holds ``max(1, rate * burst)`` tokens and
    refills at the operation's rate; a call's first attempt takes a token, waiting in FIFO
    order when there is none, before the retry policy's deadline starts; each retry takes one
    too, after its backoff, ahead of the calls still waiting (so it waits at most one token's
    time, and that wait counts in the call's deadline).

    With ``adaptive``, a ``ThrottlingException`` the service answers anyway (another process
    sharing the account's quota) halves the operation's rate (once per excess: throttles of
    requests sent before the last halving change nothing more; never below a twentieth of
    the rate), which then climbs back linearly to the full rate in ``recovery`` seconds:
    additive increase, multiplicative decrease.
    """

    default: float = attrs.field(default=SERVICE_DEFAULT_TPS, validator=_positive)
    """Calls per second of every operation not in ``operations``."""
    operations: Mapping[str, float] = attrs.field(
        factory=lambda: dict(SERVICE_RATES), converter=_rates
    )
    """Calls per second by operation name (``{"CreateParticipantToken": 50}``)."""
    burst: float = attrs.field(default=0.2, validator=_non_negative)
    """Seconds of calls a bucket may send at once after being idle (at least one call). Kept
    below the service's own allowance, so that calls paced here are not throttled there when
    the network delays some more than others."""
    adaptive: bool = True
    """Slow down when the service throttles anyway (see above)."""
    recovery: float = attrs.field(default=10.0, validator=_non_negative)
    """Seconds an adaptive rate takes to climb back from its lowest to the full rate."""

    @classmethod
    def service(cls) -> RateLimits:
        """The service's published table (the defaults)."""
        return _SERVICE

    def rate(self, operation: str) -> float:
        """Calls per second for ``operation``."""
        return self.operations.get(operation, self.default)

    def with_rates(self, **rates: float) -> RateLimits:
        """A copy with some operations' rates changed, e.g.
        ``RateLimits.service().with_rates(CreateParticipantToken=20)``."""
        return attrs.evolve(self, operations={**self.operations, **rates})

    def scaled(self, factor: float) -> RateLimits:
        """A copy with every rate multiplied by ``factor`` (e.g. 0.5 for half the quota, when
        two processes share an account)."""
        factor = _rate("scaled factor", factor)
        return attrs.evolve(
            self,
            default=self.default * factor,
            operations={name: tps * factor for name, tps in self.operations.items()},
        )

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        """A hashable identity (equal tables share a client's buckets)."""
        return (
            self.default,
            tuple(sorted(self.operations.items())),
            self.burst,
            self.adaptive,
            self.recovery,
        )


_SERVICE = RateLimits()

RateLimitsOption = RateLimits | Literal["auto", "off"]
"""What ``Client(rate_limits=...)`` takes: a `RateLimits`; ``"off"``; or ``"auto"`` (the
default): ``RateLimits.service()`` for AWS endpoints, off for a loopback ``endpoint_url``
(``127.0.0.1``, ``::1``, ``localhost``: the bundled emulator, which enforces no rates unless
asked, and whose own ``Emulator.client()`` passes the table it enforces)."""
