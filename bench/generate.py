"""Inputs of the benchmark: a large generated policy, and random facts for any policy.

The shipped policies have at most about a hundred items and a dozen example units: too few
to tell a fast engine from a slow one. This module makes what a benchmark needs at scale:

- ``generate(items, seed)``: the text of a valid policy with ``items`` leaf items written in
  the rule kinds the shipped policies use, with a plain description of every item (a
  ``Spec``) from which ``bench/baselines.py`` builds its hand-written SQL and numpy;
- ``facts_table(policy, n, seed)``: ``n`` units of random but valid facts for any policy, as
  an Arrow table typed the way the compiled engine reads facts (DECIMAL(18, 6), BOOLEAN,
  string). Numbers are concentrated at the thresholds the policy compares them with, since
  that is where an engine that rounds or compares wrongly gives itself away.

    python bench/generate.py [--sizes 1000,100000,1000000] [--csv]

writes bench/data/<policy>-<n>.parquet (and .csv) for wujin-2014 and for the generated
policy, whose text goes to bench/data/generated-<items>.jhp.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from jhdsl import ast
from jhdsl.display import render_table
from jhdsl.facts import FRACTION_DIGITS
from jhdsl.numbers import plain
from jhdsl.pipeline import check_text, load_policy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

# ---- the spec of a generated policy ---------------------------------------------------------
#
# Only what the baselines need to score a unit: every rule with its numbers, in the order it
# is written. The policy text is rendered from the spec, so the two cannot disagree.


@dataclass(frozen=True)
class FactSpec:
    """A declared fact: 是否, 整数 or 百分比, its default as written, and the unit counts take."""

    name: str
    kind: str
    default: str | None = None
    unit: str = ""


@dataclass(frozen=True)
class Test:
    """One part of a condition: a 是否 fact holds (``is``) or not (``not``), or a comparison."""

    fact: str
    op: str  # "is", "not", ">=", ">", "<=", "<" or "="
    bound: Decimal | None = None


Condition = tuple[Test, ...]  # every test must hold (且); empty: always


@dataclass(frozen=True)
class Fixed:
    """计分 / 扣分 N分 若 条件."""

    sign: int
    points: Decimal
    condition: Condition = ()


@dataclass(frozen=True)
class PerUnit:
    """按 事实 每(满) 步长 计/扣 N分 上限 M分."""

    fact: str
    step: Decimal
    whole: bool
    sign: int
    points: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class Rate:
    """按率 率 达到 目标 计满分（或 计 N分），每(满)降低 步长 扣 斜率，低于 下限 不计分."""

    fact: str
    target: Decimal
    full: Decimal | None  # None: 计满分, the item's points
    step: Decimal
    whole: bool
    slope: Decimal
    floor: Decimal | None = None


@dataclass(frozen=True)
class Tiers:
    """分档 事实: the first tier whose comparison holds gives its signed points; else 其余."""

    fact: str
    tiers: tuple[tuple[str, Decimal, Decimal], ...]  # (op, bound, signed points; 0 is 不计分)
    otherwise: Decimal | None  # signed points of 其余; None when there is no 其余 (0 then)


@dataclass(frozen=True)
class ZeroIf:
    """不计分 若 条件: the whole item scores 0."""

    condition: Condition


Rule = Fixed | PerUnit | Rate | Tiers | ZeroIf


@dataclass(frozen=True)
class Leaf:
    """A leaf item: its points, the score it starts from, its rules; ``written_start`` when
    the text says 初始 (its rules both award and deduct)."""

    name: str
    points: Decimal
    start: Decimal
    rules: tuple[Rule, ...]
    written_start: bool = False


@dataclass(frozen=True)
class Veto:
    """一票否决 名称 若 条件."""

    name: str
    condition: Condition


@dataclass(frozen=True)
class Category:
    """A parent item: the sum of its leaves, held to its points."""

    name: str
    points: Decimal
    leaves: tuple[Leaf, ...]
    vetoes: tuple[Veto, ...] = ()


@dataclass(frozen=True)
class Section:
    """加分 (sign 1) or 减分 (sign −1) 名称 上限 N分: rules and subsections, capped."""

    sign: int
    name: str
    cap: Decimal | None
    rules: tuple[Fixed | PerUnit, ...]
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Band:
    """等次: low ≤ 总分 < high (either end may be open); both None for 其余."""

    name: str
    low: Decimal | None
    high: Decimal | None


@dataclass(frozen=True)
class Spec:
    """A generated policy, as the baselines read it."""

    name: str
    full_marks: Decimal
    facts: tuple[FactSpec, ...]
    categories: tuple[Category, ...]
    sections: tuple[Section, ...]
    vetoes: tuple[Veto, ...]
    bands: tuple[Band, ...]


# ---- generating ---------------------------------------------------------------------------

TOPICS = ("领导重视", "综合治理", "依法行政", "信息化建设", "宣传教育", "公共服务", "出生缺陷干预", "家庭健康",
          "流动人口", "协会建设", "党风廉政", "队伍建设", "经费保障", "统计监测", "奖励扶助", "优质服务", "药具管理",
          "性别比治理", "便民维权", "基层基础")
GOOD = ("达标", "台账齐全", "按时完成", "制度健全", "公开到位", "落实到位", "档案规范")
BAD = ("弄虚作假", "发生违规", "瞒报漏报")
RATES = ("符合率", "覆盖率", "到位率", "及时率", "知晓率", "完成率", "随访率")
BAD_COUNTS = (("差错件数", "件"), ("违规起数", "起"), ("投诉件数", "件"))
GOOD_COUNTS = (("活动次数", "次"), ("文章篇数", "篇"), ("服务户数", "户"))
TARGETS = (80, 85, 90, 95, 98, 99, 100)

D = Decimal


def _half(value: Decimal) -> Decimal:
    """``value`` rounded down to a multiple of 0.5 (points are written in halves)."""
    return (value * 2).to_integral_value(rounding="ROUND_FLOOR") / 2


@dataclass
class _Builder:
    rng: random.Random
    facts: dict[str, FactSpec] = field(default_factory=dict)

    def fact(self, name: str, kind: str, default: str | None = None, unit: str = "") -> str:
        self.facts.setdefault(name, FactSpec(name, kind, default, unit))
        return name

    def good(self, base: str) -> str:
        return self.fact(base + self.rng.choice(GOOD), ast.BOOL)

    def bad(self, base: str) -> str:
        return self.fact(base + self.rng.choice(BAD), ast.BOOL, "否")

    def rate(self, base: str) -> str:
        return self.fact(base + self.rng.choice(RATES), ast.PERCENT)

    def count(self, base: str, bad: bool) -> str:
        suffix, unit = self.rng.choice(BAD_COUNTS if bad else GOOD_COUNTS)
        return self.fact(base + suffix, ast.COUNT, "0" if bad else None, unit)

    def target(self) -> Decimal:
        return D(self.rng.choice(TARGETS))

    # Each template returns (points, rules, start or None when it follows from the rules).
    def t_bool(self, base):
        """计分 p 若 达标"""
        p = D(self.rng.choice((1, 2, 3)))
        return p, [Fixed(1, p, (Test(self.good(base), "is"),))], None

    def t_rate_fixed(self, base):
        """计分 p 若 率 >= 目标"""
        p = D(self.rng.choice((1, 2, 3)))
        return p, [Fixed(1, p, (Test(self.rate(base), ">=", self.target()),))], None

    def t_split(self, base):
        """计分 p/2 若 达标；计分 p/2 若 率 >= 目标"""
        p = D(self.rng.choice((2, 3, 4)))
        a = _half(p / 2)
        return p, [Fixed(1, a, (Test(self.good(base), "is"),)),
                   Fixed(1, p - a, (Test(self.rate(base), ">=", self.target()),))], None

    def t_both(self, base):
        """计分 p 若 达标 且 率 >= 目标"""
        p = D(self.rng.choice((1, 2)))
        return p, [Fixed(1, p, (Test(self.good(base), "is"), Test(self.rate(base), ">=", self.target())))], None

    def t_deductions(self, base):
        """扣分 1分 若 非 达标；扣分 p 若 弄虚作假 (from full points)"""
        p = D(self.rng.choice((2, 3)))
        return p, [Fixed(-1, D(1), (Test(self.good(base), "not"),)),
                   Fixed(-1, p, (Test(self.bad(base), "is"),))], None

    def t_per_deduct(self, base):
        """按 差错件数 每 1件 扣 s 上限 p−1; sometimes 扣分 p 若 弄虚作假"""
        p = D(self.rng.choice((2, 3, 4, 5)))
        per = PerUnit(self.count(base, bad=True), D(1), False, -1, D(self.rng.choice(("0.5", "1", "2"))),
                      p - 1 if self.rng.random() < 0.5 else None)
        rules = [per]
        if self.rng.random() < 0.4:
            rules.append(Fixed(-1, p, (Test(self.bad(base), "is"),)))
        return p, rules, None

    def t_per_award(self, base):
        """按 活动次数 每 1(2)次 计 s 上限 p"""
        p = D(self.rng.choice((2, 3, 4)))
        step = D(self.rng.choice((1, 2)))
        return p, [PerUnit(self.count(base, bad=False), step, False, 1, D(self.rng.choice(("0.5", "1"))), p)], None

    def t_whole_steps(self, base):
        """按 活动次数 每满 k次 计 s"""
        p = D(self.rng.choice((2, 3)))
        cap = p if self.rng.random() < 0.5 else None
        return p, [PerUnit(self.count(base, bad=False), D(self.rng.choice((2, 3, 5))), True, 1,
                           D(self.rng.choice(("0.5", "1"))), cap)], None

    def _rate_rule(self, base, p):
        target = D(self.rng.choice((90, 95, 98, 100)))
        full = p - 1 if self.rng.random() < 0.15 else None
        floor = target - self.rng.choice((10, 15, 20)) if self.rng.random() < 0.6 else None
        step = D(self.rng.choice(("1", "1", "1", "0.5", "2")))
        return Rate(self.rate(base), target, full, step, self.rng.random() < 0.25,
                    D(self.rng.choice(("0.25", "0.5", "1", "2.5"))), floor)

    def t_rate(self, base):
        """按率 率 达到 目标 计满分，每(满)降低 … 扣 …，低于 … 不计分"""
        p = D(self.rng.choice((3, 4, 5, 6)))
        return p, [self._rate_rule(base, p)], None

    def t_rate_and_deduction(self, base):
        """初始 0分；按率 …；扣分 1分 若 非 达标"""
        p = D(self.rng.choice((4, 5)))
        return p, [self._rate_rule(base, p), Fixed(-1, D(1), (Test(self.good(base), "not"),))], D(0)

    def t_tiers(self, base):
        """分档 率: >= a 计 p, >= b 计 p−1, >= c 计 p−2, 其余 不计分"""
        p = D(self.rng.choice((3, 4, 5)))
        bounds = sorted(self.rng.sample(TARGETS, 3), reverse=True)
        tiers = tuple((">=", D(b), p - i) for i, b in enumerate(bounds))
        return p, [Tiers(self.rate(base), tiers, D(0))], None

    def t_count_tiers(self, base):
        """分档 差错件数: = 0 不计分, <= 2 扣 1分, 其余 扣 p (from full points)"""
        p = D(self.rng.choice((2, 3, 4)))
        tiers = (("=", D(0), D(0)), ("<=", D(2), D(-1)))
        return p, [Tiers(self.count(base, bad=True), tiers, -p)], None

    TEMPLATES = (("t_bool", 20), ("t_rate_fixed", 12), ("t_split", 12), ("t_both", 4), ("t_deductions", 8),
                 ("t_per_deduct", 10), ("t_per_award", 6), ("t_whole_steps", 5), ("t_rate", 10),
                 ("t_rate_and_deduction", 3), ("t_tiers", 6), ("t_count_tiers", 4))

    def leaf(self, category: int, index: int) -> Leaf:
        names, weights = zip(*self.TEMPLATES, strict=True)
        template = self.rng.choices(names, weights)[0]
        name = f"第{category}类第{index}项"
        points, rules, start = getattr(self, template)(name)
        signs = {_sign(r) for r in rules} - {0}
        if start is None:
            start = points if signs == {-1} else D(0)
        if signs == {1} and self.rng.random() < 0.1:  # 「弄虚作假的，该项不得分」
            rules.append(ZeroIf((Test(self.fact(f"第{category}类数据弄虚作假", ast.BOOL, "否"), "is"),)))
        return Leaf(name, points, start, tuple(rules), written_start=signs == {1, -1})

    def sections(self) -> tuple[Section, ...]:
        fact = self.fact  # the sections are written out by hand, like a real policy's
        honours = Section(1, "表彰", D(6), (
            PerUnit(fact("国家级表彰次数", ast.COUNT, "0", "次"), D(1), False, 1, D(3)),
            PerUnit(fact("省级表彰次数", ast.COUNT, "0", "次"), D(1), False, 1, D(2)),
            PerUnit(fact("市级表彰次数", ast.COUNT, "0", "次"), D(1), False, 1, D(1))))
        bonus = Section(1, "亮点工作", D(10), (
            Fixed(1, D(1), (Test(fact("提供现场经验", ast.BOOL, "否"), "is"),)),
            PerUnit(fact("刊物发表篇数", ast.COUNT, "0", "篇"), D(2), True, 1, D(1), D(3)),
            Fixed(1, D(2), (Test(fact("创新工作突出", ast.BOOL, "否"), "is"),))), (honours,))
        notices = Section(-1, "通报批评", D(4), (
            PerUnit(fact("被通报批评次数", ast.COUNT, "0", "次"), D(1), False, -1, D(1)),))
        penalty = Section(-1, "违规违纪", D(10), (
            PerUnit(fact("信访事件起数", ast.COUNT, "0", "起"), D(1), False, -1, D(2)),
            Fixed(-1, D(5), (Test(fact("发生重大信访事件", ast.BOOL, "否"), "is"),))), (notices,))
        return bonus, penalty


def _sign(rule: Rule) -> int:
    """1 if a rule awards, −1 if it deducts, 0 for neither (不计分 若); tiers by their tiers."""
    match rule:
        case Fixed() | PerUnit():
            return rule.sign
        case Rate():
            return 1
        case Tiers():  # the generator never mixes awarding and deducting tiers
            amounts = [p for _, _, p in rule.tiers] + [rule.otherwise or D(0)]
            return -1 if all(p <= 0 for p in amounts) else 1
    return 0


def _sizes(rng: random.Random, items: int) -> list[int]:
    """Category sizes of about 10 (8 to 12) adding up to ``items``."""
    sizes = []
    while sum(sizes) < items:
        sizes.append(min(rng.randint(8, 12), items - sum(sizes)))
    if len(sizes) > 1 and sizes[-1] < 5:
        sizes[-2] += sizes.pop()
    return sizes


def generate(items: int = 500, seed: int = 0) -> tuple[str, Spec]:
    """A valid policy of ``items`` leaf items in categories of about ten, and its spec."""
    builder = _Builder(random.Random(seed))
    rng = builder.rng
    crash = builder.fact("发生重大责任事故", ast.BOOL, "否")
    categories = []
    for number, size in enumerate(_sizes(rng, items), start=1):
        leaves = tuple(builder.leaf(number, i) for i in range(1, size + 1))
        vetoes = ()
        if number == 1:  # a veto written inside an item, as the shipped policies do
            births = builder.fact("党员干部违法生育", ast.BOOL, "否")
            vetoes = (Veto("党员干部违法生育", (Test(births, "is"),)),)
        name = f"第{number}类{TOPICS[(number - 1) % len(TOPICS)]}"
        categories.append(Category(name, sum((leaf.points for leaf in leaves), D(0)), leaves, vetoes))
    sections = builder.sections()
    full = sum((c.points for c in categories), D(0))
    # With hundreds of items the totals of random units bunch up at about two thirds of 满分,
    # so the bands are drawn there, that every band is used.
    top, good, fair = (full * D(share) for share in ("0.68", "0.65", "0.62"))
    bands = (Band("优秀", top, None), Band("良好", good, top), Band("合格", fair, good), Band("不合格", None, None))
    spec = Spec(f"基准测试生成办法{items}项", full, tuple(builder.facts.values()), tuple(categories), sections,
                (Veto("重大责任事故", (Test(crash, "is"),)),), bands)
    return render(spec), spec


def generated_policy_text(items: int = 500, seed: int = 0) -> str:
    """The text of the generated policy (see ``generate``)."""
    return generate(items, seed)[0]


# ---- rendering the spec as policy text -------------------------------------------------------


def _pts(value: Decimal) -> str:
    return f"{plain(value)}分"


def _condition_text(condition: Condition, facts: dict[str, FactSpec]) -> str:
    parts = []
    for test in condition:
        if test.op == "is":
            parts.append(test.fact)
        elif test.op == "not":
            parts.append(f"非 {test.fact}")
        else:
            unit = "%" if facts[test.fact].kind == ast.PERCENT else facts[test.fact].unit
            parts.append(f"{test.fact} {test.op} {plain(test.bound)}{unit}")
    return " 且 ".join(parts)


def _rule_lines(rule: Rule, facts: dict[str, FactSpec], award: str) -> list[str]:
    match rule:
        case Fixed():
            verb = award if rule.sign > 0 else "扣分"
            condition = f" 若 {_condition_text(rule.condition, facts)}" if rule.condition else ""
            return [f"{verb} {_pts(rule.points)}{condition}"]
        case PerUnit():
            unit = facts[rule.fact].unit
            verb = ("计" if award == "计分" else "加分") if rule.sign > 0 else "扣"
            cap = f" 上限 {_pts(rule.cap)}" if rule.cap is not None else ""
            each = "每满" if rule.whole else "每"
            return [f"按 {rule.fact} {each} {plain(rule.step)}{unit} {verb} {_pts(rule.points)}{cap}"]
        case Rate():
            full = "计满分" if rule.full is None else f"计 {_pts(rule.full)}"
            decline = "每满降低" if rule.whole else "每降低"
            floor = f"，低于 {plain(rule.floor)}% 不计分" if rule.floor is not None else ""
            return [f"按率 {rule.fact} 达到 {plain(rule.target)}% {full}，{decline} {plain(rule.step)}个百分点 "
                    f"扣 {_pts(rule.slope)}{floor}"]
        case Tiers():
            unit = "%" if facts[rule.fact].kind == ast.PERCENT else ""
            lines = [f"分档 {rule.fact}"]
            for op, bound, points in rule.tiers:
                lines.append(f"  {op} {plain(bound)}{unit} {_tier_outcome(points)}")
            if rule.otherwise is not None:
                lines.append(f"  其余 {_tier_outcome(rule.otherwise)}")
            return lines
        case ZeroIf():
            return [f"不计分 若 {_condition_text(rule.condition, facts)}"]
    raise TypeError(rule)


def _tier_outcome(points: Decimal) -> str:
    if points == 0:
        return "不计分"
    return f"计 {_pts(points)}" if points > 0 else f"扣 {_pts(-points)}"


def _section_lines(section: Section, facts: dict[str, FactSpec], indent: str) -> list[str]:
    word = "加分" if section.sign > 0 else "减分"
    cap = f" 上限 {_pts(section.cap)}" if section.cap is not None else ""
    lines = [f"{indent}{word} {section.name}{cap}"]
    for child in section.children:
        lines.extend(_section_lines(child, facts, indent + "  "))
    for rule in section.rules:
        lines.extend(indent + "  " + line for line in _rule_lines(rule, facts, "加分"))
    return lines


def render(spec: Spec) -> str:
    """The policy text of a spec."""
    facts = {f.name: f for f in spec.facts}
    out = ["# 基准测试用的生成政策：由 bench/generate.py 生成，请勿手工修改。",
           f"考核 {spec.name}", f"  满分 {_pts(spec.full_marks)}", "  小数位 2", "", "事实"]
    for fact in spec.facts:
        default = f" 默认 {fact.default}" if fact.default is not None else ""
        out.append(f"  {fact.name}: {fact.kind}{default}")
    for category in spec.categories:
        out += ["", f"项目 {category.name} {_pts(category.points)}"]
        for veto in category.vetoes:
            out.append(f"  一票否决 {veto.name} 若 {_condition_text(veto.condition, facts)}")
        for leaf in category.leaves:
            out.append(f"  项目 {leaf.name} {_pts(leaf.points)}")
            if leaf.written_start:
                out.append(f"    初始 {_pts(leaf.start)}")
            for rule in leaf.rules:
                out.extend("    " + line for line in _rule_lines(rule, facts, "计分"))
    for section in spec.sections:
        out.append("")
        out.extend(_section_lines(section, facts, ""))
    out.append("")
    for veto in spec.vetoes:
        out.append(f"一票否决 {veto.name} 若 {_condition_text(veto.condition, facts)}")
    out += ["", "等次"]
    for band in spec.bands:
        if band.low is None and band.high is None:
            out.append(f"  {band.name} 其余")
        elif band.high is None:
            out.append(f"  {band.name} 总分 >= {plain(band.low)}")
        else:
            out.append(f"  {band.name} {plain(band.low)} <= 总分 < {plain(band.high)}")
    return "\n".join(out) + "\n"


# ---- facts for any policy -------------------------------------------------------------------

SHARE_AT_THRESHOLDS = 0.3
NEAR = np.array([0, 1, -1, 10_000, -10_000, 100_000, -100_000], dtype=np.int64)
"""Offsets from a threshold in millionths: exactly at it, and 0.000001, 0.01, 0.1 either side."""
MICRO = 10**FRACTION_DIGITS


def _policy(policy: str | Path | ast.Policy) -> ast.Policy:
    if isinstance(policy, ast.Policy):
        return policy
    loaded = load_policy(policy)
    if loaded.errors:
        raise ValueError(f"{policy}: {loaded.errors[0].message}")
    return loaded.policy


def _expressions(policy: ast.Policy) -> Iterator[ast.Expr]:
    """Every condition and measure of a policy, with each rate and tier rule turned into the
    comparisons it makes (率 >= 目标, 率 < 下限, 度量 op 界值)."""

    def of_rules(rules) -> Iterator[ast.Expr]:
        for rule in rules:
            match rule:
                case ast.Fixed() | ast.PerUnit():
                    if isinstance(rule, ast.PerUnit):
                        yield rule.measure
                    if rule.condition is not None:
                        yield rule.condition
                    yield from (m.condition for m in rule.multipliers)
                case ast.RateScale():
                    for bound in (rule.target, rule.floor):
                        if bound is not None:
                            yield ast.Compare(">=", rule.measure, bound)
                case ast.Tiers():
                    yield rule.measure
                    for tier in rule.tiers:
                        if tier.bound is not None:
                            yield ast.Compare(tier.op, rule.measure, tier.bound)
                case ast.Override() | ast.NotApplicable():
                    yield rule.condition
                case ast.Each():
                    yield from of_rules([rule.rule])
                case ast.When():
                    yield rule.condition
                    yield from of_rules(rule.then + rule.otherwise)

    for item in ast.all_items(policy.items):
        yield from of_rules(item.rules)
    for section in ast.all_sections(policy.sections):
        if section.gate is not None:
            yield section.gate
        yield from of_rules(section.rules)
    yield from (veto.condition for veto in ast.all_vetoes(policy))
    yield from (cut.condition for cut in policy.share_cuts)
    if policy.eligibility is not None:
        yield from (c.expr for c in policy.eligibility.requirements + policy.eligibility.exclusions)
    yield from (o.condition for o in policy.outcomes if o.condition is not None)
    if policy.combination is not None:
        yield from (c.condition for c in policy.combination.components if c.condition is not None)


def _literal(expr: ast.Expr) -> Decimal | None:
    if isinstance(expr, ast.Quantity):
        return expr.value
    if isinstance(expr, ast.Negate) and isinstance(expr.operand, ast.Quantity):
        return -expr.operand.value
    return None


def thresholds(policy: ast.Policy) -> dict[str, list[Decimal]]:
    """The literal numbers each fact is compared with anywhere in the policy."""
    found: dict[str, set[Decimal]] = {}

    def walk(expr: ast.Expr) -> None:
        match expr:
            case ast.Compare():
                for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                    value = _literal(other)
                    if isinstance(side, ast.Ref | ast.Subscript) and value is not None:
                        found.setdefault(side.name, set()).add(value)
                walk(expr.left)
                walk(expr.right)
            case ast.Arith():
                walk(expr.left)
                walk(expr.right)
            case ast.Not() | ast.Negate():
                walk(expr.operand)
            case ast.Logic():
                for operand in expr.operands:
                    walk(operand)

    for expr in _expressions(policy):
        walk(expr)
    return {name: sorted(values) for name, values in found.items()}


def _micros(value: Decimal) -> int:
    return int((value * MICRO).to_integral_value())


def _decimal_array(unscaled: np.ndarray, scale: int) -> pa.Array:
    """A decimal128(18, scale) array of the given unscaled integers, without a Python loop:
    each value is its 128-bit two's complement, low word first."""
    words = np.stack([unscaled, unscaled >> 63], axis=1).astype("<i8", copy=False)
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(unscaled), [None, pa.py_buffer(words)])


