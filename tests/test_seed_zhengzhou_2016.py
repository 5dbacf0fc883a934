"""郑州市2016年创建全国计划生育优质服务先进单位活动方案 (郑卫〔2016〕131号) — worked out BY HAND.

Every expected number and verdict below was worked out by hand from the unit's row in
examples/zhengzhou-2016/units.csv, the seed (001_ca9b5e76eb4bd9eb.txt) and the comments of
policies/zhengzhou-2016.jhp; none was taken from the program's output.

The scheme gives no points; it decides who may apply (申报). Conventions of the policy:
- 四、创建标准: eight standards, each requirement 1 point (a count of requirements met):
  党政领导 3, 部门协作 3, 宣传倡导 3, 依法管理 7, 生育服务 6, 扶助保障 3, 信息支撑 4,
  基层网络 3 = 32.  等次: 32 of 32 → 达到创建标准, else 未达到创建标准.
- thresholds include the value: "覆盖率达85%" → ≥ 85%, "综合避孕率达80%" → ≥ 80%,
  "覆盖率达到85%以上" → ≥ 85%, "准确率达95%" → ≥ 95%, "反馈率90%以上" → ≥ 90%.
- 性别比 standard (四): 基本正常 (yes/no) 或 稳步下降 (2015 < 2014 且 2016上半年 < 2015).
- 申报条件 (三) 性别比: all three periods below the province (参数, defaults 117.2 / 116.4 /
  115.8) 或 falling year on year (2015 < 2014 且 2016上半年 < 2015).
- 资格 lists the failures in the order written: (一), the 32 requirements of (二), 按时提交,
  (三) 率值, (三) 性别比; then the exclusions 1–5.
- 结果 in order: 授予荣誉称号 (列入省拟命名名单 且 通过公示和核查), 报请撤销荣誉称号 (授予 且
  抽查不再符合), 荣誉称号顺延一个周期 (授予 且 上一周期 且 未被报请撤销), 严肃处理.

The facts are an example, not real data; 上一周期被评为新国优 = 是 for 巩义市 and 登封市 only
exercises the extension rule, which in the first new round (2016) would not yet apply.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.interpreter import UnitResult, resolve_params
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "zhengzhou-2016.jhp"
FACTS = ROOT / "examples" / "zhengzhou-2016" / "units.csv"

STANDARDS = [
    ("党政领导情况", 3),
    ("部门协作情况", 3),
    ("宣传倡导情况", 3),
    ("依法管理情况", 7),
    ("生育服务情况", 6),
    ("扶助保障情况", 3),
    ("信息支撑情况", 4),
    ("基层网络情况", 3),
]
FULL = dict(STANDARDS)

UNITS = ["中原区", "二七区", "管城回族区", "金水区", "上街区", "惠济区", "中牟县", "巩义市", "荥阳市",
         "新密市", "新郑市", "登封市"]

MET = "达到创建标准"
NOT_MET = "未达到创建标准"


def standards(**changed) -> dict[str, Decimal]:
    """The eight standards' counts: all requirements met except the ones given."""
    assert not set(changed) - set(FULL), changed
    return {name: D(changed.get(name, points)) for name, points in STANDARDS}


# ---- the reasons, in the words of the interpreter (「…」不成立（事实 = 值）) ------------------

def no(fact: str) -> str:
    """A yes/no requirement (必须 事实) that is 否."""
    return f"不符合条件：{fact} = 否"


def has(fact: str) -> str:
    """A requirement written 必须 非 事实, where the fact is 是."""
    return f"不符合条件：「非 {fact}」不成立（{fact} = 是）"


def under(fact: str, threshold: str, value: str) -> str:
    """A rate below its threshold."""
    return f"不符合条件：「{fact} ≥ {threshold}」不成立（{fact} = {value}）"


def excluded(fact: str) -> str:
    return f"属于排除情形：{fact} = 是"


R14, R15, R16 = "出生人口性别比2014年", "出生人口性别比2015年", "出生人口性别比2016年上半年"
FALLING = f"（{R15} < {R14} 且 {R16} < {R15}）"


def ratio_standard(r14: str, r15: str, r16: str) -> str:
    """创建标准四: 出生人口性别比基本正常 (here 否) 或 稳步下降 (here not)."""
    return (f"不符合条件：「出生人口性别比基本正常 或 {FALLING}」不成立（出生人口性别比基本正常 = 否，"
            f"{R15} = {r15}，{R14} = {r14}，{R16} = {r16}）")


