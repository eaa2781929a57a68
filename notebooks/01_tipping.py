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
# # 第 1 课　集体行动的困境与"临界点"
# # Lesson 1: The collective-action dilemma and tipping
#
# 约 20 分钟。在线性阈值模型中重现格兰诺维特（Granovetter, 1978）的"骚乱"，再看一个小区需要多少带头人，合作才会扩散开。
#
# *About 20 minutes. We reproduce Granovetter's (1978) riot with the linear threshold rule, then ask how many activists a compound needs before cooperation spreads.*

# %% [markdown]
# > 运行方法：从上到下依次运行每个单元格（Shift+Enter），或选择菜单"运行 → 运行全部单元格"。每次运行都固定了随机种子，结果可以重现。
# >
# > *How to run: run the cells top to bottom (Shift+Enter), or Run → Run All Cells. Every run has a fixed random seed, so the results can be reproduced.*

# %% [markdown]
# ## 1. 问题 · Question
#
# 修路灯、清垃圾、交物业费，人人受益；可是单独一户出力并不划算：别人都出力时，"搭便车"最省事；别人都不出力时，自己出力也是白费。很多居民的想法是"别人做，我就做"。那么：**要有多少带头人（积极分子），整个小区才会动起来？为什么有时一个人的差别就决定了成败？**
#
# *Mending the street lights, clearing rubbish, paying the fee: everyone gains, but no single household gains by doing it alone. When all the others contribute, free-riding is easiest; when nobody does, contributing is wasted. Many residents think "I will if others do". **How many committed activists does a compound need before everyone moves? And why can one person make all the difference?***

# %% [markdown]
# ## 2. 模型怎么表示 · How the model represents it
#
# 湖里的案例这样描述"大社区"模式下的小区：
#
# > 「最终使得社区治理陷入了“集体行动”“零和博弈”“公地悲剧”的困境当中,基层治理走向失效。」\
# > —— `seeds/003_c40e3f56aa563ccc.txt`（厦门湖里）
#
# *The Huli case says the "big community" mode left compound governance "trapped in the dilemmas of 'collective action', 'zero-sum games' and the 'tragedy of the commons'" (seed 003).*
#
# 模型里每一户每月决定是否行动（缴费、守规、志愿、参与议事）。预设 `configs/presets/threshold.yaml` 关掉了成本、信任、政府等其他因素，只保留最简单的规则：**上个月邻居中行动的比例 ≥ 本户的阈值 φ，本户就行动**。"带头人"（committed）无论如何都行动。
#
# *Each household decides every month whether to act (pay, comply, volunteer, take part). The preset `configs/presets/threshold.yaml` switches off cost, trust, government and everything else and keeps the simplest rule: **a household acts when the share of its neighbours who acted last month is at least its threshold φ**. Committed activists act whatever happens.*
#
# 格兰诺维特的例子：100 个人彼此都看得见，阈值分别是 0, 1/99, 2/99, …, 1。阈值为 0 的人（"发起者"）先行动，阈值为 1/99 的人看到 1 个人行动就跟上，然后是 2/99 的人……最后 100 人全部行动。如果只把阈值 1/99 的那个人改成 2/99，会怎样？
#
# *Granovetter's example: 100 people who all see each other, with thresholds 0, 1/99, 2/99, …, 1. The one with threshold 0 (the instigator) acts first; the one with 1/99 follows once one person acts, then the one with 2/99, and so on until all 100 act. What if only the person with threshold 1/99 had 2/99 instead?*

# %% [markdown]
# ## 3. 运行 · Run
#
# ### 3.1 格兰诺维特的"骚乱" · Granovetter's riot

# %%
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import sim
from sim.fonts import use_cjk_font
from sim.quotes import check_quotes

use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
plt.rcParams["figure.dpi"] = 100

# %%
threshold = sim.load_config("threshold")  # configs/presets/threshold.yaml
complete = nx.complete_graph(100)  # 100 户，彼此都看得见 · all see each other


def riot(thresholds: list[float], seed: int = 1) -> np.ndarray:
    """Households acting in each month on the complete graph of 100."""
    scn = threshold.override({"behaviour.threshold": thresholds,
                              "initial.committed": 0})
    model = sim.CompoundModel(scn, rng=seed, network=complete).run(110)
    share = model.datacollector.get_model_vars_dataframe()["contribution_rate"]
    return share.to_numpy() * 100


uniform = [k / 99 for k in range(100)]  # 阈值 0, 1/99, …, 1 · thresholds k/99
moved = uniform.copy()
moved[1] = 2 / 99  # 只改一户：1/99 → 2/99 · one threshold moved
riot_uniform = riot(uniform)
riot_moved = riot(moved)
print(f"阈值 k/99 thresholds k/99:     {riot_uniform[-1]:.0f} 户行动 households act")
print(f"只改一户 one threshold moved: {riot_moved[-1]:.0f} 户行动 households act")

