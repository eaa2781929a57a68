"""Build the teaching notebooks (``notebooks/NN_*.ipynb``) from the lessons in this file.

The notebooks are stored without outputs; this script is their source. Edit a lesson below,
then run ``.venv/bin/python notebooks/make_notebooks.py`` to rewrite the ``.ipynb`` files
(``--check`` only reports whether they are up to date; ``tests/test_notebooks.py`` checks
the same). Markdown is written wrapped to the line limit: :func:`unwrap` joins the lines of
each paragraph again (with no space between Chinese characters).

本脚本是教学笔记本的源文件：修改下面的课程内容后运行本脚本，重新生成 ``.ipynb`` 文件。
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import nbformat

HERE = Path(__file__).resolve().parent
"""The notebooks folder."""

Cell = tuple[str, str]
"""A cell: its type (``markdown`` or ``code``) and its source."""

BLOCK_START = re.compile(r"^(#|- |\* |>|\||```|\d+\. )")
"""Markdown lines that start a new block instead of continuing a paragraph."""

METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}
"""Notebook metadata: the python3 kernel."""


def _ideograph(ch: str) -> bool:
    """Whether a character is a Chinese character."""
    return "\u2e80" <= ch <= "\u9fff" and not _punctuation(ch)


def _punctuation(ch: str) -> bool:
    """Whether a character is full-width punctuation (never a space next to it)."""
    return "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _separator(left: str, right: str) -> str:
    """What joins two wrapped lines: a space, or nothing where Chinese meets Chinese.

    Nothing between two Chinese characters, next to full-width punctuation, or between a
    Chinese character and ASCII punctuation (``"``, ``,``, ``*``); a space between Latin
    words and between Chinese and a Latin letter, digit or code span (``第 4 个月``).
    """
    if _punctuation(left) or _punctuation(right):
        return ""
    if _ideograph(left) and _ideograph(right):
        return ""
    if _ideograph(left) or _ideograph(right):
        other = right if _ideograph(left) else left
        return " " if other.isalnum() or other == "`" else ""
    return " "


def unwrap(text: str) -> str:
    """Join the wrapped lines of each markdown paragraph, list item and block quote.

    A line continues the previous one unless either is blank, the line starts a block
    (heading, list item, quote, table row, fence) or the previous one is a heading, a
    complete table row (ending in ``|``) or a fence; a quote line continues a quote. Lines
    inside fences are kept. Joined lines meet as :func:`_separator` says. A quote's
    attribution (a quote line starting with ——) stays on a line of its own (after a hard
    line break).

    Args:
        text: Markdown as written in this file (indented, wrapped).

    Returns:
        The markdown with one line per paragraph.
    """
    out: list[str] = []
    fence = False
    for line in dedent(text).strip().splitlines():
        if line.startswith("```"):
            fence = not fence
            out.append(line)
            continue
        prev = out[-1] if out else ""
        quoted = prev.startswith(">") and line.startswith("> ")
        piece = line[2:].strip() if quoted else line.strip()
        joins = (not fence and prev.strip() != "" and piece != ""
                 and not prev.startswith(("#", "```")) and prev.strip() != ">"
                 and not (prev.startswith("|") and prev.endswith("|"))
                 and (quoted or not BLOCK_START.match(line)))
        if joins and quoted and piece.startswith("——"):
            out[-1] = prev + "\\"  # the attribution of a quote on a line of its own
            out.append(line)
        elif joins:
            out[-1] = prev + _separator(prev[-1], piece[0]) + piece
        else:
            out.append(line)
    return "\n".join(out)


def md(text: str) -> Cell:
    """A markdown cell (paragraphs unwrapped)."""
    return ("markdown", unwrap(text))


def code(text: str) -> Cell:
    """A code cell (dedented)."""
    return ("code", dedent(text).strip())




HOW_TO_RUN = md('''
    > 运行方法：从上到下依次运行每个单元格（Shift+Enter），或选择菜单"运行 → 运行全部单元格"。
    > 每次运行都固定了随机种子，结果可以重现。
    >
    > *How to run: run the cells top to bottom (Shift+Enter), or Run → Run All Cells. Every
    > run has a fixed random seed, so the results can be reproduced.*
''')
"""The note under every lesson's title."""


# ----------------------------------------------------------------------------- lesson 1


def lesson_01() -> list[Cell]:
    """Lesson 1: the collective-action dilemma, Granovetter's riot and critical mass."""
    return [
        md('''
            # 第 1 课　集体行动的困境与"临界点"
            # Lesson 1: The collective-action dilemma and tipping

            约 20 分钟。在线性阈值模型中重现格兰诺维特（Granovetter, 1978）的"骚乱"，
            再看一个小区需要多少带头人，合作才会扩散开。

            *About 20 minutes. We reproduce Granovetter's (1978) riot with the linear threshold
            rule, then ask how many activists a compound needs before cooperation spreads.*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            修路灯、清垃圾、交物业费，人人受益；可是单独一户出力并不划算：别人都出力时，"搭便车"
            最省事；别人都不出力时，自己出力也是白费。很多居民的想法是"别人做，我就做"。
            那么：**要有多少带头人（积极分子），整个小区才会动起来？为什么有时一个人的差别就决定了
            成败？**

            *Mending the street lights, clearing rubbish, paying the fee: everyone gains, but no
            single household gains by doing it alone. When all the others contribute, free-riding
            is easiest; when nobody does, contributing is wasted. Many residents think "I will if
            others do". **How many committed activists does a compound need before everyone
            moves? And why can one person make all the difference?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            湖里的案例这样描述"大社区"模式下的小区：

            > 「最终使得社区治理陷入了“集体行动”“零和博弈”“公地悲剧”的困境当中,基层治理走向失效。」
            > —— `seeds/003_c40e3f56aa563ccc.txt`（厦门湖里）

            *The Huli case says the "big community" mode left compound governance "trapped in the
            dilemmas of 'collective action', 'zero-sum games' and the 'tragedy of the commons'"
            (seed 003).*

            模型里每一户每月决定是否行动（缴费、守规、志愿、参与议事）。预设
            `configs/presets/threshold.yaml` 关掉了成本、信任、政府等其他因素，只保留最简单的规则：
            **上个月邻居中行动的比例 ≥ 本户的阈值 φ，本户就行动**。"带头人"（committed）无论如何都
            行动。

            *Each household decides every month whether to act (pay, comply, volunteer, take
            part). The preset `configs/presets/threshold.yaml` switches off cost, trust,
            government and everything else and keeps the simplest rule: **a household acts when
            the share of its neighbours who acted last month is at least its threshold φ**.
            Committed activists act whatever happens.*

            格兰诺维特的例子：100 个人彼此都看得见，阈值分别是 0, 1/99, 2/99, …, 1。阈值为 0
            的人（"发起者"）先行动，阈值为 1/99 的人看到 1 个人行动就跟上，然后是 2/99 的人……
            最后 100 人全部行动。如果只把阈值 1/99 的那个人改成 2/99，会怎样？

            *Granovetter's example: 100 people who all see each other, with thresholds 0, 1/99,
            2/99, …, 1. The one with threshold 0 (the instigator) acts first; the one with
            1/99 follows once one person acts, then the one with 2/99, and so on until all 100
            act. What if only the person with threshold 1/99 had 2/99 instead?*
        '''),
        md('''
            ## 3. 运行 · Run

            ### 3.1 格兰诺维特的"骚乱" · Granovetter's riot
        '''),
        code('''
            import matplotlib.pyplot as plt
            import networkx as nx
            import numpy as np

            import sim
            from sim.fonts import use_cjk_font

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
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
        '''),
        md('''
            ### 3.2 临界多数：一个小区需要多少带头人？ · Critical mass: how many activists?

            现在换成一个真实些的小区：`generic_old_compound`，200 户，5 栋楼，邻居网络由同单元、
            同楼栋和小区内的熟人关系构成。阈值服从均值 0.3、标准差 0.1 的正态分布。我们让带头人
            从 0 增加到 40，每种情况用 10 个种子，比较两种网络："邻里生疏"（熟识度 0.3）和
            "熟人小区"（熟识度 0.9）。

            *Now a more realistic compound: `generic_old_compound`, 200 households in 5
            buildings, whose neighbour network is made of ties within stairwell units, buildings
            and the compound. Thresholds are normal with mean 0.3 and sd 0.1. We add 0 to 40
            committed activists, 10 seeds each, on two networks: few ties (acquaintance 0.3)
            and many ties (acquaintance 0.9).*
        '''),
        code('''
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
            tipping = {}
            for acq, label in NETWORKS.items():
                degree = np.mean([d for _, d in
                                  sim.CompoundModel(scenario(0, acq), rng=0).graph().degree()])
                mean = acting[acq].mean(axis=1)
                tipping[acq] = COMMITTED[int(np.argmax(mean >= 0.5))]
                print(f"{label}: 平均邻居数 mean neighbours {degree:.1f}; 一半以上行动所需带头人 "
                      f"activists for a majority: {tipping[acq]}")
        '''),
        md('''
            ### 3.3 扩展（选做）：偶然的行动 · Extension (optional): chance actions

            阈值规则是确定性的。加入"噪声"（`behaviour.noise`，logit 温度）后，居民偶尔会违背
            规则行动或不行动。偶然的行动能不能代替带头人？（熟人小区，每点 5 个种子，取最后 12 个月
            的平均。）

            *The threshold rule is deterministic. With noise (`behaviour.noise`, a logit
            temperature) households now and then act against the rule. Can chance actions stand
            in for activists? (Many ties; 5 seeds per point; mean of the last 12 months.)*
        '''),
        code('''
            NOISES = (0.0, 0.02, 0.05)
            FEW = range(0, 21, 2)


            def share_acting_noisy(committed: int, noise: float, seed: int) -> float:
                """Mean share acting over the last 12 of 48 months, with noise."""
                model = sim.CompoundModel(scenario(committed, 0.9, noise), rng=seed).run(48)
                df = model.datacollector.get_model_vars_dataframe()
                return df["contribution_rate"].iloc[-12:].mean()


            noisy = {t: [np.mean([share_acting_noisy(k, t, s) for s in range(5)]) for k in FEW]
                     for t in NOISES}
        '''),
        md('''
            ## 4. 图 · Plot

            ### 4.1 格兰诺维特的"骚乱" · Granovetter's riot
        '''),
        code('''
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
        '''),
        md('''
            ### 4.2 临界多数 · Critical mass

            实线是 10 个种子的平均，点是每个种子，虚线标出一半以上住户行动所需的带头人数。

            *Lines: mean of the 10 seeds; dots: each seed; dotted lines: the activists needed for
            a majority to act.*
        '''),
        code('''
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
            ax.set_title("临界多数：合作何时扩散 · Critical mass: when cooperation spreads\\n"
                         "10 个种子（点）及均值（线）· 10 seeds (dots) and their mean (line)")
            ax.legend(frameon=False, loc="lower right")
            ax.grid(alpha=0.3)
            plt.show()
        '''),
        md('''
            ### 4.3 扩展：偶然的行动 · Extension: chance actions
        '''),
        code('''
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
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - 阈值为 0, 1/99, …, 1 时，每月多一户行动，大约 100 个月后 100 户全部行动；只改一户的阈
              值，
              只有发起者 1 户行动。两组人的平均阈值几乎相同，结果却天差地别。

              *With thresholds 0, 1/99, …, 1 one more household acts each month and all 100
              act after about 100 months; move one threshold and only the instigator acts. The
              two crowds have almost the same mean threshold and opposite outcomes.*
            - 在 200 户的小区里存在"临界点"：带头人少于临界值时合作几乎不扩散，超过之后迅速扩散到
              几乎所有人（没有任何邻居的少数住户除外）。邻里生疏的网络（平均约 4 个邻居）大约 8
              个带头人就能带动一半以上住户；熟人小区（平均约 13 个邻居）需要约 14 个。同样的带头人
              数，
              不同种子（点）的结局可能完全不同：临界点附近，偶然性很大。

              *In the compound of 200 there is a tipping point: below it cooperation hardly
              spreads, above it it reaches almost everyone (except the few households without
              any neighbour). With few ties (about 4 neighbours each) about 8 activists bring a
              majority along; with many ties (about 13 neighbours) it takes about 14. Near the
              tipping point the same number of activists can end either way (the dots): chance
              matters most there.*
            - 加入一点噪声后，即使没有带头人，偶然的行动也会把小区推过临界点。

              *With a little noise, chance actions push the compound over the tipping point
              even without activists.*

            **课堂讨论 · Questions for the class**

            1. 两组人的"平均态度"几乎一样，为什么结果完全不同？只看问卷里的平均意愿，能预测一次动员
               的成败吗？

               *The two crowds hold almost the same average attitude. Why do the outcomes
               differ? Can an average from a survey predict whether a mobilisation succeeds?*
            2. 为什么熟人多的小区反而需要更多带头人？（提示：每户看到的是邻居中行动者的比例。）
               这与党员中心户、楼道长"分片包干"有什么关系？

               *Why does the compound with more ties need more activists? (Hint: a household
               sees the share of its neighbours who act.) What does this say about
               party-member households and stairwell leaders each looking after one patch?*
            3. 模型中的带头人是随机分布的。如果他们都住在同一个单元，结果会怎样？可以把
               `initial.committed` 设为一组住户编号来试试。

               *Here the activists are spread at random. What if they all lived in one
               stairwell? Try it: `initial.committed` also takes a list of household ids.*

            **更大的运行 · A bigger run:** 论文中应使用 ≥ 20 个种子、更细的带头人网格，并比较更多
            网络（例如 `network=nx.watts_strogatz_graph(200, 8, 0.1)`）。

            *For a paper use ≥ 20 seeds, a finer grid of activists and more networks (e.g.
            `network=nx.watts_strogatz_graph(200, 8, 0.1)`).*
        '''),
    ]



# ----------------------------------------------------------------------------- lesson 2


def lesson_02() -> list[Cell]:
    """Lesson 2: face needs visibility (stairwell ties, public rolls, online groups)."""
    return [
        md('''
            # 第 2 课　面子与可见性
            # Lesson 2: Face and visibility

            约 20 分钟。"面子机制"在熟人小区和陌生人小区里是否同样有效？好人榜、诚信榜和业主微信群
            能不能
            让陌生人之间也"有面子"？

            *About 20 minutes. Does face pressure work as well among strangers as among
            acquaintances? Can public rolls and online groups give strangers a face to keep?*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            崇川的经验把"面子"和声誉称为小区治理的"内生压力机制"。可是在流动人口多、邻里互不相识的
            小区，
            谁会看到你交没交物业费？**面子起作用，需要什么条件？公示和线上群能否替代熟人关系？**

            *Chongchuan calls face and reputation the "internal pressure mechanism" of compound
            governance. But in a compound of tenants and strangers, who sees whether you paid
            your fee? **What does face need in order to work? Can public rolls and online groups
            stand in for knowing one's neighbours?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            > 「无论是在熟人社区还是“熟悉的陌生人”社区中,内生压力机制通过“面子机制”、声誉机制发挥效
            > 力。」「设置小区好人榜、诚信榜,公示新风典型和包括物业费缴纳情况的诚信案例」
            > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）
            >
            > 「首先,疏通信息共享渠道,破除小区“陌生人”困局。」
            > —— `seeds/003_c40e3f56aa563ccc.txt`（厦门湖里）

            *Seed 000: face and reputation work "in acquaintance communities and in communities
            of 'familiar strangers'"; compounds set up good-people and credit rolls that publish
            who pays the property fee. Seed 003: open channels for sharing information to
            "break the compound's 'strangers' deadlock".*

            在模型中，面子是效用里的一项：本户看到的邻居行动比例与自己的阈值之差，乘以面子权重
            （`behaviour.weights.face`，默认 1.5）、本户的面子敏感度，以及**本户的选择有多"可见"**
            ：

            *In the model face is one term of a household's utility: the gap between the share of
            acting neighbours it sees and its own threshold, times the face weight
            (`behaviour.weights.face`, 1.5 by default), its face sensitivity, and **how visible
            its own choice is**:*

            ```
            可见度 visibility = base (0)
                + ties (0.2) × [有邻居 has a neighbour]
                + stairwell (0.6) × 认识的同单元住户比例 share of its stairwell it knows
                + 制度加成 bonus of institutions (rolls, online groups, leaders)
            ```

            没有任何邻居的住户没人看得见，面子对它不起作用。诚信榜（`public_rolls`）让缴费更可见
            （+0.3），并公布全小区的缴费率；线上群（`online_tools`）让所有行动更可见（+0.1），
            也让住户看到全小区的情况。熟识度 `community.network.acquaintance`
            从 0（陌生人）到 1（熟人）决定邻居关系的多少。

            *Nobody sees a household without neighbours, so face does nothing to it. The credit
            roll (`public_rolls`) makes paying more visible (+0.3) and publishes the compound's
            payment rate; online groups (`online_tools`) make every action more visible (+0.1)
            and show the whole compound. Acquaintance, `community.network.acquaintance`, from 0
            (strangers) to 1 (acquaintances), sets how many ties neighbours have.*
        '''),
        md('''
            ## 3. 运行 · Run

            先看看默认参数和不同熟识度下的邻居网络。

            *First, the default parameters and the neighbour network at each level of
            acquaintance.*
        '''),
        code('''
            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd

            import sim
            from sim.experiments.compare import t_interval
            from sim.fonts import use_cjk_font
            from sim.patterns import face_effect

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
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
        '''),
        md('''
            **实验设计 · The experiment.** `sim.patterns.face_effect` 在 10 个老旧小区（共 2,000 户
            ，
            基线治理）上运行 60 个月，比较同一种子下面子权重 1.5 与 0 的缴费率（第 13–60 月平均）：
            差值就是"面子效应"。每种情形用 10 个种子。

            *`sim.patterns.face_effect` runs ten generic old compounds (2,000 households, baseline
            institutions) for 60 months and compares, seed by seed, the contribution rate
            (months 13–60) with face weight 1.5 against 0: the difference is the effect of face.
            10 seeds per case.*
        '''),
        code('''
            SEEDS = range(10)  # 课堂用 10 个种子 · 10 seeds for class; the test uses 20
            by_level = {acq: face_effect(acq, seeds=SEEDS) for acq in LEVELS}
            ARMS = {
                "陌生人\\nstrangers": {},
                "+ 好人榜、诚信榜\\n+ public rolls": {"public_rolls": {}},
                "+ 线上群\\n+ online tools": {"online_tools": {}},
                "+ 两者\\n+ both": {"public_rolls": {}, "online_tools": {}},
            }
            by_arm = {name: face_effect(0.0, extra, seeds=SEEDS) for name, extra in ARMS.items()}

            rows = [(f"熟识度 acquaintance {acq}", effects) for acq, effects in by_level.items()]
            rows += [(f"熟识度 0 {name.replace(chr(10), ' ')}", e) for name, e in by_arm.items()]
            table = pd.DataFrame([(case, *t_interval(e)[:3]) for case, e in rows],
                                 columns=["情形 case", "面子效应 effect", "95% 下限 low",
                                          "95% 上限 high"])
            table.round(3)
        '''),
        md('''
            ## 4. 图 · Plot
        '''),
        code('''
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
            left.set_xticks(LEVELS, ["0\\n陌生人\\nstrangers", "0.3", "0.6",
                                     "0.9\\n熟人\\nacquainted"])
            left.set_xlabel("熟识度 acquaintance")
            left.set_ylabel("面子对缴费率的效应\\neffect of face on contribution rate\\n"
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
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - 熟人小区（熟识度 0.9）里，面子使缴费率提高约 0.12（12 个百分点）；熟识度 0.6 时
              约 0.09，
              0.3 时约 0.06；在陌生人小区（熟识度 0）里效应为 0：没有人看得见你。

              *Among acquaintances (0.9) face raises the contribution rate by about 0.12 (12
              percentage points), at 0.6 by about 0.09, at 0.3 by about 0.06; among strangers
              (0) by exactly 0: nobody sees you.*
            - 在陌生人小区里，好人榜、诚信榜恢复了约 0.05，线上群约 0.02，两者合用约 0.075，
              约为熟人小区的三分之二。

              *Among strangers, public rolls bring back about 0.05, online groups about 0.02,
              both together about 0.075: some two thirds of what acquaintance gives.*

            **课堂讨论 · Questions for the class**

            1. 模型假定"没有人看见，面子就不起作用"。在你熟悉的小区里，这个假定成立吗？新建商品房小
               区和
               老单位宿舍有什么不同？

               *The model assumes that face does nothing where nobody sees. Does that hold in
               compounds you know? How do new commercial estates differ from old work-unit
               dormitories?*
            2. 诚信榜公布的是全小区的缴费情况。如果只有三成住户缴费，公布出来会鼓励还是打击其他人？
               （模型里，住户看到的缴费比例低于自己的阈值时，面子反而会压低缴费。）

               *The credit roll publishes the compound's payment rate. If only three in ten pay,
               does publishing that encourage or discourage the others? (In the model a
               published rate below one's threshold pushes contribution down.)*
            3. 线上群的效果在这里较小，这取决于两个假定参数（可见度 +0.1、覆盖 0.2）。在真实小区里
               ，
               你会怎样测量它们？

               *Online groups do less here, which rests on two assumed parameters (visibility
               +0.1, reach 0.2). How would you measure them in a real compound?*

            **更大的运行 · A bigger run:** 模式检验（`tests/test_patterns_designs.py`）用 20
            个种子；也可以用 `configs/sweeps/face_acquaintance.yaml` 做面子权重 × 熟识度的全因子扫
            描
            （`sim sweep`，490 次运行）。

            *The pattern test (`tests/test_patterns_designs.py`) uses 20 seeds; the sweep
            `configs/sweeps/face_acquaintance.yaml` crosses face weight with acquaintance on a
            full grid (`sim sweep`, 490 runs).*
        '''),
    ]


# ----------------------------------------------------------------------------- lesson 3


def lesson_03() -> list[Cell]:
    """Lesson 3: Nan'an's 131 against the baseline on the Yimin compound (the street lights)."""
    return [
        md('''
            # 第 3 课　移民小区的路灯：南岸"131"与行政主导基线
            # Lesson 3: The Yimin compound's street lights — Nan'an's "131" and the baseline

            约 25 分钟。同一个小区、同一批住户、同样坏掉的路灯：在两种治理模式下，路灯什么时候修好
            ？
            谁出的钱？

            *About 25 minutes. The same compound, the same households, the same broken lights:
            under two governance designs, when are the lights fixed, and who pays?*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            重庆南岸区的移民小区没有物业，开发商早已撤场，路灯坏了一大半，多年无人负责。
            **在"党组织引领 + 议事会、业委会、监委会 + 居民公约"的"131"模式下，居民能否自己把路灯修
            好？
            和"等政府来修"的行政主导模式相比，快多少、花谁的钱？**

            *The Yimin compound in Nan'an, Chongqing, has no property firm, the developer is long
            gone, and half its street lights have been broken for years. **Under "131" — one party
            organisation leading, three bodies (deliberation council, owners' committee,
            supervisory committee), one long-term mechanism (the covenant) — can residents fix
            the lights themselves? Compared with waiting for the government, how much sooner,
            and with whose money?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            > 「由于年久失修,小区27个单元的路灯坏了一大半,夜晚出行十分不便。」「最终,在小区党支部的
            > 组织下,移民小区召开多次议事会讨论,最后决定每家每户“打平伙”解决路灯维修问题。」「最后
            > ,27个单元的几十个路灯重新亮了起来,而一千余居民只出了3000块钱的材料费。」
            > —— `seeds/001_c8a73fb9116a957f.txt`（重庆南岸）

            *Seed 001: the lights of the 27 stairwell units had been broken for years; organised
            by the compound's party branch, several council meetings decided that every
            household would chip in (打平伙); dozens of lights were fixed for 3,000 yuan of
            materials paid by over a thousand residents.*

            - 社区预设 `yimin_compound`：351 户（1,032 位居民）、27 个单元、无物业；第 0 个月就有一
              件
              "路灯"事项（费用 5,000 元）未解决。

              *The community preset `yimin_compound`: 351 households (1,032 residents), 27
              stairwell units, no firm; a "lights" matter (5,000 yuan) is open at month 0.*
            - `baseline`（行政主导）：居委会、街道慢慢处理上报的事项（小事平均约 3 年），每 4 年开
              展
              一次运动式整治，政府出钱。

              *`baseline`: the street office takes reported matters up slowly (small ones in about
              3 years on average) and pays; a renovation campaign every 4 years.*
            - `nanan_131`：网格党支部入户动员；议事会决定"办不办"，业委会决定"怎么办"并"打平伙"筹资
              、
              货比三家，监委会监督；办成的事写入居民公约；"三事分流"把小事交给居民。

              *`nanan_131`: a grid party branch visits households; the council decides whether,
              the owners' committee decides how, pools the money and compares prices, the
              supervisory committee checks; each settled matter becomes a covenant rule; triage
              leaves small matters to residents.*

            每件解决了的事项都记在"事项日志"里（`model.matters.log_frame()`）：何时提出、何时解决、
            谁解决（`handler`）、花了多少钱（`paid`）。

            *Every resolved matter is in the matter log (`model.matters.log_frame()`): when it
            was opened and resolved, who resolved it (`handler`) and what was paid (`paid`).*
        '''),
        md('''
            ## 3. 运行 · Run
        '''),
        code('''
            import tempfile
            from pathlib import Path

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            from IPython.display import Image, display

            import sim
            from sim.fonts import use_cjk_font
            from sim.metrics import label
            from sim.plots import plot_timeseries

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
            DESIGNS = {"nanan_131": "南岸131 Nan'an 131", "baseline": "行政主导基线 baseline"}
            SEEDS = range(20)  # 20 个种子，每个不到 0.1 秒 · 20 seeds, under 0.1 s each
            MONTHS = 60


            def scenario(design: str) -> sim.Scenario:
                """The Yimin compound under a design."""
                return sim.load_config({"community": "yimin_compound", "design": design})


            start = sim.CompoundModel(scenario("nanan_131"), rng=0)
            print("住户 households:", start.population.n)
            start.matters.open_frame()  # 第 0 个月未解决的事项 · open matters at month 0
        '''),
        code('''
            def lights(model: sim.CompoundModel) -> dict:
                """When the lights open at month 0 were fixed, by whom, for how much."""
                log = model.matters.log_frame()
                row = log[(log["type"] == "lights") & (log["opened"] == 0)]
                if row.empty:
                    return {"month": np.nan, "handler": "未修 not fixed", "paid": np.nan}
                return {"month": row["resolved"].iloc[0], "handler": row["handler"].iloc[0],
                        "paid": row["paid"].iloc[0]}


            models = {(d, s): sim.CompoundModel(scenario(d), rng=s).run(MONTHS)
                      for d in DESIGNS for s in SEEDS}
            runs = pd.DataFrame([{"design": d, "seed": s, **lights(m)}
                                 for (d, s), m in models.items()])
            runs["per_household"] = runs["paid"] / start.population.n
            runs.groupby("design").agg(
                fixed=("month", "count"), median_month=("month", "median"),
                mean_paid=("paid", "mean"), per_household=("per_household", "mean"),
            ).round(1)
        '''),
        code('''
            # 谁修的路灯？· Who fixed the lights?
            pd.crosstab(runs["design"], runs["handler"])
        '''),
        code('''
            # 一次运行的事项日志（前 8 件）· The matter log of one run (first 8 matters)
            models[("nanan_131", 0)].matters.log_frame().head(8)
        '''),
        md('''
            ## 4. 图 · Plot

            左图：到第几个月时，有多少比例的运行已经修好路灯。右图：每次运行修好的月份和花费，颜色
            表示谁出的钱
            （`residents` 居民"打平伙"，`government` 政府处理，`campaign` 运动式整治）。

            *Left: the share of runs whose lights are fixed by each month. Right: each run's month
            and cost of the repair, coloured by who paid (`residents`: pooled money;
            `government`; `campaign`: a renovation campaign).*
        '''),
        code('''
            fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
            months = np.arange(MONTHS + 1)
            for i, (design, name) in enumerate(DESIGNS.items()):
                fixed_at = runs.loc[runs["design"] == design, "month"].to_numpy()
                share = [(fixed_at <= m).mean() for m in months]  # NaN (未修) 永远不算 · never
                left.step(months, share, where="post", lw=2.5, color=f"C{i}", label=name)
            left.set_xlabel("月份 month")
            left.set_ylabel("路灯已修好的运行比例\\nshare of runs with the lights fixed")
            left.set_title("(a) 路灯什么时候修好？· When are the lights fixed?")
            left.legend(frameon=False, loc="lower right")

            colors = {"residents": "C2", "government": "C3", "campaign": "C4"}
            for (design, handler), group in runs.dropna().groupby(["design", "handler"]):
                right.scatter(group["month"], group["paid"], s=60, alpha=0.7,
                              color=colors.get(handler, "grey"),
                              marker="o" if design == "nanan_131" else "s",
                              label=f"{DESIGNS[design]} · {handler}")
            right.axhline(3000, color="grey", ls=":", label="案例：3,000 元材料费 · the seed")
            right.set_xlabel("修好的月份 month fixed")
            right.set_ylabel("花费（元）yuan paid")
            right.set_ylim(0, 6000)
            right.set_title("(b) 谁出钱、出多少？· Who paid, and how much?")
            right.legend(frameon=False, fontsize=8, loc="lower right")
            for ax in (left, right):
                ax.grid(alpha=0.3)
            fig.suptitle(f"移民小区，{len(SEEDS)} 个种子 · Yimin compound, {len(SEEDS)} seeds")
            fig.tight_layout()
            plt.show()
        '''),
        md('''
            路灯之外：两种模式下小区的变化（20 个种子的月度平均）。

            *Beyond the lights: how the compound changes under each design (monthly mean over
            the 20 seeds).*
        '''),
        code('''
            COLUMNS = ["participation_rate", "grievance", "condition", "self_funded_share"]
            fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
            for i, design in enumerate(DESIGNS):
                frames = [models[(design, s)].datacollector.get_model_vars_dataframe()
                          for s in SEEDS]
                mean = pd.concat(frames).groupby(level=0).mean()
                for ax, column in zip(axes, COLUMNS, strict=True):
                    ax.plot(mean.index, mean[column], color=f"C{i}", lw=2,
                            label=DESIGNS[design])
            for ax, column in zip(axes, COLUMNS, strict=True):
                ax.set_title(f"{label(column, 'zh')}\\n{label(column, 'en')}")
                ax.set_xlabel("月份 month")
                ax.set_ylim(0, 1)
                ax.grid(alpha=0.3)
            axes[0].legend(frameon=False)
            fig.tight_layout()
            plt.show()
        '''),
        md('''
            `sim.plots.plot_timeseries` 画出一次运行的全部指标（与命令行 `sim run` 的 `figure.png`
            相同），图片写入临时目录。

            *`sim.plots.plot_timeseries` draws every indicator of one run (the `figure.png` of
            `sim run`); the file goes to a temporary folder.*
        '''),
        code('''
            tmp = tempfile.TemporaryDirectory(prefix="lesson3-")
            df = models[("nanan_131", 0)].datacollector.get_model_vars_dataframe()
            path = plot_timeseries(df, lang="zh", path=Path(tmp.name) / "nanan_131.png",
                                   title="移民小区 · 南岸\\"131\\"（种子 0）")
            display(Image(filename=path, width=900))
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - "131"下，20 次运行全部由居民自己修好路灯（`residents`），在第 3–10 个月（中位数第 4
              个月），花费 2,700 元（有居民电工义务出工时）或 4,500 元（货比三家省一成），每户
              约 8–13 元。
              案例中是 3,000 元材料费。

              *Under 131 residents fixed the lights in all 20 runs, in months 3–10 (median: month
              4), for 2,700 yuan (when a resident electrician worked for free) or 4,500 yuan
              (prices compared: 10 % saved), about 8–13 yuan per household. The seed reports
              3,000 yuan of materials.*
            - 基线下，路灯由政府（13 次）或运动式整治（4 次，第 24 个月）出钱修好，每次 5,000 元，
              但要等：修好的运行中位数约 24 个月；20 次中有 3 次五年后仍未修。

              *Under the baseline the government (13 runs) or a campaign (4 runs, month 24) pays
              5,000 yuan, but residents wait: 24 months at the median among the runs where the
              lights get fixed, and in 3 of 20 runs they are still broken after five years.*
            - "131"下议事参与率约 0.10（基线约 0.02），不满情绪约 0.40（基线约 0.61），自筹资金占比
              保持在 0.5 左右（基线降到约 0.15）；基线下小区环境状况在整治后又逐步下滑。

              *Under 131 participation is about 0.10 (baseline 0.02), grievance about 0.40
              (baseline 0.61) and the self-funded share stays near 0.5 (baseline falls to about
              0.15); under the baseline the condition slides back after the campaign.*

            **课堂讨论 · Questions for the class**

            1. 居民"打平伙"花了钱，政府省了钱。为什么居民愿意出这笔钱？模型里是哪些机构起了作用
               （党支部入户、议事会、业委会、监委会）？去掉其中一个会怎样？

               *Residents paid and government saved. Why were residents willing to pay? Which
               bodies did it in the model (branch visits, council, committee, supervisory
               committee)? What happens without one of them?*
            2. 基线下政府修路灯要等很久，而且"修了也会再坏"。这与"等、靠、要"有什么关系？

               *Under the baseline the lights wait a long time and break again. How does this
               relate to "wait for, rely on, ask the government" (等、靠、要)?*
            3. 移民小区住户彼此熟识（熟识度 0.8）。如果换成流动人口多的小区，"131"还会这么快吗？
               （试试把 `scenario(d)` 换成
               `scenario(d).override({"community.network.acquaintance": 0.2})`。）

               *The Yimin households know each other well (acquaintance 0.8). Would 131 work as
               fast in a compound of tenants? (Try replacing `scenario(d)` with
               `scenario(d).override({"community.network.acquaintance": 0.2})`.)*

            **更大的运行 · A bigger run:** 同样的比较也可以一条命令完成并生成报告：
            `sim compare baseline nanan_131 --community yimin_compound --seeds 20`。

            *The same comparison, with a report: `sim compare baseline nanan_131 --community
            yimin_compound --seeds 20`.*
        '''),
    ]


# ----------------------------------------------------------------------------- lesson 4


def lesson_04() -> list[Cell]:
    """Lesson 4: six-party linkage, integration against stacking bodies."""
    return [
        md('''
            # 第 4 课　六方联动：整合还是叠加？
            # Lesson 4: Six-party linkage — integrating bodies or stacking them?

            约 25 分钟。给小区加的治理机构越多越好吗？同样的机构，由党支部作枢纽"联动"起来，
            和各自为政地"叠加"在一起，效果有什么不同？

            *About 25 minutes. Are more governance bodies always better? What changes when the
            same bodies are joined by the party branch as a hub instead of being stacked side by
            side?*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            很多地方的做法是"加机构"：党支部、业委会、议事会、监委会、社会组织、共建单位、楼道长……
            **机构越多，小区治理就越好吗？为什么湖里强调的是"联动"而不是"数量"？**

            *A common answer to poor governance is to add bodies: a party branch, an owners'
            committee, a council, a supervisory committee, social organisations, co-building
            units, stairwell leaders… **Does governance get better with every body added? Why does
            Huli stress linkage rather than numbers?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            > 「在小区党支部的辐辏和带动下,把业主委员会、物业公司、社会组织、共建单位、居民小组等五
            > 个小区治理主体进行有机融合,形成小区治理的合力」
            > —— `seeds/003_c40e3f56aa563ccc.txt`（厦门湖里）
            >
            > 「呈現“意大利面條效應”,同時也衍生出“機制擁堵”的內在困局。」
            > —— `seeds/004_b4a9117ad0e8fea5.txt`（四川蒲江）

            *Seed 003: with the party branch as the hub, the owners' committee, property firm,
            social organisations, co-building units and residents' groups are "organically
            fused" into one force. Seed 004: overlapping mechanisms produce a "spaghetti-bowl
            effect" and "mechanism congestion".*

            模型中，一个小区有 k 个机构时，它们两两之间都要协调：k(k−1)/2 条联系；每条联系都降低
            "协调效率" e（默认每条 0.06）。有六方联动时，党支部是枢纽，只需 k−1 条联系。
            协调效率决定议事会多久开一次会、业委会多快接手事项、党员和楼道长能走访多少住户。
            8 个机构两两协调时 e ≈ 0.37，由枢纽联动时 e ≈ 0.70；党支部和业委会不是"一肩挑"时还要再
            打
            七五折（摩擦）。

            *In the model a compound with k bodies has k(k−1)/2 links to keep up when every body
            deals with every other; each link lowers the coordination efficiency e (by 0.06 by
            default). Under six-party linkage the branch is the hub and there are k−1 links.
            Efficiency sets how often the council meets, how soon the owners' committee takes a
            matter up, and how many households party members and stairwell leaders visit. With
            8 bodies, e ≈ 0.37 stacked and ≈ 0.70 with a hub, times 0.75 (friction) where the
            branch and the owners' committee are not led by one person (一肩挑).*

            实验（`sim.patterns.STACKS`，与模式检验相同）：在昆明和平路社区（108 个院落，5,188 户）
            运行 120 个月，比较四种组合：

            *The experiment (`sim.patterns.STACKS`, as in the pattern test): Heping Road, Kunming
            (108 courtyards, 5,188 households), 120 months, four sets of institutions:*

            | 组合 set | 机构 bodies |
            |---|---|
            | base | 政府服务 + 运动式整治 · government service + campaigns |
            | few | + 党支部、业委会（2 个）· + branch, owners' committee (2) |
            | many | + 议事会、监委会、社会组织、共建理事会、共建单位、楼道长（共 8 个，无枢纽）
            · + 6 more (8, no hub) |
            | hub | 同样 8 个 + 六方联动 · the same 8 + six-party linkage |
        '''),
        md('''
            ## 3. 运行 · Run

            每种组合写成一个设计文件（YAML，和 `configs/designs/` 中的一样），再用
            `sim.experiments.compare.compare` 在相同的 10 个种子上比较（配对比较）。

            *Each set is written as a design file (YAML, like those in `configs/designs/`) and
            `sim.experiments.compare.compare` runs them with the same 10 seeds (paired).*
        '''),
        code('''
            import tempfile
            from pathlib import Path

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            import yaml

            import sim
            from sim.experiments.compare import compare, t_interval
            from sim.fonts import use_cjk_font
            from sim.patterns import STACKS

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
            LABELS = {  # 中文、英文、增加的机构数 · Chinese, English, bodies added
                "base": ("基础", "base", 0),
                "few": ("+ 党支部、业委会", "+ branch, committee", 2),
                "many": ("+ 另外 6 个（无枢纽）", "+ 6 more, no hub", 8),
                "hub": ("同样 8 个 + 六方联动", "same 8 + six-party hub", 8),
            }
            tmp = tempfile.TemporaryDirectory(prefix="lesson4-")
            files = []
            for name, institutions in STACKS.items():
                zh, en, _ = LABELS[name]
                design = {"kind": "design", "name": name, "label_zh": zh, "label_en": en,
                          "institutions": institutions}
                path = Path(tmp.name) / f"{name}.yaml"
                path.write_text(yaml.safe_dump(design, allow_unicode=True), encoding="utf-8")
                files.append(str(path))
            print(path.read_text(encoding="utf-8"))  # 最后一个设计文件 · the last design file
        '''),
        code('''
            SEEDS = range(10)  # 课堂用 10 个种子 · 10 seeds for class; the test uses 20
            comp = compare(files, community="heping_road", seeds=SEEDS, workers=2)  # 约 10 秒
            condition = comp.summary[comp.summary["outcome"] == "condition"]
            condition[["design", "design_label", "mean", "ci_low", "ci_high", "diff", "diff_low",
                       "diff_high", "p_wilcoxon"]].round(3)
        '''),
        md('''
            表中 `mean` 是最后 24 个月小区环境状况的平均（0–1），`diff` 是与第一个设计（base）的配
            对差值及其
            95% 区间。下面算出每增加一个机构的"边际收益"，以及枢纽带来的差值。

            *`mean` is the condition averaged over the last 24 months (0–1); `diff` is the paired
            difference from the first design (base) with its 95 % interval. Below: the return
            per body added, and what the hub adds.*
        '''),
        code('''
            per_seed = comp.runs.pivot(index="seed", columns="design", values="condition")
            first_two = (per_seed["few"] - per_seed["base"]) / 2
            next_six = (per_seed["many"] - per_seed["few"]) / 6
            hub_gain = per_seed["hub"] - per_seed["many"]
            for text, values in (("前 2 个机构，每个 first 2 bodies, each", first_two),
                                 ("再加 6 个，每个 next 6 bodies, each", next_six),
                                 ("枢纽 the hub (hub − many)", hub_gain)):
                mean, low, high, _ = t_interval(values.to_numpy())
                print(f"{text:38s} {mean:+.3f}  [95%: {low:+.3f}, {high:+.3f}]")
        '''),
        md('''
            再看机制：每种组合运行一次（种子 0），逐月记录各院落的平均协调效率 e。

            *And the mechanism: one run of each set (seed 0), recording the mean coordination
            efficiency e over the courtyards every month.*
        '''),
        code('''
            efficiency = {}
            for name, path in zip(STACKS, files, strict=True):
                scn = sim.load_config(path).override({"community": "heping_road"})
                model = sim.CompoundModel(scn, rng=0)
                series = []
                for _ in range(120):
                    model.step()
                    series.append(model.selfgov.efficiency.mean())
                efficiency[name] = np.array(series)
            pd.Series({name: e[-24:].mean() for name, e in efficiency.items()},
                      name="协调效率 efficiency (months 97–120)").round(3)
        '''),
        md('''
            ## 4. 图 · Plot
        '''),
        code('''
            fig, (a, b, c) = plt.subplots(1, 3, figsize=(16, 4.6))
            for name in ("base", "few", "many"):
                mean, low, high, _ = t_interval(per_seed[name].to_numpy())
                a.errorbar(LABELS[name][2], mean, yerr=[[mean - low], [high - mean]], fmt="o",
                           color="C0", capsize=5, ms=8)
                a.annotate(f"{LABELS[name][0]}\\n{mean:.3f}", (LABELS[name][2], mean),
                           xytext=(0, -34), textcoords="offset points", ha="center", fontsize=9)
            a.plot([0, 2, 8], [per_seed[n].mean() for n in ("base", "few", "many")], color="C0",
                   label="机构叠加，无枢纽 stacked, no hub")
            mean, low, high, _ = t_interval(per_seed["hub"].to_numpy())
            a.errorbar(8, mean, yerr=[[mean - low], [high - mean]], fmt="*", color="C3", ms=16,
                       capsize=5, label="同样 8 个 + 六方联动枢纽 same 8 + hub")
            a.annotate(f"{mean:.3f}", (8, mean), xytext=(10, 0), textcoords="offset points",
                       color="C3", va="center")
            a.set_xticks(range(9))
            a.set_xlim(-0.8, 9.5)
            a.set_ylim(per_seed.to_numpy().min() - 0.07, per_seed.to_numpy().max() + 0.03)
            a.set_xlabel("增加的机构数 bodies added")
            a.set_ylabel("小区环境状况 condition (months 97–120)")
            a.set_title("(a) 收益递减 · Diminishing returns")
            a.legend(frameon=False, loc="upper left", fontsize=9)

            months = np.arange(1, 121)
            for i, (name, e) in enumerate(efficiency.items()):
                b.plot(months, e, color=f"C{i}", lw=2, label=LABELS[name][0])
            b.set_xlabel("月份 month")
            b.set_ylabel("协调效率 coordination efficiency e")
            b.set_ylim(0, 1.05)
            b.set_title("(b) 机制：协调效率（种子 0）· Mechanism: efficiency")
            b.legend(frameon=False, fontsize=9)

            mean_q = comp.timeseries.groupby(["design", "month"])["condition"].mean()
            for i, name in enumerate(STACKS):
                c.plot(mean_q[name].index, mean_q[name].to_numpy(), color=f"C{i}", lw=2,
                       label=LABELS[name][0])
            c.set_xlabel("月份 month")
            c.set_ylabel("小区环境状况 condition")
            c.set_title(f"(c) 环境状况，{len(SEEDS)} 个种子平均 · Condition, mean of seeds")
            c.legend(frameon=False, fontsize=9)
            for ax in (a, b, c):
                ax.grid(alpha=0.3)
            fig.suptitle("整合胜于叠加：和平路社区 · Integration beats stacking: Heping Road")
            fig.tight_layout()
            plt.show()
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - 加上党支部和业委会后，环境状况从约 0.44 升到约 0.59，每个机构约 +0.07；再加 6 个机构
              只升到约
              0.65，每个机构约 +0.011，不到前者的六分之一：收益递减。

              *Adding a branch and an owners' committee lifts condition from about 0.44 to about
              0.59, some +0.07 per body; six more bodies lift it only to about 0.65, some +0.011
              per body, less than a sixth as much: diminishing returns.*
            - 同样 8 个机构由六方联动的枢纽连起来，环境状况约 0.68，比叠加高约 0.03（配对差值的 95%
              区间约 0.025–0.040，不含 0）。原因见图 (b)：叠加时各院落平均协调效率约 0.36，有枢纽时
              约
              0.47。

              *The same eight bodies joined by the six-party hub keep condition at about 0.68,
              about 0.03 above stacking (paired 95 % interval about 0.025–0.040, excluding 0).
              Panel (b) shows why: stacked, the mean coordination efficiency is about 0.36; with
              a hub, about 0.47.*

            **课堂讨论 · Questions for the class**

            1. 蒲江的案例说"机制拥堵"。在你熟悉的社区里，有哪些机构"各行其是"？它们之间要开多少次协
               调会？

               *Pujiang speaks of "mechanism congestion". Which bodies in communities you know
               each go their own way? How many coordination meetings do they need?*
            2. 模型假定每条联系降低 0.06 的效率，这是一个假设（`coordination.cost_per_link`）。
               如果把它设为 0，"叠加"和"联动"还有区别吗？这说明了什么？

               *The model assumes each link costs 0.06 of efficiency (`coordination.cost_per_link`,
               an assumption). If it were 0, would stacking and linkage still differ? What does
               that tell us?*
            3. 枢纽需要一个党支部。在没有足够党员（少于 3 名）的院落，"六方联动"还能起作用吗？

               *The hub needs a party branch. In courtyards with fewer than three registered
               members, can six-party linkage work?*

            **更大的运行 · A bigger run:** 模式检验（`tests/test_patterns_designs.py`）用 20 个种子
            ；
            `experiments/fig_stacking.py` 画出文档中的同一张图。试试
            `compare(files, ..., sets=["coordination.cost_per_link=0"])`。

            *The pattern test uses 20 seeds; `experiments/fig_stacking.py` draws the figure in
            the docs. Try `compare(files, ..., sets=["coordination.cost_per_link=0"])`.*
        '''),
    ]


# ----------------------------------------------------------------------------- lesson 5


def lesson_05() -> list[Cell]:
    """Lesson 5: a district's what-if: competition for renovation money, dynamic assessment."""
    return [
        md('''
            # 第 5 课　政策推演：竞争性分配与动态考核
            # Lesson 5: A policy what-if — competition for the money, and dynamic assessment

            约 25 分钟。同样一笔老旧小区整治资金，是先给最破的小区，还是先给"准备好了"的小区？
            整治之后要不要"动态考核"？在昆明和平路社区的 108 个院落上推演。

            *About 25 minutes. The same renovation budget: should it go to the worst compounds
            first, or to those that get ready first? Should renovated compounds then be assessed
            again and again? A what-if on the 108 courtyards of Heping Road, Kunming.*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            行政主导的整治往往"整治—反弹—再整治—再反弹"：钱花下去，几年后又回到原样，居民越来越
            "等、靠、要"。**在预算不变的前提下，把"谁先得到钱"的规则从"按需"改为"按准备程度竞争"，
            会不会让居民在钱到之前就组织起来、让整治的效果保持得更久？再加上"动态考核"呢？**

            *Top-down renovation often runs renovate → rebound → renovate → rebound: the money is
            spent, a few years later the compound is back where it was, and residents learn to
            wait for the government. **With the same budget, if the rule for who gets the money
            first changes from need to competition by readiness, do residents organise before
            the money comes, and does the renovation last longer? And with dynamic assessment
            on top?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            > 「就算政府花大力气进行整治,但居民“等、靠、要”思想影响,并没有主人翁意识,过不了多久问题
            > 就会反弹。」
            > —— `seeds/001_c8a73fb9116a957f.txt`（重庆南岸）
            >
            > 「而是引入了竞争机制:备选待整治小区中,居民取得管理共识的优先获得资金投入整治;先拆完小
            > 区内现有违章的优先获得资金投入整治」
            > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）
            >
            > 「对连续两次考核低于90分的达标小区,取消达标小区资格;对连续两次考核低于95分的文明城市
            > 长效管理示范小区,予以摘牌。」
            > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）

            *Seed 001: however hard the government renovates, with the "wait, rely, ask" mindset
            "the problems soon rebound". Seed 000: Chongchuan "introduced competition": compounds
            whose residents reach a management consensus, or demolish their illegal structures
            first, get the money first. Compliant compounds scoring below 90 twice in a row lose
            their status; demonstration compounds below 95 twice lose their plaque.*

            模型中的整治（`renovation_campaign`）从第 24 个月起每 48 个月一次，每次预算相同
            （每户 600 元 × 25% × 全部住户）。

            - `allocation: need`（按需）：最破的四分之一院落先得钱。
            - `allocation: competition`（竞争）：只有满足四条"准备程度"标准（取得管理共识、守规率达
              标、
              成立自治组织、有长效管理方案）的院落才能得钱，最准备好的先得；宣布竞争后，尚未整治的
              院落
              居民更愿意缴费、守规和参与（`incentive`，假设值 0.4）；没花完的钱留到下一次。
            - `dynamic_assessment`（动态考核）：每 6 个月按环境状况、守规率、缴费率和参与率给每个院
              落打分
              （0–100）；整治后的院落获得"达标"身份（是一种面子），连续两次低于 90 分即取消，
              取消后下一轮竞争没有资格。

            *Renovation campaigns (`renovation_campaign`) come every 48 months from month 24,
            with the same budget each time (600 yuan per household × 25 % × all households).*

            - *`allocation: need`: the worst quarter of courtyards gets the money.*
            - *`allocation: competition`: only courtyards meeting four readiness criteria
              (consensus, compliance, a self-governance body, a long-term plan) qualify, the
              most ready first; while a competition is announced, residents of courtyards not
              yet renovated are more willing to pay, comply and take part (`incentive`, an
              assumed 0.4); money left over is carried to the next campaign.*
            - *`dynamic_assessment`: every 6 months each courtyard is scored 0–100 on
              condition, compliance, payment and participation; a renovated courtyard becomes
              "compliant" (a matter of face) and loses the status after two scores below 90 in
              a row, and with it its place in the next competition.*

            其余机构与模式检验相同（`sim.patterns.ALLOCATION_INSTITUTIONS`）：政府服务、居民持续参
            与时
            自发成立的业委会、居民公约。

            *The other institutions are those of the pattern test
            (`sim.patterns.ALLOCATION_INSTITUTIONS`): government service, owners' committees that
            form where residents keep taking part, and the covenant.*
        '''),
        md('''
            ## 3. 运行 · Run

            2 × 2 种政策组合，每种 8 个种子，每次 120 个月（共约 10 秒）。

            *2 × 2 policies, 8 seeds each, 120 months per run (about 10 seconds in all).*
        '''),
        code('''
            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd

            import sim
            from sim.experiments.compare import t_interval
            from sim.fonts import use_cjk_font
            from sim.patterns import ALLOCATION_INSTITUTIONS, retained_after_renovation

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
            POLICIES = {  # 名称: (分配规则, 动态考核) · name: (allocation, dynamic assessment)
                "按需\\nneed": ("need", False),
                "按需 + 考核\\nneed + assessment": ("need", True),
                "竞争\\ncompetition": ("competition", False),
                "竞争 + 考核\\ncompetition + assessment": ("competition", True),
            }
            SEEDS = range(8)  # 课堂用 8 个种子 · 8 seeds for class; the test uses 20


            def scenario(allocation: str, assessment: bool) -> sim.Scenario:
                """Heping Road with the allocation experiment's institutions."""
                institutions = {**ALLOCATION_INSTITUTIONS,
                                "renovation_campaign": {"allocation": allocation, "incentive": 0.4}}
                if assessment:
                    institutions["dynamic_assessment"] = {}
                design = {"name": f"{allocation}_{assessment}", "institutions": institutions}
                return sim.load_config({"community": "heping_road", "design": design})


            def run(allocation: str, assessment: bool, seed: int) -> dict:
                """One run: what happened before the first campaign, after it, and the money."""
                model = sim.CompoundModel(scenario(allocation, assessment), rng=seed)
                model.run(23)  # 第一次整治之前 · before the first campaign
                committees = model.selfgov.bodies["committee"].mean()
                model.run(97)
                df = model.datacollector.get_model_vars_dataframe()
                by_name = {inst.name: inst for inst in model.institutions}
                result = {
                    "committees": committees,
                    "retained": retained_after_renovation(model),
                    "condition": df["condition"].iloc[-24:].mean(),
                    "dependence": df["dependence"].iloc[-24:].mean(),
                    "budget": by_name["renovation_campaign"].allocations[0]["budget"],
                    "gov_million": df["gov_spending"].sum() / 1e6,
                    "series": df["condition"].to_numpy(),
                }
                if assessment:
                    da = by_name["dynamic_assessment"]
                    result["assessed"] = (da.months, [np.mean(s >= 1) for s in da.statuses])
                return result


            results = {name: [run(*policy, seed) for seed in SEEDS]
                       for name, policy in POLICIES.items()}
            FIELDS = {"committees": "业委会(第23月) committees, month 23",
                      "retained": "提升保留 lift kept",
                      "condition": "环境(最后两年) condition, last 2 y",
                      "dependence": "等靠要(最后两年) dependence, last 2 y",
                      "budget": "每次预算(元) budget per campaign",
                      "gov_million": "十年政府投入(百万元) government, 10 y (million)"}
            pd.DataFrame({text: [np.mean([r[key] for r in rows]) for rows in results.values()]
                          for key, text in FIELDS.items()},
                         index=[name.replace("\\n", " ") for name in results]).round(3)
        '''),
        md('''
            ## 4. 图 · Plot
        '''),
        code('''
            fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
            for ax, key in zip(axes[0], ("committees", "retained"), strict=True):
                for i, rows in enumerate(results.values()):
                    values = np.array([r[key] for r in rows])
                    mean, low, high, _ = t_interval(values)
                    ax.bar(i, mean, width=0.6, color=f"C{i}", alpha=0.8,
                           yerr=[[mean - low], [high - mean]], capsize=5)
                    ax.annotate(f"{mean:.2f}", (i, high), xytext=(0, 4),
                                textcoords="offset points", ha="center")
                ax.set_xticks(range(len(results)), list(results), fontsize=9)
                ax.set_ylim(0, 1.1)
                ax.set_ylabel("比例 share (0–1)")
            axes[0, 0].set_title("(a) 钱到之前：第 23 月成立业委会的院落比例\\n"
                                 "before the money: courtyards with a committee at month 23")
            axes[0, 1].set_title("(b) 整治后：第 24 月的提升在 47 个月后还剩多少\\n"
                                 "after: share of the month-24 lift kept 47 months later")

            ax = axes[1, 0]
            for i, (name, rows) in enumerate(results.items()):
                mean = np.mean([r["series"] for r in rows], axis=0)
                ax.plot(mean, color=f"C{i}", lw=2, label=name.replace("\\n", " "),
                        ls="-" if "考核" not in name else "--")
            for month in (24, 72, 120):
                ax.axvline(month, color="grey", lw=0.8, ls=":")
            ax.set_xlabel("月份 month（虚线：整治 dotted: campaigns）")
            ax.set_ylabel("小区环境状况 condition")
            ax.set_title(f"(c) 环境状况，{len(SEEDS)} 个种子平均 · condition, mean of seeds")
            ax.legend(frameon=False, fontsize=8)

            ax = axes[1, 1]
            for i, (name, rows) in enumerate(results.items()):
                if "assessed" not in rows[0]:
                    continue
                months = rows[0]["assessed"][0]
                share = np.mean([r["assessed"][1] for r in rows], axis=0)
                ax.plot(months, share, "-o", color=f"C{i}", label=name.replace("\\n", " "))
            ax.set_xlabel("考核月份 assessment month")
            ax.set_ylabel("达标院落比例 share of courtyards compliant")
            ax.set_title("(d) 动态考核：达标院落的比例 · dynamic assessment: compliant share")
            ax.legend(frameon=False, fontsize=8)
            for ax in axes.flat:
                ax.grid(alpha=0.3)
            fig.suptitle("同样的预算，不同的分配规则：和平路社区 108 个院落 · "
                         "Same budget, different rules: Heping Road, 108 courtyards")
            fig.tight_layout()
            plt.show()
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - 每次整治的预算完全相同（778,200 元）。

              *The budget per campaign is exactly the same (778,200 yuan).*
            - 竞争性分配下，钱到之前（第 23 个月）几乎所有院落都成立了业委会（按需：约 47%）；
              第 24 个月整治带来的提升，47 个月后仍保留约一半（0.48；按需：0.22）；最后两年环境状况
              约 0.68
              （按需约 0.50），"等靠要"依赖约 0.24（按需约 0.44），十年的政府投入反而更少（约 760
              万元，按需约 1,020 万元）。

              *Under competition almost every courtyard has an owners' committee before the money
              comes (month 23; need: 47 %); about half of the month-24 lift is still there 47
              months later (0.48; need: 0.22); condition in the last two years is about 0.68
              (need: 0.50), dependence about 0.24 (need: 0.44), and government spends less over
              ten years (about 7.6 million yuan; need: 10.2 million).*
            - 动态考核的作用很小：按需分配时，整治带来的"达标"身份在下一次考核（第 30 个月）就全部
              取消
              （得分多在 60–80 分）；竞争分配时，约 5–13% 的院落能在两次整治之间保住身份，保留的提
              升略高
              （0.50 对 0.48）。

              *Dynamic assessment does little here: under need the compliant status that comes
              with renovation is lost at the next assessment (month 30; most scores are 60–80);
              under competition some 5–13 % of courtyards keep it between campaigns and a little
              more of the lift is kept (0.50 against 0.48).*

            **课堂讨论 · Questions for the class**

            1. 竞争性分配下，最破、最需要钱的院落可能反而拿不到钱。这公平吗？崇川和南岸（"环境改造
               愿望迫切
               且自治意愿强烈"，`allocation: need_and_will`）的规则有什么不同？

               *Under competition the worst-off courtyards may get nothing. Is that fair? How do
               Chongchuan's rule and Nan'an's ("urgent need and strong will",
               `allocation: need_and_will`) differ?*
            2. 竞争的效果有多少来自"宣布竞争"本身（居民的积极性 `incentive`）？把它设为 0 再运行一
               次
               （`"incentive": 0.0`）。

               *How much of the effect comes from announcing the competition (the residents'
               `incentive`)? Run it again with `"incentive": 0.0`.*
            3. 动态考核的门槛（90 分）对老旧院落是不是太高了？
               把 `dynamic_assessment` 的 `pass_score`
               改为 70，会怎样？门槛定多高才能"你追我赶"？

               *Is the bar of 90 too high for old courtyards? Set the assessment's `pass_score`
               to 70. Where should the bar be for courtyards to "race each other"?*

            **更大的运行 · A bigger run:** 模式检验用 20 个种子，并比较平均分配（`equal`）；
            `experiments/fig_competition.py` 画出文档中的图；`configs/sweeps/budget_design.yaml`
            把预算和治理模式一起扫描。

            *The pattern test uses 20 seeds and also equal allocation (`equal`);
            `experiments/fig_competition.py` draws the figure in the docs;
            `configs/sweeps/budget_design.yaml` sweeps the budget against the design.*
        '''),
    ]


# ----------------------------------------------------------------------------- lesson 6


def lesson_06() -> list[Cell]:
    """Lesson 6, for researchers: a sweep, its data, and a Sobol sensitivity analysis."""
    return [
        md('''
            # 第 6 课（研究者）　参数扫描与敏感性分析
            # Lesson 6 (for researchers): A parameter sweep and its sensitivity analysis

            约 30 分钟。模型的结论有多依赖那些"假设值"？本课在 Python 中定义一个小的参数扫描，
            读取结果，并用 SALib 计算 Sobol 敏感性指数及其置信区间。

            *About 30 minutes. How much do the model's conclusions depend on its assumed values?
            We declare a small sweep in Python, read its results, and compute Sobol sensitivity
            indices with their confidence intervals with SALib.*
        '''),
        HOW_TO_RUN,
        md('''
            ## 1. 问题 · Question

            决策规则中的很多参数（噪声、面子权重、公共精神……）没有直接的实证数据，只是假设。
            **在一个普通老旧小区里，缴费率和环境状况的差异主要来自哪个参数？哪些参数的假设值值得优
            先去测量？**

            *Many parameters of the decision rule (noise, the weight of face, public spirit…) have
            no direct empirical estimate: they are assumptions. **In a generic old compound, which
            parameter drives most of the variation in the contribution rate and the condition?
            Which assumptions most deserve to be measured first?***
        '''),
        md('''
            ## 2. 模型怎么表示 · How the model represents it

            > 「内生压力机制不同于刚性的外部监控机制和外部惩罚机制」
            > —— `seeds/000_b4b52f2605d64363.txt`（南通崇川）

            *Seed 000: the internal pressure mechanism (face, reputation) "differs from rigid
            external monitoring and punishment". How strong it is, is exactly what no seed text
            can tell us: `behaviour.weights.face` is an assumption (`docs/parameters.md`).*

            每户的效用 = 面子项 × `behaviour.weights.face` + 公共精
            神 × `behaviour.weights.public_spirit`
            + 信任、成本、依赖等其他项；选择是 logit 的，温度为 `behaviour.noise`。

            *A household's utility is the face term times `behaviour.weights.face`, plus public
            spirit times `behaviour.weights.public_spirit`, plus trust, cost, dependence and the
            rest; the choice is logit with temperature `behaviour.noise`.*

            扫描（sweep）的写法与 `configs/sweeps/*.yaml` 相同：参数按角色声明（`uncertainties`
            不确定因素、`levers` 政策杠杆），选择抽样方法（`sobol`：Saltelli 方案，n·(D+2) 个样本）
            ，
            每个样本 × 每个种子运行一次，结果逐次写入 Parquet 文件。

            *A sweep is written as in `configs/sweeps/*.yaml`: parameters by role
            (`uncertainties`, `levers`), a sampler (`sobol`: Saltelli's scheme, n·(D+2) samples),
            one run per sample and seed, each written to a Parquet file as it finishes.*
        '''),
        md('''
            ## 3. 运行 · Run
        '''),
        code('''
            import json
            import tempfile
            from pathlib import Path

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            import yaml
            from SALib.analyze import sobol

            import sim
            from sim.experiments.analyze import analyze
            from sim.experiments.sweep import run_sweep
            from sim.fonts import use_cjk_font
            from sim.metrics import label

            use_cjk_font()  # 图中文字用中文字体 · a Chinese font for the figures
            plt.rcParams["figure.dpi"] = 100
        '''),
        code('''
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
        '''),
        md('''
            `sim.load_results` 把全部运行读成一张"整洁"的表：每次运行每个月一行，参数各占一列。

            *`sim.load_results` reads every run into one tidy frame: one row per run and month,
            one column per parameter.*
        '''),
        code('''
            df = sim.load_results(out)
            print(df.shape)
            df[["run_id", "sample", "seed", "month", *PARAMS, *OUTCOMES]].head()
        '''),
        code('''
            # 每次运行：最后 12 个月的平均；再对种子取平均，得到每个样本一个数
            # Each run: the mean of its last 12 months; then the mean over seeds, one per sample
            cutoff = SWEEP["steps"] - SWEEP["outcome_months"]
            per_run = (df[df["month"] > cutoff]
                       .groupby(["sample", "seed"])[[*PARAMS, *OUTCOMES]].mean())
            per_sample = per_run.groupby(level="sample").mean()  # 按样本顺序 · in sample order
            per_sample.describe().round(3)
        '''),
        md('''
            **Sobol 指数 · Sobol indices.** 一阶指数 S1：只改变这一个参数能解释的方差比例；总效应指
            数
            ST：这个参数（包括它与其他参数的交互）涉及的方差比例。SALib 需要 `problem`
            （参数名和区间，记录在 `manifest.json` 中）和按 Saltelli 顺序排列的输出；区间用自助法
            （bootstrap，1,000 次）估计。

            *First-order S1: the share of the variance explained by varying this parameter alone;
            total ST: the share it takes part in, interactions included. SALib needs the
            `problem` (names and bounds, recorded in `manifest.json`) and the outputs in
            Saltelli's order; intervals come from a bootstrap (1,000 resamples).*
        '''),
        code('''
            # 自助法的随机种子与抽样种子相同；注意 SALib 把 seed=0 当作"不设种子"，所以上面用了 1
            # The bootstrap uses the sampler's seed; SALib treats seed=0 as "no seed", hence 1
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            problem = manifest["problem"]
            rows = []
            for outcome in OUTCOMES:
                result = sobol.analyze(problem, per_sample[outcome].to_numpy(),
                                       calc_second_order=False, num_resamples=1000,
                                       conf_level=0.95, seed=SWEEP["sampler"]["seed"])
                for i, name in enumerate(problem["names"]):
                    rows.append({"outcome": outcome, "parameter": name,
                                 **{k: result[k][i] for k in ("S1", "S1_conf", "ST", "ST_conf")}})
            indices = pd.DataFrame(rows)
            indices.round(3)
        '''),
        code('''
            # 同样的计算，一行命令：sim analyze（这里从 Python 调用）· The same in one call
            analysis = analyze(out, lang="zh")
            check = pd.read_csv(analysis / "indices.csv")
            same = np.allclose(check[["S1", "S1_conf", "ST", "ST_conf"]],
                               indices[["S1", "S1_conf", "ST", "ST_conf"]])
            print("与 sim analyze 的结果相同 same as sim analyze:", same)
            print(sorted(p.name for p in analysis.iterdir()))
        '''),
        md('''
            ## 4. 图 · Plot

            先看数据，再看指数：每个点是一个样本。

            *Look at the data first, then at the indices: each dot is one sample.*
        '''),
        code('''
            fig, axes = plt.subplots(1, len(PARAMS), figsize=(13, 3.8), sharey=True)
            for ax, name in zip(axes, PARAMS, strict=True):
                ax.scatter(per_sample[name], per_sample["contribution_rate"], s=10, alpha=0.6)
                ax.set_xlabel(name)
                ax.grid(alpha=0.3)
            axes[0].set_ylabel(f"{label('contribution_rate', 'zh')}\\n"
                               f"{label('contribution_rate', 'en')} (0–1)")
            fig.suptitle(f"{len(per_sample)} 个样本的缴费率（最后 12 个月平均）· "
                         "contribution rate of each sample (mean of the last 12 months)")
            fig.tight_layout()
            plt.show()
        '''),
        code('''
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
        '''),
        code('''
            # 区间有多宽？要多大的 n 才够？（区间半宽约与 1/√n 成正比）
            # How wide are the intervals, and what n would do? (half-width ∝ 1/√n, roughly)
            widest = indices["ST_conf"].max()
            n = SWEEP["sampler"]["n"]
            needed = n * (widest / 0.05) ** 2
            print(f"n = {n}: 最宽的 ST 区间半宽 widest ST half-width = {widest:.2f}")
            print(f"半宽降到 0.05 约需 for ±0.05: n ≈ {needed:,.0f}（取 2 的幂 a power of 2），"
                  f"即每个种子 {int(needed) * (len(PARAMS) + 2):,} 次运行 runs per seed")
        '''),
        md('''
            ## 5. 讨论 · Discussion

            **教师应该看到 · What a teacher should see**

            - 320 次运行约 10 秒。缴费率的差异主要来自噪声（ST 约 1.25，S1 约 0.58）：噪声大时，居
              民的选择
              接近随机，其他参数都起不了作用；面子的 ST 约 0.36、公共精神约 0.12。散点图显示，只有
              在噪声小时
              缴费率才分散开：这是交互作用，所以 ST 远大于 S1。环境状况受面子的影响更大（ST 约 0.58
              ）。

              *The 320 runs take about 10 seconds. The contribution rate varies mostly with the
              noise (ST about 1.25, S1 about 0.58): with much noise choices are close to random
              and nothing else matters; face has ST about 0.36, public spirit about 0.12. The
              scatter shows the rate spreading out only where noise is low: an interaction, hence
              ST well above S1. The condition depends more on face (ST about 0.58).*
            - n = 64 时区间半宽达 0.1–0.6，ST 甚至超过 1、有的 S1 为负（都是估计误差）：**这个规模
              只够教学
              演示，不能用于论文**。上面的估算说明，要把区间缩到 ±0.05，n 需要几千（每个种子几万次
              运行）。

              *With n = 64 the intervals are ±0.1–0.6 wide, ST exceeds 1 and some S1 are
              negative (estimation error): **this size is for teaching, not for a paper.** The
              estimate above shows that ±0.05 needs n in the thousands (tens of thousands of runs
              per seed).*

            **课堂讨论 · Questions for the class**

            1. 每个样本只用了 1 个种子，模型自身的随机性也被算进了"方差"。怎样把参数的影响和随机性
               分开？
               （每个样本用多个种子取平均；或比较同一参数点上不同种子的方差。）

               *Each sample used one seed, so the model's own randomness is counted as variance
               too. How can the parameters' effect be separated from chance? (Average several
               seeds per sample, or compare the variance between seeds at one point.)*
            2. 参数区间（例如面子权重 0–3）本身就是假设。区间换了，指数会变吗？应该怎样为每个区间找
               依据？

               *The ranges (e.g. face 0–3) are assumptions too. Would other ranges change the
               indices? How should each range be justified?*
            3. 把抽样种子（`"seed": 1`）改为 2 再运行一次：指数变了多少？这说明了什么？参数很多时，
               可以先用 Morris 筛选（`"sampler": {"method": "morris", "n": 20}`），再对少数重要参数
               做
               Sobol 分析。为什么这样更省？

               *Change the sampler's seed (`"seed": 1`) to 2 and run again: how much do the
               indices move, and what does that say? With many parameters, screen with Morris
               first (`"sampler": {"method": "morris", "n": 20}`), then run Sobol on the few that
               matter. Why is that cheaper?*

            **更大的运行 · A bigger run:** `configs/sweeps/sobol_behaviour.yaml` 有 6 个参数、
            n = 256、
            2 个种子（4,096 次运行，两核约 3 分钟）：
            `sim sweep configs/sweeps/sobol_behaviour.yaml --workers 2`，
            然后 `sim analyze out/sweep-sobol_behaviour`。论文应把 n 提高到 1,024 或更多，每个样本
            用多个种子，
            并报告指数随 n 的收敛情况。

            *`configs/sweeps/sobol_behaviour.yaml` has 6 parameters, n = 256 and 2 seeds (4,096
            runs, about 3 minutes on two cores):
            `sim sweep configs/sweeps/sobol_behaviour.yaml --workers 2`, then
            `sim analyze out/sweep-sobol_behaviour`. For a paper raise n to 1,024 or more,
            use several seeds per sample, and report how the indices converge as n grows.*
        '''),
    ]


# ----------------------------------------------------------------------------- building

LESSONS: dict[str, Callable[[], list[Cell]]] = {
    "01_tipping.ipynb": lesson_01,
    "02_face_visibility.ipynb": lesson_02,
    "03_yimin_lights.ipynb": lesson_03,
    "04_integration_stacking.ipynb": lesson_04,
    "05_policy_district.ipynb": lesson_05,
    "06_sweep_sensitivity.ipynb": lesson_06,
}
"""Each notebook's file name and the function giving its cells."""


def build(cells: list[Cell], prefix: str) -> nbformat.NotebookNode:
    """Make a notebook without outputs; cell ids are ``<prefix>-<position>`` (stable)."""
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for i, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "markdown"
                else nbformat.v4.new_code_cell(source))
        cell.id = f"{prefix}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def build_all() -> dict[str, str]:
    """Every notebook's file name and its text as it is stored."""
    out = {}
    for name, lesson in LESSONS.items():
        text = nbformat.writes(build(lesson(), name[:2]))
        out[name] = text if text.endswith("\n") else text + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks next to this script, or with ``--check`` compare them.

    Returns:
        0 when the notebooks were written or are up to date; 1 when ``--check`` finds a
        notebook missing or different.
    """
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="only check that the stored notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build_all().items():
        path = HERE / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python {Path(__file__).name}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
