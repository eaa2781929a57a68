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
# # 第 2 课　面子与可见性
# # Lesson 2: Face and visibility
#
# 约 20 分钟。"面子机制"在熟人小区和陌生人小区里是否同样有效？好人榜、诚信榜和业主微信群能不能让陌生人之间也"有面子"？
#
# *About 20 minutes. Does face pressure work as well among strangers as among acquaintances? Can public rolls and online groups give strangers a face to keep?*

# %% [markdown]
# > 运行方法：从上到下依次运行每个单元格（Shift+Enter），或选择菜单"运行 → 运行全部单元格"。每次运行都固定了随机种子，结果可以重现。
# >
# > *How to run: run the cells top to bottom (Shift+Enter), or Run → Run All Cells. Every run has a fixed random seed, so the results can be reproduced.*

# %% [markdown]
# ## 1. 问题 · Question
#
# 崇川的经验把"面子"和声誉称为小区治理的"内生压力机制"。可是在流动人口多、邻里互不相识的小区，谁会看到你交没交物业费？**面子起作用，需要什么条件？公示和线上群能否替代熟人关系？**
#
# *Chongchuan calls face and reputation the "internal pressure mechanism" of compound governance. But in a compound of tenants and strangers, who sees whether you paid your fee? **What does face need in order to work? Can public rolls and online groups stand in for knowing one's neighbours?***

# %% [markdown]
# ## 2. 模型怎么表示 · How the model represents it
#
# > 「无论是在熟人社区还是“熟悉的陌生人”社区中,内生压力机制通过“面子机制”、声誉机制发挥效力。」「设置小区好人榜、诚信榜,公示新风典型和包括物业费缴纳情况的诚信案例」\
# > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）
# >
# > 「首先,疏通信息共享渠道,破除小区“陌生人”困局。」\
# > —— `seeds/003_c40e3f56aa563ccc.txt`（厦门湖里）
#
# *Seed 000: face and reputation work "in acquaintance communities and in communities of 'familiar strangers'"; compounds set up good-people and credit rolls that publish who pays the property fee. Seed 003: open channels for sharing information to "break the compound's 'strangers' deadlock".*
#
# 在模型中，面子是效用里的一项：本户看到的邻居行动比例与自己的阈值之差，乘以面子权重（`behaviour.weights.face`，默认 1.5）、本户的面子敏感度，以及**本户的选择有多"可见"**：
#
# *In the model face is one term of a household's utility: the gap between the share of acting neighbours it sees and its own threshold, times the face weight (`behaviour.weights.face`, 1.5 by default), its face sensitivity, and **how visible its own choice is**:*
#
# ```
# 可见度 visibility = base (0)
#     + ties (0.2) × [有邻居 has a neighbour]
#     + stairwell (0.6) × 认识的同单元住户比例 share of its stairwell it knows
#     + 制度加成 bonus of institutions (rolls, online groups, leaders)
# ```
#
# 没有任何邻居的住户没人看得见，面子对它不起作用。诚信榜（`public_rolls`）让缴费更可见（+0.3），并公布全小区的缴费率；线上群（`online_tools`）让所有行动更可见（+0.1），也让住户看到全小区的情况。熟识度 `community.network.acquaintance` 从 0（陌生人）到 1（熟人）决定邻居关系的多少。
#
# *Nobody sees a household without neighbours, so face does nothing to it. The credit roll (`public_rolls`) makes paying more visible (+0.3) and publishes the compound's payment rate; online groups (`online_tools`) make every action more visible (+0.1) and show the whole compound. Acquaintance, `community.network.acquaintance`, from 0 (strangers) to 1 (acquaintances), sets how many ties neighbours have.*

# %% [markdown]
# ## 3. 运行 · Run
#
# 先看看默认参数和不同熟识度下的邻居网络。
#
# *First, the default parameters and the neighbour network at each level of acquaintance.*

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim
from sim.experiments.compare import t_interval
from sim.fonts import use_cjk_font
from sim.patterns import face_effect
from sim.quotes import check_quotes

use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
plt.rcParams["figure.dpi"] = 100

