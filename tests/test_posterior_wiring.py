"""``--posterior DIR`` for ``sim compare``, ``sim explain`` and ``sim discover`` (issue 13, item 4).

A fake calibration directory is written in the format ``sim calibrate`` writes
(:mod:`sim.calibration`: ``posterior.parquet`` with generation, particle, weight, distance
and one column per parameter; ``manifest.json`` with ``command``, ``finished`` and
``spec.params``). Its last generation's particles all have
``behaviour.base.volunteer = -1.25`` (inside the prior [-1.65, -1.05], off its default
-1.35), an earlier generation other values; so by construction every run drawn from it has
-1.25 there, and the parameters it did not calibrate keep their prior draws (they vary).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments.storage import part_files
from sim.posterior import parameter_sets, provenance
from sim.priors import Uncertainty, sample
from tests.test_output_dirs import one_line

VOLUNTEER = "behaviour.base.volunteer"
FACE = "behaviour.weights.face"
VALUE = -1.25
COMMUNITY = "generic_old_compound"
PRIORS = {
    VOLUNTEER: Uncertainty(VOLUNTEER, -1.65, -1.05, -1.35, False, "assumption"),
    FACE: Uncertainty(FACE, 0.75, 2.25, 1.5, False, "assumption"),
}
OTHER = Uncertainty("behaviour.weights.money", 0.5, 1.5, 1.0, False, "assumption")


def write_posterior(out: Path, *, volunteer: float = VALUE, targets: str = "seeds.yaml",
                    finished: bool = True, face: bool = False) -> Path:
    """A finished calibration of ``volunteer`` (and ``face``, optional) in ``out``."""
    out.mkdir(parents=True)
    params = [PRIORS[VOLUNTEER], *([PRIORS[FACE]] if face else [])]
    rows = []
    for gen, value in ((0, -1.6), (1, volunteer)):
        for particle in range(6):
            row = {"generation": gen, "particle": particle, "weight": 1 / 6,
                   "distance": 1.0 / (gen + 1), VOLUNTEER: value}
            if face:
                row[FACE] = 0.8 + 0.2 * particle
            rows.append(row)
    pd.DataFrame(rows).to_parquet(out / "posterior.parquet")
    manifest = {
        "command": "calibrate", "command_line": f"sim calibrate {targets}", "seed": 0,
        "spec": {"targets": targets, "targets_sha256": "0" * 64,
                 "fitted": ["lights/baseline@generic_old_compound"], "held_out": [],
                 "params": [u.as_dict() for u in params], "steps": {},
                 "seeds_per_particle": 1, "seed": 0},
        "settings": {}, "distance": {}, "generations": 2,
        "finished": "2026-12-01T00:00:00+00:00" if finished else None,
    }
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_posterior(tmp_path_factory.mktemp("post") / "cal")


def runs_of(out: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in part_files(out)], ignore_index=True)


# --------------------------------------------------------------------------- the rule


def test_parameter_sets_overwrite_only_the_calibrated_paths(tmp_path):
    post = write_posterior(tmp_path / "cal", face=True)
    params = [PRIORS[VOLUNTEER], OTHER]  # face calibrated but not uncertain here
    sets = parameter_sets(params, 8, seed=3, method="sobol", posterior=post)
    prior = sample(params, 8, seed=3)
    assert [s[VOLUNTEER] for s in sets] == [VALUE] * 8
    assert [s[OTHER.path] for s in sets] == [p[OTHER.path] for p in prior]  # prior draws kept
    assert all(FACE not in s for s in sets)  # not added
    record = provenance(post, [u.path for u in params])
    assert record["parameters"] == [VOLUNTEER] and record["unused"] == [FACE]
    assert record["targets"] == "seeds.yaml" and len(record["posterior_sha256"]) == 64
    assert parameter_sets(params, 8, seed=3, posterior=None) == prior  # unchanged without


def test_calibrated_parameters_keep_their_joint_draws(tmp_path):
    post = write_posterior(tmp_path / "cal", face=True)
    sets = parameter_sets([PRIORS[VOLUNTEER], PRIORS[FACE]], 40, seed=1, posterior=post)
    faces = {round(s[FACE], 9) for s in sets}
    assert faces <= {round(0.8 + 0.2 * p, 9) for p in range(6)} and len(faces) > 1


def test_a_directory_without_a_calibration_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    for where, needle in ((tmp_path / "empty", "no calibration"),
                          (tmp_path / "missing", "no such directory"),
                          (write_posterior(tmp_path / "half", finished=False), "not finished")):
        with pytest.raises(ConfigError) as err:
            parameter_sets([PRIORS[VOLUNTEER]], 2, seed=0, posterior=where)
        assert err.value.field == "--posterior" and needle in err.value.message
    with pytest.raises(ConfigError) as err:
        parameter_sets([OTHER], 2, seed=0, posterior=write_posterior(tmp_path / "c"))
    assert err.value.field == "--posterior" and "none of which" in err.value.message


# --------------------------------------------------------------------------- compare


def compare_args(out: Path, post: Path, *extra: str) -> list[str]:
    return ["compare", "baseline", "nanan_131", "--community", COMMUNITY, "--steps", "6",
            "--seeds", "1", "--uncertainty", "3", "--posterior", str(post), "--lang", "en",
            "--quiet", "--workers", "1", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def compared(posterior: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    assert main(compare_args(out, posterior)) == 0
    return out


def test_every_compare_run_has_the_posterior_value(compared, posterior):
    runs = runs_of(compared)
    assert len(runs) > 0 and runs[VOLUNTEER].unique().tolist() == [VALUE]
    assert runs[FACE].nunique() > 1  # not calibrated: still drawn from its prior
    manifest = json.loads((compared / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["spec"]["uncertainty"]["posterior"]
    assert recorded == provenance(posterior, [recorded["parameters"][0]])
    report = (compared / "report.html").read_text(encoding="utf-8")
    assert "drawn from the calibrated posterior" in report and "seeds.yaml" in report


def test_resume_with_another_posterior_is_refused(compared, tmp_path, capsys):
    import shutil

    out = tmp_path / "cmp"
    shutil.copytree(compared, out)
    other = write_posterior(tmp_path / "other", volunteer=-1.5)
    assert main(compare_args(out, other, "--resume")) == 2
    one_line(capsys.readouterr().err, "--resume")
    # the same directory, recalibrated in place: refused too (its hash changed)
    own = write_posterior(tmp_path / "own")
    assert main(compare_args(tmp_path / "cmp2", own)) == 0
    shutil.rmtree(own)
    write_posterior(own, volunteer=-1.3)
    assert main(compare_args(tmp_path / "cmp2", own, "--resume")) == 2
    line = one_line(capsys.readouterr().err, "--resume")
    assert "posterior" in line, line


def test_posterior_without_uncertainty_is_a_one_line_error(posterior, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "nanan_131", "--community", COMMUNITY, "--steps", "6",
                 "--posterior", str(posterior), "--quiet", "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--posterior", "--uncertainty")
    assert not out.exists()


def test_a_directory_without_a_calibration_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "notcal").mkdir()
    (tmp_path / "notcal" / "manifest.json").write_text('{"command": "compare"}')
    out = tmp_path / "cmp"
    assert main(compare_args(out, tmp_path / "notcal")) == 2
    one_line(capsys.readouterr().err, "--posterior", "no calibration")
    assert not out.exists()
    assert main(["explain", "nanan_131", "--vs", "baseline", "--community", COMMUNITY,
                 "--steps", "6", "--uncertainty", "2", "--seeds", "1", "--posterior",
                 str(tmp_path / "notcal"), "--quiet", "--out", str(tmp_path / "ex")]) == 2
    one_line(capsys.readouterr().err, "--posterior", "no calibration")
    assert not (tmp_path / "ex").exists()


# --------------------------------------------------------------------------- explain


def test_every_explain_run_has_the_posterior_value(posterior, tmp_path, capsys):
    from tests.test_explain import TOY

    toy = tmp_path / "toy_one_shoulder.yaml"
    toy.write_text(TOY, encoding="utf-8")
    out = tmp_path / "ex"
    args = ["explain", str(toy), "--vs", "baseline", "--community", COMMUNITY, "--steps", "6",
            "--uncertainty", "3", "--seeds", "1", "--no-mechanisms", "--posterior",
            str(posterior), "--lang", "en", "--quiet", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    runs = runs_of(out)
    assert len(runs) > 0 and runs[VOLUNTEER].unique().tolist() == [VALUE]
    assert runs[FACE].nunique() > 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["spec"]["posterior"]["dir"] == str(posterior.resolve())
    page = (out / "explain.html").read_text(encoding="utf-8")
    assert "drawn from the calibrated posterior" in page and "seeds.yaml" in page
    capsys.readouterr()
    other = write_posterior(tmp_path / "other", volunteer=-1.5)
    resumed = [*args[:args.index("--posterior") + 1], str(other),
               *args[args.index("--posterior") + 2:], "--resume"]
    assert main(resumed) == 2
    one_line(capsys.readouterr().err, "--resume")


def test_discover_refuses_posterior_with_from(posterior, compared, tmp_path, capsys):
    assert main(["discover", "nanan_131", "--vs", "baseline", "--from", str(compared),
                 "--posterior", str(posterior), "--quiet",
                 "--out", str(tmp_path / "d")]) == 2
    one_line(capsys.readouterr().err, "--posterior", "--from")


def test_discover_draws_its_comparison_from_the_posterior(posterior, tmp_path, capsys):
    from sim.experiments.discover import COMPARISON_DIR
    from tests.test_discovery import _median_threshold

    first = tmp_path / "d"
    tiny = ["--community", COMMUNITY, "--uncertainty", "8", "--seeds", "1", "--steps", "6",
            "--workers", "1", "--lang", "en", "--quiet"]
    main(["discover", "nanan_131", "--vs", "baseline", *tiny, "--posterior", str(posterior),
          "--outcome", "petitions", "--out", str(first)])  # may find nothing: kept anyway
    cmp_dir = first / COMPARISON_DIR
    runs = runs_of(cmp_dir)
    assert runs["run_id"].nunique() == 16 and runs[VOLUNTEER].unique().tolist() == [VALUE]
    capsys.readouterr()
    out = tmp_path / "found"
    assert main(["discover", "nanan_131", "--vs", "baseline", "--from", str(cmp_dir),
                 "--threshold", f"{_median_threshold(first)!r}", "--lang", "en", "--quiet",
                 "--out", str(out)]) == 0
    record = json.loads((out / "discover.json").read_text(encoding="utf-8"))
    assert record["posterior"]["parameters"] == [VOLUNTEER]
    page = (out / "discover.html").read_text(encoding="utf-8")
    assert "drawn from the calibrated posterior" in page and "seeds.yaml" in page


def test_force_never_replaces_a_calibration(tmp_path, capsys):
    cal = write_posterior(tmp_path / "cal")
    before = sorted(p.name for p in cal.iterdir())
    assert main(["compare", "baseline", "nanan_131", "--community", COMMUNITY, "--steps", "6",
                 "--seeds", "1", "--quiet", "--force", "--out", str(cal)]) == 2
    one_line(capsys.readouterr().err, "--out", "'sim calibrate'")
    assert sorted(p.name for p in cal.iterdir()) == before
