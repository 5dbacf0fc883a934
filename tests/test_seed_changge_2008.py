"""长葛市关于加强城区人口和计划生育工作的意见 (changge-2008) — outcomes worked out BY HAND.

Every expected number below was computed by hand from the unit's row in
examples/changge-2008/units.csv, the seed (003_63c29ad9a6c797d8.txt lines 331–424) and the
comments of policies/changge-2008.jhp; none was taken from the program's output.

The seed, 三、(一): the quarterly spot check has five parts, "1、社区居委会日常工作开展情况25分；
2、统计例会10分；3、辖区常住人口中已婚育龄妇女管理率25分；4、健康检查20分；5、城区流动人口管理20分。
每次抽查满分为100分，折合为25分计入街道办事处目标考核总积分。"  25 + 10 + 25 + 20 + 20 = 100.

Conventions of the policy used in the arithmetic (the seed gives no scoring details; see the
comments in the .jhp file):
- 1、日常工作 25 = 阵地建设 5 + 机构和队伍 5 (基层领导组织 1, 四级网络 2, 楼院宣传员 2) + 工作人员待遇 5
  (2.5 + 2.5) + 信息管理 5 (月排查上报 3, 社区管理员负责 1, 信息双向通报 0.5 + 0.5) + 服务和包段划片 5
  (药具 1, 证件 2, 包段划片 2);
  阵地建设: the 8 基本要求 of "两室一校", 扣 1分 per missing one from 5, 扣完为止 (30人以上 includes 30);
  楼院宣传员: 扣 1分 per 楼(院) without one from 2, 扣完为止; 月排查上报: 1分 per month of the quarter;
  待遇 "不低于300元 / 50元" includes 300 and 50;
- 2、统计例会 10 = four requirements × 2.5;
- 3、管理率 25: 管理率 × 25分 (0.25分 per percentage point);
- 4、健康检查 20 = 通知补检 5 + 康检结果报送 5 + 季度生殖健康检查 (检查率 × 5分, 0.05 per point) + 妇科病普查 5;
- 5、流动人口 20 = five requirements × 4; 每月清理清查 4: 扣 2分 per month of the quarter without one,
  扣完为止;
- 总分 (计入目标考核总积分) = 抽查得分 (base, 百分制) ÷ 100 × 25.
No 一票否决, grades, rankings or outcomes: the seed has none.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D, find_node

from jhdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "changge-2008.jhp"
FACTS = ROOT / "examples" / "changge-2008" / "units.csv"

ITEMS = [
    ("社区居委会日常工作开展情况", 25),
    ("统计例会", 10),
    ("已婚育龄妇女管理率", 25),
    ("健康检查", 20),
    ("城区流动人口管理", 20),
]
FULL = dict(ITEMS)

UNITS = [
    "建设路街道（第三季度）",
    "长兴路街道（第三季度）",
    "长社路街道（第三季度）",
    "金桥路街道（第三季度）",
    "建设路街道（第四季度）",
    "长兴路街道（第四季度）",
    "长社路街道（第四季度）",
    "金桥路街道（第四季度）",
]


def items(**changed) -> dict[str, Decimal]:
    """The five item scores: full points except the ones given."""
    unknown = set(changed) - set(FULL)
    assert not unknown, unknown
    return {name: D(changed.get(name, points)) for name, points in ITEMS}


# Each entry: items (the five parts of the check), parts (any sub-item by name), base (the
# 100-point spot-check score), total (its 25-point share of the 目标考核总积分).
EXPECTED: dict[str, dict] = {}

# ---- 建设路街道（第三季度）: every requirement met ---------------------------------------------
# 1、阵地建设 8 条都有 (教室 45人 ≥ 30) → 5; 机构和队伍 1 + 2 + 2 (未配宣传员 0) = 5;
#   待遇 350元 ≥ 300 → 2.5, 60元 ≥ 50 → 2.5 = 5; 信息管理 3 个月 × 1 + 1 + 0.5 + 0.5 = 5;
#   服务 1 + 2 + 2 = 5.  = 25
# 2、4 × 2.5 = 10.  3、100% × 25 = 25.  4、5 + 5 + 100% × 5 + 5 = 20.  5、清查 3 个月 → 4; 4 × 4 → 20
# 抽查得分 = 25 + 10 + 25 + 20 + 20 = 100;  计入总积分 100 ÷ 100 × 25 = 25
EXPECTED["建设路街道（第三季度）"] = dict(
    items=items(), parts={"阵地建设": 5, "楼院宣传员": 2, "月排查上报": 3, "每月清理清查": 4},
    base=100, total=25)

# ---- 长兴路街道（第三季度）: 两室一校 mostly missing (floor), rates below 100% --------------------
# 阵地建设 5分: only 办公室办公设备 是; missing 图表, 检查床, 药具柜, 警示标志, 教室 (0人 < 30),
#   电教设备, 资料 → 7 × 1 = 7 > 5 → 扣完为止 → 0
# 机构和队伍: 1 + 2 + 楼院宣传员 (2 − 1 个楼院 × 1 = 1) = 4
# 待遇: 管理员 300元 — "不低于300元" → 2.5; 宣传员 50元 — "不低于50元" → 2.5; = 5
#   日常工作 = 0 + 4 + 5 + 5 + 5 = 19
# 3、管理率 92.4% × 0.25 = 23.1
# 4、季度生殖健康检查率 86% × 0.05 = 4.3; 5 + 5 + 4.3 + 5 = 19.3
# 抽查得分 = 19 + 10 + 23.1 + 19.3 + 20 = 91.4;  计入总积分 91.4 × 25 ÷ 100 = 22.85
EXPECTED["长兴路街道（第三季度）"] = dict(
    items=items(社区居委会日常工作开展情况=19, 已婚育龄妇女管理率="23.1", 健康检查="19.3"),
    parts={"阵地建设": 0, "机构和队伍": 4, "楼院宣传员": 1, "工作人员待遇": 5, "季度生殖健康检查": "4.3"},
    base="91.4", total="22.85")

# ---- 长社路街道（第三季度）: pay below the minimum, months missed ------------------------------
# 待遇: 管理员 280元 < 300 → 0; 宣传员 50元 ≥ 50 → 2.5; = 2.5
# 信息管理: 月排查上报 2 个月 × 1 = 2; 管理员负责 1; 双向通报 0.5 + 回执 否 0 = 0.5; = 3.5
#   日常工作 = 5 + 5 + 2.5 + 3.5 + 5 = 21
# 2、固定统计例会日 否 → 3 × 2.5 = 7.5
# 3、95% × 0.25 = 23.75
# 4、妇科病普查 否 → 0; 5 + 5 + 100% × 5 + 0 = 15
# 5、清理清查 1 个月: 少 3 − 1 = 2 个月 × 2 = 4 → 4 − 4 = 0; 限期补办 否 → 0; 0 + 4 + 4 + 0 + 4 = 12
# 抽查得分 = 21 + 7.5 + 23.75 + 15 + 12 = 79.25;  计入总积分 79.25 × 25 ÷ 100 = 19.8125
EXPECTED["长社路街道（第三季度）"] = dict(
    items=items(社区居委会日常工作开展情况=21, 统计例会="7.5", 已婚育龄妇女管理率="23.75", 健康检查=15,
                城区流动人口管理=12),
    parts={"工作人员待遇": "2.5", "月排查上报": 2, "信息双向通报": "0.5", "信息管理": "3.5", "妇科病普查": 0,
           "每月清理清查": 0, "限期补办": 0},
    base="79.25", total="19.8125")

# ---- 金桥路街道（第三季度）: 宣传员 deduction past the floor, classroom exactly 30 -----------------
# 阵地建设: 教室 30人 — "可容纳30人以上" → 不扣; 电教设备 否 → 扣 1 → 4
# 楼院宣传员 2分: 5 个楼院 × 1 = 5 > 2 → 扣完为止 → 0; 机构和队伍 = 1 + 2 + 0 = 3
# 服务和包段划片: 药具 1 + 证件 2 + 包段划片 否 0 = 3
#   日常工作 = 4 + 3 + 5 + 5 + 3 = 20
# 2、定期召开统计例会 否 → 7.5
# 3、88.6% × 0.25 = 22.15
# 4、康检结果未按时报送 → 0; 检查率 72.5% × 0.05 = 3.625; 5 + 0 + 3.625 + 5 = 13.625
# 5、签订合同 否 → 0; 4 + 0 + 4 + 4 + 4 = 16
# 抽查得分 = 20 + 7.5 + 22.15 + 13.625 + 16 = 79.275;  计入总积分 79.275 × 25 ÷ 100 = 19.81875
EXPECTED["金桥路街道（第三季度）"] = dict(
    items=items(社区居委会日常工作开展情况=20, 统计例会="7.5", 已婚育龄妇女管理率="22.15", 健康检查="13.625",
                城区流动人口管理=16),
    parts={"阵地建设": 4, "楼院宣传员": 0, "机构和队伍": 3, "服务和包段划片": 3, "康检结果报送": 0,
           "季度生殖健康检查": "3.625", "签订合同": 0},
    base="79.275", total="19.81875")

# ---- 建设路街道（第四季度）: fractions of a point from the two rates ---------------------------
# 3、99.5% × 0.25 = 24.875.  4、97.3% × 0.05 = 4.865; 5 + 5 + 4.865 + 5 = 19.865
# 抽查得分 = 25 + 10 + 24.875 + 19.865 + 20 = 99.74;  计入总积分 99.74 × 25 ÷ 100 = 24.935
EXPECTED["建设路街道（第四季度）"] = dict(
    items=items(已婚育龄妇女管理率="24.875", 健康检查="19.865"), parts={"季度生殖健康检查": "4.865"},
    base="99.74", total="24.935")

# ---- 长兴路街道（第四季度）: classroom just below 30, one month without 清查 -----------------------
# 阵地建设: 警示标志 否 → 扣 1; 教室 28人 < 30 → 扣 1; 5 − 2 = 3
# 待遇 300元 / 50元 → 2.5 + 2.5 = 5.  日常工作 = 3 + 5 + 5 + 5 + 5 = 23
# 3、96.8% × 0.25 = 24.2.  4、91% × 0.05 = 4.55; 5 + 5 + 4.55 + 5 = 19.55
# 5、清理清查 2 个月: 少 1 个月 × 2 = 2 → 4 − 2 = 2; 2 + 4 × 4 = 18
# 抽查得分 = 23 + 10 + 24.2 + 19.55 + 18 = 94.75;  计入总积分 94.75 × 25 ÷ 100 = 23.6875
EXPECTED["长兴路街道（第四季度）"] = dict(
    items=items(社区居委会日常工作开展情况=23, 已婚育龄妇女管理率="24.2", 健康检查="19.55", 城区流动人口管理=18),
    parts={"阵地建设": 3, "工作人员待遇": 5, "每月清理清查": 2},
    base="94.75", total="23.6875")

# ---- 长社路街道（第四季度）: no statistics meetings, no 清查 at all ---------------------------------
# 待遇: 管理员 300元 → 2.5; 宣传员 45元 < 50 → 0; = 2.5
# 信息管理: 月排查上报 0 个月 → 0; 1 + 0.5 + 0.5; = 2.  日常工作 = 5 + 5 + 2.5 + 2 + 5 = 19.5
# 2、四条都没有 → 0
# 3、90% × 0.25 = 22.5
# 4、通知补检 否 → 0; 报送 5; 80% × 0.05 = 4; 妇科病普查 5; = 14
# 5、清理清查 0 个月: 少 3 个月 × 2 = 6 > 4 → 扣完为止 → 0; 查验婚育证明 否 → 0; 0 + 4 + 0 + 4 + 4 = 12
# 抽查得分 = 19.5 + 0 + 22.5 + 14 + 12 = 68;  计入总积分 68 × 25 ÷ 100 = 17
EXPECTED["长社路街道（第四季度）"] = dict(
    items=items(社区居委会日常工作开展情况="19.5", 统计例会=0, 已婚育龄妇女管理率="22.5", 健康检查=14,
                城区流动人口管理=12),
    parts={"工作人员待遇": "2.5", "月排查上报": 0, "信息管理": 2, "通知补检": 0, "季度生殖健康检查": 4,
           "每月清理清查": 0, "查验婚育证明": 0},
    base=68, total=17)

# ---- 金桥路街道（第四季度）: yes/no requirements missed across the items ---------------------------
# 机构和队伍: 四级网络 否 → 0; 1 + 0 + 2 = 3
# 信息管理: 3 + 管理员未及时采集 0 + 1 = 4
# 服务和包段划片: 药具 否 0 + 2 + 2 = 4.  日常工作 = 5 + 3 + 5 + 4 + 4 = 21
# 2、汇总情况填写信息报告单 否 → 7.5
# 3、93.5% × 0.25 = 23.375.  4、95% × 0.05 = 4.75; 5 + 5 + 4.75 + 5 = 19.75
# 5、奖励优惠政策 否 → 0; 4 × 4 = 16
# 抽查得分 = 21 + 7.5 + 23.375 + 19.75 + 16 = 87.625;  计入总积分 87.625 × 25 ÷ 100 = 21.90625
EXPECTED["金桥路街道（第四季度）"] = dict(
    items=items(社区居委会日常工作开展情况=21, 统计例会="7.5", 已婚育龄妇女管理率="23.375", 健康检查="19.75",
                城区流动人口管理=16),
    parts={"四级管理服务网络": 0, "机构和队伍": 3, "社区管理员负责": 0, "信息管理": 4, "服务和包段划片": 4,
           "奖励优惠政策": 0},
    base="87.625", total="21.90625")


# ---------------------------------------------------------------------------------------------


def test_every_unit_scored(settled, results):
    assert list(results) == UNITS
    assert settled.failed == () and settled.problems == ()
    assert set(EXPECTED) == set(UNITS)


@pytest.mark.parametrize("unit", UNITS)
def test_items(results, unit):
    got = {item.name: item.score for item in results[unit].items}
    assert list(got) == [name for name, _ in ITEMS]
    for name, score in EXPECTED[unit]["items"].items():
        assert got[name] == score, f"{unit} {name}: got {got[name]}, hand {score}"


@pytest.mark.parametrize("unit", UNITS)
def test_parts(results, unit):
    for name, score in EXPECTED[unit]["parts"].items():
        node = find_node(results[unit].items, name)
        assert node.score == D(score), f"{unit} {name}: got {node.score}, hand {score}"


@pytest.mark.parametrize("unit", UNITS)
def test_spot_check_score(results, unit):
    result = results[unit]
    expected = EXPECTED[unit]
    assert result.base == D(expected["base"])
    assert result.base == sum(expected["items"].values())
    assert (result.bonus, result.penalty, result.cut) == (0, 0, 0)


@pytest.mark.parametrize("unit", UNITS)
def test_rescaled_to_25_points(results, unit):
    result = results[unit]
    expected = EXPECTED[unit]
    (line,) = result.components  # 季度抽查 折合 25分 按 本办法
    assert line.amount == D(expected["total"])
    assert result.total == D(expected["total"])
    assert result.total == D(expected["base"]) * 25 / 100


@pytest.mark.parametrize("unit", UNITS)
def test_no_veto_grade_rank_or_outcome(results, unit):
    result = results[unit]
    assert result.vetoes == () and not result.vetoed
    assert result.grade is None
    assert result.eligible is None and result.ineligible == ()
    assert result.ranks == () and result.outcomes == ()


def test_floors_and_full_marks_are_exercised():
    parts = [(name, D(score)) for e in EXPECTED.values() for name, score in e["parts"].items()]
    # 阵地建设 floored (长兴路三季度), 楼院宣传员 floored (金桥路三季度), 每月清理清查 floored (长社路四季度)
    assert {"阵地建设", "楼院宣传员", "每月清理清查"} <= {name for name, score in parts if score == 0}
    assert any(e["base"] == 100 and e["total"] == 25 for e in EXPECTED.values())


def test_check_reports_no_errors_and_the_five_parts_add_up_to_100(loaded):
    assert loaded.diagnostics == ()
    policy = loaded.policy
    assert policy.header.full_marks.value == 100
    assert [(item.name, item.points.value) for item in policy.items] == [(n, D(p)) for n, p in ITEMS]
    assert sum(points for _, points in ITEMS) == 100  # 25 + 10 + 25 + 20 + 20
    combination = policy.combination
    assert combination is not None
    (component,) = combination.components
    assert component.source is None  # 按 本办法
    assert component.rescale.value == 25 and component.share is None


def test_cli_check_and_eval():
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(POLICY)])
    assert checked.exit_code == 0, checked.output
    assert "共 0 个错误，0 个警告" in checked.output
    evaluated = runner.invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert evaluated.exit_code == 0, evaluated.output
    for unit in UNITS:
        assert unit in evaluated.stdout, unit
