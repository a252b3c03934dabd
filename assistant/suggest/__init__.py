"""Suggest: predictive autocomplete for the search box: phrases mined from the catalog (built with each index
version) and from the shop's search log, matched by prefix with typo tolerance, ranked, highlighted, plus
product hits for the typed text.

Public interface: `Autocomplete` (per index version), `load_autocomplete`, `Suggester`, `Suggestion`.
"""

from assistant.suggest.service import Autocomplete, load_autocomplete
from assistant.suggest.suggester import Suggester, Suggestion

__all__ = ["Autocomplete", "Suggester", "Suggestion", "load_autocomplete"]
