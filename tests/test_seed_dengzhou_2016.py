"""邓州市2016年上半年人口和计划生育目标管理责任制考核方案 — scores worked out BY HAND.

Every expected number below was computed by hand from the row of the unit in
examples/dengzhou-2016/units.csv, the seed (002_9eb4765fcbf83373.txt, lines 78–148: 五、(一)
综合治理责任落实 280分) and the comments of policies/dengzhou-2016.jhp; none was taken from the
program's output.

Conventions of the policy used in the arithmetic (see the comments in the .jhp file):
- 280 = 党政一把手负总责 130 + 部门齐抓共管 110 + 计划生育协会建设 40;
  130 = 签订目标管理责任书 20 + 领导小组制度 20 + 机构队伍建设 20 (5 + 5 + 10) + 专项督查 20
        + 计划生育事业费 30 + 新国优创建 20;
  110 = 征求意见落实优惠政策 20 + 部门信息互通 50 (20 + 15 + 15) + 落实具体责任目标 20
        + 年度完成情况报告 20;
  40 = 乡级协会 20 (组织建设 5 + 群众自治示范村创建 10 + 原文缺失的 5) + 原文缺失的 20 (村级协会);
  the parts missing from the seed are scores entered as facts (乡级协会其余项得分, 村级协会得分).
- a leaf that only awards starts at 0, one that only deducts starts at its full points, and every
  leaf is held to [0, its points] (计满为止 / 扣完为止); "达…以上" includes the threshold.
- 期间 = 上半年 (the default): 事业费 达到 50% 计30分, 每降低1个百分点扣2.5分, 低于30%不计分;
  专项督查 needs the 上半年 assessments only; 年度完成情况报告 is 满分 (半年考核时此项均默认为满分);
  群众自治示范村 ≥ 65% (2015年底) → 10, else 0.
- 期间 = 全年: 事业费 达100% 计30分, 每降低1个百分点扣2.5分, 低于80%不计分; 专项督查 needs the
  上半年 and the 全年 assessment; 报告 20 only with the report; 示范村 (2016年底) 达70% 计10分,
  否则每少1个比例点扣1分 (proportional), 扣完为止.
- the seed part has no bonus, penalty, veto, grade or ranking: total = base.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D, find_node

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.interpreter import ItemResult, UnitResult, resolve_params
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "dengzhou-2016.jhp"
FACTS = ROOT / "examples" / "dengzhou-2016" / "units.csv"

UNITS = ["古城街道", "花洲街道", "湍河街道", "东城街道", "罗庄镇", "穰东镇", "构林镇", "张村镇", "腰店镇", "夏集乡",
         "杏山旅游管理区"]

PARTS = ("党政一把手负总责", "部门齐抓共管", "计划生育协会建设")


def expect(parts: tuple, total, **leaves) -> dict:
    """A unit's hand-worked result: the three parts of 综合治理责任落实, the total, some items."""
    return dict(parts=dict(zip(PARTS, (D(p) for p in parts), strict=True)), total=D(total),
                leaves={name: D(score) for name, score in leaves.items()})


# ---------------------------------------------------------------------------------------------
# 期间 = 上半年 (the default): every unit, worked out by hand
# ---------------------------------------------------------------------------------------------

HALF: dict[str, dict] = {}

# ---- 古城街道: every requirement met -----------------------------------------------------------
# 签订目标管理责任书: 村级 7 + 乡直部门 3 + 与市政府 10 = 20
# 领导小组制度: 调整 5 + 明确职责 5 + 督查考评 5 (都有正式文件) + 会议 2次 × 3 = 6 → 本条上限 5 = 20
# 机构队伍建设: 计生办 5 + 服务所 5 + 工作人员 (2 + 3 + 5 = 10名) × 3 = 30 → 计满10分为止 10 = 20
# 专项督查: 上半年考核行政村 15 + 上半年考核乡直单位 5 = 20
# 计划生育事业费: 到位率 100% ≥ 50% → 30;  新国优: 汇报 10 + 部署 10 = 20
#   党政一把手负总责 = 20 + 20 + 20 + 20 + 30 + 20 = 130
# 征求意见 20; 信息互通 5×4 + 5×3 + 5×3 = 50; 责任目标: 0个单位未完成 → 20; 报告: 上半年 → 满分 20
#   部门齐抓共管 = 110
# 协会组织建设: 有专职副会长, 专职工作人员 1名 (1 − 1 = 0, 不扣) → 5; 示范村 75% ≥ 65% → 10;
#   乡级其余 5 → 乡级 20; 村级 20 → 协会 40
# total = 130 + 110 + 40 = 280
HALF["古城街道"] = expect((130, 110, 40), 280, 领导小组制度=20, 工作人员配备=10, 计划生育事业费=30,
                       年度完成情况报告=20, 协会组织建设=5, 群众自治示范村创建=10)