# %%
scn = sim.load_config({"community": "generic_old_compound", "design": "baseline"})
print("可见度 visibility:", scn.behaviour.visibility)
print("面子权重 face weight:", scn.behaviour.weights.face)
LEVELS = (0.0, 0.3, 0.6, 0.9)  # 熟识度 acquaintance: 0 陌生人 strangers … 熟人
for acq in LEVELS:
    model = sim.CompoundModel(scn.override({"community.network.acquaintance": acq}),
                              rng=0)
    degree = np.array([d for _, d in model.graph().degree()])
    print(f"熟识度 acquaintance {acq}: 平均邻居数 mean neighbours "
          f"{degree.mean():4.1f}, 无邻居住户 households without any "
          f"{np.mean(degree == 0):.0%}")

# %% [markdown]
# **实验设计 · The experiment.** `sim.patterns.face_effect` 在 10 个老旧小区（共 2,000 户，基线治理）上运行 60 个月，比较同一种子下面子权重 1.5 与 0 的缴费率（第 13–60 月平均）：差值就是"面子效应"。每种情形用 10 个种子。
#
# *`sim.patterns.face_effect` runs ten generic old compounds (2,000 households, baseline institutions) for 60 months and compares, seed by seed, the contribution rate (months 13–60) with face weight 1.5 against 0: the difference is the effect of face. 10 seeds per case.*

# %%
SEEDS = range(10)  # 课堂用 10 个种子 · 10 seeds for class; the test uses 20
by_level = {acq: face_effect(acq, seeds=SEEDS) for acq in LEVELS}
ARMS = {
    "陌生人\nstrangers": {},
    "+ 好人榜、诚信榜\n+ public rolls": {"public_rolls": {}},
    "+ 线上群\n+ online tools": {"online_tools": {}},
    "+ 两者\n+ both": {"public_rolls": {}, "online_tools": {}},
}
by_arm = {name: face_effect(0.0, extra, seeds=SEEDS) for name, extra in ARMS.items()}

rows = [(f"熟识度 acquaintance {acq}", effects) for acq, effects in by_level.items()]
rows += [(f"熟识度 0 {name.replace(chr(10), ' ')}", e) for name, e in by_arm.items()]
table = pd.DataFrame([(case, *t_interval(e)[:3]) for case, e in rows],
                     columns=["情形 case", "面子效应 effect", "95% 下限 low",
                              "95% 上限 high"])
table.round(3)

# %% [markdown]
# **对照 · A control.** 陌生人小区里的 0 来自哪里？把可见度的基数从 0 改为 0.1（每户都被看见一点），其他不变，再算一次面子效应（5 个种子）。如果 0 是"互动"的结果，它不该因为这个假定而改变。
#
# *Where does the 0 among strangers come from? Set the base of visibility from 0 to 0.1 (every household is seen a little), all else unchanged, and measure the effect of face again (5 seeds). If the 0 were a result of interaction, this assumption should not change it.*

# %%
def strangers_face(base: float, seed: int) -> float:
    """Contribution with face minus without it, strangers, visibility base ``base``."""
    rates = []
    for face in (1.5, 0.0):
        scn = sim.load_config({"community": "generic_old_compound", "design": "baseline"})
        scn = scn.override({"community.groups.0.count": 10,
                            "community.network.acquaintance": 0.0,
                            "behaviour.visibility.base": base,
                            "behaviour.weights.face": face})
        df = sim.CompoundModel(scn, rng=seed).run(60).datacollector.get_model_vars_dataframe()
        rates.append(df["contribution_rate"].iloc[13:].mean())
    return rates[0] - rates[1]


control = {}
for base in (0.0, 0.1):
    effects = control[base] = np.array([strangers_face(base, seed) for seed in range(5)])
    print(f"可见度基数 visibility base {base}: 面子效应 effect of face "
          f"{effects.mean():+.4f} (min {effects.min():+.4f}, max {effects.max():+.4f})")

# %% [markdown]
# ## 4. 图 · Plot

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), sharey=True,
                                  width_ratios=[1, 1.3])
