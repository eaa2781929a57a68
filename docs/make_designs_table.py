"""Generate the two tables of the designs on Heping Road in ``docs/mechanisms.md``.

Both tables are outcomes at the defaults with seed noise only (three seeds): what each design
does and what it costs, neither findings nor consistency checks. They used to be written by
hand and went stale when the model changed (the second one dated from before issue 12); now
they are rendered from runs, written between markers in ``docs/mechanisms.md``, and
``tests/test_patterns_designs.py::test_five_designs_run_on_heping_road_and_differ`` checks,
from the same runs, that the file holds what the current model gives.

- **Outcomes**: each of :data:`OUTCOMES`, mean over the last 12 of 120 months, mean over
  seeds.
- **Structure and cost** (totals over the community and 120 months, means over seeds):
  bodies per compound at month 0 and 120 (the firm counted; :data:`sim.selfgov.BODIES`),
  mean coordination efficiency at month 0 and 120 and its range over compounds at 120 (all
  seeds pooled), the share of compounds with a party branch at 120, residents' projects
  completed, covenant rules adopted, yuan misused and cases found, firm entries and exits,
  and government money (``gov_spending``, rewards included) in all months and outside the
  renovation campaign's months (:func:`sim.experiments.comparison.campaign_months`).

Usage, from the repository root::

    .venv/bin/python docs/make_designs_table.py          # (re)write the tables
    .venv/bin/python docs/make_designs_table.py --check  # exit 1 if they are out of date

The runs are machine-independent (docs/decisions.md §55), so the output depends only on the
code; it takes about 10–20 s.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.experiments.comparison import campaign_months
from sim.selfgov import BODIES

DOC = Path(__file__).resolve().parent / "mechanisms.md"
"""The file whose marked blocks this script writes."""

PRESETS = DOC.parents[1] / "configs" / "designs"
"""Where the design presets are (so the script runs from any directory)."""

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus", "kunming_red_courtyard",
           "pujiang_situation", "pujiang_remedies")
"""Every design preset, in the order of the README."""

OUTCOMES = ("contribution_rate", "participation_rate", "condition", "trust", "dependence",
            "firm_present_share", "self_funded_share")
"""The outcome columns of the first table."""

COMMUNITY, SEEDS, STEPS, LAST = "heping_road", (0, 1, 2), 120, 12
"""Where, with which seeds, for how long, and over how many final months outcomes are averaged."""

BLOCKS = ("designs-outcomes", "designs-structure")
"""Names of the marked blocks: ``<!-- NAME: generated … -->`` … ``<!-- /NAME -->``."""


def bodies_per_compound(model: sim.CompoundModel) -> float:
    """Mean number of bodies per compound, the firm counted."""
    sg = model.selfgov
    count = sum(sg.bodies[name].astype(int) for name in BODIES)
    return float(np.mean(count + model.compounds.firm_present.astype(int)))


def measure(design: str, seed: int) -> dict[str, Any]:
    """One run's figures for both tables."""
    scn = sim.load_config(PRESETS / f"{design}.yaml").override({"community": COMMUNITY})
    model = sim.CompoundModel(scn, rng=seed)
    start = {"bodies": bodies_per_compound(model), "efficiency": float(model.selfgov.efficiency
                                                                       .mean())}
    model.run(STEPS)
    frame = model.datacollector.get_model_vars_dataframe()
    if len(frame) != STEPS + 1:
        raise RuntimeError(f"{design}: {len(frame)} rows, expected {STEPS + 1}")
    sg = model.selfgov
    spending = frame["gov_spending"].iloc[1:]
    campaigns = list(campaign_months(scn, STEPS))
    return {
        "outcomes": frame[list(OUTCOMES)].iloc[-LAST:].mean(),
        "bodies_0": start["bodies"], "bodies_120": bodies_per_compound(model),
        "eff_0": start["efficiency"], "eff_120": float(sg.efficiency.mean()),
        "eff_values": sg.efficiency.copy(),
        "branch": float(sg.bodies["branch"].mean()),
        "projects": int(sg.projects_done.sum()), "rules": int(sg.rules.sum()),
        "misused": float(sg.misused_total.sum()), "found": int(sg.misuse_detected.sum()),
        "entries": int(model.firm_entries), "exits": int(model.firm_exits),
        "gov": float(spending.sum()), "gov_outside": float(spending.drop(campaigns).sum()),
    }


