"""What ivsrt caches or skips in the aiobotocore clients it creates, each equivalent to what
botocore does (``tests/serialization/test_shortcuts.py`` and ``test_endpoint_cache.py``
prove it).

`install` is called once per aiobotocore client by ``transport.create_aio_client``:

- **User-Agent per client.** botocore builds the ``User-Agent`` string twice per request (when
  the request dict is made and again right before signing) from components that only change
  with the request context's feature ids; the client's string is built once per set of
  feature ids instead.
- **SigV4 signing key per date, region and service.** botocore derives the signing key (four
  HMACs) on every request; it depends only on the secret key, the date, the region and the
  service, so each client keeps the last one and derives it again when any of them changes
  (a credential refresh brings a new secret key, hence a new key). The canonical request is
  built from a plain dict of the headers instead of two ``email.message.Message`` copies.
- **Endpoint per operation.** botocore resolves the endpoint ruleset on every request (gathering
  the ruleset's parameters, ~15 µs, then the provider's own cached answer). When every parameter
  of the service's ruleset is a built-in (region, FIPS, dual-stack, ``endpoint_url``: fixed per
  client) and no handler listens to ``before-endpoint-resolution`` (the only way to change them),
  the answer cannot change per client and operation, so each client keeps it per operation
  (a copy per request). Registering or unregistering any handler on the client drops the
  cache, since botocore resets its handler lookup then.
- **No no-op handlers.** Handlers botocore registers for features IVS does not use, or that
  ivsrt's settings make idle, are unregistered: filling idempotency tokens (the pipeline fills
  them before the call), the checksum validation-mode member and the ``x-amz-api-version``
  header of endpoint-discovery operations (IVS operations have neither).
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from aiobotocore.regions import AioEndpointRulesetResolver
from aiobotocore.signers import AioRequestSigner
from botocore import handlers as bhandlers
from botocore.auth import SIGNED_HEADERS_BLACKLIST, _host_from_url
from botocore.auth import SigV4Auth as _BotocoreSigV4Auth
from botocore.context import get_context
from botocore.endpoint_provider import RuleSetEndpoint
from botocore.useragent import UserAgentString

__all__ = ["RequestSigner", "SigV4Auth", "cached_endpoint", "install"]

_UNSIGNED = frozenset(SIGNED_HEADERS_BLACKLIST)


class _UserAgent(UserAgentString):  # type: ignore[misc]
    """botocore's ``UserAgentString`` that remembers the string per set of feature ids."""

    _ivsrt_strings: dict[tuple[frozenset[str], frozenset[str]], str]

    def to_string(self) -> str:
        context = get_context()
        key = (
            frozenset(self._client_features or ()),
            frozenset(context.features) if context is not None else frozenset(),
        )
        found = self._ivsrt_strings.get(key)
        if found is None:
            found = self._ivsrt_strings[key] = super().to_string()
        return found


class _SigningKey:
    """The last SigV4 signing key of one client and what it was derived from. The secret key
    it holds is the current credentials' own; it is never shown."""

    __slots__ = ("_entry",)

    def __init__(self) -> None:
        self._entry: tuple[str, str, str, str, bytes] | None = None

    def get(self, auth: _BotocoreSigV4Auth, date: str) -> bytes:
        secret, region, service = auth.credentials.secret_key, auth._region_name, auth._service_name
        entry = self._entry
        if entry is not None and entry[:4] == (secret, date, region, service):
            return entry[4]
        k_date = auth._sign(f"AWS4{secret}".encode(), date)
        k_region = auth._sign(k_date, region)
        k_service = auth._sign(k_region, service)
        key: bytes = auth._sign(k_service, "aws4_request")
        self._entry = (secret, date, region, service, key)
        return key

    def __repr__(self) -> str:
        return "<ivsrt SigV4 signing key>"


class _SigV4Auth(_BotocoreSigV4Auth):  # type: ignore[misc]
    """botocore's SigV4Auth with the signing key taken from the client's `_SigningKey`."""

    def __init__(self, credentials: Any, service_name: str, region_name: str, key: _SigningKey):
        super().__init__(credentials, service_name, region_name)
        self._ivsrt_key = key

    _ivsrt_signed: tuple[Any, str] | None = None
    """(request, its SignedHeaders) from `canonical_request`, for the Authorization header."""

    def signature(self, string_to_sign: str, request: Any) -> str:
        key = self._ivsrt_key.get(self, request.context["timestamp"][0:8])
        signature: str = self._sign(key, string_to_sign, hex=True)
        return signature

    def canonical_request(self, request: Any) -> str:
        """botocore's canonical request, with the headers to sign collected once in a plain
        dict (botocore builds an ``email.message.Message`` twice and scans it per header)."""
        values: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            lname = name.lower()
            if lname not in _UNSIGNED:
                values.setdefault(lname, []).append(value)
        if "host" not in values:
            values["host"] = [_host_from_url(request.url)]
        names = sorted(values)
        headers = "\n".join(
            f"{key}:{','.join(' '.join(v.split()) for v in values[key])}" for key in names
        )
        signed = ";".join(sorted(n.strip() for n in names))
        self._ivsrt_signed = (request, signed)
        if "X-Amz-Content-SHA256" in request.headers:
            body_checksum = request.headers["X-Amz-Content-SHA256"]
        else:
            body_checksum = self.payload(request)
        path = self._normalize_url_path(urlsplit(request.url).path)
        query = self.canonical_query_string(request)
        return "\n".join(
            (request.method.upper(), path, query, headers + "\n", signed, body_checksum)
        )

    def _inject_signature_to_request(self, request: Any, signature: str) -> Any:
        memo = self._ivsrt_signed
        if memo is None or memo[0] is not request:
            return super()._inject_signature_to_request(request, signature)
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, "
            f"SignedHeaders={memo[1]}, Signature={signature}"
        )
        return request


