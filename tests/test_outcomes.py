"""Rankings, outcomes, quotas and vetoes that climb — the edge cases, worked out by hand.

Each policy scores a unit by one fact 分 (10 points max, 1 point per 分), so a unit's total is
its 分 and the expected ranks can be read straight off the table of facts.
"""

from decimal import Decimal as D
from pathlib import Path

import pytest

from jhdsl.facts import Unit
from jhdsl.interpreter import Interpreter
from jhdsl.outcomes import evaluate_all
from jhdsl.pipeline import check_text

SCORED = """考核 排名测试
事实
  分: 数值 范围 0 至 10
  事故: 是否 默认 否
  合格: 是否 默认 是
项目 得分 10分
  按 分 每 1 计 1分
一票否决 重大事故 若 事故
"""


def settle(extra: str, rows: list[tuple], **kw):
    """Units (name, 分, group, parent, 事故, 合格) scored and settled under SCORED + extra."""
    loaded = check_text(SCORED + extra, "t.jhp")
    assert loaded.errors == [], loaded.errors
    units = []
    for name, score, group, parent, accident, ok in (r + (None, None, False, True)[len(r) - 2:] for r in rows):
        units.append(Unit(name, {"分": D(score), "事故": accident, "合格": ok}, group, parent))
    return evaluate_all(loaded.policy, units, **kw)


def holders(settled, outcome: str) -> list[str]:
    return [r.unit for r in settled.results if any(a.name == outcome for a in r.outcomes)]


def rank_of(settled, unit: str, ranking: str) -> int:
    result = next(r for r in settled.results if r.unit == unit)
    return next(p.rank for p in result.ranks if p.ranking == ranking)


TOP2 = "排名 综合 按 总分\n结果 先进 按 综合 前 2名\n  奖励 1000元\n"


def test_ties_share_a_rank():
    settled = settle(TOP2, [("甲", 9), ("乙", 8), ("丙", 8), ("丁", 7)])
    # 9 → 1; 8 and 8 share 2; 7 comes after three units → 4 (competition ranking)
    assert [rank_of(settled, u, "综合") for u in "甲乙丙丁"] == [1, 2, 2, 4]


def test_a_tie_at_the_edge_of_top_n_takes_both():
    settled = settle(TOP2, [("甲", 9), ("乙", 8), ("丙", 8), ("丁", 7)])
    # top 2: 甲 is 1st; 乙 and 丙 share 2nd, so both are within the first 2 places
    assert holders(settled, "先进") == ["甲", "乙", "丙"]
    assert all(a.money == D(1000) for r in settled.results for a in r.outcomes)


def test_a_written_tie_break_splits_the_tie():
    text = ("项目 附加 0分\n  计分 0分\n排名 综合 按 总分\n  并列 按 得分\n结果 先进 按 综合 前 1名\n")
    # both total 9, and 得分 is the same too, so they still share the 1st place
    settled = settle(text, [("甲", 9), ("乙", 9)])
    assert holders(settled, "先进") == ["甲", "乙"]


def test_a_vetoed_unit_inside_top_n_is_passed_over():
    settled = settle(TOP2, [("甲", 10, None, None, True), ("乙", 9), ("丙", 8), ("丁", 7)])
    # 甲 ranks 1st but is vetoed (重大事故): the honours go to the next two, 乙 and 丙
    assert rank_of(settled, "甲", "综合") == 1
    assert holders(settled, "先进") == ["乙", "丙"]


def test_ineligible_units_are_passed_over_for_honours():
    text = "资格\n  必须 合格\n" + TOP2
    settled = settle(text, [("甲", 10, None, None, False, False), ("乙", 9), ("丙", 8)])
    assert holders(settled, "先进") == ["乙", "丙"]
    first = settled.results[0]
    assert first.eligible is False and "合格 = 否" in first.ineligible[0]


