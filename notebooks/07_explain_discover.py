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
# # 第 7 课　为什么有效、在什么条件下失效
# # Lesson 7: Why a design works, and where it fails
#
# 约 30 分钟。在模型里，南岸"131"比行政主导基线好。**好处是哪一个机构、哪一种机制带来的？在参数的哪些取值下，它不再比基线好？** 本课用 `sim explain`（归因：敲除、敲入和 Shapley 值）和 `sim discover`（情景发现：PRIM 和 CART）的 Python 接口回答这两个问题。
#
# *About 30 minutes. In the model, Nan'an's "131" does better than the administrative baseline. **Which institution, which mechanism, brings the gain? For which values of the parameters does it stop beating the baseline?** This lesson answers both with the Python side of `sim explain` (attribution: knock-out, knock-in and Shapley values) and `sim discover` (scenario discovery: PRIM and CART).*

# %% [markdown]
# > 运行方法：从上到下依次运行每个单元格（Shift+Enter），或选择菜单"运行 → 运行全部单元格"。每次运行都固定了随机种子，结果可以重现。
# >
# > *How to run: run the cells top to bottom (Shift+Enter), or Run → Run All Cells. Every run has a fixed random seed, so the results can be reproduced.*

# %% [markdown]
# ## 1. 问题 · Question
#
# 案例把"131"的成功归于"党组织领导 + 议事会、业委会、监委会 + 长效机制"的整体。研究者要问得更细：**如果只有其中一部分会怎样？每一部分各贡献了多少？这些回答有多依赖我们假定的参数？** 一个设计"有效"，还要说清楚它在什么条件下会失效。
#
# *The case credits 131's success to the whole: "party leadership + council, owners' committee, supervisory committee + a long-term mechanism". A researcher must ask more finely: **what if only some of it were there? How much does each part contribute? How much do these answers depend on the parameters we assumed?** Saying a design works also means saying where it fails.*

# %% [markdown]
# ## 2. 模型怎么表示 · How the model represents it
#
# > 「“党组织领导+议事会民主商议、业委会决策执行、监委会全程监督+形成长效管理机制”」「议事会民主商议决定“办不办”,业委会决策执行确定“怎么办”,监委会全程监督“办得怎么样”」\
# > —— `seeds/001_c8a73fb9116a957f.txt`（重庆南岸）
# >
# > 「几年前还不断到市、区上访的骨干分子张致华、刘伦学等主动参加矛盾纠纷调解、义务巡逻等便民服务队」\
# > —— `seeds/001_c8a73fb9116a957f.txt`（重庆南岸）
#
# *Seed 001: 131 is "party leadership + the council deliberating, the owners' committee deciding and carrying out, the supervisory committee overseeing throughout + a long-term mechanism"; the council decides "whether", the committee "how", the supervisory committee checks "how well". Former petitioners came to join mediation and volunteer patrols.*
#
# **归因的"参与者" · The players.** `nanan_131` 与 `baseline` 有 11 处不同：多出九个机构（网格党支部、议事会、监委会、居民公约、"三事分流"、整治方案一户一票表决、以院养院、社区基金会、公益站基金），另有两个机构参数不同（业委会：基线的业主大会也可能选出业委会；运动式整治：131 按"需要与意愿"挑选小区）。一个*联盟*是基线加上其中一部分；有些机构离不开另一些（`sim.institutions.prerequisites`：监委会离不开业委会），所以只运行满足前置条件的联盟。对每个结果（环境状况、自筹资金占比……）：
#
# *`nanan_131` differs from `baseline` in 11 places: nine institutions the baseline lacks (the grid party branch, the council, the supervisory committee, the covenant, triage (三事分流), co-design of the renovation plan, shared assets (以院养院), the community foundation, the station fund) and two with other parameters (the owners' committee — the baseline's owners' congress may elect one too — and the renovation campaign, which under 131 picks compounds by need and will). A **coalition** is the baseline plus some of them; some institutions need others (`sim.institutions.prerequisites`: a supervisory committee needs an owners' committee), so only coalitions that respect that are run. For each outcome (condition, self-funded share, …):*
#
# - **敲除 knock-out**：完整的 131 减去去掉这一个机构的 131。*Full 131 minus 131 without this one.*
# - **敲入 knock-in**：基线加上这一个机构，减去基线。*The baseline with this one added, minus the baseline.*
# - **Shapley 值**：在所有允许的加入顺序上，这个机构加入时带来的平均增量。所有机构的 Shapley 值之和恰好等于总效应（131 − 基线）。*The mean gain this institution brings when it joins, over every allowed order of joining. The Shapley values add up exactly to the total effect (131 − baseline).*
#
# **机制 · Mechanisms.** `sim.mechanisms` 给每一种机制（入户动员、面子、"打平伙"、监督……）一个关闭开关（把已有参数设为 0）。一个机制的贡献 = 总效应 − 两边都关掉它之后的效应。
#
# *`sim.mechanisms` gives each mechanism (door-to-door mobilisation, face, pooled money, supervision, …) an off switch (existing parameters set to 0). A mechanism's contribution = the total effect − the effect with it off on both sides.*
#
# **不确定性 · Uncertainty.** 每个联盟都用同一批 *参数组*（从每个参数的先验范围中用 Sobol 序列抽取，见 `sim params` 和 `docs/parameters.md`）和同一批随机种子运行。所以每个数有两种区间：*参数区间*（不同参数组之间的 2.5–97.5% 分布：我们不知道参数的真值）和*种子区间*（只来自随机性）。
#
# *Every coalition runs with the same **parameter sets** (drawn by a Sobol sequence from each parameter's prior, see `sim params` and `docs/parameters.md`) and the same seeds. So each number has two intervals: a **parameter interval** (the 2.5–97.5 % spread across parameter sets: we do not know the parameters' true values) and a **seed interval** (from chance alone).*

