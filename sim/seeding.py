"""One helper turns any seed into a generator, and records the seed used.

The model owns exactly one :class:`numpy.random.Generator`; every random
draw (network, traits, decisions, matters) comes from it. The seed actually
used is always an integer that can be written to ``run.json``, even when the
caller passed nothing (a seed is drawn from the operating system) or passed a
generator (a seed is drawn from it).
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.integer | np.random.Generator | np.random.SeedSequence | None

MAX_SEED = 2**32
"""Drawn seeds lie below this bound, so they are short enough to retype with --seed."""


def resolve_seed(seed: SeedLike) -> int:
    """Return the integer seed to use for ``seed``.

    Args:
        seed: ``None`` (draw a fresh seed), a non-negative integer, a
            ``SeedSequence`` or a ``Generator`` (one integer is drawn from it,
            so the caller's generator advances).

    Returns:
        A non-negative integer (a drawn one is below 2**32).

    Raises:
        ValueError: If ``seed`` is a negative integer or of another type.
    """
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] % MAX_SEED)
    if isinstance(seed, bool):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(seed, int | np.integer):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return int(seed)
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(1, np.uint64)[0] % MAX_SEED)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, MAX_SEED))
    raise ValueError(f"seed must be an integer, a Generator or None, got {type(seed).__name__}")


def make_rng(seed: SeedLike) -> tuple[np.random.Generator, int]:
    """Return ``(generator, seed_used)`` for any seed-like value."""
    used = resolve_seed(seed)
    return np.random.default_rng(used), used
