"""Everything configurable: ``RAPPORT_*`` variables over a named profile, read once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from adapters.channels.select import ChannelSettings
from adapters.graphql.limits import ApiLimits
from adapters.identity.jwt import JwtSettings
from application.events.envelope import DEFAULT_SOURCE
from application.limits import BucketPolicy
from application.messages.settings import DispatchSettings

PROFILES: Mapping[str, Mapping[str, Any]] = {
    "embedded": {
        "database_url": "sqlite:///rapport.db",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": True,
        "event_stream": "none",
        "webhooks_allow_private": True,
        "relay_in_app": True,
        "limits_store": "memory",
        "introspection": True,
    },
    "production": {
        "database_url": "postgresql://127.0.0.1/rapport",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": False,
        "event_stream": "none",
        "webhooks_allow_private": False,
        "relay_in_app": False,
        "limits_store": "redis",
        "introspection": False,
    },
}

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
SIGNING_KEY_MIN_LENGTH = 16

DEFAULT_STREAM_URLS = {"redis": "redis://127.0.0.1:6379/0", "nats": "nats://127.0.0.1:4222"}


@frozen
class Settings:
    """Everything configurable, from ``RAPPORT_*`` variables over the chosen profile."""

    profile: str
    database_url: str
    storage: str
    event_bus: str
    graphiql: bool
    default_phone_region: str
    host: str
    port: int
    event_stream: str
    """Where the relay also publishes: ``none``, ``redis``, ``nats`` or ``memory``."""
    event_stream_url: str
    event_source: str
    webhooks_allow_private: bool
    relay_in_app: bool
    import_workers: int = 0
    """Processes that check the rows of a file import while this one stores them."""
    segment_evaluator: str = "numpy"
    """``numpy`` (a columnar snapshot in memory) or ``sql`` (one query per rule)."""
    segment_currency: str = "USD"
    """The currency of order amounts in segment rules and RFM scores."""
    segment_snapshot_max_age: float = 60.0
    """Seconds after which the NumPy snapshot is rebuilt even without a change."""
    limits: ApiLimits = field(factory=ApiLimits)
    limits_store: str = "memory"
    """Where rate limits and query budgets are counted: ``memory`` or ``redis``."""
    limits_redis_url: str = "redis://127.0.0.1:6379/0"
    execution_loops: int = 4
    """Worker loops per process that GraphQL operations run on."""
    jwt: JwtSettings = field(factory=JwtSettings)
    """Bearer JWTs of an external identity provider; off unless its JWKS URL is given."""
    audit_retention_days: int = 365
    """Days the audit log keeps an entry; a daily job removes older ones."""
    public_url: str = DEFAULT_PUBLIC_URL
    """Where customers reach Rapport: the base of unsubscribe and confirmation links."""
    signing_key: str | None = None
    """Signs those links; without one, a key made on first start is kept in the database."""
    channels: ChannelSettings = field(factory=ChannelSettings)
    """SMTP, the SMS gateway, the message webhook and the file outbox (``RAPPORT_SMTP_URL`` …)."""
    dispatch: DispatchSettings = field(factory=DispatchSettings)
    """Frequency caps, quiet hours, the default time zone and send rates (``RAPPORT_FREQUENCY_CAPS`` …)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        profile = env.get("RAPPORT_PROFILE", "embedded")
        if profile not in PROFILES:
            raise SystemExit(
                f"RAPPORT_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}"
            )
        defaults = PROFILES[profile]
        return cls(
            profile=profile,
            database_url=env.get("RAPPORT_DATABASE_URL", defaults["database_url"]),
            storage=env.get("RAPPORT_STORAGE", defaults["storage"]),
            event_bus=env.get("RAPPORT_EVENT_BUS", defaults["event_bus"]),
            graphiql=env.get("RAPPORT_GRAPHIQL", str(defaults["graphiql"])).lower()
            in ("1", "true", "yes", "on"),
            default_phone_region=env.get("RAPPORT_DEFAULT_PHONE_REGION", "US").upper(),
            host=env.get("RAPPORT_HOST", "127.0.0.1"),
            port=int(env.get("RAPPORT_PORT", "8000")),
            event_stream=env.get("RAPPORT_EVENT_STREAM", defaults["event_stream"]),
            event_stream_url=env.get("RAPPORT_EVENT_STREAM_URL", ""),
            event_source=env.get("RAPPORT_EVENT_SOURCE", DEFAULT_SOURCE),
            webhooks_allow_private=_flag(
                env.get("RAPPORT_WEBHOOKS_ALLOW_PRIVATE"), defaults["webhooks_allow_private"]
            ),
            relay_in_app=_flag(env.get("RAPPORT_RELAY_IN_APP"), defaults["relay_in_app"]),
            import_workers=int(env.get("RAPPORT_IMPORT_WORKERS", str(default_import_workers()))),
            segment_evaluator=env.get("RAPPORT_SEGMENT_EVALUATOR", "numpy"),
            segment_currency=env.get("RAPPORT_SEGMENT_CURRENCY", "USD").upper(),
            segment_snapshot_max_age=float(env.get("RAPPORT_SEGMENT_SNAPSHOT_MAX_AGE", "60")),
            limits=api_limits(env, introspection=defaults["introspection"]),
            limits_store=env.get("RAPPORT_LIMITS_STORE", defaults["limits_store"]),
            limits_redis_url=env.get("RAPPORT_LIMITS_REDIS_URL", DEFAULT_STREAM_URLS["redis"]),
            execution_loops=int(env.get("RAPPORT_EXECUTION_LOOPS", "4")),
            jwt=jwt_settings(env),
            audit_retention_days=int(env.get("RAPPORT_AUDIT_RETENTION_DAYS", "365")),
            public_url=env.get("RAPPORT_PUBLIC_URL", DEFAULT_PUBLIC_URL).strip().rstrip("/"),
            signing_key=signing_key_setting(env, required=profile == "production"),
            channels=channel_settings(
                env, env.get("RAPPORT_DATABASE_URL", defaults["database_url"])
            ),
            dispatch=DispatchSettings.from_env(env),
        )


