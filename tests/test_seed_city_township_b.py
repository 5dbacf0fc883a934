"""2016计划生育目标管理考核方案 第3篇 (city-township-b), 乡镇综合考核 — worked out BY HAND.

Every expected number below was computed by hand from the rows of examples/city-township-b/
units.csv, the seed (002_9eb4765fcbf83373.txt, lines 499–590) and the comments of
policies/city-township-b.jhp; none was taken from the program's output.

Conventions of the policy used in the arithmetic (see the comments in the .jhp file):
- 市考核 (this policy, 百分制) = 规范服务活动 15 + 抽样调查 75 (上半年 30 + 年终 45)
  + 乡所村室建管用 10; each leaf scores the city's figure, 1 point per 1;
- 加分, capped together at 12 ("县区、乡镇累计加分不超过12分"): 省工作会议现场 as the province
  gave it; 市重点工作会议 现场并经验推广 2, 经验交流 1; 乡所达到国家标准 3—5 (the amount the
  city chose, 3 when not filled); 性别比案件得分 as given;
- 减分 第1款 (干扰调查, by the provincial scheme; doubled when confirmed by the survey team,
  "一经调查组确认,将加倍扣分") is outside the cap; 第2款's five kinds are capped together at 8
  ("上述5项累计扣分不超过8分"): 严重违纪 6 (+2 领导批示); 非法关押殴打 2/起, 乱收费 1/起,
  情节严重 +1/起, 未纠正 +1/起; 医疗责任事故 2; 瞒漏报 2; 节育误差 2/例, 出生误差 4/例;
- 本办法得分 = 市考核 + 加分 − 减分 (the bonuses and deductions go with 市考核, see the .jhp);
- 乡镇综合考核得分 (the total) = 本办法得分 × 60% + 县区考核得分 × 40%;
- no grades, no ranking (the seed gives none); outcomes 通报全市 and 重点管理 by condition.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from seedkit import D, assert_cli_clean

from jhdsl.facts import load_facts
from jhdsl.interpreter import SectionResult, UnitResult
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "city-township-b.jhp"
FACTS = ROOT / "examples" / "city-township-b" / "units.csv"


# ---------------------------------------------------------------------------------------------
# Every township by hand: (市考核 = base, 加分, 减分, 县区考核得分, total).
# 本办法得分 = base + bonus − penalty; total = 本办法得分 × 60% + 县区 × 40%.
# ---------------------------------------------------------------------------------------------

EXPECTED = {
    # 青阳县
    # 15+30+45+10 = 100; 加分 3 + (2+1) + 5 + 2 = 13 → 上限 12; 112 × 60% = 67.2; 100 × 40% = 40
    "城关镇": (100, 12, 0, 100, "107.2"),
    # 14+28+42+9 = 93; 93 × 60% = 55.8; 92 × 40% = 36.8; 55.8 + 36.8 = 92.6
    "桃园镇": (93, 0, 0, 92, "92.6"),
    # 13+27+40.5+8.5 = 89; 节育误差 1×2 + 出生误差 1×4 = 6; 83 × 60% = 49.8; 88 × 40% = 35.2 → 85
    "柳林乡": (89, 0, 6, 88, "85"),
    # 12.5+25+38+8 = 83.5; 干扰调查 2 加倍 → 4, 其他违纪 1 → 5; 78.5 × 60% = 47.1; 85 × 40% = 34 → 81.1
    "石桥镇": ("83.5", 0, 5, 85, "81.1"),
    # 临河县
    # 14.5+29+43.5+9.5 = 96.5; 乡所达标 (分值未填 → 3) + 性别比 1.5 = 4.5; 101 × 60% = 60.6; 95 × 40% = 38
    "河口镇": ("96.5", "4.5", 0, 95, "98.6"),
    # 13.5+27.5+41+9 = 91; 严重违纪 6 + 批示 2 + 非法关押 1×2 = 10 → 上限 8; 83 × 60% = 49.8; 90 × 40% = 36
    "新集镇": (91, 0, 8, 90, "85.8"),
    # 12+24+36+7.5 = 79.5; 乱收费 2×1 + 情节严重 1 + 未纠正 1 + 医疗事故 2 = 6;
    # 73.5 × 60% = 44.1; 78 × 40% = 31.2 → 75.3
    "沙河乡": ("79.5", 0, 6, 78, "75.3"),
    # 14+28.5+42+9 = 93.5; 干扰调查 3 (not confirmed by the survey team: not doubled);
    # 90.5 × 60% = 54.3; 94 × 40% = 37.6 → 91.9
    "白塔镇": ("93.5", 0, 3, 94, "91.9"),
    # 南山区
    # 15+29.5+44+10 = 98.5; 经验推广 2; 100.5 × 60% = 60.3; 97 × 40% = 38.8 → 99.1
    "东关街道": ("98.5", 2, 0, 97, "99.1"),
    # 13+26+39+8 = 86; 瞒漏报 2 + 出生误差 2×4 = 10 → 上限 8; 78 × 60% = 46.8; 84 × 40% = 33.6 → 80.4
    "龙泉镇": (86, 0, 8, 84, "80.4"),
    # 11+22+33+7 = 73; 干扰调查 3 加倍 → 6 (outside the cap) + 节育误差 3×2 = 6 → 12;
    # 61 × 60% = 36.6; 70 × 40% = 28 → 64.6
    "马坡乡": (73, 0, 12, 70, "64.6"),
    # 14+27+42+9 = 92; 省现场 2 + 经验交流 1 = 3; 95 × 60% = 57; 80 × 40% = 32 → 89
    "凤岭镇": (92, 3, 0, 80, "89"),
}

COUNTY = {
    **dict.fromkeys(["城关镇", "桃园镇", "柳林乡", "石桥镇"], "青阳县"),
    **dict.fromkeys(["河口镇", "新集镇", "沙河乡", "白塔镇"], "临河县"),
    **dict.fromkeys(["东关街道", "龙泉镇", "马坡乡", "凤岭镇"], "南山区"),
}

# Outcomes by condition:
# 通报全市 — 考核中违规违纪: 白塔镇 only;
# 重点管理 — 考核中违规违纪 (白塔镇) or 严重违纪 且 情节特别严重经市领导批准 (新集镇).
OUTCOMES = {"通报全市": ["白塔镇"], "重点管理": ["新集镇", "白塔镇"]}


# ---------------------------------------------------------------------------------------------
# fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(loaded) -> dict[str, UnitResult]:
    assert loaded.errors == []
    table = load_facts(FACTS, loaded.policy)
    assert [p for p in table.problems if not p.warning] == []
    settled = evaluate_all(loaded.policy, table.units)
    assert settled.failed == ()
    return {r.unit: r for r in settled.results}


def section(result: UnitResult, name: str) -> SectionResult:
    """A bonus or penalty section by name, at any depth."""
    stack = list(result.sections)
    while stack:
        found = stack.pop()
        if found.name == name:
            return found
        stack.extend(found.children)
    raise KeyError(name)


def leaves(result: UnitResult) -> list[Decimal]:
    """The four leaf scores of 市考核: 规范服务活动, 上半年, 年终, 乡所村室建管用."""
    (city,) = result.items
    service, survey, station = city.children
    return [service.score, *(c.score for c in survey.children), station.score]


def outcome_names(result: UnitResult) -> list[str]:
    return [a.name for a in result.outcomes]


# ---------------------------------------------------------------------------------------------
# the policy is clean
# ---------------------------------------------------------------------------------------------


def test_policy_checks_without_errors_or_warnings(loaded):
    assert loaded.errors == []
    # 15 + (30 + 45) + 10 = 100 = 满分; 60% + 40% = 100%: nothing to warn about
    assert loaded.warnings == []


def test_cli_check_and_eval():
    assert_cli_clean(POLICY, FACTS, scored=12)


# ---------------------------------------------------------------------------------------------
# every township
# ---------------------------------------------------------------------------------------------


def test_every_township_scored(results):
    assert sorted(results) == sorted(EXPECTED) == sorted(COUNTY)


@pytest.mark.parametrize("town", list(EXPECTED))
def test_total(results, town):
    base, bonus, penalty, county, total = (D(v) for v in EXPECTED[town])
    r = results[town]
    assert (r.base, r.bonus, r.penalty, r.cut) == (base, bonus, penalty, D(0))
    own = base + bonus - penalty
    # the two components of 组成, each with its weight
    assert [line.amount for line in r.components] == [own * D("0.6"), county * D("0.4")]
    assert r.total == total
    assert r.group == COUNTY[town]
    assert r.grade is None and r.vetoes == ()


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_outcome_holders(results, outcome):
    assert [n for n, r in results.items() if outcome in outcome_names(r)] == OUTCOMES[outcome]


def test_outcomes_carry_no_money_or_veto(results):
    # the seed (this 篇) says nothing of money or 一票否决 for 重点管理 / 通报全市
    for r in results.values():
        assert all(a.money is None and not a.veto for a in r.outcomes)


# ---------------------------------------------------------------------------------------------
# units worked in full
# ---------------------------------------------------------------------------------------------


def test_chengguan_full_marks_and_bonus_over_the_cap(results):
    r = results["城关镇"]
    # every figure at full points: 15, 30, 45, 10 → 市考核 100
    assert leaves(r) == [D(15), D(30), D(45), D(10)]
    assert r.items[0].score == D(100) and r.base == D(100)
    assert section(r, "省工作会议现场").amount == D(3)  # as the province gave: 3
    assert section(r, "市重点工作会议").amount == D(3)  # 经验推广 2 + 经验交流 1
    assert section(r, "乡所建设").amount == D(5)  # 加3—5分: the city chose 5
    assert section(r, "性别比案件").amount == D(2)
    # 3 + 3 + 5 + 2 = 13 > 12 → "累计加分不超过12分"
    assert section(r, "累计加分").amount == D(12)
    # 组成: (100 + 12) × 60% = 67.2; 100 × 40% = 40; 67.2 + 40 = 107.2
    assert [line.amount for line in r.components] == [D("67.2"), D(40)]
    assert r.total == D("107.2")
    assert outcome_names(r) == []


def test_shiqiao_interference_confirmed_by_the_survey_team_is_doubled(results):
    r = results["石桥镇"]
    assert leaves(r) == [D("12.5"), D(25), D(38), D(8)]  # 12.5 + 25 + 38 + 8 = 83.5
    # 干扰调查 2 (provincial scheme) × 2 (加倍: 经调查组确认) = 4; 其他抽样调查违纪 1 → 5
    assert section(r, "干扰调查").amount == D(5)
    assert section(r, "违法行政和重大恶性事件").amount == D(0)
    # (83.5 − 5) × 60% = 78.5 × 0.6 = 47.1; 85 × 40% = 34; 47.1 + 34 = 81.1
    assert r.total == D("81.1")


def test_baita_interference_not_confirmed_by_the_team_and_managed(results):
    r = results["白塔镇"]
    # 干扰调查 3, found other than by the survey team: not doubled → 3
    assert section(r, "干扰调查").amount == D(3)
    # (93.5 − 3) × 60% = 54.3; 94 × 40% = 37.6 → 91.9
    assert r.total == D("91.9")
    # 送礼品、礼金 (考核中违规违纪): 通报全市, 并直接纳入"重点管理"
    assert outcome_names(r) == ["通报全市", "重点管理"]


def test_xinji_serious_breach_over_the_cap_of_8_and_managed(results):
    r = results["新集镇"]
    assert section(r, "严重违反群众纪律").amount == D(8)  # 扣6分 + 省、市领导批示查实 加扣2分
    assert section(r, "侵害群众权益").amount == D(2)  # 非法关押 1起 × 2分
    # 8 + 2 = 10 > 8 → "上述5项累计扣分不超过8分"
    assert section(r, "违法行政和重大恶性事件").amount == D(8)
    assert r.penalty == D(8)
    # (91 − 8) × 60% = 49.8; 90 × 40% = 36 → 85.8
    assert r.total == D("85.8")
    # 情节特别严重的, 报经市领导批准, 直接列入"重点管理"; not 通报全市 (no 考核违纪)
    assert outcome_names(r) == ["重点管理"]


def test_mapo_doubled_interference_lies_outside_the_cap(results):
    r = results["马坡乡"]
    assert section(r, "干扰调查").amount == D(6)  # 3 × 2, 加倍
    assert section(r, "平时调查误差").amount == D(6)  # 节育误差 3例 × 2分
    assert section(r, "违法行政和重大恶性事件").amount == D(6)  # under 8
    # 6 + 6 = 12 in all: the 8-point cap binds only 第2款's five kinds
    assert r.penalty == D(12)
    # (73 − 12) × 60% = 36.6; 70 × 40% = 28 → 64.6
    assert r.total == D("64.6")


def test_hekou_ranged_bonus_defaults_to_its_lowest(results):
    r = results["河口镇"]
    # 乡所 达标 but 分值 left empty → 默认 3 (the low end of 3—5); 性别比案件 1.5
    assert section(r, "乡所建设").amount == D(3)
    assert section(r, "性别比案件").amount == D("1.5")
    assert section(r, "累计加分").amount == D("4.5")
    # (96.5 + 4.5) × 60% = 60.6; 95 × 40% = 38 → 98.6
    assert r.total == D("98.6")


def test_ranged_bonus_needs_the_township_to_qualify(results):
    # 城关镇 chose 5 and qualifies; the others leave 分值 empty (→ 3) but do not qualify: 0
    for name, r in results.items():
        expected = {"城关镇": D(5), "河口镇": D(3)}.get(name, D(0))
        assert section(r, "乡所建设").amount == expected, name


def test_shahe_aggravations_and_medical_accident(results):
    r = results["沙河乡"]
    # 乱收费 2起 × 1 = 2; 情节严重 1起 加扣 1; 未纠正 1起 加扣 1 → 4
    assert section(r, "侵害群众权益").amount == D(4)
    assert section(r, "医疗责任事故").amount == D(2)
    assert section(r, "违法行政和重大恶性事件").amount == D(6)  # 4 + 2, under 8
    # (79.5 − 6) × 60% = 44.1; 78 × 40% = 31.2 → 75.3
    assert r.total == D("75.3")


def test_longquan_birth_errors_and_concealment_capped(results):
    r = results["龙泉镇"]
    assert section(r, "瞒报漏报").amount == D(2)
    assert section(r, "平时调查误差").amount == D(8)  # 出生误差 2例 × 4分
    assert section(r, "违法行政和重大恶性事件").amount == D(8)  # 2 + 8 = 10 → 8
    # (86 − 8) × 60% = 46.8; 84 × 40% = 33.6 → 80.4
    assert r.total == D("80.4")