rng = np.random.default_rng(0)  # 只用于散点的横向抖动 · jitter of the dots only
for x, effects in by_level.items():
    mean, low, high, _ = t_interval(effects)
    left.errorbar(x, mean, yerr=[[mean - low], [high - mean]], fmt="o", color="C0",
                  capsize=5, ms=8)
    left.scatter(x + rng.uniform(-0.02, 0.02, len(effects)), effects, s=10,
                 color="k", alpha=0.4)
left.plot(list(by_level), [e.mean() for e in by_level.values()], color="C0")
left.set_xticks(LEVELS, ["0\n陌生人\nstrangers", "0.3", "0.6",
                         "0.9\n熟人\nacquainted"])
left.set_xlabel("熟识度 acquaintance")
left.set_ylabel("面子对缴费率的效应\neffect of face on contribution rate\n"
                "(有面子 − 无面子 with − without)")
left.set_title("(a) 熟人越多，面子越管用 · Face works among acquaintances")

for i, effects in enumerate(by_arm.values()):
    mean, low, high, _ = t_interval(effects)
    right.bar(i, mean, width=0.6, color=f"C{i + 1}", alpha=0.8,
              yerr=[[mean - low], [high - mean]], capsize=5)
    right.scatter(i + rng.uniform(-0.12, 0.12, len(effects)), effects, s=10,
                  color="k", alpha=0.4)
    right.annotate(f"{mean:+.3f}", (i, max(high, effects.max())), ha="center",
                   xytext=(0, 5), textcoords="offset points")
right.axhline(by_level[0.9].mean(), color="C0", ls="--",
              label="熟人小区（熟识度 0.9）acquaintances")
right.set_xticks(range(len(by_arm)), list(by_arm))
right.set_title("(b) 陌生人小区：公示与线上群 · Strangers: rolls and online groups")
right.legend(frameon=False, loc="upper left")
for ax in (left, right):
    ax.axhline(0, color="grey", lw=0.8)
    ax.grid(axis="y", alpha=0.3)
fig.suptitle("面子需要可见性 · Face needs visibility — 10 个小区 2,000 户，"
             "10 个种子的均值与 95% 区间 · mean and 95% interval over 10 seeds")
fig.tight_layout()
plt.show()

# %% [markdown]
# **核对 · Check.** 下面的讨论引用的数字，逐个与本次运行的结果核对（引用的数字应是运行结果按所引位数四舍五入的值）。模型改了而课文没改时，这个单元格会报错并指出哪个数字过时。
#
# *The figures the discussion below quotes, each checked against this run (each must be the run's value rounded to the digits quoted). When the model changes and the text does not, this cell fails and names the stale figure.*

# %%
check_quotes({
    "熟识度 0.9 的面子效应 face, acquaintance 0.9": ("0.13", by_level[0.9].mean()),
    "熟识度 0.6 acquaintance 0.6": ("0.10", by_level[0.6].mean()),
    "熟识度 0.3 acquaintance 0.3": ("0.07", by_level[0.3].mean()),
    "陌生人，可见度基数 0.1 strangers, base 0.1": ("−0.13", control[0.1].mean()),
    "陌生人 + 公示榜 strangers + rolls": (
        "0.07", by_arm["+ 好人榜、诚信榜\n+ public rolls"].mean()),
    "陌生人 + 线上群 strangers + online": ("0.02", by_arm["+ 线上群\n+ online tools"].mean()),
    "陌生人 + 两者 strangers + both": ("0.07", by_arm["+ 两者\n+ both"].mean()),
})