def ratio_condition(r14: str, r15: str, r16: str, p14="117.2", p15="116.4", p16="115.8") -> str:
    """申报条件 (三): below the province in every period 或 falling year on year."""
    below = f"（{R14} < 全省{R14} 且 {R15} < 全省{R15} 且 {R16} < 全省{R16}）"
    return (f"不符合条件：「{below} 或 {FALLING}」不成立（{R14} = {r14}，全省{R14} = {p14}，"
            f"{R15} = {r15}，全省{R15} = {p15}，{R16} = {r16}，全省{R16} = {p16}）")


PX = "免费孕前优生健康检查目标人群覆盖率"
BY = "综合避孕率"
LD = "流动人口基本公共卫生计生服务目标人群覆盖率"
ZQ = "信息准确率"
FK = "流动人口婚育信息异地查询反馈率"

GRANTED = ("授予荣誉称号", "「列入省拟命名名单 且 通过公示和核查」成立（列入省拟命名名单 = 是，通过公示和核查 = 是）")
REVOKED = ("报请撤销荣誉称号",
           "「获得 授予荣誉称号 且 抽查或回顾性评估不再符合国优标准」成立（获得 授予荣誉称号 = 是，抽查或回顾性评估不再符合国优标准 = 是）")
EXTENDED = ("荣誉称号顺延一个周期",
            "「获得 授予荣誉称号 且 上一周期被评为新国优 且 非 获得 报请撤销荣誉称号」成立"
            "（获得 授予荣誉称号 = 是，上一周期被评为新国优 = 是，获得 报请撤销荣誉称号 = 否）")
PUNISHED = ("严肃处理", "弄虚作假或违规评审经查实 = 是")

# ---------------------------------------------------------------------------------------------
# The expectations, worked out by hand.  Province (参数 defaults): 2014 117.2, 2015 116.4,
# 2016上半年 115.8.  Every unit not mentioned otherwise has all 26 yes/no requirements 是.
# ---------------------------------------------------------------------------------------------

EXPECTED: dict[str, dict] = {}

# ---- 中原区: sex ratio neither below the province nor falling --------------------------------
# 性别比 116.8 → 117.3 → 117.9; 基本正常 否.
# 依法管理 7: 性别比 requirement: 否 或 (117.3 < 116.8 ✗ 且 …) → 0; the other six → 6.
# rates 91% ≥ 85, 85% ≥ 80, 89% ≥ 85, 97% ≥ 95, 95% ≥ 90 → all met.
# total = 32 − 1 = 31 → 未达到创建标准.
# 资格: (二) 性别比 standard fails; (三) 116.8 < 117.2 ✓ but 117.3 < 116.4 ✗ → not all below;
#   117.3 < 116.8 ✗ → not falling → fails.  → 不符合, 2 reasons.
EXPECTED["中原区"] = dict(
    standards=standards(依法管理情况=6), total=31, grade=NOT_MET, eligible=False,
    reasons=[ratio_standard("116.8", "117.3", "117.9"), ratio_condition("116.8", "117.3", "117.9")],
    outcomes=[],
)

# ---- 二七区: 统计数据严重失实 (excluded), 弄虚作假 found (严肃处理) --------------------------
# 信息支撑 4: 准确率 91% < 95% → 0 for that requirement → 3.
# 性别比 110.6 → 109.1 → 108.5: falling (109.1 < 110.6, 108.5 < 109.1) → standard met;
#   also all below the province → (三) met.
# total = 32 − 1 = 31 → 未达到.
# 资格: 准确率 (二); exclusion 4 统计数据严重失实.  结果: 严肃处理 (弄虚作假或违规评审经查实 = 是).
EXPECTED["二七区"] = dict(
    standards=standards(信息支撑情况=3), total=31, grade=NOT_MET, eligible=False,
    reasons=[under(ZQ, "95%", "91%"), excluded("统计数据严重失实")],
    outcomes=[PUNISHED],
)

