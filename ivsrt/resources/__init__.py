"""Resource objects: what acts on one stage, composition, ingest configuration...

```python
async with ivsrt.Client(region="us-west-2"):
    stage = await Stage.create(name="town-hall")
    async for p in stage.participants(state="CONNECTED"):
        print(p.participant_id)
```

Every resource is a frozen snapshot built on the generated model of the same name (so it has the
model's fields and docstrings) and keeps the client it came from. Class methods (``create``,
``get``, ``list``) take ``client=``; without it they use the client of the enclosing
``async with ivsrt.Client(...)`` in the current task.
"""

from ivsrt.resources.composition import Composition, CompositionSummary
from ivsrt.resources.configuration import EncoderConfiguration, StorageConfiguration
from ivsrt.resources.ingest import IngestConfiguration, IngestConfigurationSummary
from ivsrt.resources.participant import (
    NoActiveSessionError,
    Participant,
    ParticipantEvent,
    ParticipantToken,
)
from ivsrt.resources.public_key import PublicKey
from ivsrt.resources.replication import ParticipantReplica, Replication
from ivsrt.resources.session import StageSession
from ivsrt.resources.stage import Stage

__all__ = [
    "Composition",
    "CompositionSummary",
    "EncoderConfiguration",
    "IngestConfiguration",
    "IngestConfigurationSummary",
    "NoActiveSessionError",
    "Participant",
    "ParticipantEvent",
    "ParticipantReplica",
    "ParticipantToken",
    "PublicKey",
    "Replication",
    "Stage",
    "StageSession",
    "StorageConfiguration",
]
