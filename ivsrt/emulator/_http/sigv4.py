"""SigV4 verification of API requests."""

from __future__ import annotations

import datetime
import hashlib
import re

from aiohttp import web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ivsrt.emulator._http.wire import error_response
from ivsrt.emulator._service import Service

__all__ = ["SERVICE", "verify"]

SERVICE = "ivs"
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-f]+)"
)

_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
"""A region name: ``us-west-2``, ``ap-southeast-1``, ``us-gov-west-1``, ``cn-north-1``..."""
_MAX_SIGNATURE_SKEW = 15 * 60.0
"""Seconds a SigV4 signature stays valid either side of the server's clock, as on AWS."""


def verify(svc: Service, request: web.Request, body: bytes) -> tuple[str, web.Response | None]:
    """(region, None) when the SigV4 signature is good, else (region, a 403 response)."""
    auth = request.headers.get("Authorization")
    if not auth:
        return svc.region, error_response(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: the request must be signed with AWS Signature Version 4",
            403,
        )
    m = _AUTH_RE.match(auth)
    amz_date = request.headers.get("X-Amz-Date", "")
    if m is None or not amz_date:
        return svc.region, error_response(
            "IncompleteSignatureException",
            "The request signature is malformed: expected an AWS4-HMAC-SHA256 Authorization "
            "header and an X-Amz-Date header",
            403,
        )
    parts = m["cred"].split("/")
    if len(parts) != 5 or parts[3] != SERVICE or parts[4] != "aws4_request":
        return svc.region, error_response(
            "IncompleteSignatureException",
            f"The credential scope must be <key>/<date>/<region>/{SERVICE}/aws4_request",
            403,
        )
    access_key, date, region = parts[0], parts[1], parts[2]
    if not _REGION_RE.fullmatch(region):
        # the region names every ARN the request creates: only a region name will do
        return svc.region, error_response(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not {region[:64]!r}",
            403,
        )
    if access_key != svc.access_key:
        return region, error_response(
            "UnrecognizedClientException",
            "The security token included in the request is invalid (unknown access key id)",
            403,
        )
    if not amz_date.startswith(date):
        return region, error_response(
            "InvalidSignatureException", "The credential scope date does not match X-Amz-Date", 403
        )
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
    except ValueError:
        return region, error_response(
            "IncompleteSignatureException", "X-Amz-Date must be of the form YYYYMMDDTHHMMSSZ", 403
        )
    # As AWS: a signature is good for 15 minutes either side of the server's (real) time; the
    # emulator's advanceable clock drives resource states, not signature checks.
    skew = abs((datetime.datetime.now(datetime.timezone.utc) - signed_at).total_seconds())
    if skew > _MAX_SIGNATURE_SKEW:
        return region, error_response(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is more than 15 minutes from the server's time",
            403,
        )
    signed = m["signed"].split(";")
    headers: dict[str, str] = {}
    for name in signed:
        values = request.headers.getall(name, [])
        headers[name] = ",".join(values)
    # The payload hash is the body's, as the service computes it: a claimed
    # X-Amz-Content-SHA256 (signed or not) that differs cannot give a matching signature.
    content_sha = request.headers.get("X-Amz-Content-SHA256")
    if content_sha is not None and content_sha.lower() != hashlib.sha256(body).hexdigest():
        return region, error_response(
            "InvalidSignatureException",
            "The provided X-Amz-Content-SHA256 header does not match the request body",
            403,
        )
    host = request.headers.get("Host", "localhost")
    signer = SigV4Auth(Credentials(svc.access_key, svc.secret_key), SERVICE, region)
    try:
        aws = AWSRequest(
            method=request.method,
            url=f"http://{host}{request.raw_path}",
            headers=headers,
            data=body,
        )
        aws.context["timestamp"] = amz_date
        canonical = signer.canonical_request(aws)
        expected = signer.signature(signer.string_to_sign(aws, canonical), aws)
    except (ValueError, UnicodeError):
        expected = None
    if expected != m["sig"]:
        return region, error_response(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
            403,
        )
    return region, None
