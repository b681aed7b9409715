"""Public keys that verify self-signed participant tokens."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ivsrt._exceptions import IvsrtError
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

__all__ = ["PublicKey"]


@attrs.frozen(kw_only=True)
class PublicKey(m.PublicKey, Taggable):
    """An imported public key. Listed keys carry no material nor fingerprint;
    [`refresh`][ivsrt.resources.PublicKey.refresh]
    returns every field."""

    _client: Client = client_field()

    __hash__ = identity_hash("arn")

    @classmethod
    async def import_key(
        cls,
        *,
        public_key_material: str,
        name: str | None = None,
        tags: Mapping[str, str] | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> PublicKey:
        """Import a public key (ImportPublicKey) to verify participant tokens you sign.

        Args:
            public_key_material: the PEM of the public key (ECDSA P-384).
            name: optional name.
            tags: tags to attach.
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)
        response = await c.api.import_public_key(
            public_key_material=public_key_material, name=name, tags=tags
        )
        return bind(PublicKey, response.public_key, c)

    @classmethod
    async def get(
        cls,
        arn: str | HasArn,
        *,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> PublicKey:
        """Fetch a public key (GetPublicKey).

        Args:
            arn: its ARN, or anything with an ``arn`` (a resource, a listed
                summary).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry, owner=arn)
        response = await c.api.get_public_key(arn=arn)
        return bind(PublicKey, response.public_key, c)

    @classmethod
    def list(
        cls,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
        starting_token: str | None = None,
        client: Client | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncPager[PublicKey]:
        """Every imported public key (ListPublicKeys).

        Args:
            max_items: stop after this many.
            page_size: keys per request (1..100; service default 50).
            starting_token: resume where an earlier pager stopped (its ``resume_token``).
            client: the client to use (default: the enclosing ``async with ivsrt.Client``).
            retry: a retry policy for this call (default: the client's).
        """
        c = resolve_client(client, retry)

        return list_pager(
            c,
            ops._LIST_PUBLIC_KEYS,
            _LISTED_KEY,
            (c,),
            max_items=max_items,
            page_size=page_size,
            starting_token=starting_token,
        )

    def _arn(self) -> str:
        if not self.arn:
            raise IvsrtError("this PublicKey has no ARN")
        return self.arn

    async def refresh(self) -> PublicKey:
        """The key as it is now (GetPublicKey)."""
        return await PublicKey.get(self._arn(), client=self._client)

    async def delete(self) -> None:
        """Delete the key (DeletePublicKey): tokens signed with its private key stop working."""
        await self._client.api.delete_public_key(arn=self._arn())


_LISTED_KEY = builder(PublicKey, m.PublicKeySummary, ("_client",))
