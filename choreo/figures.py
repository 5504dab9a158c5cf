"""Numbers as the JSON documents carry them (analysis.json, comparison.json): rounded, and null where unknown."""
from __future__ import annotations

import math


def json_number(value: float | None, digits: int) -> float | None:
    """``value`` rounded to ``digits``; None for None, NaN and infinities (strict JSON has none of them)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)
