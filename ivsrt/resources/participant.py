"""Participants of a stage session, the tokens they join with, and their events."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from typing_extensions import Unpack

from ivsrt._exceptions import IvsrtError, NoActiveSessionError
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
    check_arguments,
    client_field,
    fetch_page,
    identity_hash,
    list_pager,
    page_reader,
    resolve_client,
    wait_args,
)
from ivsrt.resources.replication import (
    ParticipantReplica,
    Replication,
    _replicas_pager,
)
from ivsrt.retry import RetryPolicy
from ivsrt.waiting import Done, Failed, Gone, wait_for

__all__ = ["NoActiveSessionError", "Participant", "ParticipantEvent", "ParticipantToken"]

_DETAILS_CONCURRENCY = 10
"""At most this many GetParticipant calls are in flight for ``participants(details=True)``
(botocore's connection pool holds 10 connections by default)."""


def require_active_session(stage_arn: str, active_session_id: str | None) -> str:
    """``active_session_id``, or `NoActiveSessionError` when the stage has none."""
    if not active_session_id:
        raise NoActiveSessionError(
            f"stage {stage_arn} has no active session (nobody is connected); pass "
            "session_id= to name a past session (see stage.sessions())"
        )
    return active_session_id


async def fetch_active_session_id(client: Client, stage_arn: str) -> str | None:
    """The stage's active session id now (one GetStage), None when it has none."""
    response = await client.api.get_stage(arn=stage_arn)
    return response.stage.active_session_id


PARTICIPANT_FILTERS = {
    "filter_by_user_id": "user_id",
    "filter_by_published": "published",
    "filter_by_state": "state",
    "filter_by_recording_state": "recording_state",
}
"""ListParticipants' filters by the arguments of ``participants()`` that set them."""


def participants_pager(
    c: Client,
    arn: str,
    session_id: str | None,
    *,
    user_id: str | None,
    published: bool | None,
    state: m.ParticipantState | m.ParticipantStateLiteral | None,
    recording_state: (
        m.ParticipantRecordingFilterByRecordingState
        | m.ParticipantRecordingFilterByRecordingStateLiteral
        | None
    ),
    max_items: int | None,
    page_size: int | None,
    starting_token: str | None,
    details: bool = False,
) -> AsyncPager[Participant]:
    """The participants of ``session_id`` of stage ``arn`` (ListParticipants); without a
    ``session_id``, the stage's active session, looked up when iteration starts. With
    ``details``, each page's participants are fetched whole (GetParticipant), concurrently.

    The filters are checked here, before the stage is fetched or anything is sent; errors name
    the caller's arguments (``state``, not ``filter_by_state``)."""
    params: dict[str, Any] = {
        "stage_arn": arn,
        "session_id": session_id,
        "filter_by_user_id": user_id,
        "filter_by_published": published,
        "filter_by_state": state,
        "filter_by_recording_state": recording_state,
    }
    check_arguments(
        ops._LIST_PARTICIPANTS,
        params,
        rename=PARTICIPANT_FILTERS,
        later=() if session_id else ("session_id",),
    )
    readers: builtins.list[
        Callable[[dict[str, Any]], tuple[builtins.list[Participant], str | None]]
    ]
    readers = []

    async def fetch(
        token: str | None, limit: int | None
    ) -> tuple[builtins.list[Participant], str | None]:
        if not readers:
            sid = session_id or require_active_session(arn, await fetch_active_session_id(c, arn))
            params["session_id"] = sid
            readers.append(page_reader(ops._LIST_PARTICIPANTS, _LISTED_PARTICIPANT, (arn, sid, c)))
        items, next_token = await fetch_page(
            c, ops._LIST_PARTICIPANTS, readers[0], token, limit, params
        )
        if details:
            items = await _refreshed(items)
        return items, next_token

    return AsyncPager(
        "ListParticipants",
        fetch,
        max_items=max_items,
        page_size=page_size,
        starting_token=starting_token,
    )


async def _refreshed(items: builtins.list[Participant]) -> builtins.list[Participant]:
    """Every participant of ``items`` as GetParticipant reports it, in the same order, with at
    most `_DETAILS_CONCURRENCY` calls in flight; the first failure cancels the rest."""
    limit = asyncio.Semaphore(_DETAILS_CONCURRENCY)

    async def one(p: Participant) -> Participant:
        async with limit:
            return await p.refresh()

    tasks = [asyncio.ensure_future(one(p)) for p in items]
    try:
        return builtins.list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


@attrs.frozen(kw_only=True)
class ParticipantToken(m.ParticipantToken, Bound):
    """A participant token: what a client joins a stage with. ``token`` is secret: it never
    appears in a repr."""

    stage_arn: str
    """ARN of the stage the token is for."""
    _client: Client = client_field()

    __hash__ = identity_hash("stage_arn", "participant_id")

    async def participant(self, *, session_id: str | None = None) -> Participant:
        """The participant that joined with this token (GetParticipant), by default in the
        stage's active session.

        Args:
            session_id: the session; None for the session active now.
        """
        if not session_id:
            session_id = require_active_session(
                self.stage_arn, await fetch_active_session_id(self._client, self.stage_arn)
            )
        return await Participant.get(
            self.stage_arn, session_id, self.participant_id, client=self._client
        )

    async def revoke(self) -> None:
        """Revoke this token for good (RevokeConnectionToken): it can never connect to a stage
        again, and a participant connected with it now is disconnected.

        IVS identifies the connection token by the id it gave the token, the
        ``participant_id`` (for a self-signed token, its ``jti``); revoking works for both
        kinds of token and does not need the token value. To end the participant's session
        without barring the token, use
        [`Participant.disconnect`][ivsrt.resources.Participant.disconnect].
        """
        await self._client.api.revoke_connection_token(token_id=self.participant_id)


@attrs.frozen(kw_only=True)
class ParticipantEvent(m.Event, Bound):
    """One event of a participant in a session (joined, left, published...).

    Like every resource object it keeps the client it came from:
    [`participant`][ivsrt.resources.ParticipantEvent.participant] fetches the participant it is
    about.
    """

    stage_arn: str
    """ARN of the stage."""
    session_id: str
    """The session the event happened in."""
    _client: Client = client_field()

    async def participant(self) -> Participant:
        """The participant the event is about, as it is now (GetParticipant)."""
        if not self.participant_id:
            raise IvsrtError("this event has no participant_id")
        return await Participant.get(
            self.stage_arn, self.session_id, self.participant_id, client=self._client
        )


@attrs.frozen(kw_only=True)
class Participant(m.Participant, Bound):
    """A participant of a stage session.

    Participants from [`Stage.participants`][ivsrt.resources.Stage.participants] carry the fields of
    a listing; [`refresh`][ivsrt.resources.Participant.refresh]
    (GetParticipant) returns every field.
    """

    stage_arn: str
    """ARN of the stage."""
    session_id: str
    """The session this participant belongs to."""
    _client: Client = client_field()

    __hash__ = identity_hash("stage_arn", "session_id", "participant_id")

    @classmethod
    async def get(
        cls,
        stage: str | HasArn,
        session_id: str,
        participant_id: str,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> Participant:
        """Fetch a participant (GetParticipant).

        Args:
            stage: the stage (or its ARN).
            session_id: the session's id.
            participant_id: the participant's id.
            client: the client to use (default: the stage's, else the enclosing
                ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=stage)
        arn = arn_of(stage, "stage", "GetParticipant")
        with caller_names(stage_arn="stage"):
            response = await c.api.get_participant(
                stage_arn=arn, session_id=session_id, participant_id=participant_id
            )
        return bind(
            Participant,
            response.participant,
            c,
            stage_arn=arn,
            session_id=session_id,
        )

    async def refresh(self) -> Participant:
        """The participant as it is now, with every field (GetParticipant)."""
        return await Participant.get(
            self.stage_arn, self.session_id, self.participant_id, client=self._client
        )

    async def disconnect(self, *, reason: str | None = None) -> None:
        """Disconnect the participant from the stage (DisconnectParticipant).

        Args:
            reason: why, at most 128 characters.
        """
        await self._client.api.disconnect_participant(
            stage_arn=self.stage_arn, participant_id=self.participant_id, reason=reason
        )

    async def revoke_token(self) -> None:
        """Revoke the token this participant joined with (RevokeConnectionToken): the
        participant is disconnected if connected, and the token can never connect again.

        The connection token's id is the participant id (IVS gives a participant the id of the
        token it joined with: the ``participantId`` CreateParticipantToken returned, or the
        ``jti`` of a self-signed token), so this needs nothing but the participant.
        """
        await self._client.api.revoke_connection_token(token_id=self.participant_id)

    def events(
        self,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPager[ParticipantEvent]:
        """The participant's events in its session (ListParticipantEvents).

        Args:
            max_items: stop after this many events.
            page_size: events per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
        """
        c, arn, sid, pid = self._client, self.stage_arn, self.session_id, self.participant_id

        return list_pager(
            c,
            ops._LIST_PARTICIPANT_EVENTS,
            _EVENT,
            (arn, sid, c),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            stage_arn=arn,
            session_id=sid,
            participant_id=pid,
        )

    async def start_replication(
        self,
        destination_stage: str | HasArn,
        *,
        reconnect_window_seconds: int | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Replication:
        """Replicate this publishing participant into another stage
        (StartParticipantReplication).

        Args:
            destination_stage: the stage (or its ARN) to replicate into.
            reconnect_window_seconds: 0..300; if the participant reconnects within this window,
                replication stays ``ACTIVE`` (default 0).
            attributes: attributes of the replica in the destination stage (merged over the
                token's; at most 1 KB in total).

        Returns:
            A handle to wait for the replica and stop it.
        """
        destination = arn_of(destination_stage, "destination_stage", "StartParticipantReplication")
        with caller_names(destination_stage_arn="destination_stage"):
            await self._client.api.start_participant_replication(
                source_stage_arn=self.stage_arn,
                destination_stage_arn=destination,
                participant_id=self.participant_id,
                reconnect_window_seconds=reconnect_window_seconds,
                attributes=attributes,
            )
        return Replication(
            source_stage_arn=self.stage_arn,
            destination_stage_arn=destination,
            participant_id=self.participant_id,
            client=self._client,
        )

    async def stop_replication(self, destination_stage: str | HasArn) -> None:
        """Stop replicating this participant into ``destination_stage``
        (StopParticipantReplication).

        Args:
            destination_stage: the stage (or its ARN) it is replicated into.
        """
        await self.replication(destination_stage).stop()

    def replication(self, destination_stage: str | HasArn) -> Replication:
        """A handle on this participant's replication into ``destination_stage`` (no request)."""
        return Replication(
            source_stage_arn=self.stage_arn,
            destination_stage_arn=arn_of(
                destination_stage, "destination_stage", "Participant.replication"
            ),
            participant_id=self.participant_id,
            client=self._client,
        )

    def replicas(
        self,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPager[ParticipantReplica]:
        """The replicas of this participant (ListParticipantReplicas).

        Args:
            max_items: stop after this many replicas.
            page_size: replicas per request (1..50; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
        """
        return _replicas_pager(
            self._client, self.stage_arn, self.participant_id, max_items, page_size, starting_token
        )

    async def wait_until_connected(
        self,
        **wait: Unpack[WaitOptions],
    ) -> Participant:
        """Poll until the participant is ``CONNECTED``.

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        A ``DISCONNECTED`` participant can connect again only while its session lasts: when
        the snapshot is ``DISCONNECTED``, the stage is fetched too (GetStage), and if the
        participant's session is no longer the stage's active one the wait fails at once
        instead of running to the deadline.

        Raises:
            ivsrt.WaiterFailedError: the participant (or its stage) is gone, or it is
                ``DISCONNECTED`` and its session has ended.
        """
        session_over = False

        async def fetch() -> Participant:
            nonlocal session_over
            p = await self.refresh()
            if p.state == m.ParticipantState.DISCONNECTED:
                active = await fetch_active_session_id(self._client, self.stage_arn)
                session_over = active != self.session_id
            return p

        def check(p: Participant | Gone) -> Done[Participant] | Failed | None:
            if isinstance(p, Gone):
                return Failed("the participant no longer exists")
            if p.state == m.ParticipantState.CONNECTED:
                return Done(p)
            if p.state == m.ParticipantState.DISCONNECTED and session_over:
                return Failed(
                    f"the participant is DISCONNECTED and its session {self.session_id} is "
                    "over (it is not the stage's active session)"
                )
            return None

        return await wait_for(
            fetch,
            check,
            what=f"participant {self.participant_id} to be CONNECTED",
            **wait_args(wait),
            initial=self,
        )

    async def wait_until_published(
        self,
        **wait: Unpack[WaitOptions],
    ) -> Participant:
        """Poll until the participant has published.

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the participant disconnected without publishing, or is gone.
        """

        def check(p: Participant | Gone) -> Done[Participant] | Failed | None:
            if isinstance(p, Gone):
                return Failed("the participant no longer exists")
            if p.published:
                return Done(p)
            if p.state == m.ParticipantState.DISCONNECTED:
                return Failed("the participant disconnected without publishing")
            return None

        return await wait_for(
            self.refresh,
            check,
            what=f"participant {self.participant_id} to publish",
            **wait_args(wait),
            initial=self,
        )


_LISTED_PARTICIPANT = builder(
    Participant, m.ParticipantSummary, ("stage_arn", "session_id", "_client")
)
"""A listed participant (the fields of ``ParticipantSummary``; the others None)."""
_EVENT = builder(ParticipantEvent, m.Event, ("stage_arn", "session_id", "_client"))
