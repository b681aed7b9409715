"""Shared test configuration. Each area keeps its fixtures in its own folder's conftest."""

pytest_plugins = ["ivsrt.emulator.pytest_plugin"]
