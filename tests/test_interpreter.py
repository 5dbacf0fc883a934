"""The interpreter, one rule kind at a time, with every expected score worked out by hand."""

from decimal import Decimal as D

import pytest

from jhdsl.facts import Unit
from jhdsl.interpreter import Interpreter, resolve_params
from jhdsl.numbers import round_half_up, shown
from jhdsl.pipeline import check_text

HEADER = "考核 测试\n"


def policy_of(text: str):
    loaded = check_text(HEADER + text, "t.jhp")
    assert loaded.errors == [], loaded.errors
    return loaded.policy


def run(text: str, settings: dict | None = None, **facts):
    policy = policy_of(text)
    params = resolve_params(policy, settings or {})
    return Interpreter(policy, params).evaluate(Unit("某镇", facts))


def leaf(text: str, settings: dict | None = None, **facts):
    """The one top-level item's result of a policy."""
    return run(text, settings, **facts).items[0]


# ---- fixed rules ---------------------------------------------------------------------------

FIXED = """事实
  符合率: 百分比
  违法生育: 是否
项目 计划生育率 4分
  计分 2分 若 符合率 >= 99%
  计分 2分 若 非 违法生育
"""


def test_fixed_award_counts_only_when_its_condition_holds():
    assert leaf(FIXED, 符合率=D("99"), 违法生育=False).score == D("4")  # 2 + 2
    assert leaf(FIXED, 符合率=D("98.99"), 违法生育=False).score == D("2")  # 98.99% < 99%: 0 + 2
    assert leaf(FIXED, 符合率=D("100"), 违法生育=True).score == D("2")  # 2 + 0


def test_a_rate_of_99_percent_equals_the_literal_99_percent():
    result = leaf(FIXED, 符合率=D("99.0"), 违法生育=True)
    assert result.score == D("2")
    assert "计2分" in result.lines[0].text and "99%" in result.lines[0].text


def test_deduct_only_leaf_starts_full_and_stops_at_zero():
    text = """事实
  甲: 是否
  乙: 是否
  丙: 是否
项目 B超管理 2分
  扣分 2分 若 甲
  扣分 1分 若 乙
  扣分 1分 若 丙
"""
    assert leaf(text, 甲=False, 乙=False, 丙=False).score == D("2")  # nothing deducted from 2
    assert leaf(text, 甲=False, 乙=True, 丙=False).score == D("1")  # 2 − 1
    floored = leaf(text, 甲=True, 乙=True, 丙=True)  # 2 − 2 − 1 − 1 = −2 → 扣完为止 → 0
    assert floored.score == D("0")
    assert floored.start == D("2")
    assert floored.lines[-1].amount == D("2") and "扣完为止" in floored.lines[-1].text


def test_award_leaf_is_capped_at_its_points():
    text = "事实\n  甲: 是否\n  乙: 是否\n项目 甲项 3分\n  计分 2分 若 甲\n  计分 2分 若 乙\n"
    capped = leaf(text, 甲=True, 乙=True)  # 2 + 2 = 4 > 3 → 计满为止 → 3
    assert capped.score == D("3")
    assert capped.lines[-1].amount == D("-1") and "计满为止" in capped.lines[-1].text


def test_written_start_resolves_a_mixed_leaf():
    text = "事实\n  甲: 是否\n  乙: 是否\n项目 甲项 5分\n  初始 3分\n  计分 2分 若 甲\n  扣分 1分 若 乙\n"
    assert leaf(text, 甲=True, 乙=False).score == D("5")  # 3 + 2
    assert leaf(text, 甲=False, 乙=True).score == D("2")  # 3 − 1


# ---- per unit ------------------------------------------------------------------------------

PER_UNIT = """事实
  配备人数: 整数
项目 队伍建设 10分
  按 配备人数 每 1名 计 3分 上限 10分
"""


@pytest.mark.parametrize(("people", "score"), [(0, "0"), (1, "3"), (3, "9"), (4, "10"), (9, "10")])
def test_per_unit_accrues_to_its_cap(people, score):
    # 邓州: 每配备1名计3分,计满10分为止 — 3 people: 9; 4 people: 12 → capped at 10
    assert leaf(PER_UNIT, 配备人数=D(people)).score == D(score)