# %% [markdown]
# ## 3. 运行 · Run
#
# **A. 为什么有效 · Why it works.** 为了在课堂上两分钟内跑完，这里用很小的规模：普通老旧小区（`generic_old_compound`）、60 个月、4 组参数 × 2 个种子、2 种机制（入户动员和"打平伙"）、Shapley 值只抽 4 种排列（11 个参与者，472 次运行，两核约 25 秒）。真正的研究用 `sim explain nanan_131 --vs baseline` 的默认规模：32 组参数 × 4 个种子、全部机制、120 个月。
#
# *To finish within two minutes in class this uses a tiny size: a generic old compound, 60 months, 4 parameter sets × 2 seeds, 2 mechanisms (door-to-door mobilisation and pooled money), Shapley values from only 4 sampled orderings (11 players; 472 runs, about 25 seconds on two cores). A real study uses the defaults of `sim explain nanan_131 --vs baseline`: 32 parameter sets × 4 seeds, every mechanism, 120 months.*

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.tree import plot_tree

from sim.experiments.compare import compare
from sim.experiments.discover import failing_sets, parameter_frame, subject
from sim.experiments.discovery import discover
from sim.experiments.discovery import reading as discovery_reading
from sim.experiments.explain import (
    answers,
    attribution_table,
    build_study,
    outcome_cube,
    reading,
    run_study,
    summary,
    write_outputs,
)
from sim.fonts import use_cjk_font
from sim.metrics import label
from sim.quotes import check_quotes

use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
plt.rcParams["figure.dpi"] = 100
pd.set_option("display.width", 160)

# %%
OUTCOMES = ("condition", "self_funded_share")
study = build_study("nanan_131", "baseline", community="generic_old_compound",
                    steps=60, uncertainty=4, seeds=range(2), permutations=4,
                    mechanisms=["mobilisation", "pooled_money"],
                    outcomes=OUTCOMES)
for p in study.players:
    print(f"参与者 player: {p.name:22s} {p.label('zh')} · {p.label('en')}")
