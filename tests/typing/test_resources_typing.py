"""What users see of the resource layer, pinned for type checkers.

The module-level functions below are never run: ``mypy --strict ivsrt tests/typing`` (``make
typecheck``) checks their ``assert_type`` lines. The pytest test at the bottom runs mypy on a
snippet with a misspelt enum literal and asserts the error.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from typing_extensions import assert_type

import ivsrt
from ivsrt import (
    AsyncPager,
    Composition,
    CompositionSummary,
    EncoderConfiguration,
    IngestConfiguration,
    IngestConfigurationSummary,
    Page,
    Participant,
    ParticipantEvent,
    ParticipantReplica,
    ParticipantToken,
    PublicKey,
    Replication,
    Stage,
    StageSession,
    StorageConfiguration,
)
from ivsrt import models as m

ROOT = Path(__file__).resolve().parents[2]


async def _stage_types(client: ivsrt.Client) -> None:
    stage = await Stage.create(name="typed", client=client)
    assert_type(stage, Stage)
    assert_type(await Stage.get(stage.arn), Stage)
    assert_type(await stage.update(name="x"), Stage)
    assert_type(await stage.refresh(), Stage)
    assert_type(await stage.delete(), None)
    assert_type(
        await Stage.create_with_tokens(participant_token_configurations=[]),
        tuple[Stage, tuple[ParticipantToken, ...]],
    )
    assert_type(Stage.list(), AsyncPager[Stage])
    assert_type(stage.participants(state="CONNECTED"), AsyncPager[Participant])
    async for p in stage.participants(state=m.ParticipantState.CONNECTED, published=True):
        assert_type(p, Participant)
        assert_type(p.participant_id, str)
        assert_type(p.state, m.ParticipantState | None)
        assert_type(await p.refresh(), Participant)
        assert_type(await p.wait_until_connected(timeout=5), Participant)
        async for e in p.events():
            assert_type(e, ParticipantEvent)
        async for r in p.replicas():
            assert_type(r, ParticipantReplica)
        replication = await p.start_replication(stage, reconnect_window_seconds=10)
        assert_type(replication, Replication)
        assert_type(await replication.wait_until_active(), ParticipantReplica)
        assert_type(await replication.wait_until_stopped(), ParticipantReplica | None)
    async for page in stage.participants().pages():
        assert_type(page, Page[Participant])
        assert_type(page.items, tuple[Participant, ...])
    assert_type(stage.participants().resume_token, str | None)
    token = await stage.create_participant_token(user_id="u", capabilities=["PUBLISH"])
    assert_type(token, ParticipantToken)
    assert_type(token.token, str)
    async for s in stage.sessions():
        assert_type(s, StageSession)
        assert_type(await s.wait_until_ended(), StageSession)
    assert_type(await stage.fetch_tags(), dict[str, str])
    assert_type(await stage.participants().to_list(), list[Participant])


async def _composition_types(stage: Stage) -> None:
    comp = await stage.start_composition(destinations=[m.DestinationConfiguration()])
    assert_type(comp, Composition)
    assert_type(comp.state, m.CompositionState)
    assert_type(await comp.wait_until_active(destinations=True, timeout=60), Composition)
    assert_type(await comp.wait_until_stopped(), Composition | None)
    assert_type(await comp.stop(), None)
    async for summary in Composition.list(stage=stage):
        assert_type(summary, CompositionSummary)
        assert_type(await summary.fetch(), Composition)
    assert_type(await EncoderConfiguration.create(video=m.Video()), EncoderConfiguration)
    assert_type(
        await StorageConfiguration.create(s3=m.S3StorageConfiguration(bucket_name="bucket")),
        StorageConfiguration,
    )
    assert_type(await PublicKey.import_key(public_key_material="pem"), PublicKey)


async def _ingest_types(stage: Stage) -> None:
    ingest = await IngestConfiguration.create(ingest_protocol="RTMPS", stage=stage)
    assert_type(ingest, IngestConfiguration)
    assert_type(ingest.stream_key, str)
    assert_type(await ingest.update(stage=stage), IngestConfiguration)
    assert_type(await ingest.wait_until_active(timeout=10), IngestConfiguration)
    assert_type(await ingest.delete(force=True), None)
    async for i in IngestConfiguration.list(state="ACTIVE"):
        assert_type(i, IngestConfigurationSummary)


SNIPPET = """
from ivsrt import IngestConfiguration, Stage


async def misspelt(stage: Stage) -> None:
    async for p in stage.participants(state="CONECTED"):
        print(p)
    await stage.create_participant_token(capabilities=["PUBLSH"])
    await IngestConfiguration.create(ingest_protocol="RTMPS", stage=stage)
"""


def test_misspelt_enum_literal_is_a_type_error(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1, out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 2, out
    assert errors[0].startswith(f"{snippet}:6:")
    assert "'CONECTED'" in errors[0]
    assert "'CONNECTED', 'DISCONNECTED'" in errors[0]
    assert errors[1].startswith(f"{snippet}:8:")
    assert "'PUBLSH'" in errors[1]
