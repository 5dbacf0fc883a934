"""The checker: finds the mistakes that the grammar lets through.

Names (undeclared, duplicate, unused), types (a rate compared with a count, a yes/no fact
compared with a number), points arithmetic (children that do not add up, a leaf whose
starting point is ambiguous), grade bands (gaps, overlaps) and rules that can never change a
score. Every problem is a :class:`Diagnostic`; the caller sorts and shows them all at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs

from jhdsl import ast
from jhdsl.errors import ERROR, WARNING, Diagnostic, suggestion
from jhdsl.numbers import plain

NUMERIC = {ast.COUNT, ast.NUMBER, ast.MONEY, ast.PLAIN}

# Codes of checks that would only echo a syntax error (a blanked line leaves a group short of
# points, a fact unused, a leaf without rules); the pipeline drops them when the file has
# syntax errors.
CASCADE_CODES = frozenset({"W203", "W401", "W402", "W403", "W404", "E402", "E403", "W601", "E502", "W701", "E409"})


def _points_text(value: Decimal) -> str:
    return f"{value.normalize():f}分"


@attrs.define
class _Scope:
    """What names mean where an expression stands: inside 各 列表, keyed facts are bare."""

    member_of: str | None = None
    list_unknown: bool = False  # inside 各 of an undeclared list: reported already
    gate: bool = False  # in the condition of a 加分/减分 section: 基础分 may be used
    outcomes: tuple[str, ...] | None = None  # in 结果 … 若: the outcomes written before it


class Checker:
    """Walks a policy once and collects diagnostics; :func:`check` is the entry point."""

    def __init__(self, policy: ast.Policy) -> None:
        self.policy = policy
        self.found: list[Diagnostic] = []
        self.facts = {f.name: f for f in policy.facts}
        self.params = {p.name: p for p in policy.params}
        self.lists = {li.name: li for li in policy.lists}
        self.used: set[str] = set()

    def report(self, code: str, message: str, span, hint: str | None = None) -> None:
        severity = ERROR if code.startswith("E") else WARNING
        self.found.append(Diagnostic(code, severity, message, span, hint))

    # ---- the walk -------------------------------------------------------------------------

    def file_start(self) -> ast.Span | None:
        """Line 1 of the policy's file, for problems of the file as a whole."""
        span = self.policy.span
        return ast.Span(span.file, 1, 1, 1, 1) if span else None

    def run(self) -> list[Diagnostic]:
        if not self.policy.items:
            self.report("E409", "政策中没有任何「项目」", self.file_start(),
                        "至少写一个项目，如：项目 领导重视 10分，下面缩进写计分规则")
        self.check_header()
        self.check_declarations()
        for item in self.policy.items:
            self.check_item(item)
        for section in self.policy.sections:
            self.check_section(section)
        for veto in self.policy.vetoes:
            self.check_veto(veto)
        self.check_scoring_names()
        self.check_total_rules()
        self.check_rankings()
        self.check_outcomes()
        self.check_combination()
        self.check_points_total()
        self.check_bands()
        self.check_unused()
        return self.found

    def check_header(self) -> None:
        header = self.policy.header
        if header is None:
            self.report("W701", "缺少标题行「考核 名称」", self.file_start(), "在文件开头写：考核 某某考核办法")
            return
        if header.full_marks is not None:
            self.check_points_unit(header.full_marks)
        if header.places is not None:
            places = header.places.value
            if places != places.to_integral_value() or not 0 <= places <= 6 or header.places.unit:
                self.report("E702", "小数位应是 0 到 6 的整数", header.places.span)

    def check_declarations(self) -> None:
        seen: dict[str, ast.Span] = {}
        for decl in (*self.policy.params, *self.policy.lists, *self.policy.facts):
            if decl.name in seen:
                first = seen[decl.name]
                self.report("E202", f"名称「{decl.name}」重复声明", decl.span,
                            f"第一次声明在第 {first.line} 行" if first else None)
            else:
                seen[decl.name] = decl.span
        for decl in (*self.policy.params, *self.policy.facts):
            self.check_declared_type(decl)
        for decl in self.policy.lists:
            if len(set(decl.members)) != len(decl.members):
                self.report("E202", f"列表「{decl.name}」的成员有重复", decl.span)

    def check_declared_type(self, decl: ast.Fact | ast.Param) -> None:
        fact_type = decl.type
        keyed_by = getattr(decl, "keyed_by", None)
        if keyed_by and keyed_by not in self.lists:
            self.report("E205", f"未声明的列表「{keyed_by}」", decl.span,
                        suggestion(keyed_by, self.lists) or "先用「列表 名称: 成员1, 成员2」声明")
        if fact_type.kind == ast.CHOICE and len(set(fact_type.choices)) != len(fact_type.choices):
            self.report("E202", f"「{decl.name}」的选项有重复", fact_type.span)
        low, high = getattr(decl, "low", None), getattr(decl, "high", None)
        for bound in (low, high):
            if bound is not None and fact_type.kind in (ast.BOOL, ast.CHOICE):
                self.report("E301", f"{fact_type}类型的事实不能有范围", bound.span)
            elif bound is not None and not _fits(fact_type.kind, bound.kind):
                self.report("E301", f"范围「{bound}」的单位与「{decl.name}」（{fact_type.kind}）不符", bound.span,
                            "百分比的范围写作 0% 至 100%，个数写作 0 至 50")
        if low is not None and high is not None and low.value > high.value:
            self.report("E303", f"范围的下限 {low} 大于上限 {high}", low.span)
        if fact_type.kind == ast.PERCENT and any(b is not None and not 0 <= b.value <= 100 for b in (low, high)):
            self.report("E303", "百分比的范围应在 0% 至 100% 之内", (low or high).span,
                        "可能超过 100% 或为负的比率（如增长率）请用「数值」类型")
        if fact_type.kind == ast.COUNT and low is not None and low.value < 0:
            self.report("E303", "整数（个数）不能为负，范围的下限应不小于 0", low.span, "可能为负的量请用「数值」类型")
        if decl.default is not None:
            self.check_default(decl, decl.default)

    def check_default(self, decl, default) -> None:
        kind = decl.type.kind
        if kind == ast.CHOICE:
            if not isinstance(default, ast.Ref) or default.name not in decl.type.choices:
                text = ast.expr_text(default)
                self.report("E204", f"默认值「{text}」不是「{decl.name}」的选项之一", default.span,
                            suggestion(text, decl.type.choices) or f"可选：{'、'.join(decl.type.choices)}")
        elif kind == ast.BOOL:
            if not isinstance(default, ast.Boolean):
                self.report("E301", f"「{decl.name}」是是否类型，默认值应为 是 或 否", default.span)
        elif not isinstance(default, ast.Quantity) or not _fits(kind, default.kind):
            self.report("E301", f"默认值的类型与「{decl.name}」（{kind}）不符", default.span)
        elif _outside_range(default.value, *fact_range(decl)):
            self.report("E303", f"默认值 {default} 不在「{decl.name}」的取值范围内", default.span)
        elif kind == ast.COUNT and default.value != default.value.to_integral_value():
            self.report("E303", f"「{decl.name}」是整数，默认值 {default} 不是整数", default.span)

    def check_scoring_names(self) -> None:
        seen: dict[str, ast.Span] = {}
        for node in (*ast.all_items(self.policy.items), *ast.all_sections(self.policy.sections)):
            if node.name in seen:
                self.report("E202", f"项目名称「{node.name}」重复", node.span,
                            f"第一次出现在第 {seen[node.name].line} 行" if seen[node.name] else None)
            else:
                seen[node.name] = node.span
        vetoes: dict[str, ast.Span] = {}
        for veto in ast.all_vetoes(self.policy):
            if veto.name in vetoes:
                self.report("E202", f"否决项「{veto.name}」重复", veto.span)
            vetoes.setdefault(veto.name, veto.span)

    # ---- items ----------------------------------------------------------------------------

    def check_item(self, item: ast.Item) -> None:
        self.check_points_unit(item.points)
        for veto in item.vetoes:
            self.check_veto(veto)
        if item.children:
            if item.negative:
                self.report("E407", f"「{item.name}」有子项，不能写「可负分」", item.span, "「可负分」只用于没有子项的项目")
            if item.rules:
                self.report("E407", f"「{item.name}」既有子项又有计分规则", item.rules[0].span,
                            "把规则放进一个子项，或去掉子项")
            total = sum((c.points.value for c in item.children), Decimal(0))
            if total != item.points.value:
                self.report("W401", f"「{item.name}」的子项分值合计 {_points_text(total)}，"
                            f"与本项分值 {_points_text(item.points.value)} 不符", item.points.span,
                            "核对原表：各子项分值之和应等于本项分值")
            for child in item.children:
                self.check_item(child)
            return
        if not item.rules:
            self.report("E403", f"「{item.name}」没有计分规则", item.span,
                        "写出计分或扣分规则，如：计分 2分 若 某事实")
        for rule in item.rules:
            self.check_rule(rule, _Scope(), item.points.value, in_section=None)
        signs = set(ast.rule_signs(item.rules))
        if item.start is None and not item.start_full and signs == {ast.AWARD, ast.DEDUCT}:
            self.report("E402", f"「{item.name}」既有计分又有扣分规则，看不出从 0 分还是从满分算起",
                        item.span, "请写明：初始 满分（从满分扣起），或：初始 0分（从 0 分加起；有按率规则时用这个）")
        if item.start_full and ast.AWARD in signs:
            has_rate = any(isinstance(rule, ast.RateScale) for rule in item.rules)
            self.report("W601", f"「{item.name}」从满分算起，其中的计分或按率规则不会再增加得分", item.span,
                        "按率规则本身给出得分，请改写「初始 0分」" if has_rate
                        else "去掉「初始 满分」，或把计分规则改写为扣分规则")
        if item.start is not None and not 0 <= item.start.value <= item.points.value:
            self.report("E303", f"初始分 {item.start} 不在 0 到 {item.points} 之间", item.start.span)

    def check_points_unit(self, points: ast.Quantity) -> None:
        if points.kind not in (ast.POINTS, ast.PLAIN):
            self.report("E305", f"分值「{points}」的单位应为「分」", points.span, f"写作 {points.value}分")

    # ---- rules ----------------------------------------------------------------------------

    def check_rule(self, rule: ast.Rule, scope: _Scope, item_points: Decimal | None,
                   in_section: ast.Section | None) -> None:
        method = getattr(self, "rule_" + type(rule).__name__.lower())
        method(rule, scope, item_points, in_section)

    def check_multipliers(self, rule: ast.Fixed | ast.PerUnit, scope: _Scope) -> None:
        for multiplier in rule.multipliers:
            self.check_condition(multiplier.condition, scope)

    def rule_fixed(self, rule: ast.Fixed, scope, item_points, in_section) -> None:
        self.check_multipliers(rule, scope)
        self.check_points_unit(rule.points)
        self.check_sign(rule.sign, rule.span, in_section)
        if rule.condition is not None:
            self.check_condition(rule.condition, scope)
        if rule.points.value == 0 or (rule.condition is not None and self.never(rule.condition)):
            self.report("W601", "这条规则永远不会改变得分", rule.span,
                        "分值为 0，或条件在事实的取值范围内不可能成立")
        elif item_points is not None and rule.sign == ast.AWARD and rule.points.value > item_points:
            self.report("W405", f"规则分值 {rule.points} 超过本项分值 {_points_text(item_points)}，"
                        "超出部分会被截去", rule.points.span)

    def rule_perunit(self, rule: ast.PerUnit, scope, item_points, in_section) -> None:
        self.check_multipliers(rule, scope)
        self.check_points_unit(rule.points)
        self.check_sign(rule.sign, rule.span, in_section)
        kind = self.infer(rule.measure, scope)
        step_kind = rule.step.kind
        if kind is not None and not (kind in NUMERIC or kind == ast.PERCENT):
            self.report("E303", f"「按」后面应是数量，这里是{kind}", rule.measure.span)
        elif kind is not None and not _fits(kind, step_kind):
            self.report("E303", f"计量单位不符：按{kind}计，步长却写作「{rule.step}」", rule.step.span,
                        "百分比用「1个百分点」，人数、起数用「1名」「1起」")
        if rule.step.value <= 0:
            self.report("E303", "步长应大于 0", rule.step.span)
        if rule.cap is not None:
            self.check_points_unit(rule.cap)
        if rule.condition is not None:
            self.check_condition(rule.condition, scope)
        if rule.points.value == 0 or (rule.cap is not None and rule.cap.value == 0):
            self.report("W601", "这条规则永远不会改变得分", rule.span, "每步分值或上限为 0")

    def rule_ratescale(self, rule: ast.RateScale, scope, item_points, in_section) -> None:
        if in_section is not None:
            self.report("E408", "按率规则只能用在项目中", rule.span)
        kind = self.infer(rule.measure, scope)
        if kind is not None and kind != ast.PERCENT:
            self.report("E304", f"按率规则需要百分比，「{ast.expr_text(rule.measure)}」是{kind}", rule.measure.span)
        for value in (rule.target, rule.step, rule.floor):
            if value is not None and value.kind != ast.PERCENT:
                self.report("E304", f"「{value}」应写成百分比，如 {value.value}%", value.span)
        if rule.step.value <= 0:
            self.report("E303", "步长应大于 0", rule.step.span)
        self.check_points_unit(rule.slope)
        if rule.full is not None:
            self.check_points_unit(rule.full)
        if rule.floor is not None and rule.floor.value >= rule.target.value:
            self.report("W601", "不计分的下限不低于目标值，按率扣分永远不会发生", rule.floor.span)

    def rule_tiers(self, rule: ast.Tiers, scope, item_points, in_section) -> None:
        kind = self.infer(rule.measure, scope)
        choices = self.choices_of(rule.measure)
        earlier: list[ast.Tier] = []
        for tier in rule.tiers:
            if tier.points is not None:
                self.check_points_unit(tier.points)
                self.check_sign(tier.sign, tier.span, in_section)
            if tier.bound is not None:
                bound_kind = self.infer(tier.bound, scope, choices)
                if self.check_comparable(kind, bound_kind, tier.bound.span, rule.measure, tier.bound) and (
                        tier.op not in ("=", "!=") and kind in (ast.BOOL, ast.CHOICE)):
                    self.report("E301", f"{kind}类型只能用 = 或 ≠ 分档", tier.span)
            if any(_covers(e, tier) for e in earlier):
                self.report("W601", "这一档永远轮不到：前面的档已经包含了它", tier.span,
                            "分档从上往下取第一个成立的档，请把范围小的档写在前面")
            earlier.append(tier)

    def rule_override(self, rule: ast.Override, scope, item_points, in_section) -> None:
        if in_section is not None:
            self.report("E408", "「不计分 若」「满分 若」只能用在项目中", rule.span)
        self.check_condition(rule.condition, scope)

    def rule_notapplicable(self, rule: ast.NotApplicable, scope, item_points, in_section) -> None:
        if in_section is not None:
            self.report("E408", "「不适用 若」只能用在项目中", rule.span)
        self.check_condition(rule.condition, scope)

    def rule_each(self, rule: ast.Each, scope, item_points, in_section) -> None:
        if rule.list_name not in self.lists:
            self.report("E205", f"未声明的列表「{rule.list_name}」", rule.span,
                        suggestion(rule.list_name, self.lists) or "先用「列表 名称: 成员1, 成员2」声明")
        scope = _Scope(member_of=rule.list_name, list_unknown=rule.list_name not in self.lists)
        self.check_rule(rule.rule, scope, None, in_section)

    def rule_when(self, rule: ast.When, scope, item_points, in_section) -> None:
        self.check_condition(rule.condition, scope)
        for inner in (*rule.then, *rule.otherwise):
            if isinstance(inner, ast.NotApplicable):
                self.report("E408", "「不适用 若」不能写在「当」之中", inner.span,
                            "把两个条件合起来写在项目中：不适用 若 条件一 且 条件二")
            self.check_rule(inner, scope, item_points, in_section)

    def check_sign(self, sign: int, span, in_section: ast.Section | None) -> None:
        if in_section is not None and sign != in_section.sign:
            part, wanted, got = ("加分", "加分", "扣分") if in_section.sign == ast.AWARD else ("减分", "扣分", "加分")
            self.report("E404", f"「{in_section.name}」是{part}部分，这里却是{got}规则", span,
                        f"在{part}部分里请用「{wanted}」")

    # ---- sections and vetoes --------------------------------------------------------------

    def check_section(self, section: ast.Section) -> None:
        if section.cap is not None:
            self.check_points_unit(section.cap)
        if section.gate is not None:
            self.check_condition(section.gate, _Scope(gate=True))
        if not section.rules and not section.children:
            self.report("E403", f"「{section.name}」下面没有规则", section.span)
        for rule in section.rules:
            self.check_rule(rule, _Scope(), None, section)
        for child in section.children:
            if child.sign != section.sign:
                word, other = ("加分", "减分") if section.sign == ast.AWARD else ("减分", "加分")
                self.report("E404", f"「{section.name}」是{word}部分，其中不能有{other}部分「{child.name}」",
                            child.span, f"把「{child.name}」移到{word}部分之外")
            self.check_section(child)
        for veto in section.vetoes:
            self.check_veto(veto)

    def check_veto(self, veto: ast.Veto) -> None:
        self.check_condition(veto.condition, _Scope())

    # ---- the total, eligibility, rankings, outcomes -----------------------------------------

    def check_total_rules(self) -> None:
        for cut in self.policy.share_cuts:
            if cut.share.kind != ast.PERCENT or not 0 < cut.share.value <= 100:
                self.report("E304", f"扣减的比例「{cut.share}」应是 0% 到 100% 之间的百分比", cut.share.span,
                            "如：扣减 20% 若 出现违规情况")
            self.check_condition(cut.condition, _Scope())
        rules = self.policy.eligibility
        if rules is not None:
            for line in (*rules.requirements, *rules.exclusions):
                self.check_condition(line.expr, _Scope())

    def scoring_names(self) -> list[str]:
        return [n.name for n in (*ast.all_items(self.policy.items), *ast.all_sections(self.policy.sections))]

    def check_rankings(self) -> None:
        seen: set[str] = set()
        names = self.scoring_names()
        for ranking in self.policy.rankings:
            if ranking.name in seen:
                self.report("E202", f"排名「{ranking.name}」重复", ranking.span)
            seen.add(ranking.name)
            for key in (ranking.key, ranking.tie_break):
                fact = self.facts.get(key)
                if fact is not None and key in names:
                    self.report("E202", f"排名依据「{key}」既是事实又是项目的名称，分不清按哪个排", ranking.span,
                                "给事实或项目改一个名称")
                    continue
                if fact is not None and fact.type.kind in (ast.BOOL, ast.CHOICE):
                    self.report("E303", f"排名依据「{key}」是{fact.type.kind}，不能排序", ranking.span)
                elif fact is not None:
                    self.used.add(key)
                elif key is not None and key not in names:
                    self.report("E201", f"排名依据「{key}」不是项目、加减分部分或事实的名称", ranking.span,
                                suggestion(key, [*names, *self.facts]) or "排名可按 总分，或按某个项目、加分、减分部分的得分，或按一个数值事实")

    def check_combination(self) -> None:
        combination = self.policy.combination
        if combination is None:
            return
        names: list[str] = []
        for component in combination.components:
            if component.condition is not None:
                self.check_condition(component.condition, _Scope())
            if component.source_file is not None:
                continue  # read and checked by the pipeline, which loads that file
            if component.name in names and component.condition is None:
                self.report("E202", f"组成部分「{component.name}」重复", component.span,
                            "同名的部分须各有条件（若 …），按条件取其中一行")
            elif component.name in self.scoring_names():
                self.report("E202", f"组成部分「{component.name}」与项目或加减分部分同名", component.span,
                            "换一个名称，结果表中的列才不会重名")
            names.append(component.name)
            fact = self.facts.get(component.source) if component.source else None
            if component.source is not None:
                if fact is None:
                    self.report("E201", f"未声明的事实「{component.source}」", component.span,
                                suggestion(component.source, self.facts) or "组成部分的得分要先在「事实」中声明为数值")
                    continue
                self.used.add(fact.name)
                if fact.type.kind not in (ast.NUMBER, ast.COUNT):
                    self.report("E303", f"「{fact.name}」是{fact.type.kind}，组成部分的得分应是数值", component.span)
            if component.share is not None and component.share.kind != ast.PERCENT:
                self.report("E304", f"权重「{component.share}」应写成百分比，如 30%", component.share.span)
            if component.rescale is not None:
                self.check_points_unit(component.rescale)
                if fact is not None and fact.high is None:
                    self.report("E303", f"折合需要知道「{fact.name}」的满分", component.span,
                                f"给事实写上范围，如：{fact.name}: 数值 范围 0 至 100")
        shares = [c.share.value for c in combination.components if c.share is not None]
        conditional = any(c.condition is not None for c in combination.components)
        if len(shares) == len(combination.components) and sum(shares) != 100 and not conditional:
            self.report("W404", f"「{combination.name}」的权重合计 {plain(sum(shares))}%，不是 100%",
                        combination.span, "核对原文的权重")

    def check_outcomes(self) -> None:
        rankings = {r.name: r for r in self.policy.rankings}
        quotas = {q.name for q in self.policy.quotas}
        earlier: list[str] = []
        for outcome in self.policy.outcomes:
            if outcome.name in earlier:
                self.report("E202", f"结果「{outcome.name}」重复", outcome.span)
            ranking = rankings.get(outcome.ranking)
            if outcome.select == "condition":
                self.check_condition(outcome.condition, _Scope(outcomes=tuple(earlier)))
            elif ranking is None:
                self.report("E205", f"未声明的排名「{outcome.ranking}」", outcome.span,
                            suggestion(outcome.ranking, rankings) or "先写：排名 名称 按 总分")
            if outcome.count is not None and (outcome.count.value < 1 or outcome.count.value
                                              != outcome.count.value.to_integral_value()):
                self.report("E303", f"名次数「{outcome.count}」应是正整数", outcome.count.span)
            if outcome.select == "quota":
                if outcome.quota not in quotas:
                    self.report("E205", f"未声明的名额表「{outcome.quota}」", outcome.span,
                                suggestion(outcome.quota, quotas) or "先写：名额 表名，下面每行一个县区和名额")
                if ranking is not None and not ranking.in_group:
                    self.report("E303", f"按名额推荐要用组内排名，「{ranking.name}」不是组内排名", outcome.span,
                                f"在排名一行末尾加「组内」：排名 {ranking.name} 按 … 组内")
            for name in outcome.hand_down:
                if name not in earlier:
                    self.report("E201", f"顺延要避开的「{name}」不是写在前面的结果", outcome.span,
                                suggestion(name, earlier) or "顺延只能避开写在这一结果之前的结果")
            for money in (outcome.reward, outcome.fine):
                if money is not None and money.kind != ast.MONEY:
                    self.report("E305", f"金额「{money}」应带单位「元」或「万元」", money.span)
            earlier.append(outcome.name)
        for table in self.policy.quotas:
            groups = [row.group for row in table.rows]
            for row in table.rows:
                if groups.count(row.group) > 1:
                    self.report("E202", f"名额表中「{row.group}」出现了不止一次", row.span)
                if row.count.value < 0 or row.count.value != row.count.value.to_integral_value():
                    self.report("E303", f"名额「{row.count}」应是非负整数", row.count.span)
            total = sum((row.count.value for row in table.rows), Decimal(0))
            if table.stated_total is not None and total != table.stated_total.value:
                self.report("W403", f"名额表「{table.name}」各行合计 {plain(total)} 个，与所写的合计 "
                            f"{plain(table.stated_total.value)} 个不符", table.stated_total.span,
                            "核对原文：各县区名额之和应等于总名额")

    # ---- expressions ----------------------------------------------------------------------

    def check_condition(self, expr: ast.Expr, scope: _Scope) -> None:
        kind = self.infer(expr, scope)
        if kind is not None and kind != ast.BOOL:
            self.report("E302", f"条件应是一个成立或不成立的判断，「{ast.expr_text(expr)}」是{kind}",
                        expr.span, "例如：出生政策符合率 >= 99%，或一个是否类型的事实")

    def infer(self, expr: ast.Expr, scope: _Scope, choices: tuple[str, ...] = ()) -> str | None:
        """The kind of ``expr``, reporting what is wrong inside it; None after an error."""
        match expr:
            case ast.Quantity():
                return expr.kind
            case ast.Boolean():
                return ast.BOOL
            case ast.TotalRef():
                if scope.outcomes is not None:
                    return ast.POINTS
                self.report("E207", "「总分」只能用在等次和「结果 … 若」中", expr.span, "规则的条件请用事实或参数")
                return None
            case ast.GradeRef():
                if scope.outcomes is None:
                    self.report("E207", "「等次」只能用在「结果 … 若」的条件中", expr.span)
                    return None
                return ast.CHOICE
            case ast.BaseRef():
                if not scope.gate:
                    self.report("E207", "「基础分」只能用在加分、减分部分的条件中", expr.span,
                                "如：加分 亮点工作 上限 5分 若 基础分 >= 80")
                    return None
                return ast.POINTS
            case ast.Aggregate():
                fact = self.facts.get(expr.fact)
                if fact is None:
                    self.report("E201", f"未声明的事实「{expr.fact}」", expr.span, suggestion(expr.fact, self.facts))
                    return None
                self.used.add(fact.name)
                if fact.keyed_by or fact.type.kind in (ast.BOOL, ast.CHOICE):
                    self.report("E303", f"「{expr.function}」要用于数值事实，「{fact.name}」不是", expr.span)
                    return None
                if expr.function == "名次":
                    return ast.COUNT
                return ast.NUMBER if fact.type.kind == ast.COUNT and expr.function == "平均" else fact.type.kind
            case ast.IsEligible():
                if scope.outcomes is None:
                    self.report("E207", "「符合资格」只能用在「结果 … 若」的条件中", expr.span)
                elif self.policy.eligibility is None:
                    self.report("E201", "政策中没有「资格」，「符合资格」无从判断", expr.span)
                return ast.BOOL
            case ast.Holds():
                if scope.outcomes is None:
                    self.report("E207", "「获得」只能用在「结果 … 若」的条件中", expr.span)
                elif expr.outcome not in scope.outcomes:
                    self.report("E201", f"「{expr.outcome}」不是写在前面的结果", expr.span,
                                suggestion(expr.outcome, scope.outcomes) or "「获得」只能问写在这一结果之前的结果")
                return ast.BOOL
            case ast.Ref():
                return self.infer_ref(expr, scope, choices)
            case ast.Subscript():
                return self.infer_subscript(expr)
            case ast.Not():
                self.check_condition(expr.operand, scope)
                return ast.BOOL
            case ast.Logic():
                for operand in expr.operands:
                    self.check_condition(operand, scope)
                return ast.BOOL
            case ast.Negate():
                kind = self.infer(expr.operand, scope)
                if kind in (ast.BOOL, ast.CHOICE):
                    self.report("E301", f"{kind}不能取负", expr.span)
                    return None
                return kind
            case ast.Arith():
                return self.infer_arith(expr, scope)
            case ast.Compare():
                return self.infer_compare(expr, scope)
        raise TypeError(f"unknown expression {expr!r}")

    def infer_ref(self, ref: ast.Ref, scope: _Scope, choices: tuple[str, ...]) -> str | None:
        if ref.name in choices and ref.name not in self.facts and ref.name not in self.params:
            return ast.CHOICE
        decl = self.facts.get(ref.name) or self.params.get(ref.name)
        if decl is None:
            if choices:
                self.report("E204", f"「{ref.name}」不是可选的值", ref.span,
                            suggestion(ref.name, choices) or f"可选：{'、'.join(choices)}")
            else:
                names = [*self.facts, *self.params]
                self.report("E201", f"未声明的事实「{ref.name}」", ref.span,
                            suggestion(ref.name, names) or "请先在「事实」中声明它，并写明类型")
            return None
        self.used.add(ref.name)
        keyed_by = getattr(decl, "keyed_by", None)
        if keyed_by and keyed_by != scope.member_of and not scope.list_unknown:
            self.report("E206", f"「{ref.name}」按{keyed_by}分列，须指明成员", ref.span,
                        f"写作 {ref.name}[某{keyed_by}]，或放在「各 {keyed_by}」规则中")
            return None
        return decl.type.kind

    def infer_subscript(self, expr: ast.Subscript) -> str | None:
        fact = self.facts.get(expr.name)
        if fact is None:
            self.report("E201", f"未声明的事实「{expr.name}」", expr.span, suggestion(expr.name, self.facts))
            return None
        self.used.add(expr.name)
        if fact.keyed_by is None:
            self.report("E206", f"「{expr.name}」不是按列表分列的事实，不能写 [{expr.key}]", expr.span)
            return None
        members = self.lists[fact.keyed_by].members if fact.keyed_by in self.lists else ()
        if members and expr.key not in members:
            self.report("E204", f"「{expr.key}」不是列表「{fact.keyed_by}」的成员", expr.span,
                        suggestion(expr.key, members) or f"成员：{'、'.join(members)}")
        return fact.type.kind

    def infer_arith(self, expr: ast.Arith, scope: _Scope) -> str | None:
        left, right = self.infer(expr.left, scope), self.infer(expr.right, scope)
        if left is None or right is None:
            return None
        for kind, side in ((left, expr.left), (right, expr.right)):
            if kind in (ast.BOOL, ast.CHOICE):
                self.report("E301", f"{kind}不能做算术运算", side.span)
                return None
        if expr.op in "+-":
            if ast.PERCENT in (left, right) and {left, right} - {ast.PERCENT, ast.PLAIN}:
                self.report("E301", f"百分比不能与{right if left == ast.PERCENT else left}相加减", expr.span)
                return None
            if left == right:
                return left
            return ast.PERCENT if ast.PERCENT in (left, right) else ast.NUMBER
        if ast.PERCENT in (left, right) and ast.PLAIN in (left, right):
            return ast.PERCENT
        if expr.op == "*" and left == right == ast.PERCENT:
            return ast.PERCENT
        if expr.op == "/" and left == ast.PERCENT and right != ast.PERCENT:
            self.report("E301", f"百分比不能除以{right}", expr.span, "两个百分比可以相除，得到它们的比值")
            return None
        return ast.NUMBER  # a count × a rate is that share of the count: 200 × 85% = 170

    def infer_compare(self, expr: ast.Compare, scope: _Scope) -> str:
        left_choices = self.choices_of(expr.left)
        right_choices = self.choices_of(expr.right)
        left = self.infer(expr.left, scope, right_choices)
        right = self.infer(expr.right, scope, left_choices)
        if not self.check_comparable(left, right, expr.span, expr.left, expr.right):
            return ast.BOOL
        if expr.op not in ("=", "!=") and ast.BOOL in (left, right):
            self.report("E301", "是否类型只能用 = 或 ≠ 比较", expr.span)
        if expr.op not in ("=", "!=") and ast.CHOICE in (left, right):
            self.report("E301", "枚举类型只能用 = 或 ≠ 比较", expr.span)
        return ast.BOOL

    def choices_of(self, expr: ast.Expr) -> tuple[str, ...]:
        if isinstance(expr, ast.GradeRef):
            return tuple(b.name for b in self.policy.bands)
        name = expr.name if isinstance(expr, ast.Ref | ast.Subscript) else None
        decl = self.facts.get(name) or self.params.get(name) if name else None
        return decl.type.choices if decl is not None else ()

    def check_comparable(self, left: str | None, right: str | None, span, left_expr, right_expr) -> bool:
        """Report two kinds that cannot be compared; True when they can (or are unknown)."""
        if left is None or right is None or _comparable(left, right):
            return True
        hint = None
        if ast.PERCENT in (left, right) and ast.PLAIN in (left, right):
            plain = right_expr if right == ast.PLAIN else left_expr
            hint = (f"百分比请写成带 % 的数，如 {ast.expr_text(plain)}%" if isinstance(plain, ast.Quantity)
                    else "百分比只能与百分比比较")
        elif ast.BOOL in (left, right):
            hint = "是否类型的事实本身就是条件，可直接写「若 事实」或「若 非 事实」"
        self.report("E301", f"类型不符：{ast.expr_text(left_expr)}（{left}）不能与 "
                    f"{ast.expr_text(right_expr)}（{right}）比较", span, hint)
        return False

    # ---- static facts about conditions ----------------------------------------------------

    def never(self, expr: ast.Expr) -> bool:
        """True when ``expr`` cannot hold for any value within the facts' declared ranges."""
        match expr:
            case ast.Logic(op="and"):
                return any(self.never(o) for o in expr.operands)
            case ast.Logic(op="or"):
                return all(self.never(o) for o in expr.operands)
            case ast.Compare(left=ast.Ref() as ref, right=ast.Quantity() as limit):
                fact = self.facts.get(ref.name)
                if fact is None:
                    return False
                low, high = fact_range(fact)
                return _outside(expr.op, limit.value, low, high)
        return False

    # ---- points and bands -----------------------------------------------------------------

    def check_points_total(self) -> None:
        header = self.policy.header
        if header is None or header.full_marks is None or not self.policy.items:
            return
        total = sum((i.points.value for i in self.policy.items), Decimal(0))
        if total != header.full_marks.value:
            self.report("W402", f"各项目分值合计 {_points_text(total)}，与满分 "
                        f"{_points_text(header.full_marks.value)} 不符", header.full_marks.span,
                        "核对原表的分值；评分时基础分仍以满分为上限")

    def check_bands(self) -> None:
        bands = self.policy.bands
        seen: set[str] = set()
        for band in bands:
            if band.name in seen:
                self.report("E202", f"等次「{band.name}」重复", band.span)
            seen.add(band.name)
        ranged = [b for b in bands if not b.otherwise]
        for extra in [b for b in bands if b.otherwise][1:]:
            self.report("E501", f"「其余」只能有一个，「{extra.name}」是第二个", extra.span)
        for i, band in enumerate(ranged):
            if band.low and band.high and _empty(band.low, band.high):
                self.report("E501", f"等次「{band.name}」的范围是空的", band.span)
            for other in ranged[:i]:
                if _overlap(band, other):
                    self.report("E501", f"等次「{band.name}」与「{other.name}」的范围重叠", band.span,
                                "用 >= 和 < 写明界线：如 80 <= 总分 < 90")
        if not ranged or any(b.otherwise for b in bands):
            return
        combination = self.policy.combination
        if combination is not None and any(c.source_file for c in combination.components):
            return  # the range of another policy's score is known only once it is loaded
        low, high = total_range(self.policy)
        for gap in _gaps(ranged, low, high):
            self.report("E502", f"总分{gap}时没有对应的等次", bands[0].span,
                        "补上这一段，或加一行「其余」")

    def check_unused(self) -> None:
        for fact in self.policy.facts:
            if fact.name not in self.used:
                self.report("W203", f"事实「{fact.name}」声明了但没有用到", fact.span,
                            "删除它，或在规则中使用它")


