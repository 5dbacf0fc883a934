"""The stage after every unit is scored: vetoes that climb to parent units, rankings, and
the outcomes (结果) handed out by rank — top N, bottom N, places per group (名额), with
hand-down (顺延) past units that already hold another outcome.

It needs all units at once, so it runs on the interpreter's results rather than inside it.
Outcomes are handed out in the order they are written, so one may pass over the holders of
an earlier one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from jhdsl import ast
from jhdsl.errors import EvaluationError
from jhdsl.facts import Unit
from jhdsl.interpreter import Award, Env, Interpreter, Population, RankPlace, UnitResult, VetoHit, resolve_params
from jhdsl.numbers import plain


@attrs.frozen
class Settled:
    """The results with ranks, outcomes and passed-on vetoes; what could not be done; and
    the units that could not be scored at all, with the reason."""

    results: tuple[UnitResult, ...]
    problems: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


def _score_of(result: UnitResult, name: str | None, facts: Unit | None = None) -> Decimal:
    """The value a ranking orders by: the total, an item's or section's score, or a fact."""
    if name is None:
        return result.total
    if facts is not None and name in facts.values:
        return facts.values[name]
    for item in ast.all_items(result.items):
        if item.name == name:
            return item.score
    for section in ast.all_sections(result.sections):
        if section.name == name:
            return section.amount
    raise KeyError(name)


def _ranked(results: Sequence[UnitResult], ranking: ast.Ranking, units: dict[str, Unit]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) of ``results``: equal keys share a rank."""
    sign = 1 if ranking.ascending else -1

    def key(result: UnitResult) -> tuple:
        facts = units.get(result.unit)
        main = sign * _score_of(result, ranking.key, facts)
        if not ranking.has_tie_break:
            return (main,)
        return (main, sign * _score_of(result, ranking.tie_break, facts))

    ordered = sorted(results, key=key)
    ranks: dict[str, int] = {}
    for position, result in enumerate(ordered, start=1):
        before = ordered[position - 2] if position > 1 else None
        ranks[result.unit] = ranks[before.unit] if before is not None and key(before) == key(result) else position
    return ranks


def _groups(results: Sequence[UnitResult], ranking: ast.Ranking) -> dict[str | None, list[UnitResult]]:
    groups: dict[str | None, list[UnitResult]] = defaultdict(list)
    for result in results:
        groups[result.group if ranking.in_group else None].append(result)
    return groups


