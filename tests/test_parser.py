"""The parser, one construct at a time: text → the AST nodes it must give (spans aside)."""

import re
from decimal import Decimal

import pytest

from jhdsl import ast
from jhdsl.parser import parse


def q(text: str) -> ast.Quantity:
    """A quantity literal as the parser builds it: q('3分') → Quantity(3, '分')."""
    digits, unit = re.fullmatch(r"([0-9.]+)(.*)", text).groups()
    return ast.Quantity(Decimal(digits), unit)


def policy_of(text: str) -> ast.Policy:
    result = parse(text, "t.jhp")
    assert result.diagnostics == (), result.diagnostics
    return result.policy


def leaf_rules(body: str) -> tuple:
    """The rules of a one-leaf policy whose leaf body is ``body`` (indented by the caller)."""
    policy = policy_of("项目 甲 10分\n" + body)
    return policy.items[0].rules


def condition(text: str) -> ast.Expr:
    (rule,) = leaf_rules(f"  计分 1分 若 {text}\n")
    return rule.condition


def test_header():
    policy = policy_of(
        "考核 武进区2014年考核办法\n"
        "  满分 100分\n"
        "  对象 “镇（开发区、街道）计划生育服务站”\n"
        "  小数位 1\n"
        "  文号 「武人口计生发〔2014〕10号」\n"
    )
    assert policy.header == ast.Header(
        "武进区2014年考核办法", q("100分"), "镇（开发区、街道）计划生育服务站", q("1"), "武人口计生发〔2014〕10号"
    )
    assert policy.places == 1


def test_fact_types_bounds_defaults_and_notes():
    policy = policy_of(
        "列表 部门: 公安, 教育、民政\n"
        "事实\n"
        "  专题研究: 是否 默认 否\n"
        "  配备人数: 整数 范围 0 至 20\n"
        "  投入: 金额\n"
        "  系数: 数值 默认 -1\n"
        "  符合率: 百分比\n"
        "    说明 \"按第三条归属\"\n"
        "  表彰级别：枚举（国家级，省级、无） 默认 无\n"
        "  信息互通: 是否 按 部门\n"
    )
    assert policy.lists == (ast.ListDecl("部门", ("公安", "教育", "民政")),)
    assert policy.facts == (
        ast.Fact("专题研究", ast.FactType(ast.BOOL), default=ast.Boolean(False)),
        ast.Fact("配备人数", ast.FactType(ast.COUNT), low=q("0"), high=q("20")),
        ast.Fact("投入", ast.FactType(ast.MONEY)),
        ast.Fact("系数", ast.FactType(ast.NUMBER), default=ast.Quantity(Decimal(-1))),
        ast.Fact("符合率", ast.FactType(ast.PERCENT), note="按第三条归属"),
        ast.Fact("表彰级别", ast.FactType(ast.CHOICE, ("国家级", "省级", "无")), default=ast.Ref("无")),
        ast.Fact("信息互通", ast.FactType(ast.BOOL), keyed_by="部门"),
    )


def test_parameters():
    policy = policy_of("参数\n  期间: 枚举(上半年, 全年) 默认 全年\n")
    assert policy.params == (ast.Param("期间", ast.FactType(ast.CHOICE, ("上半年", "全年")), ast.Ref("全年")),)


def test_items_nest_with_their_descriptive_fields():
    policy = policy_of(
        "项目 领导重视 10分\n"
        "  方式 \"台账、工作评估\"\n"
        "  项目 计划生育率 4分\n"
        "    内容 \"出生政策符合率在99%以上。\"\n"
        "    科室 规统科\n"
        "    计分 4分\n"
    )
    (group,) = policy.items
    assert group.method == "台账、工作评估"
    assert group.points == q("10分")
    (leaf,) = group.children
    assert (leaf.name, leaf.content, leaf.office) == ("计划生育率", "出生政策符合率在99%以上。", "规统科")
    assert leaf.rules == (ast.Fixed(ast.AWARD, q("4分")),)


