"""Participant replication: a participant of one stage replicated into another."""

from __future__ import annotations

import attrs
from typing_extensions import Unpack

from ivsrt._generated import models as m
from ivsrt._generated import operations as ops
from ivsrt.client import Client
from ivsrt.paging import AsyncPager
from ivsrt.resources._base import (
    Bound,
    WaitOptions,
    builder,
    client_field,
    list_pager,
    wait_args,
)
from ivsrt.waiting import Done, Failed, Gone, wait_for

__all__ = ["ParticipantReplica", "Replication"]


@attrs.frozen(kw_only=True)
class ParticipantReplica(m.ParticipantReplica, Bound):
    """A participant replicated from its source stage into a destination stage."""

    _client: Client = client_field()

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
    _client: Client = client_field()

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
        **wait: Unpack[WaitOptions],
    ) -> ParticipantReplica:
        """Poll until the replica is ``ACTIVE`` in the destination stage.

        A replica not listed yet is waited for; one that is ``STOPPED`` ends the wait with
        ``ivsrt.WaiterFailedError``.

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).
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
            **wait_args(wait),
        )

    async def wait_until_stopped(
        self,
        **wait: Unpack[WaitOptions],
    ) -> ParticipantReplica | None:
        """Poll until the replica is ``STOPPED`` (or no longer listed: then None).

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).
        """

        def check(r: ParticipantReplica | Gone) -> Done[ParticipantReplica | None] | None:
            if isinstance(r, Gone):
                return Done(None)
            return Done(r) if r.replication_state == m.ReplicationState.STOPPED else None

        return await wait_for(
            self._fetch,
            check,
            what=f"replication of {self.participant_id} to {self.destination_stage_arn} to stop",
            **wait_args(wait),
        )


_REPLICA = builder(ParticipantReplica, m.ParticipantReplica, ("_client",))
