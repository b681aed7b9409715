"""The IVS channel API (service ``ivs``) of the emulator, through plain boto3, with the
expectations written from the API reference (the 2024-11-14 multitrack update,
/work/shared/reference/ivs_channels_multitrack_2024-11-14.txt, and the operations'
documentation):

- multitrack input "can be set to true only if channel type is STANDARD"; "if true, then
  policy, maximumResolution, and containerFormat are required, and containerFormat must be set
  to FRAGMENTED_MP4" (on UpdateChannel too, for the channel as it ends up);
- preset "is selectable only for ADVANCED_HD and ADVANCED_SD channel types. For those channel
  types, the default preset is HIGHER_BANDWIDTH_DELIVERY. For other channel types (BASIC and
  STANDARD), preset is the empty string";
- CreateChannel defaults: latencyMode LOW, type STANDARD, authorized and insecureIngest false,
  containerFormat TS; it "creates a new channel and an associated stream key";
- "there is a limit of 1 stream key per channel";
- ListChannels: "Filters are mutually exclusive ... (409 ConflictException)";
- DeleteRecordingConfiguration of a configuration "associated with a channel" -> 409.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ivsrt.emulator import Emulator
from tests.emulator._boto import boto, code

MULTITRACK = {"enabled": True, "policy": "ALLOW", "maximumResolution": "FULL_HD"}


def _error(call: Any, **kwargs: Any) -> tuple[str, int]:
    try:
        call(**kwargs)
    except ClientError as exc:
        return code(exc)
    raise AssertionError(f"{call.__name__} succeeded")


def _pem(key: Any) -> str:
    return str(
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def _run(scenario: Any) -> None:
    async with Emulator() as emu:
        await asyncio.to_thread(scenario, emu.endpoint_url)


def _channels_and_defaults(url: str) -> None:
    ivs = boto(url)
    created = ivs.create_channel(
        name="main",
        type="STANDARD",
        containerFormat="FRAGMENTED_MP4",
        multitrackInputConfiguration=MULTITRACK,
        tags={"team": "live"},
    )
    channel, key = created["channel"], created["streamKey"]
    assert channel["multitrackInputConfiguration"] == MULTITRACK
    assert channel["containerFormat"] == "FRAGMENTED_MP4"
    assert key["channelArn"] == channel["arn"]
    assert key["value"]
    got = ivs.get_channel(arn=channel["arn"])["channel"]
    assert got["multitrackInputConfiguration"] == MULTITRACK
    assert got["tags"] == {"team": "live"}
    listed = ivs.list_channels()["channels"]
    assert [c["arn"] for c in listed] == [channel["arn"]]

    plain = ivs.create_channel(name="plain")["channel"]
    assert {k: plain[k] for k in ("latencyMode", "type", "authorized", "insecureIngest")} == {
        "latencyMode": "LOW",
        "type": "STANDARD",
        "authorized": False,
        "insecureIngest": False,
    }
    assert plain["containerFormat"] == "TS"
    assert plain["preset"] == ""
    assert "passphrase" in plain["srt"]  # auto-generated unless insecureIngest
    insecure = ivs.create_channel(name="insecure", insecureIngest=True)["channel"]
    assert "passphrase" not in insecure["srt"]
    advanced = ivs.create_channel(name="adv", type="ADVANCED_HD")["channel"]
    assert advanced["preset"] == "HIGHER_BANDWIDTH_DELIVERY"

    # filters are mutually exclusive
    assert _error(
        ivs.list_channels, filterByName="plain", filterByRecordingConfigurationArn=""
    ) == ("ConflictException", 409)
    assert [c["name"] for c in ivs.list_channels(filterByName="plain")["channels"]] == ["plain"]
    page = ivs.list_channels(maxResults=2)
    rest = ivs.list_channels(maxResults=2, nextToken=page["nextToken"])["channels"]
    assert len(page["channels"]) + len(rest) == 4

    # BatchGetChannel: the missing ARN is an error entry
    missing = channel["arn"][:-4] + "zzzz"
    batch = ivs.batch_get_channel(arns=[channel["arn"], missing])
    assert [c["arn"] for c in batch["channels"]] == [channel["arn"]]
    assert [(e["arn"], e["code"]) for e in batch["errors"]] == [
        (missing, "ResourceNotFoundException")
    ]

    ivs.delete_channel(arn=plain["arn"])
    assert _error(ivs.get_channel, arn=plain["arn"]) == ("ResourceNotFoundException", 404)
    # the other region holds none of them
    assert boto(url, region="eu-west-1").list_channels()["channels"] == []


async def test_channels_multitrack_defaults_filters_and_batch() -> None:
    await _run(_channels_and_defaults)


def _multitrack_rules(url: str) -> None:
    ivs = boto(url)
    bad = ("ValidationException", 400)
    # enabled only on STANDARD channels, with FRAGMENTED_MP4 and policy + maximumResolution
    for kwargs in (
        {"type": "BASIC", "containerFormat": "FRAGMENTED_MP4"},
        {"type": "ADVANCED_HD", "containerFormat": "FRAGMENTED_MP4"},
        {"containerFormat": "TS"},
        {},
    ):
        assert _error(ivs.create_channel, multitrackInputConfiguration=MULTITRACK, **kwargs) == bad
    assert (
        _error(
            ivs.create_channel,
            containerFormat="FRAGMENTED_MP4",
            multitrackInputConfiguration={"enabled": True, "policy": "REQUIRE"},
        )
        == bad
    )
    # disabled multitrack needs none of it
    off = ivs.create_channel(type="BASIC", multitrackInputConfiguration={"enabled": False})
    assert off["channel"]["type"] == "BASIC"

    arn = ivs.create_channel(
        containerFormat="FRAGMENTED_MP4", multitrackInputConfiguration=MULTITRACK
    )["channel"]["arn"]
    # an update is checked merged with the channel: it keeps multitrack enabled
    assert _error(ivs.update_channel, arn=arn, type="BASIC") == bad
    assert _error(ivs.update_channel, arn=arn, containerFormat="TS") == bad
    assert ivs.get_channel(arn=arn)["channel"]["type"] == "STANDARD"
    relaxed = ivs.update_channel(
        arn=arn, type="BASIC", multitrackInputConfiguration={"enabled": False}
    )["channel"]
    assert relaxed["type"] == "BASIC"
    assert relaxed["multitrackInputConfiguration"] == {"enabled": False}

    # preset: only for ADVANCED channels (the empty string otherwise)
    assert _error(ivs.create_channel, preset="CONSTRAINED_BANDWIDTH_DELIVERY") == bad
    assert _error(ivs.update_channel, arn=arn, preset="CONSTRAINED_BANDWIDTH_DELIVERY") == bad
    adv = ivs.update_channel(arn=arn, type="ADVANCED_SD")["channel"]
    assert adv["preset"] == "HIGHER_BANDWIDTH_DELIVERY"
    back = ivs.update_channel(arn=arn, type="STANDARD")["channel"]
    assert back["preset"] == ""


async def test_multitrack_rules_of_the_2024_11_14_update() -> None:
    await _run(_multitrack_rules)


def _stream_keys(url: str) -> None:
    ivs = boto(url)
    arn = ivs.create_channel(name="keys")["channel"]["arn"]
    (key,) = ivs.list_stream_keys(channelArn=arn)["streamKeys"]
    assert "value" not in key  # summaries carry no secret
    assert ivs.get_stream_key(arn=key["arn"])["streamKey"]["value"].startswith("sk_us-west-2_")
    assert _error(ivs.create_stream_key, channelArn=arn) == (
        "ServiceQuotaExceededException",
        402,
    )
    ivs.delete_stream_key(arn=key["arn"])
    fresh = ivs.create_stream_key(channelArn=arn, tags={"k": "v"})["streamKey"]
    assert fresh["tags"] == {"k": "v"}
    batch = ivs.batch_get_stream_key(arns=[fresh["arn"], key["arn"]])
    assert [k["arn"] for k in batch["streamKeys"]] == [fresh["arn"]]
    assert [e["arn"] for e in batch["errors"]] == [key["arn"]]
    unknown = arn[:-4] + "zzzz"
    assert _error(ivs.create_stream_key, channelArn=unknown) == ("ResourceNotFoundException", 404)
    assert _error(ivs.list_stream_keys, channelArn=unknown) == ("ResourceNotFoundException", 404)
    ivs.delete_channel(arn=arn)  # "Deletes the specified channel and its associated stream keys"
    assert _error(ivs.get_stream_key, arn=fresh["arn"]) == ("ResourceNotFoundException", 404)


async def test_stream_keys_one_per_channel() -> None:
    await _run(_stream_keys)


def _configurations(url: str) -> None:
    ivs = boto(url)
    rec = ivs.create_recording_configuration(
        name="rec", destinationConfiguration={"s3": {"bucketName": "my-bucket"}}
    )["recordingConfiguration"]
    assert rec["state"] == "ACTIVE"
    assert rec["thumbnailConfiguration"]["recordingMode"] == "INTERVAL"  # "Default: INTERVAL"
    assert rec["thumbnailConfiguration"]["targetIntervalSeconds"] == 60  # "Default: 60"
    assert rec["renditionConfiguration"]["renditionSelection"] == "ALL"  # "Default: ALL"
    unknown = rec["arn"][:-4] + "zzzz"
    assert _error(ivs.create_channel, recordingConfigurationArn=unknown) == (
        "ResourceNotFoundException",
        404,
    )
    channel = ivs.create_channel(recordingConfigurationArn=rec["arn"])["channel"]
    listed = ivs.list_channels(filterByRecordingConfigurationArn=rec["arn"])["channels"]
    assert [c["arn"] for c in listed] == [channel["arn"]]
    assert _error(ivs.delete_recording_configuration, arn=rec["arn"]) == (
        "ConflictException",
        409,
    )
    ivs.update_channel(arn=channel["arn"], recordingConfigurationArn="")
    ivs.delete_recording_configuration(arn=rec["arn"])
    assert ivs.list_recording_configurations()["recordingConfigurations"] == []

    policy = ivs.create_playback_restriction_policy(allowedCountries=["US"])[
        "playbackRestrictionPolicy"
    ]
    assert policy["allowedOrigins"] == []
    assert policy["enableStrictOriginEnforcement"] is False
    updated = ivs.update_playback_restriction_policy(
        arn=policy["arn"], allowedOrigins=["https://example.com"]
    )["playbackRestrictionPolicy"]
    assert (updated["allowedCountries"], updated["allowedOrigins"]) == (
        ["US"],
        ["https://example.com"],
    )
    ivs.update_channel(arn=channel["arn"], playbackRestrictionPolicyArn=policy["arn"])
    assert _error(ivs.delete_playback_restriction_policy, arn=policy["arn"])[0] == (
        "ConflictException"
    )

    slate = ivs.create_failover_slate_configuration(name="slate")["failoverSlateConfiguration"]
    assert (
        slate["activationThresholdSeconds"],
        slate["minSlateDisplaySeconds"],
        slate["maxSlateDisplaySeconds"],
        slate["state"],
    ) == (3, 3, 60, "CREATED")
    slate = ivs.update_failover_slate_configuration(arn=slate["arn"], maxSlateDisplaySeconds=120)[
        "failoverSlateConfiguration"
    ]
    assert slate["maxSlateDisplaySeconds"] == 120
    assert [
        s["arn"] for s in ivs.list_failover_slate_configurations()["failoverSlateConfigurations"]
    ] == [slate["arn"]]
    ivs.delete_failover_slate_configuration(arn=slate["arn"])

    mediatailor = [
        {
            "playbackConfigurationArn": "arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/x"
        }
    ]
    ad = ivs.create_ad_configuration(name="ads", mediaTailorPlaybackConfigurations=mediatailor)[
        "adConfiguration"
    ]
    assert (
        ivs.get_ad_configuration(arn=ad["arn"])["adConfiguration"][
            "mediaTailorPlaybackConfigurations"
        ]
        == mediatailor
    )
    ivs.update_ad_configuration(arn=ad["arn"], name="renamed")
    assert [a["name"] for a in ivs.list_ad_configurations()["adConfigurations"]] == ["renamed"]
    ivs.delete_ad_configuration(arn=ad["arn"])
    assert _error(ivs.get_ad_configuration, arn=ad["arn"]) == ("ResourceNotFoundException", 404)


async def test_configurations_channels_refer_to() -> None:
    await _run(_configurations)


def _key_pairs_and_tags(url: str) -> None:
    ivs = boto(url)
    keys = [ec.generate_private_key(ec.SECP384R1()) for _ in range(4)]
    pairs = [ivs.import_playback_key_pair(publicKeyMaterial=_pem(k))["keyPair"] for k in keys[:3]]
    assert len({p["fingerprint"] for p in pairs}) == 3
    assert _error(ivs.import_playback_key_pair, publicKeyMaterial=_pem(keys[0]))[0] == (
        "ConflictException"
    )
    # 3 playback key pairs per region (Service Quotas)
    assert _error(ivs.import_playback_key_pair, publicKeyMaterial=_pem(keys[3])) == (
        "ServiceQuotaExceededException",
        402,
    )
    ivs.delete_playback_key_pair(arn=pairs[0]["arn"])
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _error(ivs.import_playback_key_pair, publicKeyMaterial=_pem(rsa_key)) == (
        "ValidationException",
        400,
    )
    got = ivs.get_playback_key_pair(arn=pairs[1]["arn"])["keyPair"]
    assert got["fingerprint"] == pairs[1]["fingerprint"]
    assert len(ivs.list_playback_key_pairs()["keyPairs"]) == 2

    arn = ivs.create_channel(name="tagged")["channel"]["arn"]
    ivs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    ivs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ivs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    ivs.tag_resource(resourceArn=pairs[1]["arn"], tags={"kp": "x"})
    assert ivs.get_playback_key_pair(arn=pairs[1]["arn"])["keyPair"]["tags"] == {"kp": "x"}
    # a real-time resource is tagged through the same path, routed by its ARN
    stage = boto(url, "ivs-realtime").create_stage(name="s")["stage"]["arn"]
    ivs.tag_resource(resourceArn=stage, tags={"stage": "yes"})
    assert boto(url, "ivs-realtime").get_stage(arn=stage)["stage"]["tags"] == {"stage": "yes"}


async def test_playback_key_pairs_and_tags() -> None:
    await _run(_key_pairs_and_tags)


def _channel_quota(url: str) -> tuple[str, int]:
    ivs = boto(url)
    ivs.create_channel(name="one")
    ivs.create_channel(name="two")
    return _error(ivs.create_channel, name="three")


async def test_channel_quota_is_a_limit_of_the_emulator() -> None:
    from ivsrt.emulator import Limits

    async with Emulator(limits=Limits(max_channels=2)) as emu:
        refused = await asyncio.to_thread(_channel_quota, emu.endpoint_url)
    assert refused == ("ServiceQuotaExceededException", 402)


def _throttled(url: str) -> tuple[str, int]:
    return _error(boto(url).create_channel, name="x")


async def test_fault_injection_covers_channel_operations() -> None:
    async with Emulator() as emu:
        emu.faults.inject("CreateChannel", "throttle", count=1)
        assert await asyncio.to_thread(_throttled, emu.endpoint_url) == ("ThrottlingException", 429)


def _snapshot_and_reset(emu: Emulator) -> None:
    ivs = boto(emu.endpoint_url)
    created = ivs.create_channel(name="kept", tags={"t": "1"})
    arn, key = created["channel"]["arn"], created["streamKey"]
    rec = ivs.create_recording_configuration(
        destinationConfiguration={"s3": {"bucketName": "bkt"}}
    )["recordingConfiguration"]["arn"]
    emu.start_stream(arn)
    saved = emu.snapshot()
    emu.reset()
    assert ivs.list_channels()["channels"] == []
    assert ivs.list_recording_configurations()["recordingConfigurations"] == []
    emu.restore(saved)
    assert ivs.get_channel(arn=arn)["channel"]["tags"] == {"t": "1"}
    assert ivs.get_stream_key(arn=key["arn"])["streamKey"]["value"] == key["value"]
    assert ivs.get_recording_configuration(arn=rec)["recordingConfiguration"]["arn"] == rec
    live = ivs.get_stream(channelArn=arn)["stream"]
    emu.stop_stream(key["value"])  # the restored stream key still reaches the channel
    (session,) = ivs.list_stream_sessions(channelArn=arn)["streamSessions"]
    assert session["streamId"] == live["streamId"]
    names = [
        e["name"]
        for e in ivs.get_stream_session(channelArn=arn)["streamSession"]["truncatedEvents"]
    ]
    assert names == ["Session Ended", "Stream End", "Stream Start", "Session Created"]
    # new ids do not collide with restored ones
    assert ivs.create_channel()["channel"]["arn"] != arn


async def test_snapshot_reset_and_restore_keep_channel_state() -> None:
    async with Emulator() as emu:
        await asyncio.to_thread(_snapshot_and_reset, emu)
