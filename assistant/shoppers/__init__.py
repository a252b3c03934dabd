"""Shoppers: who a visitor is (signed tokens), what they did (the durable event store), what that says about
them (decayed profile vectors, learned preferences, segments, popularity) and what to do with it (the
personalized reranker, the home feed, journey nudges), with consent, export, erase and device linking.

Public interface: `Shoppers` (the service facade), `personalize_for` (a reranker for one shopper's search),
`recommendations`, `Profile`, `Popularity`, `EVENT_WEIGHTS`. Inside: `state` (the in-memory maps rebuilt from
the store), `store` (event validation and the `ShopperStore` interface), `sqlstore` (schema migrations and
the SQL shared by both backends), `sqlite_store` (embedded default) and `postgres_store` (replicas).
`accounts`: sessions, consent and device linking, in `ShopperAccounts` (the `Shoppers` facade's base class).
"""

from assistant.shoppers.personalize import Signals, Weights
from assistant.shoppers.popularity import Popularity
from assistant.shoppers.profiles import EVENT_WEIGHTS, ItemMeta, Profile
from assistant.shoppers.recommend import BROWSE_POPULARITY, personalize_for, recommendations
from assistant.shoppers.service import Shoppers, device_of, referrer_terms

__all__ = [
    "BROWSE_POPULARITY",
    "EVENT_WEIGHTS",
    "ItemMeta",
    "Popularity",
    "Profile",
    "Shoppers",
    "Signals",
    "Weights",
    "device_of",
    "personalize_for",
    "recommendations",
    "referrer_terms",
]
