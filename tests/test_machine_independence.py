"""A run's data do not depend on the machine: the same seed gives the same bits on any CPU.

Numerical libraries choose code per processor at run time — OpenBLAS a kernel (Prescott,
Haswell, SkylakeX, …), numpy a SIMD level — and kernels may add in another order or
approximate otherwise, so a result can differ in its last bits from one machine to the next,
and, through a tie or a threshold, a whole run can. Before docs/decisions.md §55 two such
paths were in the model: the readiness and assessment scores were ``weights @ rows`` (a BLAS
call: lesson 5's ten-year government spending under competition was 7.69 million yuan with
OpenBLAS's Haswell kernel, 7.76 with its SkylakeX one, so a lesson checked on one machine
failed on another), and ``np.exp`` took numpy's AVX-512 code where the processor has it (55 of
the 70 cases of ``benchmarks/fingerprint.py`` differed with it switched off).

These tests run the same runs in fresh interpreters whose libraries are told to use other
code (``OPENBLAS_CORETYPE``, ``NPY_DISABLE_CPU_FEATURES``) and require identical hashes. They
stand in for other machines: the code paths differ as they would there.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUNS = """
import hashlib, sys
import pandas as pd
import sim
from sim.patterns import ALLOCATION_INSTITUTIONS

def digest(model):
    frames = (model.datacollector.get_model_vars_dataframe(), model.compound_dataframe())
    return hashlib.sha256(b"".join(pd.util.hash_pandas_object(f).to_numpy().tobytes()
                                   for f in frames)).hexdigest()[:16]

designs = {
    "competition": {"community": "heping_road", "design": {
        "name": "competition_False",
        "institutions": {**ALLOCATION_INSTITUTIONS,
                         "renovation_campaign": {"allocation": "competition",
                                                 "incentive": 0.4}}}},
    "competition + assessment": {"community": "heping_road", "design": {
        "name": "competition_True",
        "institutions": {**ALLOCATION_INSTITUTIONS, "dynamic_assessment": {},
                         "renovation_campaign": {"allocation": "competition",
                                                 "incentive": 0.4}}}},
    "baseline": "baseline",
    "huli_six_party": "huli_six_party",
}
for name, config in designs.items():
    scn = sim.load_config(config)
    if isinstance(config, str):
        scn = scn.override({"community": "heping_road"})
    model = sim.CompoundModel(scn, rng=1)
    model.run(120)
    print(name, digest(model))
"""
"""Seed 1 of lesson 5's competition, whose 120 months differed between OpenBLAS's Haswell and
Prescott kernels before §55 (checked: this test failed on the code before it); the same with
the dynamic assessment, which scores compounds by the other weighted sum; and two designs as
shipped, whose exponentials (lognormal draws, elections, skills) took numpy's AVX-512 path."""


def _flags() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def _variants() -> dict[str, dict[str, str]]:
    """Environments that make the libraries take other code paths on this machine."""
    variants = {"default": {}, "OpenBLAS Prescott kernel": {"OPENBLAS_CORETYPE": "Prescott"},
                "numpy without AVX-512": {
                    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
                "numpy without SIMD beyond its baseline": {
                    "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"}}
    flags = _flags()
    if " avx2" in flags:
        variants["OpenBLAS Haswell kernel"] = {"OPENBLAS_CORETYPE": "Haswell"}
    if " avx512f" in flags:
        variants["OpenBLAS SkylakeX kernel"] = {"OPENBLAS_CORETYPE": "SkylakeX"}
    return variants


def _run(extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}
    env.update(extra)
    done = subprocess.run([sys.executable, "-c", RUNS], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                    reason="the kernels named here are x86-64's")
def test_runs_give_the_same_bits_whichever_kernels_the_libraries_pick() -> None:
    """Element-wise arithmetic rounds the same on every machine; a BLAS kernel need not."""
    outputs = {name: _run(env) for name, env in _variants().items()}
    reference = outputs["default"]
    differ = {name: out for name, out in outputs.items() if out != reference}
    assert not differ, (f"the same runs gave other data with other library code paths: "
                        f"default {reference!r}; {differ!r}")