print("联盟 coalitions run:", len(study.coalitions), "of", 2 ** len(study.players))
print("机制 mechanisms:", ", ".join(m.label("zh") for m in study.mechanisms))
print("参数组 × 种子 parameter sets × seeds:", len(study.param_sets), "×",
      len(study.seeds), "; 不确定参数 uncertain parameters:", len(study.uncertain))
print("运行 runs:", study.n_runs)

# %%
tmp = tempfile.TemporaryDirectory(prefix="lesson7-")
out = Path(tmp.name) / "explain"
run_study(study, out, workers=2, progress=False, report=False)  # 两核约 25 秒 · ~25 s on 2 cores
results = answers(study, outcome_cube(out, study))
table = attribution_table(study, results, lang="zh")
COLUMNS = {"outcome": "结果 outcome", "label": "机构 institution",
           "knock_out": "敲除 knock-out", "knock_in": "敲入 knock-in",
           "shapley": "Shapley", "shapley_params_low": "参数区间 params low",
           "shapley_params_high": "params high", "shapley_seeds_low": "种子区间 seeds low",
           "shapley_seeds_high": "seeds high"}
players = table[table["kind"] != "mechanism"]
players[list(COLUMNS)].rename(columns=COLUMNS).round(3)

# %% [markdown]
# Shapley 值相加应当恰好等于总效应（每组参数、每个种子都检查，容差 1e-9）：
#
# *The Shapley values must add up to the total effect exactly (checked for every parameter set and seed, tolerance 1e-9):*

# %%
for res in results:
    shapley_sum = sum(summary(v)["value"] for v in res.attribution.shapley.values())
    total = summary(res.attribution.total)
    print(f"{res.outcome:18s} Σ Shapley {shapley_sum:+.4f} = 总效应 total "
          f"{total['value']:+.4f} [参数区间 params {total['params_low']:+.3f}, "
          f"{total['params_high']:+.3f}]; 最大误差 largest gap {res.gap:.1e}")

mechanisms = table[table["kind"] == "mechanism"]
mechanisms[["outcome", "label", "knock_out", "knock_out_params_low",
            "knock_out_params_high", "total"]].rename(
    columns={"knock_out": "贡献 contribution"}).round(3)

# %% [markdown]
# `reading` 把这些数写成一段话（中文和英文），与 `explain.html` 中的相同：
#
# *`reading` turns the numbers into a paragraph (Chinese and English), as in `explain.html`:*

# %%
for res in results:
    print(reading(study, res, "zh"))
    print(reading(study, res, "en"), end="\n\n")

# %% [markdown]
# ## 4. 图 · Plot
#
# 瀑布图：从基线出发，每个机构加上它的 Shapley 值，最后到达"131"。黑线是参数区间（4 组参数之间的分布）。
#
# *Waterfall: from the baseline, each institution adds its Shapley value, ending at 131. The black whiskers are the parameter interval (the spread over the 4 parameter sets).*