class Settlement:
    """Works through one policy's rankings and outcomes over all units' results."""

    def __init__(self, policy: ast.Policy, results: Sequence[UnitResult], units: Sequence[Unit] = (),
                 params=None) -> None:
        self.policy = policy
        self.units = {u.name: u for u in units}
        self.population = Population(list(units))
        self.params = params if params is not None else resolve_params(policy, {})
        self.by_name = {r.unit: r for r in results}
        self.order = [r.unit for r in results]
        self.problems: list[str] = []
        self.rankings = {r.name: r for r in policy.rankings}
        self.quotas = {q.name: {row.group: int(row.count.value) for row in q.rows} for q in policy.quotas}

    def update(self, unit: str, **changes) -> None:
        self.by_name[unit] = attrs.evolve(self.by_name[unit], **changes)

    def run(self) -> Settled:
        self.climb_vetoes()
        for ranking in self.policy.rankings:
            self.place(ranking)
        for outcome in self.policy.outcomes:
            self.hand_out(outcome)
        for unit in self.order:
            if self.by_name[unit].vetoed:
                self.update(unit, grade=None)
        return Settled(tuple(self.by_name[u] for u in self.order), tuple(self.problems))

    # vetoes that climb
    def climb_vetoes(self) -> None:
        for unit in self.order:
            for hit in self.by_name[unit].vetoes:
                self.pass_up(unit, hit, self.by_name[unit].parent, 1)

    def pass_up(self, origin: str, hit: VetoHit, parent: str | None, level: int) -> None:
        """Pass ``origin``'s veto to its parent, and on up, ``hit.climb`` levels in all."""
        if level > hit.climb or parent is None:
            return
        if parent not in self.by_name:
            self.problems.append(f"单位「{origin}」的一票否决「{hit.name}」要上否到「{parent}」，"
                                 "但事实文件中没有这个单位")
            return
        words = "上否一级" if level == 1 else f"上否{level}级"
        passed = VetoHit(hit.name, f"下级单位「{origin}」{hit.reason}（{words}）")
        self.update(parent, vetoes=(*self.by_name[parent].vetoes, passed))
        self.pass_up(origin, hit, self.by_name[parent].parent, level + 1)

    # rankings
    def place(self, ranking: ast.Ranking) -> None:
        results = [self.by_name[u] for u in self.order]
        for group, members in _groups(results, ranking).items():
            ranks = _ranked(members, ranking, self.units)
            shared = {rank for rank, count in Counter(ranks.values()).items() if count > 1}
            for member in members:
                rank = ranks[member.unit]
                spot = RankPlace(ranking.name, rank, len(members), group, rank in shared)
                self.update(member.unit, ranks=(*self.by_name[member.unit].ranks, spot))

    # outcomes
    def hand_out(self, outcome: ast.Outcome) -> None:
        if outcome.select == "condition":
            self.hand_out_by_condition(outcome)
            return
        ranking = self.rankings[outcome.ranking]
        results = [self.by_name[u] for u in self.order]
        for group, members in _groups(results, ranking).items():
            if outcome.select == "quota":
                count = self.quota_for(outcome, group)
            else:
                count = int(outcome.count.value)
            for unit, reason in self.chosen(outcome, ranking, members, count):
                self.give(unit, outcome, reason)

    def hand_out_by_condition(self, outcome: ast.Outcome) -> None:
        """结果 名称 若 条件: every unit whose facts and earlier outcomes meet the condition."""
        for name in self.order:
            env = Env(self.policy, self.units[name], self.params, population=self.population)
            env.held = frozenset(a.name for a in self.by_name[name].outcomes)
            env.eligible = self.by_name[name].eligible
            env.result = self.by_name[name]
            holds, words = env.condition_words(outcome.condition)
            if holds:
                self.give(name, outcome, words)

    def quota_for(self, outcome: ast.Outcome, group: str | None) -> int:
        table = self.quotas[outcome.quota]
        if group not in table:
            self.problems.append(f"名额表「{outcome.quota}」中没有「{group or '（未分组）'}」，该组不推荐任何单位")
            return 0
        return table[group]

    def chosen(self, outcome: ast.Outcome, ranking: ast.Ranking, members: list[UnitResult],
               count: int) -> list[tuple[str, str]]:
        """The units of one group that receive ``outcome``, each with the reason in words."""
        full = _ranked(members, ranking, self.units)
        passed_over = [m for m in members if self.holds_any(m, outcome.hand_down)]
        passed = {m.unit for m in passed_over}
        candidates = [m for m in members if m.unit not in passed and self.may_receive(m, outcome)]
        bottom = outcome.select == "bottom"
        among = _ranked(candidates, attrs.evolve(ranking, ascending=not ranking.ascending) if bottom else ranking,
                        self.units)
        where = f"（{members[0].group}）" if ranking.in_group and members and members[0].group else ""
        chosen = []
        for member in candidates:
            place = among[member.unit]
            if place > count:
                continue
            words = f"{ranking.name}{where}第 {full[member.unit]} 名（共 {len(members)} 个）"
            if bottom:
                words += f"，倒数第 {place} 名" if len(candidates) == len(members) else f"，在候选中倒数第 {place} 名"
            elif len(candidates) != len(members):
                words += f"，在候选中第 {place} 名"
            skipped = [m for m in passed_over
                        if (full[m.unit] > full[member.unit]) == bottom and full[m.unit] != full[member.unit]]
            if skipped:
                held = "，".join(f"「{m.unit}」已{'、'.join(self.held(m, outcome.hand_down))}" for m in skipped)
                words += f"；{held}，顺延"
            chosen.append((member.unit, words))
        return chosen

    def held(self, result: UnitResult, names: tuple[str, ...]) -> list[str]:
        """The outcomes among ``names`` that a unit already holds."""
        return [award.name for award in result.outcomes if award.name in names]

    def holds_any(self, result: UnitResult, names: tuple[str, ...]) -> bool:
        return bool(self.held(result, names))

    def may_receive(self, result: UnitResult, outcome: ast.Outcome) -> bool:
        """Honours (前 N, 名额) pass over vetoed and ineligible units; bottom places take all."""
        if outcome.select == "bottom":
            return True
        return not result.vetoed and result.eligible is not False

    def give(self, unit: str, outcome: ast.Outcome, reason: str) -> None:
        money = None
        if outcome.reward is not None:
            money = outcome.reward.value
        elif outcome.fine is not None:
            money = -outcome.fine.value
        award = Award(outcome.name, reason, money, outcome.veto)
        result = self.by_name[unit]
        vetoes = result.vetoes
        if outcome.veto:
            vetoes = (*vetoes, VetoHit(outcome.name, f"{outcome.name}：{reason}"))
        self.update(unit, outcomes=(*result.outcomes, award), vetoes=vetoes)


def settle(policy: ast.Policy, results: Sequence[UnitResult], units: Sequence[Unit] = (), params=None) -> Settled:
    """Pass vetoes up to parent units, rank every unit, and hand out the outcomes.

    ``units`` (the facts) are needed only by outcomes given by a condition (结果 … 若).
    """
    return Settlement(policy, results, units, params).run()


def evaluate_all(policy: ast.Policy, units: Sequence[Unit], params=None,
                 periods: dict[str, Sequence[Unit]] | None = None,
                 progress: Callable[[int], None] | None = None) -> Settled:
    """Score every unit, then settle ranks and outcomes; a unit whose facts cannot be
    computed with (a division by zero) is left out and listed in ``failed``. ``periods``
    holds the units of other periods' facts files, for 组成 … 按 本办法 于 某期; ``progress``
    is told of every unit scored."""
    interpreter = Interpreter(policy, params, population=units, periods=periods)
    results, failed = [], []
    for unit in units:
        try:
            results.append(interpreter.evaluate(unit))
        except EvaluationError as error:
            failed.append((unit.name, str(error)))
        if progress is not None:
            progress(1)
    return attrs.evolve(settle(policy, results, units, interpreter.params), failed=tuple(failed))


def money_text(value: Decimal) -> str:
    """Money as written in a notice: 奖励 25000元 / 罚款 3000元."""
    return f"奖励 {plain(value)}元" if value >= 0 else f"罚款 {plain(-value)}元"
