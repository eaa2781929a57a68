# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 第 6 课（研究者）　参数扫描与敏感性分析
# # Lesson 6 (for researchers): A parameter sweep and its sensitivity analysis
#
# 约 30 分钟。模型的结论有多依赖那些"假设值"？本课在 Python 中定义一个小的参数扫描，读取结果，并用 SALib 计算 Sobol 敏感性指数及其置信区间。
#
# *About 30 minutes. How much do the model's conclusions depend on its assumed values? We declare a small sweep in Python, read its results, and compute Sobol sensitivity indices with their confidence intervals with SALib.*

# %% [markdown]
# > 运行方法：从上到下依次运行每个单元格（Shift+Enter），或选择菜单"运行 → 运行全部单元格"。每次运行都固定了随机种子，结果可以重现。
# >
# > *How to run: run the cells top to bottom (Shift+Enter), or Run → Run All Cells. Every run has a fixed random seed, so the results can be reproduced.*

# %% [markdown]
# ## 1. 问题 · Question
#
# 决策规则中的很多参数（噪声、面子权重、公共精神……）没有直接的实证数据，只是假设。**在一个普通老旧小区里，缴费率和环境状况的差异主要来自哪个参数？哪些参数的假设值值得优先去测量？**
#
# *Many parameters of the decision rule (noise, the weight of face, public spirit…) have no direct empirical estimate: they are assumptions. **In a generic old compound, which parameter drives most of the variation in the contribution rate and the condition? Which assumptions most deserve to be measured first?***

# %% [markdown]
# ## 2. 模型怎么表示 · How the model represents it
#
# > 「内生压力机制不同于刚性的外部监控机制和外部惩罚机制」\
# > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）
#
# *Seed 000: the internal pressure mechanism (face, reputation) "differs from rigid external monitoring and punishment". How strong it is, is exactly what no seed text can tell us: `behaviour.weights.face` is an assumption (`docs/parameters.md`).*
#
# 每户的效用 = 面子项 × `behaviour.weights.face` + 公共精神 × `behaviour.weights.public_spirit` + 信任、成本、依赖等其他项；选择是 logit 的，温度为 `behaviour.noise`。
#
# *A household's utility is the face term times `behaviour.weights.face`, plus public spirit times `behaviour.weights.public_spirit`, plus trust, cost, dependence and the rest; the choice is logit with temperature `behaviour.noise`.*
#
# 扫描（sweep）的写法与 `configs/sweeps/*.yaml` 相同：参数按角色声明（`uncertainties` 不确定因素、`levers` 政策杠杆），选择抽样方法（`sobol`：Saltelli 方案，n·(D+2) 个样本），每个样本 × 每个种子运行一次，结果逐次写入 Parquet 文件。
#
# *A sweep is written as in `configs/sweeps/*.yaml`: parameters by role (`uncertainties`, `levers`), a sampler (`sobol`: Saltelli's scheme, n·(D+2) samples), one run per sample and seed, each written to a Parquet file as it finishes.*

# %% [markdown]
# ## 3. 运行 · Run

# %%
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from SALib.analyze import sobol

import sim
from sim.experiments.analyze import analyze, bootstrap_seed
from sim.experiments.sweep import run_sweep
from sim.fonts import use_cjk_font
from sim.metrics import label
from sim.quotes import check_quotes

use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
plt.rcParams["figure.dpi"] = 100

