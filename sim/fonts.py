"""A Chinese (CJK) font for matplotlib, shipped by a pip package.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so Chinese
labels render as empty boxes with "Glyph … missing from font" warnings. The
``mplfonts`` package ships Noto Sans CJK SC as a file inside the installed
package; :func:`use_cjk_font` registers that file with matplotlib's font
manager and makes it the default sans-serif font. Nothing is installed into
the system and nothing is downloaded, so figures look the same on every
machine that has the project's dependencies.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

FONT_PACKAGE = "mplfonts"
"""The pip package that ships the font files."""

FONT_FILES = (
    "NotoSansCJKsc-Regular.otf",
    "NotoSansCJKSC-Regular.otf",
    "NotoSansCJK-Regular.ttc",
)
"""Preferred font files, in order; any other ``*Sans*CJK*`` file is a fallback."""

_registered: dict[Path, str] = {}
"""Font files already added to matplotlib's font manager, mapped to their family."""


class CJKFontError(RuntimeError):
    """The CJK font file could not be found or read (an installation problem)."""


def font_dir() -> Path:
    """Return the folder of font files inside the installed ``mplfonts`` package.

    The package is located without importing it, so that locating the font
    has no side effects on matplotlib's configuration.

    Raises:
        CJKFontError: If ``mplfonts`` is not installed.
    """
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise CJKFontError(
            f"the Python package '{FONT_PACKAGE}' is not installed; it provides the Chinese "
            f"font for figures (install it with: pip install {FONT_PACKAGE})"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "fonts"


def find_cjk_font() -> Path:
    """Return the path of the Noto Sans CJK SC font file shipped by ``mplfonts``.

    Raises:
        CJKFontError: If no suitable font file is found.
    """
    folder = font_dir()
    for name in FONT_FILES:
        if (folder / name).is_file():
            return folder / name
    candidates = sorted(
        p for p in folder.glob("*") if "cjk" in p.name.lower() and "sans" in p.name.lower()
        and "mono" not in p.name.lower() and p.suffix.lower() in {".otf", ".ttf", ".ttc"}
    ) if folder.is_dir() else []
    if candidates:
        return candidates[0]
    raise CJKFontError(
        f"no Noto Sans CJK font file found in {folder}; reinstall the package with: "
        f"pip install --force-reinstall {FONT_PACKAGE}"
    )


def use_cjk_font() -> str:
    """Make a CJK font matplotlib's default sans-serif font, and return its family name.

    Registers the font file once per process and (re)applies the rcParams on
    every call, so the call is idempotent and also restores the setting after
    ``matplotlib.rcdefaults()``. The minus sign is drawn as an ASCII hyphen
    (``axes.unicode_minus = False``) so that negative tick labels never depend
    on a glyph the font may lack.

    Returns:
        The font family name, e.g. ``"Noto Sans CJK SC"``.

    Raises:
        CJKFontError: If the font file is missing or unreadable.
    """
    path = find_cjk_font()
    family = _registered.get(path)
    if family is None:
        try:
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError) as exc:
            raise CJKFontError(f"cannot read the font file {path}: {exc}") from exc
        _registered[path] = family
    others = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, *others]
    mpl.rcParams["axes.unicode_minus"] = False
    return family
