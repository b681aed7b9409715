"""What IVS channels refer to (service ``ivs``): recording configurations, playback key pairs,
playback restriction policies, ad configurations and failover slate configurations.

Each is a `Simple` record; one `_Area` says how each is named, kept, counted and shown. A
configuration a channel refers to cannot be deleted (409 ConflictException: "for all channels
that reference the recording configuration, first use UpdateChannel to set the
recordingConfigurationArn field to an empty string")."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.errors import ApiError, invalid, not_found
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Simple
from ivsrt.emulator.state.store import Store


@attrs.frozen
class _Area:
    kind: str
    """What error messages call it."""
    arn_type: str
    table: str
    """Its `ChannelState` attribute."""
    member: str
    """Its member in Create/Get/Update responses."""
    list_op: str
    list_member: str
    fields: tuple[str, ...]
    summary_fields: tuple[str, ...]
    limit: str
    """The `Limits` attribute bounding how many a region holds."""
    channel_member: str | None = None
    """The channel member that refers to it."""

    def records(self, store: Store) -> dict[str, Simple]:
        table: dict[str, Simple] = getattr(store.ivs, self.table)
        return table

    def find(self, store: Store, arn: str) -> Simple:
        res = self.records(store).get(arn)
        if res is None:
            raise not_found(self.kind, arn)
        return res

    def full(self, res: Simple) -> Body:
        return res.wire(*self.fields)

    def summary(self, res: Simple) -> Body:
        return res.wire(*self.summary_fields)

    def create(self, store: Store, p: Body, region: str, body: Body) -> Body:
        store.quota(
            self.kind, self.records(store).values(), region, getattr(store.limits, self.limit)
        )
        tags = store.new_tags(p)
        arn, _ = store.new_arn(region, self.arn_type)
        res = Simple(arn=arn, name=p.get("name", ""), tags=tags, body=body)
        self.records(store)[arn] = res
        return {self.member: self.full(res)}

    def get(self, store: Store, p: Body) -> Body:
        return {self.member: self.full(self.find(store, p["arn"]))}

    def update(self, store: Store, p: Body, members: tuple[str, ...]) -> Body:
        res = self.find(store, p["arn"])
        for key in members:
            if key in p:
                res.body[key] = _copy(p[key])
        if "name" in p:
            res.name = p["name"]
        return {self.member: self.full(res)}

    def delete(self, store: Store, p: Body) -> Body:
        res = self.find(store, p["arn"])
        if self.channel_member is not None:
            users = [
                c.arn
                for c in store.ivs.channels.values()
                if c.config.get(self.channel_member) == res.arn
            ]
            if users:
                raise ApiError(
                    "ConflictException",
                    f"{self.kind} {res.arn} is used by {len(users)} channel(s), e.g. {users[0]}: "
                    f"set their {self.channel_member} to an empty string first",
                )
        del self.records(store)[res.arn]
        return {}

    def list(self, store: Store, p: Body, region: str) -> Body:
        items = [x for x in self.records(store).values() if arn_region(x.arn) == region]
        page, nxt = store.pager.page(self.list_op, p, items, self.summary)
        return with_token({self.list_member: page}, nxt)


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


_RECORDING = _Area(
    kind="RecordingConfiguration",
    arn_type="recording-configuration",
    table="recordings",
    member="recordingConfiguration",
    list_op="ListRecordingConfigurations",
    list_member="recordingConfigurations",
    fields=(
        "destinationConfiguration",
        "state",
        "thumbnailConfiguration",
        "recordingReconnectWindowSeconds",
        "renditionConfiguration",
    ),
    summary_fields=("destinationConfiguration", "state"),
    limit="max_recording_configurations",
    channel_member="recordingConfigurationArn",
)
_KEY_PAIR = _Area(
    kind="PlaybackKeyPair",
    arn_type="playback-key",
    table="key_pairs",
    member="keyPair",
    list_op="ListPlaybackKeyPairs",
    list_member="keyPairs",
    fields=("fingerprint",),
    summary_fields=(),
    limit="max_playback_key_pairs",
)
_POLICY_FIELDS = ("allowedCountries", "allowedOrigins", "enableStrictOriginEnforcement")
_POLICY = _Area(
    kind="PlaybackRestrictionPolicy",
    arn_type="playback-restriction-policy",
    table="policies",
    member="playbackRestrictionPolicy",
    list_op="ListPlaybackRestrictionPolicies",
    list_member="playbackRestrictionPolicies",
    fields=_POLICY_FIELDS,
    summary_fields=_POLICY_FIELDS,
    limit="max_channel_configurations",
    channel_member="playbackRestrictionPolicyArn",
)
_AD_FIELDS = ("mediaTailorPlaybackConfigurations", "postRollConfiguration")
_AD = _Area(
    kind="AdConfiguration",
    arn_type="ad-configuration",
    table="ads",
    member="adConfiguration",
    list_op="ListAdConfigurations",
    list_member="adConfigurations",
    fields=_AD_FIELDS,
    summary_fields=_AD_FIELDS,
    limit="max_channel_configurations",
    channel_member="adConfigurationArn",
)
_SLATE_FIELDS = (
    "activationThresholdSeconds",
    "minSlateDisplaySeconds",
    "maxSlateDisplaySeconds",
    "state",
)
_SLATE = _Area(
    kind="FailoverSlateConfiguration",
    arn_type="failover-slate-configuration",
    table="slates",
    member="failoverSlateConfiguration",
    list_op="ListFailoverSlateConfigurations",
    list_member="failoverSlateConfigurations",
    fields=_SLATE_FIELDS,
    summary_fields=_SLATE_FIELDS,
    limit="max_channel_configurations",
    channel_member="failoverSlateConfigurationArn",
)


# -- recording configurations ---------------------------------------------------------------
def create_recording_configuration(store: Store, p: Body, region: str) -> Body:
    thumb = dict(p.get("thumbnailConfiguration") or {})
    thumb.setdefault("recordingMode", "INTERVAL")  # "Default: INTERVAL"
    if thumb["recordingMode"] == "INTERVAL":
        thumb.setdefault("targetIntervalSeconds", 60)  # "Default: 60"
    thumb.setdefault("storage", ["SEQUENTIAL"])  # "Default: SEQUENTIAL"
    rendition = dict(p.get("renditionConfiguration") or {})
    rendition.setdefault("renditionSelection", "ALL")  # "Default: ALL"
    rendition.setdefault("renditions", [])
    body: Body = {
        "destinationConfiguration": _copy(p["destinationConfiguration"]),
        "state": "ACTIVE",
        "thumbnailConfiguration": _copy(thumb),
        "recordingReconnectWindowSeconds": p.get("recordingReconnectWindowSeconds", 0),
        "renditionConfiguration": _copy(rendition),
    }
    if not body["destinationConfiguration"].get("s3"):
        raise invalid("destinationConfiguration", "an s3 destination is required")
    return _RECORDING.create(store, p, region, body)


def get_recording_configuration(store: Store, p: Body, region: str) -> Body:
    return _RECORDING.get(store, p)


def delete_recording_configuration(store: Store, p: Body, region: str) -> Body:
    return _RECORDING.delete(store, p)


def list_recording_configurations(store: Store, p: Body, region: str) -> Body:
    return _RECORDING.list(store, p, region)


# -- playback key pairs ---------------------------------------------------------------------
def import_playback_key_pair(store: Store, p: Body, region: str) -> Body:
    try:
        key = serialization.load_pem_public_key(p["publicKeyMaterial"].encode())
    except ValueError:
        key = None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP384R1):
        raise invalid("publicKeyMaterial", "must be a PEM ECDSA public key on the P-384 curve")
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = hashlib.sha256(der).hexdigest()
    for other in _KEY_PAIR.records(store).values():
        if other.body["fingerprint"] == fingerprint and arn_region(other.arn) == region:
            raise ApiError(
                "ConflictException", f"this public key is already imported as {other.arn}"
            )
    return _KEY_PAIR.create(store, p, region, {"fingerprint": fingerprint})


def get_playback_key_pair(store: Store, p: Body, region: str) -> Body:
    return _KEY_PAIR.get(store, p)


def delete_playback_key_pair(store: Store, p: Body, region: str) -> Body:
    return _KEY_PAIR.delete(store, p)


def list_playback_key_pairs(store: Store, p: Body, region: str) -> Body:
    return _KEY_PAIR.list(store, p, region)


# -- playback restriction policies ----------------------------------------------------------
def create_playback_restriction_policy(store: Store, p: Body, region: str) -> Body:
    body: Body = {
        "allowedCountries": list(p.get("allowedCountries") or []),  # "Default: All countries"
        "allowedOrigins": list(p.get("allowedOrigins") or []),
        "enableStrictOriginEnforcement": p.get("enableStrictOriginEnforcement", False),
    }
    return _POLICY.create(store, p, region, body)


def get_playback_restriction_policy(store: Store, p: Body, region: str) -> Body:
    return _POLICY.get(store, p)


def update_playback_restriction_policy(store: Store, p: Body, region: str) -> Body:
    return _POLICY.update(store, p, _POLICY_FIELDS)


def delete_playback_restriction_policy(store: Store, p: Body, region: str) -> Body:
    return _POLICY.delete(store, p)


def list_playback_restriction_policies(store: Store, p: Body, region: str) -> Body:
    return _POLICY.list(store, p, region)


# -- ad configurations ----------------------------------------------------------------------
def create_ad_configuration(store: Store, p: Body, region: str) -> Body:
    body = {k: _copy(p[k]) for k in _AD_FIELDS if k in p}
    return _AD.create(store, p, region, body)


def get_ad_configuration(store: Store, p: Body, region: str) -> Body:
    return _AD.get(store, p)


def update_ad_configuration(store: Store, p: Body, region: str) -> Body:
    return _AD.update(store, p, _AD_FIELDS)


def delete_ad_configuration(store: Store, p: Body, region: str) -> Body:
    return _AD.delete(store, p)


def list_ad_configurations(store: Store, p: Body, region: str) -> Body:
    return _AD.list(store, p, region)


# -- failover slate configurations ----------------------------------------------------------
_SLATE_DEFAULTS = {
    "activationThresholdSeconds": 3,
    "minSlateDisplaySeconds": 3,
    "maxSlateDisplaySeconds": 60,
}
"""The documented defaults ("Default: 3", "Default: 3", "Default: 60")."""


def create_failover_slate_configuration(store: Store, p: Body, region: str) -> Body:
    body: Body = {k: p.get(k, v) for k, v in _SLATE_DEFAULTS.items()}
    body["state"] = "CREATED"
    return _SLATE.create(store, p, region, body)


def get_failover_slate_configuration(store: Store, p: Body, region: str) -> Body:
    return _SLATE.get(store, p)


def update_failover_slate_configuration(store: Store, p: Body, region: str) -> Body:
    return _SLATE.update(store, p, tuple(_SLATE_DEFAULTS))


def delete_failover_slate_configuration(store: Store, p: Body, region: str) -> Body:
    return _SLATE.delete(store, p)


def list_failover_slate_configurations(store: Store, p: Body, region: str) -> Body:
    return _SLATE.list(store, p, region)