class _RequestSigner(AioRequestSigner):  # type: ignore[misc]
    """aiobotocore's request signer whose plain SigV4 signers share the client's signing key."""

    _ivsrt_key: _SigningKey

    async def get_auth_instance(self, *args: Any, **kwargs: Any) -> Any:
        auth = await super().get_auth_instance(*args, **kwargs)
        if type(auth) is _BotocoreSigV4Auth:
            return _SigV4Auth(
                auth.credentials, auth._service_name, auth._region_name, self._ivsrt_key
            )
        return auth


_FEATURE_PARAMS = frozenset({"AccountId", "AccountIdEndpointMode"})
"""Ruleset parameters whose resolution also records a User-Agent feature id."""


def _builtins_only(resolver: AioEndpointRulesetResolver, service_model: Any) -> bool:
    """Whether the ruleset parameters of ``resolver`` are all plain (not callable) built-ins,
    with no per-operation, per-call or client-context value: then they are the same on every
    call of every operation (unless a ``before-endpoint-resolution`` handler changes them)."""
    if service_model.client_context_parameters:
        return False
    for name in service_model.operation_names:
        op = service_model.operation_model(name)
        if op.static_context_parameters or op.context_parameters:
            return False
        if op.operation_context_parameters:
            return False
    builtins = resolver._builtins
    return all(
        definition.builtin is not None
        and name not in _FEATURE_PARAMS
        and not callable(builtins.get(definition.builtin))
        for name, definition in resolver._param_definitions.items()
    )


class _EndpointResolver(AioEndpointRulesetResolver):  # type: ignore[misc]
    """aiobotocore's ruleset resolver that keeps its answer per operation while nothing can
    change it (see the module docstring)."""

    _ivsrt_event: str
    """``before-endpoint-resolution.<service>``, as the client's emitter names it."""
    _ivsrt_lookup: object = None
    """The emitter's handler-lookup dict the cache is valid for (botocore replaces it on every
    register and unregister)."""
    _ivsrt_results: dict[str, RuleSetEndpoint]

    async def construct_endpoint(
        self, operation_model: Any, call_args: Any, request_context: Any
    ) -> RuleSetEndpoint:
        emitter = self._event_emitter._emitter
        if emitter._lookup_cache is not self._ivsrt_lookup:
            self._ivsrt_results = {}
            self._ivsrt_lookup = None
            if not emitter._handlers.prefix_search(self._ivsrt_event):
                self._ivsrt_lookup = emitter._lookup_cache
        found = self._ivsrt_results.get(operation_model.name)
        if found is None:
            found = await super().construct_endpoint(operation_model, call_args, request_context)
            if self._ivsrt_lookup is None:
                return found
            self._ivsrt_results[operation_model.name] = found
        properties = copy.deepcopy(found.properties) if found.properties else {}
        return RuleSetEndpoint(found.url, properties, dict(found.headers))


def cached_endpoint(aio: Any, operation: str) -> RuleSetEndpoint | None:
    """The endpoint the client's cache holds for ``operation`` (None: not cached, or the
    client resolves it on every call)."""
    resolver = aio._ruleset_resolver
    if type(resolver) is not _EndpointResolver or resolver._ivsrt_lookup is None:
        return None
    return resolver._ivsrt_results.get(operation)


def _cache_endpoints(aio: Any) -> None:
    resolver = aio._ruleset_resolver
    events = aio.meta.events
    if type(resolver) is not AioEndpointRulesetResolver or not hasattr(events, "_emitter"):
        return
    if not _builtins_only(resolver, aio.meta.service_model):
        return
    service_id = aio.meta.service_model.service_id.hyphenize()
    resolver.__class__ = _EndpointResolver
    resolver._ivsrt_event = events._alias_event_name(f"before-endpoint-resolution.{service_id}")
    resolver._ivsrt_results = {}


_NO_OPS = (
    ("before-parameter-build", bhandlers.generate_idempotent_uuid),
    ("before-parameter-build", bhandlers._handle_request_validation_mode_member),
    ("before-call", bhandlers.inject_api_version_header_if_needed),
)


def _unused_by(service_model: Any) -> list[tuple[str, Any]]:
    """The handlers of `_NO_OPS` that can do nothing for any operation of ``service_model``."""
    operations = [service_model.operation_model(n) for n in service_model.operation_names]
    idle: list[tuple[str, Any]] = [_NO_OPS[0]]  # the pipeline fills every idempotency token
    if not any(op.http_checksum for op in operations):
        idle.append(_NO_OPS[1])
    if not any(op.is_endpoint_discovery_operation for op in operations):
        idle.append(_NO_OPS[2])
    return idle


def install(aio: Any) -> None:
    """Put the shortcuts in the aiobotocore client ``aio`` (made by ivsrt, retries off)."""
    creator = aio._user_agent_creator
    if type(creator) is UserAgentString:
        creator.__class__ = _UserAgent
        creator._ivsrt_strings = {}
    signer = aio._request_signer
    if type(signer) is AioRequestSigner:
        signer.__class__ = _RequestSigner
        signer._ivsrt_key = _SigningKey()
    for event, handler in _unused_by(aio.meta.service_model):
        aio.meta.events.unregister(event, handler)
    _cache_endpoints(aio)


RequestSigner = _RequestSigner
"""The class of the request signer of ivsrt's clients (for the direct lane)."""
SigV4Auth = _SigV4Auth
"""ivsrt's SigV4 signer: botocore's, with the client's signing key (for the direct lane)."""
