"""The one ARN parser of the emulator."""

from __future__ import annotations

import attrs

__all__ = ["CHANNEL_KINDS", "KINDS", "Arn", "arn_account", "arn_region", "parse_arn"]

CHANNEL_KINDS = {
    "channel": "Channel",
    "stream-key": "StreamKey",
    "playback-key": "PlaybackKeyPair",
    "recording-configuration": "RecordingConfiguration",
    "playback-restriction-policy": "PlaybackRestrictionPolicy",
    "ad-configuration": "AdConfiguration",
    "failover-slate-configuration": "FailoverSlateConfiguration",
}
"""ARN resource types of the IVS channel API (service ``ivs``) -> their names in errors."""

KINDS = {
    **CHANNEL_KINDS,
    "stage": "Stage",
    "composition": "Composition",
    "encoder-configuration": "EncoderConfiguration",
    "storage-configuration": "StorageConfiguration",
    "public-key": "PublicKey",
    "ingest-configuration": "IngestConfiguration",
}
"""ARN resource types -> the names error messages give them."""


@attrs.frozen
class Arn:
    """``arn:<partition>:<service>:<region>:<account>:<resource_type>/<resource_id>``."""

    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    resource_id: str

    @property
    def kind(self) -> str:
        """What error messages call this resource (``"Resource"`` for unknown types)."""
        return KINDS.get(self.resource_type, "Resource")


def parse_arn(text: str) -> Arn | None:
    """The parts of an ARN, or None when ``text`` is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    resource_type, _, resource_id = parts[5].partition("/")
    return Arn(parts[1], parts[2], parts[3], parts[4], resource_type, resource_id)


def arn_region(text: str) -> str | None:
    """The region of an ARN (None when ``text`` is not an ARN)."""
    arn = parse_arn(text)
    return None if arn is None else arn.region


def arn_account(text: str) -> str | None:
    """The account of an ARN (None when ``text`` is not an ARN)."""
    arn = parse_arn(text)
    return None if arn is None else arn.account