# ---- helpers shared with other stages ------------------------------------------------------


def fact_range(fact: ast.Fact | ast.Param) -> tuple[Decimal | None, Decimal | None]:
    """The inclusive range of values a fact (or parameter) may take: declared bounds, else its type's."""
    low = fact.low.value if getattr(fact, "low", None) is not None else None
    high = fact.high.value if getattr(fact, "high", None) is not None else None
    if fact.type.kind in (ast.COUNT, ast.PERCENT) and low is None:
        low = Decimal(0)
    if fact.type.kind == ast.PERCENT and high is None:
        high = Decimal(100)
    return low, high


def total_range(policy: ast.Policy) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest total a unit can get (None: unbounded)."""
    low: Decimal | None = Decimal(0)
    high: Decimal | None = policy.full_marks
    for section in policy.sections:
        if section.cap is None:
            if section.sign == ast.AWARD:
                high = None
            else:
                low = None
            continue
        if section.sign == ast.AWARD and high is not None:
            high += section.cap.value
        elif section.sign == ast.DEDUCT and low is not None:
            low -= section.cap.value
    if policy.combination is not None:
        return _combined_range(policy, (low, high))
    return low, high


def _combined_range(policy: ast.Policy, own: tuple[Decimal | None, Decimal | None]):
    """The range of a 组成 total: each component's range, weighted or rescaled, added up."""
    facts = {f.name: f for f in policy.facts}
    low: Decimal | None = Decimal(0)
    high: Decimal | None = Decimal(0)
    for component in policy.combination.components:
        if component.policy is not None:
            part, full = total_range(component.policy), component.policy.full_marks
        elif component.source_file is not None:
            return None, None
        elif component.source is None:
            part, full = own, policy.full_marks
        elif component.source in facts:
            part = fact_range(facts[component.source])
            full = part[1]
        else:
            return None, None
        if component.share is not None:
            factor = component.share.value / 100
        elif component.rescale is not None and full:
            factor = component.rescale.value / full
        else:
            factor = Decimal(1)
        low = None if low is None or part[0] is None else low + part[0] * factor
        high = None if high is None or part[1] is None else high + part[1] * factor
    return low, high


