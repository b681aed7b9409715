"""What users see of ``ivsrt.tokens`` and ``ivsrt.events``, pinned for type checkers.

The module-level functions below are never run: ``mypy --strict ivsrt tests/typing`` checks
their ``assert_type`` lines. The pytest test runs mypy on a snippet with a misspelt capability
and asserts the error.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

from typing_extensions import assert_type

from ivsrt import Composition, Participant, ParticipantToken, PublicKey, Stage
from ivsrt import models as m
from ivsrt.events import (
    CompositionEventName,
    CompositionStateChange,
    EventLog,
    IvsEvent,
    Outcome,
    ParticipantRecordingStateChange,
    StageEventName,
    StageUpdate,
    parse_event,
    parse_events,
)
from ivsrt.tokens import KeyPair, TokenClaims, TokenSigner, generate_key_pair, verify

ROOT = Path(__file__).resolve().parents[2]


def _token_types(stage: Stage, key: PublicKey) -> None:
    keys = generate_key_pair()
    assert_type(keys, KeyPair)
    assert_type(keys.private_pem, str)
    signer = TokenSigner(private_key=keys.private_pem, public_key_arn="arn")
    assert_type(keys.signer("arn"), TokenSigner)
    token = signer.mint(stage, user_id="u", capabilities=["PUBLISH"], duration=60)
    assert_type(token, ParticipantToken)
    assert_type(
        signer.mint(stage, capabilities=[m.ParticipantTokenCapability.SUBSCRIBE]), ParticipantToken
    )
    assert_type(signer.exchange(token, capabilities=["PUBLISH", "SUBSCRIBE"]), ParticipantToken)
    assert_type(signer.exchange(token.token or "", attributes={}), ParticipantToken)
    claims = verify(token, [keys.public_pem, key])
    assert_type(claims, TokenClaims)
    assert_type(claims.participant_id, str)
    assert_type(claims.expires_at, datetime.datetime)
    assert_type(claims.capabilities, tuple[m.ParticipantTokenCapability, ...])
    assert_type(signer.verify(token.token or ""), TokenClaims)


async def _event_types(payload: dict[str, object]) -> None:
    event = parse_event(payload)
    assert_type(event, IvsEvent)
    assert_type(parse_events(payload), list[IvsEvent])
    assert_type(event.time, datetime.datetime)
    assert_type(event.resources, tuple[str, ...])
    log = EventLog()
    assert_type(log.add(event), Outcome)
    if isinstance(event, StageUpdate):
        assert_type(event.event_name, StageEventName)
        assert_type(event.participant_id, str | None)
        assert_type(await event.stage(), Stage)
        assert_type(await event.participant(), Participant)
    elif isinstance(event, CompositionStateChange):
        assert_type(event.event_name, CompositionEventName)
        assert_type(await event.composition(), Composition)
    elif isinstance(event, ParticipantRecordingStateChange):
        assert_type(event.recording_duration_ms, int | None)
    assert_type(log.latest_of(StageUpdate), list[StageUpdate])


SNIPPET = """
from ivsrt import Stage
from ivsrt.tokens import TokenSigner


def misspelt(signer: TokenSigner, stage: Stage) -> None:
    signer.mint(stage, capabilities=["PUBLSH"])
"""


def test_misspelt_capability_is_a_type_error(tmp_path: Path) -> None:
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
    assert len(errors) == 1, out
    assert errors[0].startswith(f"{snippet}:7:")
    assert "'PUBLSH'" in errors[0]