def signing_key_setting(env: Mapping[str, str], *, required: bool) -> str | None:
    """``RAPPORT_SIGNING_KEY``: required in production, where several processes must sign
    alike and a key must not live beside the data it protects."""
    key = env.get("RAPPORT_SIGNING_KEY", "").strip()
    if not key:
        if required:
            raise SystemExit("RAPPORT_SIGNING_KEY is required in the production profile")
        return None
    if len(key) < SIGNING_KEY_MIN_LENGTH:
        raise SystemExit(
            f"RAPPORT_SIGNING_KEY must be at least {SIGNING_KEY_MIN_LENGTH} characters"
        )
    return key


def jwt_settings(env: Mapping[str, str]) -> JwtSettings:
    """The identity provider's ``RAPPORT_JWT_*`` settings; a bad one stops the process."""
    try:
        return JwtSettings(
            jwks_url=env.get("RAPPORT_JWT_JWKS_URL", "").strip(),
            issuer=env.get("RAPPORT_JWT_ISSUER", "").strip(),
            audience=env.get("RAPPORT_JWT_AUDIENCE", "").strip(),
            algorithms=tuple(
                name.strip()
                for name in env.get("RAPPORT_JWT_ALGORITHMS", "RS256,ES256").split(",")
                if name.strip()
            ),
            leeway_seconds=float(env.get("RAPPORT_JWT_LEEWAY_SECONDS", "60")),
            email_claim=env.get("RAPPORT_JWT_EMAIL_CLAIM", "email").strip() or "email",
        )
    except ValueError as error:
        raise SystemExit(f"RAPPORT_JWT_*: {error}") from None


