"""Code generator: botocore service model -> ``ivsrt/_generated``.

Run with ``python -m tools.codegen`` (or ``make codegen``). The output is stamped with the
botocore version and the sha256 of the service model it was read from; the test suite
regenerates into a temporary folder and fails on any difference.
"""
