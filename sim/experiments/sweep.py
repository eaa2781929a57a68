"""``sim sweep``: run a parameter sweep declared in a YAML file.

The command reads and validates the sweep file (:mod:`sim.experiments.spec`), builds the
list of runs (:mod:`sim.experiments.sampling`), writes the manifest and streams one Parquet
file per run into the output directory (:mod:`sim.experiments.storage`), running the runs
locally or on a Dask cluster (:mod:`sim.experiments.executors`). :func:`run_sweep` is the
same from Python.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.text import section

DESCRIPTION = """\
Run a parameter sweep: every sample of the parameters in SWEEP.yaml × every seed,
one Parquet file per run in DIR/runs/, and DIR/manifest.json describing them all.
运行参数扫描：按 SWEEP.yaml 对参数抽样，每个样本 × 每个随机种子运行一次；
每次运行的结果写入 DIR/runs/ 下的一个 Parquet 文件，DIR/manifest.json 记录全部设置。
"""

EPILOG = """\
the sweep file / 扫描文件 (SWEEP.yaml):
  kind: sweep
  name: smoke
  base: configs/designs/baseline.yaml     # scenario, design or community file, or a preset
  set: {community: generic_old_compound}  # fixed overrides / 固定修改
  steps: 24                               # months per run / 每次运行的月数
  outcomes: [contribution_rate, condition]  # analysed by 'sim analyze' / 分析的指标
  outcome_months: 12                      # mean of the last 12 months / 最后12个月均值
  uncertainties:                          # what the world might be / 不确定因素
    behaviour.weights.face: {low: 0.0, high: 3.0}
    community.network.acquaintance: {low: 0.1, high: 0.9}
  levers:                                 # what policy chooses / 政策杠杆
    design: {values: [baseline, nanan_131]}
  sampler: {method: latin, n: 8, seed: 0}
  seeds: [0, 1]                           # replications / 重复次数（每个样本 × 每个种子）

  Parameters are dotted scenario paths (docs/parameters.md, as for --set): a range
  {low, high} is sampled (add integer: true for whole-number fields); {values: [...]} is
  categorical and crossed with every sampled point. 参数用点分路径（同 --set）：
  {low, high} 为抽样区间，{values: [...]} 为类别取值，与每个抽样点交叉组合。
  seeds is a list, or a number: seeds: 20 is 0, 1, …, 19. seeds 可写列表，或写个数
  （seeds: 20 即 0 至 19）。

samplers / 抽样方法 (sampler.method):
  full_factorial {levels: k}   k evenly spaced values per range, all combinations / 全因子
  latin {n}                    Latin hypercube of n points / 拉丁超立方
  sobol {n, second_order}      Saltelli's scheme, n a power of 2: n·(D+2) points for
                               D ranges; Sobol indices with 'sim analyze' / Sobol 指数
  morris {n, levels}           n trajectories on an even grid: n·(D+1) points; Morris
                               indices with 'sim analyze' / Morris 筛选
  Every sampler takes seed (default 0): the same file always gives the same runs.
  抽样有固定种子 seed（默认 0），同一文件总是得到相同的运行。

examples / 示例:
  sim sweep configs/sweeps/smoke.yaml
  sim sweep configs/sweeps/sobol_behaviour.yaml --out out/sobol --workers 2
  sim sweep configs/sweeps/smoke.yaml --out out/smoke --resume      # after an interruption
  sim sweep configs/sweeps/smoke.yaml --out out/smoke --resume --redo-changed
                                  # a preset was edited meanwhile: rerun the runs it changes
  dask scheduler --host 127.0.0.1 --port 8786 &  dask worker tcp://127.0.0.1:8786 &
  sim sweep configs/sweeps/smoke.yaml --scheduler tcp://127.0.0.1:8786
  sim analyze out/sweep-sobol_behaviour                             # indices and charts
  Dask workers need sim installed (e.g. the same venv) and must see DIR at the same path.
  Dask 工作进程需已安装 sim，并能以相同路径访问 DIR。

