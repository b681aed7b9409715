"""``import ivsrt`` loads neither PyJWT nor ``cryptography`` nor the emulator, nor ivsrt's
tokens, events and channel modules, nor the generated constraint tables; each public path to
them still works on first use.

Each check runs in a fresh interpreter, since this test process has imported them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_HEAVY = ("jwt", "cryptography", "aiohttp.web", "ivsrt.emulator", "ivsrt.tokens", "ivsrt.events")


def _run(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _loaded_after(code: str) -> set[str]:
    """The modules of `_HEAVY` (or under them) in ``sys.modules`` after running ``code``."""
    out = _run(
        f"{code}\nimport json, sys\n"
        f"heavy = {_HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if any("
        "m == h or m.startswith(h + '.') for h in heavy))))"
    )
    return set(json.loads(out.splitlines()[-1]))


def test_import_ivsrt_loads_no_jwt_cryptography_or_emulator() -> None:
    assert _loaded_after("import ivsrt") == set()


def test_a_client_and_its_api_load_none_of_them() -> None:
    code = "import ivsrt\nc = ivsrt.Client(region='us-west-2')\nivsrt.Stage, ivsrt.RealtimeApi"
    assert _loaded_after(code) == set()


def test_public_paths_still_resolve() -> None:
    out = _run(
        "import ivsrt\n"
        "from ivsrt.tokens import TokenSigner, verify\n"
        "from ivsrt import tokens, events\n"
        "from ivsrt.events import EventLog, parse_event\n"
        "assert ivsrt.tokens is tokens and tokens.TokenSigner is TokenSigner\n"
        "assert ivsrt.events is events and events.EventLog is EventLog\n"
        "assert ivsrt.tokens.TokenError.__module__ == 'ivsrt.tokens'\n"
        "import jwt, cryptography\n"
        "print(sorted(n for n in ivsrt.__all__ if not hasattr(ivsrt, n)))"
    )
    assert out.strip() == "[]"


def test_first_attribute_use_imports_the_module() -> None:
    assert _loaded_after("import ivsrt\nivsrt.tokens.TokenSigner") >= {"jwt", "ivsrt.tokens"}
    assert "ivsrt.events" in _loaded_after("import ivsrt\nivsrt.events.EventLog")
    with pytest.raises(AssertionError, match="has no attribute 'no_such_module'"):
        _run("import ivsrt\nivsrt.no_such_module")


_TABLES = ("ivsrt._generated.constraints", "ivsrt._generated.channels.constraints")


def _tables_after(code: str) -> list[str]:
    out = _run(f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if m in {_TABLES!r}))")
    return list(json.loads(out.splitlines()[-1].replace("'", '"')))


def test_import_ivsrt_and_a_client_load_no_constraint_tables() -> None:
    assert _tables_after("import ivsrt\nc = ivsrt.Client(region='us-west-2')") == []


def test_constraint_tables_load_on_first_validation() -> None:
    code = (
        "import ivsrt\nfrom ivsrt.validation import SERVICES, check_request\n"
        "assert sorted(SERVICES) == ['ivs', 'ivs-realtime']\n"
        "try:\n    check_request('CreateStage', {'name': 'x' * 200})\n"
        "except ivsrt.ValidationError as exc:\n    assert exc.violations, exc\n"
        "else:\n    raise AssertionError('not checked')"
    )
    assert _tables_after(code) == ["ivsrt._generated.constraints"]
    channel = (
        "import ivsrt.validation as v\nv.request_violations('ListChannels', {}, service='ivs')"
    )
    assert _tables_after(channel) == ["ivsrt._generated.channels.constraints"]


def test_redaction_loads_the_tables_on_first_use() -> None:
    code = (
        "import ivsrt._redact as r\n"
        'assert r.redact(\'{"token": "abc", "streamKey": "k"}\') == '
        '\'{"token": "***", "streamKey": "***"}\''
    )
    assert _tables_after(code) == sorted(_TABLES)


_REQUESTS = ("ivsrt._generated.request_models", "ivsrt._generated.channels.request_models")


def _requests_after(code: str) -> list[str]:
    out = _run(f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if m in {_REQUESTS!r}))")
    return list(json.loads(out.splitlines()[-1].replace("'", '"')))


def test_request_models_are_created_on_first_access() -> None:
    idle = "import ivsrt, ivsrt.channels\nc = ivsrt.Client(region='us-west-2')\nivsrt.models.Stage"
    assert _requests_after(idle) == []
    code = (
        "import ivsrt\nfrom ivsrt.models import CreateStageRequest\n"
        "from ivsrt._generated import request_models\n"
        "assert CreateStageRequest is request_models.CreateStageRequest\n"
        "assert CreateStageRequest(name='s').name == 's'\n"
        "assert 'ListStagesRequest' in dir(ivsrt.models)\n"
        "assert not [n for n in ivsrt.models.__all__ if not hasattr(ivsrt.models, n)]"
    )
    assert _requests_after(code) == ["ivsrt._generated.request_models"]
    channel = (
        "from ivsrt import channels\nassert channels.CreateChannelRequest(name='c').name == 'c'\n"
        "assert not [n for n in channels.__all__ if not hasattr(channels, n)]"
    )
    assert _requests_after(channel) == ["ivsrt._generated.channels.request_models"]
    missing = "import ivsrt\ntry:\n    ivsrt.models.NoSuchRequest\nexcept AttributeError:\n    pass"
    assert _requests_after(missing) == []


_MODELS = (
    "cattrs",
    "ivsrt._generated.models",
    "ivsrt._generated.operations",
    "ivsrt.resources",
    "ivsrt._runtime.direct",
)


def _models_after(code: str) -> list[str]:
    """Which of `_MODELS` are in ``sys.modules`` after running ``code``."""
    out = _run(f"{code}\nimport sys\nprint(' '.join(m for m in {_MODELS!r} if m in sys.modules))")
    return out.splitlines()[-1].split()


def test_import_and_a_client_load_no_models_cattrs_or_resources() -> None:
    # The models (~90 attrs classes), cattrs and the resources are most of what ``import ivsrt``
    # used to cost; a client loads them when its first operation is looked up.
    assert _models_after("import ivsrt\nivsrt.Client(region='us-west-2')") == []
    assert _models_after("import ivsrt\nivsrt.Client(region='us-west-2').api") == [
        "cattrs",
        "ivsrt._generated.models",
        "ivsrt._generated.operations",
    ]


@pytest.mark.parametrize(
    "name", ["Stage", "models", "converter", "to_json", "RealtimeApi", "ChannelsApi"]
)
def test_each_lazy_name_loads_on_first_use(name: str) -> None:
    assert _models_after(f"import ivsrt\nivsrt.{name}") != []


def test_lazy_names_are_the_defining_modules_objects() -> None:
    out = _run(
        "import ivsrt, ivsrt.resources, ivsrt._json, ivsrt._convert, ivsrt._generated.models\n"
        "from ivsrt import Stage, to_json, models\n"
        "from ivsrt._generated.operations import RealtimeApi\n"
        "assert Stage is ivsrt.resources.Stage and ivsrt.Stage is Stage\n"
        "assert to_json is ivsrt._json.to_json and ivsrt.converter is ivsrt._convert.converter\n"
        "assert ivsrt.RealtimeApi is RealtimeApi and models.Stage is ivsrt._generated.models.Stage\n"
        "assert ivsrt.NoActiveSessionError is ivsrt.resources.NoActiveSessionError\n"
        "assert ivsrt.NoActiveSessionError.__module__ == 'ivsrt'\n"
        "assert {'Stage', 'models', 'to_json'} <= set(dir(ivsrt))\n"
        "print('ok')"
    )
    assert out.strip() == "ok"
