"""Public keys (for self-signed participant tokens): ImportPublicKey, GetPublicKey,
DeletePublicKey, ListPublicKeys."""

from __future__ import annotations

from ivsrt.emulator import _tokens
from ivsrt.emulator.state.arns import arn_region
from ivsrt.emulator.state.configurations import find
from ivsrt.emulator.state.errors import ApiError
from ivsrt.emulator.state.paging import with_token
from ivsrt.emulator.state.records import Body, Simple
from ivsrt.emulator.state.store import Store


def import_public_key(store: Store, p: Body, region: str) -> Body:
    store.quota("PublicKey", store.public_keys.values(), region, store.limits.max_public_keys)
    tags = store.new_tags(p)
    try:
        key = _tokens.load_p384_public_key(p["publicKeyMaterial"])
    except ValueError as exc:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value at 'publicKeyMaterial' failed to satisfy "
            f"constraint: {exc}",
        ) from None
    fp = _tokens.fingerprint(key)
    for other in store.public_keys.values():
        if other.body["fingerprint"] == fp:
            raise ApiError(
                "ConflictException", f"this public key is already imported as {other.arn}"
            )
    arn, _ = store.new_arn(region, "public-key")
    res = Simple(
        arn,
        p.get("name", ""),
        tags,
        {"publicKeyMaterial": p["publicKeyMaterial"], "fingerprint": fp},
        key=key,
    )
    store.public_keys[arn] = res
    return {"publicKey": res.wire("publicKeyMaterial", "fingerprint")}


def get_public_key(store: Store, p: Body, region: str) -> Body:
    res = find(store.public_keys, "PublicKey", p["arn"])
    return {"publicKey": res.wire("publicKeyMaterial", "fingerprint")}


def delete_public_key(store: Store, p: Body, region: str) -> Body:
    res = find(store.public_keys, "PublicKey", p["arn"])
    del store.public_keys[res.arn]
    return {}


def list_public_keys(store: Store, p: Body, region: str) -> Body:
    items = [k for k in store.public_keys.values() if arn_region(k.arn) == region]
    page, nxt = store.pager.page("ListPublicKeys", p, items, Simple.wire)
    return with_token({"publicKeys": page}, nxt)