def test_proportional_counts_fractions_and_whole_steps_do_not():
    text = """事实
  面积: 数值
项目 甲 10分
  按 面积 每 2 计 1分
项目 乙 10分
  按 面积 每满 2 计 1分
"""
    result = run(text, 面积=D("7"))
    assert result.items[0].score == D("3.5")  # 7 ÷ 2 × 1 = 3.5
    assert result.items[1].score == D("3")  # only 3 whole steps of 2 in 7


def test_per_case_deduction_with_floor():
    # 邓州: 发现1个单位未完成职责任务的扣5分,扣完为止 (20分)
    text = "事实\n  未完成单位数: 整数\n项目 责任目标 20分\n  按 未完成单位数 每 1个 扣 5分\n"
    assert leaf(text, 未完成单位数=D(0)).score == D("20")
    assert leaf(text, 未完成单位数=D(3)).score == D("5")  # 20 − 3 × 5
    assert leaf(text, 未完成单位数=D(5)).score == D("0")  # 20 − 25 → 0


# ---- rate scale ----------------------------------------------------------------------------

RATE = """参数
  期间: 枚举(上半年, 全年) 默认 全年
事实
  投入到位率: 百分比
项目 计划生育事业费 30分
  当 期间 = 上半年
    按率 投入到位率 达到 50% 计满分，每降低 1个百分点 扣 2.5分，低于 30% 不计分
  否则
    按率 投入到位率 达到 100% 计满分，每降低 1个百分点 扣 2.5分，低于 80% 不计分
"""


@pytest.mark.parametrize(
    ("period", "rate", "score"),
    [
        ("上半年", "55", "30"),  # above 50%: full 30
        ("上半年", "50", "30"),  # exactly at the target
        ("上半年", "42", "10"),  # 8 points below 50%: 30 − 8 × 2.5 = 10
        ("上半年", "45.5", "18.75"),  # 4.5 points below: 30 − 11.25 = 18.75
        ("上半年", "30", "0"),  # at the floor: 30 − 20 × 2.5 = −20 → 0 (扣完为止)
        ("上半年", "29.9", "0"),  # below 30%: 不计分
        ("全年", "100", "30"),
        ("全年", "92", "10"),  # 30 − 8 × 2.5
        ("全年", "88", "0"),  # 30 − 12 × 2.5 = 0
        ("全年", "79", "0"),  # below 80%: 不计分
    ],
)
def test_rate_scale_depends_on_the_period(period, rate, score):
    assert leaf(RATE, {"期间": period}, 投入到位率=D(rate)).score == D(score)


def test_rate_scale_explains_the_deduction():
    result = leaf(RATE, {"期间": "全年"}, 投入到位率=D("92"))
    text = result.lines[-1].text
    assert text == "投入到位率 92%，比 100% 低 8 个百分点，每降低1个百分点扣2.5分，扣 8 × 2.5分 = 20分，计 10分"


def test_threshold_then_slope_without_floor():
    # 邓州: 达70%以上计10分,否则每少1个比例点扣1分,扣完为止
    text = "事实\n  示范村比例: 百分比\n项目 群众自治 10分\n  按率 示范村比例 达到 70% 计满分 每降低 1个比例点 扣 1分\n"
    assert leaf(text, 示范村比例=D("66")).score == D("6")  # 10 − 4
    assert leaf(text, 示范村比例=D("55")).score == D("0")  # 10 − 15 → 0


def test_whole_step_rate_scale():
    text = ("事实\n  率: 百分比\n项目 甲 10分\n"
            "  按率 率 达到 95% 计满分 每满降低 1个百分点 扣 5分\n")
    assert leaf(text, 率=D("93.5")).score == D("5")  # 1.5 below: one whole step → 10 − 5


# ---- tiers, overrides, each ----------------------------------------------------------------

