"""The drift guard: every private botocore / aiobotocore member ivsrt overrides or relies on,
with the digest of its source in each supported release (aiobotocore's own
``tests/test_patches.py`` does the same for botocore).

An upgrade that changes one of them fails here, naming the member, before anything subtler
breaks. After checking that ivsrt's use of the changed member still holds (read the new source;
run the suite), add the digest ``python -m tools.patch_digests`` prints.
"""

from __future__ import annotations

import aiobotocore
import botocore
import pytest

from tools.patch_digests import digest

SURFACES: dict[str, str] = {
    # The rest-json parser ivsrt subclasses (ivsrt/client.py ``_Parser``).
    "botocore.parsers.BaseRestParser._parse_payload": "overridden: hands the JSON body to ivsrt's converter",
    "botocore.parsers.BaseRestParser._do_parse": "calls _parse_payload after the header members",
    "botocore.parsers.BaseRestParser._parse_non_payload_attrs": "runs before _parse_payload",
    "botocore.parsers.RestJSONParser._do_error_parse": "overridden: exceptionMessage, unreadable bodies",
    "botocore.parsers.BaseJSONParser._inject_response_metadata": "called for unreadable error bodies",
    "botocore.parsers.BaseJSONParser._parse_body_as_json": "called to read exceptionMessage",
    "aiobotocore.parsers.AioResponseParserFactory.create_parser": "overridden: one shared parser",
    # The client's endpoint and its parser factory (``aio._endpoint._response_parser_factory``).
    "botocore.endpoint.Endpoint.__init__": "sets _response_parser_factory",
    "aiobotocore.endpoint.AioEndpoint._do_get_response": "reads _response_parser_factory",
    "botocore.client.BaseClient.__init__": "sets _endpoint",
    # Redirects never followed (ivsrt/_runtime/transport.py ``_HTTPSession``).
    "aiobotocore.httpsession.AIOHTTPSession._get_session": "overridden: wraps the aiohttp session",
    "aiobotocore.httpsession.AIOHTTPSession.send": "calls session.request(method, url=..., ...)",
    # ivsrt's service models on a caller's session (ivsrt/_model_data.py ``with_model``).
    "aiobotocore.session.AioSession._create_client": "reads self.get_component('data_loader')",
    # The endpoint kept per operation (ivsrt/_runtime/shortcuts.py ``_EndpointResolver``).
    "aiobotocore.regions.AioEndpointRulesetResolver.construct_endpoint": "overridden: cached per operation",
    "aiobotocore.regions.AioEndpointRulesetResolver._get_provider_params": "builtins, context, one event",
    "botocore.regions.EndpointRulesetResolver._resolve_param_from_context": "static/dynamic/operation/client",
    "aiobotocore.client.AioBaseClient._resolve_endpoint_ruleset": "reads url, headers, properties",
    "botocore.hooks.HierarchicalEmitter._register_section": "replaces _lookup_cache",
    "botocore.hooks.HierarchicalEmitter.unregister": "replaces _lookup_cache",
    "botocore.hooks.EventAliaser._alias_event_name": "names the event the cache checks",
}

KNOWN: dict[str, set[str]] = {
    "botocore.parsers.BaseRestParser._parse_payload": {
        "629c28fddfeeeb6cffea6cc3c6650688887c7341"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.parsers.BaseRestParser._do_parse": {
        "fea05ef23e8f6cce10306e4f79569731ed0bfe0a"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.parsers.BaseRestParser._parse_non_payload_attrs": {
        "4cfb323a7a2cc849f9424806e165b0b7921c1dd2"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.parsers.RestJSONParser._do_error_parse": {
        "ea008e656b2524f77a38109af755be01cb3d7f3d"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.parsers.BaseJSONParser._inject_response_metadata": {
        "0ae265c14eb6521c37f42144578fe97281176ecf"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.parsers.BaseJSONParser._parse_body_as_json": {
        "31a38b90187b535021ffd1b163807672314549c0"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "aiobotocore.parsers.AioResponseParserFactory.create_parser": {
        "5cf11c9acecd1f60a013f6facbe0f294daa3f390"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.endpoint.Endpoint.__init__": {
        "4bafe9733a02817950f5096612410ec4ebc40f55"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "aiobotocore.endpoint.AioEndpoint._do_get_response": {
        "023bc65610768b9fd2fa923acb5efc52354c7d68"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.client.BaseClient.__init__": {
        "2a4919bd9e452610fa52e8e765e3ab6bb915f20b"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "aiobotocore.httpsession.AIOHTTPSession._get_session": {
        "dde0e20be14d3e6995bcf981095e9f6edd981c03",  # aiobotocore 2.25.1
        "b502f2a6f977d290d56787b21fceb8e8751999d1",  # aiobotocore 3.10.0
    },
    "aiobotocore.httpsession.AIOHTTPSession.send": {
        "12ca98c0c82a1796b11556e16ef6b291317a9772",  # aiobotocore 2.25.1
        "28c1cd8009ba0e6c65117939c0e64ba6e428eef6",  # aiobotocore 3.10.0
    },
    "aiobotocore.session.AioSession._create_client": {
        "2106c4a5f7b703961e07464a5da07cee14eddbbd",  # aiobotocore 2.25.1
        "a5b2c5d017f988d7b01a9724c93b94864b4b3aec",  # aiobotocore 3.10.0
    },
    "aiobotocore.regions.AioEndpointRulesetResolver.construct_endpoint": {
        "4fc0ddfc607886f4e5e1253b72dd28bb9839b5c8"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "aiobotocore.regions.AioEndpointRulesetResolver._get_provider_params": {
        "745b64eaf36187d5166a1649abb60c0a23bcf5cb"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "aiobotocore.client.AioBaseClient._resolve_endpoint_ruleset": {
        "a75e93cb1c58dc65738b90a3b47009e13f531c8c"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.regions.EndpointRulesetResolver._resolve_param_from_context": {
        "ae18a9655bb85a212599e0858fd3f781509c9b15"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.hooks.HierarchicalEmitter._register_section": {
        "f91e94308fdbcf11d50d620a85ee54a5d41c04cf"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.hooks.HierarchicalEmitter.unregister": {
        "602f3fc893fe594d5f1776b999b30bb63d91f2eb"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
    "botocore.hooks.EventAliaser._alias_event_name": {
        "97ff88b76f4206e148af6f1048b5acec3c706120"
    },  # 2.25.1 / 1.40.61 and 3.10.0 / 1.43.117
}
"""Source digests known to work, per member: aiobotocore 2.25.1 with botocore 1.40.61
(constraints-lowest.txt) and aiobotocore 3.10.0 with botocore 1.43.117 (constraints.txt)."""


def _versions() -> str:
    return f"aiobotocore {aiobotocore.__version__}, botocore {botocore.__version__}"


@pytest.mark.parametrize("member", sorted(SURFACES))
def test_private_member_is_unchanged(member: str) -> None:
    found = digest(member)
    assert found in KNOWN.get(member, set()), (
        f"{member} ({SURFACES[member]}) changed in {_versions()}: source digest {found}. "
        "Check ivsrt's use of it, then add the digest to tests/test_patches.py KNOWN."
    )


def test_every_known_member_is_a_surface() -> None:
    assert set(KNOWN) <= set(SURFACES)
