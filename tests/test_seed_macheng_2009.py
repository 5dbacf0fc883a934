"""麻城市人口和计划生育工作责任追究办法（麻发〔2009〕2号）— outcomes worked out BY HAND.

Every expected value below was worked out by hand from the row of the unit in
examples/macheng-2009/units.csv, the seed (003_63c29ad9a6c797d8.txt, lines 137–209) and the
comments of policies/macheng-2009.jhp; none was taken from the program's output.

What the policy does (see its comments):
- the only score is the given 目标管理年终考核综合结帐 (fact 考核结帐得分, 100-point scale),
  counted 1 point per point into the item 考核结帐 100分, so a unit's total equals its 考核结帐得分;
- 排名 综合结帐 ranks by total within each 分组 (乡镇办区 = "全市", 村（社区）, 机关企事业单位);
  competition ranks, ties share a place; "后两名" takes the last two places and every unit tied
  on them; it is handed out in every group, but only 乡镇办/开发区 suffer for it;
- "二孩" follows the seed's definition in 一票否决(2) "未满法定间隔期生育二孩的除外，下同": the
  800元 rule (经济处罚第2条, before the definition) counts 未满间隔期 births, later rules do not;
- 上否一级 passes 一票否决(3) from a unit to its 上级单位, one level only, never down;
- fines are negative money (罚款 800元 → −800); 扣发半个月标准工资 carries no amount.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.pipeline import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "macheng-2009.jhp"
FACTS = ROOT / "examples" / "macheng-2009" / "units.csv"

TOWNS = "乡镇办区"
VILLAGES = "村（社区）"
UNITS = "机关企事业单位"

# outcome names, as written in the policy (in the order they are written)
LAST_TWO = "综合结帐居后两名"
RECTIFY = "责令限期整改"
PAY_LAGGARD = "后进扣发半个月工资"
DEPOSIT_800 = "扣除计划生育责任款"
PAY_BIRTH = "违法生育扣发半个月工资"
FINE_2000 = "单位罚款"
VETO_RANK = "未完成指标且综合结帐居后两名"
PERSON_VETO = "生育当事人一票否决"
RESIGN = "引咎辞职或免职"
DISMISS = "开除公职解聘辞退"
DEMOTE = "降级或撤职处分"
DISCIPLINE = "行政处分"
PARTY_POST = "撤销村主职干部党内职务"
REPORT = "上报备案"
ORDER = [LAST_TWO, RECTIFY, PAY_LAGGARD, DEPOSIT_800, PAY_BIRTH, FINE_2000, VETO_RANK, PERSON_VETO,
         RESIGN, DISMISS, DEMOTE, DISCIPLINE, PARTY_POST, REPORT]

# veto names (一票否决 blocks; the rank-based one is the outcome VETO_RANK)
V_SEX_RATIO = "性别比连续两年居全市倒数第一"
V_VILLAGE_BIRTHS = "村违法生育二孩两例以上或多孩或漏报"
V_VILLAGE_MONITOR = "村孕情监控不落实"
V_VILLAGE_RATE = "村长效节育措施落实率低于70%"
V_VILLAGE_LAGGARD = "村未完成指标且为后进单位"
V_STAFF = "单位工作人员违法生育"
V_UNIT_LAGGARD = "单位未完成指标且为后进单位"
V_UNPUNISHED = "原有违法生育未落实处理"
V_HIRED = "用工对象或租房户违法生育"
V_RESTRUCTURED = "撤并改制前职工已违法生育"
V_DEPT_IDLE = "职能部门不制订措施又不履职"
V_DEPT_LAGGARD = "职能部门未完成指标且为后进单位"
V_ILLEGAL_TEST = "非法鉴定或终止妊娠"
V_FRAUD = "严重弄虚作假或干扰考核"
V_DEATH = "恶性案件致人死亡"
V_SEVERE = "严重违法生育造成恶劣影响"


def unit(total, rank, size, group, outcomes=(), vetoes=()):
    return dict(total=D(total), rank=rank, size=size, group=group, outcomes=list(outcomes), vetoes=list(vetoes))


EXPECTED: dict[str, dict] = {}

# ---- 乡镇办区: 20 units, "全市" -----------------------------------------------------------------
# 考核结帐得分 in descending order, competition ranks (ties share a place, the next place is skipped):
#   歧亭镇 97.5 → 1, 宋埠镇 96.3 → 2, 鼓楼街道办事处 95.2 → 3, 中馆驿镇 94.1 → 4,
#   龙池桥街道办事处 93.6 → 5, 白果镇 92.7 → 6, 南湖街道办事处 91.8 → 7, 木子店镇 91.1 → 8,
#   夫子河镇 90.4 → 9, 张家畈镇 90.0 → 10, 阎家河镇 89.6 → 11, 龟山镇 88.9 → 12, 顺河镇 88.0 → 13,
#   福田河镇 87.3 → 14, 麻城经济开发区 86.9 → 15, 乘马岗镇 86.2 → 16, 铁门岗乡 85.5 → 17,
#   三河口镇 84 and 盐田河镇 84.0 → both 18 (84 = 84.0), 黄土岗镇 82.5 → 20 (after 19 units).
# 后两名 counted from the bottom: 黄土岗镇 is last (1st from the bottom); 三河口镇 and 盐田河镇 tie
# for 2nd from the bottom → all three are "居后两名".
T = 20

EXPECTED["歧亭镇"] = unit("97.5", 1, T, TOWNS)  # the best town; no facts against it

# 宋埠镇: its own facts are clean, but 宋埠镇农业服务中心 (上级单位 宋埠镇) has a 未满间隔期 birth of a
# staff member → 一票否决(3) 单位工作人员违法生育, 上否一级 → 宋埠镇 is vetoed too.
# 本年受到一票否决 是 (that climbed veto) 且 上年受到一票否决 是 → 组织处理第1条 引咎辞职或免职.
EXPECTED["宋埠镇"] = unit("96.3", 2, T, TOWNS, [RESIGN], [V_STAFF])

EXPECTED["鼓楼街道办事处"] = unit("95.2", 3, T, TOWNS)  # parent of 东门社区, whose vetoes do not climb
EXPECTED["中馆驿镇"] = unit("94.1", 4, T, TOWNS)
EXPECTED["龙池桥街道办事处"] = unit("93.6", 5, T, TOWNS)
EXPECTED["白果镇"] = unit("92.7", 6, T, TOWNS)
EXPECTED["南湖街道办事处"] = unit("91.8", 7, T, TOWNS)

# 木子店镇: 乡镇办 (not 开发区), 性别比严重失衡 是, 本年居全市倒数第一 是, 上年居全市倒数第一 是,
# 明显改善 否 → 一票否决(1) 后一句 "连续两年居全市倒数第一". 上年未受否决 → no 引咎辞职.
EXPECTED["木子店镇"] = unit("91.1", 8, T, TOWNS, [], [V_SEX_RATIO])

EXPECTED["夫子河镇"] = unit("90.4", 9, T, TOWNS)
EXPECTED["张家畈镇"] = unit("90.0", 10, T, TOWNS)
EXPECTED["阎家河镇"] = unit("89.6", 11, T, TOWNS, [], [V_DEATH])  # (9) 恶性案件致人死亡 是

# 龟山镇: 完成责任指标 否, but 12th of 20, not among the last two → (1) needs both → nothing.
EXPECTED["龟山镇"] = unit("88.9", 12, T, TOWNS)
EXPECTED["顺河镇"] = unit("88.0", 13, T, TOWNS)

# 福田河镇: 严重失衡 是 and 上年倒数第一 是, but 本年 not last → not "连续两年" → no veto.
EXPECTED["福田河镇"] = unit("87.3", 14, T, TOWNS)

EXPECTED["麻城经济开发区"] = unit("86.9", 15, T, TOWNS, [], [V_FRAUD])  # (8) 严重弄虚作假 是
EXPECTED["乘马岗镇"] = unit("86.2", 16, T, TOWNS, [], [V_ILLEGAL_TEST])  # (7) 不积极查处 是

# 铁门岗乡: 乡镇办 with 检查发现问题较多且工作措施不力 → (一)1 责令限期整改; a 乡 is a 国家机关,
# 玩忽职守… 是 → 组织处理第4条 行政处分. No veto.
EXPECTED["铁门岗乡"] = unit("85.5", 17, T, TOWNS, [RECTIFY, DISCIPLINE])

# 三河口镇: 后两名 (tied 18th) 且 完成责任指标 否 → 经济处罚第1条 扣发半个月工资 and 一票否决(1);
# also (10) 严重违法生育造成恶劣影响 是 → a second veto. 上年未受否决 → no 引咎辞职.
EXPECTED["三河口镇"] = unit("84", 18, T, TOWNS, [LAST_TWO, PAY_LAGGARD, VETO_RANK], [V_SEVERE, VETO_RANK])

# 盐田河镇: tied 18th → 后两名, but 完成责任指标 是 → neither 扣发 nor veto (both need 未完成).
# 上年受到一票否决 是 but not vetoed this year → no 引咎辞职.
EXPECTED["盐田河镇"] = unit("84.0", 18, T, TOWNS, [LAST_TWO])

# 黄土岗镇: last (20th) 且 完成责任指标 否 → 扣发 and 一票否决(1). Its village 小漆园村 is vetoed,
# but village vetoes do not climb (上否一级 is only for (3)).
EXPECTED["黄土岗镇"] = unit("82.5", 20, T, TOWNS, [LAST_TWO, PAY_LAGGARD, VETO_RANK], [VETO_RANK])

# ---- 村（社区）: 6 units --------------------------------------------------------------------
# 考核结帐得分: 杏花村 96.0 → 1, 东门社区 90.0 → 2, 彭店村 88.5 → 3, 石头板村 85.0 → 4,
# 小漆园村 80.0 → 5, 龟峰村 71.0 → 6. The last two (龟峰村, 小漆园村) get 综合结帐居后两名,
# which has no consequence for a village (the rules that use it ask for 乡镇办/开发区).
V = 6

# 杏花村: no births, 长效节育措施落实率 92.5% ≥ 70% → nothing.
EXPECTED["歧亭镇杏花村"] = unit("96.0", 1, V, VILLAGES)

# 东门社区: 漏报违法生育 1 > 0 → (2) first clause; 孕情监控不落实 是 → (2) second clause.
#   800元: 二孩 0 + 未满间隔 0 + 多孩 0 = 0 → no (its 其他违法生育 1 is not 二孩及以上).
#   本年 是 且 上年 是 → 引咎辞职或免职. 上报备案: 溺弃女婴等案件未落实查处 是.
EXPECTED["鼓楼街道东门社区"] = unit("90.0", 2, V, VILLAGES, [RESIGN, REPORT], [V_VILLAGE_BIRTHS, V_VILLAGE_MONITOR])

# 彭店村: 违法生育二孩 1 例: 800元 (1 + 0 + 0 = 1 > 0); not "两例以上" (1 < 2) → no veto;
#   当事人 (1 + 0 > 0) → 生育当事人一票否决; 上报备案 (二孩及多孩 1 > 0).
#   上年后进 是 but 本年 not 后进 → no 撤销党内职务.
EXPECTED["宋埠镇彭店村"] = unit("88.5", 3, V, VILLAGES, [DEPOSIT_800, PERSON_VETO, REPORT])

# 石头板村: 未满间隔期生育二孩 1: 800元 (0 + 1 + 0 = 1 > 0, before "下同"); no (2) veto and no
#   当事人/备案 for it (后文 "二孩" 不含未满间隔期: 0 + 0 = 0). 长效节育措施落实率 68.5% < 70% → veto.
EXPECTED["木子店镇石头板村"] = unit("85.0", 4, V, VILLAGES, [DEPOSIT_800], [V_VILLAGE_RATE])

# 小漆园村: 后两名 (5th of 6); 违法生育二孩 2 例 ≥ 两例 → veto; 800元 (2 > 0); 当事人; 备案.
#   长效节育措施落实率 70%: "低于70%" does not include 70% → no veto for it.
EXPECTED["黄土岗镇小漆园村"] = unit("80.0", 5, V, VILLAGES, [LAST_TWO, DEPOSIT_800, PERSON_VETO, REPORT],
                                  [V_VILLAGE_BIRTHS])

# 龟峰村: last (6th); 完成责任指标 否 且 后进单位 是 → (2) last clause; 后进 且 上年后进 →
#   撤销党内职务; 后进 → 上报备案. (4) is for 机关、团体、企事业单位, not villages.
EXPECTED["龟山镇龟峰村"] = unit("71.0", 6, V, VILLAGES, [LAST_TWO, PARTY_POST, REPORT], [V_VILLAGE_LAGGARD])

# ---- 机关企事业单位: 10 units ---------------------------------------------------------------
# 考核结帐得分: 市卫生局 93.0 → 1, 市第一中学 92.0 → 2, 市公安局 91.0 → 3, 市人民医院 90.0 → 4,
# 宋埠镇农业服务中心 89.0 → 5, 市民政局 88.0 → 6, 麻城市自来水公司 87.0 → 7, 麻城市棉纺厂 86.0 → 8,
# 市教育局 85.5 → 9, 麻城市石材开发有限公司 80.0 → 10. Last two: 石材公司, 市教育局 (no consequence).
U = 10

# 市卫生局: own facts clean; 市人民医院 (上级单位 市卫生局) has a staff 违法生育 → (3) 上否一级.
EXPECTED["市卫生局"] = unit("93.0", 1, U, UNITS, [], [V_STAFF])

# 市第一中学: clean; its 上级 市教育局 is vetoed, but a veto never passes down.
EXPECTED["市第一中学"] = unit("92.0", 2, U, UNITS)

# 市公安局: 职能部门, 没有制订制度措施 且 不认真履职 且 造成不利影响 → (6) first clause;
#   不认真履职 且 经帮助仍无转变 → (一)4 责令限期整改.
EXPECTED["市公安局"] = unit("91.0", 3, U, UNITS, [RECTIFY], [V_DEPT_IDLE])

# 市人民医院 (事业单位): 违法生育二孩 1 → (3) veto (and 上否一级 to 市卫生局);
#   经济处罚第3条 扣发半个月工资 (事业单位, 1 > 0); 第4条 罚款 2000元 (lower end of 2000–5000);
#   (11) 当事人 (1 > 0); 组织处理第2条 开除公职 (二孩 1 > 0).
EXPECTED["市人民医院"] = unit("90.0", 4, U, UNITS, [PAY_BIRTH, FINE_2000, PERSON_VETO, DISMISS], [V_STAFF])

# 宋埠镇农业服务中心 (事业单位, 上级 宋埠镇): 未满间隔期生育二孩 1 → 违法生育 (0+1+0+0 = 1 > 0):
#   (3) veto, 上否一级 to 宋埠镇; 扣发半个月工资; 罚款 2000元. But "二孩" 不含未满间隔期 →
#   no 当事人一票否决, no 开除公职 (0 + 0 = 0).
EXPECTED["宋埠镇农业服务中心"] = unit("89.0", 5, U, UNITS, [PAY_BIRTH, FINE_2000], [V_STAFF])

# 市民政局: 拒不落实关爱女孩及奖励优待政策 → (一)3 责令限期整改; no veto.
EXPECTED["市民政局"] = unit("88.0", 6, U, UNITS, [RECTIFY])

# 麻城市自来水公司 (国有企业): 违法生育未落实处理 → (4) second clause; 用工对象或租房户违法生育 1
#   → (5) first clause. No staff birth → no (3), no 扣发, no 罚款.
EXPECTED["麻城市自来水公司"] = unit("87.0", 7, U, UNITS, [], [V_UNPUNISHED, V_HIRED])

# 麻城市棉纺厂 (国有企业): 改制前职工已违法生育 → (5) second clause.
EXPECTED["麻城市棉纺厂"] = unit("86.0", 8, U, UNITS, [], [V_RESTRUCTURED])

# 市教育局: 9th → 后两名 (no consequence by itself); 机关团体 且 后进单位 → 经济处罚第1条 扣发;
#   完成责任指标 否 且 后进 → (4) first clause and, as a 职能部门, (6) second clause.
EXPECTED["市教育局"] = unit("85.5", 9, U, UNITS, [LAST_TWO, PAY_LAGGARD], [V_UNIT_LAGGARD, V_DEPT_LAGGARD])

# 石材公司 (非公企业, no 上级单位): last → 后两名; 其他违法生育 1 → (3) veto (nowhere to climb);
#   罚款 2000元 (第4条 covers every 单位); no 扣发 (第3条 is 机关、团体、事业单位和国有企业 only);
#   不履行协助管理义务 → 降级或撤职处分.
EXPECTED["麻城市石材开发有限公司"] = unit("80.0", 10, U, UNITS, [LAST_TWO, FINE_2000, DEMOTE], [V_STAFF])

# money attached to outcomes: 罚款 800元 (each person) and 罚款 2000元; 扣发半个月工资 has no amount
MONEY = {DEPOSIT_800: D(-800), FINE_2000: D(-2000)}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def holders(results, outcome: str) -> set[str]:
    return {name for name, r in results.items() if any(a.name == outcome for a in r.outcomes)}


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_check_reports_nothing(loaded):
    assert [(d.code, d.message) for d in loaded.diagnostics] == []
    result = CliRunner().invoke(main, ["check", str(POLICY)])
    assert result.exit_code == 0, result.output
    assert "共 0 个错误，0 个警告" in result.output


def test_every_unit_settled(settled, results):
    assert settled.failed == ()
    assert settled.problems == ()
    assert sorted(results) == sorted(EXPECTED)
    assert len(results) == 20 + 6 + 10


@pytest.mark.parametrize("name", list(EXPECTED))
def test_total_is_the_given_settlement_score(results, name):
    result = results[name]
    total = EXPECTED[name]["total"]
    # 考核结帐 100分: 按 考核结帐得分 每 1 计 1分 → the score itself; nothing else adds or deducts
    assert result.total == total
    assert result.base == total
    assert (result.bonus, result.penalty, result.cut) == (D(0), D(0), D(0))
    assert result.grade is None  # 本办法不评等次


@pytest.mark.parametrize("name", list(EXPECTED))
def test_rank(results, name):
    expected = EXPECTED[name]
    (place,) = results[name].ranks
    assert (place.ranking, place.rank, place.size, place.group) == ("综合结帐", expected["rank"], expected["size"],
                                                                    expected["group"])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_outcomes(results, name):
    got = [a.name for a in results[name].outcomes]
    expected = EXPECTED[name]["outcomes"]
    assert got == sorted(expected, key=ORDER.index), name  # handed out in the order they are written
    for award in results[name].outcomes:
        assert award.money == MONEY.get(award.name), (name, award.name)
        assert award.veto == (award.name == VETO_RANK)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_vetoes(results, name):
    result = results[name]
    assert Counter(v.name for v in result.vetoes) == Counter(EXPECTED[name]["vetoes"])
    assert result.vetoed == bool(EXPECTED[name]["vetoes"])


def test_last_two_of_every_group(results):
    # 乡镇办区: 黄土岗镇 last, 三河口镇 and 盐田河镇 tied 2nd from the bottom; 村: 龟峰村, 小漆园村;
    # 单位: 石材公司, 市教育局
    assert holders(results, LAST_TWO) == {"黄土岗镇", "三河口镇", "盐田河镇", "龟山镇龟峰村", "黄土岗镇小漆园村",
                                          "麻城市石材开发有限公司", "市教育局"}
    tied = next(a for a in results["盐田河镇"].outcomes if a.name == LAST_TWO)
    assert "第 18 名" in tied.reason and "倒数第 2 名" in tied.reason


def test_rank_based_veto_needs_both_conditions(results):
    # 后两名 且 未完成: 三河口镇, 黄土岗镇. Not 盐田河镇 (完成), not 龟山镇 (not last two),
    # not 村 or 单位 in their groups' last two (not 乡镇办/开发区).
    assert holders(results, VETO_RANK) == {"三河口镇", "黄土岗镇"}
    # 扣发半个月工资 (经济处罚第1条): the same two towns plus the 后进 部门 市教育局
    assert holders(results, PAY_LAGGARD) == {"三河口镇", "黄土岗镇", "市教育局"}


def test_veto_climbs_one_level_to_the_parent(results):
    (hospital,) = results["市卫生局"].vetoes
    assert hospital.name == V_STAFF
    assert "下级单位「市人民医院」" in hospital.reason and "上否一级" in hospital.reason
    (centre,) = results["宋埠镇"].vetoes
    assert "下级单位「宋埠镇农业服务中心」" in centre.reason
    # the other vetoes of children do not climb: 市第一中学's parent 市教育局 has only its own two;
    # villages' vetoes stay with the village (黄土岗镇 has only its rank-based veto)
    assert all("下级单位" not in v.reason for v in results["黄土岗镇"].vetoes)
    assert all("下级单位" not in v.reason for v in results["鼓楼街道办事处"].vetoes)


def test_money(results):
    # 800元 for villages with 二孩及以上 births incl. 未满间隔期: 彭店村 (1), 小漆园村 (2), 石头板村 (间隔 1)
    assert holders(results, DEPOSIT_800) == {"宋埠镇彭店村", "黄土岗镇小漆园村", "木子店镇石头板村"}
    # 2000元 for any 单位 whose staff gave birth illegally: 人民医院 (二孩), 农业服务中心 (间隔), 石材公司 (其他)
    assert holders(results, FINE_2000) == {"市人民医院", "宋埠镇农业服务中心", "麻城市石材开发有限公司"}
    fines = sum(a.money for r in results.values() for a in r.outcomes if a.money is not None)
    assert fines == D(-(3 * 800 + 3 * 2000))  # −8400


def test_this_years_veto_fact_matches_the_vetoes(results):
    # 本年受到一票否决 is filled from the vetoes this policy gives (the language cannot ask for it):
    # the CSV must agree with them, climbed and rank-based vetoes included
    table = load_facts(FACTS, load_policy(POLICY).policy)
    filled = {u.name for u in table.units if u.values["本年受到一票否决"]}
    assert filled == {name for name, e in EXPECTED.items() if e["vetoes"]}
    assert filled == {name for name, r in results.items() if r.vetoed}


def test_escalation_after_two_vetoed_years(results):
    # 宋埠镇 (vetoed by climbing) and 东门社区: vetoed this year and last year.
    # 盐田河镇: vetoed last year only; 黄土岗镇: this year only.
    assert holders(results, RESIGN) == {"宋埠镇", "鼓楼街道东门社区"}


def test_cli_eval_runs():
    result = CliRunner().invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert result.exit_code == 0, result.output
    for name in EXPECTED:
        assert name in result.stdout, name
