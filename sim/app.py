"""The interactive page (交互页面): Mesa's SolaraViz for a class, in Chinese or English.

A teacher chooses a community and a governance design, moves the sliders a class would argue
about (face, acquaintance, fees, the government's renovation budget, noise, activists),
presses Reset and watches the compound month by month: households in their buildings
coloured by what they do, and the main outcomes over time. The page is served by
``sim app`` (:mod:`sim.appserver`) on 127.0.0.1 and needs no network.

Mesa's own controls (Reset, ▶ play/pause, Step, the play and render intervals) keep their
English labels; the guide card explains them in both languages. The language switch in the
app bar redraws the page in the other language and keeps the model as it is.

Each control is a scenario field given to :class:`sim.CompoundModel` as a keyword (a nested
field with a double underscore, e.g. ``behaviour__weights__face``), which is exactly how
SolaraViz rebuilds a model on Reset. Slider positions come from the current model's resolved
config, so what the sliders show is what the running model uses.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Any

import markdown
import solara
from mesa.visualization.solara_viz import ModelController, ShowSteps
from mesa.visualization.utils import update_counter

from sim.config import preset_path, read_yaml
from sim.model import CompoundModel
from sim.text import section
from sim.views import bodies_text, compound_figure, outcomes_figure

LANG_ENV = "SIM_APP_LANG"
"""Environment variable that sets the page's first language (``zh`` or ``en``)."""

LANGS = ("zh", "en")
"""Languages of the page."""

COMMUNITIES = ("heping_road", "yimin_compound", "generic_old_compound")
"""Community presets offered on the page."""

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus",
           "kunming_red_courtyard", "pujiang_situation", "pujiang_remedies")
"""Design presets offered on the page."""

FIGURE_DPI = 96
"""Resolution of the page's figures: 96 dots per inch is one CSS pixel per dot, so a figure
shown at its own size draws a 10 pt label as 10 pt text on the page."""

COMPOUND_SIZE = (4.9, 4.0)
"""Size (inches) of the compound view: at :data:`FIGURE_DPI` it fits a half-width card of a
1500-pixel-wide window without being scaled down (the browser test checks this); in a
window narrower than 1264 pixels the cards stand one above the other, full width."""

OUTCOMES_SIZE = (4.9, 6.2)
"""Size (inches) of the outcome figure, as wide as :data:`COMPOUND_SIZE`; taller, for the
legends under its panels."""

PRESET_KINDS = {"community": "communities", "design": "designs"}
"""Config folder of the presets offered by each ``Select`` control."""

START = {"community": "heping_road", "design": "baseline", "rng": 1}
"""The model the page opens with."""


@dataclass(frozen=True)
class Control:
    """One input of the page: a scenario field a teacher can change.

    Attributes:
        key: Keyword of :class:`sim.CompoundModel` (nested fields joined by ``__``).
        zh: Label in Chinese.
        en: Label in English.
        kind: SolaraViz input type: ``SliderFloat``, ``SliderInt`` or ``Select``.
        low: Smallest slider value.
        high: Largest slider value.
        step: Slider step.
        about_zh: What the value means, in Chinese (shown in the table of values).
        about_en: The same in English.
        values: Choices of a ``Select``.
    """

    key: str
    zh: str
    en: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.1
    about_zh: str = ""
    about_en: str = ""
    values: tuple[str, ...] = ()


CONTROL_TEXT: dict[str, dict[str, str]] = section("app_controls")
"""Label of each control by language, keyed by :attr:`Control.key` (from the catalogue)."""

CONTROL_ABOUT: dict[str, dict[str, str]] = section("app_about")
"""What each slider's value means by language, keyed by :attr:`Control.key` (the selects
of community and design have none)."""