# %%
SWEEP = {
    "kind": "sweep",
    "name": "lesson6",
    "description": "Sobol indices of three behavioural parameters (teaching size).",
    "base": "baseline",
    "set": {"community": "generic_old_compound"},  # 200 户 · 200 households
    "steps": 48,
    "outcomes": ["contribution_rate", "condition"],
    "outcome_months": 12,  # 每次运行取最后 12 个月的平均 · mean of the last 12
    "uncertainties": {
        "behaviour.noise": {"low": 0.1, "high": 1.5},
        "behaviour.weights.face": {"low": 0.0, "high": 3.0},
        "behaviour.weights.public_spirit": {"low": 0.0, "high": 2.0},
    },
    "sampler": {"method": "sobol", "n": 64, "seed": 1},  # 64 × (3 + 2) = 320 个样本
    "seeds": [0],
}
PARAMS = list(SWEEP["uncertainties"])
OUTCOMES = SWEEP["outcomes"]
tmp = tempfile.TemporaryDirectory(prefix="lesson6-")  # 临时目录 · a temporary folder
sweep_file = Path(tmp.name) / "lesson6.yaml"
sweep_file.write_text(yaml.safe_dump(SWEEP, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
out = run_sweep(sweep_file, Path(tmp.name) / "sweep", workers=2, progress=False)
print(sorted(p.name for p in out.iterdir()))
print(len(list((out / "runs").iterdir())), "个运行文件 run files")

# %% [markdown]
# `sim.load_results` 把全部运行读成一张"整洁"的表：每次运行每个月一行，参数各占一列。
#
# *`sim.load_results` reads every run into one tidy frame: one row per run and month, one column per parameter.*

# %%
df = sim.load_results(out)
print(df.shape)
df[["run_id", "sample", "seed", "month", *PARAMS, *OUTCOMES]].head()

# %%
# 每次运行：最后 12 个月的平均；再对种子取平均，得到每个样本一个数
# Each run: the mean of its last 12 months; then the mean over seeds, one per sample
cutoff = SWEEP["steps"] - SWEEP["outcome_months"]
per_run = (df[df["month"] > cutoff]
           .groupby(["sample", "seed"])[[*PARAMS, *OUTCOMES]].mean())
per_sample = per_run.groupby(level="sample").mean()  # 按样本顺序 · in sample order
per_sample.describe().round(3)

# %% [markdown]
# **Sobol 指数 · Sobol indices.** 一阶指数 S1：只改变这一个参数能解释的方差比例；总效应指数 ST：这个参数（包括它与其他参数的交互）涉及的方差比例。SALib 需要 `problem`（参数名和区间，记录在 `manifest.json` 中）和按 Saltelli 顺序排列的输出；区间用自助法（bootstrap，1,000 次）估计。
#
# *First-order S1: the share of the variance explained by varying this parameter alone; total ST: the share it takes part in, interactions included. SALib needs the `problem` (names and bounds, recorded in `manifest.json`) and the outputs in Saltelli's order; intervals come from a bootstrap (1,000 resamples).*

# %%
# 自助法的随机种子由抽样种子导出（SALib 把 seed=0 当作"不设种子"，bootstrap_seed 从不给 0），
# 与 sim analyze 相同 · The bootstrap's seed is derived from the sampler's (SALib treats seed=0
# as "no seed"; bootstrap_seed never gives 0), as sim analyze derives it
manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
problem = manifest["problem"]
rows = []
for outcome in OUTCOMES:
    result = sobol.analyze(problem, per_sample[outcome].to_numpy(),
                           calc_second_order=False, num_resamples=1000,
                           conf_level=0.95, seed=bootstrap_seed(SWEEP["sampler"]["seed"]))
    for i, name in enumerate(problem["names"]):
        rows.append({"outcome": outcome, "parameter": name,
                     **{k: result[k][i] for k in ("S1", "S1_conf", "ST", "ST_conf")}})
indices = pd.DataFrame(rows)
indices.round(3)

# %%
# 同样的计算，一行命令：sim analyze（这里从 Python 调用）· The same in one call
analysis = analyze(out, lang="zh")
check = pd.read_csv(analysis / "indices.csv")
same = np.allclose(check[["S1", "S1_conf", "ST", "ST_conf"]],
                   indices[["S1", "S1_conf", "ST", "ST_conf"]])
print("与 sim analyze 的结果相同 same as sim analyze:", same)
assert same, "the lesson's indices differ from sim analyze's"
print(sorted(p.name for p in analysis.iterdir()))

# %% [markdown]
# ## 4. 图 · Plot
#
# 先看数据，再看指数：每个点是一个样本。
#
# *Look at the data first, then at the indices: each dot is one sample.*

# %%
fig, axes = plt.subplots(1, len(PARAMS), figsize=(13, 3.8), sharey=True)
for ax, name in zip(axes, PARAMS, strict=True):
    ax.scatter(per_sample[name], per_sample["contribution_rate"], s=10, alpha=0.6)
    ax.set_xlabel(name)
    ax.grid(alpha=0.3)
axes[0].set_ylabel(f"{label('contribution_rate', 'zh')}\n"
                   f"{label('contribution_rate', 'en')} (0–1)")
fig.suptitle(f"{len(per_sample)} 个样本的缴费率（最后 12 个月平均）· "
             "contribution rate of each sample (mean of the last 12 months)")
fig.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(13, 4.2), sharey=True)
x = np.arange(len(PARAMS))
for ax, outcome in zip(axes, OUTCOMES, strict=True):
    rows = indices[indices["outcome"] == outcome]
    ax.bar(x - 0.2, rows["S1"], 0.4, yerr=rows["S1_conf"], capsize=4,
           label="一阶 S1 first order")
    ax.bar(x + 0.2, rows["ST"], 0.4, yerr=rows["ST_conf"], capsize=4,
           label="总效应 ST total")
    ax.set_xticks(x, [p.split(".")[-1] for p in PARAMS])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_title(f"{label(outcome, 'zh')} · {label(outcome, 'en')}")
    ax.grid(axis="y", alpha=0.3)
axes[0].set_ylabel("方差占比 share of variance")
axes[0].legend(frameon=False)
fig.suptitle("Sobol 敏感性指数，误差线为 95% 置信区间（自助法）· "
             "Sobol indices, error bars: 95 % bootstrap intervals")
fig.tight_layout()
plt.show()

# %%
# 区间有多宽？要多大的 n 才够？（区间半宽约与 1/√n 成正比）
# How wide are the intervals, and what n would do? (half-width ∝ 1/√n, roughly)
widest = indices["ST_conf"].max()
n = SWEEP["sampler"]["n"]
needed = n * (widest / 0.05) ** 2
print(f"n = {n}: 最宽的 ST 区间半宽 widest ST half-width = {widest:.2f}")
print(f"半宽降到 0.05 约需 for ±0.05: n ≈ {needed:,.0f}（取 2 的幂 a power of 2），"
      f"即每个种子 {int(needed) * (len(PARAMS) + 2):,} 次运行 runs per seed")

# %% [markdown]
# **核对 · Check.** 下面的讨论引用的数字，逐个与本次运行的结果核对（引用的数字应是运行结果按所引位数四舍五入的值）。模型改了而课文没改时，这个单元格会报错并指出哪个数字过时。
#
# *The figures the discussion below quotes, each checked against this run (each must be the run's value rounded to the digits quoted). When the model changes and the text does not, this cell fails and names the stale figure.*

# %%
def index(outcome: str, parameter: str, kind: str) -> float:
    """One Sobol index (or its interval's half-width) of the table above."""
    row = indices[(indices["outcome"] == outcome)
                  & (indices["parameter"] == f"behaviour.{parameter}")]
    return float(row[kind].iloc[0])


half_widths = indices[["S1_conf", "ST_conf"]].to_numpy()
check_quotes({
    "缴费率：噪声 ST contribution: noise ST": ("1.04", index("contribution_rate", "noise", "ST")),
    "噪声 S1 noise S1": ("0.62", index("contribution_rate", "noise", "S1")),
    "面子 ST face ST": ("0.42", index("contribution_rate", "weights.face", "ST")),
    "公共精神 ST public spirit ST": (
        "0.18", index("contribution_rate", "weights.public_spirit", "ST")),
    "环境：公共精神 ST condition: public spirit ST": (
        "0.71", index("condition", "weights.public_spirit", "ST")),
    "环境：噪声 ST condition: noise ST": ("0.65", index("condition", "noise", "ST")),
    "环境：面子 ST condition: face ST": ("0.48", index("condition", "weights.face", "ST")),
    "最窄的区间半宽 narrowest half-width": ("0.1", half_widths.min()),
    "最宽的 widest": ("0.4", half_widths.max()),
    "跨过 0 的 S1 区间 S1 intervals crossing 0": (
        "2", int(((indices["S1"] - indices["S1_conf"]) < 0).sum())),
})

# %% [markdown]
# ## 5. 讨论 · Discussion
#
# **教师应该看到 · What a teacher should see**
#
# - 320 次运行约 10 秒。缴费率的差异主要来自噪声（ST 约 1.04，S1 约 0.62）：噪声大时，居民的选择接近随机，其他参数都起不了作用；面子的 ST 约 0.42、公共精神约 0.18。散点图显示，只有在噪声小时缴费率才分散开：这是交互作用，所以 ST 大于 S1。环境状况的 ST：公共精神约 0.71、噪声约 0.65、面子约 0.48（区间都很宽，见下一条）。
#
#   *The 320 runs take about 10 seconds. The contribution rate varies mostly with the noise (ST about 1.04, S1 about 0.62): with much noise choices are close to random and nothing else matters; face has ST about 0.42, public spirit about 0.18. The scatter shows the rate spreading out only where noise is low: an interaction, hence ST above S1. For the condition the ST are about 0.71 (public spirit), 0.65 (noise) and 0.48 (face), all with wide intervals (next point).*
# - n = 64 时区间半宽达 0.1–0.4，ST 甚至超过 1，有 2 个 S1 的区间跨过 0（都是估计误差）：**这个规模只够教学演示，不能用于论文**。上面的估算说明，要把区间缩到 ±0.05，n 需要几千（每个种子几万次运行）。
#
#   *With n = 64 the intervals are ±0.1–0.4 wide, ST exceeds 1 and 2 of the S1 intervals cross 0 (estimation error): **this size is for teaching, not for a paper.** The estimate above shows that ±0.05 needs n in the thousands (tens of thousands of runs per seed).*
#
# **课堂讨论 · Questions for the class**
#
# 1. 每个样本只用了 1 个种子，模型自身的随机性也被算进了"方差"。怎样把参数的影响和随机性分开？（每个样本用多个种子取平均；或比较同一参数点上不同种子的方差。）
#
#    *Each sample used one seed, so the model's own randomness is counted as variance too. How can the parameters' effect be separated from chance? (Average several seeds per sample, or compare the variance between seeds at one point.)*
# 2. 参数区间（例如面子权重 0–3）本身就是假设。区间换了，指数会变吗？应该怎样为每个区间找依据？
#
#    *The ranges (e.g. face 0–3) are assumptions too. Would other ranges change the indices? How should each range be justified?*
# 3. 把抽样种子（`"seed": 1`）改为 2 再运行一次：指数变了多少？这说明了什么？参数很多时，可以先用 Morris 筛选（`"sampler": {"method": "morris", "n": 20}`），再对少数重要参数做 Sobol 分析。为什么这样更省？
#
#    *Change the sampler's seed (`"seed": 1`) to 2 and run again: how much do the indices move, and what does that say? With many parameters, screen with Morris first (`"sampler": {"method": "morris", "n": 20}`), then run Sobol on the few that matter. Why is that cheaper?*
#
# **更大的运行 · A bigger run:** `configs/sweeps/sobol_behaviour.yaml` 有 6 个参数、n = 256、2 个种子（4,096 次运行，两核约 3 分钟）：`sim sweep configs/sweeps/sobol_behaviour.yaml --workers 2`，然后 `sim analyze out/sweep-sobol_behaviour`。论文应把 n 提高到 1,024 或更多，每个样本用多个种子，并报告指数随 n 的收敛情况。
#
# *`configs/sweeps/sobol_behaviour.yaml` has 6 parameters, n = 256 and 2 seeds (4,096 runs, about 3 minutes on two cores): `sim sweep configs/sweeps/sobol_behaviour.yaml --workers 2`, then `sim analyze out/sweep-sobol_behaviour`. For a paper raise n to 1,024 or more, use several seeds per sample, and report how the indices converge as n grows.*
