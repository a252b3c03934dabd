"""The shop's complete-the-look configuration and its co-purchase cache, held once per app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.errors import Unavailable
from assistant.looks.copurchase import CoPurchase
from assistant.looks.outfits import OutfitIndex, default_rules
from assistant.looks.rules import PALETTE_FILE, RULES_FILE, OutfitRules, RulesError
from assistant.settings import Settings


class Looks:
    """Rules read once (settings.outfit_rules / outfit_palette); co-purchase lift reused for a TTL."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._rules: OutfitRules | None = None
        self._copurchase: tuple[float, OutfitIndex, CoPurchase] | None = None

    def rules(self) -> OutfitRules:
        """The shop's rules; a broken rules file makes complete-the-look unavailable (503), not the app."""
        with self._lock:
            if self._rules is None:
                s = self.settings
                try:
                    bundled = (
                        Path(s.outfit_rules).resolve() == RULES_FILE.resolve()
                        and Path(s.outfit_palette).resolve() == PALETTE_FILE.resolve()
                    )
                    # the bundled files: share the rules (and so the per-index features) with every app
                    self._rules = default_rules() if bundled else OutfitRules.load(s.outfit_rules, s.outfit_palette)
                except RulesError as e:
                    raise Unavailable(f"complete the look is not configured: {e}; fix the file and restart") from None
            return self._rules

    def copurchase(self, oi: OutfitIndex, pairs: Callable[[], Iterable[tuple[str, str, int]]]) -> CoPurchase:
        """Co-purchase lift from the event log's pairs, rebuilt at most every outfit_copurchase_ttl_s."""
        now = time.monotonic()
        with self._lock:
            cached = self._copurchase
            if cached and cached[1] is oi and now - cached[0] < self.settings.outfit_copurchase_ttl_s:
                return cached[2]
        cp = CoPurchase.from_pairs(pairs(), oi.key_of_id)
        with self._lock:
            self._copurchase = (now, oi, cp)
        return cp
