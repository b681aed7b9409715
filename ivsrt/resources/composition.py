"""Server-side compositions of a stage, broadcast to channels and/or recorded to S3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
from typing_extensions import Unpack

from ivsrt._generated import models as m
from ivsrt._generated import operations as ops
from ivsrt.client import Client
from ivsrt.paging import AsyncPager
from ivsrt.resources._base import (
    HasArn,
    Taggable,
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
from ivsrt.retry import RetryPolicy
from ivsrt.waiting import Done, Failed, Gone, wait_for

__all__ = ["Composition", "CompositionSummary"]


_CS = m.CompositionState
_DS = m.DestinationState


@attrs.frozen(kw_only=True)
class Composition(m.Composition, Taggable):
    """A server-side composition of a stage, broadcast to a channel and/or recorded to S3.

    A snapshot: [`refresh`][ivsrt.resources.Composition.refresh] and the waiters return new ones.
    """

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    @classmethod
    async def start(
        cls,
        *,
        stage: str | HasArn,
        destinations: Sequence[m.DestinationConfiguration],
        layout: m.LayoutConfiguration | None = None,
        tags: Mapping[str, str] | None = None,
        idempotency_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> Composition:
        """Start a composition (StartComposition).

        Args:
            stage: the stage (or its ARN) to compose.
            destinations: one destination (``channel`` or ``s3``) or two (one of each). The
                channel, encoder and storage configurations must be in the stage's region and
                account.
            layout: grid or picture-in-picture layout.
            tags: tags to attach, ``{"key": "value"}``.
            idempotency_token: the request's idempotency token; by default ivsrt makes one and
                reuses it on every retry, so a retried start never makes two compositions.
            client: the client to use (default: the stage's, else the enclosing
                ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).

        Raises:
            ivsrt.ValidationError: a documented rule is broken (nothing was sent).
        """
        c = resolve_client(client, retry, owner=stage)
        with caller_names(stage_arn="stage"):
            response = await c.api.start_composition(
                stage_arn=arn_of(stage, "stage", "StartComposition"),
                destinations=destinations,
                layout=layout,
                tags=tags,
                idempotency_token=idempotency_token,
            )
        return bind(Composition, response.composition, c)

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> Composition:
        """Fetch a composition by ARN (GetComposition).

        Args:
            arn: the composition's ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_composition(arn=arn)
        return bind(Composition, response.composition, c)

    @classmethod
    def list(
        cls,
        *,
        stage: str | HasArn | None = None,
        encoder_configuration: str | HasArn | None = None,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[CompositionSummary]:
        """The account's compositions in the client's region (ListCompositions).

        Args:
            stage: only compositions of this stage (or stage ARN).
            encoder_configuration: only compositions using this encoder configuration (or ARN).
            max_items: stop after this many compositions.
            page_size: compositions per request (1..100; service default 100).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=stage)
        stage_arn = arn_of(stage, "stage", "ListCompositions") if stage is not None else None
        encoder_arn = (
            arn_of(encoder_configuration, "encoder_configuration", "ListCompositions")
            if encoder_configuration is not None
            else None
        )

        return list_pager(
            c,
            ops._LIST_COMPOSITIONS,
            _LISTED_COMPOSITION,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            rename={
                "filter_by_stage_arn": "stage",
                "filter_by_encoder_configuration_arn": "encoder_configuration",
            },
            filter_by_stage_arn=stage_arn,
            filter_by_encoder_configuration_arn=encoder_arn,
        )

    async def refresh(self) -> Composition:
        """The composition as it is now (GetComposition)."""
        return await Composition.get(self.arn, client=self._client)

    async def stop(self) -> None:
        """Stop the composition and its broadcasts (StopComposition). It then goes through
        ``STOPPING`` to ``STOPPED`` and is deleted; see
        [`wait_until_stopped`][ivsrt.resources.Composition.wait_until_stopped]."""
        await self._client.api.stop_composition(arn=self.arn)

    def destination(self, destination_id: str) -> m.Destination:
        """The destination with this id in this snapshot."""
        for d in self.destinations:
            if d.id == destination_id:
                return d
        raise KeyError(destination_id)

    async def wait_until_active(
        self,
        *,
        destinations: bool = False,
        **wait: Unpack[WaitOptions],
    ) -> Composition:
        """Poll until the composition is ``ACTIVE`` (and, with ``destinations=True``, every
        destination too).

        Args:
            destinations: also wait for every destination to be ``ACTIVE``.
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the composition (or, with ``destinations=True``, a
                destination) is ``FAILED``, is stopping or stopped, or is gone.
            ivsrt.WaiterTimeoutError: the deadline passed.
        """

        def check(c: Composition | Gone) -> Done[Composition] | Failed | None:
            if isinstance(c, Gone):
                return Failed("the composition no longer exists")
            if c.state in (_CS.FAILED, _CS.STOPPING, _CS.STOPPED):
                return Failed(f"the composition is {c.state.value}")
            if c.state != _CS.ACTIVE:
                return None  # STARTING, or a state this ivsrt does not know
            if not destinations:
                return Done(c)
            for d in c.destinations:
                if d.state in (_DS.FAILED, _DS.STOPPING, _DS.STOPPED):
                    return Failed(f"destination {d.id} is {d.state.value}")
            if all(d.state == _DS.ACTIVE for d in c.destinations):
                return Done(c)
            return None

        what = "composition {} to be ACTIVE{}".format(
            self.arn, " with every destination ACTIVE" if destinations else ""
        )
        return await wait_for(
            self.refresh,
            check,
            what=what,
            **wait_args(wait),
            initial=self,
        )

    async def wait_until_stopped(
        self,
        **wait: Unpack[WaitOptions],
    ) -> Composition | None:
        """Poll until the composition is ``STOPPED`` with every destination stopped.

        A stopped composition is deleted: if it is gone, the wait is over and None is returned.

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the composition is ``FAILED``.
            ivsrt.WaiterTimeoutError: the deadline passed.
        """

        def check(c: Composition | Gone) -> Done[Composition | None] | Failed | None:
            if isinstance(c, Gone):
                return Done(None)
            if c.state == _CS.FAILED:
                return Failed("the composition is FAILED")
            if c.state == _CS.STOPPED and all(
                d.state in (_DS.STOPPED, _DS.FAILED) for d in c.destinations
            ):
                return Done(c)
            return None

        return await wait_for(
            self.refresh,
            check,
            what=f"composition {self.arn} to be STOPPED",
            **wait_args(wait),
            initial=self,
        )


@attrs.frozen(kw_only=True)
class CompositionSummary(m.CompositionSummary, Taggable):
    """A composition as listed by [`Composition.list`][ivsrt.resources.Composition.list];
    [`fetch`][ivsrt.resources.CompositionSummary.fetch] gets all of it."""

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    async def fetch(self) -> Composition:
        """The full composition (GetComposition)."""
        return await Composition.get(self.arn, client=self._client)

    async def stop(self) -> None:
        """Stop the composition (StopComposition)."""
        await self._client.api.stop_composition(arn=self.arn)


_LISTED_COMPOSITION = builder(CompositionSummary, m.CompositionSummary, ("_client",))