# %%
fig, axes = plt.subplots(1, len(results), figsize=(7 * len(results), 4.6))
for ax, res in zip(np.atleast_1d(axes), results, strict=True):
    level = float(np.mean(res.ref))
    ax.bar(0, level, color="#8c8c8c")
    for i, p in enumerate(study.players, start=1):
        s = summary(res.attribution.shapley[p.name])
        ax.bar(i, s["value"], bottom=level, color="C2" if s["value"] >= 0 else "C3")
        ax.errorbar(i, level + s["value"], color="k", capsize=3, lw=1,
                    yerr=[[s["value"] - s["params_low"]], [s["params_high"] - s["value"]]])
        level += s["value"]
    ax.bar(len(study.players) + 1, float(np.mean(res.design)), color="C0")
    names = ["基线\nbaseline", *(p.label("zh") for p in study.players), "131"]
    ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=9)
    ax.set_ylabel(f"{label(res.outcome, 'zh')} {label(res.outcome, 'en')}")
    ax.set_title(f"{label(res.outcome, 'zh')}：131 与基线之差的 Shapley 分解\n"
                 f"Shapley decomposition of 131 − baseline: {label(res.outcome, 'en')}")
    values = [float(np.mean(res.ref)), float(np.mean(res.design))]
    ax.set_ylim(min(values) - 0.15, max(values) + 0.12)
    ax.grid(axis="y", alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# **B. 在什么条件下失效 · Where it fails.** 再用 `compare(..., uncertainty=32)` 比较两个设计：32 组参数 × 2 个种子（约 130 次运行，约 15 秒；`sim discover` 的默认规模是 64 组 × 4 个种子）。为了让 32 组参数也能看出规律，这里只让 6 个与动员、面子、衰减和协调有关的参数变化（`uncertain=`）；默认是所有作用于这两个设计、有先验的参数（这里 139 个，见上面的 `build_study` 输出）。
#
# *Next, `compare(..., uncertainty=32)` compares the two designs over 32 parameter sets × 2 seeds (about 130 runs, about 15 seconds; `sim discover` defaults to 64 sets × 4 seeds). So that 32 sets can show a pattern, only 6 parameters — of mobilisation, face, decay and coordination — vary here (`uncertain=`); by default every parameter with a prior that acts on either design does (139 here, as `build_study` printed above).*

# %%
UNCERTAIN = ["behaviour.weights.mobilisation",
             "design.institutions.party_branch.visits_per_member",
             "behaviour.learning.mobilisation_decay", "behaviour.weights.face",
             "economy.decay", "coordination.cost_per_link"]
comp = compare(["baseline", "nanan_131"], community="generic_old_compound", steps=60,
               seeds=range(2), uncertainty=32, uncertain=UNCERTAIN, workers=2)
rows = comp.summary[(comp.summary["design"] == "nanan_131")
                    & comp.summary["outcome"].isin(OUTCOMES)]
rows[["outcome", "diff", "diff_params_low", "diff_params_high", "diff_seeds_low",
      "diff_seeds_high", "diff_spread_low", "diff_spread_high", "p_better"]].round(3)

# %% [markdown]
# 记 d_k 为第 k 组参数下两个设计之差（种子平均）。`diff_params_low/high` 是 d_k 均值的 95% 区间（t 区间，跨参数组），`diff_spread_low/high` 是 d_k 本身的 2.5–97.5% 分布（在先验范围内答案落在哪里），`diff_seeds_low/high` 只来自种子噪声，`p_better` 是"131"更好的参数组比例。注意 d_k 的分布远比种子区间宽：即使种子噪声为 0，我们也不知道"131"是否更好。下面把"131 在环境状况上不如基线"的参数组标出来（`failing_sets`），交给 PRIM 和 CART（`discover`）。
#
# *With d_k the difference between the designs in parameter set k (mean over seeds): `diff_params_low/high` is the 95 % t interval of the mean of d_k over parameter sets, `diff_spread_low/high` the 2.5–97.5 % spread of d_k itself (where the answer lies across the priors), `diff_seeds_low/high` comes from seed noise alone, and `p_better` is the share of sets in which 131 does better. The spread of d_k is far wider than the seed interval: even without any seed noise we would not know whether 131 does better. Below, the sets in which 131 does worse than the baseline on condition are marked (`failing_sets`) and handed to PRIM and CART (`discover`).*

# %%
x, bounds = parameter_frame(comp, ("nanan_131", "baseline"))
y, diffs = failing_sets(comp, "nanan_131", "baseline", "condition")
print(f"失效的参数组 failing sets: {y.sum()} / {len(y)}")
found = discover(x, y, bounds=bounds)
for lang in ("zh", "en"):
    clause = subject(comp, "nanan_131", "baseline", "condition", None, lang)
    print(discovery_reading(found, lang, subject=clause), end="\n\n")
print(found.tree.text)
found.prim.limits.round(4)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5), width_ratios=[1, 1.6])
traj = found.prim.trajectory
left.plot(traj["coverage"], traj["density"], "-o", color="C0", ms=4)
chosen = traj.loc[found.prim.step]
left.scatter([chosen["coverage"]], [chosen["density"]], s=180, facecolors="none",
             edgecolors="C3", linewidths=2, label="选中的盒子 chosen box")
