"""Stages: virtual spaces where participants exchange video in real time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ivsrt._generated import models as m
from ivsrt._generated import operations as ops
from ivsrt.client import Client
from ivsrt.paging import AsyncPager
from ivsrt.resources._base import (
    HasArn,
    Taggable,
    bind,
    builder,
    client_field,
    identity_hash,
    list_pager,
    resolve_client,
)
from ivsrt.resources.composition import Composition, CompositionSummary
from ivsrt.resources.participant import (
    NoActiveSessionError,
    Participant,
    ParticipantToken,
    participants_pager,
    require_active_session,
)
from ivsrt.resources.session import StageSession, sessions_pager
from ivsrt.retry import RetryPolicy

__all__ = ["NoActiveSessionError", "Stage"]


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

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

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
        stage = bind(Stage, response.stage, c)
        tokens = tuple(
            bind(ParticipantToken, t, c, stage_arn=stage.arn)
            for t in response.participant_tokens or ()
        )
        return stage, tokens

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> Stage:
        """Fetch a stage by ARN (GetStage).

        Args:
            arn: the stage's ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).

        Raises:
            ivsrt.ResourceNotFoundError: no such stage.
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_stage(arn=arn)
        return bind(Stage, response.stage, c)

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
        return bind(Stage, response.stage, self._client)

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
        return sessions_pager(
            self._client,
            self.arn,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
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
        return require_active_session(self.arn, self.active_session_id)

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
        details: bool = False,
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
        ``attributes`` are None until [`Participant.refresh`][ivsrt.resources.Participant.refresh],
        unless ``details=True``: then each page's participants are fetched whole
        (GetParticipant, one call per participant, at most 10 at a time) and handed out in the
        listing's order.

        Args:
            session_id: the session to list; None for the session active now.
            user_id: only participants with this user id.
            published: only participants who published during the session.
            state: only ``"CONNECTED"`` or only ``"DISCONNECTED"`` participants.
            recording_state: only participants with this individual recording state.
            max_items: stop after this many participants.
            page_size: participants per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            details: fetch every participant's full record (GetParticipant) before handing it
                out: ``attributes``, ``os_name``, ``browser_name``... are then filled.
        """
        return participants_pager(
            self._client,
            self.arn,
            session_id,
            user_id=user_id,
            published=published,
            state=state,
            recording_state=recording_state,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            details=details,
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
        return Composition.list(
            stage=self,
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            client=self._client,
        )


_LISTED_STAGE = builder(Stage, m.StageSummary, ("_client",))