HAND_DOWN = """排名 综合 按 总分
排名 县内 按 总分 组内
结果 重点管理 按 综合 后 2名
  一票否决
结果 重点帮助 按 县内 后 1名
  顺延 重点管理
"""


def test_hand_down_twice_in_a_row():
    rows = [("甲", 9, "A县"), ("乙", 1, "A县"), ("丙", 2, "A县"), ("丁", 5, "B县"), ("戊", 6, "B县")]
    settled = settle(HAND_DOWN, rows)
    # 重点管理 = the last 2 overall: 乙 (1) and 丙 (2), both in A县
    assert holders(settled, "重点管理") == ["乙", "丙"]
    # A县's last is 乙, then 丙 — both already 重点管理, so 重点帮助 passes down twice to 甲;
    # B县's last is 丁 (5)
    assert holders(settled, "重点帮助") == ["甲", "丁"]
    jia = next(r for r in settled.results if r.unit == "甲")
    assert "顺延" in jia.outcomes[0].reason and "「乙」" in jia.outcomes[0].reason
    # an outcome marked 一票否决 vetoes its holders and takes away their grade
    assert all(r.vetoed for r in settled.results if r.unit in ("乙", "丙"))


QUOTA = """排名 县内 按 总分 组内
名额 推荐名额 合计 6
  A县 3
  B县 1
  C县 2
结果 推荐 按 县内 名额 推荐名额
"""


def test_a_group_with_fewer_units_than_its_quota_gets_them_all():
    rows = [("甲", 9, "A县"), ("乙", 8, "A县"), ("丙", 7, "B县"), ("丁", 6, "B县")]
    settled = settle(QUOTA, rows)
    # A县 has 3 places but only 2 units: both; B县 has 1 place: its best, 丙
    assert holders(settled, "推荐") == ["甲", "乙", "丙"]


def test_an_empty_group_and_a_group_missing_from_the_table():
    rows = [("甲", 9, "A县"), ("乙", 8, "D县")]
    settled = settle(QUOTA, rows)
    # C县 has places but no units: nothing happens; D县 is not in the table: reported, none chosen
    assert holders(settled, "推荐") == ["甲"]
    assert settled.problems == ("名额表「推荐名额」中没有「D县」，该组不推荐任何单位",)


def test_quota_table_total_that_disagrees_is_a_warning():
    loaded = check_text(SCORED + QUOTA.replace("合计 6", "合计 8"), "t.jhp")
    (warning,) = [d for d in loaded.diagnostics if d.code == "W403"]
    assert warning.message == "名额表「推荐名额」各行合计 6 个，与所写的合计 8 个不符"  # 3 + 1 + 2 = 6


def test_a_veto_that_climbs_two_levels():
    text = "一票否决 违法生育 若 分 < 1 上否 2级\n"
    rows = [("村", 0, None, "镇"), ("镇", 9, None, "县"), ("县", 9, None, "市"), ("市", 9)]
    settled = settle(text, rows)
    vetoed = {r.unit: [v.name for v in r.vetoes] for r in settled.results}
    # the village's veto passes up to its town and on to the county, but not to the city
    assert vetoed == {"村": ["违法生育"], "镇": ["违法生育"], "县": ["违法生育"], "市": []}
    county = next(r for r in settled.results if r.unit == "县")
    assert "下级单位「村」" in county.vetoes[0].reason  # the county is told where the veto started


def test_a_parent_missing_from_the_facts_is_reported():
    settled = settle("一票否决 违法生育 若 分 < 1 上否一级\n", [("村", 0, None, "不存在的镇")])
    assert settled.problems == ("单位「村」的一票否决「违法生育」要上否到「不存在的镇」，但事实文件中没有这个单位",)


# ---- per-unit constructs of the same issue -------------------------------------------------

ADJUST = """考核 调整
事实
  分: 数值
  违规: 是否
  集体访: 是否
  破案: 是否
项目 得分 10分
  按 分 每 1 计 1分
项目 信访 0分 可负分
  扣分 2分 若 违规 加倍 若 集体访 减半 若 破案
加分 表彰 取最高
  加分 3分 若 违规
  加分 2分
扣减 20% 若 违规
"""