outputs in DIR / 输出文件:
  runs/part-<run_id>.parquet   one run: run_id, sample, seed, month, one column per parameter,
                               every model column / 每次运行一个文件
  manifest.json                sweep file, SALib problem, every run's parameters and seed,
                               resolved base scenario, version, git commit / 完整记录
  Read them with: import sim; df = sim.load_results("DIR")   读取：sim.load_results("DIR")
  --resume checks that what the sweep file's presets resolve to is unchanged (a fingerprint
  of every run's scenario is in manifest.json); --force deletes only the files sim sweep and
  sim analyze write, and refuses a directory holding anything else.
  --resume 会核对预设是否被修改；--force 只删除扫描自己写的文件。
  Results are identical for any --workers and with --scheduler: each run has its own seed.
  任何 --workers 或 --scheduler 设置下结果完全相同。

exit status / 退出码: 0 done; 2 invalid input or interrupted, reported on one line
  'sim: error: FIELD: message'. An invalid sweep file writes nothing; an interrupted sweep
  keeps its finished runs: continue it with --resume. 中断后用 --resume 继续。
"""

MESSAGES: dict[str, dict[str, str]] = section("sweep")
"""Messages printed by ``sim sweep``, by language."""


def default_out(name: str) -> Path:
    """Return ``out/sweep-<name>``, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "sweep"
    return Path("out") / f"sweep-{safe}"


def run_sweep(sweep_file: str | Path, out: str | Path | None = None, *,
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              force: bool = False, redo_changed: bool = False, progress: bool = True,
              log: Any = None) -> Path:
    """Run a sweep file into a directory (what ``sim sweep`` does).

    Args:
        sweep_file: The sweep YAML file.
        out: The sweep directory (default ``out/sweep-<name>``).
        workers: Local processes (default: the CPUs available).
        scheduler: Address of a Dask scheduler to run on instead.
        resume: Finish the sweep already in ``out`` (same sweep file, same resolved
            scenarios: a preset it names must not have changed since the sweep started).
        force: Delete the sweep already in ``out`` (its own files only) and start over.
        redo_changed: With ``resume``: rerun the runs whose resolved scenario changed
            instead of refusing, and record the new inputs in the manifest.
        progress: Show a progress bar (on a terminal only).
        log: Called with ``(key, fields)`` for each message (start, resume, redo); None for
            silence.

    Returns:
        The sweep directory.

    Raises:
        ConfigError: For an invalid sweep file (nothing is written), an output directory
            that may not be used, a different sweep file or changed inputs on ``resume``, a
            run the scenario refuses, an unreachable scheduler, a full disk, or Ctrl-C
            (finished runs are kept).
    """
    from sim.experiments import storage
    from sim.experiments.executors import Executor, fingerprint, fingerprint_runs, make_job
    from sim.experiments.sampling import build_plan
    from sim.experiments.spec import load_sweep

    if workers is not None and workers < 1:
        raise ConfigError("--workers", f"must be ≥ 1 (got {workers})")
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers", "cannot be combined with --scheduler: the cluster's "
                                       "workers run the sweep")
    if redo_changed and not resume:
        raise ConfigError("--redo-changed", "only with --resume: it reruns the runs of an "
                                            "interrupted sweep whose inputs changed")
    sweep = load_sweep(sweep_file)
    plan = build_plan(sweep)
    target = Path(out) if out is not None else default_out(sweep.spec.name)
    mode = storage.prepare_outdir(target, resume=resume, force=force)
    job = make_job(sweep, plan, target, fingerprint(sweep.spec.model_dump(mode="json")))
    runs = fingerprint_runs(job, plan.runs)
    manifest = storage.make_manifest(sweep, plan, groups=job.groups, runs=runs)
    changed: list[str] = []
    if mode == "resume":
        recorded = storage.read_manifest(target)
        storage.check_same_sweep(recorded, manifest)
        if redo_changed:
            changed = storage.changed_runs(recorded, manifest)
        else:
            storage.check_inputs(recorded, manifest)
        manifest = storage.redo_manifest(recorded, manifest, changed) if changed else recorded
    say = log or (lambda _key, _fields: None)
    with Executor(workers, scheduler) as executor:  # connects before anything is written
        storage.create_outdir(target, mode)
        if mode != "resume" or changed:  # the new inputs: changed parts fail part_problem
            storage.write_manifest(target, manifest)
        todo = storage.pending(target, runs, sweep.steps + 1)
        say("start", {"name": sweep.spec.name, "runs": len(plan.runs),
                      "samples": len(plan.samples), "seeds": len(sweep.spec.seeds),
                      "how": executor.describe(), "out": target})
        if mode == "resume":
            if changed:
                say("redo", {"changed": len(changed)})
            say("resume", {"done": len(plan.runs) - len(todo), "todo": len(todo)})
        try:
            done = executor.run(job, todo, progress=progress, total=len(plan.runs),
                                desc=sweep.spec.name)
        except KeyboardInterrupt:
            raise ConfigError("interrupted", f"stopped by Ctrl-C; finished runs are kept in "
                                             f"{target}: continue with 'sim sweep {sweep_file} "
                                             f"--out {target} --resume'") from None
    if done != len(todo):  # every run returns after its file is in place: should not happen
        raise ConfigError(str(target), f"{len(todo) - done} runs reported no part file; "
                                       "rerun with --resume")
    storage.mark_finished(target, manifest)
    return target