def _control(key: str, kind: str, low: float = 0.0, high: float = 1.0, step: float = 0.1,
             values: tuple[str, ...] = ()) -> Control:
    """Define a control, its text taken from :data:`CONTROL_TEXT` and :data:`CONTROL_ABOUT`."""
    return Control(key, CONTROL_TEXT["zh"][key], CONTROL_TEXT["en"][key], kind, low, high, step,
                   CONTROL_ABOUT["zh"].get(key, ""), CONTROL_ABOUT["en"].get(key, ""), values)


CONTROLS: tuple[Control, ...] = (
    _control("community", "Select", values=COMMUNITIES),
    _control("design", "Select", values=DESIGNS),
    _control("behaviour__weights__face", "SliderFloat", 0.0, 4.0, 0.1),
    _control("community__network__acquaintance", "SliderFloat", 0.0, 1.0, 0.05),
    _control("economy__cleaning_fee", "SliderFloat", 0.0, 30.0, 1.0),
    _control("economy__firm_fee", "SliderFloat", 0.0, 100.0, 5.0),
    _control("design__institutions__renovation_campaign__spend", "SliderFloat", 0.0, 2000.0,
             100.0),
    _control("behaviour__noise", "SliderFloat", 0.0, 2.0, 0.05),
    _control("initial__committed", "SliderInt", 0, 200, 5),
    _control("rng", "SliderInt", 0, 99, 1),
)
"""The page's inputs, in the order shown."""

TEXT: dict[str, dict[str, str]] = section("app")
"""Text of the page by language."""


def first_language() -> str:
    """Return the language the page opens in: ``$SIM_APP_LANG`` if valid, else Chinese."""
    lang = os.environ.get(LANG_ENV, "zh")
    return lang if lang in LANGS else "zh"


language = solara.reactive(first_language())
"""The page's language; per browser session, like every Solara reactive variable."""


def current_value(model: CompoundModel, key: str) -> Any:
    """Return the value the model uses for one control's keyword.

    Args:
        model: The running model.
        key: A :class:`Control` key.

    Returns:
        The seed for ``rng``, the preset name for ``community``/``design``, else the
        resolved config value at that path.
    """
    if key == "rng":
        return int(model.seed)
    if key in ("community", "design"):
        return getattr(model.config, key).name
    value: Any = model.config
    for part in key.split("__"):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def input_values(model: CompoundModel) -> dict[str, Any]:
    """Return the value each input of the page shows for ``model``, by control key.

    These are exactly the keywords that rebuild ``model`` (Reset passes them to
    :class:`sim.CompoundModel`). A preset value outside a slider's range is clipped into it
    only for display (the model keeps its own value until Reset).
    """
    values: dict[str, Any] = {}
    for c in CONTROLS:
        value = current_value(model, c.key)
        if c.kind == "Select":
            values[c.key] = value if value in c.values else c.values[0]
        else:
            cast = int if c.kind == "SliderInt" else float
            shown = value if isinstance(value, int | float) else c.low  # a list of ids
            values[c.key] = cast(min(max(shown, c.low), c.high))
    return values


@functools.cache
def preset_label(key: str, name: str, lang: str) -> str:
    """Return the name of a community or design preset in ``lang``.

    The name is the preset's own ``label_zh`` / ``label_en`` (as in reports and run
    figures), falling back to the other language and then to its id, so a preset without
    labels is still offered. The page shows the label; the model is given the id.

    Args:
        key: ``community`` or ``design`` (a key of :data:`PRESET_KINDS`).
        name: The preset's id, e.g. ``nanan_131``.
        lang: ``zh`` or ``en``.
    """
    data = read_yaml(preset_path(PRESET_KINDS[key], name, key), key)
    first, second = ("label_zh", "label_en") if lang == "zh" else ("label_en", "label_zh")
    return str(data.get(first) or data.get(second) or name)


def select_items(control: Control, lang: str) -> list[dict[str, str]]:
    """Return a ``Select``'s choices as Vuetify items: the label shown, the id as value."""
    return [{"text": preset_label(control.key, v, lang), "value": v} for v in control.values]


