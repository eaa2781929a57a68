"""The teaching notebooks (notebooks/*.ipynb) run top to bottom and draw Chinese properly.

Each lesson is a Jupytext percent-format script (``notebooks/NN_*.py``) from which
``notebooks/build.py`` builds its notebook; the stored notebook must equal that build, so the
checks below on the notebooks hold for the scripts too. Each notebook is stored without outputs
and is executed here in a fresh kernel of the interpreter running the tests, with the notebooks
folder as working directory and the inline backend, so every figure is rendered to PNG as in
JupyterLab. A cell prepended in memory turns matplotlib's "Glyph … missing from font" warning
into an error. A figure drawn inside a cell (``savefig``) then fails the cell; a figure
rendered by the inline backend after the cell's code fails in IPython's display formatter,
which prints the error instead of failing the cell, so the checker also fails on any error
output. The negative tests prove the checker does fail on Chinese drawn with matplotlib's
default font, however the figure is rendered.

The tests that start a kernel are marked ``slow`` (``make test`` runs them; ``pytest -m "not
slow"`` skips them, as it skips the statistical pattern tests).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
LESSONS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
"""The lessons' sources: one percent-format script per notebook."""
BUILDER = NOTEBOOKS_DIR / "build.py"

WALL_LIMIT = 120.0
"""Seconds a notebook may take in a fresh kernel, kernel start included."""

POOL = re.compile(r"\bworkers=2\b")
"""A lesson whose source asks for a process pool on both cores (``workers=2``)."""


def timed(path: Path) -> Any:
    """The notebook as a test parameter; one that runs its own pool on both cores is ``alone``.

    Such a lesson's wall time is what a teacher sees on a two-core machine with nothing else
    running; under pytest-xdist another test process shares the cores, and the lesson's
    pool then waits for it (lesson 7 on 3 December: 42 s alone, 96 s beside the other
    worker). So ``make test`` runs the ``alone`` tests after the parallel suite, by
    themselves (docs/decisions.md §56); the limit is the same.
    """
    pooled = POOL.search(path.with_suffix(".py").read_text(encoding="utf-8")) is not None
    return pytest.param(path, id=path.stem, marks=[pytest.mark.alone] if pooled else [])
CELL_TIMEOUT = 600
"""Seconds one cell may take before nbclient gives up (generous: the wall limit decides)."""

GLYPH_GUARD = (
    "import warnings\n"
    'warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from font")'
)
"""The cell prepended in memory: a missing-glyph warning becomes an error."""

INLINE = "module://matplotlib_inline.backend_inline"
"""The kernel's matplotlib backend: figures are rendered to PNG at the end of each cell."""

CJK = re.compile(r"[\u4e00-\u9fff]")
SEED_FILE = re.compile(r"00[0-4]_[0-9a-f]{16}\.txt")


class NotebookFailedError(AssertionError):
    """A cell printed an error (e.g. in a display formatter) without failing the cell."""


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec folder whose ``python3`` kernel is the interpreter running the tests."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / "python3"
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)",
        "language": "python",
    }))
    return folder