def _pick(marks: list, n: int, rng: np.random.Generator) -> np.ndarray | int | float:
    """One of ``marks`` for each of ``n`` values (just the mark, when there is one)."""
    if len(marks) == 1:
        return marks[0]
    return np.asarray(marks)[rng.integers(len(marks), size=n)]


def _near_marks(values: np.ndarray, marks: list[int], offsets: np.ndarray, rng: np.random.Generator) -> None:
    """Put about 30% of ``values`` at, just above or just below one of ``marks`` (in place)."""
    if not marks:
        return
    chosen = np.flatnonzero(rng.random(len(values)) < SHARE_AT_THRESHOLDS)
    values[chosen] = _pick(marks, len(chosen), rng) + offsets[rng.integers(len(offsets), size=len(chosen))]


def _noise(n: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n, dtype=np.float32) * np.float32(spread)


def _column(fact: ast.Fact, n: int, rng: np.random.Generator, marks: list[Decimal]) -> pa.Array:
    """``n`` random valid values of one fact."""
    kind = fact.type.kind
    default = fact.default
    if kind == ast.BOOL:
        usually_false = isinstance(default, ast.Boolean) and not default.value  # 默认 否: an event, rare
        bits = np.packbits(rng.random(n) < (0.05 if usually_false else 0.85), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
    if kind == ast.CHOICE:
        indices = pa.array(rng.integers(len(fact.type.choices), size=n, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(indices, pa.array(fact.type.choices)).cast(pa.string())
    low = fact.low.value if fact.low is not None else None
    high = fact.high.value if fact.high is not None else None
    if kind == ast.COUNT:
        rare = isinstance(default, ast.Quantity) and default.value == 0  # 默认 0: events, mostly none
        values = rng.geometric(0.7 if rare else 0.4, size=n).astype(np.int64) - 1  # mean 0.43 or 1.5
        _near_marks(values, sorted({int(m) for m in marks if m == int(m)}), np.array([0, 1, -1]), rng)
        return _decimal_array(np.clip(values, int(max(low or 0, 0)), int(high) if high is not None else None), 0)
    if kind == ast.PERCENT:
        low, high = max(low or D(0), D(0)), min(high if high is not None else D(100), D(100))
    elif kind == ast.MONEY and low is None:
        low = D(0)
    centres = [float(m) for m in marks]
    if kind == ast.PERCENT:  # rates sit near their targets, or else high
        values = _pick(centres, n, rng) + _noise(n, 3, rng) if marks else float(high) - np.abs(_noise(n, 8, rng))
    elif low is not None and high is not None:
        values = rng.uniform(float(low), float(high), size=n)
        if marks:  # half of them around the thresholds
            around = np.flatnonzero(rng.random(n) < 0.5)
            spread = max(float(high - low) / 25, 0.5)
            values[around] = _pick(centres, len(around), rng) + _noise(len(around), spread, rng)
    else:
        centres = centres or [float(low or 0) + 10]
        values = _pick(centres, n, rng) + _noise(n, max(max(map(abs, centres)) * 0.2, 5.0), rng)
    unscaled = np.rint(values * 100).astype(np.int64) * (MICRO // 100)  # two decimals,
    fine = np.flatnonzero(rng.random(n) < 0.1)  # or for a tenth of them the full six
    unscaled[fine] += rng.integers(-(MICRO // 200), MICRO // 200, size=len(fine))
    _near_marks(unscaled, [_micros(m) for m in marks], NEAR, rng)
    lowest = _micros(low) if low is not None else -(10**17)
    highest = _micros(high) if high is not None else 10**17
    return _decimal_array(np.clip(unscaled, lowest, highest, out=unscaled), FRACTION_DIGITS)


def _unit_names(numbers: np.ndarray) -> pa.Array:
    """单位000000, 单位000001, …: at least six digits, so a name never depends on the chunk."""
    return pc.binary_join_element_wise("单位", pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 6, "0"), "")


def facts_table(policy: str | Path | ast.Policy, n: int, seed: int = 0, first: int = 0) -> pa.Table:
    """``n`` units of random valid facts for ``policy`` (a path or a parsed policy).

    Units are named 单位000000 onwards from number ``first`` (so that a large table can be
    made in chunks). 所属县区 is added when the policy ranks within groups or hands out
    places by group, 上级单位 when a veto climbs to the parent unit (a ten-way tree: the
    parent of unit i is unit (i − 1) // 10). 是否 facts are mostly 是, except those that
    default to 否 (events such as 发生重大责任事故), which are mostly 否; counts are mostly 0
    to 5; numbers stay within their bounds; and about 30% of every number that the policy
    compares with a literal are exactly at, just above or just below one of those literals.
    """
    policy = _policy(policy)
    rng = np.random.default_rng([seed, first])
    marks = thresholds(policy)
    numbers = np.arange(first, first + n)
    columns: dict[str, pa.Array] = {"单位": _unit_names(numbers)}
    if any(r.in_group for r in policy.rankings) or any(o.select == "quota" for o in policy.outcomes):
        groups = [row.group for row in policy.quotas[0].rows] if policy.quotas else [f"县区{g:02d}" for g in range(10)]
        indices = pa.array(rng.integers(len(groups), size=n, dtype=np.int32))
        columns["所属县区"] = pa.DictionaryArray.from_arrays(indices, pa.array(groups)).cast(pa.string())
    if any(v.climb > 0 for v in ast.all_vetoes(policy)):
        parents = _unit_names(np.maximum(numbers - 1, 0) // 10)
        columns["上级单位"] = pc.if_else(pa.array(numbers == 0), pa.scalar(None, pa.string()), parents)
    members = {li.name: li.members for li in policy.lists}
    for fact in policy.facts:
        for member in members[fact.keyed_by] if fact.keyed_by else (None,):
            column = f"{fact.name}[{member}]" if member is not None else fact.name
            columns[column] = _column(fact, n, rng, marks.get(fact.name, []))
    return pa.table(columns)


# ---- writing the benchmark's data -----------------------------------------------------------


def write_facts(policy: ast.Policy, path: Path, n: int, seed: int = 0, csv: bool = False) -> int:
    """Write ``n`` units of facts to ``path`` (.parquet, and .csv beside it if asked), made in
    chunks so that memory stays small for wide policies; returns the number of columns."""
    columns = len(facts_table(policy, 1, seed).column_names)
    chunk = max(1_000, 20_000_000 // columns)
    parquet = csv_writer = None
    try:
        for first in range(0, n, chunk):
            table = facts_table(policy, min(chunk, n - first), seed, first)
            if parquet is None:
                parquet = pq.ParquetWriter(path, table.schema)
                if csv:
                    csv_writer = pa_csv.CSVWriter(path.with_suffix(".csv"), table.schema)
            parquet.write_table(table)
            if csv_writer is not None:
                csv_writer.write_table(table)
    finally:
        for writer in (parquet, csv_writer):
            if writer is not None:
                writer.close()
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000", help="comma-separated numbers of units")
    parser.add_argument("--items", type=int, default=500, help="leaf items of the generated policy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", action="store_true", help="also write each table as CSV")
    parser.add_argument("--out", type=Path, default=DATA, help="directory to write to")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    text = generated_policy_text(args.items, args.seed)
    generated_path = args.out / f"generated-{args.items}.jhp"
    generated_path.write_text(text, encoding="utf-8")
    loaded = check_text(text, str(generated_path))
    if loaded.diagnostics:
        raise SystemExit(f"generated policy has diagnostics: {loaded.diagnostics[0]}")
    policies = {"wujin-2014": _policy(ROOT / "policies" / "wujin-2014.jhp"), generated_path.stem: loaded.policy}
    rows = []
    for name, policy in policies.items():
        for size in (int(s) for s in args.sizes.split(",")):
            path = args.out / f"{name}-{size}.parquet"
            start = time.perf_counter()
            columns = write_facts(policy, path, size, args.seed, args.csv)
            rows.append([name, f"{size:,}", str(columns), f"{time.perf_counter() - start:.1f}", str(path)])
            print(*rows[-1], sep="\t", flush=True)
    print(render_table(["政策", "单位数", "列数", "秒", "文件"], rows, right={1, 2, 3}))


if __name__ == "__main__":
    main()
