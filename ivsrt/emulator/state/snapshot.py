"""The state of a `Store` as plain JSON, and back.

A snapshot holds every resource (stage sessions, participants and their events included),
the paging secret, the random generator's state and the key that signs participant tokens, so
a restored emulator accepts the tokens and page tokens the original issued and goes on with the
same ids. Stream keys and that private key are in it: a snapshot is a secret of your test
setup."""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ivsrt.emulator import _tokens
from ivsrt.emulator.state import records
from ivsrt.emulator.state.channel_snapshot import dump_channels, load_channels
from ivsrt.emulator.state.paging import Pager
from ivsrt.emulator.state.records import (
    Composition,
    Destination,
    Event,
    ExchangedToken,
    Ingest,
    Participant,
    Replica,
    Session,
    Simple,
    Stage,
)
from ivsrt.emulator.state.snapshot_json import snapshot_converter
from ivsrt.emulator.state.store import Store

__all__ = ["FORMAT", "dump", "load"]

FORMAT = "ivsrt-emulator-snapshot/1"
"""The ``format`` member of every snapshot."""

_conv = snapshot_converter(
    (ExchangedToken, Event, Participant, Session, Destination, Composition, Ingest, Replica)
)
# a stage's active session is one of its sessions (by id); a public key's key is its material
_conv.register_unstructure_hook(
    Stage,
    make_dict_unstructure_fn(
        Stage, _conv, active=override(omit=True), _cattrs_include_init_false=True
    ),
)
_stage_structure = make_dict_structure_fn(
    Stage, _conv, active=override(omit=True), _cattrs_include_init_false=True
)
_conv.register_unstructure_hook(
    Simple,
    make_dict_unstructure_fn(
        Simple, _conv, key=override(omit=True), _cattrs_include_init_false=True
    ),
)
_simple_structure = make_dict_structure_fn(
    Simple, _conv, key=override(omit=True), _cattrs_include_init_false=True
)


def _dump_stage(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = _conv.unstructure(stage)
    out["activeSessionId"] = None if stage.active is None else stage.active.id
    return out


def _load_stage(data: Mapping[str, Any]) -> Stage:
    body = dict(data)
    active = body.pop("activeSessionId", None)
    stage = _stage_structure(body, Stage)
    stage.sessions = OrderedDict(stage.sessions)
    if active is not None:
        if active not in stage.sessions:
            raise ValueError(f"stage {stage.arn}: active session {active!r} is not one of its")
        stage.active = stage.sessions[active]
    return stage


def _load_simple(data: Mapping[str, Any], public_key: bool) -> Simple:
    res = _simple_structure(dict(data), Simple)
    if public_key:
        res.key = _tokens.load_p384_public_key(str(res.body.get("publicKeyMaterial", "")))
    return res


def dump(store: Store) -> dict[str, Any]:
    """Every resource of ``store`` and what makes its ids and tokens, as plain JSON."""
    version, internal, gauss = store.rng.getstate()
    return {
        "format": FORMAT,
        "accountId": store.account_id,
        "random": {"version": version, "state": list(internal), "gauss": gauss},
        "pagingSecret": base64.b64encode(store.pager.secret).decode(),
        "signingKey": store.signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "keyId": store.kid,
        "stages": [_dump_stage(s) for s in store.stages.values()],
        "compositions": [_conv.unstructure(c) for c in store.compositions.values()],
        "idempotency": [[t, arn, h] for t, (arn, h) in store.idempotency.items()],
        "encoderConfigurations": [_conv.unstructure(x) for x in store.encoders.values()],
        "storageConfigurations": [_conv.unstructure(x) for x in store.storages.values()],
        "publicKeys": [_conv.unstructure(x) for x in store.public_keys.values()],
        "ingestConfigurations": [_conv.unstructure(x) for x in store.ingests.values()],
        "replicas": [_conv.unstructure(r) for r in store.replicas],
        "revokedTokens": [[region, token_id] for region, token_id in store.revoked],
        "disconnectedParticipants": [[arn, pid] for arn, pid in store.disconnected],
        "ivs": dump_channels(store.ivs),
    }


def load(store: Store, data: Any) -> None:
    """Replace everything in ``store`` with the snapshot ``data`` (from `dump`). Checks it
    all first: a ``ValueError`` saying what is wrong leaves ``store`` as it was."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not an emulator snapshot (expected format {FORMAT!r})")
    if data.get("accountId") != store.account_id:
        raise ValueError(
            f"the snapshot is of account {data.get('accountId')!r}, this emulator's is "
            f"{store.account_id!r}"
        )
    try:
        rand = data["random"]
        gauss = rand.get("gauss")
        if gauss is not None and not isinstance(gauss, float):
            raise ValueError("random.gauss: expected a number or null")
        rng_state = (int(rand["version"]), tuple(int(x) for x in rand["state"]), gauss)
        secret = base64.b64decode(data["pagingSecret"], validate=True)
        key = serialization.load_pem_private_key(data["signingKey"].encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("signingKey: expected an EC private key")
        kid = str(data["keyId"])
        stages = [_load_stage(s) for s in data["stages"]]
        comps = [_conv.structure(c, Composition) for c in data["compositions"]]
        idempotency = [(str(t), (str(a), str(h))) for t, a, h in data["idempotency"]]
        encoders = [_load_simple(x, False) for x in data["encoderConfigurations"]]
        storages = [_load_simple(x, False) for x in data["storageConfigurations"]]
        public_keys = [_load_simple(x, True) for x in data["publicKeys"]]
        ingests = [_conv.structure(x, Ingest) for x in data["ingestConfigurations"]]
        replicas = [_conv.structure(r, Replica) for r in data["replicas"]]
        revoked = [(str(r), str(t)) for r, t in data.get("revokedTokens", [])]
        disconnected = [(str(a), str(p)) for a, p in data.get("disconnectedParticipants", [])]
        ivs, ivs_seqs = load_channels(data.get("ivs"))
        scratch = type(store.rng)()
        scratch.setstate(rng_state)
    except (KeyError, TypeError, ValueError, cattrs.BaseValidationError) as exc:
        raise ValueError(f"not a valid emulator snapshot: {exc}") from None
    store.rng.setstate(rng_state)
    store.pager = Pager(secret)
    store.signing_key = key
    store.kid = kid
    store.stages = {s.arn: s for s in stages}
    store.compositions = OrderedDict((c.arn, c) for c in comps)
    store.idempotency = OrderedDict(idempotency)
    store.encoders = {x.arn: x for x in encoders}
    store.storages = {x.arn: x for x in storages}
    store.public_keys = {x.arn: x for x in public_keys}
    store.ingests = {x.arn: x for x in ingests}
    store.replicas = replicas
    store.revoked = OrderedDict((key, None) for key in revoked)
    store.disconnected = OrderedDict((key, None) for key in disconnected)
    store.ivs = ivs
    sessions = [s for st in stages for s in st.sessions.values()]
    parts = [p for s in sessions for p in s.participants.values()]
    store.n_participants = len(parts)
    store.n_events = sum(len(p.events) for p in parts)
    seqs = [x.seq for x in stages] + [x.seq for x in comps] + [x.seq for x in ingests]
    seqs += [x.seq for x in (*encoders, *storages, *public_keys)]
    seqs += [x.seq for x in sessions] + [x.seq for x in parts] + [x.seq for x in replicas]
    seqs += [e.seq for p in parts for e in p.events]
    seqs += ivs_seqs
    records.continue_after(max(seqs, default=-1))
