"""The endpoint kept per operation by ``ivsrt._runtime.shortcuts`` is botocore's own answer.

For every operation of both services ivsrt calls, under the default, FIPS, dual-stack and
``endpoint_url`` configurations, a client with the shortcuts resolves (first and again from its
cache) the URL, headers, properties and signing context an identical client without them
resolves; errors stay errors. A ``before-endpoint-resolution`` handler registered later is
honoured (the cache is dropped), and services whose ruleset reads call parameters keep
botocore's resolver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.regions import AioEndpointRulesetResolver
from aiobotocore.session import AioSession, get_session

from ivsrt._runtime import shortcuts

_CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "other-region": {"region_name": "eu-central-1"},
    "fips": {"config": AioConfig(use_fips_endpoint=True)},
    "dualstack": {"config": AioConfig(use_dualstack_endpoint=True)},
    "fips-dualstack": {"config": AioConfig(use_fips_endpoint=True, use_dualstack_endpoint=True)},
    "endpoint_url": {"endpoint_url": "https://ivs.example.test:8443/base"},
    "http endpoint_url": {"endpoint_url": "http://127.0.0.1:9"},
    "no ssl": {"use_ssl": False},
    "gov-cloud": {"region_name": "us-gov-west-1"},
}


async def _pair(
    stack: AsyncExitStack, session: AioSession, service: str, options: dict[str, Any]
) -> tuple[Any, Any]:
    """(a client with ivsrt's shortcuts, an identical client without them)."""
    kwargs: dict[str, Any] = {
        "region_name": "us-west-2",
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": "secret",
        **options,
    }
    cached = await stack.enter_async_context(session.create_client(service, **kwargs))
    plain = await stack.enter_async_context(session.create_client(service, **kwargs))
    shortcuts.install(cached)
    return cached, plain


async def _resolve(client: Any, operation: str) -> tuple[Any, ...]:
    model = client.meta.service_model.operation_model(operation)
    context: dict[str, Any] = {}
    try:
        url, headers, properties = await client._resolve_endpoint_ruleset(model, {}, context)
    except Exception as exc:  # compared with botocore's own outcome
        return ("raised", type(exc), str(exc))
    return (url, headers, properties, context)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


@pytest.mark.parametrize("service", ["ivs-realtime", "ivs"])
@pytest.mark.parametrize("config", list(_CONFIGS))
async def test_every_operation_resolves_as_botocore_does(
    stack: AsyncExitStack, service: str, config: str
) -> None:
    cached, plain = await _pair(stack, get_session(), service, _CONFIGS[config])
    assert type(cached._ruleset_resolver).__name__ == "_EndpointResolver"
    for operation in cached.meta.service_model.operation_names:
        expected = await _resolve(plain, operation)
        assert await _resolve(cached, operation) == expected, operation
        assert await _resolve(cached, operation) == expected, operation  # from the cache


async def test_answers_are_copies(stack: AsyncExitStack) -> None:
    cached, plain = await _pair(stack, get_session(), "ivs-realtime", {})
    first = await _resolve(cached, "GetStage")
    first[1]["x-injected"] = "1"
    first[2]["injected"] = True
    assert await _resolve(cached, "GetStage") == await _resolve(plain, "GetStage")


async def test_a_handler_registered_later_is_honoured(stack: AsyncExitStack) -> None:
    cached, plain = await _pair(stack, get_session(), "ivs-realtime", {})
    before = await _resolve(cached, "GetStage")
    assert before[0] == "https://ivsrealtime.us-west-2.amazonaws.com"

    def to_fips(builtins: dict[str, Any], **_: Any) -> None:
        builtins["AWS::UseFIPS"] = True

    for client in (cached, plain):
        client.meta.events.register("before-endpoint-resolution.ivs-realtime", to_fips)
    moved = await _resolve(cached, "GetStage")
    assert moved == await _resolve(plain, "GetStage")
    assert moved[0] == "https://ivsrealtime-fips.us-west-2.amazonaws.com"
    assert await _resolve(cached, "GetStage") == moved

    for client in (cached, plain):
        client.meta.events.unregister("before-endpoint-resolution.ivs-realtime", to_fips)
    assert await _resolve(cached, "GetStage") == before


async def test_a_generic_handler_present_at_creation_disables_the_cache(
    stack: AsyncExitStack,
) -> None:
    session = get_session()
    seen: list[str] = []
    session.register("before-endpoint-resolution", lambda model, **_: seen.append(model.name))
    cached, _ = await _pair(stack, session, "ivs-realtime", {})
    await _resolve(cached, "GetStage")
    await _resolve(cached, "GetStage")
    assert seen == ["GetStage", "GetStage"]


async def test_rulesets_reading_call_parameters_keep_botocores_resolver(
    stack: AsyncExitStack,
) -> None:
    cached, _ = await _pair(stack, get_session(), "s3", {})
    assert type(cached._ruleset_resolver) is AioEndpointRulesetResolver
