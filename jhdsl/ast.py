"""Every node of a parsed policy, as frozen attrs classes.

Each node carries a ``span`` that is left out of equality, so that two trees parsed from
differently laid-out text compare equal when they mean the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs

from jhdsl.numbers import plain


@attrs.frozen
class Span:
    """Where a node stands in its file: 1-based line and column, columns in characters."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


def _span() -> attrs.Attribute:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


# ---- expressions --------------------------------------------------------------------------

# The kinds of value an expression can have. A quantity literal's kind comes from its unit.
BOOL = "是否"
COUNT = "整数"
NUMBER = "数值"
MONEY = "金额"
PERCENT = "百分比"
CHOICE = "枚举"
POINTS = "分"
PLAIN = "数"  # a bare number, which fits any numeric kind

UNIT_KINDS = {
    "": PLAIN,
    "分": POINTS,
    "%": PERCENT,
    "％": PERCENT,
    "个百分点": PERCENT,
    "百分点": PERCENT,
    "个比例点": PERCENT,
    "元": MONEY,
    "万元": MONEY,
}
"""Units not listed here (名, 人, 起, 篇, 次, …) count things."""


def unit_kind(unit: str) -> str:
    """The value kind that a number written with ``unit`` has."""
    return UNIT_KINDS.get(unit, COUNT)


@attrs.frozen
class Quantity:
    """A number with its unit as written: ``3分``, ``95%``, ``1个百分点``, ``2名``, ``4``."""

    value: Decimal
    unit: str = ""
    span: Span | None = _span()

    @property
    def kind(self) -> str:
        return unit_kind(self.unit)

    def __str__(self) -> str:
        return f"{plain(self.value)}{self.unit}"


@attrs.frozen
class Boolean:
    """The literal 是 or 否."""

    value: bool
    span: Span | None = _span()


@attrs.frozen
class Ref:
    """A name in an expression: a fact, a parameter, or a choice of an enumeration."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class Subscript:
    """One member's value of a fact kept per member of a list: ``信息互通[公安]``."""

    name: str
    key: str
    span: Span | None = _span()


@attrs.frozen
class TotalRef:
    """总分: the unit's total score, as used in grade bands."""

    span: Span | None = _span()


@attrs.frozen
class Holds:
    """获得 结果: whether the unit has received an outcome written earlier (in 结果 … 若)."""

    outcome: str
    span: Span | None = _span()


AGGREGATES = {"平均": "average", "最高": "highest", "最低": "lowest", "名次": "place"}


@attrs.frozen
class Aggregate:
    """平均(事实) / 最高(事实) / 最低(事实) over all units assessed in the run, or 名次(事实):
    this unit's place on the fact, highest first (ties share a place)."""

    function: str  # the Chinese word: 平均, 最高, 最低 or 名次
    fact: str
    span: Span | None = _span()


@attrs.frozen
class IsEligible:
    """符合资格: whether the unit meets the policy's 资格 (in 结果 … 若)."""

    span: Span | None = _span()


@attrs.frozen
class GradeRef:
    """等次: the unit's grade, compared with a band's name (in 结果 … 若)."""

    span: Span | None = _span()


@attrs.frozen
class BaseRef:
    """基础分: the unit's base score (the items' sum), for a section's gate (加分 … 若 基础分 >= 80)."""

    span: Span | None = _span()


@attrs.frozen
class Compare:
    """``left op right`` with op one of >= > <= < = ≠ (normalised to ASCII)."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@attrs.frozen
class Arith:
    """``left op right`` with op one of + - * /."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@attrs.frozen
class Negate:
    """Unary minus."""

    operand: Expr
    span: Span | None = _span()


@attrs.frozen
class Not:
    """非 condition."""

    operand: Expr
    span: Span | None = _span()


@attrs.frozen
class Logic:
    """且 (op ``and``) or 或 (op ``or``) over two or more conditions."""

    op: str
    operands: tuple[Expr, ...]
    span: Span | None = _span()


Expr = Quantity | Boolean | Ref | Subscript | TotalRef | GradeRef | BaseRef | Holds | IsEligible | Aggregate | Compare | Arith | Negate | Not | Logic

SYMBOLS = {">=": "≥", "<=": "≤", "!=": "≠", ">": ">", "<": "<", "=": "=", "+": "+", "-": "−", "*": "×", "/": "÷"}


