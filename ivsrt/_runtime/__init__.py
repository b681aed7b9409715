"""The call path of one API call, readable top to bottom in `pipeline`.

- `spec`: `OperationSpec`, the static facts of one operation (a leaf: imports nothing of ivsrt);
- `pipeline`: the stages of one call, talking to a small `Sender` protocol;
- `transport`: the aiobotocore clients (open/close) and the parser ivsrt installs in them;
- `errors`: the one table from botocore/aiohttp failures to ivsrt exceptions;
- `retrying`: the executor that runs a `RetryPolicy` (tenacity).
"""