left.axvline(found.prim.min_coverage, color="C3", ls=":", lw=1)
left.set_xlabel("覆盖率 coverage（失效组中落在盒子里的比例）")
left.set_ylabel("密度 density（盒子里失效的比例）")
left.set_xlim(0, 1.02)
left.set_ylim(0, 1.02)
left.set_title("(a) PRIM 剥离轨迹 · PRIM peeling trajectory")
left.legend(frameon=False, loc="lower left")
left.grid(alpha=0.3)
plot_tree(found.tree.model, ax=right, feature_names=[c.split(".")[-1] for c in x.columns],
          class_names=["131 更好 better", "131 不如基线 fails"], filled=True,
          impurity=False, rounded=True, fontsize=8)
right.set_title("(b) CART 分类树 · CART tree")
fig.suptitle("在什么条件下失效：南岸 131 对基线，环境状况，32 组参数 × 2 个种子 · "
             "Where 131 fails to beat the baseline on condition, 32 sets × 2 seeds")
fig.tight_layout()
plt.show()

# %% [markdown]
# 命令行写出的文件（`attribution.csv`、瀑布图、自包含的 `explain.html`），在 Python 中用 `write_outputs` 从同一批运行写出（写在临时目录里）：
#
# *The files the command writes (`attribution.csv`, the waterfalls, a self-contained `explain.html`) come from the same runs with `write_outputs` (into a temporary folder):*

# %%
for path in write_outputs(out, study, lang="zh"):
    print(path.relative_to(out))

# %% [markdown]
# **核对 · Check.** 下面的讨论引用的数字，逐个与本次运行的结果核对（引用的数字应是运行结果按所引位数四舍五入的值）。模型改了而课文没改时，这个单元格会报错并指出哪个数字过时。注明"问题 12 之前"的数字是旧版本的，不在这里核对。
#
# *The figures the discussion below quotes, each checked against this run (each must be the run's value rounded to the digits quoted). When the model changes and the text does not, this cell fails and names the stale figure. Figures marked "before issue 12" are the old model's and are not checked here.*

# %%
def cell(outcome: str, player: str, column: str) -> float:
    """One value of the attribution table above (players and mechanisms)."""
    row = table[(table["outcome"] == outcome) & (table["player"] == player)]
    return float(row[column].iloc[0])


C, F = "condition", "self_funded_share"
face = x["behaviour.weights.face"]
above = face > found.tree.root[1]
check_quotes({
    "环境：总效应 condition: total": ("0.09", cell(C, "party_branch", "total")),
    "参数区间下限 params low": ("+0.06", cell(C, "party_branch", "total_params_low")),
    "上限 params high": ("+0.12", cell(C, "party_branch", "total_params_high")),
    "党支部 Shapley branch": ("+0.08", cell(C, "party_branch", "shapley")),
    "党支部参数区间下限 branch, params low": (
        "+0.02", cell(C, "party_branch", "shapley_params_low")),
    "上限 high": ("+0.15", cell(C, "party_branch", "shapley_params_high")),
    "以院养院 shared assets": ("+0.03", cell(C, "shared_assets", "shapley")),
    "关掉动员 mobilisation off": ("0.07", cell(C, "mobilisation", "knock_out")),
    "关掉打平伙 pooled money off": ("0.04", cell(C, "pooled_money", "knock_out")),
    "一户一票：环境 co-design: condition": ("−0.04", cell(C, "codesign", "shapley")),
    "一户一票：自筹 co-design: self-funded": ("−0.08", cell(F, "codesign", "shapley")),
    "自筹：总效应 self-funded: total": ("0.14", cell(F, "party_branch", "total")),
    "自筹：参数区间下限 self-funded: params low": (
        "−0.04", cell(F, "party_branch", "total_params_low")),
    "自筹：上限 self-funded: params high": ("+0.26", cell(F, "party_branch", "total_params_high")),
    "自筹：党支部 self-funded: branch": ("+0.09", cell(F, "party_branch", "shapley")),
    "自筹：以院养院 self-funded: shared assets": ("+0.07", cell(F, "shared_assets", "shapley")),
    "自筹：议事会 self-funded: council": ("+0.07", cell(F, "deliberation_council", "shapley")),
    "自筹：打平伙 self-funded: pooled money": ("+0.09", cell(F, "pooled_money", "knock_out")),
    "自筹：入户动员 self-funded: mobilisation": ("+0.03", cell(F, "mobilisation", "knock_out")),
    "党支部敲除 branch, knock-out": ("0.06", cell(C, "party_branch", "knock_out")),
    "党支部敲入 branch, knock-in": ("0.18", cell(C, "party_branch", "knock_in")),
    "自筹：三事分流敲除 self-funded: triage, knock-out": (
        "+0.09", cell(F, "three_affairs_triage", "knock_out")),
    "自筹：三事分流 Shapley self-funded: triage": (
        "0.00", cell(F, "three_affairs_triage", "shapley")),
    "失效的参数组 failing sets": ("3", int(y.sum())),
    "参数组 sets": ("32", len(y)),
    "CART 第一次划分 CART's first split": ("1.88", found.tree.root[1]),
    "低于它时失效 failing below": ("0", int(y[~above].sum())),
    "高于它的参数组 sets above": ("8", int(above.sum())),
    "其中失效 failing above": ("3", int(y[above].sum())),
})
assert found.tree.root[0] == "behaviour.weights.face", found.tree.root
assert not found.prim.significant_only, "the discussion says PRIM's box is not significant"

