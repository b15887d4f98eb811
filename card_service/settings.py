"""The service's one configuration object.

Built once at start-up (``Settings.from_environment()``) and passed down; nothing in
the service reads the environment anywhere else or at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be told from outside, with safe defaults for a demo."""

    model_config = SettingsConfigDict(env_prefix="ECARD_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory for the embedded SQLite database, keys and demo credentials.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "ECARD_DATABASE_URL"),
        description="SQLAlchemy URL; default is an SQLite file under data_dir.",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections each process keeps open (ignored on SQLite).",
    )
    database_max_overflow: int = Field(
        default=20,
        ge=0,
        le=200,
        description="Extra PostgreSQL connections a busy process may open, closed when returned.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"
    event_partitions_ahead: int = Field(
        default=3,
        ge=1,
        le=24,
        description="Months of tap-event partitions kept ready on PostgreSQL.",
    )

    # Sign-in and tokens (docs/security.md).
    jwt_issuer: str = "https://ecard.hue.gov.vn"
    jwt_audience: str = "ecard-api"
    jwt_algorithm: Literal["ES256"] = "ES256"  # pinned: tokens with any other alg are refused
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=60)
    access_token_minutes: int = Field(default=10, ge=1, le=60)
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    jwt_signing_key_file: Path | None = Field(
        default=None, description="PEM P-256 key for access tokens; default data_dir/keys/."
    )
    sign_in_max_failures: int = Field(default=5, ge=1, le=100)
    sign_in_lockout_minutes: int = Field(default=15, ge=1, le=1440)
    sign_in_attempts_per_minute: int = Field(
        default=20, ge=1, description="Per client address, per process."
    )
    # Custody of the service's signing keys (docs/key-custody.md).
    key_custody: Literal["file", "pkcs11"] = "file"
    key_passphrase: SecretStr | None = Field(
        default=None, description="Encrypts file-custody keys; default: a generated demo file."
    )
    pkcs11_module: Path | None = None
    pkcs11_token_label: str | None = None
    pkcs11_user_pin: SecretStr | None = None
    audit_checkpoint_seconds: int = Field(default=300, ge=1, le=86400)

    # PKI and revocation lists (docs/revocation.md).
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL readers use; goes into certs."
    )
    pki_organization: str = "UBND Thành phố Huế"
    crl_validity_hours: int = Field(default=24, ge=1, le=24 * 14)
    crl_refresh_hours: int = Field(default=6, ge=1, le=24 * 7)
    crl_delta_limit: int = Field(default=1000, ge=1)

    # Reader defaults compiled into every reader's configuration (docs/reader-protocol.md).
    reader_max_crl_age_hours: int = Field(
        default=36, ge=1, le=24 * 30, description="Older revocation list: the door fails closed"
    )
    reader_debounce_seconds: int = Field(default=10, ge=0, le=3600)
    reader_door_release_seconds: float = Field(default=3.0, gt=0, le=30)
    emergency_access_group: str | None = Field(
        default=None,
        description="Name of the access group whose members may still pass a door whose "
        "revocation list is too old (guards, first responders); none by default",
    )
    emergency_extra_hours: int = Field(default=72, ge=0, le=168)
    max_request_bytes: int = Field(default=1 << 20, ge=1024)
    max_upload_bytes: int = Field(default=10 << 20, ge=1024)

    # Citizens at counters (docs/citizen-counter.md).
    citizen_ref_key: SecretStr | None = Field(
        default=None,
        description="Hex of at least 32 secret bytes keying the citizen reference "
        "(HMAC-SHA-256 of the document number); default: a key file under data_dir/keys/.",
    )
    citizen_ref_key_file: Path | None = Field(
        default=None, description="Default data_dir/keys/citizen-ref.key (created on first use)."
    )
    citizen_data_retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="After this, sessions lose their citizen reference and verdict reasons.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str | None) -> str | None:
        # Operators paste libpq URLs ("postgresql://..."); we speak psycopg 3.
        if value and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @classmethod
    def from_environment(cls, **overrides: object) -> Settings:
        """Read ECARD_* (and DATABASE_URL) from the environment, then apply overrides."""
        return cls(**overrides)  # type: ignore[arg-type]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ecard.sqlite3').resolve()}"

    @property
    def effective_jwt_signing_key_file(self) -> Path:
        return self.jwt_signing_key_file or self.data_dir / "keys" / "jwt-signing-key.pem"

    @property
    def effective_citizen_ref_key_file(self) -> Path:
        return self.citizen_ref_key_file or self.data_dir / "keys" / "citizen-ref.key"

    @property
    def uses_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")