TIERS = """事实
  知晓率: 百分比
项目 知晓 2分
  分档 知晓率
    >= 95% 计 2分
    >= 90% 计 1分
    其余 不计分
"""


@pytest.mark.parametrize(("rate", "score"), [("96", "2"), ("95", "2"), ("94.99", "1"), ("90", "1"), ("89", "0")])
def test_tiers_take_the_first_that_holds(rate, score):
    assert leaf(TIERS, 知晓率=D(rate)).score == D(score)


def test_stepped_deductions():
    # 低于80%、70%、60%的分别扣1、2、3分 (from 3 points)
    text = """事实
  率: 百分比
项目 甲 3分
  分档 率
    < 60% 扣 3分
    < 70% 扣 2分
    < 80% 扣 1分
"""
    assert leaf(text, 率=D("85")).score == D("3")
    assert leaf(text, 率=D("75")).score == D("2")
    assert leaf(text, 率=D("65")).score == D("1")
    assert leaf(text, 率=D("59")).score == D("0")


def test_full_if_and_zero_if_override_the_rules():
    # 邓州: 半年考核时此项均默认为满分
    text = """参数
  期间: 枚举(上半年, 全年) 默认 全年
事实
  报告: 是否
  造假: 是否
项目 年度报告 20分
  计分 20分 若 报告
  满分 若 期间 = 上半年
  不计分 若 造假
"""
    assert leaf(text, {"期间": "上半年"}, 报告=False, 造假=False).score == D("20")
    assert leaf(text, {"期间": "全年"}, 报告=False, 造假=False).score == D("0")
    assert leaf(text, {"期间": "全年"}, 报告=True, 造假=True).score == D("0")
    # the first override written wins: 满分 若 期间 = 上半年 comes before 不计分 若 造假
    assert leaf(text, {"期间": "上半年"}, 报告=False, 造假=True).score == D("20")


def test_one_rule_for_each_member_of_a_list():
    # 邓州: 卫生计生、公安、教育、民政、统计等5部门各计4分
    text = """列表 部门: 卫生计生, 公安, 教育, 民政, 统计
事实
  信息互通: 是否 按 部门
项目 信息互通制度 20分
  各 部门 计分 4分 若 信息互通
"""
    values = {"卫生计生": True, "公安": True, "教育": False, "民政": True, "统计": False}
    result = leaf(text, 信息互通=values)
    assert result.score == D("12")  # 3 departments × 4
    assert [line.amount for line in result.lines] == [D(4), D(4), D(0), D(4), D(0)]
    assert result.lines[2].text.startswith("教育：")


# ---- groups, sections, total, vetoes, grades -----------------------------------------------

WHOLE = """考核 整体
  满分 10分
事实
  甲: 是否
  国家级表彰: 整数
  省级表彰: 整数
  违法起数: 整数
  严重起数: 整数
  事故: 是否
项目 组 6分
  项目 子一 4分
    计分 4分 若 甲
  项目 子二 2分
    计分 2分 若 甲
项目 另一项 4分
  计分 4分 若 甲
加分 亮点工作 上限 5分
  按 国家级表彰 每 1次 加分 3分
  按 省级表彰 每 1次 加分 2分
减分 违法行政 上限 15分
  按 违法起数 每 1起 扣 2分
  按 严重起数 每 1起 加扣 1分
一票否决 重大责任事故 若 事故
等次
  优秀 总分 >= 9
  合格 6 <= 总分 < 9
  不合格 总分 < 6
"""


def whole(**facts):
    loaded = check_text(WHOLE, "t.jhp")
    assert loaded.errors == []
    defaults = {"甲": True, "国家级表彰": D(0), "省级表彰": D(0), "违法起数": D(0), "严重起数": D(0), "事故": False}
    return Interpreter(loaded.policy).evaluate(Unit("某镇", defaults | facts))


