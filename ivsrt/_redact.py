"""Keep secrets out of botocore's and aiobotocore's DEBUG logs.

botocore logs raw response bodies (participant tokens, stream keys; for channels stream key
values, SRT passphrases and timed metadata), request headers (``X-Amz-Security-Token``, the
``Authorization`` header's SigV4 signature), the signature it computed, and the
replies of credential providers (STS AssumeRole XML, SSO and container JSON) at DEBUG. ivsrt
attaches a filter to those loggers that rewrites a record's message with the secret values
replaced by ``***`` before any handler sees it. The filter runs only for records that were going
to be emitted, so it costs nothing when DEBUG is off.
"""

from __future__ import annotations

import ast
import functools
import logging
import re

__all__ = ["REDACTED", "install", "redact"]

REDACTED = "***"

_HEADER_SECRETS = ("x-amz-security-token", "aws_secret_access_key", "aws_session_token")
# Credentials that credential providers fetch through botocore, which logs the replies at DEBUG:
# SSO (JSON ``secretAccessKey``/``sessionToken``/``accessToken``), container and process
# providers (JSON ``SecretAccessKey``/``SessionToken``/``Token``). The access key id is not
# secret and is kept.
_CREDENTIAL_MEMBERS = frozenset(
    {"SecretAccessKey", "SessionToken", "Token", "secretAccessKey", "sessionToken", "accessToken"}
)
# XML elements of STS replies (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken...).
_XML_SECRETS = ("SecretAccessKey", "SessionToken")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The patterns of secret values, built on first use: the member names come from both
    services' generated constraint tables, which are not loaded at ``import ivsrt``."""
    from ivsrt._generated.channels.constraints import (
        SENSITIVE_WIRE_MEMBERS as channel_members,
    )
    from ivsrt._generated.constraints import SENSITIVE_WIRE_MEMBERS as realtime_members

    # Both services' secret members (ivs-realtime: participant tokens and stream keys; ivs:
    # stream key values, SRT passphrases, timed metadata) and the credential members above.
    secret_members = realtime_members | channel_members | _CREDENTIAL_MEMBERS
    keys = "|".join(re.escape(k) for k in sorted(secret_members))
    hdrs = "|".join(re.escape(h) for h in _HEADER_SECRETS)
    xml = "|".join(re.escape(x) for x in _XML_SECRETS)
    return (
        # "token": "value"  (JSON, also inside a bytes repr) and 'token': 'value' (dict repr)
        re.compile(
            rf'(?P<pre>(?P<q>[\'"])(?:{keys})(?P=q)\s*:\s*b?(?P<v>[\'"]))(?:\\.|(?!(?P=v)).)*'
        ),
        # 'X-Amz-Security-Token': b'value'  (headers dict repr)
        re.compile(
            rf"(?i)(?P<pre>(?P<q>['\"])(?:{hdrs})(?P=q)\s*:\s*b?(?P<v>['\"]))(?:\\.|(?!(?P=v)).)*"
        ),
        # x-amz-security-token:value  (canonical request / string to sign)
        re.compile(rf"(?im)(?P<pre>^(?:{hdrs}):)[^\r\n]*"),
        # X-Amz-Security-Token=value (query strings)
        re.compile(rf"(?i)(?P<pre>\b(?:{hdrs})=)[^&\s'\"]*"),
        # <SecretAccessKey>value</SecretAccessKey>  (STS XML replies)
        re.compile(rf"(?P<pre><(?:{xml})>)[^<]*"),
        # The SigV4 signature: in the Authorization header (``Signature=<hex>``), in botocore's
        # ``Signature:\n<hex>`` line, and in presigned query strings (``X-Amz-Signature=<hex>``).
        # With it and the logged request, the request could be replayed for 15 minutes.
        re.compile(r"(?i)(?P<pre>\bSignature(?::\s*|=))[0-9a-f]{64}"),
    )


# A bytes literal as repr() writes it (botocore logs ``Response body:\n%r``). Inside one, JSON's
# escapes are doubled (``\"`` reads ``\\"``), which the patterns above cannot tell from an
# escaped backslash followed by the closing quote: such literals are decoded, redacted as plain
# text and written back.
_BYTES_LITERAL = re.compile(r"""(?<![\w])b(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", re.S)


def _redact_plain(text: str) -> str:
    for pattern in _patterns():
        text = pattern.sub(lambda m: m.group("pre") + REDACTED, text)
    return text


def _redact_bytes_literal(match: re.Match[str]) -> str:
    literal = match.group(0)
    try:
        value = ast.literal_eval(literal)
        text = value.decode("utf-8")
    except (ValueError, SyntaxError, UnicodeDecodeError, AttributeError):
        return _redact_plain(literal)
    cleaned = _redact_plain(text)
    return literal if cleaned == text else repr(cleaned.encode("utf-8"))


def redact(text: str) -> str:
    """``text`` with secret values replaced by ``***``."""
    if "b'" in text or 'b"' in text:
        text = _BYTES_LITERAL.sub(_redact_bytes_literal, text)
    return _redact_plain(text)


class RedactingFilter(logging.Filter):
    """Rewrites records whose message carries a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_FILTER = RedactingFilter("ivsrt-redaction")
_PREFIXES = ("botocore", "aiobotocore")


def install() -> None:
    """Attach the filter to every botocore/aiobotocore logger that exists now (idempotent)."""
    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name in _PREFIXES or name.startswith(tuple(p + "." for p in _PREFIXES))
    ]
    for name in [*_PREFIXES, *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
