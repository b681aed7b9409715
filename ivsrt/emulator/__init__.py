"""A local Amazon IVS Real-Time emulator: every operation, real state, the real wire protocol.

```python
from ivsrt.emulator import Emulator

async with Emulator() as emu:
    async with emu.client() as ivs:
        created = await ivs.api.create_stage(name="demo")
```

Or from a shell: ``python -m ivsrt.emulator [--host 127.0.0.1] [--port N] [--seed N]``.

It speaks rest-json like the service (SigV4 verified for service ``ivs``, access key ``test``
/ secret ``test`` by default, account ``123456789012``, any region), so boto3, aiobotocore and
anything else that signs SigV4 can use it. What only real media would do (joining, publishing,
RTMP ingest, a composition failing) and time itself are driven through the control surface:
methods of `Emulator`, and the same actions over HTTP under ``/_emulator/``.

As its state changes it emits the EventBridge events IVS sends (`Emulator.events`,
`Emulator.watch_events`, ``GET /_emulator/events``, or POSTed to a loopback ``event_target``).

Memory is bounded: see `Limits` for every limit and its default.

Rules it enforces beyond the model's constraints include the reference's and the user guide's
(a composition stops a minute after its stage has no participant, and after 24 hours; it is
deleted 180 s after it ends; publishing stops after 24 hours; a replication survives a reconnect
within its window; state is per region: another region's ARN is not found) and a few the
service applies without documenting them in the reference: reusing a
StartComposition ``idempotencyToken`` with different parameters is a 409 ConflictException (the
same parameters return the composition the token created); composition destinations must be in
the stage's region and account; tag keys starting with ``aws:`` are reserved.
"""

from ivsrt.emulator._requires import check_emulator_extra

check_emulator_extra()  # before anything of the extra is imported: says what to install

from ivsrt.emulator._clock import Clock
from ivsrt.emulator._control_client import ControlClient
from ivsrt.emulator._emulator import Emulator, EventDetailType
from ivsrt.emulator._faults import FaultKind, Faults, Invocation
from ivsrt.emulator._http.control import CONTROL_PREFIX
from ivsrt.emulator.state.errors import ControlError
from ivsrt.emulator.state.limits import Limits

__all__ = [
    "CONTROL_PREFIX",
    "Clock",
    "ControlClient",
    "ControlError",
    "Emulator",
    "EventDetailType",
    "FaultKind",
    "Faults",
    "Invocation",
    "Limits",
]