def execute(nb: nbformat.NotebookNode, kernel_dir: Path,
            cwd: Path = NOTEBOOKS_DIR) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook in a fresh kernel with the glyph guard; fail on any error.

    Args:
        nb: The notebook (not modified: a copy with the guard cell first is run).
        kernel_dir: Folder holding the ``python3`` kernelspec to use.
        cwd: Working directory of the kernel.

    Returns:
        The executed copy and the wall time in seconds (kernel start included).

    Raises:
        CellExecutionError: A cell raised.
        NotebookFailedError: A cell showed an error output or a missing-glyph warning.
    """
    run = nbformat.from_dict(json.loads(json.dumps(nb)))
    run.cells.insert(0, nbformat.v4.new_code_cell(GLYPH_GUARD))
    ksm = KernelSpecManager(kernel_dirs=[str(kernel_dir)], ensure_native_kernel=False)
    km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    client = NotebookClient(run, km=km, timeout=CELL_TIMEOUT, allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    env = {**os.environ, "MPLBACKEND": INLINE, "PYTHONWARNINGS": ""}
    started = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - started
    for i, cell in enumerate(run.cells):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                raise NotebookFailedError(f"cell {i}: {out['ename']}: {out['evalue']}")
            text = out.get("text", "") if out["output_type"] == "stream" else ""
            if "missing from font" in text:
                raise NotebookFailedError(f"cell {i}: missing glyph: {text.strip()}")
    return run, seconds


def images(nb: nbformat.NotebookNode) -> int:
    """Number of PNG images among the outputs of an executed notebook."""
    return sum("image/png" in out.get("data", {})
               for cell in nb.cells for out in cell.get("outputs", []))


def test_there_are_seven_lessons() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]
    assert [p.stem for p in LESSONS] == [p.stem for p in NOTEBOOKS], "a lesson without its pair"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is None and cell.outputs == [], path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_structure(path: Path) -> None:
    """Bilingual markdown, question → model → run → plot → discussion, a seed quoted."""
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert CJK.search(text), "no Chinese in the markdown"
    assert len(re.findall(r"\b(the|and|of)\b", text)) > 20, "too little English"
    for zh, en in (("问题", "Question"), ("模型", "model"), ("运行", "Run"), ("图", "Plot"),
                   ("讨论", "Discussion")):
        assert zh in text and en in text, (zh, en)
    assert SEED_FILE.search(text), "no seed text quoted with its file name"
    assert "use_cjk_font()" in code
    assert "plt.show()" in code or "savefig" in code, "no plot"
    assert "rng=" in code or "seeds" in code.lower(), "runs are not seeded"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_figures_the_discussion_quotes_are_checked(path: Path) -> None:
    """A ``check_quotes`` cell runs before the discussion, quoting its figures as written.

    Each figure the cell checks must appear in the discussion's text exactly as quoted
    (with either minus sign), so the check and the text cannot drift apart; running the
    lesson (``test_notebook_runs_in_a_fresh_kernel``) then fails on a stale figure.
    """
    nb = nbformat.read(path, as_version=4)
    heading = next(i for i, c in enumerate(nb.cells)
                   if c.cell_type == "markdown" and "## 5. 讨论 · Discussion" in c.source)
    checks = [c for c in nb.cells[:heading]
              if c.cell_type == "code" and "check_quotes({" in c.source]
    assert len(checks) == 1, f"{path.name}: one check_quotes cell before the discussion"
    discussion = "\n".join(c.source for c in nb.cells[heading:] if c.cell_type == "markdown")

    def written(text: str) -> str:
        """Either minus sign, a percent sign with or without a space before it."""
        return text.replace("−", "-").replace(" %", "%")

    quoted = re.findall(r'":\s*\(\s*"([^"]+)",', checks[0].source)
    assert len(quoted) >= 5, f"{path.name}: too few figures checked"
    missing = [q for q in quoted if written(q) not in written(discussion)]
    assert not missing, f"{path.name}: checked but not in the discussion: {missing}"


LABELLED = {
    "02": ("behaviour.visibility.base",),
    "03": ('k not in ("owners_committee", "supervisory_committee")',),
    "04": ('sets=["coordination.cost_per_link=0"]',),
    "05": ("allocation_run(", '("competition", 0.0, False)', '("need", 0.4, True)'),
    "07": ("build_study(", "run_study(", "attribution_table(", "compare(", "discover("),
}
"""Lessons that state results (issue 11, item 5): each code must run its negative controls
(or, lesson 7, the explanation and discovery), by the text that switches them."""


@pytest.mark.parametrize("prefix", sorted(LABELLED))
def test_lessons_label_findings_and_run_their_controls(prefix: str) -> None:
    """Each result is called a finding or a consistency check, in both languages.

    Lessons 2–5 have both kinds; their negative-control cells switch off the claimed
    mechanism (visibility's base, the committee that pools money, the link cost,
    competition's selection and incentive apart). The retired claims are gone.
    """
    path = next(p for p in NOTEBOOKS if p.name.startswith(prefix))
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "发现" in text and "finding" in text.lower(), path.name
    if prefix != "07":
        assert "一致性检验" in text and "consistency check" in text.lower(), path.name
    for switch in LABELLED[prefix]:
        assert switch in code, f"{path.name}: no control cell with {switch}"
    for retired in ("by exactly 0: nobody sees you", "Panel (b) shows why"):
        assert retired not in text, f"{path.name}: {retired}"


SEEDS_DIR = ROOT.parent / "shared" / "seeds"
"""The seed texts (``../shared/seeds/`` beside the project, as in the README)."""


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seed texts are not beside the project")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_seed_quotes_are_verbatim(path: Path) -> None:
    """Every 「quote」 in a block quote is in the seed file its attribution names."""
    nb = nbformat.read(path, as_version=4)
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        quoted: list[str] = []
        for line in cell.source.splitlines():
            if not line.startswith(">"):
                continue
            source = SEED_FILE.search(line)
            if source is None:
                quoted += re.findall(r"「(.+?)」", line)
                continue
            text = (SEEDS_DIR / source.group(0)).read_text(encoding="utf-8")
            for quote in quoted:
                assert quote in text, f"not verbatim in {source.group(0)}: {quote}"
                checked += 1
            quoted = []
    assert checked, "no seed quote found"


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_notebooks", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    before, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no notebooks/__pycache__
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = before
    return module


def test_stored_notebooks_equal_what_the_lessons_build() -> None:
    """Nobody edits a notebook without its lesson script, or a script without its notebook."""
    builder = _builder()
    built = builder.build_all()
    assert sorted(built) == [p.name for p in NOTEBOOKS]
    for name, text in built.items():
        assert (NOTEBOOKS_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} differs from what notebooks/{Path(name).stem}.py builds; edit the .py, "
            "then run .venv/bin/python notebooks/build.py and commit both")


@pytest.mark.slow
@pytest.mark.parametrize("path", [timed(p) for p in NOTEBOOKS])
def test_notebook_runs_in_a_fresh_kernel(path: Path, kernel_dir: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    executed, seconds = execute(nb, kernel_dir)
    print(f"{path.name}: {seconds:.1f} s")
    assert images(executed) >= 1, "no figure was rendered"
    assert seconds < WALL_LIMIT, f"{path.name} took {seconds:.0f} s (limit {WALL_LIMIT:.0f} s)"


# ----------------------------------------------------------------------------- the checker

def _tiny(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


DRAW = (
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots()\n"
    'ax.set_title("小区治理 参与率")\n'
)


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["", "plt.show()\n", "fig.savefig('x.png')\n"],
                         ids=["inline-at-cell-end", "plt-show", "savefig"])
def test_checker_fails_on_chinese_drawn_with_the_default_font(ending: str, kernel_dir: Path,
                                                              tmp_path: Path) -> None:
    """Matplotlib's default font has no Chinese: each way of rendering must fail the check.

    The inline backend renders after the cell's code (at the cell's end, or in ``plt.show``)
    inside IPython's display formatter, which prints the error and lets the cell succeed;
    ``savefig`` raises in the cell itself.
    """
    with pytest.raises((CellExecutionError, NotebookFailedError), match="missing from font"):
        execute(_tiny(DRAW + ending), kernel_dir, tmp_path)


@pytest.mark.slow
def test_checker_passes_the_same_figure_with_the_cjk_font(kernel_dir: Path,
                                                          tmp_path: Path) -> None:
    """The control: the failures above come from the font, not from the checker."""
    executed, _ = execute(_tiny("from sim.fonts import use_cjk_font\nuse_cjk_font()\n"
                                + DRAW + "plt.show()\n"), kernel_dir, tmp_path)
    assert images(executed) == 1