def adjusted(**facts):
    loaded = check_text(ADJUST, "t.jhp")
    assert loaded.errors == []
    return Interpreter(loaded.policy).evaluate(Unit("某", facts))


def test_share_cut_doubling_halving_negative_items_and_highest_only():
    result = adjusted(分=D(10), 违规=True, 集体访=True, 破案=False)
    petition = result.items[1]
    assert petition.score == D(-4)  # 扣 2分, 加倍 → 4, and 可负分 keeps −4
    assert result.base == D(6)  # 10 − 4
    assert result.bonus == D(3)  # 3 and 2 → 就高不重复 → 3
    # 扣减 20%: (6 + 3) × 20% = 1.8 → total 7.2
    assert result.cut == D("1.8") and result.total == D("7.2")


def test_halved_deduction_and_no_cut_without_the_condition():
    result = adjusted(分=D(10), 违规=False, 集体访=False, 破案=True)
    assert result.items[1].score == D(0)  # no 违规: nothing deducted, so nothing to halve
    assert (result.bonus, result.cut, result.total) == (D(2), D(0), D(12))  # 10 + 2
    halved = adjusted(分=D(0), 违规=True, 集体访=False, 破案=True)
    assert halved.items[1].score == D(-1)  # 2 × 0.5


@pytest.mark.parametrize(("text", "code"), [
    ("结果 先进 按 不存在 前 2名\n", "E205"),
    ("排名 综合 按 总分\n结果 先进 按 综合 前 0名\n", "E303"),
    ("排名 综合 按 总分\n结果 甲 按 综合 后 1名\n  顺延 乙\n", "E201"),
    ("排名 综合 按 总分\n名额 表\n  A县 1\n结果 推荐 按 综合 名额 表\n", "E303"),
    ("排名 综合 按 总分\n结果 先进 按 综合 前 1名\n  奖励 100分\n", "E305"),
    ("排名 综合 按 不存在的项目\n", "E201"),
    ("扣减 120% 若 事故\n", "E304"),
])
def test_checker_catches_outcome_mistakes(text, code):
    loaded = check_text(SCORED + text, "t.jhp")
    assert code in {d.code for d in loaded.errors}


def test_history_escalates_two_years_in_a_row():
    # 对连续两年列为"重点帮助"单位的，纳入全市"重点管理"单位 (city-township-a)
    text = ("事实\n  上年重点帮助: 是否 默认 否\n排名 县内 按 总分 组内\n"
            "结果 重点帮助 按 县内 后 1名\n结果 重点管理 若 获得 重点帮助 且 上年重点帮助\n  一票否决\n")
    loaded = check_text(SCORED + text, "t.jhp")
    assert loaded.errors == []
    units = [Unit("甲", {"分": D(9), "事故": False, "合格": True, "上年重点帮助": True}, "A县"),
             Unit("乙", {"分": D(2), "事故": False, "合格": True, "上年重点帮助": True}, "A县"),
             Unit("丙", {"分": D(3), "事故": False, "合格": True, "上年重点帮助": False}, "B县")]
    settled = evaluate_all(loaded.policy, units)
    # 乙 is last in A县 and was 重点帮助 last year too → 重点管理; 丙 is last in B县 for the first time
    assert holders(settled, "重点帮助") == ["乙", "丙"]
    assert holders(settled, "重点管理") == ["乙"]
    assert next(r for r in settled.results if r.unit == "乙").vetoed


def test_holds_is_only_for_outcome_conditions():
    loaded = check_text(SCORED + "一票否决 甲 若 获得 先进\n", "t.jhp")
    assert "E207" in {d.code for d in loaded.errors}