def test_total_is_base_plus_capped_bonus_minus_capped_penalty():
    result = whole(国家级表彰=D(1), 省级表彰=D(2), 违法起数=D(2), 严重起数=D(1))
    assert result.base == D("10")  # 4 + 2 + 4
    assert result.bonus == D("5")  # 3 + 2 × 2 = 7 → 上限 5
    assert result.penalty == D("5")  # 2 × 2 + 1 × 1 = 5
    assert result.total == D("10")  # 10 + 5 − 5
    assert result.grade == "优秀"


def test_penalty_cap_and_negative_total():
    result = whole(甲=False, 违法起数=D(10), 严重起数=D(3))
    assert result.base == D("0")
    assert result.penalty == D("15")  # 10 × 2 + 3 × 1 = 23 → 上限 15
    assert result.total == D("-15")
    assert result.grade == "不合格"


def test_group_is_the_sum_of_its_children():
    result = whole(甲=True)
    group = result.items[0]
    assert [c.score for c in group.children] == [D(4), D(2)]
    assert group.score == D(6)


def test_veto_marks_the_unit_and_overrides_the_grade():
    result = whole(事故=True)
    assert result.vetoed
    assert result.total == D("10")  # the score is still computed
    assert result.grade is None
    assert [v.name for v in result.vetoes] == ["重大责任事故"]
    assert "事故 = 是" in result.vetoes[0].reason


@pytest.mark.parametrize(("base_items", "grade"), [(True, "优秀"), (False, "不合格")])
def test_grade_band_edges(base_items, grade):
    assert whole(甲=base_items).grade == grade


def test_grade_band_bounds_are_inclusive_as_written():
    text = ("事实\n  分: 数值\n项目 甲 100分\n  按 分 每 1 计 1分\n"
            "等次\n  优秀 总分 >= 90\n  良好 80 <= 总分 < 90\n  其他 其余\n")
    assert run(text, 分=D("90")).grade == "优秀"
    assert run(text, 分=D("89.99")).grade == "良好"
    assert run(text, 分=D("80")).grade == "良好"
    assert run(text, 分=D("79.99")).grade == "其他"


def test_base_is_capped_at_full_marks_when_items_add_up_to_more():
    text = "考核 甲\n  满分 5分\n事实\n  甲: 是否\n项目 一 4分\n  计分 4分 若 甲\n项目 二 4分\n  计分 4分 若 甲\n"
    assert run(text.removeprefix("考核 甲\n"), 甲=True).base == D("5")  # 4 + 4 = 8 → 满分 5


# ---- numbers -------------------------------------------------------------------------------


def test_arithmetic_is_exact_decimal():
    text = "事实\n  甲: 是否\n项目 甲项 1分\n  计分 0.1分 若 甲\n  计分 0.2分 若 甲\n"
    assert leaf(text, 甲=True).score == D("0.3")  # not 0.30000000000000004


@pytest.mark.parametrize(("value", "places", "text"), [
    ("2.345", 2, "2.35"), ("2.335", 2, "2.34"), ("2.5", 0, "3"), ("3.5", 0, "4"), ("-2.5", 0, "-3"), ("7", 2, "7.00"),
])
def test_shown_scores_round_half_up(value, places, text):
    # 四舍五入: 2.345 → 2.35 and 2.5 → 3, unlike Python's round() which gives banker's rounding
    assert shown(D(value), places) == text
    assert round_half_up(D(value), places) == D(text)


def test_explanation_lines_add_up_to_every_score():
    result = whole(国家级表彰=D(1), 省级表彰=D(2), 违法起数=D(2), 严重起数=D(1))
    for item in result.items:
        for child in item.children or (item,):
            assert child.start + sum(line.amount for line in child.lines) == child.score
    bonus, penalty = result.sections
    assert sum(line.amount for line in bonus.lines) == bonus.amount  # 3 + 4 − 2 (cap) = 5
    assert -sum(line.amount for line in penalty.lines) == penalty.amount  # −4 − 1 = −5


def test_a_third_times_three_is_exactly_one():
    # 按 人数 每 3名 计 3分 with 1 person: 1 × 3 ÷ 3 = 1 exactly, so the band 总分 >= 1 holds
    text = "事实\n  人数: 整数\n项目 甲 10分\n  按 人数 每 3名 计 3分\n等次\n  合格 总分 >= 1\n  不合格 其余\n"
    result = run(text, 人数=D(1))
    assert result.total == D(1) and result.grade == "合格"


