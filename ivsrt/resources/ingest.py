"""RTMP(S) ingest configurations: a stream key that publishes into a stage as a participant."""

from __future__ import annotations

from collections.abc import Mapping

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

__all__ = ["IngestConfiguration", "IngestConfigurationSummary"]

_IS = m.IngestConfigurationState


@attrs.frozen(kw_only=True)
class IngestConfiguration(m.IngestConfiguration, Taggable):
    """An RTMP(S) ingest configuration. ``stream_key`` is secret: it never appears in a repr,
    an exception message or a log line.
    """

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    @classmethod
    async def create(
        cls,
        *,
        ingest_protocol: m.IngestProtocol | m.IngestProtocolLiteral,
        stage: str | HasArn | None = None,
        name: str | None = None,
        user_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        insecure_ingest: bool | None = None,
        redundant_ingest: bool | None = None,
        tags: Mapping[str, str] | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> IngestConfiguration:
        """Create an ingest configuration (CreateIngestConfiguration).

        Args:
            ingest_protocol: ``"RTMPS"``, or ``"RTMP"`` (then ``insecure_ingest=True`` is
                required).
            stage: the stage (or its ARN) the publisher joins.
            name: optional name.
            user_id: your name for the publishing participant (visible to every participant).
            attributes: participant attributes, at most 1 KB in total (visible to every
                participant).
            insecure_ingest: allow unencrypted RTMP; must be True with ``"RTMP"``.
            redundant_ingest: enable redundant ingest (extra credentials are returned).
            tags: tags to attach.
            client: the client to use (default: the stage's, else the enclosing
                ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=stage)
        with caller_names(stage_arn="stage"):
            response = await c.api.create_ingest_configuration(
                ingest_protocol=ingest_protocol,
                stage_arn=(
                    arn_of(stage, "stage", "CreateIngestConfiguration")
                    if stage is not None
                    else None
                ),
                name=name,
                user_id=user_id,
                attributes=attributes,
                insecure_ingest=insecure_ingest,
                redundant_ingest=redundant_ingest,
                tags=tags,
            )
        return bind(IngestConfiguration, response.ingest_configuration, c)

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> IngestConfiguration:
        """Fetch an ingest configuration (GetIngestConfiguration).

        Args:
            arn: its ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_ingest_configuration(arn=arn)
        return bind(IngestConfiguration, response.ingest_configuration, c)

    @classmethod
    def list(
        cls,
        *,
        stage: str | HasArn | None = None,
        state: m.IngestConfigurationState | m.IngestConfigurationStateLiteral | None = None,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[IngestConfigurationSummary]:
        """The account's ingest configurations (ListIngestConfigurations).

        Only one filter, ``stage`` or ``state``, can be given (``ivsrt.ValidationError``
        otherwise, before anything is sent; the error names the service's parameters,
        ``filter_by_stage_arn`` and ``filter_by_state``).

        Args:
            stage: only configurations of this stage (or stage ARN).
            state: only ``"ACTIVE"`` or only ``"INACTIVE"`` configurations.
            max_items: stop after this many.
            page_size: items per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the stage's, else the enclosing
                ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=stage)
        stage_arn = (
            arn_of(stage, "stage", "ListIngestConfigurations") if stage is not None else None
        )

        return list_pager(
            c,
            ops._LIST_INGEST_CONFIGURATIONS,
            _LISTED_INGEST,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
            rename={"filter_by_stage_arn": "stage", "filter_by_state": "state"},
            filter_by_stage_arn=stage_arn,
            filter_by_state=state,
        )

    async def refresh(self) -> IngestConfiguration:
        """The configuration as it is now (GetIngestConfiguration)."""
        return await IngestConfiguration.get(self.arn, client=self._client)

    async def update(
        self,
        *,
        stage: str | HasArn | None = None,
        redundant_ingest: bool | None = None,
    ) -> IngestConfiguration:
        """Attach it to another stage or change redundant ingest (UpdateIngestConfiguration);
        returns the new snapshot. An active configuration cannot be updated.

        Args:
            stage: the stage (or its ARN) to attach to; ``""`` detaches it.
            redundant_ingest: enable or disable redundant ingest.
        """
        with caller_names(stage_arn="stage"):
            response = await self._client.api.update_ingest_configuration(
                arn=self.arn,
                stage_arn=(
                    arn_of(stage, "stage", "UpdateIngestConfiguration")
                    if stage is not None
                    else None
                ),
                redundant_ingest=redundant_ingest,
            )
        return bind(
            IngestConfiguration,
            response.ingest_configuration,
            self._client,
        )

    async def delete(self, *, force: bool | None = None) -> None:
        """Delete it (DeleteIngestConfiguration).

        Args:
            force: also when a publisher is streaming (it is disconnected first); without it,
                deleting an active configuration fails.
        """
        await self._client.api.delete_ingest_configuration(arn=self.arn, force=force)

    async def _wait_state(
        self,
        target: m.IngestConfigurationState,
        wait: WaitOptions,
    ) -> IngestConfiguration:
        def check(i: IngestConfiguration | Gone) -> Done[IngestConfiguration] | Failed | None:
            if isinstance(i, Gone):
                return Failed("the ingest configuration no longer exists")
            return Done(i) if i.state == target else None

        return await wait_for(
            self.refresh,
            check,
            what=f"ingest configuration {self.arn} to be {target.value}",
            **wait_args(wait),
            initial=self,
        )

    async def wait_until_active(
        self,
        **wait: Unpack[WaitOptions],
    ) -> IngestConfiguration:
        """Poll until a publisher streams with this configuration (state ``ACTIVE``).

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the configuration was deleted.
            ivsrt.WaiterTimeoutError: the deadline passed.
        """
        return await self._wait_state(_IS.ACTIVE, wait)

    async def wait_until_inactive(
        self,
        **wait: Unpack[WaitOptions],
    ) -> IngestConfiguration:
        """Poll until nobody streams with this configuration (state ``INACTIVE``).

        Args:
            **wait: the waiter options (`WaitOptions`): ``timeout``, seconds before
                ``ivsrt.WaiterTimeoutError`` (300); ``min_delay`` and ``max_delay``, the
                shortest and longest delay between two polls (the range doubles, jittered).

        Raises:
            ivsrt.WaiterFailedError: the configuration was deleted.
            ivsrt.WaiterTimeoutError: the deadline passed.
        """
        return await self._wait_state(_IS.INACTIVE, wait)


@attrs.frozen(kw_only=True)
class IngestConfigurationSummary(m.IngestConfigurationSummary, Taggable):
    """An ingest configuration as listed (no stream key);
    [`fetch`][ivsrt.resources.IngestConfigurationSummary.fetch] gets all of it."""

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    async def fetch(self) -> IngestConfiguration:
        """The full configuration, stream key included (GetIngestConfiguration)."""
        return await IngestConfiguration.get(self.arn, client=self._client)

    async def delete(self, *, force: bool | None = None) -> None:
        """Delete it (DeleteIngestConfiguration).

        Args:
            force: also when a publisher is streaming (it is disconnected first).
        """
        await self._client.api.delete_ingest_configuration(arn=self.arn, force=force)


_LISTED_INGEST = builder(IngestConfigurationSummary, m.IngestConfigurationSummary, ("_client",))
