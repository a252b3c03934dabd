"""The store a deployment runs on, chosen from the settings: the SQLite file (default) or PostgreSQL."""

from __future__ import annotations

from assistant.settings import Settings
from assistant.shoppers.postgres_store import PostgresStore
from assistant.shoppers.sqlite_store import SqliteStore
from assistant.shoppers.store import ShopperStore


def open_store(settings: Settings) -> ShopperStore:
    """The store the settings name: PostgreSQL for a postgresql:// database_url, else the SQLite file."""
    url = settings.database_url
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("SHOPMATE_DATABASE_URL must be a postgresql:// URL (or empty for the SQLite file)")
        return PostgresStore(url)
    return SqliteStore(settings.data_dir / "shoppers.sqlite3", synchronous=settings.sqlite_synchronous)