# %% [markdown]
# ## 5. 讨论 · Discussion
#
# **教师应该看到 · What a teacher should see**（规模很小，数字会因参数组而变；方向应当如此）
#
# *(The sizes are tiny, so the numbers move with the parameter sets; the directions should hold.)*
#
# - **发现：模型仍把"131"在环境状况上的好处主要归功于党支部——确切地说，是它的入户动员。** 60 个月后环境状况比基线高约 0.09（4 组参数之间约 +0.06 至 +0.12）；党支部的 Shapley 值约 +0.08（约占八成，参数区间约 +0.02 至 +0.15），以院养院约 +0.03；关掉动员机制（`behaviour.weights.mobilisation = 0`），总效应减少约 0.07，关掉"打平伙"筹资减少约 0.04。这与案例把功劳归于"议事会、业委会、监委会"的说法不同：在本模型中这三个机构各自的 Shapley 值都很小（监委会甚至略负）。（2026-12-02 在问题 12 的新机制之后测得；问题 12 之前同样规模的结果是总效应约 0.06、党支部约 +0.08。）
#
#   *__Finding: the model still credits 131's gain in condition mostly to the party branch — more precisely to its door-to-door mobilisation.__ After 60 months condition is about 0.09 above the baseline (about +0.06 to +0.12 over the 4 parameter sets); the branch's Shapley value is about +0.08 (some eight tenths of it; parameter interval about +0.02 to +0.15), shared assets add about +0.03; switching mobilisation off (`behaviour.weights.mobilisation = 0`) takes away about 0.07, pooled money about 0.04. This differs from the seed's account that credits the council, the owners' committee and the supervisory committee: here each of the three has a small Shapley value (the supervisory committee's slightly negative). (Measured 2026-12-02, after issue 12's mechanisms; at the same size before them the total was about 0.06 and the branch about +0.08.)*
# - **这不是"保持"。** 上面是 60 个月后的环境状况水平。模式 3（`tests/test_patterns_designs.py`）量的是另一件事：一次整治的成效扣除共同趋势后保持了多少。那里关掉入户动员，保持的反而更多，所以模型并不把"保持"归功于动员；两种说法并不矛盾——动员抬高水平，不等于它防止了反弹。
#
#   *__This is not retention.__ The figures above are the level of condition after 60 months. Pattern 3 (`tests/test_patterns_designs.py`) measures something else: how much of a renovation's lift is kept net of the common trend. There, with mobilisation off, more is kept, so the model does not credit retention to mobilisation; the two statements do not contradict each other — mobilisation raising the level is not mobilisation preventing the rebound.*
# - **一户一票表决在这里是负的。** 它的 Shapley 值在环境状况上约 −0.04、在自筹资金占比上约 −0.08（参数区间都在 0 以下）。原因在模型的规则里：一个小区的方案没通过，这一轮整治就跳过它（`sim/institutions/codesign.py`）；普通老旧小区只有一个小区，跳过就是这一轮不整治。表决带来的"主人翁"加成（`codesign.stake`）比不上少做的整治。这是一个*发现*，对照是 `codesign_stake` 开关（`stake = 0` 时只剩表决的筛选作用）。案例把表决看作打破"整治—反弹"的关键；在本模型的默认先验下，它的净效果是负的——如实报告。
#
#   *__Co-design is negative here.__ Its Shapley value is about −0.04 for condition and about −0.08 for the self-funded share (parameter intervals below 0). The reason is in the model's rule: a compound whose plan fails the vote is passed over in that campaign (`sim/institutions/codesign.py`), and the generic old compound is a single compound, so passing it over means no renovation this time. The stake a say gives (`codesign.stake`) does not make up for the renovation not done. A __finding__, whose control is the `codesign_stake` switch (with `stake = 0` only the vote's selection is left). The seeds see the vote as what breaks renovation → rebound; under the model's default priors its net effect is negative — reported as it is.*
# - **自筹资金占比：** 提高约 0.14（参数区间约 −0.04 至 +0.26：4 组参数时方向都不完全确定）；党支部的 Shapley 值最大（约 +0.09），其次是以院养院（约 +0.07，车位和用房的收入算作居民自己的钱，这是*一致性检查*）和议事会（约 +0.07）。按机制看，"打平伙"筹资（约 +0.09）和入户动员（约 +0.03）都有贡献——机制的贡献不必加起来等于总效应（它们之间也有交互）。
#
#   *__Self-funded share:__ up by about 0.14 (parameter interval about −0.04 to +0.26: with 4 sets not even the direction is certain); the branch has the largest Shapley value (about +0.09), then shared assets (about +0.07: income from parking and rooms counts as the residents' own money, a __consistency check__) and the council (about +0.07). By mechanism, pooled money (about +0.09) and mobilisation (about +0.03) both contribute — mechanisms' contributions need not add up to the total (they interact too).*
# - **敲除和敲入不一样。** 例如党支部：敲除时（从完整的 131 中去掉它）环境状况降低约 0.06，敲入时（只在基线上加它）提高约 0.18；"三事分流"对自筹资金占比的敲除约 +0.09，Shapley 值却几乎为 0（约 0.00）。一个机构的作用取决于还有哪些机构在——这就是*交互作用*。Shapley 值在所有加入顺序上取平均，是唯一能把总效应"分干净"的公平规则，但它掩盖了交互：看 Shapley 值时也要看敲除和敲入。
#
#   *__Knock-out and knock-in differ.__ The branch, say: knocked out of full 131 it costs about 0.06 of condition; knocked into the baseline alone it adds about 0.18; triage's knock-out on the self-funded share is about +0.09 while its Shapley value is about 0 (0.00). What an institution does depends on which others are there — **interaction**. The Shapley value averages over every order of joining and is the one fair rule that splits the total exactly, but it hides the interaction: read it beside knock-out and knock-in.*
# - **在什么条件下失效：** 在 6 个参数变化的 32 组中，约一成（3 组）"131"在环境状况上不如基线；CART 的第一次划分在面子权重 `behaviour.weights.face`（约 1.88）上：低于它时"131"没有一组失效，高于它的 8 组中 3 组失效，再往下分在党员走访户数 `visits_per_member` 上。面子压力本身已经很强时，动员能多带来的就少了。PRIM 用 32 组参数找到的盒子不显著——读数会说明；要下结论需要更多参数组。（问题 12 之前，第一次划分在协调成本 `cost_per_link` 上。）
#
#   *__Where it fails:__ with 6 parameters varying, 131 does worse than the baseline on condition in about one in ten of the 32 sets (3); CART's first split is on the weight of face `behaviour.weights.face` (about 1.88): below it 131 fails in no set, above it in 3 of the 8 sets, and the next split is on the visits per party member `visits_per_member`. Where face pressure is already strong, mobilisation has less to add. With 32 sets PRIM's box is not significant — the reading says so; a conclusion needs more sets. (Before issue 12 the first split was on the coordination cost per link `cost_per_link`.)*
#
# **课堂讨论 · Questions for the class**
#
# 1. 一户一票表决的 Shapley 值是负的，案例却把它当作成功的关键。是模型错了，还是案例（只讲通过了表决的小区）错了？在有许多小区的和平路社区，一个小区没通过，钱会给下一个小区——结果会怎样？"负的 Shapley 值"是不是说这个机构"没用"？（提示：看它在其他结果上的值，再看敲除和敲入。）
#
#    *Co-design's Shapley value is negative, while the seeds make it a key to success. Is the model wrong, or the account (which tells of compounds whose vote passed)? On Heping Road, with many compounds, a failed vote sends the money to the next compound — what would you expect there? Does a negative Shapley value mean a body is useless? (Hint: look at its values on the other outcomes, and at knock-out and knock-in.)*
# 2. 先验范围（`sim params` 中每个参数的 low–high）是谁定的？本模型中 185 个有先验的参数里只有 6 个引用了案例，其余都是"假设"。参数区间宽，说明的是模型的不确定，还是现实的不确定？
#
#    *Who set the priors (each parameter's low–high in `sim params`)? Of the 185 parameters with a prior, only 6 cite a seed; the rest are "assumption". Does a wide parameter interval say something about the world, or about our model?*
# 3. 这里只有 2 个种子，种子区间还很宽；种子越多，它越窄，趋近于 0。但 d_k 在参数组之间的分布（`diff_spread`、归因表的参数区间）不会因为加种子而变窄。为什么只增加种子数不能让结论"更可靠"？（增加种子只让我们更准确地知道*在某一组假设下*的答案；种子噪声不是我们对世界的不确定。）
#
#    *With only 2 seeds the seed interval is still wide here; with more seeds it shrinks toward 0. But the spread of d_k over parameter sets (`diff_spread`, the attribution table's parameter interval) does not shrink however many seeds are added. Why can't adding seeds make a conclusion more reliable? (More seeds only pin down the answer **under one set of assumptions**; seed noise is not our uncertainty about the world.)*
# 4. 如果一个小区的面子压力本来就很强（熟人多、彼此看得见），"131"还值得推广吗？你会怎样在真实的小区里测量面子压力（`behaviour.weights.face`）？
#
#    *If a compound's face pressure is already strong (many acquaintances, everyone seen), is 131 still worth spreading? How would you measure face pressure (`behaviour.weights.face`) in real compounds?*
#
# **更大的运行 · A bigger run:** 真正的研究用默认规模：`sim explain nanan_131 --vs baseline --community generic_old_compound`（抽样联盟 × 32 组参数 × 4 个种子，30,976 次运行，两核实测 50 分钟），`--community heping_road`（再长许多倍；可先用 `--uncertainty 8 --seeds 2`）；`sim discover nanan_131 --vs baseline --community generic_old_compound`（64 组参数 × 4 个种子），或用 `--from` 读入一个 `sim compare --uncertainty` 的结果目录。
#
# *A real study uses the defaults: `sim explain nanan_131 --vs baseline --community generic_old_compound` (sampled coalitions × 32 parameter sets × 4 seeds, 30,976 runs, 50 minutes on two cores, measured), `--community heping_road` (many times longer; start with `--uncertainty 8 --seeds 2`); `sim discover nanan_131 --vs baseline --community generic_old_compound` (64 sets × 4 seeds), or `--from` a `sim compare --uncertainty` directory.*