def value_text(value: float, step: float) -> str:
    """Return a slider's value as shown beside it, with as many decimals as its step has."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return f"{value:.{decimals}f}"


@solara.component
def ValueSlider(label: str, value: float, on_value: Any, low: float, high: float,
                step: float, integer: bool) -> None:
    """A slider with its current value written beside it, for every slider of the page."""
    slider = solara.SliderInt if integer else solara.SliderFloat
    with solara.Row(classes=["sim-slider"], style={"align-items": "center"}):
        slider(label, value=value, min=low, max=high, step=step, on_value=on_value)
        solara.Text(value_text(value, step), classes=["sim-value"])


@solara.component
def Inputs(values: solara.Reactive[dict[str, Any]], lang: str) -> None:
    """The page's inputs: labelled choices and sliders with their values beside them.

    ``values`` holds what Reset will give the model; moving an input changes only it, so
    the running model and the design card stay as they are until Reset. Choices show
    the presets' names in ``lang`` and hold their ids.
    """
    for c in CONTROLS:
        label = c.zh if lang == "zh" else c.en
        value = values.value[c.key]

        def set_value(new: Any, key: str = c.key) -> None:
            values.set({**values.value, key: new})

        if c.kind == "Select":
            solara.Select(label, values=select_items(c, lang), value=value,  # type: ignore[arg-type]
                          on_value=set_value, classes=["sim-select"])
            continue
        ValueSlider(label, value, set_value, c.low, c.high, c.step, c.kind == "SliderInt")


@solara.component
def CompoundView(model: CompoundModel) -> solara.Element:
    """Households of one compound by building and floor, coloured by this month's action.

    Members of the compound's bodies are marked in the drawing, and listed under it.
    """
    update_counter.get()
    lang = language.value
    n = int(model.compounds.condition.size)
    chosen, set_chosen = solara.use_state(0)
    chosen = min(chosen, n - 1)
    with solara.Card(style={"height": "100%"}) as card:
        if n > 1:
            ValueSlider(TEXT[lang]["compound"], chosen + 1, lambda v: set_chosen(int(v) - 1),
                        1, n, 1, integer=True)
        solara.FigureMatplotlib(compound_figure(model, chosen, lang, size=COMPOUND_SIZE),
                                format="png", dpi=FIGURE_DPI)
        rich_text(bodies_text(model, chosen, lang))  # who sits on which body (sim.bodies)
    return card


@solara.component
def OutcomesView(model: CompoundModel) -> solara.Element:
    """The main monthly outcomes of the run so far."""
    update_counter.get()
    df = model.datacollector.get_model_vars_dataframe()
    with solara.Card(style={"height": "100%"}) as card:
        solara.FigureMatplotlib(outcomes_figure(df, language.value, size=OUTCOMES_SIZE),
                                format="png", dpi=FIGURE_DPI)
    return card


def rich_text(text: str) -> solara.Element:
    """Show Markdown text as HTML converted here, in Python.

    ``solara.Markdown`` loads KaTeX from a CDN for formulas; converting on the server keeps
    the page working without a network.
    """
    html = markdown.markdown(text, extensions=["tables"])
    return solara.HTML(tag="div", unsafe_innerHTML=html, classes=["sim-text"])


def institution_labels(model: CompoundModel, lang: str) -> list[str]:
    """Return the names of the running design's institutions in ``lang``."""
    from sim.institutions import REGISTRY

    labels = []
    for name in model.config.design.institutions:
        cls = REGISTRY[name]
        labels.append((cls.label_zh if lang == "zh" else cls.label_en) or name)
    return labels


def run_table(model: CompoundModel, lang: str) -> str:
    """Return a Markdown table of the values the running model uses for every control."""
    rows = [TEXT[lang]["table_head"], "|---|---|---|"]
    for c in CONTROLS[2:]:
        value = current_value(model, c.key)
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        name, about = (c.zh, c.about_zh) if lang == "zh" else (c.en, c.about_en)
        rows.append(f"| {name} | {shown} | {about} |")
    return "\n".join(rows)