def expr_text(expr: Expr) -> str:
    """An expression as a writer would read it, with the policy's symbols: 率 ≥ 99%."""
    match expr:
        case Quantity():
            return f"{plain(expr.value)}{expr.unit}"
        case Boolean():
            return "是" if expr.value else "否"
        case Ref():
            return expr.name
        case Subscript():
            return f"{expr.name}[{expr.key}]"
        case TotalRef():
            return "总分"
        case BaseRef():
            return "基础分"
        case GradeRef():
            return "等次"
        case Holds():
            return f"获得 {expr.outcome}"
        case IsEligible():
            return "符合资格"
        case Aggregate():
            return f"{expr.function}（{expr.fact}）"
        case Not():
            return f"非 {expr_text(expr.operand)}"
        case Logic():
            word = " 且 " if expr.op == "and" else " 或 "
            return word.join(_grouped(o) for o in expr.operands)
        case Negate():
            return f"−{expr_text(expr.operand)}"
        case Arith():
            level = _LEVEL[expr.op]
            left = _grouped(expr.left, lambda e: _LEVEL.get(getattr(e, "op", ""), 9) < level)
            right = _grouped(expr.right, lambda e: _LEVEL.get(getattr(e, "op", ""), 9) <= level)
            return f"{left} {SYMBOLS[expr.op]} {right}"
        case Compare():
            return f"{_grouped(expr.left, _never)} {SYMBOLS[expr.op]} {_grouped(expr.right, _never)}"
    raise TypeError(f"unknown expression {expr!r}")


_LEVEL = {"+": 1, "-": 1, "*": 2, "/": 2}


def _never(expr: Expr) -> bool:
    return False


def _grouped(expr: Expr, needs_brackets=None) -> str:
    """An operand's text, bracketed only where reading it without brackets would change it."""
    text = expr_text(expr)
    if isinstance(expr, Logic) or (isinstance(expr, Arith) and (needs_brackets is None or needs_brackets(expr))):
        return f"（{text}）"
    return text


# ---- declarations -------------------------------------------------------------------------


@attrs.frozen
class FactType:
    """A declared type: 是否, 整数, 数值, 金额, 百分比, or 枚举(choices)."""

    kind: str
    choices: tuple[str, ...] = ()
    span: Span | None = _span()

    def __str__(self) -> str:
        if self.kind == CHOICE:
            return f"枚举({'、'.join(self.choices)})"
        return self.kind


@attrs.frozen
class Fact:
    """事实: one fact every unit must supply (or that has a default).

    ``keyed_by`` names a list: the fact then holds one value per member (a table per
    department). ``low``/``high`` are inclusive bounds.
    """

    name: str
    type: FactType
    keyed_by: str | None = None
    low: Quantity | None = None
    high: Quantity | None = None
    default: Quantity | Boolean | Ref | None = None
    note: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Param:
    """参数: a value fixed for a whole run (期间 = 上半年 | 全年), set with ``--set``."""

    name: str
    type: FactType
    default: Quantity | Boolean | Ref | None = None
    span: Span | None = _span()


@attrs.frozen
class ListDecl:
    """列表: a named list of members, e.g. the departments that share information."""

    name: str
    members: tuple[str, ...]
    span: Span | None = _span()


# ---- rules --------------------------------------------------------------------------------

AWARD = 1
DEDUCT = -1


@attrs.frozen
class Multiplier:
    """加倍 若 条件 (factor 2) or 减半 若 条件 (factor 0.5) on a rule's amount."""

    factor: Decimal
    condition: Expr
    span: Span | None = _span()


@attrs.frozen
class Fixed:
    """计分 3分 若 条件 / 扣分 5分 若 条件: a fixed amount when a condition holds."""

    sign: int
    points: Quantity
    condition: Expr | None = None
    multipliers: tuple[Multiplier, ...] = ()
    span: Span | None = _span()


@attrs.frozen
class PerUnit:
    """按 数量 每 1名 计 3分 上限 10分: an amount per unit of a measure.

    ``whole_steps`` (每满) counts only complete steps; otherwise a fraction of a step counts
    in proportion.
    """

    measure: Expr
    step: Quantity
    whole_steps: bool
    sign: int
    points: Quantity
    cap: Quantity | None = None
    condition: Expr | None = None
    multipliers: tuple[Multiplier, ...] = ()
    span: Span | None = _span()


@attrs.frozen
class RateScale:
    """按率 率 达到 目标 计满分，每降低 1个百分点 扣 2.5分，低于 下限 不计分.

    ``full`` is the award at or above the target (None: the item's points).
    """

    measure: Expr
    target: Quantity
    full: Quantity | None
    step: Quantity
    whole_steps: bool
    slope: Quantity
    floor: Quantity | None = None
    span: Span | None = _span()


