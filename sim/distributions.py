"""Parameter values that vary between households.

A household trait such as a threshold φᵢ or public spirit is given in a
config as one of:

* a number — every household gets it;
* a list — one value per household, in household order;
* a distribution — ``{dist: normal, mean: 0.25, sd: 0.1}``, drawn from the
  model's generator, optionally clipped with ``clip: [low, high]``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from sim import kernels

_REQUIRED: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "beta": ("a", "b"),
    "lognormal": ("median", "sigma"),
}


PARAMETER_MAX = 1e6
"""Largest magnitude of a distribution parameter. Traits lie in [0, 1] or [0, 10], so a
larger mean, bound or shape is an input error (and a median of 1e308 overflows)."""
SIGMA_MAX = 10.0
"""Largest log-scale spread of a ``lognormal`` (e¹⁰ ≈ 22,000 per standard deviation)."""


class Dist(BaseModel):
    """A named distribution with its parameters.

    Attributes:
        dist: One of ``constant``, ``normal``, ``uniform``, ``beta``, ``lognormal``.
        value: Value of a ``constant``.
        mean: Mean of a ``normal``.
        sd: Standard deviation of a ``normal`` (≥ 0).
        low: Lower bound of a ``uniform``.
        high: Upper bound of a ``uniform`` (≥ low).
        a: First shape parameter of a ``beta`` (> 0).
        b: Second shape parameter of a ``beta`` (> 0).
        median: Median of a ``lognormal`` (> 0).
        sigma: Log-scale standard deviation of a ``lognormal`` (≥ 0).
        clip: Optional ``[low, high]`` applied after drawing.

    Every parameter must be a finite number of magnitude at most
    :data:`PARAMETER_MAX`: NaN and ±infinity are refused (``{low: -.inf}`` has
    no uniform distribution, and NaN would pass the bounds checks unnoticed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    dist: Literal["constant", "normal", "uniform", "beta", "lognormal"]
    value: float | None = None
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    a: float | None = None
    b: float | None = None
    median: float | None = None
    sigma: float | None = None
    clip: tuple[float, float] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number, not true/false")
        return value

    @field_validator("value", "mean", "sd", "low", "high", "a", "b", "median", "sigma")
    @classmethod
    def _not_huge(cls, value: float | None) -> float | None:
        if value is not None and abs(value) > PARAMETER_MAX:
            raise ValueError(f"must lie in [-{PARAMETER_MAX:g}, {PARAMETER_MAX:g}]")
        return value

    @model_validator(mode="after")
    def _check_parameters(self) -> Dist:
        required = _REQUIRED[self.dist]
        given = {k for k in ("value", "mean", "sd", "low", "high", "a", "b", "median", "sigma")
                 if getattr(self, k) is not None}
        missing = [k for k in required if k not in given]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(required)}; "
                             f"missing {', '.join(missing)}")
        extra = sorted(given - set(required))
        if extra:
            raise ValueError(f"a {self.dist} distribution takes only {', '.join(required)}; "
                             f"remove {', '.join(extra)}")
        if self.dist == "normal" and self.sd is not None and self.sd < 0:
            raise ValueError("sd must be ≥ 0")
        if self.dist == "uniform" and self.low is not None and self.high is not None \
                and self.high < self.low:
            raise ValueError("high must be ≥ low")
        if self.dist == "beta" and ((self.a or 0) <= 0 or (self.b or 0) <= 0):
            raise ValueError("a and b must be > 0")
        if self.dist == "lognormal" and ((self.median or 0) <= 0 or (self.sigma or 0) < 0
                                         or (self.sigma or 0) > SIGMA_MAX):
            raise ValueError(f"median must be > 0 and sigma in [0, {SIGMA_MAX:g}]")
        if self.clip is not None and self.clip[1] < self.clip[0]:
            raise ValueError("clip must be [low, high] with high ≥ low")
        return self

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` values from the model's generator."""
        match self.dist:
            case "constant":
                out = np.full(n, float(self.value))  # type: ignore[arg-type]
            case "normal":
                out = rng.normal(self.mean, self.sd, n)
            case "uniform":
                out = rng.uniform(self.low, self.high, n)
            case "beta":
                out = rng.beta(self.a, self.b, n)
            case _:
                out = self.median * kernels.exp(rng.normal(0.0, self.sigma, n))  # type: ignore[operator]
        if self.clip is not None:
            out = np.clip(out, self.clip[0], self.clip[1])
        return out


Spec = float | list[float] | Dist
"""A household trait: a number, a list (one per household) or a distribution."""


def draw(spec: Spec, n: int, rng: np.random.Generator, field: str,
         bounds: tuple[float, float] | None = None) -> np.ndarray:
    """Turn a trait spec into one value per household.

    Args:
        spec: The trait as given in the config.
        n: Number of households.
        rng: The model's generator.
        field: Dotted config path, used in error messages.
        bounds: If given, drawn values are clipped to these bounds and given
            numbers or lists must already lie within them.

    Returns:
        A float array of length ``n``.

    Raises:
        ConfigError: If a list has the wrong length or a given value lies
            outside ``bounds``.
    """
    from sim.errors import ConfigError

    if isinstance(spec, Dist):
        values = spec.sample(n, rng)
        if bounds is not None:
            values = np.clip(values, *bounds)
        return values
    if isinstance(spec, list):
        if len(spec) != n:
            raise ConfigError(field, f"a list needs one value per household: {n} values, "
                                     f"got {len(spec)}")
        values = np.asarray(spec, dtype=float)
    else:
        values = np.full(n, float(spec))
    # Written as "not inside" so that NaN, which fails every comparison, is outside too.
    if bounds is not None and not np.all((values >= bounds[0]) & (values <= bounds[1])):
        raise ConfigError(field, f"values must lie in [{bounds[0]}, {bounds[1]}]")
    return values