COMBINED = """考核 综合评分示例
  满分 100分
事实
  年终达标: 是否
  平时抽查得分: 数值 范围 0 至 100
  半年考核得分: 数值 范围 0 至 100
项目 年终 100分
  计分 100分 若 年终达标
组成 综合评分
  平时抽查 30% 按 平时抽查得分
  半年考核 30% 按 半年考核得分
  年终考核 40% 按 本办法
等次
  优秀 总分 >= 90
  其他 其余
"""


def test_weighted_combination_of_three_assessments():
    # guizhou-2011: 平时抽查 30% + 半年考核 30% + 年终考核 40%
    loaded = check_text(COMBINED, "t.jhp")
    assert loaded.diagnostics == ()
    result = Interpreter(loaded.policy).evaluate(
        Unit("甲", {"年终达标": True, "平时抽查得分": D(85), "半年考核得分": D(90)}))
    # 85 × 30% = 25.5; 90 × 30% = 27; 100 × 40% = 40; 25.5 + 27 + 40 = 92.5 → 优秀 (≥ 90)
    assert [line.amount for line in result.components] == [D("25.5"), D(27), D(40)]
    assert result.total == D("92.5") and result.grade == "优秀"
    assert result.base == D(100)  # the policy's own score stays visible


def test_rescaling_a_100_point_check_to_25_points():
    # changge-2008: 每次抽查满分为100分，折合为25分计入总积分
    text = ("考核 折合示例\n  满分 100分\n事实\n  抽查得分: 数值 范围 0 至 100\n  日常: 数值\n项目 甲 100分\n  计分 100分\n"
            "组成 总积分\n  抽查 折合 25分 按 抽查得分\n  日常工作 按 日常\n")
    loaded = check_text(text, "t.jhp")
    assert loaded.errors == []
    result = Interpreter(loaded.policy).evaluate(Unit("甲", {"抽查得分": D(88), "日常": D(60)}))
    assert result.total == D(82)  # 88 ÷ 100 × 25 = 22, plus 60 taken as is


def test_weights_that_do_not_add_up_are_warned():
    loaded = check_text(COMBINED.replace("年终考核 40%", "年终考核 30%"), "t.jhp")
    assert [d.message for d in loaded.warnings] == ["「综合评分」的权重合计 90%，不是 100%"]


def test_ranking_by_a_fact_lowest_first():
    # e.g. 出生人口性别比: the lower the better
    text = "事实\n  性别比: 数值\n排名 性别比排名 按 性别比 升序\n结果 最好 按 性别比排名 前 1名\n"
    loaded = check_text(SCORED + text, "t.jhp")
    assert loaded.errors == []
    units = [Unit(n, {"分": D(5), "事故": False, "合格": True, "性别比": D(r)}) for n, r in
             (("甲", "112.5"), ("乙", "106"), ("丙", "109"))]
    settled = evaluate_all(loaded.policy, units)
    assert [rank_of(settled, u, "性别比排名") for u in "甲乙丙"] == [3, 1, 2]
    assert holders(settled, "最好") == ["乙"]


def test_outcome_by_condition_may_require_eligibility():
    text = "资格\n  必须 合格\n结果 表彰 若 符合资格 且 分 >= 8\n"
    settled = settle(text, [("甲", 9), ("乙", 9, None, None, False, False), ("丙", 7)])
    # 乙 scores 9 too but is not eligible; 丙 is eligible but below 8
    assert holders(settled, "表彰") == ["甲"]


def test_hand_down_names_only_the_units_it_passed_over_and_what_each_holds():
    text = ("事实\n  案件: 是否 默认 否\n排名 综合 按 总分\n排名 县内 按 总分 组内\n"
            "结果 甲类 按 综合 后 1名\n结果 乙类 若 案件\n结果 帮助 按 县内 后 1名\n  顺延 甲类、乙类\n")
    loaded = check_text(SCORED + text, "t.jhp")
    assert loaded.errors == []
    units = [Unit("上", {"分": D(9), "事故": False, "合格": True, "案件": True}, "A县"),
             Unit("中", {"分": D(5), "事故": False, "合格": True, "案件": False}, "A县"),
             Unit("下", {"分": D(1), "事故": False, "合格": True, "案件": False}, "A县")]
    settled = evaluate_all(loaded.policy, units)
    # 下 is last (甲类) and is passed over; 上 holds 乙类 but ranks above 中, so it is not named
    (award,) = [a for a in settled.results[1].outcomes if a.name == "帮助"]
    assert award.reason.endswith("；「下」已甲类，顺延")