def test_fixed_rules_award_and_deduct():
    rules = leaf_rules("  计分 2分 若 专题研究\n  扣分 1.5分 若 违规\n  加扣 1分 若 严重\n")
    assert rules == (
        ast.Fixed(ast.AWARD, q("2分"), ast.Ref("专题研究")),
        ast.Fixed(ast.DEDUCT, q("1.5分"), ast.Ref("违规")),
        ast.Fixed(ast.DEDUCT, q("1分"), ast.Ref("严重")),
    )


def test_per_unit_rules_proportional_and_whole_steps_with_cap():
    rules = leaf_rules(
        "  按 配备人数 每 1名 计 3分 上限 10分\n"
        "  按 差错件数，每满 2件 扣 1分 若 非 豁免\n"
    )
    assert rules == (
        ast.PerUnit(ast.Ref("配备人数"), q("1名"), False, ast.AWARD, q("3分"), q("10分")),
        ast.PerUnit(ast.Ref("差错件数"), q("2件"), True, ast.DEDUCT, q("1分"), None, ast.Not(ast.Ref("豁免"))),
    )


def test_rate_scale_reads_like_the_seed():
    (rule,) = leaf_rules("  按率 投入到位率 达到 50% 计满分，每降低 1个百分点 扣 2.5分，低于 30% 不计分\n")
    assert rule == ast.RateScale(ast.Ref("投入到位率"), q("50%"), None, q("1个百分点"), False, q("2.5分"), q("30%"))
    (rule,) = leaf_rules("  按率 比例 达到 70% 计 10分 每满降低 1个比例点 扣 1分\n")
    assert rule == ast.RateScale(
        ast.Ref("比例"), q("70%"), q("10分"), ast.Quantity(Decimal(1), "个比例点"), True, q("1分"), None
    )


def test_tiers_with_otherwise():
    (rule,) = leaf_rules("  分档 知晓率\n    >= 95% 计 2分\n    ≥ 90% 计 1分\n    其余 不计分\n")
    assert rule == ast.Tiers(
        ast.Ref("知晓率"),
        (
            ast.Tier(">=", q("95%"), ast.AWARD, q("2分")),
            ast.Tier(">=", q("90%"), ast.AWARD, q("1分")),
            ast.Tier(None, None, 0, None),
        ),
    )


def test_overrides_each_when_and_start():
    rules = leaf_rules(
        "  初始 满分\n"
        "  不计分 若 造假\n"
        "  满分 若 期间 = 上半年\n"
        "  各 部门 计分 4分 若 信息互通\n"
        "  当 期间 = 上半年\n"
        "    计分 1分\n"
        "  否则\n"
        "    扣分 1分 若 违规\n"
    )
    half_year = ast.Compare("=", ast.Ref("期间"), ast.Ref("上半年"))
    assert rules == (
        ast.Override(False, ast.Ref("造假")),
        ast.Override(True, half_year),
        ast.Each("部门", ast.Fixed(ast.AWARD, q("4分"), ast.Ref("信息互通"))),
        ast.When(half_year, (ast.Fixed(ast.AWARD, q("1分")),), (ast.Fixed(ast.DEDUCT, q("1分"), ast.Ref("违规")),)),
    )
    policy = policy_of("项目 甲 10分\n  初始 满分\n  扣分 1分\n项目 乙 5分\n  初始 2分\n  计分 1分\n")
    assert policy.items[0].start_full and policy.items[0].start is None
    assert policy.items[1].start == q("2分") and not policy.items[1].start_full


def test_sections_nest_with_caps_and_vetoes_anywhere():
    policy = policy_of(
        "加分 亮点工作 上限 5分\n"
        "  加分 表彰\n"
        "    内容 \"获得国家级表彰加3分\"\n"
        "    按 表彰次数 每 1次 加分 3分\n"
        "减分 违法行政 上限 15分\n"
        "  按 起数 每 1起 扣 2分\n"
        "  一票否决 重大事故 若 事故 > 0\n"
        "一票否决 造假 若 造假\n"
    )
    bonus, penalty = policy.sections
    assert (bonus.sign, bonus.name, bonus.cap) == (ast.AWARD, "亮点工作", q("5分"))
    assert bonus.children[0].content == "获得国家级表彰加3分"
    assert bonus.children[0].rules == (ast.PerUnit(ast.Ref("表彰次数"), q("1次"), False, ast.AWARD, q("3分")),)
    assert penalty.sign == ast.DEDUCT
    assert penalty.vetoes == (ast.Veto("重大事故", ast.Compare(">", ast.Ref("事故"), q("0"))),)
    assert policy.vetoes == (ast.Veto("造假", ast.Ref("造假")),)