def sweep_command(args: argparse.Namespace) -> int:
    """Run ``sim sweep``."""
    text = MESSAGES[args.lang]

    def log(key: str, fields: dict[str, Any]) -> None:
        if args.quiet:
            return
        if key == "start":
            how_key, how_fields = fields["how"]
            fields = {**fields, "how": text[how_key].format(**how_fields)}
        print(text[key].format(**fields), flush=True)

    start = time.perf_counter()
    out = run_sweep(args.sweep, args.out, workers=args.workers, scheduler=args.scheduler,
                    resume=args.resume, force=args.force, redo_changed=args.redo_changed,
                    progress=not args.quiet, log=log)
    if args.quiet:
        print(out)
        return 0
    from sim.experiments.analyze import INDEX_COLUMNS
    from sim.experiments.storage import part_files, read_manifest

    print(text["wrote"].format(out=out, runs=len(part_files(out)),
                               secs=time.perf_counter() - start))
    method = read_manifest(out)["sampler"]["method"]
    print(text["next" if method in INDEX_COLUMNS else "next_data"].format(out=out,
                                                                         method=method))
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim sweep`` to the ``sim`` command."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "sweep", help="run a parameter sweep (Latin, Sobol, Morris…) / 参数扫描",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("sweep", metavar="SWEEP.yaml",
                        help="the sweep file (required; see below). 扫描配置文件")
    parser.add_argument("--out", metavar="DIR",
                        help="output directory; must be new or empty, or an earlier sweep with "
                             "--resume or --force (default: out/sweep-<name>). 输出目录")
    parser.add_argument("--workers", metavar="N", type=int,
                        help="local worker processes; 1 runs in this process (default: the "
                             "number of CPUs). 本地进程数")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask cluster: address of its scheduler, e.g. "
                             "tcp://127.0.0.1:8786 (default: run locally). Dask 调度器地址")
    parser.add_argument("--resume", action="store_true",
                        help="finish the sweep in DIR: skip runs whose file is complete, run "
                             "the rest; the sweep file and what its presets resolve to must be "
                             "unchanged (default: off). 继续未完成的扫描")
    parser.add_argument("--redo-changed", action="store_true",
                        help="with --resume: rerun the runs whose resolved scenario changed "
                             "(a preset edited since the sweep started) instead of refusing "
                             "(default: off). 输入改变时重跑受影响的运行")
    parser.add_argument("--force", action="store_true",
                        help="delete the sweep in DIR (only the files sim sweep and sim "
                             "analyze write there) and start over; a directory holding other "
                             "files or another command's output is refused (default: off). "
                             "覆盖旧的扫描结果")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of messages (default: zh). 提示语言")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar; print only the output directory "
                             "(default: off). 安静模式")
    parser.set_defaults(handler=sweep_command)
