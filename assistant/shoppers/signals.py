"""What the reranker reads and gives back, as plain data: its weights (defaults, then those fitted on a validation
split), the signals of one request (everything personal, or anonymous but contextual) and the per-candidate
terms it adds up (which the reasons are read from)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.shoppers.profiles import Profile
from assistant.shoppers.rebuy import MIN_RATE, AnchorLookup, RowValues


@dataclass(frozen=True)
class Weights:
    profile: float = 0.6  # w at specificity 0 (vague queries, browsing)
    min_profile: float = 0.1  # w at specificity 1 (as a fraction of `profile`)
    taste: float = 0.15  # per matched colour/brand/price-band preference, times w
    segment: float = 0.3  # segment prior, times w·(1 - confidence)
    popularity: float = 0.12  # popularity for searches (browse and recommendations use more)
    feed_popularity: float = 1.0  # the home feed's (recent) popularity, against which the feed's weights are fitted
    context: float = 0.3  # referrer search terms for shoppers with little history
    repeat: float = 0.5  # the shopper's own past purchases of a product the shop re-buys, times w/profile
    rebuy: float = 0.0  # own shown items x how many of the shop's customers buy them (orders one-off purchases)
    repeat_half_life_days: float = 365.0  # recency decay of the repeat count (<= 0: a plain count)
    together: float = 0.3  # co-purchase with what the shopper bought or has in the cart, times w/profile
    bestseller: float = 0.0  # all-time share of the shop's customers who bought it (0: a shop without purchases)
    neighbours: float = 0.0  # what the customers who buy most like the shopper buy (user-kNN), times w/profile
    basket_share: float = 0.0  # share of the shopper's orders holding the item (linear), times w/profile
    # a one-off purchase is hidden when the shop's learned repeat rate is under this (fitted: in a shop whose
    # rates are learned from a short history, hiding costs the re-buys the rates have not yet seen)
    hide_below_rate: float = MIN_RATE
    # the same two signals in a search, where they reorder the query's candidates instead of a whole feed
    search_profile: float | None = None  # None: `profile`
    search_repeat: float = 0.5
    search_rebuy: float = 0.0
    search_together: float = 0.3
    search_bestseller: float = 0.0  # for a shopper with purchases
    search_bestseller_anonymous: float = 0.0  # for everyone else: a shop's custom ranking by what its customers buy
    search_neighbours: float = 0.0
    search_basket_share: float = 0.0
    min_reason: float = 0.02


@dataclass
class Signals:
    """Everything personal (or anonymous-but-contextual) the reranker may use for one request."""

    profile: Profile | None = None  # None: anonymous or no consent
    prefs: dict = field(default_factory=dict)  # explicit + learned preferences
    segment_name: str | None = None
    segment_vec: np.ndarray | None = None
    popularity: np.ndarray | None = None  # per catalog row, 0..1
    popularity_label: str = "popular right now"
    context_vec: np.ndarray | None = None  # embedding of the referrer's search terms
    context_terms: str = ""
    drop_rows: frozenset[int] = frozenset()  # dismissed / bought and not re-bought in this shop
    dismissed: frozenset[int] = frozenset()  # what the shopper dismissed (hidden even from their searches)
    now: float = 0.0
    repeat: np.ndarray | RowValues | None = None  # per catalog row, 0..1: own purchases x the shop's repeat rate
    bought: dict[int, int] = field(default_factory=dict)  # row -> times the shopper bought it
    together: np.ndarray | RowValues | None = None  # per catalog row, 0..1: co-purchase with the shopper's items
    together_anchor: AnchorLookup | None = None  # per catalog row: the anchor row behind it (-1: none)
    anchor_titles: dict[int, str] = field(default_factory=dict)
    segment_pop: np.ndarray | None = None  # per catalog row, 0..1: what the shopper's segment buys
    rebuy: np.ndarray | RowValues | None = None  # per catalog row, 0..1: own shown items x the shop's buyers of them
    # per catalog row, 0..1: distinct customers who ever bought it / the most; a season-independent popularity
    bestseller: np.ndarray | None = None
    buyers: np.ndarray | None = None  # per catalog row: those distinct customers (for the reason)
    neighbours: np.ndarray | RowValues | None = None  # per catalog row, 0..1: what the shopper's nearest customers buy
    neighbour_buyers: np.ndarray | RowValues | None = None  # per catalog row: how many of those neighbours bought it
    share: np.ndarray | RowValues | None = None  # per catalog row, 0..1: share of the shopper's orders holding it
    n_orders: int = 0  # the shopper's orders (for the share's reason)
    one_off: frozenset[int] = frozenset()  # shown own rows the shop seldom re-buys (their reason says so)


@dataclass
class Contributions:
    """Per-candidate terms, kept for tests, the eval and the reasons."""

    relevance: np.ndarray
    affinity: np.ndarray
    taste: np.ndarray
    segment: np.ndarray
    popularity: np.ndarray
    context: np.ndarray
    repeat: np.ndarray
    together: np.ndarray
    bestseller: np.ndarray
    neighbours: np.ndarray
    share: np.ndarray