# %% [markdown]
# ## 5. 讨论 · Discussion
#
# **教师应该看到 · What a teacher should see**
#
# 每条结论都标明它是**发现**（由住户之间的互动产生，有一个去掉它的负对照）还是**一致性检验**（由假定的函数形式或输入直接推出）。
#
# *Each result is labelled a **finding** (it emerges from interaction, and a negative control removes it) or a **consistency check** (it follows from an assumed form or an input).*
#
# - **一致性检验：陌生人小区里面子效应恰好为 0。** 这不是模型"发现"的结果：陌生人之间没有邻居关系，可见度的基数 `behaviour.visibility.base` 又假定为 0，所以每户的面子项都是 0，开不开面子，运行完全相同。上面的对照单元格把基数设为 0.1（人人都被"看见"一点），效应立刻不再是 0，而且是负的（约 −0.13）：模型规定，没有邻居、也没有公示信息的住户"没人可学"，它的面子差距 sᵢₐ − φᵢ 取 −1（`sim/behaviour.py`），于是面子只会压低缴费。0 和它的符号都来自假定的形式。
#
#   *__Consistency check: face does exactly 0 among strangers.__ This is not something the model found: strangers have no ties and the base of visibility, `behaviour.visibility.base`, is assumed to be 0, so the face term is 0 for every household and face on or off gives the same run. The control cell above sets the base to 0.1 (everyone is seen a little) and the effect is no longer 0 — it is negative (about −0.13): the model sets the face gap sᵢₐ − φᵢ of a household with neither neighbours nor public information to −1 ("nobody to follow", `sim/behaviour.py`), so face can only push its contribution down. Both the 0 and that sign come from the assumed form.*
# - **符号是一致性检验，大小是测量值：** 熟人小区（熟识度 0.9）里面子使缴费率提高约 0.13（13 个百分点），熟识度 0.6 时约 0.10，0.3 时约 0.07。面子"帮忙"而不是"拖后腿"，是因为起初多数住户看到的缴费比例（约 0.7）高于自己的阈值（平均 0.35）；这由函数形式和输入决定，模型测出的只是大小。
#
#   *__The sign is a consistency check, the sizes are measured:__ among acquaintances (0.9) face raises the contribution rate by about 0.13 (13 percentage points), at 0.6 by about 0.10, at 0.3 by about 0.07. Face helps rather than hurts because at the start most households see more neighbours paying (about 0.7) than their threshold (0.35 on average): that follows from the form and the inputs; the model only measures the size.*
# - **测量值：** 在陌生人小区里，好人榜、诚信榜恢复了约 0.07，线上群约 0.02，两者合用约 0.07（线上群在公示榜之外几乎不再增加），约为熟人小区的一半。它们起作用的渠道同样是假定的（可见度加成 +0.3、+0.1），所以这说明的是"假如公示能让人被看见，它值多少"，而不是"公示能让人被看见"。
#
#   *__Measured:__ among strangers, public rolls bring back about 0.07, online groups about 0.02, both together about 0.07 (online groups add almost nothing to the rolls): about half of what acquaintance gives. Their channel is assumed too (visibility bonuses of +0.3 and +0.1), so this says what publishing is worth **if** it makes people seen, not **that** it does.*
#
# **课堂讨论 · Questions for the class**
#
# 1. 模型假定"没有人看见，面子就不起作用"。在你熟悉的小区里，这个假定成立吗？新建商品房小区和老单位宿舍有什么不同？
#
#    *The model assumes that face does nothing where nobody sees. Does that hold in compounds you know? How do new commercial estates differ from old work-unit dormitories?*
# 2. 诚信榜公布的是全小区的缴费情况。如果只有三成住户缴费，公布出来会鼓励还是打击其他人？（模型里，住户看到的缴费比例低于自己的阈值时，面子反而会压低缴费。）
#
#    *The credit roll publishes the compound's payment rate. If only three in ten pay, does publishing that encourage or discourage the others? (In the model a published rate below one's threshold pushes contribution down.)*
# 3. 线上群的效果在这里较小，这取决于两个假定参数（可见度 +0.1、覆盖 0.2）。在真实小区里，你会怎样测量它们？
#
#    *Online groups do less here, which rests on two assumed parameters (visibility +0.1, reach 0.2). How would you measure them in a real compound?*
#
# **更大的运行 · A bigger run:** 模式检验（`tests/test_patterns_designs.py`）用 20 个种子；也可以用 `configs/sweeps/face_acquaintance.yaml` 做面子权重 × 熟识度的全因子扫描（`sim sweep`，490 次运行）。
#
# *The pattern test (`tests/test_patterns_designs.py`) uses 20 seeds; the sweep `configs/sweeps/face_acquaintance.yaml` crosses face weight with acquaintance on a full grid (`sim sweep`, 490 runs).*
