"""The encoder and storage configurations that compositions use."""

from __future__ import annotations

from collections.abc import Mapping

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
from ivsrt.retry import RetryPolicy

__all__ = ["EncoderConfiguration", "StorageConfiguration"]


@attrs.frozen(kw_only=True)
class EncoderConfiguration(m.EncoderConfiguration, Taggable):
    """Video settings of a composition's output (resolution, bitrate, frame rate).

    Listed configurations carry no ``video``;
    [`refresh`][ivsrt.resources.EncoderConfiguration.refresh] returns every field.
    """

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    @classmethod
    async def create(
        cls,
        *,
        name: str | None = None,
        video: m.Video | None = None,
        tags: Mapping[str, str] | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> EncoderConfiguration:
        """Create an encoder configuration (CreateEncoderConfiguration).

        Args:
            name: optional name.
            video: width and height (even, at most 1920x1080 pixels in total), framerate, bitrate;
                default 1280x720, 2500 kbps, 30 fps.
            tags: tags to attach.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)
        response = await c.api.create_encoder_configuration(name=name, video=video, tags=tags)
        return bind(EncoderConfiguration, response.encoder_configuration, c)

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> EncoderConfiguration:
        """Fetch an encoder configuration (GetEncoderConfiguration).

        Args:
            arn: its ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_encoder_configuration(arn=arn)
        return bind(EncoderConfiguration, response.encoder_configuration, c)

    @classmethod
    def list(
        cls,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[EncoderConfiguration]:
        """Every encoder configuration (ListEncoderConfigurations).

        Args:
            max_items: stop after this many.
            page_size: items per request (1..100; service default 100).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)

        return list_pager(
            c,
            ops._LIST_ENCODER_CONFIGURATIONS,
            _LISTED_ENCODER,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    async def refresh(self) -> EncoderConfiguration:
        """The configuration as it is now (GetEncoderConfiguration)."""
        return await EncoderConfiguration.get(self.arn, client=self._client)

    async def delete(self) -> None:
        """Delete it (DeleteEncoderConfiguration); fails while a composition uses it."""
        await self._client.api.delete_encoder_configuration(arn=self.arn)


@attrs.frozen(kw_only=True)
class StorageConfiguration(m.StorageConfiguration, Taggable):
    """An S3 bucket compositions and participant recordings are written to."""

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    @classmethod
    async def create(
        cls,
        *,
        s3: m.S3StorageConfiguration,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> StorageConfiguration:
        """Create a storage configuration (CreateStorageConfiguration). IVS updates the bucket
        policy so it can write there.

        Args:
            s3: the bucket (in the same region as the compositions).
            name: optional name (need not be unique).
            tags: tags to attach.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)
        response = await c.api.create_storage_configuration(s3=s3, name=name, tags=tags)
        return bind(StorageConfiguration, response.storage_configuration, c)

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> StorageConfiguration:
        """Fetch a storage configuration (GetStorageConfiguration).

        Args:
            arn: its ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_storage_configuration(arn=arn)
        return bind(StorageConfiguration, response.storage_configuration, c)

    @classmethod
    def list(
        cls,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[StorageConfiguration]:
        """Every storage configuration (ListStorageConfigurations).

        Args:
            max_items: stop after this many.
            page_size: items per request (1..100).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)

        return list_pager(
            c,
            ops._LIST_STORAGE_CONFIGURATIONS,
            _LISTED_STORAGE,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    async def refresh(self) -> StorageConfiguration:
        """The configuration as it is now (GetStorageConfiguration)."""
        return await StorageConfiguration.get(self.arn, client=self._client)

    async def delete(self) -> None:
        """Delete it (DeleteStorageConfiguration); fails (ConflictError) while a composition
        uses it: stop those and wait for them first."""
        await self._client.api.delete_storage_configuration(arn=self.arn)


_LISTED_ENCODER = builder(EncoderConfiguration, m.EncoderConfigurationSummary, ("_client",))
_LISTED_STORAGE = builder(StorageConfiguration, m.StorageConfigurationSummary, ("_client",))
