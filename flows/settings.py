"""leadflow's configuration: environment variables (LEADFLOW_*), a dotenv file, leadflow.toml."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.hubspot import HubSpotConfig
from connectors.salesforce import SalesforceConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
# profiles.yml's DuckDB target; any other is a warehouse that reads no local file.
DUCKDB_TARGET = "dev"


class Settings(BaseSettings):
    """Every setting leadflow reads. Secrets are SecretStr: never printed, never logged."""

    model_config = SettingsConfigDict(env_prefix="LEADFLOW_", env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """Environment, then .env, then leadflow.toml (or $LEADFLOW_CONFIG), then the defaults."""
        from flows.config_file import TomlSettingsSource

        toml_settings = TomlSettingsSource(settings_cls)
        return init_settings, env_settings, dotenv_settings, toml_settings, file_secret_settings

    # Salesforce: an instance URL and a session id (OAuth access token).
    salesforce_instance_url: str | None = None
    salesforce_session_id: SecretStr | None = None
    # A connected app's client credentials: when set, an expired session is replaced by a new
    # one from the org's OAuth client-credentials flow instead of failing the run.
    salesforce_client_id: str | None = None
    salesforce_client_secret: SecretStr | None = None
    salesforce_api_version: str = "59.0"
    salesforce_daily_reserve: int = 1000
    # Reads of more records than this go through Bulk API 2.0 query jobs (0: always REST).
    salesforce_bulk_threshold: int = 10_000

    # HubSpot: a private-app or OAuth access token.
    hubspot_base_url: str = "https://api.hubapi.com"
    hubspot_access_token: SecretStr | None = None
    hubspot_requests_per_10s: int = 100
    hubspot_searches_per_second: int = 4  # HubSpot allows 5; one spare for clock skew
    hubspot_daily_reserve: int = 1000
    # Prefect Secret blocks a token is read from when the environment has none (flows/secrets.py).
    salesforce_session_id_block: str = "leadflow-salesforce-session-id"
    hubspot_access_token_block: str = "leadflow-hubspot-access-token"

    # A CA bundle to trust besides the system's (the sandbox's own CA; a corporate proxy's).
    ca_bundle: str | None = None

    # Write-back: updates of more Salesforce records than this in one run go through a Bulk
    # API 2.0 ingest job; refusals for a passing reason (a row lock, a 429) are tried again.
    salesforce_writeback_bulk_threshold: int = 2_000
    writeback_attempts: int = 3
    writeback_backoff: float = 1.0
    # HubSpot batches under way at once, all through the one rate limiter (1: one at a time).
    hubspot_writeback_concurrency: int = Field(3, ge=1)
    # Fields a person may take over: changed in the CRM since leadflow last wrote them, they stay
    # as set and the disagreement is reported. Scores and dates are always leadflow's.
    writeback_protected_fields: list[str] = [
        "OwnerId",
        "hubspot_owner_id",
        "Lifecycle_Stage__c",
        "lifecyclestage",
    ]

    # A folder where the product team drops usage events (Parquet or CSV), for PQLs.
    product_usage_dir: Path | None = None

    duckdb_path: Path = Path(".leadflow/leadflow.duckdb")
    # The warehouse the raw tables land in instead of the DuckDB file, with their watermarks:
    # postgresql://user:password@host:5432/database (loaded by COPY). Unset: the DuckDB file.
    raw_url: SecretStr | None = None
    # Where the nightly writes its HTML report; unset: a `report` folder beside the DuckDB file.
    report_dir: Path | None = None
    dbt_project_dir: Path = REPO_ROOT / "dbt_project"
    # The dbt target of dbt_project/profiles.yml the build runs: dev (the DuckDB file) or
    # postgres (LEADFLOW_PG_*; README "Other warehouses").
    dbt_target: str = "dev"
    overlap_minutes: int = 5
    # dbt log lines forwarded to Prefect per node: debug, info, warn or error.
    dbt_log_level: str = "warn"
    # DuckDB spills to disk beyond this during dbt builds (profiles.yml reads it).
    duckdb_memory_limit: str = "3GB"

    @property
    def builds_in_duckdb(self) -> bool:
        """The build's marts (people, crm_updates) are in the DuckDB file, where the rest reads them."""
        return self.dbt_target == DUCKDB_TARGET

    @property
    def salesforce_enabled(self) -> bool:
        return bool(self.salesforce_instance_url and self.salesforce_session_id)

    @property
    def hubspot_enabled(self) -> bool:
        return bool(self.hubspot_access_token)

    def salesforce(self) -> SalesforceConfig:
        return SalesforceConfig(
            instance_url=self.salesforce_instance_url or "",
            session_id=self.salesforce_session_id.get_secret_value(),
            api_version=self.salesforce_api_version,
            ca_bundle=self.ca_bundle,
            daily_reserve=self.salesforce_daily_reserve,
            bulk_threshold=self.salesforce_bulk_threshold,
            writeback_bulk_threshold=self.salesforce_writeback_bulk_threshold,
            client_id=self.salesforce_client_id,
            client_secret=(
                self.salesforce_client_secret.get_secret_value() if self.salesforce_client_secret else None
            ),
        )

    def hubspot(self) -> HubSpotConfig:
        return HubSpotConfig(
            access_token=self.hubspot_access_token.get_secret_value(),
            base_url=self.hubspot_base_url,
            ca_bundle=self.ca_bundle,
            requests_per_10s=self.hubspot_requests_per_10s,
            searches_per_second=self.hubspot_searches_per_second,
            daily_reserve=self.hubspot_daily_reserve,
        )


def load_settings(env_file: Path | str | None = None) -> Settings:
    """Settings from the environment, with `env_file` (e.g. a sandbox.env) beneath it."""
    from flows.secrets import with_secret_blocks

    settings = Settings(_env_file=str(env_file)) if env_file is not None else Settings()
    return with_secret_blocks(settings)