# ---- 管城回族区: 信访积案, annual rates below the province's ----------------------------------
# 依法管理 7: 无信访积案 ✗ (存在信访积案 = 是) → 6.  Rates exactly 85% ≥ 85, 95% ≥ 95 → met;
#   88.6% ≥ 85, 81% ≥ 80, 90.5% ≥ 90 → met.  性别比 111 → 110.4 → 109.9 falling → met.
# total = 31 → 未达到.
# 资格: 「非 存在信访积案」 (二); (三) 年度目标率值均达到省定率值 = 否.
EXPECTED["管城回族区"] = dict(
    standards=standards(依法管理情况=6), total=31, grade=NOT_MET, eligible=False,
    reasons=[has("存在信访积案"), no("年度目标率值均达到省定率值")],
    outcomes=[],
)

# ---- 金水区: two rates just below their thresholds --------------------------------------------
# 生育服务 6: 孕前优生覆盖率 84.9% < 85% → 0; 综合避孕率 79.9% < 80% → 0;
#   流动人口覆盖率 87% ≥ 85% → 1; three yes/no → 3.  = 4.
# 准确率 97.5% ≥ 95, 反馈率 94% ≥ 90 → 信息支撑 4.  性别比 109.5 → 108.2 → 107.9, 基本正常 是.
# total = 32 − 2 = 30 → 未达到.
EXPECTED["金水区"] = dict(
    standards=standards(生育服务情况=4), total=30, grade=NOT_MET, eligible=False,
    reasons=[under(PX, "85%", "84.9%"), under(BY, "80%", "79.9%")],
    outcomes=[],
)

# ---- 上街区: 重大违法行政案件 (a standard and an exclusion), no report in time ------------------
# 依法管理 7: 无重大违法行政行为 ✗ → 6.  性别比 106.5 → 105.9 → 106.2: rises in 2016 (not
#   falling) but 基本正常 是 → standard met; all three below 117.2 / 116.4 / 115.8 → (三) met.
# total = 31 → 未达到.
# 资格: 「非 发生重大违法行政案件」 (二); 按时提交书面申报报告 = 否; exclusion 1.
EXPECTED["上街区"] = dict(
    standards=standards(依法管理情况=6), total=31, grade=NOT_MET, eligible=False,
    reasons=[has("发生重大违法行政案件"), no("按时提交书面申报报告"), excluded("发生重大违法行政案件")],
    outcomes=[],
)

# ---- 惠济区: below the province but rising, not 基本正常 ----------------------------------------
# 性别比 110.2 → 111.5 → 112.3; 基本正常 否.
# standard (四): 否 或 (111.5 < 110.2 ✗) → 0 → 依法管理 6; total 31 → 未达到.
# (三): 110.2 < 117.2, 111.5 < 116.4, 112.3 < 115.8 → all below → met.
# 资格: only the 性别比 standard of (二).
EXPECTED["惠济区"] = dict(
    standards=standards(依法管理情况=6), total=31, grade=NOT_MET, eligible=False,
    reasons=[ratio_standard("110.2", "111.5", "112.3")],
    outcomes=[],
)

# ---- 中牟县: every standard met, but the offices were not merged by 7月15日 --------------------
# rates 89, 83, 85.5, 95.8, 91 all ≥ thresholds; 性别比 114.2 → 113.5 → 112.6 falling.
# total 32 → 达到创建标准 (its own 自查 passes), but exclusion 5 → 不符合.
EXPECTED["中牟县"] = dict(
    standards=standards(), total=32, grade=MET, eligible=False,
    reasons=[excluded("卫生计生行政机构融合不到位")],
    outcomes=[],
)

# ---- 巩义市: eligible, named, and named in the previous cycle too → extended -------------------
# all 32 met (93.5, 86.2, 91, 98.6, 96; 性别比 112.4 → 111 → 109.8 below and falling) → 32, 达到.
# 资格 符合.  结果: 授予荣誉称号 (列入 是, 通过 是); not 撤销 (抽查 否);
#   顺延一个周期 (授予 且 上一周期 是 且 未撤销) — "连续两个周期被评为新国优的，荣誉称号可顺延一个周期".
EXPECTED["巩义市"] = dict(
    standards=standards(), total=32, grade=MET, eligible=True, reasons=[],
    outcomes=[GRANTED, EXTENDED],
)

