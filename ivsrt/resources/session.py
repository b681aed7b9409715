"""Sessions of a stage: from the first participant joining to the last one leaving."""

from __future__ import annotations

import attrs
from typing_extensions import Unpack

from ivsrt._exceptions import IvsrtError
from ivsrt._generated import models as m
from ivsrt._generated import operations as ops
from ivsrt.client import Client
from ivsrt.paging import AsyncPager
from ivsrt.resources._base import (
    Bound,
    HasArn,
    WaitOptions,
    arn_of,
    bind,
    builder,
    caller_names,
    client_field,
    identity_hash,
    list_pager,
    resolve_client,
    wait_args,
)
from ivsrt.resources.participant import Participant, participants_pager
from ivsrt.retry import RetryPolicy
from ivsrt.waiting import Done, Failed, Gone, wait_for

__all__ = ["StageSession", "sessions_pager"]


@attrs.frozen(kw_only=True)
class StageSession(m.StageSession, Bound):
    """A session of a stage: from the first participant joining to the last one leaving."""

    stage_arn: str
    """ARN of the stage the session belongs to."""
    _client: Client = client_field()

    __hash__ = identity_hash("stage_arn", "session_id")

    @classmethod
    async def get(
        cls,
        stage: str | HasArn,
        session_id: str,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> StageSession:
        """Fetch a session (GetStageSession).

        Args:
            stage: the stage (or its ARN).
            session_id: the session's id.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=stage)
        arn = arn_of(stage, "stage", "GetStageSession")
        with caller_names(stage_arn="stage"):
            response = await c.api.get_stage_session(stage_arn=arn, session_id=session_id)
        return bind(StageSession, response.stage_session, c, stage_arn=arn)

    @property
    def ended(self) -> bool:
        """Whether the session had ended when this snapshot was taken."""
        return self.end_time is not None

    def _sid(self) -> str:
        if not self.session_id:
            raise IvsrtError("this StageSession has no session_id")
        return self.session_id

    async def refresh(self) -> StageSession:
        """The session as it is now (GetStageSession)."""
        return await StageSession.get(self.stage_arn, self._sid(), client=self._client)

    def participants(
        self,
        *,
        user_id: str | None = None,
        published: bool | None = None,
        state: m.ParticipantState | m.ParticipantStateLiteral | None = None,
        recording_state: (
            m.ParticipantRecordingFilterByRecordingState
            | m.ParticipantRecordingFilterByRecordingStateLiteral
            | None
        ) = None,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPager[Participant]:
        """The participants of this session (ListParticipants); see
        [`Stage.participants`][ivsrt.resources.Stage.participants]
        for the arguments (one filter at a time)."""
        return participants_pager(
            self._client,
            self.stage_arn,
            self._sid(),
            user_id=user_id,
            published=published,
            state=state,
            recording_state=recording_state,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    async def wait_until_ended(
        self,
        **wait: Unpack[WaitOptions],
    ) -> StageSession:
        """Poll until the session has ended (the last participant left).

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the stage (and the session with it) is gone.
            ivsrt.WaiterTimeoutError: the deadline passed.
        """

        def check(s: StageSession | Gone) -> Done[StageSession] | Failed | None:
            if isinstance(s, Gone):
                return Failed("the session (or its stage) no longer exists")
            return Done(s) if s.end_time is not None else None

        return await wait_for(
            self.refresh,
            check,
            what=f"session {self.session_id} of {self.stage_arn} to end",
            **wait_args(wait),
            initial=self,
        )


def sessions_pager(
    c: Client,
    arn: str,
    *,
    max_items: int | None,
    page_size: int | None,
    starting_token: str | None,
) -> AsyncPager[StageSession]:
    """The sessions of stage ``arn``, newest first (ListStageSessions)."""
    return list_pager(
        c,
        ops._LIST_STAGE_SESSIONS,
        _LISTED_SESSION,
        (arn, c),
        max_items=max_items,
        page_size=page_size,
        starting_token=starting_token,
        stage_arn=arn,
    )


_LISTED_SESSION = builder(StageSession, m.StageSessionSummary, ("stage_arn", "_client"))