@solara.component
def DesignCard(model: CompoundModel) -> solara.Element:
    """What the running design does, its institutions, and the values the model uses."""
    update_counter.get()
    lang = language.value
    text = TEXT[lang]
    design = model.config.design
    name = (design.label_zh or design.name) if lang == "zh" else (design.label_en or design.name)
    about = (design.description_zh or design.description) if lang == "zh" else design.description
    sep, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    institutions = sep.join(institution_labels(model, lang)) or text["none"]
    # no fixed height: the card grows with its text, so every row of the table is shown
    with solara.Card(text["design"], classes=["sim-design"]) as card:
        rich_text(f"**{name}**\n\n{about.strip()}\n\n"
                        f"*{text['institutions']}*{colon}{institutions}\n\n"
                        f"*{text['source']}*{colon}{design.source.strip()}\n\n"
                        f"**{text['in_use']}**\n\n{run_table(model, lang)}")
    return card


@solara.component
def GuideCard(model: CompoundModel) -> solara.Element:
    """How to use the page, in the page's language."""
    text = TEXT[language.value]
    with solara.Card(text["guide"], style={"height": "100%"}) as card:
        rich_text(text["guide_body"])
    return card


CSS = """
.sim-slider { flex-wrap: nowrap; }
.sim-slider .v-input { flex: 1 1 auto; }
.sim-value { min-width: 3.6em; text-align: right; font-variant-numeric: tabular-nums; }
.sim-select .v-select__selection { white-space: normal; line-height: 1.3; }
.sim-text table { width: 100%; border-collapse: collapse; }
.sim-text th, .sim-text td { padding: 2px 6px; vertical-align: top; white-space: normal;
  border-bottom: 1px solid #e0e0e0; text-align: left; }
.sim-text td:nth-child(2) { white-space: nowrap; text-align: right; }
"""
"""Styles of the page's own parts: a slider's value beside it, choices that wrap long
names, and the design card's table wrapped to the card's width."""


@solara.component
def Page() -> None:
    """The page: a language switch, Mesa's run controls, the inputs and four cards.

    Built from Mesa's :func:`~mesa.visualization.solara_viz.ModelController` (Reset, ▶,
    Step) and ``ShowSteps`` rather than ``SolaraViz``: SolaraViz's inputs can show neither a
    preset's name for its id nor a slider's value. The inputs' values are this page's
    state, given to the controller, so Reset builds the model from exactly what they show,
    and switching the language keeps both the model and values not yet applied.
    """
    first = solara.use_memo(lambda: CompoundModel(**START), [])
    model = solara.use_reactive(first)
    values = solara.use_reactive(solara.use_memo(lambda: input_values(first), []))
    play_interval = solara.use_reactive(200)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    lang = language.value
    text = TEXT[lang]
    solara.Style(CSS)
    solara.Title(text["title"])
    with solara.AppBar():
        solara.AppBarTitle(text["title"])
        solara.Button(text["lang"], text=True, color="white",
                      on_click=lambda: language.set("en" if lang == "zh" else "zh"))
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            ValueSlider("Play Interval (ms)", play_interval.value, play_interval.set, 10, 500,
                        10, integer=True)
            ValueSlider("Render Interval (steps)", render_interval.value, render_interval.set,
                        1, 100, 1, integer=True)
            ModelController(model, model_parameters=values, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
        with solara.Card(text["parameters"], subtitle=text["parameters_note"]):
            Inputs(values, lang)
        with solara.Card("Information"):
            ShowSteps(model.value)
    with solara.ColumnsResponsive(default=12, large=6):
        CompoundView(model.value)
        OutcomesView(model.value)
        DesignCard(model.value)
        GuideCard(model.value)
