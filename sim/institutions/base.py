"""The institution contract: what an institution is, when it acts, and what it may touch.

An institution is a body or rule of a governance design (a party branch, a covenant, a
renovation campaign). It is one class, generic over its parameters, that

* names itself (``name``, ``source``) and its pydantic ``Params`` (unit, range and default
  of every parameter); its Chinese and English names (``label_zh``, ``label_en``) are the
  entry of its ``name`` in the ``institutions`` section of the bilingual catalogue
  (``sim/catalogue.yaml``), set on the class when it is defined;
* acts in one or more **phases** of a month — ``setup`` (once, after every institution of
  the design is built), ``before_decisions``, ``after_decisions`` and ``month_end`` — by
  overriding the method of that name;
* **declares**, per phase, the shared state fields it reads and writes (``contract``).

The order in which institutions act within a phase is not in the class: it is one table,
:data:`sim.schedule.PHASE_ORDER`, which ``sim schedule DESIGN`` prints. Shared fields are the
public attributes of the model's state objects, named ``object.attribute``:
``population.trust``, ``compounds.norm``, ``selfgov.bodies.branch``, ``matters.grace``,
``ledger.balance``, ``government.spent``, ``firms.red`` (an attribute of every property-firm
agent), ``model.rng`` (drawing a random number moves the run's generator, so every draw is a
write; at step time draws go through ``model.runs``, :mod:`sim.runs`, which names whose
numbers they are), ``model.firms``; another institution's public attribute is
``<its name>.<attribute>``. An institution's own attributes are its own business and need
no declaration, nor do the fields of :data:`LAYOUT` (who lives where, households' traits:
fixed when the model is built; only :mod:`sim.turnover`, between phases, redraws the traits of
a flat's newcomer); :data:`FIELD_GROUPS` names fields that change together.
``tests/test_institution_contract.py`` runs every design and fails when an institution changes a
field in a phase whose ``writes`` do not list it, or reads one its ``reads`` and ``writes`` do not.

Writing a new institution — a complete module (the covenant, ``sim/institutions/covenant.py``,
is a real one of about the same size; ``tests/test_institution_example.py`` runs this one)::

    \"\"\"The notice board (公示栏): the compound posts who paid, so paying is seen.\"\"\"

    from __future__ import annotations

    from typing import TYPE_CHECKING

    from pydantic import Field

    from sim.institutions.base import Access, Contract, Institution, Params

    if TYPE_CHECKING:
        from sim.model import CompoundModel


    class NoticeBoardParams(Params):
        \"\"\"Parameters of ``notice_board``.\"\"\"

        visibility: float = Field(0.1, ge=0, le=1, description="Share added to the "
                                  "visibility of paying the fee; our assumption.")


    class NoticeBoard(Institution[NoticeBoardParams]):
        \"\"\"公示栏: paying the fee becomes more visible in every compound.\"\"\"

        name = "notice_board"
        source = "our example"
        Params = NoticeBoardParams
        contract = Contract(setup=Access(reads=("compounds.visibility_bonus",),
                                         writes=("compounds.visibility_bonus",)))

        def setup(self, model: CompoundModel) -> None:
            \"\"\"Make paying more visible in every compound.\"\"\"
            model.compounds.visibility_bonus[:, 0] += self.params.visibility

Then (1) add the class to :data:`sim.institutions.registry.INSTITUTIONS`, (2) put its name in
each phase it acts in of :data:`sim.schedule.PHASE_ORDER`, where in the month it belongs, and
(3) use it in a design's ``institutions:``; (4) give it a Chinese and an English name under
``institutions:`` in ``sim/catalogue.yaml`` (``notice_board: {zh: 公示栏, en: Notice board}``),
which ``sim schedule``, ``sim params``, reports and the page show (``tests/test_catalogue.py``
fails for a registered institution without one). ``self.params`` is typed as ``NoticeBoardParams``
(no cast). A class whose hooks and ``contract`` disagree, or that declares a field name of no
known object, is refused when the class is defined; one missing from the schedule table, when
the registry is built.

This module imports nothing of the package above :mod:`sim.strict` and :mod:`sim.text` (which
import nothing of it), so any module can build on it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from sim.strict import Strict
from sim.text import section

if TYPE_CHECKING:
    from sim.model import CompoundModel

PHASES = ("setup", "before_decisions", "after_decisions", "month_end")
"""Phases an institution can act in, in the order they come (``setup`` once, the rest monthly)."""

STATE_OBJECTS = ("model", "population", "compounds", "selfgov", "matters", "ledger",
                 "government", "firms")
"""Objects whose public attributes are shared fields (``firms``: every firm agent's)."""

FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "matters.open": ("matters.ids", "matters.compound", "matters.kind", "matters.category",
                     "matters.scope", "matters.target", "matters.cost", "matters.opened",
                     "matters.in_project"),
    "matters.resolved": ("matters.resolved_this_month", "matters.log"),
    "ledger.accounts": ("ledger.balance", "ledger.month_in", "ledger.month_out",
                        "ledger.total_in", "ledger.total_out", "ledger.shortfall"),
}
"""Names for fields that change together: the open matters (opening, resolving or putting
one in a project rewrites all their arrays), the month's resolutions and their log (what
:meth:`~sim.matters.MatterBook.resolved_in` reads), the accounts of the ledger (every deposit
and payment moves them)."""


