"""Which services the generator reads, and where their code goes.

Adding a service is a matter of adding a :class:`ServiceConfig` here: the generator itself
knows nothing about IVS Real-Time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceConfig:
    service: str
    """botocore service name (``ivs-realtime``)."""
    api_version: str
    """Service model version to read."""
    package_dir: str
    """Folder, relative to the repository root, that receives the generated modules."""
    api_class: str
    """Name of the generated operations class."""
    error_base_module: str = "ivsrt._exceptions"
    """Module that defines ``ServiceError`` and ``ThrottlingError``."""
    pattern_overrides: dict[str, str] = field(default_factory=dict)
    """Shape name -> regular expression replacing a pattern that the model gets wrong."""
    extra_sensitive: frozenset[tuple[str, str]] = frozenset()
    """(structure, member) pairs treated as secret even if the model does not mark them."""
    always_present: frozenset[tuple[str, str]] = frozenset()
    """(structure, member) pairs of responses that the service always returns although the
    model does not list them as required: typed without ``None``, and a reply without one is a
    ``ResponseParseError``. The model's own ``required`` lists count too; the generator fails
    on a pair the model does not have."""
    client_attribute: str = "api"
    """Attribute of ``ivsrt.Client`` that holds the generated operations class."""
    inherit_errors_from: str | None = None
    """Another configured service: an error of this one whose code that service also models
    subclasses that service's class (``except ivsrt.ResourceNotFoundError`` catches both)."""
    throttling_codes: tuple[str, ...] = (
        "ThrottlingException",
        "TooManyRequestsException",
        "Throttling",
        "RequestLimitExceeded",
        # The rest of botocore's standard retry mode list: codes AWS services use for
        # throttling, mapped to the retryable ThrottlingError whether the model has them or not.
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ThrottledException",
    )
    """Error codes raised as ``ThrottlingError`` (an HTTP 429 without a known code is too)."""


SERVICES: tuple[ServiceConfig, ...] = (
    ServiceConfig(
        service="ivs-realtime",
        api_version="2020-07-14",
        package_dir="ivsrt/_generated",
        api_class="RealtimeApi",
        pattern_overrides={
            # The model's ResourceArn pattern allows a single character before the slash
            # ("[a-z-]/"), which no real ARN (stage/, composition/, ...) satisfies.
            "ResourceArn": r"arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+",
        },
        extra_sensitive=frozenset(
            {
                ("ParticipantToken", "token"),
                ("IngestConfiguration", "streamKey"),
                ("RedundantIngestCredential", "streamKey"),
            }
        ),
        always_present=frozenset(
            {
                # The one resource of a Get/Create/Update/Start/Import response: the reference
                # describes it as "the <resource> that was created / returned / updated", and a
                # successful reply without it would have nothing to report.
                ("CreateEncoderConfigurationResponse", "encoderConfiguration"),
                ("GetEncoderConfigurationResponse", "encoderConfiguration"),
                ("CreateIngestConfigurationResponse", "ingestConfiguration"),
                ("GetIngestConfigurationResponse", "ingestConfiguration"),
                ("UpdateIngestConfigurationResponse", "ingestConfiguration"),
                ("CreateParticipantTokenResponse", "participantToken"),
                ("CreateStageResponse", "stage"),
                ("GetStageResponse", "stage"),
                ("UpdateStageResponse", "stage"),
                ("CreateStorageConfigurationResponse", "storageConfiguration"),
                ("GetStorageConfigurationResponse", "storageConfiguration"),
                ("GetCompositionResponse", "composition"),
                ("StartCompositionResponse", "composition"),
                ("GetParticipantResponse", "participant"),
                ("GetPublicKeyResponse", "publicKey"),
                ("ImportPublicKeyResponse", "publicKey"),
                ("GetStageSessionResponse", "stageSession"),
                # Identifiers, which the Get/Delete operations take as required input: a
                # resource is never reported without the id it is fetched by.
                ("PublicKey", "arn"),
                ("PublicKeySummary", "arn"),
                ("Participant", "participantId"),
                ("ParticipantSummary", "participantId"),
                ("StageSession", "sessionId"),
                ("StageSessionSummary", "sessionId"),
                # A created token carries its id and value ("the participant token that was
                # created": the value is what the participant joins with).
                ("ParticipantToken", "participantId"),
                ("ParticipantToken", "token"),
            }
        ),
    ),
    ServiceConfig(
        service="ivs",
        api_version="2020-07-14",
        package_dir="ivsrt/_generated/channels",
        api_class="ChannelsApi",
        client_attribute="channels",
        inherit_errors_from="ivs-realtime",
        pattern_overrides={
            # Same single-character slip as in ivs-realtime (channel/, stream-key/, ...).
            "ResourceArn": r"arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+",
            # Python's re has no \p{...} classes: letters and numbers are [^\W_], and \s stands
            # for the separators (\p{Z}).
            "TagKey": r"([^\W_]|[\s_.:/=+\-@])+",
            "TagValue": r"([^\W_]|[\s_.:/=+\-@])*",
        },
        extra_sensitive=frozenset(
            {
                # The model marks these shapes sensitive; listed so they stay secret even if a
                # later model drops the trait.
                ("StreamKey", "value"),
                ("Srt", "passphrase"),
                ("PutMetadataRequest", "metadata"),
            }
        ),
        always_present=frozenset(
            {
                # As for ivs-realtime: the one resource of a Get/Create/Update/Import response,
                # and the ARN each resource is fetched by.
                ("CreateChannelResponse", "channel"),
                ("CreateChannelResponse", "streamKey"),
                ("GetChannelResponse", "channel"),
                ("UpdateChannelResponse", "channel"),
                ("CreateStreamKeyResponse", "streamKey"),
                ("GetStreamKeyResponse", "streamKey"),
                ("GetStreamResponse", "stream"),
                ("GetStreamSessionResponse", "streamSession"),
                ("CreateRecordingConfigurationResponse", "recordingConfiguration"),
                ("GetRecordingConfigurationResponse", "recordingConfiguration"),
                ("GetPlaybackKeyPairResponse", "keyPair"),
                ("ImportPlaybackKeyPairResponse", "keyPair"),
                ("CreatePlaybackRestrictionPolicyResponse", "playbackRestrictionPolicy"),
                ("GetPlaybackRestrictionPolicyResponse", "playbackRestrictionPolicy"),
                ("UpdatePlaybackRestrictionPolicyResponse", "playbackRestrictionPolicy"),
                ("GetAdConfigurationResponse", "adConfiguration"),
                ("Channel", "arn"),
                ("ChannelSummary", "arn"),
                ("StreamKey", "arn"),
                ("StreamKeySummary", "arn"),
                ("PlaybackKeyPair", "arn"),
                ("PlaybackKeyPairSummary", "arn"),
            }
        ),
    ),
)