def measure_all() -> dict[str, list[dict[str, Any]]]:
    """Every design's runs (seeds :data:`SEEDS`)."""
    return {design: [measure(design, seed) for seed in SEEDS] for design in DESIGNS}


def outcome_table(runs: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Designs × outcomes: the last months' means, mean over seeds."""
    return pd.DataFrame({design: pd.concat([r["outcomes"] for r in rs], axis=1).mean(axis=1)
                         for design, rs in runs.items()}).T


def _mean(rs: Sequence[dict[str, Any]], key: str) -> float:
    return float(np.mean([float(r[key]) for r in rs]))


def render_outcomes(table: pd.DataFrame) -> str:
    """The outcomes table as markdown, three decimals."""
    lines = ["| design | " + " | ".join(OUTCOMES) + " |",
             "|---|" + "---|" * len(OUTCOMES)]
    for design, row in table.iterrows():
        lines.append(f"| {design} | " + " | ".join(f"{row[c]:.3f}" for c in OUTCOMES) + " |")
    return "\n".join(lines)


def render_structure(runs: dict[str, list[dict[str, Any]]]) -> str:
    """The structure-and-cost table as markdown."""
    lines = ["| design | bodies per compound, month 0 → 120 (firm counted) | coordination "
             "efficiency e, month 0 → 120 (range at 120) | compounds with a branch | residents'"
             " projects completed | covenant rules | yuan misused (cases found) | firm entries "
             "/ exits | government money, million yuan (outside campaign months) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for design, rs in runs.items():
        eff = np.concatenate([r["eff_values"] for r in rs])
        lines.append(
            f"| {design} | {_mean(rs, 'bodies_0'):.2f} → {_mean(rs, 'bodies_120'):.2f} | "
            f"{_mean(rs, 'eff_0'):.2f} → {_mean(rs, 'eff_120'):.2f} "
            f"({eff.min():.2f}–{eff.max():.2f}) | {100 * _mean(rs, 'branch'):.0f} % | "
            f"{_mean(rs, 'projects'):.0f} | {_mean(rs, 'rules'):.0f} | "
            f"{_mean(rs, 'misused'):,.0f} ({_mean(rs, 'found'):.0f}) | "
            f"{_mean(rs, 'entries'):.0f} / {_mean(rs, 'exits'):.0f} | "
            f"{_mean(rs, 'gov') / 1e6:.1f} ({_mean(rs, 'gov_outside') / 1e6:.1f}) |")
    return "\n".join(lines)


def render(runs: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The text of each marked block."""
    return {"designs-outcomes": render_outcomes(outcome_table(runs)),
            "designs-structure": render_structure(runs)}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}: [^\n]*-->\n)(.*?)(\n<!-- /{name} -->)", re.S)


def blocks(text: str) -> dict[str, str]:
    """The current text of each marked block of ``text``.

    Raises:
        ValueError: If a block's markers are missing.
    """
    out = {}
    for name in BLOCKS:
        match = _pattern(name).search(text)
        if match is None:
            raise ValueError(f"{DOC.name}: no block <!-- {name}: … --> … <!-- /{name} -->")
        out[name] = match.group(2)
    return out


def replace(text: str, rendered: dict[str, str]) -> str:
    """``text`` with every marked block's contents replaced by ``rendered``."""
    for name, body in rendered.items():
        text = _pattern(name).sub(lambda m, body=body: m.group(1) + body + m.group(3), text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Write the tables, or with ``--check`` exit 1 when the file differs from the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/mechanisms.md does not hold the current tables")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    try:
        current = blocks(text)
    except ValueError as exc:
        print(f"make_designs_table: error: {exc}", file=sys.stderr)
        return 2
    rendered = render(measure_all())
    if args.check:
        stale = [name for name in BLOCKS if current[name] != rendered[name]]
        if stale:
            print(f"{DOC.name}: out of date: {', '.join(stale)} (run docs/make_designs_table.py)",
                  file=sys.stderr)
            return 1
        return 0
    DOC.write_text(replace(text, rendered), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