# ---- 花洲街道: one meeting, three staff, 46% spent, 示范村 just under 65% ---------------------
# 领导小组制度: 15 + 会议 1次 × 3 = 3 → 18
# 工作人员配备: (1 + 1 + 1 = 3名) × 3 = 9 → 机构队伍建设 5 + 5 + 9 = 19
# 事业费: 46% 比 50% 低 4个百分点 × 2.5 = 10 → 30 − 10 = 20 (46% 不低于 30%)
#   党政 = 20 + 18 + 19 + 20 + 20 + 20 = 117
# 部门齐抓共管 110
# 示范村 (2015年底) 64.9% < 65% → 不计分 0; 乡级 = 5 + 0 + 5 = 10; 村级 20 → 协会 30
# total = 117 + 110 + 30 = 257
HALF["花洲街道"] = expect((117, 110, 30), 257, 领导小组制度=18, 工作人员配备=9, 机构队伍建设=19,
                       计划生育事业费=20, 群众自治示范村创建=0, 乡级协会=10)

# ---- 湍河街道: 38% spent (slope reaches zero), deductions to the floor -------------------------
# 事业费: 50% − 38% = 12个百分点 × 2.5 = 30 → 30 − 30 = 0.  党政 = 130 − 30 = 100
# 落实具体责任目标: 20 − 2个单位 × 5 = 10.  部门齐抓共管 = 110 − 10 = 100
# 协会组织建设: 5 − 3 (无专职副会长) − (1 − 0) × 3 (少1人) = −1 → 扣完为止 0
#   示范村 70% ≥ 65% → 10; 乡级其余 3.5 → 乡级 13.5; 村级 16 → 协会 29.5
# total = 100 + 100 + 29.5 = 229.5
HALF["湍河街道"] = expect((100, 100, "29.5"), "229.5", 计划生育事业费=0, 落实具体责任目标=10,
                       协会组织建设=0, 乡级协会="13.5", 村级协会=16)

# ---- 东城街道: below the 30% floor, five failing departments, missing department work -------
# 事业费: 29.5% 低于 30% → 不计分 0.  党政 = 100
# 征求意见: 无会议记录或文件 → 0
# 信息互通制度: 4部门 × 4 (公安 否) = 16; 共享信息: 3部门 × 3 (公安、统计 否) = 9;
#   依信息开展工作: 4部门 × 3 (民政 否) = 12 → 部门信息互通 16 + 9 + 12 = 37
# 落实具体责任目标: 20 − 5 × 5 = −5 → 扣完为止 0;  报告: 上半年 → 20
#   部门齐抓共管 = 0 + 37 + 0 + 20 = 57
# 协会 40
# total = 100 + 57 + 40 = 197
HALF["东城街道"] = expect((100, 57, 40), 197, 计划生育事业费=0, 征求意见落实优惠政策=0, 信息互通制度=16,
                       共享信息=9, 依信息开展工作=12, 部门信息互通=37, 落实具体责任目标=0)

# ---- 罗庄镇: half-year full marks although the full-year requirements are missing -------------
# 专项督查: 上半年考核行政村 15 + 乡直单位 5 = 20 (全年考核行政村 否 不影响上半年)
# 事业费 55% ≥ 50% → 30;  报告: 未报告, 但半年考核时默认为满分 → 20
# 示范村 (2015年底) 66% ≥ 65% → 10
# total = 130 + 110 + 40 = 280
HALF["罗庄镇"] = expect((130, 110, 40), 280, 专项督查=20, 计划生育事业费=30, 年度完成情况报告=20)

