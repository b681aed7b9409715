# conftest.py at the root of your tests
pytest_plugins = ["ivsrt.emulator.pytest_plugin"]