@attrs.frozen
class Tier:
    """One line of 分档: ``>= 95% 计 2分``; ``op`` None for 其余. ``sign`` 0 for 不计分."""

    op: str | None
    bound: Expr | None
    sign: int
    points: Quantity | None
    span: Span | None = _span()


@attrs.frozen
class Tiers:
    """分档 度量: the first tier whose comparison holds gives the amount."""

    measure: Expr
    tiers: tuple[Tier, ...]
    span: Span | None = _span()


@attrs.frozen
class Override:
    """不计分 若 条件 (``full`` False) or 满分 若 条件 (``full`` True) for the whole item."""

    full: bool
    condition: Expr
    span: Span | None = _span()


@attrs.frozen
class NotApplicable:
    """不适用 若 条件: the item is left out for this unit, and the base is rescaled to 满分."""

    condition: Expr
    span: Span | None = _span()


@attrs.frozen
class Each:
    """各 列表 规则: the rule applied once for each member of a list."""

    list_name: str
    rule: Fixed | PerUnit
    span: Span | None = _span()


@attrs.frozen
class When:
    """当 条件 … 否则 …: rules that apply only when a condition (often a parameter) holds."""

    condition: Expr
    then: tuple[Rule, ...]
    otherwise: tuple[Rule, ...] = ()
    span: Span | None = _span()


Rule = Fixed | PerUnit | RateScale | Tiers | Override | NotApplicable | Each | When


# ---- items, sections, vetoes, grades ------------------------------------------------------


@attrs.frozen
class Veto:
    """一票否决 名称 若 条件: marks the unit 否决 whatever its score."""

    name: str
    condition: Expr
    content: str | None = None
    climb: int = 0
    span: Span | None = _span()


@attrs.frozen
class Item:
    """项目 名称 分值: a leaf with rules, or a group of child items.

    ``start`` is the written starting point of a leaf (初始 满分 / 初始 0分), or None when it
    follows from the rules.
    """

    name: str
    points: Quantity
    content: str | None = None
    method: str | None = None
    office: str | None = None
    children: tuple[Item, ...] = ()
    rules: tuple[Rule, ...] = ()
    start: Quantity | None = None
    start_full: bool = False
    vetoes: tuple[Veto, ...] = ()
    negative: bool = False
    span: Span | None = _span()