AGGREGATE = """考核 相对得分
事实
  完成数: 数值
  超生率: 百分比
项目 名次赋分 60分
  分档 名次(完成数)
    = 1 计 60分
    = 2 计 57分
    = 3 计 54分
    其余 计 48分
项目 比例得分 20分
  按 完成数 ÷ 最高(完成数) 每 1 计 20分
项目 平均基线 10分
  按 超生率 − 平均(超生率) 每 1个百分点 扣 2分
"""


def test_points_by_place_in_proportion_to_the_best_and_against_the_average():
    loaded = check_text(AGGREGATE, "t.jhp")
    assert loaded.errors == []
    units = [Unit(n, {"完成数": D(c), "超生率": D(r)}) for n, c, r in
             (("甲", 80, "3"), ("乙", 100, "1"), ("丙", 80, "2"), ("丁", 50, "6"))]
    settled = evaluate_all(loaded.policy, units)
    scores = {r.unit: [i.score for i in r.items] for r in settled.results}
    # 名次 by 完成数: 乙 100 first; 甲 and 丙 tie at 80 → both 2nd; 丁 50 → 4th (其余)
    # 比例: 完成数 ÷ 100 × 20; 平均 超生率 = (3 + 1 + 2 + 6) ÷ 4 = 3: 2分 per point above it
    assert scores["乙"] == [D(60), D(20), D(10)]  # 1st; 100/100 × 20; 1% is below the average
    assert scores["甲"] == [D(57), D(16), D(10)]  # 80/100 × 20 = 16; 3% is the average: nothing
    assert scores["丙"] == [D(57), D(16), D(10)]
    assert scores["丁"] == [D(48), D(10), D(4)]  # 50/100 × 20 = 10; 6% − 3% = 3 points × 2 = 6 off 10


def test_bands_are_checked_against_the_combined_range():
    # own score 0–50 taken as is, plus a 抽查得分 of 0–100: totals run 0–150, so bands up to 50 leave a gap
    text = ("考核 甲\n  满分 50分\n事实\n  抽查得分: 数值 范围 0 至 100\n  达标: 是否\n项目 年终 50分\n  计分 50分 若 达标\n"
            "组成 综合\n  抽查 按 抽查得分\n  年终考核 按 本办法\n等次\n  好 30 <= 总分 <= 50\n  差 总分 < 30\n")
    (gap,) = [d for d in check_text(text, "t.jhp").errors if d.code == "E502"]
    assert gap.message == "总分高于 50时没有对应的等次"


def test_a_veto_passed_up_two_levels_names_where_it_started():
    text = "一票否决 违法生育 若 分 < 1 上否 2级\n"
    settled = settle(text, [("村", 0, None, "镇"), ("镇", 9, None, "县"), ("县", 9)])
    county = next(r for r in settled.results if r.unit == "县")
    assert county.vetoes[0].reason.startswith("下级单位「村」") and county.vetoes[0].reason.endswith("（上否2级）")