def channel_settings(env: Mapping[str, str], database_url: str) -> ChannelSettings:
    """The channels' ``RAPPORT_*`` settings; they are checked when the senders are built."""
    defaults = ChannelSettings()
    return ChannelSettings(
        smtp_url=env.get("RAPPORT_SMTP_URL", ""),
        email_from=env.get("RAPPORT_EMAIL_FROM", ""),
        sms_gateway_url=env.get("RAPPORT_SMS_GATEWAY_URL", ""),
        sms_gateway_auth=env.get("RAPPORT_SMS_GATEWAY_AUTH", ""),
        sms_body_template=env.get("RAPPORT_SMS_BODY_TEMPLATE", "") or defaults.sms_body_template,
        sms_from=env.get("RAPPORT_SMS_FROM", ""),
        message_webhook_url=env.get("RAPPORT_MESSAGE_WEBHOOK_URL", ""),
        message_webhook_secret=env.get("RAPPORT_MESSAGE_WEBHOOK_SECRET", ""),
        outbox_dir=env.get("RAPPORT_OUTBOX_DIR", ""),
        database_url=database_url,
    )


def api_limits(env: Mapping[str, str], *, introspection: bool) -> ApiLimits:
    """The API's limits from ``RAPPORT_*`` variables; "off" turns a limit off."""
    defaults = ApiLimits()

    def number(name: str, default: float | None) -> float | None:
        raw = env.get(name)
        if raw is None:
            return default
        return None if raw.strip().lower() in ("off", "none", "") else float(raw)

    def whole(name: str, default: int | None) -> int | None:
        value = number(name, default)
        return None if value is None else int(value)

    def bucket(name: str, default: BucketPolicy | None) -> BucketPolicy | None:
        """``RATE/BURST`` (per second / at once), e.g. ``50/500``."""
        raw = env.get(name)
        if raw is None:
            return default
        if raw.strip().lower() in ("off", "none", ""):
            return None
        rate, _, burst = raw.partition("/")
        return BucketPolicy(capacity=float(burst or rate), refill_per_second=float(rate))

    shown = _flag(env.get("RAPPORT_INTROSPECTION"), introspection)
    return ApiLimits(
        max_depth=whole("RAPPORT_GRAPHQL_MAX_DEPTH", defaults.max_depth),
        max_aliases=whole("RAPPORT_GRAPHQL_MAX_ALIASES", defaults.max_aliases),
        max_tokens=whole("RAPPORT_GRAPHQL_MAX_TOKENS", defaults.max_tokens),
        max_cost=whole("RAPPORT_GRAPHQL_MAX_COST", defaults.max_cost),
        cost_budget=bucket("RAPPORT_GRAPHQL_COST_BUDGET", defaults.cost_budget),
        key_rate=bucket("RAPPORT_RATE_LIMIT_KEY", defaults.key_rate),
        ip_rate=bucket("RAPPORT_RATE_LIMIT_IP", defaults.ip_rate),
        max_body_bytes=whole("RAPPORT_MAX_BODY_BYTES", defaults.max_body_bytes)
        or defaults.max_body_bytes,
        max_upload_bytes=whole("RAPPORT_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)
        or defaults.max_upload_bytes,
        request_timeout_seconds=number("RAPPORT_REQUEST_TIMEOUT", defaults.request_timeout_seconds),
        trusted_proxies=tuple(
            part.strip()
            for part in env.get("RAPPORT_TRUSTED_PROXIES", "").split(",")
            if part.strip()
        ),
        introspection=shown,
        field_suggestions=_flag(env.get("RAPPORT_FIELD_SUGGESTIONS"), shown),
    )


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


def default_import_workers() -> int:
    """One core stores what the others check: every core but one, and at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def container_config(settings: Settings) -> dict[str, Any]:
    """The values the containers read, under the names their ``config`` providers use."""
    return {
        "default_phone_region": settings.default_phone_region,
        "event_stream": settings.event_stream,
        "event_stream_url": settings.event_stream_url
        or DEFAULT_STREAM_URLS.get(settings.event_stream, ""),
        "event_source": settings.event_source,
        "webhooks_allow_private": settings.webhooks_allow_private,
        "segment_evaluator": settings.segment_evaluator,
        "segment_currency": settings.segment_currency,
        "segment_snapshot_max_age": settings.segment_snapshot_max_age,
        "limits_store": settings.limits_store,
        "limits_redis_url": settings.limits_redis_url,
        "jwt": settings.jwt,
        "audit_retention_days": settings.audit_retention_days,
        "public_url": settings.public_url,
        "signing_key": settings.signing_key,
        "channels": settings.channels,
        "dispatch": settings.dispatch,
    }