LAYOUT = frozenset({
    *(f"population.{a}" for a in ("n", "compound", "building", "unit", "group", "tenure",
                                  "party", "ability", "cost_per_yuan", "public_spirit",
                                  "face_sensitivity", "threshold", "committed")),
    *(f"compounds.{a}" for a in ("n", "group", "households", "households_float",
                                 "rate_divisor", "first_household", "members")),
    "selfgov.n", "matters.n_compounds", "matters.type_names", "ledger.n",
})
"""Fields fixed when the model is built (who lives where, households' traits, sizes): every
institution may read them without declaring it, and none may write them."""


NAMES: dict[str, dict[str, str]] = section("institutions")
"""Chinese and English name of every registered institution by language, from the catalogue."""


def axes(**fields: str) -> Mapping[str, str]:
    """The replicate axis of each of an institution's own fields, for ``replicate``.

    Each keyword names a field of the institution and its kind in :mod:`sim.replicates`
    (``"compound"``, ``"household"``, ``"compound:1"``, ``"run"``, ``"records"``,
    ``"institution"``, …); ``axes()`` declares an institution with no state of its own. The
    mapping is read-only, as a class attribute shared by every instance must be.
    """
    return MappingProxyType(fields)


def expand(fields: tuple[str, ...]) -> set[str]:
    """The fields a declaration names, groups (:data:`FIELD_GROUPS`) replaced by their members."""
    out: set[str] = set()
    for field in fields:
        out.update(FIELD_GROUPS.get(field, (field,)))
    return out


class Params(Strict):
    """Base of institution parameters: the rules of every config section (:mod:`sim.strict`)."""


