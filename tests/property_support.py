"""How many examples a property test draws (imported as ``property_support``, see conftest).

Every run draws the same examples (derandomized) and reads no saved failures: a result never
depends on luck or on what an earlier run left behind in the checkout. ``make test`` (and CI) draws
each property's full count; ``make unit``, the inner loop, loads the profile :data:`QUICK` and
draws a third of it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings

__all__ = ["FULL", "QUICK", "examples"]

FULL = "plux"
QUICK = "plux-quick"
# A profile's max_examples is the share, in percent, of each property's own count that it draws.
settings.register_profile(FULL, derandomize=True, database=None, deadline=None, max_examples=100)
settings.register_profile(QUICK, settings.get_profile(FULL), max_examples=34)
settings.load_profile(FULL)  # pytest's --hypothesis-profile (make unit) loads another after this


def examples(count: int, profile: str | None = None, **options: Any) -> settings:
    """The settings of a property that draws ``count`` examples in the full run (at least 10 in
    a quick one), under the loaded profile unless ``profile`` names another."""
    share = (settings.get_profile(profile) if profile else settings.default).max_examples
    return settings(max_examples=max(10, count * share // 100), **options)