# %% [markdown]
# ### 3.2 临界多数：一个小区需要多少带头人？ · Critical mass: how many activists?
#
# 现在换成一个真实些的小区：`generic_old_compound`，200 户，5 栋楼，邻居网络由同单元、同楼栋和小区内的熟人关系构成。阈值服从均值 0.3、标准差 0.1 的正态分布。我们让带头人从 0 增加到 40，每种情况用 10 个种子，比较两种网络："邻里生疏"（熟识度 0.3）和"熟人小区"（熟识度 0.9）。
#
# *Now a more realistic compound: `generic_old_compound`, 200 households in 5 buildings, whose neighbour network is made of ties within stairwell units, buildings and the compound. Thresholds are normal with mean 0.3 and sd 0.1. We add 0 to 40 committed activists, 10 seeds each, on two networks: few ties (acquaintance 0.3) and many ties (acquaintance 0.9).*

# %%
COMMITTED = range(0, 41, 2)  # 带头人数（共 200 户）· committed activists (of 200)
SEEDS = range(10)  # 课堂用 10 个种子 · 10 seeds for class; ≥ 20 for a paper
NETWORKS = {0.3: "邻里生疏 few ties", 0.9: "熟人小区 many ties"}
THRESHOLDS = {"dist": "normal", "mean": 0.3, "sd": 0.1, "clip": [0.01, 1]}


def scenario(committed: int, acquaintance: float, noise: float = 0.0) -> sim.Scenario:
    """The threshold preset on the generic old compound of 200 households."""
    return threshold.override({"behaviour.threshold": THRESHOLDS,
                               "initial.committed": committed,
                               "community.network.acquaintance": acquaintance,
                               "behaviour.noise": noise})


def share_acting(committed: int, acquaintance: float, seed: int) -> float:
    """Share of households acting once nobody changes any more."""
    model = sim.CompoundModel(scenario(committed, acquaintance), rng=seed)
    model.run(100, until_stable=True)  # 没人再改变时停止 · stop once settled
    df = model.datacollector.get_model_vars_dataframe()
    return df["contribution_rate"].iloc[-1]


acting = {acq: np.array([[share_acting(k, acq, s) for s in SEEDS] for k in COMMITTED])
          for acq in NETWORKS}
tipping, degrees = {}, {}
for acq, label in NETWORKS.items():
    degree = degrees[acq] = np.mean([d for _, d in
                      sim.CompoundModel(scenario(0, acq), rng=0).graph().degree()])
    mean = acting[acq].mean(axis=1)
    tipping[acq] = COMMITTED[int(np.argmax(mean >= 0.5))]
    print(f"{label}: 平均邻居数 mean neighbours {degree:.1f}; 一半以上行动所需带头人 "
          f"activists for a majority: {tipping[acq]}")

# %% [markdown]
# ### 3.3 扩展（选做）：偶然的行动 · Extension (optional): chance actions
#
# 阈值规则是确定性的。加入"噪声"（`behaviour.noise`，logit 温度）后，居民偶尔会违背规则行动或不行动。偶然的行动能不能代替带头人？（熟人小区，每点 5 个种子，取最后 12 个月的平均。）
#
# *The threshold rule is deterministic. With noise (`behaviour.noise`, a logit temperature) households now and then act against the rule. Can chance actions stand in for activists? (Many ties; 5 seeds per point; mean of the last 12 months.)*

# %%
NOISES = (0.0, 0.02, 0.05)
FEW = range(0, 21, 2)


def share_acting_noisy(committed: int, noise: float, seed: int) -> float:
    """Mean share acting over the last 12 of 48 months, with noise."""
    model = sim.CompoundModel(scenario(committed, 0.9, noise), rng=seed).run(48)
    df = model.datacollector.get_model_vars_dataframe()
    return df["contribution_rate"].iloc[-12:].mean()


noisy = {t: [np.mean([share_acting_noisy(k, t, s) for s in range(5)]) for k in FEW]
         for t in NOISES}

# %% [markdown]
# ## 4. 图 · Plot
#
# ### 4.1 格兰诺维特的"骚乱" · Granovetter's riot

# %%
fig, ax = plt.subplots(figsize=(8, 4.2))
ax.plot(riot_uniform, lw=2.5, label="阈值 0, 1/99, …, 1 · thresholds k/99")
ax.plot(riot_moved, lw=2.5, ls="--", label="只把 1/99 改为 2/99 · one threshold moved")
ax.set_xlabel("月份 month")
ax.set_ylabel("行动户数 households acting (of 100)")
ax.set_title("格兰诺维特的「骚乱」：100 户完全图 · Granovetter's riot, complete graph")
ax.set_ylim(-3, 105)
ax.legend(frameon=False, loc="upper left")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ### 4.2 临界多数 · Critical mass
#
# 实线是 10 个种子的平均，点是每个种子，虚线标出一半以上住户行动所需的带头人数。
#
# *Lines: mean of the 10 seeds; dots: each seed; dotted lines: the activists needed for a majority to act.*

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for i, (acq, label) in enumerate(NETWORKS.items()):
    color = f"C{i}"
    ax.plot(COMMITTED, acting[acq].mean(axis=1), "-o", color=color, lw=2,
            label=f"{label}（熟识度 acquaintance {acq}）")
    for k, values in zip(COMMITTED, acting[acq], strict=True):
        ax.scatter([k] * len(values), values, s=8, color=color, alpha=0.3)
    ax.axvline(tipping[acq], color=color, ls=":", lw=1.5)