# ---- 穰东镇: exactly 50%, no meeting, no half-year assessment of the 乡直单位 ----------------
# 领导小组制度: 15 + 会议 0次 → 15;  专项督查: 村 15 + 乡直单位 0 = 15;  事业费 50% 达到 50% → 30
#   党政 = 20 + 15 + 20 + 15 + 30 + 20 = 120
# total = 120 + 110 + 40 = 270
HALF["穰东镇"] = expect((120, 110, 40), 270, 领导小组制度=15, 专项督查=15, 计划生育事业费=30)

# ---- 构林镇: exactly 65% 示范村; more staff than required ---------------------------------------
# 事业费 92.4% ≥ 50% → 30;  协会组织建设: 1 − 3 = −2 → 按 0 计, 不扣 → 5;
#   示范村 65% — "达65%以上" 含 65% → 10
# total = 280
HALF["构林镇"] = expect((130, 110, 40), 280, 协会组织建设=5, 群众自治示范村创建=10)

# ---- 张村镇: two responsibility letters and the deployment missing ----------------------------
# 签订目标管理责任书: 村级 7 + 乡直部门 0 + 与市政府 0 = 7;  新国优: 汇报 10 + 部署 0 = 10
#   党政 = 7 + 20 + 20 + 20 + 30 + 10 = 107
# total = 107 + 110 + 40 = 257
HALF["张村镇"] = expect((107, 110, 40), 257, 签订目标管理责任书=7, 新国优创建=10)

# ---- 腰店镇: no 计生办, three staff, no 督查考评 document, no 专职副会长 ----------------------
# 领导小组制度: 5 + 5 + 0 + 5 = 15
# 机构队伍建设: 计生办 0 + 服务所 5 + 工作人员 (0 + 2 + 1 = 3名) × 3 = 9 → 14
#   党政 = 20 + 15 + 14 + 20 + 30 + 20 = 119
# 协会组织建设: 5 − 3 (无副会长); 专职工作人员 2名, 1 − 2 = −1 → 按 0 计 → 2
#   乡级 = 2 + 10 + 5 = 17; 村级 20 → 协会 37
# total = 119 + 110 + 37 = 266
HALF["腰店镇"] = expect((119, 110, 37), 266, 领导小组制度=15, 乡级计划生育办公室=0, 机构队伍建设=14,
                     协会组织建设=2)

# ---- 夏集乡: department information mostly missing -------------------------------------------
# 事业费 81% ≥ 50% → 30.  党政 130
# 信息互通制度: 卫生计生、公安、教育 3 × 4 = 12; 共享信息: 卫生计生、公安 2 × 3 = 6;
#   依信息开展工作: 0 → 部门信息互通 18
# 落实具体责任目标: 20 − 1 × 5 = 15
#   部门齐抓共管 = 20 + 18 + 15 + 20 = 73
# 示范村 (2015年底) 60% < 65% → 0; 乡级 = 5 + 0 + 4 = 9; 村级 17.5 → 协会 26.5
# total = 130 + 73 + 26.5 = 229.5
HALF["夏集乡"] = expect((130, 73, "26.5"), "229.5", 信息互通制度=12, 共享信息=6, 依信息开展工作=0,
                     落实具体责任目标=15, 群众自治示范村创建=0)

# ---- 杏山旅游管理区: two staff, one meeting, no 专职工作人员 -----------------------------------
# 领导小组制度: 15 + 3 = 18;  工作人员 (1 + 0 + 1 = 2名) × 3 = 6 → 机构 5 + 5 + 6 = 16
#   事业费 88% ≥ 50% → 30.  党政 = 20 + 18 + 16 + 20 + 30 + 20 = 124
# 协会组织建设: 有副会长; 专职工作人员 0名, 少 1 − 0 = 1人 × 3 = 3 → 5 − 3 = 2;
#   示范村 80% → 10; 乡级 = 2 + 10 + 5 = 17; 村级 19 → 协会 36
# total = 124 + 110 + 36 = 270
HALF["杏山旅游管理区"] = expect((124, 110, 36), 270, 领导小组制度=18, 工作人员配备=6, 协会组织建设=2,
                         村级协会=19)


