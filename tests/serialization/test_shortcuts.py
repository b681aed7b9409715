"""The shortcuts of ``ivsrt._runtime.shortcuts`` give exactly what botocore gives.

- the signature of ivsrt's SigV4 signer (signing key kept per client) equals botocore's
  ``SigV4Auth`` on hundreds of random requests, dates, regions and services, with the secret
  key changing between them as a credential refresh does;
- the cached User-Agent equals the one botocore builds, for every set of feature ids;
- the no-op handlers are gone from ivsrt's clients, and only those.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.context import start_as_current_context
from botocore.credentials import Credentials
from botocore.useragent import UserAgentString, register_feature_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivsrt
from ivsrt._runtime import shortcuts

_text = st.text(st.characters(codec="utf-8"), max_size=20)
_token = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~", min_size=1)
_request_spec = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
        "path": st.lists(_token, max_size=4).map(lambda parts: "/" + "/".join(parts)),
        "params": st.dictionaries(_token, _text, max_size=3),
        "headers": st.dictionaries(
            st.sampled_from(
                ["X-Test-", "x-amz-meta-", "Content-", "User-Agent", "Host", "Expect"]
            ).flatmap(
                lambda prefix: _token.map(lambda t: prefix + t if prefix[-1] == "-" else prefix)
            ),
            _text.map(lambda t: " " + t.replace("\n", " ").replace("\r", " ") + "  x  y"),
            max_size=5,
        ),
        "body": st.binary(max_size=200),
        "date": st.sampled_from(["20250301", "20250302", "20261202"]),
        "region": st.sampled_from(["us-west-2", "eu-central-1", "ap-northeast-1"]),
        "service": st.sampled_from(["ivs", "ivs-realtime"]),
        "secret": st.sampled_from(["secret-one", "secret-two/+=", "refreshed-secret"]),
    }
)


def _request(spec: dict[str, Any]) -> AWSRequest:
    scheme = spec.get("scheme", "https")
    return AWSRequest(
        method=spec["method"],
        url=f"{scheme}://ivsrealtime.{spec['region']}.amazonaws.com{spec['path']}",
        params=spec["params"],
        headers=spec["headers"],
        data=spec["body"],
    )


def _signature(auth: SigV4Auth, spec: dict[str, Any]) -> str:
    request = _request(spec)
    request.context["timestamp"] = f"{spec['date']}T120000Z"
    canonical = auth.canonical_request(request)
    signature: str = auth.signature(auth.string_to_sign(request, canonical), request)
    return signature


def _botocore_signed(spec: dict[str, Any], credentials: Credentials, timestamp: str) -> Any:
    """The request as botocore's ``SigV4Auth.add_auth`` signs it at ``timestamp``: the steps
    of ``add_auth`` after it reads the clock."""
    auth = SigV4Auth(credentials, spec["service"], spec["region"])
    request = _request(spec)
    request.context["timestamp"] = timestamp
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    return request


_KEY = shortcuts._SigningKey()
"""One client's signing key, kept across all the examples (as across a client's calls)."""


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _request_spec,
    st.sampled_from([None, "session-token"]),
    st.sampled_from(["https", "http"]),
)
def test_signed_requests_equal_botocore_sigv4auth(
    spec: dict[str, Any], token: str | None, scheme: str
) -> None:
    spec = {**spec, "scheme": scheme}
    credentials = Credentials("AKIDEXAMPLE", spec["secret"], token)
    mine = shortcuts._SigV4Auth(credentials, spec["service"], spec["region"], _KEY)
    botocore_auth = SigV4Auth(credentials, spec["service"], spec["region"])
    assert _signature(mine, spec) == _signature(botocore_auth, spec)
    signed = _request(spec)
    mine.add_auth(signed)
    expected = _botocore_signed(spec, credentials, signed.context["timestamp"])
    assert list(signed.headers.items()) == list(expected.headers.items())


def test_a_credential_refresh_derives_a_new_key() -> None:
    key = shortcuts._SigningKey()
    spec = {
        "method": "POST",
        "path": "/GetStage",
        "params": {},
        "headers": {},
        "body": b"{}",
        "date": "20261202",
        "region": "us-west-2",
        "service": "ivs",
    }
    seen = set()
    for secret in ("before-refresh", "after-refresh", "before-refresh"):
        credentials = Credentials("AKIDEXAMPLE", secret, "session-token")
        mine = _signature(shortcuts._SigV4Auth(credentials, "ivs", "us-west-2", key), spec)
        assert mine == _signature(SigV4Auth(credentials, "ivs", "us-west-2"), spec)
        seen.add(mine)
    assert len(seen) == 2
    assert "refresh" not in repr(key)


@pytest.fixture
async def aio() -> AsyncIterator[Any]:
    async with ivsrt.Client(
        region="us-west-2",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    ) as client:
        yield client._aio


async def test_the_signer_of_a_client_uses_the_kept_key(aio: Any) -> None:
    auth = await aio._request_signer.get_auth_instance("ivs", "us-west-2", "v4")
    assert type(auth) is shortcuts._SigV4Auth


def test_the_user_agent_equals_botocores(aio: Any) -> None:
    creator = aio._user_agent_creator
    assert type(creator) is shortcuts._UserAgent
    seen = set()
    for _ in range(2):  # built, then from the cache
        for features in [(), ("PAGINATOR",), ("PAGINATOR", "WAITER"), ("RETRY_MODE_STANDARD",)]:
            with start_as_current_context():
                for feature in features:
                    register_feature_id(feature)
                assert creator.to_string() == UserAgentString.to_string(creator)
                seen.add(creator.to_string())
        assert creator.to_string() == UserAgentString.to_string(creator)  # no context at all
    assert len(seen) == 3  # the client has RETRY_MODE_STANDARD already
    assert all("ivsrt/" in ua for ua in seen)


def test_only_the_no_op_handlers_are_gone(aio: Any) -> None:
    def names(event: str) -> list[str]:
        handlers = aio.meta.events._emitter._handlers.prefix_search(event)
        return [h.__name__ for h in handlers]

    assert names("before-parameter-build.ivs-realtime.CreateStage") == []
    assert names("before-call.ivs-realtime.GetStage") == ["add_recursion_detection_header"]
    assert "handler" in names("request-created.ivs-realtime.GetStage")  # the signer stays