@attrs.frozen
class Section:
    """加分 / 减分 名称 上限 N分: bonus or penalty rules outside the base items, capped."""

    sign: int
    name: str
    cap: Quantity | None = None
    content: str | None = None
    rules: tuple[Rule, ...] = ()
    children: tuple[Section, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    highest_only: bool = False
    gate: Expr | None = None
    span: Span | None = _span()


@attrs.frozen
class Bound:
    """One end of a grade band: the value and whether it belongs to the band (含)."""

    value: Decimal
    inclusive: bool


@attrs.frozen
class Band:
    """One 等次: a name and the interval of totals it covers; ``otherwise`` for 其余."""

    name: str
    low: Bound | None = None
    high: Bound | None = None
    otherwise: bool = False
    span: Span | None = _span()


@attrs.frozen
class ShareCut:
    """扣减 20% 若 条件: the total is cut by a share of itself when the condition holds."""

    share: Quantity
    condition: Expr
    content: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Condition:
    """One line of 资格: a requirement (必须) or an exclusion (排除)."""

    expr: Expr
    span: Span | None = _span()


@attrs.frozen
class Eligibility:
    """资格: requirements that must all hold and exclusions of which any one disqualifies."""

    requirements: tuple[Condition, ...] = ()
    exclusions: tuple[Condition, ...] = ()
    span: Span | None = _span()


@attrs.frozen
class Ranking:
    """排名 名称 按 总分|项目: units ordered by a score, best first (升序: lowest first).

    ``key`` and ``tie_break`` name an item or section whose score is used, or None for 总分.
    Units with equal keys share a rank unless the tie-break tells them apart.
    """

    name: str
    key: str | None = None
    ascending: bool = False
    in_group: bool = False
    tie_break: str | None = None
    has_tie_break: bool = False
    span: Span | None = _span()


@attrs.frozen
class Outcome:
    """结果 名称 按 排名 前 N名 | 后 N名 | 名额 表 | 若 条件: what the chosen units receive.

    ``hand_down`` names earlier outcomes whose holders are passed over (顺延) in favour of
    the next unit. ``reward`` and ``fine`` are money in yuan; ``veto`` makes it a 一票否决.
    """

    name: str
    ranking: str | None
    select: str  # "top", "bottom", "quota" or "condition"
    condition: Expr | None = None
    count: Quantity | None = None
    quota: str | None = None
    reward: Quantity | None = None
    fine: Quantity | None = None
    veto: bool = False
    hand_down: tuple[str, ...] = ()
    content: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Component:
    """One line of 组成: a score taken with a weight (30%), rescaled (折合 25分), or as is;
    with 若, only for the units that meet the condition (weights that depend on a condition).

    ``source`` names a fact that holds a score given to the unit, or is None for this policy's
    own total (本办法), this policy's on another period's facts (本办法 于 半年, the facts given
    with ``--facts-of 半年=…``), or another policy's (政策文件 「路径」, on the same unit's facts).
    """

    name: str
    source: str | None
    share: Quantity | None = None
    rescale: Quantity | None = None
    condition: Expr | None = None
    source_file: str | None = None
    policy: Policy | None = None  # the policy of ``source_file``, filled in when it is loaded
    period: str | None = None  # 本办法 于 半年: this policy on the facts of another period
    span: Span | None = _span()


@attrs.frozen
class Combination:
    """组成 名称: the unit's final score is the sum of its components' contributions."""

    name: str
    components: tuple[Component, ...]
    span: Span | None = _span()


@attrs.frozen
class QuotaRow:
    """One group's number of places in a 名额 table."""

    group: str
    count: Quantity
    span: Span | None = _span()


@attrs.frozen
class QuotaTable:
    """名额 名称 合计 N: places per group (所属县区), with the total the text states."""

    name: str
    rows: tuple[QuotaRow, ...]
    stated_total: Quantity | None = None
    span: Span | None = _span()


@attrs.frozen
class Header:
    """考核 名称, with 满分, 对象, 小数位 and 文号."""

    name: str
    full_marks: Quantity | None = None
    target: str | None = None
    places: Quantity | None = None
    doc_number: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Policy:
    """A whole policy file."""

    header: Header | None
    params: tuple[Param, ...] = ()
    lists: tuple[ListDecl, ...] = ()
    facts: tuple[Fact, ...] = ()
    items: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    bands: tuple[Band, ...] = ()
    share_cuts: tuple[ShareCut, ...] = ()
    eligibility: Eligibility | None = None
    rankings: tuple[Ranking, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    quotas: tuple[QuotaTable, ...] = ()
    combination: Combination | None = None
    span: Span | None = _span()

    @property
    def name(self) -> str:
        return self.header.name if self.header else ""

    @property
    def full_marks(self) -> Decimal:
        if self.header and self.header.full_marks:
            return self.header.full_marks.value
        return sum((item.points.value for item in self.items), Decimal(0))

    @property
    def places(self) -> int:
        if self.header and self.header.places:
            return int(self.header.places.value)
        return 2


# ---- walking a tree ------------------------------------------------------------------------


def all_items(items) -> Iterator[Item]:
    """Every item of a tree, parents before their children, in source order."""
    for item in items:
        yield item
        yield from all_items(item.children)


def all_sections(sections) -> Iterator[Section]:
    """Every section of a tree, parents before their children, in source order."""
    for section in sections:
        yield section
        yield from all_sections(section.children)


def rule_signs(rules) -> Iterator[int]:
    """The signs (award or deduct) of every rule that adds or takes points."""
    for rule in rules:
        match rule:
            case Fixed() | PerUnit():
                yield rule.sign
            case RateScale():
                yield AWARD
            case Tiers():
                yield from (t.sign for t in rule.tiers if t.sign)
            case Each():
                yield from rule_signs([rule.rule])
            case When():
                yield from rule_signs(rule.then + rule.otherwise)


def leaf_starts_full(item: Item) -> bool:
    """Whether a leaf starts from its full points: written so, or all its rules deduct."""
    if item.start_full:
        return True
    if item.start is not None:
        return False
    signs = set(rule_signs(item.rules))
    return signs == {DEDUCT}


def walk(node) -> Iterator:
    """Every node under ``node`` (itself first), through all fields and tuples, in field order."""
    yield node
    for field in attrs.fields(type(node)):
        if field.name == "span":
            continue
        value = getattr(node, field.name)
        for child in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(child)):
                yield from walk(child)


def all_vetoes(policy: Policy) -> Iterator[Veto]:
    """Every 一票否决 of a policy, wherever it is written, in source order."""
    for item in all_items(policy.items):
        yield from item.vetoes
    for section in all_sections(policy.sections):
        yield from section.vetoes
    yield from policy.vetoes
