"""集团2015年度人口和计划生育工作开展情况报告 (group-selfcheck) — outcomes worked out BY HAND.

Seed: seed file 002_9eb4765fcbf83373.txt lines 12–76 (六城投党发〔2015〕30号). The only
scoring rule of the report is in 一、（二）: "集团将计划生育工作与年度绩效考核挂购，出现违规情况
扣减20%的考核得分". policies/group-selfcheck.jhp models it as

- base = the unit's 年度绩效考核得分 (a given fact, 百分制: 1 point per point, at most 100);
- 扣减 20% once if any 违规情况 occurs: one of the report's work requirements is not met
  (落实领导责任, 参加两次专题会议, 参加街道例会, 参加宣传教育, 按月上报, 每名员工一份档案,
  已婚育龄人群台帐, 组织体检, 四项信息及时上报, 资料装订专人保管) or one of the things the
  report says did not happen does happen (漏查, 保健费漏发错发, 查实的瞒报漏报错报, 计生信访案件,
  政策外生育);
- no bonus, penalty section, veto, grade or ranking (the report has none).

Every expected number below was computed by hand from the row of the unit in
examples/group-selfcheck/units.csv; none was taken from the program's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "group-selfcheck.jhp"
FACTS = ROOT / "examples" / "group-selfcheck" / "units.csv"


# unit → (年度绩效考核得分 = base, cut, total)
EXPECTED: dict[str, tuple[str, str, str]] = {
    # every requirement met (会议 2 次 ≥ 2; 档案 9 份 = 员工 9 人; no 漏查/漏发/瞒报/信访/政策外生育)
    # → no cut: 95.5 − 0 = 95.5
    "综合办公室": ("95.5", "0", "95.5"),
    # every requirement met, 绩效 100 (full marks) → 100
    "党群工作部": ("100", "0", "100"),
    # 独生子女保健费漏发错发 1 人 > 0 ("无一漏发、错发" broken) → 违规:
    # 92 × 20% = 18.4; 92 − 18.4 = 73.6
    "人力资源部": ("92", "18.4", "73.6"),
    # every requirement met → 90.25
    "财务管理部": ("90.25", "0", "90.25"),
    # 参加计生专题会议 1 次 < 2 ("召开两次计生专题会议") → 违规:
    # 88.66 × 20% = 17.732; 88.66 − 17.732 = 70.928 (shown 70.93, 四舍五入 to 2 places)
    "投资发展部": ("88.66", "17.732", "70.928"),
    # 计生档案 13 份 < 员工 14 人 (档案未建立健全) → 违规: 86.5 × 20% = 17.3; 86.5 − 17.3 = 69.2
    "工程管理部": ("86.5", "17.3", "69.2"),
    # exactly at the thresholds: 会议 2 次 (not < 2), 档案 5 = 员工 5 (not <) → no cut: 93
    "审计法务部": ("93", "0", "93"),
    # four 违规 at once (未按月上报, 四项信息上报不及时, 查实瞒报 1 件, 政策外生育 1 人), but the
    # seed cuts 20% once: 89 × 20% = 17.8; 89 − 17.8 = 71.2 (not 89 × 0.8⁴)
    "资产经营部": ("89", "17.8", "71.2"),
    # 档案 48 份 ≥ 员工 46 人 (more files than staff is fine); 会议 3 次 ≥ 2 → no cut: 94
    "城投置业有限公司": ("94", "0", "94"),
    # 政策外生育 1 人 ("无一例政策外生育" broken) → 91 × 20% = 18.2; 91 − 18.2 = 72.8
    "城投建设工程有限公司": ("91", "18.2", "72.8"),
    # 未组织女员工体检, 孕环情漏查 2 人, 计生信访案件 1 件 → one cut:
    # 84.35 × 20% = 16.87; 84.35 − 16.87 = 67.48
    "城投物业管理有限公司": ("84.35", "16.87", "67.48"),
    # 未落实领导责任, 未按时参加街道例会 → 60 × 20% = 12; 60 − 12 = 48
    "城投水务有限公司": ("60", "12", "48"),
    # 未参加街道社区宣传教育, 未建已婚育龄人群台帐, 资料未装订专人保管 →
    # 87.4 × 20% = 17.48; 87.4 − 17.48 = 69.92
    "城投园林绿化有限公司": ("87.4", "17.48", "69.92"),
}

HEADQUARTERS = ["综合办公室", "党群工作部", "人力资源部", "财务管理部", "投资发展部", "工程管理部",
                "审计法务部", "资产经营部"]


@pytest.fixture(scope="module")
def table(loaded):
    facts = load_facts(FACTS, loaded.policy)
    assert [p.describe() for p in facts.problems] == []
    return facts


@pytest.fixture(scope="module")
def results(loaded, table):
    settled = evaluate_all(loaded.policy, table.units)
    assert settled.problems == ()
    return {r.unit: r for r in settled.results}


def test_check_reports_no_errors_and_no_warnings(loaded):
    assert [d.code for d in loaded.errors] == []
    assert [d.code for d in loaded.diagnostics] == []
    policy = loaded.policy
    assert policy.header.full_marks.value == 100
    assert [(i.name, i.points.value) for i in policy.items] == [("年度绩效考核", D(100))]
    (cut,) = policy.share_cuts
    assert cut.share.value == 20  # 扣减20%的考核得分


def test_every_unit_scored(results, table):
    assert list(results) == list(EXPECTED)
    groups = {u.name: u.group for u in table.units}
    assert [u for u in EXPECTED if groups[u] == "集团本部"] == HEADQUARTERS
    # 建立集团干部员工档案65份: the eight departments of 集团本部 have 65 staff together
    # 9 + 6 + 5 + 8 + 7 + 14 + 5 + 11 = 65
    staff = {u.name: u.values["员工人数"] for u in table.units}
    assert sum(staff[u] for u in HEADQUARTERS) == 65


@pytest.mark.parametrize("unit", list(EXPECTED))
def test_base_cut_total(results, unit):
    base, cut, total = (D(v) for v in EXPECTED[unit])
    result = results[unit]
    (item,) = result.items
    assert item.name == "年度绩效考核" and item.score == base
    assert result.base == base
    assert result.bonus == 0 and result.penalty == 0
    assert result.cut == cut
    assert result.total == total
    assert result.total == base - cut
    # one 扣减 at most, however many 违规 there are
    assert len(result.cut_lines) == (1 if cut else 0)


@pytest.mark.parametrize("unit", list(EXPECTED))
def test_nothing_else_is_decided(results, unit):
    result = results[unit]
    assert result.vetoes == () and not result.vetoed
    assert result.grade is None  # the report sets no 等次
    assert result.eligible is None and result.ineligible == ()
    assert result.ranks == () and result.outcomes == ()


def test_the_cut_is_a_fifth_of_the_score(results):
    # 扣减 20%: the total is four fifths of the 绩效考核得分 whenever there is a 违规
    for unit, (base, cut, _total) in EXPECTED.items():
        if D(cut):
            assert results[unit].total == D(base) * D("0.8"), unit


def test_cli_check_and_eval():
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(POLICY)])
    assert checked.exit_code == 0, checked.output
    assert "0 个错误，0 个警告" in checked.output
    evaluated = runner.invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert evaluated.exit_code == 0, evaluated.output
    for unit in EXPECTED:
        assert unit in evaluated.stdout, unit
    line = next(row for row in evaluated.stdout.splitlines() if "投资发展部" in row)
    assert "70.93" in line  # 70.928 rounded half-up to 小数位 2
