"""The data export a shopper gets from `GET /api/me/export`: everything stored about them, read from the store."""

from __future__ import annotations

import json
from typing import Any

from assistant.shoppers.store import ShopperStore


def export_document(
    store: ShopperStore, shopper_id: str, preferences: dict[str, Any], segment: str | None
) -> dict[str, Any]:
    """The shopper's row, events, nudges, linked devices, preferences, segment and stored conversations
    (theirs and their linked devices'). `preferences` and `segment` are derived state the caller holds."""
    row = store.shopper(shopper_id)
    aliases = store.aliases_of(shopper_id)
    events = [dict(se.event.to_dict(), kept_without_consent=not se.profiled) for se in store.events_of(shopper_id)]
    conversations = [
        {"conversation_id": c.key, "turns": c.turn, "updated": c.updated, "state": json.loads(c.state)}
        for owner in (shopper_id, *aliases)
        for c in store.conversations_of(owner)
    ]
    known = row is not None or bool(events)
    return {
        "shopper_id": shopper_id,
        "shopper": None
        if row is None
        else {
            "created": row.created,
            "account_id": row.account_id,
            "explicit_preferences": row.prefs,
            "consent": {"personalization": row.consent_personalization, "nudges": row.consent_nudges},
        },
        "events": events,
        "nudges": store.nudges_of(shopper_id) if known else [],
        "linked_devices": aliases if known else [],
        "preferences": preferences if known else {},
        "segment": segment if known else None,
        "conversations": conversations,
    }