def test_weights_that_depend_on_a_condition():
    # above the provincial average 7:3, below 3:7
    text = ("考核 甲\n  满分 100分\n事实\n  市考核: 数值 范围 0 至 100\n  县考核: 数值 范围 0 至 100\n"
            "  高于全省: 是否\n项目 占位 100分\n  计分 100分\n"
            "组成 综合\n  市 70% 按 市考核 若 高于全省\n  县 30% 按 县考核 若 高于全省\n"
            "  市 30% 按 市考核 若 非 高于全省\n  县 70% 按 县考核 若 非 高于全省\n")
    loaded = check_text(text, "t.jhp")
    assert loaded.diagnostics == ()
    above = Interpreter(loaded.policy).evaluate(Unit("甲", {"市考核": D(90), "县考核": D(80), "高于全省": True}))
    below = Interpreter(loaded.policy).evaluate(Unit("乙", {"市考核": D(90), "县考核": D(80), "高于全省": False}))
    assert above.total == D(87)  # 90 × 70% + 80 × 30% = 63 + 24
    assert below.total == D(83)  # 90 × 30% + 80 × 70% = 27 + 56


def test_outcomes_by_grade_and_by_total():
    # guizhou-2011: 低于90分—80分的只按照50%计发奖金；综合评分在70以下的责令辞去领导职务
    text = ("等次\n  优秀 总分 >= 9\n  良好 8 <= 总分 < 9\n  其他 其余\n"
            "结果 半额奖金 若 等次 = 良好\n结果 辞去领导职务 若 总分 < 7\n")
    settled = settle(text, [("甲", 9), ("乙", 8), ("丙", "6.5"), ("丁", 8, None, None, True)])
    assert holders(settled, "半额奖金") == ["乙"]  # 丁 is 良好 by score but vetoed: no grade
    assert holders(settled, "辞去领导职务") == ["丙"]


def test_grade_names_are_checked_in_outcome_conditions():
    text = "等次\n  优秀 总分 >= 9\n  其他 其余\n结果 奖 若 等次 = 优等\n"
    (error,) = check_text(SCORED + text, "t.jhp").errors
    assert (error.code, error.hint) == ("E204", "是否指「优秀」？")


def test_a_component_from_another_policy_file(tmp_path):
    # city-township-b: 市考核 60% (this policy) + 县区考核 40% (the county's own policy file)
    (tmp_path / "县区考核.jhp").write_text(
        "考核 县区考核办法\n  满分 100分\n事实\n  县区台账: 是否\n项目 台账 100分\n  计分 100分 若 县区台账\n",
        encoding="utf-8")
    (tmp_path / "市考核.jhp").write_text(
        "考核 市考核办法\n  满分 100分\n事实\n  市台账: 是否\n项目 台账 100分\n  计分 80分 若 市台账\n"
        "组成 乡镇综合\n  市级 60% 按 本办法\n  县级 40% 按 政策文件 「县区考核.jhp」\n", encoding="utf-8")
    (tmp_path / "u.csv").write_text("单位,市台账,县区台账\n甲镇,是,是\n乙镇,是,否\n", encoding="utf-8")
    from jhdsl.facts import load_facts
    from jhdsl.pipeline import load_policy
    loaded = load_policy(tmp_path / "市考核.jhp")
    assert loaded.errors == []
    table = load_facts(tmp_path / "u.csv", loaded.policy)  # the county policy's facts are accepted too
    assert table.problems == ()
    totals = {r.unit: r.total for r in evaluate_all(loaded.policy, table.units).results}
    assert totals == {"甲镇": D(88), "乙镇": D(48)}  # 80 × 60% + 100 × 40%; 80 × 60% + 0


def test_a_missing_or_broken_component_file_is_reported(tmp_path):
    (tmp_path / "坏.jhp").write_text("考核 坏\n项目 甲 10分\n  计分3分\n", encoding="utf-8")
    (tmp_path / "主.jhp").write_text(
        "考核 主\n事实\n  甲: 是否\n项目 台账 100分\n  计分 100分 若 甲\n"
        "组成 综合\n  一 50% 按 本办法\n  二 25% 按 政策文件 「坏.jhp」\n  三 25% 按 政策文件 「没有.jhp」\n",
        encoding="utf-8")
    from jhdsl.pipeline import load_policy
    errors = {(Path(d.span.file).name, d.code) for d in load_policy(tmp_path / "主.jhp").errors}
    assert errors == {("坏.jhp", "E102"), ("主.jhp", "E001")}