# ---- 荥阳市: every rate exactly at its threshold; above the province but falling ---------------
# 85% ≥ 85, 80% ≥ 80, 85% ≥ 85, 95% ≥ 95, 90% ≥ 90 → all met ("达…" includes the value).
# 性别比 119.6 → 118.1 → 116.9: above the province each period (119.6 > 117.2 …) but falling
#   (118.1 < 119.6, 116.9 < 118.1) → standard met (稳步下降) and (三) met (逐年下降).
# total 32 → 达到; 资格 符合.  结果: 列入省拟命名名单 but 通过公示和核查 否 → no honour.
EXPECTED["荥阳市"] = dict(
    standards=standards(), total=32, grade=MET, eligible=True, reasons=[],
    outcomes=[],
)

# ---- 新密市: many failures at once ------------------------------------------------------------
# 宣传倡导 3: 经常化 否, 知晓率较高 否, 氛围 是 → 1.
# 依法管理 7: 性别比 118.5 → 118.9 → 119.4 rising, 基本正常 否 → 0 → 6.
# 生育服务 6: 87.5 ≥ 85 ✓, 80.5 ≥ 80 ✓, 流动人口覆盖率 78% < 85% ✗ → 5.
# 信息支撑 4: 准确率 95.5 ≥ 95 ✓, 反馈率 86.5% < 90% ✗ → 3.
# 基层网络 3: 网络健全 否 → 2.
# total = 3 + 3 + 1 + 6 + 5 + 3 + 3 + 2 = 26 → 未达到.
# 资格, in the order written: (一) 否; (二) 经常化, 知晓率, 性别比, 流动人口覆盖率, 反馈率,
#   网络健全; (三) 率值 否; (三) 性别比 118.5 > 117.2 and rising; exclusions 2 and 3.  11 reasons.
EXPECTED["新密市"] = dict(
    standards=standards(宣传倡导情况=1, 依法管理情况=6, 生育服务情况=5, 信息支撑情况=3, 基层网络情况=2),
    total=26, grade=NOT_MET, eligible=False,
    reasons=[
        no("改革工作取得显著成效"),
        no("宣传倡导活动经常化"),
        no("群众知晓率较高"),
        ratio_standard("118.5", "118.9", "119.4"),
        under(LD, "85%", "78%"),
        under(FK, "90%", "86.5%"),
        no("基层网络健全基础工作扎实"),
        no("年度目标率值均达到省定率值"),
        ratio_condition("118.5", "118.9", "119.4"),
        excluded("发生严重技术服务事故"),
        excluded("工作水平严重滑坡"),
    ],
    outcomes=[],
)

# ---- 新郑市: eligible and named, first cycle ------------------------------------------------
# 性别比 108.9 → 107.5 → 107.8 (rises in 2016, not falling) but 基本正常 是 → standard met;
#   108.9 < 117.2, 107.5 < 116.4, 107.8 < 115.8 → (三) met by being below the province.
# rates 90.4, 84.7, 88.3, 97.2, 93.5 → met.  total 32 → 达到; 资格 符合.
# 结果: 授予荣誉称号; 上一周期 否 → no extension.
EXPECTED["新郑市"] = dict(
    standards=standards(), total=32, grade=MET, eligible=True, reasons=[],
    outcomes=[GRANTED],
)

# ---- 登封市: named, previous cycle too, but fails the 2017—2018 spot check -------------------
# 32 met (88, 82.5, 86, 96.1, 92; 性别比 113 → 111.8 → 111.2) → 达到; 资格 符合.
# 结果: 授予荣誉称号; 报请撤销荣誉称号 (抽查或回顾性评估不再符合国优标准 = 是);
#   顺延 needs 非 获得 报请撤销 → not extended although 上一周期 是.
EXPECTED["登封市"] = dict(
    standards=standards(), total=32, grade=MET, eligible=True, reasons=[],
    outcomes=[GRANTED, REVOKED],
)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def units(loaded):
    table = load_facts(FACTS, loaded.policy)
    assert [p.describe() for p in table.problems] == []
    return table.units


@pytest.fixture(scope="module")
def settled(loaded, units):
    return evaluate_all(loaded.policy, units)


@pytest.fixture(scope="module")
def results(settled) -> dict[str, UnitResult]:
    assert settled.failed == () and settled.problems == ()
    return {r.unit: r for r in settled.results}


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_check_reports_nothing(loaded):
    assert [(d.code, d.message) for d in loaded.diagnostics] == []
    result = CliRunner().invoke(main, ["check", str(POLICY)])
    assert result.exit_code == 0, result.output
    assert "共 0 个错误，0 个警告" in result.output