def _fits(kind: str, literal_kind: str) -> bool:
    """Whether a number written with ``literal_kind``'s unit can stand for a ``kind`` value."""
    if literal_kind == ast.PLAIN:
        return kind not in (ast.BOOL, ast.PERCENT)
    if kind == ast.PERCENT or literal_kind == ast.PERCENT:
        return kind == literal_kind
    return kind in NUMERIC and literal_kind in NUMERIC


def _comparable(left: str, right: str) -> bool:
    if left == right:
        return True
    pair = {left, right}
    if ast.BOOL in pair or ast.CHOICE in pair:
        return False
    if ast.PERCENT in pair:
        return False
    if ast.POINTS in pair:
        return pair <= {ast.POINTS, ast.PLAIN}
    return pair <= NUMERIC


def _covers(earlier: ast.Tier, later: ast.Tier) -> bool:
    """Whether every value that satisfies ``later`` already satisfied ``earlier``."""
    if earlier.op is None:
        return True
    if later.op is None or not isinstance(earlier.bound, ast.Quantity) or not isinstance(later.bound, ast.Quantity):
        return False
    a, b = earlier.bound.value, later.bound.value
    if earlier.op in (">=", ">") and later.op in (">=", ">"):
        return a < b or (a == b and (earlier.op == ">=" or later.op == ">"))
    if earlier.op in ("<=", "<") and later.op in ("<=", "<"):
        return a > b or (a == b and (earlier.op == "<=" or later.op == "<"))
    return False


