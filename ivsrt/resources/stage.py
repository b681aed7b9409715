"""Stages, their sessions, participants, participant tokens, events and replication."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ivsrt._exceptions import IvsrtError
from ivsrt._generated import models as m
from ivsrt._generated import operations as ops
from ivsrt.client import Client
from ivsrt.paging import AsyncPager
from ivsrt.resources._base import (
    DEFAULT_TIMEOUT,
    Bound,
    HasArn,
    Taggable,
    arn_of,
    bind,
    builder,
    fetch_page,
    list_pager,
    page_reader,
    resolve_client,
)
from ivsrt.retry import RetryPolicy
from ivsrt.waiting import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, Done, Failed, Gone, wait_for

if TYPE_CHECKING:
    from ivsrt.resources.composition import Composition, CompositionSummary

__all__ = [
    "NoActiveSessionError",
    "Participant",
    "ParticipantEvent",
    "ParticipantReplica",
    "ParticipantToken",
    "Replication",
    "Stage",
    "StageSession",
]


class NoActiveSessionError(IvsrtError):
    """The stage has no active session (nobody is connected), and none was named."""


@attrs.frozen(kw_only=True)
class Stage(m.Stage, Taggable):
    """A stage: a virtual space where participants exchange video in real time.

    A snapshot: fields do not change; [`refresh`][ivsrt.resources.Stage.refresh] and
    [`update`][ivsrt.resources.Stage.update] return new snapshots.
    Stages listed with [`list`][ivsrt.resources.Stage.list] carry the fields of a listing (``arn``,
    ``name``,
    ``active_session_id``, ``tags``); ``endpoints`` and the recording configuration are None
    until [`refresh`][ivsrt.resources.Stage.refresh].
    """

    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    def __hash__(self) -> int:
        """Hashed on its identity (``arn``); equality compares the whole snapshot."""
        return hash((Stage, self.arn))

    # -- class methods ------------------------------------------------------------------------
    @classmethod
    async def create(
        cls,
        *,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        auto_participant_recording_configuration: (
            m.AutoParticipantRecordingConfiguration | None
        ) = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> Stage:
        """Create a stage (CreateStage).

        Args:
            name: optional name of the stage (letters, digits, ``-`` and ``_``; at most 128).
            tags: tags to attach, ``{"key": "value"}``.
            auto_participant_recording_configuration: record every publishing participant
                individually to a storage configuration.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).

        To also create participant tokens in the same call, use
        [`create_with_tokens`][ivsrt.resources.Stage.create_with_tokens].
        """
        stage, _ = await cls.create_with_tokens(
            name=name,
            tags=tags,
            auto_participant_recording_configuration=auto_participant_recording_configuration,
            client=client,
            retry=retry,
        )
        return stage

    @classmethod
    async def create_with_tokens(
        cls,
        *,
        participant_token_configurations: Sequence[m.ParticipantTokenConfiguration] | None = None,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        auto_participant_recording_configuration: (
            m.AutoParticipantRecordingConfiguration | None
        ) = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> tuple[Stage, tuple[ParticipantToken, ...]]:
        """Create a stage and up to 12 participant tokens in one call (CreateStage).

        Args:
            participant_token_configurations: one configuration per token to create (at most
                12): duration, user id, attributes, capabilities.
            name: optional name of the stage.
            tags: tags to attach, ``{"key": "value"}``.
            auto_participant_recording_configuration: individual participant recording.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).

        Returns:
            The stage and its tokens, in the order of the configurations.
        """
        c = resolve_client(client, retry)
        response = await c.api.create_stage(
            name=name,
            participant_token_configurations=participant_token_configurations,
            tags=tags,
            auto_participant_recording_configuration=auto_participant_recording_configuration,
        )
        stage = bind(Stage, response.stage, c, "CreateStage")
        tokens = tuple(
            bind(ParticipantToken, t, c, "CreateStage", stage_arn=stage.arn)
            for t in response.participant_tokens or ()
        )
        return stage, tokens

    @classmethod
    async def get(
        cls, arn: str, *, client: Client | None = None, retry: RetryPolicy | None = None
    ) -> Stage:
        """Fetch a stage by ARN (GetStage).

        Args:
            arn: the stage's ARN.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).

        Raises:
            ivsrt.ResourceNotFoundError: no such stage.
        """
        c = resolve_client(client, retry)
        response = await c.api.get_stage(arn=arn)
        return bind(Stage, response.stage, c, "GetStage")

    @classmethod
    def list(
        cls,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[Stage]:
        """Every stage of the account in the client's region (ListStages), page after page.

        Args:
            max_items: stop after this many stages.
            page_size: stages per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)

        return list_pager(
            c,
            ops._LIST_STAGES,
            _LISTED_STAGE,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    # -- this stage -----------------------------------------------------------------------------
    async def refresh(self) -> Stage:
        """The stage as it is now (GetStage)."""
        return await Stage.get(self.arn, client=self._client)

    async def update(
        self,
        *,
        name: str | None = None,
        auto_participant_recording_configuration: (
            m.AutoParticipantRecordingConfiguration | None
        ) = None,
    ) -> Stage:
        """Change the stage (UpdateStage) and return the new snapshot.

        Args:
            name: the new name.
            auto_participant_recording_configuration: the new individual participant recording
                configuration (cannot be changed while recording is active).
        """
        response = await self._client.api.update_stage(
            arn=self.arn,
            name=name,
            auto_participant_recording_configuration=auto_participant_recording_configuration,
        )
        if response.stage is None:
            return await self.refresh()
        return bind(Stage, response.stage, self._client, "UpdateStage")

    async def delete(self) -> None:
        """Shut the stage down and delete it, disconnecting everyone (DeleteStage)."""
        await self._client.api.delete_stage(arn=self.arn)

    async def create_participant_token(
        self,
        *,
        user_id: str | None = None,
        capabilities: (
            Sequence[m.ParticipantTokenCapability | m.ParticipantTokenCapabilityLiteral] | None
        ) = None,
        duration: int | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> ParticipantToken:
        """Create a token a participant joins this stage with (CreateParticipantToken).

        Args:
            user_id: your name for the user (visible to every participant: no personal data).
            capabilities: ``"PUBLISH"`` and/or ``"SUBSCRIBE"`` (default: both).
            duration: minutes until the token expires, 1..20160 (default 720).
            attributes: application attributes, at most 1 KB in total (visible to every
                participant).
        """
        response = await self._client.api.create_participant_token(
            stage_arn=self.arn,
            user_id=user_id,
            capabilities=capabilities,
            duration=duration,
            attributes=attributes,
        )
        return bind(
            ParticipantToken,
            response.participant_token,
            self._client,
            "CreateParticipantToken",
            stage_arn=self.arn,
        )

    def sessions(
        self,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPager[StageSession]:
        """The stage's sessions, newest first (ListStageSessions).

        Args:
            max_items: stop after this many sessions.
            page_size: sessions per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
        """
        c, arn = self._client, self.arn

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

    async def session(self, session_id: str | None = None) -> StageSession:
        """One session of the stage (GetStageSession); by default the active one.

        Args:
            session_id: the session; None for the session active now.

        Raises:
            NoActiveSessionError: no ``session_id`` and nobody is connected to the stage.
        """
        sid = session_id or await self._active_session_id()
        return await StageSession.get(self.arn, sid, client=self._client)

    async def _active_session_id(self) -> str:
        return (await self.refresh())._require_active_session()

    def _require_active_session(self) -> str:
        if not self.active_session_id:
            raise NoActiveSessionError(
                f"stage {self.arn} has no active session (nobody is connected); pass "
                "session_id= to name a past session (see stage.sessions())"
            )
        return self.active_session_id

    def participants(
        self,
        *,
        session_id: str | None = None,
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
        """The participants of a session (ListParticipants), by default the active one.

        Nothing is sent until iteration starts; then, without ``session_id``, the stage is
        fetched to find its active session
        ([`NoActiveSessionError`][ivsrt.resources.NoActiveSessionError] if there is none).
        Only one of the filters ``user_id``, ``published``, ``state``, ``recording_state`` can
        be given (``ivsrt.ValidationError`` otherwise, before anything is sent). The error names
        the service's parameters: ``filter_by_user_id``, ``filter_by_published``,
        ``filter_by_state`` and ``filter_by_recording_state``. ``published=False`` is a filter
        too (participants who did not publish).

        Listed participants carry the fields of a listing; details such as ``os_name`` or
        ``attributes`` are None until [`Participant.refresh`][ivsrt.resources.Participant.refresh].

        Args:
            session_id: the session to list; None for the session active now.
            user_id: only participants with this user id.
            published: only participants who published during the session.
            state: only ``"CONNECTED"`` or only ``"DISCONNECTED"`` participants.
            recording_state: only participants with this individual recording state.
            max_items: stop after this many participants.
            page_size: participants per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
        """
        return _participants_pager(
            self,
            session_id,
            user_id=user_id,
            published=published,
            state=state,
            recording_state=recording_state,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    async def participant(
        self, participant_id: str, *, session_id: str | None = None
    ) -> Participant:
        """One participant (GetParticipant), by default in the active session.

        Args:
            participant_id: the participant's id (from its token or a listing).
            session_id: the session; None for the session active now.
        """
        sid = session_id or await self._active_session_id()
        return await Participant.get(self.arn, sid, participant_id, client=self._client)

    async def disconnect_participant(
        self, participant_id: str, *, reason: str | None = None
    ) -> None:
        """Disconnect a participant from the stage (DisconnectParticipant).

        Args:
            participant_id: the participant's id.
            reason: why, at most 128 characters.
        """
        await self._client.api.disconnect_participant(
            stage_arn=self.arn, participant_id=participant_id, reason=reason
        )

    async def start_composition(
        self,
        *,
        destinations: Sequence[m.DestinationConfiguration],
        layout: m.LayoutConfiguration | None = None,
        tags: Mapping[str, str] | None = None,
        idempotency_token: str | None = None,
    ) -> Composition:
        """Start a server-side composition of this stage (StartComposition).

        See [`Composition.start`][ivsrt.resources.Composition.start] for the arguments.
        """
        from ivsrt.resources.composition import Composition

        return await Composition.start(
            stage=self,
            destinations=destinations,
            layout=layout,
            tags=tags,
            idempotency_token=idempotency_token,
            client=self._client,
        )

    def compositions(
        self,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
    ) -> AsyncPager[CompositionSummary]:
        """This stage's compositions (ListCompositions filtered by stage).

        Args:
            max_items: stop after this many compositions.
            page_size: compositions per request (1..100).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
        """
        from ivsrt.resources.composition import Composition

        return Composition.list(
            stage=self,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            client=self._client,
        )


def _participants_pager(
    stage: Stage | StageSession,
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
) -> AsyncPager[Participant]:
    c = stage._client
    arn = stage.arn if isinstance(stage, Stage) else stage.stage_arn
    params = {
        "stage_arn": arn,
        "filter_by_user_id": user_id,
        "filter_by_published": published,
        "filter_by_state": state,
        "filter_by_recording_state": recording_state,
    }
    readers: builtins.list[
        Callable[[dict[str, Any]], tuple[builtins.list[Participant], str | None]]
    ]
    readers = []

    async def fetch(
        token: str | None, limit: int | None
    ) -> tuple[builtins.list[Participant], str | None]:
        if not readers:
            sid = session_id
            if not sid:
                assert isinstance(stage, Stage)
                sid = await stage._active_session_id()
            params["session_id"] = sid
            readers.append(page_reader(ops._LIST_PARTICIPANTS, _LISTED_PARTICIPANT, (arn, sid, c)))
        return await fetch_page(c, ops._LIST_PARTICIPANTS, readers[0], token, limit, params)

    return AsyncPager(
        "ListParticipants",
        fetch,
        max_items=max_items,
        page_size=page_size,
        starting_token=starting_token,
    )


@attrs.frozen(kw_only=True)
class StageSession(m.StageSession, Bound):
    """A session of a stage: from the first participant joining to the last one leaving."""

    stage_arn: str
    """ARN of the stage the session belongs to."""
    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    def __hash__(self) -> int:
        """Hashed on its identity (``stage_arn`` + ``session_id``); equality compares the whole
        snapshot."""
        return hash((StageSession, self.stage_arn, self.session_id))

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
        arn = arn_of(stage)
        response = await c.api.get_stage_session(stage_arn=arn, session_id=session_id)
        return bind(StageSession, response.stage_session, c, "GetStageSession", stage_arn=arn)

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
        return _participants_pager(
            self,
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
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> StageSession:
        """Poll until the session has ended (the last participant left).

        Args:
            timeout: seconds before ``ivsrt.WaiterTimeoutError``.
            min_delay: the shortest delay between two polls (the range then doubles, jittered).
            max_delay: the longest delay between two polls.

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
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
            initial=self,
        )


@attrs.frozen(kw_only=True)
class ParticipantToken(m.ParticipantToken, Bound):
    """A participant token: what a client joins a stage with. ``token`` is secret: it never
    appears in a repr."""

    stage_arn: str
    """ARN of the stage the token is for."""
    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    def __hash__(self) -> int:
        """Hashed on its identity (``stage_arn`` + ``participant_id``); equality compares the whole
        snapshot."""
        return hash((ParticipantToken, self.stage_arn, self.participant_id))

    async def participant(self, *, session_id: str | None = None) -> Participant:
        """The participant that joined with this token (GetParticipant), by default in the
        stage's active session.

        Args:
            session_id: the session; None for the session active now.
        """
        if not self.participant_id:
            raise IvsrtError("this token has no participant_id")
        if not session_id:
            stage = await Stage.get(self.stage_arn, client=self._client)
            session_id = stage._require_active_session()  # one GetStage, not two
        return await Participant.get(
            self.stage_arn, session_id, self.participant_id, client=self._client
        )


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
    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    async def participant(self) -> Participant:
        """The participant the event is about, as it is now (GetParticipant)."""
        if not self.participant_id:
            raise IvsrtError("this event has no participant_id")
        return await Participant.get(
            self.stage_arn, self.session_id, self.participant_id, client=self._client
        )


@attrs.frozen(kw_only=True)
class ParticipantReplica(m.ParticipantReplica, Bound):
    """A participant replicated from its source stage into a destination stage."""

    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    async def stop(self) -> None:
        """Stop this replication (StopParticipantReplication)."""
        await Replication(
            source_stage_arn=self.source_stage_arn,
            destination_stage_arn=self.destination_stage_arn,
            participant_id=self.participant_id,
            client=self._client,
        ).stop()


async def _find_replica(
    c: Client, source: str, participant_id: str, destination: str
) -> ParticipantReplica | Gone:
    found: ParticipantReplica | Gone = Gone()
    async for replica in _replicas_pager(c, source, participant_id):
        if replica.destination_stage_arn == destination:
            found = replica  # the latest replication to that stage is listed last
    return found


def _replicas_pager(
    c: Client,
    source: str,
    participant_id: str,
    max_items: int | None = None,
    page_size: int | None = None,
    starting_token: str | None = None,
) -> AsyncPager[ParticipantReplica]:
    return list_pager(
        c,
        ops._LIST_PARTICIPANT_REPLICAS,
        _REPLICA,
        (c,),
        max_items=max_items,
        page_size=page_size,
        starting_token=starting_token,
        source_stage_arn=source,
        participant_id=participant_id,
    )


@attrs.frozen(kw_only=True)
class Replication(Bound):
    """A replication started by
    [`Participant.start_replication`][ivsrt.resources.Participant.start_replication]: a handle to
    watch and
    stop it."""

    source_stage_arn: str
    """Where the participant publishes."""
    destination_stage_arn: str
    """Where it is replicated to."""
    participant_id: str
    """The replicated participant."""
    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    async def status(self) -> ParticipantReplica | None:
        """The replica as listed now (ListParticipantReplicas), None if it is not listed."""
        found = await self._fetch()
        return None if isinstance(found, Gone) else found

    async def stop(self) -> None:
        """Stop the replication (StopParticipantReplication)."""
        await self._client.api.stop_participant_replication(
            source_stage_arn=self.source_stage_arn,
            destination_stage_arn=self.destination_stage_arn,
            participant_id=self.participant_id,
        )

    async def _fetch(self) -> ParticipantReplica | Gone:
        return await _find_replica(
            self._client, self.source_stage_arn, self.participant_id, self.destination_stage_arn
        )

    async def wait_until_active(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> ParticipantReplica:
        """Poll until the replica is ``ACTIVE`` in the destination stage.

        A replica not listed yet is waited for; one that is ``STOPPED`` ends the wait with
        ``ivsrt.WaiterFailedError``.

        Args:
            timeout: seconds before ``ivsrt.WaiterTimeoutError``.
            min_delay: the shortest delay between two polls (the range then doubles, jittered).
            max_delay: the longest delay between two polls.
        """

        def check(r: ParticipantReplica | Gone) -> Done[ParticipantReplica] | Failed | None:
            if isinstance(r, Gone):
                return None
            if r.replication_state == m.ReplicationState.ACTIVE:
                return Done(r)
            # a state this ivsrt does not know: keep waiting
            stopped = r.replication_state == m.ReplicationState.STOPPED
            return Failed("the replication is STOPPED") if stopped else None

        return await wait_for(
            self._fetch,
            check,
            what=f"replication of {self.participant_id} to {self.destination_stage_arn}",
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
        )

    async def wait_until_stopped(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> ParticipantReplica | None:
        """Poll until the replica is ``STOPPED`` (or no longer listed: then None).

        Args:
            timeout: seconds before ``ivsrt.WaiterTimeoutError``.
            min_delay: the shortest delay between two polls (the range then doubles, jittered).
            max_delay: the longest delay between two polls.
        """

        def check(r: ParticipantReplica | Gone) -> Done[ParticipantReplica | None] | None:
            if isinstance(r, Gone):
                return Done(None)
            return Done(r) if r.replication_state == m.ReplicationState.STOPPED else None

        return await wait_for(
            self._fetch,
            check,
            what=f"replication of {self.participant_id} to {self.destination_stage_arn} to stop",
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
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
    _client: Client = attrs.field(alias="client", eq=False, repr=False)

    def __hash__(self) -> int:
        """Hashed on its identity (``stage_arn`` + ``session_id`` + ``participant_id``);
        equality compares the whole snapshot."""
        return hash((Participant, self.stage_arn, self.session_id, self.participant_id))

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
        arn = arn_of(stage)
        response = await c.api.get_participant(
            stage_arn=arn, session_id=session_id, participant_id=participant_id
        )
        return bind(
            Participant,
            response.participant,
            c,
            "GetParticipant",
            stage_arn=arn,
            session_id=session_id,
        )

    def _pid(self) -> str:
        if not self.participant_id:
            raise IvsrtError("this Participant has no participant_id")
        return self.participant_id

    async def refresh(self) -> Participant:
        """The participant as it is now, with every field (GetParticipant)."""
        return await Participant.get(
            self.stage_arn, self.session_id, self._pid(), client=self._client
        )

    async def disconnect(self, *, reason: str | None = None) -> None:
        """Disconnect the participant from the stage (DisconnectParticipant).

        Args:
            reason: why, at most 128 characters.
        """
        await self._client.api.disconnect_participant(
            stage_arn=self.stage_arn, participant_id=self._pid(), reason=reason
        )

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
        c, arn, sid, pid = self._client, self.stage_arn, self.session_id, self._pid()

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
        destination = arn_of(destination_stage)
        await self._client.api.start_participant_replication(
            source_stage_arn=self.stage_arn,
            destination_stage_arn=destination,
            participant_id=self._pid(),
            reconnect_window_seconds=reconnect_window_seconds,
            attributes=attributes,
        )
        return Replication(
            source_stage_arn=self.stage_arn,
            destination_stage_arn=destination,
            participant_id=self._pid(),
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
            destination_stage_arn=arn_of(destination_stage),
            participant_id=self._pid(),
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
            self._client, self.stage_arn, self._pid(), max_items, page_size, starting_token
        )

    async def wait_until_connected(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> Participant:
        """Poll until the participant is ``CONNECTED``.

        Args:
            timeout: seconds before ``ivsrt.WaiterTimeoutError``.
            min_delay: the shortest delay between two polls (the range then doubles, jittered).
            max_delay: the longest delay between two polls.

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
                stage = await Stage.get(self.stage_arn, client=self._client)
                session_over = stage.active_session_id != self.session_id
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
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
            initial=self,
        )

    async def wait_until_published(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> Participant:
        """Poll until the participant has published.

        Args:
            timeout: seconds before ``ivsrt.WaiterTimeoutError``.
            min_delay: the shortest delay between two polls (the range then doubles, jittered).
            max_delay: the longest delay between two polls.

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
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
            initial=self,
        )


_LISTED_PARTICIPANT = builder(
    Participant, m.ParticipantSummary, ("stage_arn", "session_id", "_client")
)
"""A listed participant (the fields of ``ParticipantSummary``; the others None)."""

_LISTED_STAGE = builder(Stage, m.StageSummary, ("_client",))
_LISTED_SESSION = builder(StageSession, m.StageSessionSummary, ("stage_arn", "_client"))
_EVENT = builder(ParticipantEvent, m.Event, ("stage_arn", "session_id", "_client"))
_REPLICA = builder(ParticipantReplica, m.ParticipantReplica, ("_client",))
