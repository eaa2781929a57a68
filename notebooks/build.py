"""Build the teaching notebooks (``notebooks/NN_*.ipynb``) from their lessons (``NN_*.py``).

Each lesson is a Jupytext percent-format script paired with its notebook (``formats:
ipynb,py:percent`` in its header): ``# %% [markdown]`` cells are Markdown written as comments,
``# %%`` cells are code, so ruff lints the lessons like any other Python file. The ``.py`` is
the source; the ``.ipynb`` is what teachers open, stored without outputs. Edit a lesson's
``.py``, then run ``.venv/bin/python notebooks/build.py`` and commit both files
(``--check`` only reports whether the notebooks are up to date; ``tests/test_notebooks.py``
checks the same).

The build is Jupytext's own conversion (:func:`jupytext.read` and :func:`jupytext.writes`,
the same as ``jupytext --to ipynb``) with two additions that make it reproducible: cell ids
are ``<NN>-<position>`` (Jupytext would draw random ones, so every build would differ), and
``language_info`` names the kernel's language (Jupytext leaves it out of the script's header,
and JupyterLab uses it to highlight code before a kernel starts).

本脚本由 ``NN_*.py`` 课程源文件生成 ``NN_*.ipynb`` 笔记本：修改 ``.py`` 后运行本脚本，
两个文件一起提交。
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
"""The notebooks folder."""

FORMAT = "py:percent"
"""The lessons' Jupytext format."""

PAIRING = f"ipynb,{FORMAT}"
"""The ``jupytext.formats`` every lesson declares: the script and the notebook are a pair."""


def lessons() -> list[Path]:
    """The lesson scripts, in order: ``NN_name.py`` beside this file."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def build(lesson: Path) -> str:
    """The notebook a lesson script makes, as it is stored (no outputs, stable cell ids).

    Args:
        lesson: A lesson script ``NN_name.py``.

    Returns:
        The ``.ipynb`` text, ending in a newline.

    Raises:
        ValueError: The script does not declare the pairing with its notebook.
    """
    nb = jupytext.read(lesson, fmt=FORMAT)
    formats = nb.metadata.get("jupytext", {}).get("formats")
    if formats != PAIRING:
        raise ValueError(f"{lesson.name}: the header must declare jupytext formats: {PAIRING} "
                         f"(found {formats!r})")
    prefix = lesson.name[:2]
    for i, cell in enumerate(nb.cells):
        cell.id = f"{prefix}-{i:02d}"
    nb.metadata["language_info"] = {"name": nb.metadata["kernelspec"]["language"]}
    nbformat.validate(nb)
    text = jupytext.writes(nb, fmt="ipynb")
    return text if text.endswith("\n") else text + "\n"


def build_all() -> dict[str, str]:
    """Every notebook's file name and its text as it is stored."""
    return {lesson.with_suffix(".ipynb").name: build(lesson) for lesson in lessons()}


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks next to this script, or with ``--check`` compare them.

    Returns:
        0 when the notebooks were written or are up to date; 1 when ``--check`` finds a
        notebook missing or different, or a notebook without its lesson script.
    """
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="only check that the stored notebooks are up to date")
    args = parser.parse_args(argv)
    built = build_all()
    stale = []
    for name, text in built.items():
        path = HERE / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    orphans = sorted(p.name for p in HERE.glob("[0-9][0-9]_*.ipynb") if p.name not in built)
    if orphans:
        print(f"no lesson script for {', '.join(orphans)}: write its .py (or delete the "
              "notebook)", file=sys.stderr)
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python notebooks/{Path(__file__).name}",
              file=sys.stderr)
    return 1 if orphans or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
