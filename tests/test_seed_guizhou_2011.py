"""2011年人口与计划生育工作目标管理责任书 (guizhou-2011) — outcomes worked out BY HAND.

Every expected number below was computed by hand from the unit's row in
examples/guizhou-2011/units.csv, the seed (003_63c29ad9a6c797d8.txt lines 211–259) and the
comments of policies/guizhou-2011.jhp; none was taken from the program's output.

Conventions of the policy used in the arithmetic (see the comments in the .jhp file):
- the eight items (一)…(八) are worth 5 + 10 + 10 + 20 + 20 + 10 + 10 + 5 = 90, although the
  seed says "分值100分": `check` warns W402 and the year-end score (年终考核) is at most 90;
- items that list several requirements under one value are split as the policy says:
  (一) 2 + 2 + 1, (二) 3 + 3 + 4, (三) 4 × 2.5, (六) 5 + 5, (七) 5 + 5, (八) 2.5 + 2.5;
- (四)(五) "达100%…每低于一个百分点扣5分，扣完为止": 20 − (100 − rate) × 5, proportional
  for a fraction of a point, never below 0;
- 年终综合评分 = 平时抽查 × 30% + 半年考核 × 30% + 年终考核 (this policy's score) × 40%;
- grades on the combined score: 参加评先 ≥ 90; 取消评先 80 ≤ x < 90; 诫勉谈话 70 ≤ x < 80;
  辞去领导职务 < 70;
- 违反计划生育相关规定 → 一票否决: the score is still computed, no grade is given.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "guizhou-2011.jhp"
FACTS = ROOT / "examples" / "guizhou-2011" / "units.csv"

ITEMS = [
    ("综合治理", 5),
    ("学习教育", 10),
    ("婚育管理", 10),
    ("节育率", 20),
    ("妇检率", 20),
    ("流动人口管理", 10),
    ("临时工管理", 10),
    ("资料档案", 5),
]
FULL = dict(ITEMS)


def items(**changed) -> dict[str, Decimal]:
    """The eight item scores: full points except the ones given."""
    unknown = set(changed) - set(FULL)
    assert not unknown, unknown
    return {name: D(changed.get(name, points)) for name, points in ITEMS}


# Each entry: items (8 scores), base (年终考核 = this policy's score), components
# (平时抽查 30%, 半年考核 30%, 年终考核 40%), total (年终综合评分), grade, vetoes.
EXPECTED: dict[str, dict] = {}

# ---- 公路管理处: every requirement met --------------------------------------------------------
# (一) 2 + 2 + 1 = 5; (二) 3 + 3 + 4 = 10; (三) 新婚办证率 100%、持证生育率 100% → 2.5 + 2.5,
#   无计划外生育、无非法拾养 → 2.5 + 2.5 = 10; (四) 节育率 100% → 20; (五) 妇检率 100% → 20;
#   (六) 5 + 5 = 10; (七) 5 + 5 = 10; (八) 2.5 + 2.5 = 5.  年终考核 = 90 (the most there is)
# 平时抽查 95 × 30% = 28.5; 半年考核 92 × 30% = 27.6; 年终考核 90 × 40% = 36
# 年终综合评分 = 28.5 + 27.6 + 36 = 92.1 → "90分以上" → 参加评先
EXPECTED["公路管理处"] = dict(
    items=items(), base=90, components=("28.5", "27.6", 36), total="92.1", grade="参加评先", vetoes=[])

# ---- 道路运输管理处: exactly 90 ---------------------------------------------------------------
# 年终考核 90 (all met).  90 × 30% = 27; 90 × 30% = 27; 90 × 40% = 36; 27 + 27 + 36 = 90
# "90分以上" includes 90 (and "低于90分（不含90分）" leaves 90 out of the next band) → 参加评先
EXPECTED["道路运输管理处"] = dict(
    items=items(), base=90, components=(27, 27, 36), total=90, grade="参加评先", vetoes=[])

# ---- 交通规费征稽处: 节育率 below 100% --------------------------------------------------------
# (四) 节育率 98.5%: 100 − 98.5 = 1.5 个百分点 × 5分 = 7.5 → 20 − 7.5 = 12.5
# 年终考核 = 90 − 7.5 = 82.5
# 85 × 30% = 25.5; 88 × 30% = 26.4; 82.5 × 40% = 33; 25.5 + 26.4 + 33 = 84.9
# 80 ≤ 84.9 < 90 → 取消评先 (奖金、补助按50%计发)
EXPECTED["交通规费征稽处"] = dict(
    items=items(节育率="12.5"), base="82.5", components=("25.5", "26.4", 33), total="84.9",
    grade="取消评先", vetoes=[])

# ---- 港航管理处: 妇检率 below 100%, combined score exactly 80 -----------------------------------
# (五) 妇检率 98%: 2 个百分点 × 5分 = 10 → 20 − 10 = 10.  年终考核 = 90 − 10 = 80
# 80 × 30% = 24; 80 × 30% = 24; 80 × 40% = 32; 24 + 24 + 32 = 80
# "低于90分（不含90分）—80分（含80分）" → 80 is in → 取消评先
EXPECTED["港航管理处"] = dict(
    items=items(妇检率=10), base=80, components=(24, 24, 32), total=80, grade="取消评先", vetoes=[])

# ---- 交通工程质量监督站: yes/no requirements missed -----------------------------------------
# (六) 一证先行无证不办 否 → 0, 检查租赁户和摆摊户 是 → 5; = 5
# (七) 聘用前填写审批表 否 → 0, 审批表有乡镇计生部门意见 否 → 0; = 0
# (八) 及时上报 否 → 0, 台账和档案 是 → 2.5; = 2.5
# 年终考核 = 5 + 10 + 10 + 20 + 20 + 5 + 0 + 2.5 = 72.5
# 75 × 30% = 22.5; 78 × 30% = 23.4; 72.5 × 40% = 29; 22.5 + 23.4 + 29 = 74.9
# 70 ≤ 74.9 < 80 → 诫勉谈话 (取消奖金和各种补助)
EXPECTED["交通工程质量监督站"] = dict(
    items=items(流动人口管理=5, 临时工管理=0, 资料档案="2.5"), base="72.5", components=("22.5", "23.4", 29),
    total="74.9", grade="诫勉谈话", vetoes=[])

# ---- 城市客运管理处: a rate deduction that hits the floor, below 70 -------------------------------
# (二) 学习 3 + 思想政治工作 否 0 + 完成任务 4 = 7
# (四) 节育率 95.5%: 4.5 个百分点 × 5分 = 22.5 > 20 → 扣完为止 → 0
# (五) 妇检率 97.2%: 2.8 个百分点 × 5分 = 14 → 20 − 14 = 6
# 年终考核 = 5 + 7 + 10 + 0 + 6 + 10 + 10 + 5 = 53
# 70 × 30% = 21; 72 × 30% = 21.6; 53 × 40% = 21.2; 21 + 21.6 + 21.2 = 63.8
# "在70以下" → 辞去领导职务
EXPECTED["城市客运管理处"] = dict(
    items=items(学习教育=7, 节育率=0, 妇检率=6), base=53, components=(21, "21.6", "21.2"), total="63.8",
    grade="辞去领导职务", vetoes=[])

# ---- 交通技工学校: vetoed despite a score in the 80s ---------------------------------------------
# (三) 新婚办证率 100% → 2.5; 持证生育率 95% < 100% → 0; 发生计划外生育 → 0; 无非法拾养 → 2.5; = 5
# 年终考核 = 90 − 5 = 85
# 90 × 30% = 27; 88 × 30% = 26.4; 85 × 40% = 34; 27 + 26.4 + 34 = 87.4 (still computed)
# 违反计划生育相关规定 = 是 → 一票否决: no grade, whatever the score
EXPECTED["交通技工学校"] = dict(
    items=items(婚育管理=5), base=85, components=(27, "26.4", 34), total="87.4", grade=None,
    vetoes=["计划生育一票否决"])

# ---- 交通信息中心: many misses, combined score exactly 70 ------------------------------------
# (一) 领导小组 否, 第一责任人 否, 专人 否 → 0
# (三) 新婚办证率 90% < 100% → 0; 持证生育率 100% → 2.5; 无计划外生育 2.5; 无非法拾养 2.5; = 7.5
# (四) 节育率 99.5%: 0.5 个百分点 × 5分 = 2.5 → 17.5
# (六) 一证先行 5, 检查租赁户和摆摊户 否 0; = 5
# (七) 审批表 5, 乡镇计生部门意见 否 0; = 5
# 年终考核 = 0 + 10 + 7.5 + 17.5 + 20 + 5 + 5 + 5 = 70
# 68 × 30% = 20.4; 72 × 30% = 21.6; 70 × 40% = 28; 20.4 + 21.6 + 28 = 70
# "低于80分（不含80分）—70分（含70分）" → 70 is in → 诫勉谈话
EXPECTED["交通信息中心"] = dict(
    items=items(综合治理=0, 婚育管理="7.5", 节育率="17.5", 流动人口管理=5, 临时工管理=5), base=70,
    components=("20.4", "21.6", 28), total=70, grade="诫勉谈话", vetoes=[])

# ---- 交通战备办公室: a fraction of a point, just under 90 ---------------------------------------
# (四) 节育率 99.7%: 0.3 个百分点 × 5分 = 1.5 → 18.5.  年终考核 = 90 − 1.5 = 88.5
# 91 × 30% = 27.3; 90 × 30% = 27; 88.5 × 40% = 35.4; 27.3 + 27 + 35.4 = 89.7
# 80 ≤ 89.7 < 90 → 取消评先
EXPECTED["交通战备办公室"] = dict(
    items=items(节育率="18.5"), base="88.5", components=("27.3", 27, "35.4"), total="89.7",
    grade="取消评先", vetoes=[])

# ---- 交通稽查支队: a little lost in several items ----------------------------------------------
# (一) 2 + 2 + 专人 否 0 = 4; (二) 3 + 3 + 完成任务 否 0 = 6
# (五) 妇检率 99.4%: 0.6 个百分点 × 5分 = 3 → 17; (八) 及时上报 2.5 + 台账 否 0 = 2.5
# 年终考核 = 4 + 6 + 10 + 20 + 17 + 10 + 10 + 2.5 = 79.5
# 82 × 30% = 24.6; 80 × 30% = 24; 79.5 × 40% = 31.8; 24.6 + 24 + 31.8 = 80.4 → 取消评先
EXPECTED["交通稽查支队"] = dict(
    items=items(综合治理=4, 学习教育=6, 妇检率=17, 资料档案="2.5"), base="79.5", components=("24.6", 24, "31.8"),
    total="80.4", grade="取消评先", vetoes=[])

UNITS = list(EXPECTED)


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(loaded):
    table = load_facts(FACTS, loaded.policy)
    assert [p.describe() for p in table.problems if not p.warning] == []
    settled = evaluate_all(loaded.policy, table.units)
    assert settled.failed == () and settled.problems == ()
    return {r.unit: r for r in settled.results}


def test_every_unit_scored(results):
    assert list(results) == UNITS


@pytest.mark.parametrize("unit", UNITS)
def test_items(results, unit):
    got = {item.name: item.score for item in results[unit].items}
    assert list(got) == [name for name, _ in ITEMS]
    for name, score in EXPECTED[unit]["items"].items():
        assert got[name] == score, f"{unit} {name}: got {got[name]}, hand {score}"


@pytest.mark.parametrize("unit", UNITS)
def test_year_end_score(results, unit):
    result = results[unit]
    expected = EXPECTED[unit]
    assert result.base == D(expected["base"])
    assert result.base == sum(expected["items"].values())
    assert (result.bonus, result.penalty, result.cut) == (0, 0, 0)


@pytest.mark.parametrize("unit", UNITS)
def test_combined_score(results, unit):
    result = results[unit]
    expected = EXPECTED[unit]
    assert [line.amount for line in result.components] == [D(v) for v in expected["components"]]
    assert result.total == D(expected["total"])
    assert result.total == sum(D(v) for v in expected["components"])


@pytest.mark.parametrize("unit", UNITS)
def test_grade_and_veto(results, unit):
    result = results[unit]
    expected = EXPECTED[unit]
    assert [v.name for v in result.vetoes] == expected["vetoes"]
    assert result.vetoed == bool(expected["vetoes"])
    assert result.grade == expected["grade"]
    assert result.ranks == ()  # the scheme ranks nobody; its outcomes follow the grade (below)


def test_every_grade_band_and_a_veto_are_exercised():
    grades = {e["grade"] for e in EXPECTED.values()}
    assert grades == {"参加评先", "取消评先", "诫勉谈话", "辞去领导职务", None}


def test_check_warns_that_the_items_add_up_to_90_not_100(loaded):
    assert [d.code for d in loaded.errors] == []
    (warning,) = loaded.warnings
    assert warning.code == "W402"
    assert warning.message == "各项目分值合计 90分，与满分 100分 不符"  # 5+10+10+20+20+10+10+5 = 90
    lines = POLICY.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.strip() == "满分 100分")
    assert (warning.span.line, warning.span.column) == (line, lines[line - 1].index("100分") + 1)
    policy = loaded.policy
    assert policy.header.full_marks.value == 100
    assert [(item.name, item.points.value) for item in policy.items] == [(n, D(p)) for n, p in ITEMS]


def test_cli_check_and_eval():
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(POLICY)])
    assert checked.exit_code == 0, checked.output
    assert "W402" in checked.output and "共 0 个错误，1 个警告" in checked.output
    evaluated = runner.invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert evaluated.exit_code == 0, evaluated.output
    for unit in UNITS:
        assert unit in evaluated.stdout, unit
    veto_lines = [line for line in evaluated.stdout.splitlines() if "交通技工学校" in line]
    assert veto_lines and "一票否决" in veto_lines[0]


# 三、奖惩 by grade — the grades worked out above decide them: 参加评先 (公路管理处 92.1,
# 道路运输管理处 90), 取消评先 (交通规费征稽处 84.9, 港航管理处 80, 交通稽查支队 80.4,
# 交通战备办公室 89.7), 诫勉谈话 (交通工程质量监督站 74.9, 交通信息中心 70), 辞去领导职务
# (城市客运管理处 63.8); 交通技工学校 is vetoed, so it gets no grade and none of them.
CONSEQUENCES = {
    "参加先进集体和优秀个人评选": {"公路管理处", "道路运输管理处"},
    "按50%计发奖金和补助": {"交通规费征稽处", "港航管理处", "交通稽查支队", "交通战备办公室"},
    "领导班子诫勉谈话": {"交通工程质量监督站", "交通信息中心"},
    "主要负责人辞去领导职务": {"城市客运管理处"},
}


@pytest.mark.parametrize("outcome", sorted(CONSEQUENCES))
def test_consequences_follow_the_grade(results, outcome):
    holders = {name for name, r in results.items() if any(a.name == outcome for a in r.outcomes)}
    assert holders == CONSEQUENCES[outcome]