# ---------------------------------------------------------------------------------------------
# 期间 = 全年 (--set 期间=全年): the same facts, the full-year standards
# ---------------------------------------------------------------------------------------------

FULL: dict[str, dict] = {}

# ---- 古城街道: still full marks -----------------------------------------------------------------
# 专项督查: 上半年、全年都考核了 → 15 + 5 = 20; 事业费 100% 达100% → 30; 报告 已报告 → 20;
#   示范村 (2016年底) 78% ≥ 70% → 10.  total = 280
FULL["古城街道"] = expect((130, 110, 40), 280, 专项督查=20, 计划生育事业费=30, 年度完成情况报告=20,
                       群众自治示范村创建=10)

# ---- 花洲街道 ---------------------------------------------------------------------------------
# 事业费 46% 低于 80% → 不计分 0.  党政 = 20 + 18 + 19 + 20 + 0 + 20 = 97
# 部门齐抓共管: 报告 已报告 → 20 → 110
# 示范村 (2016年底) 68.5%: 比 70% 少 1.5个比例点 × 1 = 1.5 → 10 − 1.5 = 8.5
#   乡级 = 5 + 8.5 + 5 = 18.5; 村级 20 → 协会 38.5
# total = 97 + 110 + 38.5 = 245.5
FULL["花洲街道"] = expect((97, 110, "38.5"), "245.5", 计划生育事业费=0, 群众自治示范村创建="8.5",
                       乡级协会="18.5")

# ---- 罗庄镇: the full-year requirements missing -----------------------------------------------
# 专项督查: 行政村 上半年 是 但 全年 否 → 0; 乡直单位 上半年、全年都考核 → 5 → 5
# 事业费 55% 低于 80% → 0.  党政 = 20 + 20 + 20 + 5 + 0 + 20 = 85
# 报告: 11月底前未以文件报告 → 0 (全年不再默认满分).  部门齐抓共管 = 110 − 20 = 90
# 示范村 (2016年底) 70% 达 70% → 10 → 协会 40
# total = 85 + 90 + 40 = 215
FULL["罗庄镇"] = expect((85, 90, 40), 215, 专项督查=5, 计划生育事业费=0, 年度完成情况报告=0,
                     群众自治示范村创建=10)

# ---- 穰东镇 -----------------------------------------------------------------------------------
# 专项督查: 行政村 是/是 → 15; 乡直单位 上半年 否 (全年 是) → 0 → 15
# 事业费 50% 低于 80% → 0.  党政 = 20 + 15 + 20 + 15 + 0 + 20 = 90
# total = 90 + 110 + 40 = 240
FULL["穰东镇"] = expect((90, 110, 40), 240, 专项督查=15, 计划生育事业费=0)

# ---- 构林镇: the full-year slopes ---------------------------------------------------------------
# 事业费 92.4%: 100% − 92.4% = 7.6个百分点 × 2.5 = 19 → 30 − 19 = 11.  党政 = 130 − 19 = 111
# 示范村 (2016年底) 58%: 少 12个比例点 × 1 = 12 → 10 − 12 = −2 → 扣完为止 0
#   乡级 = 5 + 0 + 5 = 10; 村级 20 → 协会 30
# total = 111 + 110 + 30 = 251
FULL["构林镇"] = expect((111, 110, 30), 251, 计划生育事业费=11, 群众自治示范村创建=0, 乡级协会=10)

# ---- 夏集乡: 81% is above the 80% floor but the slope already reached zero --------------------
# 事业费 81%: 19个百分点 × 2.5 = 47.5 > 30 → 扣完为止 0.  党政 = 100
# 部门齐抓共管 73 (as 上半年; 报告 已报告 → 20)
# 示范村 (2016年底) 66.2%: 少 3.8个比例点 × 1 = 3.8 → 6.2; 乡级 = 5 + 6.2 + 4 = 15.2;
#   村级 17.5 → 协会 32.7
# total = 100 + 73 + 32.7 = 205.7
FULL["夏集乡"] = expect((100, 73, "32.7"), "205.7", 计划生育事业费=0, 群众自治示范村创建="6.2",
                     乡级协会="15.2")