def test_standards_count_their_requirements(loaded):
    policy = loaded.policy
    assert [(item.name, item.points.value) for item in policy.items] == [(n, D(p)) for n, p in STANDARDS]
    for item in policy.items:
        # one 1-point rule per requirement of the seed's text
        assert len(item.rules) == item.points.value, item.name
        assert all(rule.points.value == 1 for rule in item.rules), item.name
    assert sum(p for _, p in STANDARDS) == 32  # 3 + 3 + 3 + 7 + 6 + 3 + 4 + 3


def test_eligibility_repeats_the_standards(loaded):
    """申报条件 (二) in 资格 is the same 32 conditions as the standards' rules, in order."""
    rules = loaded.policy.eligibility
    standards_rules = [rule.condition for item in loaded.policy.items for rule in item.rules]
    # requirements: (一), the 32 of (二), 按时提交, (三) 率值, (三) 性别比
    assert len(rules.requirements) == 1 + 32 + 1 + 2
    assert [r.expr for r in rules.requirements[1:33]] == standards_rules
    assert len(rules.exclusions) == 5  # 具有以下情况之一者不予申报: 1–5


def test_every_unit_is_assessed(results):
    assert list(results) == UNITS
    assert set(EXPECTED) == set(UNITS)


@pytest.mark.parametrize("unit", UNITS)
def test_standards_and_total(results, unit):
    result, expected = results[unit], EXPECTED[unit]
    got = {item.name: item.score for item in result.items}
    assert got == expected["standards"]
    assert result.total == D(expected["total"])
    assert result.total == sum(expected["standards"].values())
    assert (result.base, result.bonus, result.penalty, result.cut) == (D(expected["total"]), 0, 0, 0)
    assert result.grade == expected["grade"]
    assert result.vetoes == ()
    assert result.ranks == ()


@pytest.mark.parametrize("unit", UNITS)
def test_eligibility_with_reasons(results, unit):
    result, expected = results[unit], EXPECTED[unit]
    assert result.eligible is expected["eligible"]
    assert list(result.ineligible) == expected["reasons"]


@pytest.mark.parametrize("unit", UNITS)
def test_outcomes(results, unit):
    result = results[unit]
    assert [(a.name, a.reason) for a in result.outcomes] == EXPECTED[unit]["outcomes"]
    assert all(a.money is None and a.veto is False for a in result.outcomes)


def test_the_summary(results):
    eligible = [u for u in UNITS if results[u].eligible]
    assert eligible == ["巩义市", "荥阳市", "新郑市", "登封市"]
    # 中牟县 passes its own check against the standards (达到创建标准) but is excluded
    assert [u for u in UNITS if results[u].grade == MET] == ["中牟县", "巩义市", "荥阳市", "新郑市", "登封市"]


def test_a_lower_provincial_ratio_rules_out_a_unit_below_it(loaded, units):
    """--set 全省出生人口性别比2015年=107: 新郑市 (107.5 in 2015) is no longer below the province.

    新郑市 108.9 → 107.5 → 107.8: 107.5 < 107 ✗ → not below in every period; 107.8 > 107.5 →
    not falling either → (三) fails.  Its standards are unchanged (基本正常 是): still 32.
    """
    params = resolve_params(loaded.policy, {"全省出生人口性别比2015年": "107"})
    settled = evaluate_all(loaded.policy, units, params)
    xinzheng = next(r for r in settled.results if r.unit == "新郑市")
    assert xinzheng.total == 32 and xinzheng.grade == MET
    assert xinzheng.eligible is False
    assert list(xinzheng.ineligible) == [ratio_condition("108.9", "107.5", "107.8", p15="107")]
    # 巩义市 111 ≥ 107 is not below either, but it falls every year (112.4 → 111 → 109.8): still 符合
    gongyi = next(r for r in settled.results if r.unit == "巩义市")
    assert gongyi.eligible is True


def test_cli_eval_lists_every_unit():
    result = CliRunner().invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for unit in UNITS:
        row = next(line for line in lines if line.startswith(unit))
        verdict = "符合" if EXPECTED[unit]["eligible"] else "不符合"
        assert verdict in row.split(), row
    assert "已评分 12 个单位，失败 0 个" in result.output
