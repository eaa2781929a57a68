"""The lessons' sources (``notebooks/NN_*.py``) and their build (``notebooks/build.py``).

``tests/test_notebooks.py`` checks that each stored notebook is what its script builds and
runs it; these tests check the pairing itself: every script declares its notebook, the build
is Jupytext's own conversion (only the cell ids and ``language_info`` added, so it is
reproducible), the scripts are exactly what Jupytext writes for the notebooks (so saving a
lesson from JupyterLab does not reformat it), ``build.py --check`` reports stale and orphaned
notebooks without writing, and ruff lints the scripts, with the code cells' line length still
checked through the notebooks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest

from tests.test_notebooks import LESSONS, NOTEBOOKS_DIR, ROOT, _builder

VERSION_LINE = re.compile(r"^#\s+jupytext_version: .*$", re.MULTILINE)
"""The header line naming the Jupytext that wrote a script (differs between installs)."""


def _without_version(text: str) -> str:
    return VERSION_LINE.sub("#     jupytext_version: <any>", text)


def _ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ruff in the project folder (its pyproject.toml and per-file ignores apply)."""
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_declares_its_notebook(lesson: Path) -> None:
    nb = jupytext.read(lesson, fmt="py:percent")
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_the_build_refuses_a_lesson_without_the_pairing(tmp_path: Path) -> None:
    text = LESSONS[0].read_text(encoding="utf-8").replace("#     formats: ipynb,py:percent\n", "")
    lesson = tmp_path / LESSONS[0].name
    lesson.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="formats: ipynb,py:percent"):
        _builder().build(lesson)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_the_build_is_jupytext_conversion_with_stable_ids(lesson: Path) -> None:
    built = json.loads(_builder().build(lesson))
    plain = json.loads(jupytext.writes(jupytext.read(lesson, fmt="py:percent"), fmt="ipynb"))
    assert [c["id"] for c in built["cells"]] == [
        f"{lesson.name[:2]}-{i:02d}" for i in range(len(built["cells"]))]
    assert built["metadata"].pop("language_info") == {"name": "python"}
    for cell in built["cells"] + plain["cells"]:
        cell.pop("id")
    assert built == plain


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_script_is_what_jupytext_writes_for_its_notebook(lesson: Path) -> None:
    nb = nbformat.read(lesson.with_suffix(".ipynb"), as_version=4)
    written = jupytext.writes(nb, fmt="py:percent")
    assert _without_version(written) == _without_version(lesson.read_text(encoding="utf-8"))


def _copy(tmp_path: Path) -> tuple[Any, Path]:
    """The build module pointed at a copy of the notebooks folder."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    builder = _builder()
    builder.HERE = folder
    return builder, folder


def test_check_reports_a_stale_notebook_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builder, folder = _copy(tmp_path)
    assert builder.main(["--check"]) == 0
    lesson = folder / LESSONS[0].name
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n# %%\nprint(1)\n",
                      encoding="utf-8")
    notebook = lesson.with_suffix(".ipynb")
    before = notebook.read_text(encoding="utf-8")
    assert builder.main(["--check"]) == 1
    assert f"out of date: {notebook.name}" in capsys.readouterr().err
    assert notebook.read_text(encoding="utf-8") == before
    assert builder.main([]) == 0
    assert builder.main(["--check"]) == 0
    assert nbformat.read(notebook, as_version=4).cells[-1].source == "print(1)"


def test_check_reports_a_notebook_without_its_script(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builder, folder = _copy(tmp_path)
    (folder / LESSONS[0].name).unlink()
    assert builder.main(["--check"]) == 1
    assert f"no lesson script for {LESSONS[0].stem}.ipynb" in capsys.readouterr().err


def test_ruff_lints_the_lessons_and_they_pass() -> None:
    shown = _ruff("--show-files", ".").stdout
    for lesson in LESSONS:
        for path in (lesson, lesson.with_suffix(".ipynb")):
            assert str(path) in shown, f"ruff check . does not lint {path.name}"
    result = _ruff("notebooks")
    assert result.returncode == 0, result.stdout


def test_a_lesson_code_cell_is_still_held_to_the_line_limit(tmp_path: Path) -> None:
    """The scripts may have long comment lines (Markdown); code lines are checked in the .ipynb.

    An unused import in a code cell fails the script itself; a long code line passes the script
    (E501 is off for the lessons' comments) but fails its built notebook.
    """
    lesson = tmp_path / "99_probe.py"
    source = LESSONS[0].read_text(encoding="utf-8")
    lesson.write_text(source + "\n# %%\nimport os\n", encoding="utf-8")
    flagged = _ruff("--stdin-filename", "notebooks/99_probe.py", "-",
                    stdin=lesson.read_text(encoding="utf-8"))
    assert flagged.returncode == 1 and "F401" in flagged.stdout

    long_line = f"LONG = {'1 + ' * 40}1\n"
    lesson.write_text(source + f"\n# %%\n{long_line}", encoding="utf-8")
    script = _ruff("--stdin-filename", "notebooks/99_probe.py", "-",
                   stdin=lesson.read_text(encoding="utf-8"))
    assert script.returncode == 0, script.stdout
    notebook = _ruff("--stdin-filename", "notebooks/99_probe.ipynb", "-",
                     stdin=_builder().build(lesson))
    assert notebook.returncode == 1 and "E501" in notebook.stdout
