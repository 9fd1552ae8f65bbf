"""Small helpers the scale generator's domains share: weighted picks, counts and lengths
drawn at random, and the dates of rows."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Picker(Generic[T]):
    """Picks one of some values at random with fixed weights (a bisection of the running
    totals, worked out once: ``random.choices`` adds them up again on every call)."""

    __slots__ = ("values", "totals", "total")

    def __init__(self, weighted: Mapping[T, float] | Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted.items() if isinstance(weighted, Mapping) else weighted)
        self.values = [value for value, _ in pairs]
        self.totals = list(accumulate(weight for _, weight in pairs))
        self.total = self.totals[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.values[bisect(self.totals, rng.random() * self.total)]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count with ``mean`` (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def exponential(rng: random.Random, mean: float) -> int:
    """Whole days drawn from an exponential distribution with ``mean``."""
    return int(-mean * math.log(1.0 - rng.random()))
