"""Pure scoring rules (no queries): item pass/fail, run and section scores.

See docs/checklists.md. Score = points earned ÷ points possible, over scored items that
were answered and are not "not applicable"; a failed critical item fails the run
whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def item_passes(item, *, not_applicable: bool, choice: str = "", number=None) -> bool | None:
    """True pass, False fail, None not scored (kind without points, or N/A)."""
    if not_applicable or not item.scored:
        return None
    if item.kind == "yes_no":
        return choice == "yes"
    if item.kind == "number":
        if number is None:
            return None
        if item.min_value is not None and number < item.min_value:
            return False
        return not (item.max_value is not None and number > item.max_value)
    if item.kind == "single_choice":
        for option in item.options or []:
            if option.get("value") == choice:
                return not option.get("fails", False)
        return None
    return None


@dataclass
class SectionScore:
    section: object
    earned: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    failed: list = field(default_factory=list)

    @property
    def percent(self) -> Decimal | None:
        return percent(self.earned, self.possible)


@dataclass
class RunScore:
    earned: Decimal
    possible: Decimal
    failed_critical: bool
    sections: list[SectionScore]
    failed_items: list

    @property
    def percent(self) -> Decimal | None:
        return percent(self.earned, self.possible)

    @property
    def passed(self) -> bool:
        return not self.failed_critical


def percent(earned: Decimal, possible: Decimal) -> Decimal | None:
    if not possible:
        return None
    return (Decimal(earned) * HUNDRED / Decimal(possible)).quantize(CENT)


def score_run(sections: Iterable, items: Iterable, answers: Mapping[int, object]) -> RunScore:
    """``answers`` maps item id to an Answer (with ``passed`` already evaluated)."""
    by_section = {section.pk: SectionScore(section) for section in sections}
    failed_items, failed_critical = [], False
    for item in items:
        answer = answers.get(item.pk)
        if answer is None or answer.passed is None:
            continue
        score = by_section[item.section_id]
        score.possible += item.points
        if answer.passed:
            score.earned += item.points
        else:
            score.failed.append(item)
            failed_items.append(item)
            failed_critical = failed_critical or item.critical
    sections_scored = list(by_section.values())
    return RunScore(
        earned=sum((s.earned for s in sections_scored), Decimal(0)),
        possible=sum((s.possible for s in sections_scored), Decimal(0)),
        failed_critical=failed_critical,
        sections=sections_scored,
        failed_items=failed_items,
    )
