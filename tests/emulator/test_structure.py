"""The emulator's structure: one handler per operation of the model, small modules."""

from __future__ import annotations

from pathlib import Path

from ivsrt._generated.channels.constraints import OPERATIONS as CHANNEL_OPERATIONS
from ivsrt._generated.constraints import OPERATIONS
from ivsrt.emulator._http.api import ROUTES
from ivsrt.emulator.state.channel_handlers import CHANNEL_HANDLERS
from ivsrt.emulator.state.handlers import HANDLERS, SERVICE_HANDLERS

EMULATOR = Path(__file__).resolve().parents[2] / "ivsrt" / "emulator"


def test_every_operation_of_the_model_has_exactly_one_handler() -> None:
    # derived from the generated model: a newly generated operation without a handler fails
    missing = sorted(set(OPERATIONS) - set(HANDLERS))
    unknown = sorted(set(HANDLERS) - set(OPERATIONS))
    assert (missing, unknown) == ([], [])


def test_every_channel_operation_of_the_model_has_exactly_one_handler() -> None:
    # the ivs (channel) model: its own table, derived from its generated operations
    missing = sorted(set(CHANNEL_OPERATIONS) - set(CHANNEL_HANDLERS))
    unknown = sorted(set(CHANNEL_HANDLERS) - set(CHANNEL_OPERATIONS))
    assert (missing, unknown) == ([], [])
    assert SERVICE_HANDLERS == {"ivs-realtime": HANDLERS, "ivs": CHANNEL_HANDLERS}


def test_every_operation_of_both_models_has_its_own_route() -> None:
    # both services sign as "ivs": their paths must not clash (tags are routed by ARN)
    routed = sorted(ROUTES.values())
    expected = sorted(
        (service, name)
        for service, ops in (("ivs-realtime", OPERATIONS), ("ivs", CHANNEL_OPERATIONS))
        for name, spec in ops.items()
        if "{" not in spec["uri"]
    )
    assert routed == expected


def test_handlers_are_plain_functions_of_their_area_module() -> None:
    for table, operations in ((HANDLERS, OPERATIONS), (CHANNEL_HANDLERS, CHANNEL_OPERATIONS)):
        for operation, handler in table.items():
            module = handler.__module__
            assert module.startswith("ivsrt.emulator.state."), (operation, module)
            assert handler.__name__ == operations[operation]["python_name"], operation


def test_no_emulator_module_is_over_500_lines() -> None:
    sizes = {
        str(p.relative_to(EMULATOR)): len(p.read_text().splitlines())
        for p in EMULATOR.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 500} == {}