ax.set_xlabel("带头人数 committed activists (of 200 households)")
ax.set_ylabel("最终行动比例 share acting at the end")
ax.set_title("临界多数：合作何时扩散 · Critical mass: when cooperation spreads\n"
             "10 个种子（点）及均值（线）· 10 seeds (dots) and their mean (line)")
ax.legend(frameon=False, loc="lower right")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ### 4.3 扩展：偶然的行动 · Extension: chance actions

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for t, values in noisy.items():
    ax.plot(FEW, values, "-o", lw=2, label=f"噪声 noise {t}")
ax.set_xlabel("带头人数 committed activists (of 200 households)")
ax.set_xticks(FEW)
ax.set_ylabel("行动比例 share acting")
ax.set_title("偶然的行动也能引发扩散 · Chance actions can tip the compound too")
ax.legend(frameon=False)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# **核对 · Check.** 下面的讨论引用的数字，逐个与本次运行的结果核对（引用的数字应是运行结果按所引位数四舍五入的值）。模型改了而课文没改时，这个单元格会报错并指出哪个数字过时。
#
# *The figures the discussion below quotes, each checked against this run (each must be the run's value rounded to the digits quoted). When the model changes and the text does not, this cell fails and names the stale figure.*

# %%
check_quotes({
    "阈值 k/99：最终行动户数 thresholds k/99: households acting": ("100", riot_uniform[-1]),
    "全部行动的月份 month all act": ("100", int(np.argmax(riot_uniform >= 100))),
    "只改一户 one threshold moved": ("1", riot_moved[-1]),
    "邻里生疏：平均邻居数 few ties: mean neighbours": ("4", degrees[0.3]),
    "熟人小区：平均邻居数 many ties: mean neighbours": ("13", degrees[0.9]),
    "邻里生疏：一半以上所需带头人 few ties: activists for a majority": ("8", tipping[0.3]),
    "熟人小区：所需带头人 many ties: activists for a majority": ("14", tipping[0.9]),
})

# %% [markdown]
# ## 5. 讨论 · Discussion
#
# **教师应该看到 · What a teacher should see**
#
# - 阈值为 0, 1/99, …, 1 时，每月多一户行动，大约 100 个月后 100 户全部行动；只改一户的阈值，只有发起者 1 户行动。两组人的平均阈值几乎相同，结果却天差地别。
#
#   *With thresholds 0, 1/99, …, 1 one more household acts each month and all 100 act after about 100 months; move one threshold and only the instigator acts. The two crowds have almost the same mean threshold and opposite outcomes.*
# - 在 200 户的小区里存在"临界点"：带头人少于临界值时合作几乎不扩散，超过之后迅速扩散到几乎所有人（没有任何邻居的少数住户除外）。邻里生疏的网络（平均约 4 个邻居）大约 8 个带头人就能带动一半以上住户；熟人小区（平均约 13 个邻居）需要约 14 个。同样的带头人数，不同种子（点）的结局可能完全不同：临界点附近，偶然性很大。
#
#   *In the compound of 200 there is a tipping point: below it cooperation hardly spreads, above it it reaches almost everyone (except the few households without any neighbour). With few ties (about 4 neighbours each) about 8 activists bring a majority along; with many ties (about 13 neighbours) it takes about 14. Near the tipping point the same number of activists can end either way (the dots): chance matters most there.*
# - 加入一点噪声后，即使没有带头人，偶然的行动也会把小区推过临界点。
#
#   *With a little noise, chance actions push the compound over the tipping point even without activists.*
#
# **课堂讨论 · Questions for the class**
#
# 1. 两组人的"平均态度"几乎一样，为什么结果完全不同？只看问卷里的平均意愿，能预测一次动员的成败吗？
#
#    *The two crowds hold almost the same average attitude. Why do the outcomes differ? Can an average from a survey predict whether a mobilisation succeeds?*
# 2. 为什么熟人多的小区反而需要更多带头人？（提示：每户看到的是邻居中行动者的比例。）这与党员中心户、楼道长"分片包干"有什么关系？
#
#    *Why does the compound with more ties need more activists? (Hint: a household sees the share of its neighbours who act.) What does this say about party-member households and stairwell leaders each looking after one patch?*
# 3. 模型中的带头人是随机分布的。如果他们都住在同一个单元，结果会怎样？可以把 `initial.committed` 设为一组住户编号来试试。
#
#    *Here the activists are spread at random. What if they all lived in one stairwell? Try it: `initial.committed` also takes a list of household ids.*
#
# **更大的运行 · A bigger run:** 论文中应使用 ≥ 20 个种子、更细的带头人网格，并比较更多网络（例如 `network=nx.watts_strogatz_graph(200, 8, 0.1)`）。
#
# *For a paper use ≥ 20 seeds, a finer grid of activists and more networks (e.g. `network=nx.watts_strogatz_graph(200, 8, 0.1)`).*