def test_whole_steps_use_exact_integer_division():
    text = "事实\n  人数: 整数\n项目 甲 10分\n  按 人数 每满 3名 计 1分\n"
    assert leaf(text, 人数=D(8)).score == D(2)  # 8 holds 2 whole steps of 3
    assert leaf(text, 人数=D(9)).score == D(3)


def test_a_count_times_a_rate_is_that_share_of_the_count():
    # 出生数 200 × 率 85% = 170 births (not 17000): a rate multiplies as the fraction it stands for
    text = "事实\n  出生数: 整数\n  率: 百分比\n项目 甲 10分\n  计分 10分 若 出生数 × 率 >= 170\n"
    assert leaf(text, 出生数=D(200), 率=D(85)).score == D(10)
    assert leaf(text, 出生数=D(200), 率=D("84.9")).score == D(0)  # 169.8 < 170
    # a rate scaled by a bare number stays a rate: 90% × 1.1 = 99%
    scaled = "事实\n  率: 百分比\n  目标: 百分比\n项目 甲 10分\n  计分 10分 若 率 >= 目标 × 1.1\n"
    assert leaf(scaled, 率=D(99), 目标=D(90)).score == D(10)


def test_not_applicable_items_are_left_out_and_the_base_rescaled():
    # 不适用: an item of 25 points does not apply; the other 75 points are rescaled to 100 (× 4/3)
    text = """  满分 100分
事实
  有流动人口: 是否
  甲: 是否
项目 流动人口 25分
  不适用 若 非 有流动人口
  计分 25分 若 甲
项目 其他工作 75分
  计分 60分 若 甲
"""
    result = run(text, 有流动人口=False, 甲=True)
    assert not result.items[0].applicable
    assert result.base == D(80)  # 60 of the 75 points that apply: 60 × 100 ÷ 75 = 80
    assert run(text, 有流动人口=True, 甲=True).base == D(85)  # 25 + 60, nothing rescaled


def test_a_gate_on_the_bonus_stage():
    # only above 80 does the bonus stage count: 加分 亮点 上限 5分 若 基础分 >= 80
    text = ("事实\n  分: 数值\n  表彰: 是否\n项目 甲 100分\n  按 分 每 1 计 1分\n"
            "加分 亮点 上限 5分 若 基础分 >= 80\n  加分 3分 若 表彰\n")
    assert run(text, 分=D(80), 表彰=True).total == D(83)  # 80 passes the gate: + 3
    gated = run(text, 分=D("79.5"), 表彰=True)
    assert gated.total == D("79.5") and gated.bonus == D(0)
    assert "基础分 = 79.5" in gated.sections[0].lines[0].text


def test_and_stops_at_the_first_part_that_fails():
    # 出生数 > 0 guards the division: with 出生数 = 0 the second part is never computed
    text = ("事实\n  出生数: 整数\n  政策外: 整数\n项目 甲 2分\n"
            "  计分 2分 若 出生数 > 0 且 （出生数 − 政策外） ÷ 出生数 × 100 >= 95\n")
    result = leaf(text, 出生数=D(0), 政策外=D(0))
    assert result.score == D(0) and result.lines[0].text.endswith("不成立（出生数 = 0）")


def test_rates_multiply_and_divide_as_fractions():
    text = ("事实\n  覆盖率: 百分比\n  建档数: 整数\n项目 甲 2分\n  计分 1分 若 覆盖率 × 覆盖率 >= 72.25%\n"
            "  计分 1分 若 建档数 ÷ 覆盖率 >= 200\n")
    # 85% × 85% = 72.25%; 170 ÷ 85% = 200
    assert leaf(text, 覆盖率=D(85), 建档数=D(170)).score == D(2)
    assert leaf(text, 覆盖率=D("84.9"), 建档数=D(170)).score == D(1)  # 72.08…% < 72.25%; 200.2… ≥ 200: only the second
