"""The compare report rendered from its Jinja2 templates (issue 10, item 6).

On a tiny comparison (2 designs, 2 seeds, 3 months) whose reference design has a label
with ``<b>&"'`` in it: the page parses with balanced tags, is self-contained (no link,
script, or anything loaded from elsewhere), shows that label escaped and whole wherever
a design is named (also inside attributes: the figures' alt text names the reference),
and has every section heading in zh and in en. A variable missing from the context is
an error (StrictUndefined), not an empty string; the templates ship as package data.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import jinja2
import pytest

from sim.experiments import compare_report
from sim.experiments.compare import Comparison, compare

ROOT = Path(__file__).resolve().parents[1]
RISKY_ZH = "危险<b>&\"'设计"
RISKY_EN = "Risky <b>&\"' design"
BASELINE = {"zh": "行政主导基线(大社区模式)",
            "en": 'Administrative baseline ("big community" mode)'}
RISKY = {"zh": RISKY_ZH, "en": RISKY_EN}
REFERENCE = {"zh": "参照", "en": "reference"}  # the badge after the reference's label
HEADINGS = {
    "zh": ["要点", "比较的治理模式", "社区", "方法", "结果", "图", "运行信息"],
    "en": ["Key findings", "Designs compared", "Community", "Method", "Results", "Figures",
           "Run information"],
}
VOID = frozenset({"meta", "br", "img", "hr", "input", "link", "wbr", "col", "area", "base",
                  "source"})
DESIGN_YAML = """kind: design
label_zh: '危险<b>&"''设计'
label_en: 'Risky <b>&"'' design'
description: 'A <script>alert(1)</script> design with `code` & "quotes".'
institutions:
  government_service: {months_small: 24}
"""


class Page(HTMLParser):
    """Tags, their balance, attributes and the text of every heading and table header."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.texts: dict[str, list[str]] = {"h2": [], "h3": [], "th": [], "b": []}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in self.texts:
            self._open.append((tag, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag in self.texts:
            name, parts = self._open.pop()
            self.texts[name].append("".join(parts))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


@pytest.fixture(scope="module")
def comp(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """The risky-label design as the reference, against the baseline: 2 seeds, 3 months."""
    path = tmp_path_factory.mktemp("design") / "risky.yaml"
    path.write_text(DESIGN_YAML, encoding="utf-8")
    return compare([str(path), "baseline"], seeds=range(2), steps=3)


@pytest.fixture(scope="module", params=["zh", "en"])
def page(request: pytest.FixtureRequest, comp: Comparison,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Page]:
    """The report in one language: (lang, HTML, parsed page)."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"figures_{lang}")
    text = compare_report.render_report(comp, lang, compare_report.make_figures(comp, lang,
                                                                                folder))
    parsed = Page()
    parsed.feed(text)
    parsed.close()
    return lang, text, parsed


def test_the_page_parses_with_balanced_tags(page):
    lang, text, parsed = page
    assert text.startswith("<!DOCTYPE html>\n")
    assert parsed.errors == [] and parsed.stack == []
    assert parsed.tags[:2] == ["html", "head"]
    assert ("html", "lang", "zh-CN" if lang == "zh" else "en") in parsed.attrs


def test_the_page_is_self_contained(page):
    _, text, parsed = page
    assert "http://" not in text and "https://" not in text
    assert not {"script", "link", "iframe", "object", "embed"} & set(parsed.tags)
    assert "@import" not in text and "url(" not in text
    sources = [v for tag, k, v in parsed.attrs if k in ("src", "href")]
    assert sources and all(v.startswith("data:image/png;base64,") for v in sources)
    assert parsed.tags.count("img") == len(compare_report.COLUMNS) + 1  # forest + time series


def test_a_label_with_markup_is_escaped_and_whole(page):
    lang, text, parsed = page
    risky, baseline = RISKY[lang], BASELINE[lang]
    assert risky not in text  # nowhere raw: always escaped
    assert "<script>" not in text and "alert(1)" in text  # the description is text too
    whole = [risky + REFERENCE[lang], baseline]  # the reference first, with its badge
    assert parsed.texts["h3"][:2] == whole  # the designs section
    assert parsed.texts["th"][1:3] == whole  # the table's heads (after the outcome column)
    # the findings name both designs in bold; the label's own "<b>" is text inside it
    assert risky in parsed.texts["b"] and baseline in parsed.texts["b"]
    alts = [v for tag, k, v in parsed.attrs if tag == "img" and k == "alt"]
    assert any(risky in alt for alt in alts)  # the forest plot names the reference


def test_every_section_heading_is_there(page):
    lang, _, parsed = page
    assert parsed.texts["h2"] == HEADINGS[lang]


def context(comp: Comparison) -> dict[str, object]:
    """The context of the English report, without figures (none are needed to render)."""
    return compare_report.report_context(comp, "en", [])


def test_the_context_renders_the_report(comp):
    text = compare_report.render(context(comp))
    assert text.endswith("</html>\n") and "<h2>Run information</h2>" in text


@pytest.mark.parametrize("remove", ["title", "text.findings", "findings.caveat", "meta.command",
                                    "community.source", "table.head"])
def test_a_missing_variable_is_an_error(comp, remove):
    ctx = context(comp)
    *path, last = remove.split(".")
    inner = ctx
    for key in path:
        copy = dict(inner[key])  # a copy: TEXT itself is left whole
        inner[key] = copy
        inner = copy
    del inner[last]
    with pytest.raises(jinja2.UndefinedError, match=last):
        compare_report.render(ctx)


def test_values_are_escaped_unless_marked_safe():
    env = compare_report.environment()
    template = env.get_template("macros.html.j2").module
    assert str(template.method(["<i>&"])) == "<ul>\n<li>&lt;i&gt;&amp;</li>\n</ul>"
    assert str(template.method([jinja2.utils.markupsafe.Markup("<i>x</i>")])) == (
        "<ul>\n<li><i>x</i></li>\n</ul>")


def test_the_templates_are_package_data():
    folder = resources.files("sim") / compare_report.TEMPLATES
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert {"report.html.j2", "macros.html.j2", "report.css"} <= set(names)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    assert "jinja2" in " ".join(config["project"]["dependencies"])
    for name in names:
        assert any(fnmatch.fnmatch(f"templates/{name}", p) for p in patterns), name


def test_one_seed_says_why_there_are_no_findings(comp):
    one = dataclasses.replace(comp, seeds=comp.seeds[:1])
    text = compare_report.render_report(one, "en", [])
    parsed = Page()
    parsed.feed(text)
    assert parsed.errors == [] and parsed.stack == []
    note = compare_report.TEXT["en"]["m_one_seed"]
    assert f'<div class="findings"><p>{note}</p></div>' in text
    assert 'class="caveat"' not in text