def _outside_range(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _outside(op: str, limit: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    if op == ">":
        return high is not None and limit >= high
    if op == ">=":
        return high is not None and limit > high
    if op == "<":
        return low is not None and limit <= low
    if op == "<=":
        return low is not None and limit < low
    if op == "=":
        return (high is not None and limit > high) or (low is not None and limit < low)
    return False


def _empty(low: ast.Bound, high: ast.Bound) -> bool:
    return low.value > high.value or (low.value == high.value and not (low.inclusive and high.inclusive))


def _overlap(a: ast.Band, b: ast.Band) -> bool:
    low = max((x for x in (a.low, b.low) if x), key=lambda x: (x.value, not x.inclusive), default=None)
    high = min((x for x in (a.high, b.high) if x), key=lambda x: (x.value, x.inclusive), default=None)
    return low is None or high is None or not _empty(low, high)


def _gaps(bands: list[ast.Band], low: Decimal | None, high: Decimal | None) -> Iterator[str]:
    """Describe the stretches of the possible totals [low, high] that no band covers.

    ``covered`` is the bound up to which every total is graded (None: minus infinity); its
    ``inclusive`` says whether the bound itself is graded.
    """
    covered = ast.Bound(low, False) if low is not None else None
    for band in sorted(bands, key=lambda b: (b.low is not None, b.low.value if b.low else 0,
                                             not b.low.inclusive if b.low else False)):
        start = band.low
        if start is not None and (covered is None or start.value > covered.value or (
                start.value == covered.value and not covered.inclusive and not start.inclusive)):
            yield _describe_gap(covered, start)
        if band.high is None:
            return
        if covered is None or band.high.value > covered.value or (
                band.high.value == covered.value and band.high.inclusive):
            covered = band.high
    if high is None or covered.value < high or (covered.value == high and not covered.inclusive):
        yield _describe_gap(covered, None)


def _describe_gap(after: ast.Bound | None, before: ast.Bound | None) -> str:
    """Words for the totals above ``after`` and below ``before`` (None: unbounded)."""
    parts = []
    if after is not None:
        parts.append(f"{'高于' if after.inclusive else '不低于'} {after.value.normalize():f}")
    if before is not None:
        parts.append(f"{'低于' if before.inclusive else '不高于'} {before.value.normalize():f}")
    return "、".join(parts) if parts else "为任何值"


def check(policy: ast.Policy) -> list[Diagnostic]:
    """Every problem the checker finds in a parsed policy, in source order, each once."""
    found = Checker(policy).run()
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=Diagnostic.sort_key)