# ---- 杏山旅游管理区 ----------------------------------------------------------------------------
# 事业费 88%: 12个百分点 × 2.5 = 30 → 0.  党政 = 124 − 30 = 94
# 示范村 (2016年底) 85% → 10 → 协会 36
# total = 94 + 110 + 36 = 240
FULL["杏山旅游管理区"] = expect((94, 110, 36), 240, 计划生育事业费=0)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(loaded):
    facts = load_facts(FACTS, loaded.policy)
    assert [p.describe() for p in facts.problems] == []
    return facts


def settle(loaded, table, period: str | None) -> dict[str, UnitResult]:
    params = resolve_params(loaded.policy, {"期间": period} if period else {})
    settled = evaluate_all(loaded.policy, table.units, params)
    assert settled.failed == ()
    return {result.unit: result for result in settled.results}


@pytest.fixture(scope="module")
def half(loaded, table) -> dict[str, UnitResult]:
    return settle(loaded, table, None)  # 期间 defaults to 上半年


@pytest.fixture(scope="module")
def full(loaded, table) -> dict[str, UnitResult]:
    return settle(loaded, table, "全年")


def find_item(items: tuple[ItemResult, ...], name: str) -> ItemResult:
    return find_node(items, name)


def assert_expected(result: UnitResult, expected: dict) -> None:
    (top,) = result.items
    assert top.name == "综合治理责任落实" and top.points == 280
    got = {part.name: part.score for part in top.children}
    assert got == expected["parts"], result.unit
    assert top.score == sum(expected["parts"].values())
    for name, score in expected["leaves"].items():
        assert find_item(result.items, name).score == score, f"{result.unit} {name}"
    assert result.base == expected["total"]
    assert (result.bonus, result.penalty, result.cut) == (0, 0, 0)
    assert result.total == expected["total"]
    assert result.vetoes == () and result.grade is None
    assert result.ranks == () and result.outcomes == ()


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_every_unit_is_worked_out(table):
    assert [unit.name for unit in table.units] == UNITS
    assert list(HALF) == UNITS
    assert set(FULL) <= set(UNITS)


@pytest.mark.parametrize("unit", list(HALF))
def test_half_year(half, unit):
    assert_expected(half[unit], HALF[unit])


@pytest.mark.parametrize("unit", list(FULL))
def test_full_year(full, unit):
    assert_expected(full[unit], FULL[unit])


def test_period_default_is_half_year(loaded):
    assert resolve_params(loaded.policy, {}) == resolve_params(loaded.policy, {"期间": "上半年"})


def test_check_reports_no_errors_and_points_add_up(loaded):
    assert [d.code for d in loaded.diagnostics] == []  # no errors and no warnings
    policy = loaded.policy
    assert policy.header.full_marks.value == 280

    def points(item):
        return (item.points.value, [points(child) for child in item.children])

    (top,) = policy.items
    # 280 = 130 + 110 + 40; 130 = 20+20+20(5+5+10)+20+30+20; 110 = 20+50(20+15+15)+20+20;
    # 40 = 20(5+10+5) + 20
    assert points(top) == (280, [
        (130, [(20, []), (20, []), (20, [(5, []), (5, []), (10, [])]), (20, []), (30, []), (20, [])]),
        (110, [(20, []), (50, [(20, []), (15, []), (15, [])]), (20, []), (20, [])]),
        (40, [(20, [(5, []), (10, []), (5, [])]), (20, [])]),
    ])


def test_cli_check_is_clean():
    result = CliRunner().invoke(main, ["check", str(POLICY)])
    assert result.exit_code == 0, result.output
    assert "共 0 个错误，0 个警告" in result.output


@pytest.mark.parametrize("args", [[], ["--set", "期间=全年"]])
def test_cli_eval_runs_for_both_periods(args):
    result = CliRunner().invoke(main, ["eval", str(POLICY), str(FACTS), *args])
    assert result.exit_code == 0, result.output
    for unit in UNITS:
        assert unit in result.stdout, unit
    assert "已评分 11 个单位，失败 0 个" in result.output