def test_grade_bands_state_inclusive_and_exclusive_bounds():
    policy = policy_of("等次\n  优秀 总分 >= 90\n  良好 80 <= 总分 < 90\n  一般 总分 ≤ 80\n  其他 其余\n")
    assert policy.bands == (
        ast.Band("优秀", ast.Bound(Decimal(90), True), None),
        ast.Band("良好", ast.Bound(Decimal(80), True), ast.Bound(Decimal(90), False)),
        ast.Band("一般", None, ast.Bound(Decimal(80), True)),
        ast.Band("其他", otherwise=True),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲 >= 99%", ast.Compare(">=", ast.Ref("甲"), q("99%"))),
        ("甲 ≥ 99％", ast.Compare(">=", ast.Ref("甲"), q("99%"))),
        ("甲 ＞＝ ９９%", ast.Compare(">=", ast.Ref("甲"), q("99%"))),
        ("甲 ≠ 乙", ast.Compare("!=", ast.Ref("甲"), ast.Ref("乙"))),
        ("甲 != 乙", ast.Compare("!=", ast.Ref("甲"), ast.Ref("乙"))),
        ("「0-3岁 活动」 >= 2次", ast.Compare(">=", ast.Ref("0-3岁 活动"), q("2次"))),
        ("甲 或 乙 且 非 丙", ast.Logic("or", (ast.Ref("甲"), ast.Logic("and", (ast.Ref("乙"), ast.Not(ast.Ref("丙"))))))),
        ("（甲 或 乙） 且 丙", ast.Logic("and", (ast.Logic("or", (ast.Ref("甲"), ast.Ref("乙"))), ast.Ref("丙")))),
        ("甲 + 乙 × 2 > 3", ast.Compare(">", ast.Arith("+", ast.Ref("甲"), ast.Arith("*", ast.Ref("乙"), q("2"))), q("3"))),
        ("甲 − 乙 ÷ 2 < -1", ast.Compare("<", ast.Arith("-", ast.Ref("甲"), ast.Arith("/", ast.Ref("乙"), q("2"))),
                                        ast.Negate(q("1")))),
        ("信息互通[公安] = 是", ast.Compare("=", ast.Subscript("信息互通", "公安"), ast.Boolean(True))),
        ("信息互通【公安】", ast.Subscript("信息互通", "公安")),
        ("下降 >= 1个百分点", ast.Compare(">=", ast.Ref("下降"), ast.Quantity(Decimal(1), "个百分点"))),
    ],
)
def test_expressions(text, expected):
    assert condition(text) == expected


def test_percent_literal_is_the_number_of_percentage_points():
    # a rate of 99% must equal the literal 99%: both are kept as 99 percentage points
    assert condition("甲 >= 99%").right.value == Decimal("99")
    assert condition("甲 >= 97.5%").right.value == Decimal("97.5")


def test_comments_blank_lines_and_crlf_are_ignored():
    text = "# 说明\r\n\r\n项目 甲 10分  # 行尾注释\r\n    # 缩进不同的注释行\r\n  计分 1分\r\n"
    assert policy_of(text).items[0].rules == (ast.Fixed(ast.AWARD, q("1分")),)


def test_spans_point_at_the_source():
    policy = policy_of("事实\n  甲: 是否\n项目 乙 10分\n  计分 1分 若 甲\n")
    assert policy.facts[0].span == ast.Span("t.jhp", 2, 3, 2, 4)
    rule = policy.items[0].rules[0]
    assert (rule.condition.span.line, rule.condition.span.column) == (4, 11)  # 两个空格、计分、空格、1分、空格、若、空格：第 11 个字符


def test_spans_do_not_take_part_in_equality():
    a = policy_of("项目 甲 10分\n  计分 1分\n")
    b = policy_of("\n\n项目   甲   10分\n      计分   1分\n")
    assert a == b