@dataclass(frozen=True)
class Access:
    """The shared fields an institution reads and writes in one phase.

    Attributes:
        reads: Fields whose values the phase uses (``population.trust``).
        writes: Fields the phase may change; a change to any other is a contract breach.
    """

    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """Per phase an institution acts in, what it reads and writes; ``None`` where it does not act.

    The fields are the phases of :data:`PHASES`, so a misspelt phase is an error where the
    class is written.
    """

    setup: Access | None = None
    before_decisions: Access | None = None
    after_decisions: Access | None = None
    month_end: Access | None = None

    def items(self) -> list[tuple[str, Access]]:
        """``(phase, access)`` for each phase declared, in month order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None]

    def __contains__(self, phase: object) -> bool:
        return isinstance(phase, str) and getattr(self, phase, None) is not None

    def __getitem__(self, phase: str) -> Access:
        access: Access | None = getattr(self, phase, None) if phase in PHASES else None
        if access is None:
            raise KeyError(phase)
        return access


class Institution[P: Params]:
    """A body or rule of a governance design, generic over its parameters ``P``.

    Attributes:
        name: Registered name used in design files.
        label_zh: Chinese name, from the catalogue (:data:`NAMES`; ``""`` if it has none).
        label_en: English name, from the catalogue (:data:`NAMES`; ``""`` if it has none).
        source: Seed file the institution comes from.
        Params: The pydantic model of its parameters.
        contract: Per phase it acts in, the shared fields it reads and writes.
        replicate: The replicate axis of each of its own fields (:mod:`sim.replicates`:
            ``{"renovated": "compound"}``), for advancing several runs in one model;
            ``{}`` for an institution with no state of its own, ``None`` (the default) for
            one whose logic is not yet written run by run, whose runs are then advanced
            one after another.
        model: The model it belongs to.
        params: Its validated parameters.
    """

    name: ClassVar[str] = ""
    label_zh: ClassVar[str] = ""
    label_en: ClassVar[str] = ""
    source: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params
    contract: ClassVar[Contract] = Contract()
    replicate: ClassVar[Mapping[str, str] | None] = None

    def __init__(self, model: CompoundModel, params: P) -> None:
        self.model = model
        self.params: P = params

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Name the class from the catalogue and refuse one whose hooks and contract disagree.

        Both happen once, when the class is defined (:func:`name_from_catalogue`,
        :func:`check_contract`).
        """
        super().__init_subclass__(**kwargs)
        name_from_catalogue(cls)
        check_contract(cls)

    def setup(self, model: CompoundModel) -> None:
        """Act once, after every institution of the design is built."""

    def before_decisions(self, model: CompoundModel) -> None:
        """Act after matters arrive and before households decide."""

    def after_decisions(self, model: CompoundModel) -> None:
        """Act after fees are collected and the firm has served."""

    def month_end(self, model: CompoundModel) -> None:
        """Act after condition and beliefs are updated."""

    @classmethod
    def phases(cls) -> tuple[str, ...]:
        """The phases this institution acts in, in month order."""
        return tuple(phase for phase in PHASES if phase in cls.contract)


def name_from_catalogue(cls: type[Institution[Any]]) -> None:
    """Set ``cls.label_zh`` and ``cls.label_en`` from the catalogue entry of ``cls.name``.

    The names of institutions live in one place, the ``institutions`` section of
    ``sim/catalogue.yaml`` (:data:`NAMES`); a class whose name has no entry (one defined
    outside the package, as in a test) keeps the labels it sets itself, or none.

    Raises:
        TypeError: If the class sets a label itself although the catalogue has its name
            (two places for one text).
    """
    if cls.name not in NAMES["zh"]:
        return
    own = [attr for attr in ("label_zh", "label_en") if attr in vars(cls)]
    if own:
        raise TypeError(f"{cls.__name__} sets {own[0]}, but the name of {cls.name!r} is in "
                        "sim/catalogue.yaml (section institutions); remove it from the class")
    cls.label_zh = NAMES["zh"][cls.name]
    cls.label_en = NAMES["en"][cls.name]


def acts_in(cls: type[Institution[Any]], phase: str) -> bool:
    """Whether ``cls`` overrides the hook of ``phase``."""
    return getattr(cls, phase) is not getattr(Institution, phase)


def check_contract(cls: type[Institution[Any]]) -> None:
    """Check that ``cls`` declares exactly the phases it acts in, with well-formed field names.

    Raises:
        TypeError: Naming the class and what is wrong.
    """
    for phase in PHASES:
        if acts_in(cls, phase) != (phase in cls.contract):
            what = ("acts in {p} but its contract does not declare it" if acts_in(cls, phase)
                    else "declares {p} in its contract but does not act in it")
            raise TypeError(f"{cls.__name__} {what.format(p=phase)}")
    for phase, access in cls.contract.items():
        for field in (*access.reads, *access.writes):
            head, _, attr = field.partition(".")
            if not attr or not head:
                raise TypeError(f"{cls.__name__}.contract[{phase!r}]: field {field!r} must be "
                                f"'object.attribute' with object one of "
                                f"{', '.join(STATE_OBJECTS)} or an institution's name")
