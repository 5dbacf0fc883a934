"""2016计划生育目标管理考核方案 第1篇 (city-township-a), 乡镇综合考核 — worked out BY HAND.

Every expected number below was computed by hand from the rows of examples/city-township-a/
units.csv, the seed (002_9eb4765fcbf83373.txt, lines 317–457) and the comments of
policies/city-township-a.jhp; none was taken from the program's output.

Conventions of the policy used in the arithmetic (see the comments in the .jhp file):
- each leaf of the seven 月积分 items scores the office's figure, 1 point per 1 (the seed
  gives the weights only): 20 / 10 / 10 / 10 / 20 (10 + 10) / 10 / 20 (5 + 4 + 8 + 3);
- 加分: 省工作会议现场 as the province gave it, 市工作会议现场 1, 全国优质服务站所 3,
  全省优质服务站所 1 — "以上三项加分不超过5分";
- 减分 第1—4款, capped together at 15 ("上述累计减分不超过15分"): 干扰调查 as the province
  counts it; 严重违纪 6 (+2 领导批示); 非法关押殴打 2/起, 乱收费 1/起, 情节严重 +1/起,
  未纠正 +1/起; 医疗责任事故 2; errors 一二孩 2, 多孩 3, 上环 1, 结扎 2, 补救 1, 三项制度 2,
  孕前优生 2 per case; 省考核 problems at the provincial figure, doubled ("加倍扣分");
- 第5款 信访倒扣分 is a separate penalty outside the 15-point cap;
- total = base + bonus − penalty; no grades (the seed gives none for townships);
- outcomes in the order written: 重点管理 (bottom 5, and by the named cases; each a veto),
  重点帮助 (last in each 县区, 顺延 past any 重点管理), 连续两年 escalations, 先进 (top 15,
  passing over vetoed units), 表彰 (top 5 per line), 通报批评 / 单项预警 (bottom 3 / bottom 1
  per line); single-line rankings break ties by the total (lower total is further behind).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from seedkit import D, assert_cli_clean

from jhdsl.facts import load_facts
from jhdsl.interpreter import ItemResult, SectionResult, UnitResult, resolve_params
from jhdsl.outcomes import evaluate_all

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "city-township-a.jhp"
FACTS = ROOT / "examples" / "city-township-a" / "units.csv"


# ---------------------------------------------------------------------------------------------
# Totals of all 26 townships, by hand. Base = sum of the 11 leaf figures of the row
# (低生育 + 人口质量 + 流动人口 + 孕前优生 + 性别比孕情 + 两非平台 + 满意度 + 村为主 + 社会抚养费
#  + 利益导向 + 队伍建设); then + bonus − penalty.
# ---------------------------------------------------------------------------------------------

TOTALS = {
    # 河东县
    "城关镇": 105,  # 20+10+10+10+10+10+10+5+4+8+3 = 100; bonus 3+1+3 = 7 → 上限 5; 100 + 5
    "王集镇": 93,  # 18.5+9+9.5+9.5+9.5+9.5+9+4.5+3.5+7.5+3 = 93
    "李庄镇": 91,  # 18.5+9+9+9+9.5+9.5+9+4.5+3.5+7.5+3 = 92; 上环虚报 1例 × 1 = 1; 92 − 1
    "张楼镇": 89,  # 18.5+9+9+9+9+9+9+4.5+3.5+7.5+3 = 91; 医疗责任事故 2; 91 − 2
    "双沟镇": 86,  # 17+8.5×5+9.5+4+3.5+7+2.5 = 86
    "刘圩镇": 80,  # 16+8×5+9+4+3+7+3 = 82; 结扎虚报 1例 × 2 = 2; 82 − 2
    "陈湖乡": 61,  # 15+8+7+9+7+8+7.5+4+3+7+2.5 = 78; 违法违纪减分 20 → 15; 信访 2; 78 − 15 − 2
    # 河西县
    "西关镇": D("96.5"),  # 19.5+10+10+10+9.5+10+9.5+5+4+8+3 = 98.5; 乱收费 1×1 + 未纠正 1×1 = 2
    "赵集镇": D("92.5"),  # 19+9.5×6+5+3.5+7.5+2.5 = 94.5; 一二孩错漏 1例 × 2 = 2
    "周寨镇": D("90.5"),  # 18+9×6+4.5+3.5+7.5+3 = 90.5
    "吴桥镇": 88,  # 18+9+8.5+9+9+8.5+7.5+4+3.5+8+3 = 88
    "孙庙乡": 85,  # 17+8.5×5+9+4+3.5+7+3 = 86; 补救措施虚报 1例 × 1 = 1
    "大杨镇": 78,  # 16+8+7.5+8+8+8+8+4+3+7+2.5 = 80; 干扰调查 2
    "郑庄乡": 72,  # 16+8+8+8+7.5+8+8+4+3+7+2.5 = 80; 省考核 1.5 × 2 = 3, 多孩 3, 三项制度 2 → 8
    # 山南县
    "南城镇": D("95.5"),  # 19+9.5×6+5+3.5+7.5+2.5 = 94.5; 市工作会议现场 +1
    "马店镇": 94,  # 19+9.5+9+9.5+9.5+9.5+9.5+5+3.5+7.5+2.5 = 94
    "朱楼镇": 92,  # 18+9+9.5+9.5+9.5+9+9.5+4.5+3.5+7.5+2.5 = 92
    "胡集镇": D("89.5"),  # 18+9+8.5+8.5+9+9+9+4.5+3.5+7.5+3 = 89.5
    "高塘乡": 87,  # 17.5+8.5+9+9+8.5+9+9+4+3.5+7+2 = 87
    "林湾镇": 83,  # 16.5+8.5+8.5+8+8+8.5+8.5+4+3+7+2.5 = 83
    # 城北区
    "北关街道": 98,  # 19+10+10+9.5+10+10+10+5+4+7.5+3 = 98 (一票否决: 重大责任事故)
    "东苑街道": 94,  # 18.5+9.5+10+9.5+9+9.5+9.5+4.5+3.5+7+2.5 = 93; 全省优质服务站所 +1
    "何庄镇": 90,  # 19+9.5+9.5+9+9.5+9+9+4.5+3.5+7.5+3 = 93; 非法关押 1×2 + 情节严重 1×1 = 3
    "罗岗镇": D("88.5"),  # 17.5+9×5+8.5+4.5+3.5+7+2.5 = 88.5
    "梁集镇": 84,  # 17+8.5+8+8.5+8.5+8+8.5+4+3+7+3 = 84
    "宋寨乡": 75,  # 18+8.5+8+8.5+6.5+8+8.5+4+3.5+7+2.5 = 83; 严重违纪 6 + 领导批示 2 = 8
}

COUNTY = {
    **dict.fromkeys(["城关镇", "王集镇", "李庄镇", "张楼镇", "双沟镇", "刘圩镇", "陈湖乡"], "河东县"),
    **dict.fromkeys(["西关镇", "赵集镇", "周寨镇", "吴桥镇", "孙庙乡", "大杨镇", "郑庄乡"], "河西县"),
    **dict.fromkeys(["南城镇", "马店镇", "朱楼镇", "胡集镇", "高塘乡", "林湾镇"], "山南县"),
    **dict.fromkeys(["北关街道", "东苑街道", "何庄镇", "罗岗镇", "梁集镇", "宋寨乡"], "城北区"),
}

# 综合排名, from the totals above (competition ranking: 马店镇 and 东苑街道 tie at 94 and share
# 5th place; the next, 王集镇 at 93, is 7th).
OVERALL = {
    "城关镇": 1, "北关街道": 2, "西关镇": 3, "南城镇": 4, "马店镇": 5, "东苑街道": 5, "王集镇": 7,
    "赵集镇": 8, "朱楼镇": 9, "李庄镇": 10, "周寨镇": 11, "何庄镇": 12, "胡集镇": 13, "张楼镇": 14,
    "罗岗镇": 15, "吴桥镇": 16, "高塘乡": 17, "双沟镇": 18, "孙庙乡": 19, "梁集镇": 20, "林湾镇": 21,
    "刘圩镇": 22, "大杨镇": 23, "宋寨乡": 24, "郑庄乡": 25, "陈湖乡": 26,
}

# 县区内排名 (rank, size of the county)
IN_COUNTY = {
    # 河东县: 105, 93, 91, 89, 86, 80, 61
    "城关镇": (1, 7), "王集镇": (2, 7), "李庄镇": (3, 7), "张楼镇": (4, 7), "双沟镇": (5, 7),
    "刘圩镇": (6, 7), "陈湖乡": (7, 7),
    # 河西县: 96.5, 92.5, 90.5, 88, 85, 78, 72
    "西关镇": (1, 7), "赵集镇": (2, 7), "周寨镇": (3, 7), "吴桥镇": (4, 7), "孙庙乡": (5, 7),
    "大杨镇": (6, 7), "郑庄乡": (7, 7),
    # 山南县: 95.5, 94, 92, 89.5, 87, 83
    "南城镇": (1, 6), "马店镇": (2, 6), "朱楼镇": (3, 6), "胡集镇": (4, 6), "高塘乡": (5, 6), "林湾镇": (6, 6),
    # 城北区: 98, 94, 90, 88.5, 84, 75
    "北关街道": (1, 6), "东苑街道": (2, 6), "何庄镇": (3, 6), "罗岗镇": (4, 6), "梁集镇": (5, 6), "宋寨乡": (6, 6),
}

# ---------------------------------------------------------------------------------------------
# Every outcome, by hand, in the order the policy writes them.
# ---------------------------------------------------------------------------------------------

# 重点管理 = 综合排名 后 5名: ranks 22–26 = 刘圩镇 80, 大杨镇 78, 宋寨乡 75, 郑庄乡 72, 陈湖乡 61.
MANAGED = ["刘圩镇", "陈湖乡", "大杨镇", "郑庄乡", "宋寨乡"]
# 因行政侵权引发重大恶性案件: only 何庄镇 (rank 12) — 重点管理 although far from the bottom.
MANAGED_CASE = ["何庄镇"]
# 重点帮助 = last in each 县区, 顺延 past units already 重点管理:
#   河东县: last 陈湖乡 (重点管理), then 刘圩镇 (重点管理) → 双沟镇 (5th of 7), passed down twice;
#   河西县: last 郑庄乡 (重点管理), then 大杨镇 (重点管理) → 孙庙乡 (5th of 7), passed down twice;
#   山南县: last 林湾镇 is not 重点管理 → 林湾镇 itself, no hand-down;
#   城北区: last 宋寨乡 (重点管理) → next 梁集镇 (5th of 6); 何庄镇 (重点管理（恶性案件）) is
#           above 梁集镇 anyway, but is also among those passed over.
HELPED = ["双沟镇", "孙庙乡", "林湾镇", "梁集镇"]
# 连续两年重点帮助 → 重点管理: 林湾镇 (重点帮助 now, 上年重点帮助 = 是). 高塘乡 was 重点帮助 last
# year too, but is not this year (5th of 6 in 山南县): nothing.
ESCALATED = ["林湾镇"]
# 连续两年重点管理 → 免职: 宋寨乡 (重点管理 now, 上年重点管理 = 是). 梁集镇 was 重点管理 last
# year, but this year is only 重点帮助: nothing.
DISMISSED = ["宋寨乡"]
# 先进 = 综合排名 前 15名 among units not vetoed: 北关街道 (2nd, 重大责任事故) and 何庄镇 (12th,
# 重点管理（恶性案件）) are passed over, so the 15 run down to 高塘乡 (17th overall, 15th among the
# candidates; 马店镇 and 东苑街道 share the 4th candidate place, which leaves no gap at 15).
ADVANCED = ["城关镇", "王集镇", "李庄镇", "张楼镇", "西关镇", "赵集镇", "周寨镇", "吴桥镇",
            "南城镇", "马店镇", "朱楼镇", "胡集镇", "高塘乡", "东苑街道", "罗岗镇"]
# 流动人口表彰 (前 5名, by 流动人口 score, ties by total; vetoed units passed over):
#   10: 城关镇 105, 西关镇 96.5, 东苑街道 94 (北关街道 98 vetoed);
#   9.5: 南城镇 95.5, 王集镇 93 | 赵集镇 92.5, 朱楼镇 92 (何庄镇 vetoed) → 城关, 西关, 东苑, 南城, 王集.
MIGRANT_HONOUR = ["城关镇", "王集镇", "西关镇", "南城镇", "东苑街道"]
# 性别比表彰 (item 关爱女孩综合治理性别比 = 性别比孕情 + 两非平台):
#   20: 城关镇 (北关街道 vetoed); 19.5: 西关镇; 19: 南城镇 95.5, 马店镇 94, 王集镇 93 | 赵集镇 92.5,
#   李庄镇 91 → 城关, 西关, 南城, 马店, 王集.
SEX_RATIO_HONOUR = ["城关镇", "王集镇", "西关镇", "南城镇", "马店镇"]
# 满意度表彰: 10: 城关镇 (北关街道 vetoed); 9.5: 西关镇 96.5, 南城镇 95.5, 马店镇 94 = 东苑街道 94
# (equal in both keys: they share the 4th place, both within 5) | 赵集镇 92.5 is 6th.
SATISFACTION_HONOUR = ["城关镇", "西关镇", "南城镇", "马店镇", "东苑街道"]
# 流动人口 后 3名: 陈湖乡 7; 大杨镇 7.5; then four at 8 — 梁集镇 84, 刘圩镇 80, 宋寨乡 75, 郑庄乡 72 —
# of which the lowest total, 郑庄乡, is furthest behind → 陈湖乡, 大杨镇, 郑庄乡; last = 陈湖乡.
MIGRANT_CRITICISED = ["陈湖乡", "大杨镇", "郑庄乡"]
MIGRANT_WARNED = ["陈湖乡"]
# 性别比 后 3名: 宋寨乡 6.5+8 = 14.5; 陈湖乡 7+8 = 15; 郑庄乡 7.5+8 = 15.5 (next: 刘圩镇, 大杨镇 16).
SEX_RATIO_CRITICISED = ["陈湖乡", "郑庄乡", "宋寨乡"]
SEX_RATIO_WARNED = ["宋寨乡"]
# 满意度 后 3名 (all 单项预警): 陈湖乡 7.5 (total 61) and 吴桥镇 7.5 (total 88) → 陈湖乡 last, 吴桥镇
# next; then at 8: 郑庄乡 72 before 大杨镇 78 → 郑庄乡. (吴桥镇 is also 先进.)
SATISFACTION_WARNED = ["陈湖乡", "吴桥镇", "郑庄乡"]
# 综合排位最后一名: 陈湖乡 (26th).
LAST = ["陈湖乡"]

EXPECTED_HOLDERS = {
    "重点管理": MANAGED,
    "重点管理（恶性案件）": MANAGED_CASE,
    "重点管理（考核违纪）": [],  # no township gave gifts to the survey team
    "重点管理（情节特别严重）": [],  # 宋寨乡 has 严重违纪 but not 情节特别严重经市领导批准
    "重点帮助": HELPED,
    "重点管理（连续两年重点帮助）": ESCALATED,
    "免职（连续两年重点管理）": DISMISSED,
    "先进": ADVANCED,
    "流动人口表彰": MIGRANT_HONOUR,
    "性别比表彰": SEX_RATIO_HONOUR,
    "满意度表彰": SATISFACTION_HONOUR,
    "通报批评（流动人口）": MIGRANT_CRITICISED,
    "单项预警（流动人口）": MIGRANT_WARNED,
    "通报批评（性别比）": SEX_RATIO_CRITICISED,
    "单项预警（性别比）": SEX_RATIO_WARNED,
    "单项预警（群众满意度）": SATISFACTION_WARNED,
    "综合排位最后一名": LAST,
    "免职（未进入皖北前三）": [],  # 进入皖北前三 defaults to 是
}

# money per person (五职责任人), fines negative
MONEY = {
    "重点管理": D(-3000), "重点管理（恶性案件）": D(-3000), "重点管理（连续两年重点帮助）": D(-3000),
    "重点帮助": D(-2000), "先进": D(25000),
    "流动人口表彰": D(10000), "性别比表彰": D(10000), "满意度表彰": D(10000),
}
VETO_OUTCOMES = {"重点管理", "重点管理（恶性案件）", "重点管理（考核违纪）", "重点管理（情节特别严重）",
                 "重点管理（连续两年重点帮助）"}


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


def item(result: UnitResult, name: str) -> ItemResult:
    def walk(items):
        for i in items:
            yield i
            yield from walk(i.children)
    (found,) = [i for i in walk(result.items) if i.name == name]
    return found


def section(result: UnitResult, name: str) -> SectionResult:
    def walk(sections):
        for s in sections:
            yield s
            yield from walk(s.children)
    (found,) = [s for s in walk(result.sections) if s.name == name]
    return found


def holders(results: dict[str, UnitResult], outcome: str) -> list[str]:
    return [name for name, r in results.items() if any(a.name == outcome for a in r.outcomes)]


def outcome_names(result: UnitResult) -> list[str]:
    return [a.name for a in result.outcomes]


def award(result: UnitResult, name: str):
    (found,) = [a for a in result.outcomes if a.name == name]
    return found


def place(result: UnitResult, ranking: str):
    (found,) = [p for p in result.ranks if p.ranking == ranking]
    return found


# ---------------------------------------------------------------------------------------------
# the policy is clean
# ---------------------------------------------------------------------------------------------


def test_policy_checks_without_errors_or_warnings(loaded):
    assert loaded.errors == []
    assert loaded.warnings == []  # the township weights add up: 20+10+10+10+20+10+20 = 100


def test_cli_check_and_eval():
    assert_cli_clean(POLICY, FACTS, scored=26)


# ---------------------------------------------------------------------------------------------
# totals and ranks of every township
# ---------------------------------------------------------------------------------------------


def test_every_township_scored(results):
    assert sorted(results) == sorted(TOTALS)
    assert sorted(COUNTY) == sorted(TOTALS)


@pytest.mark.parametrize("town", list(TOTALS))
def test_total(results, town):
    result = results[town]
    assert result.total == D(TOTALS[town])
    assert result.total == result.base + result.bonus - result.penalty
    assert result.group == COUNTY[town]
    assert result.grade is None  # no 等次 for townships in the seed


@pytest.mark.parametrize("town", list(TOTALS))
def test_ranks(results, town):
    overall = place(results[town], "综合排名")
    assert (overall.rank, overall.size, overall.group) == (OVERALL[town], 26, None)
    county = place(results[town], "县区内排名")
    assert (county.rank, county.size, county.group) == (*IN_COUNTY[town], COUNTY[town])


# ---------------------------------------------------------------------------------------------
# units worked in full
# ---------------------------------------------------------------------------------------------


def test_chengguan_full_marks_and_capped_bonus(results):
    r = results["城关镇"]
    # every figure at its full points: 20 + 10 + 10 + 10 + (10 + 10) + 10 + (5 + 4 + 8 + 3) = 100
    assert [i.score for i in r.items] == [D(20), D(10), D(10), D(10), D(20), D(10), D(20)]
    assert r.base == D(100)
    # 省工作会议现场 3 (as the province gave) + 市工作会议现场 1 + 全国优质服务站所 3 = 7 > 5
    assert section(r, "省工作会议现场").amount == D(3)
    assert section(r, "市工作会议现场").amount == D(1)
    assert section(r, "表彰").amount == D(3)
    assert section(r, "工作加分").amount == D(5)  # "以上三项加分不超过5分"
    assert (r.bonus, r.penalty, r.total) == (D(5), D(0), D(105))
    assert r.vetoes == ()
    # 1st of 26 → 先进; best in all three lines → the three 表彰
    assert outcome_names(r) == ["先进", "流动人口表彰", "性别比表彰", "满意度表彰"]
    assert [a.money for a in r.outcomes] == [D(25000), D(10000), D(10000), D(10000)]


def test_chenhu_penalties_over_the_cap_and_petitions_outside_it(results):
    r = results["陈湖乡"]
    assert item(r, "稳定低生育水平").score == D(15)
    assert item(r, "流动人口管理服务").score == D(7)
    assert item(r, "关爱女孩综合治理性别比").score == D(15)  # 7 + 8
    assert item(r, "群众满意度").score == D("7.5")
    assert item(r, "保障措施").score == D("16.5")  # 4 + 3 + 7 + 2.5
    assert r.base == D(78)  # 15 + 8 + 7 + 9 + 15 + 7.5 + 16.5
    # 侵害群众权益: 非法关押殴打 2起 × 2 = 4; 乱收费 3起 × 1 = 3; 情节严重 2起 × 1 = 2;
    # 未按要求纠正 1起 × 1 = 1 → 10
    assert section(r, "侵害群众权益").amount == D(10)
    # 统计误差: 一、二孩错漏 2例 × 2 = 4; 孕前优生资格确认误差 1例 × 2 = 2 → 6
    assert section(r, "统计误差").amount == D(6)
    assert section(r, "违法行政和重大恶性事件").amount == D(16)  # 10 + 6, no cap of its own
    # 省考核问题: 省标准 2分, 加倍扣分 → 4
    assert section(r, "省考核问题").amount == D(4)
    # 违法违纪减分: 0 (干扰调查) + 16 + 4 = 20 > 15 → 15 ("上述累计减分不超过15分")
    assert section(r, "违法违纪减分").amount == D(15)
    assert section(r, "信访").amount == D(2)  # 信访倒扣分 2, outside the cap
    assert (r.bonus, r.penalty, r.total) == (D(0), D(17), D(61))  # 78 − (15 + 2)
    # 26th of 26: 重点管理 (倒数第1); last in 流动人口 (7) and 满意度 (7.5, below 吴桥镇 on total);
    # 2nd-last in 性别比 (15)
    assert outcome_names(r) == ["重点管理", "通报批评（流动人口）", "单项预警（流动人口）", "通报批评（性别比）",
                                "单项预警（群众满意度）", "综合排位最后一名"]
    assert award(r, "重点管理").money == D(-3000) and award(r, "重点管理").veto
    assert [v.name for v in r.vetoes] == ["重点管理"]


def test_zhengzhuang_doubled_provincial_deduction_and_errors(results):
    r = results["郑庄乡"]
    assert r.base == D(80)  # 16 + 8 + 8 + 8 + (7.5 + 8) + 8 + (4 + 3 + 7 + 2.5)
    assert section(r, "省考核问题").amount == D(3)  # 省考核标准 1.5分, 加倍 → 3
    assert section(r, "统计误差").amount == D(5)  # 多孩错漏报 1例 × 3 + 三项制度误差 1例 × 2
    assert section(r, "违法违纪减分").amount == D(8)  # 3 + 5, under the cap of 15
    assert section(r, "信访").amount == D(0)
    assert r.total == D(72)  # 80 − 8
    # 25th → 重点管理 (倒数第2); 流动人口 8 with the lowest total of the four at 8 → 3rd-last;
    # 性别比 15.5 → 3rd-last; 满意度 8 with total 72 < 大杨镇 78 → 3rd-last
    assert outcome_names(r) == ["重点管理", "通报批评（流动人口）", "通报批评（性别比）", "单项预警（群众满意度）"]


def test_songzhai_serious_breach_and_two_years_managed(results):
    r = results["宋寨乡"]
    assert r.base == D(83)
    # 严重违反群众纪律 6, 省、市领导批示查实 加扣 2 → 8
    assert section(r, "严重违反群众纪律").amount == D(8)
    assert section(r, "违法违纪减分").amount == D(8)
    assert r.total == D(75)
    # 24th → 重点管理; 上年重点管理 → 免职; 性别比 6.5 + 8 = 14.5 is the lowest → 通报批评 and 单项预警
    assert outcome_names(r) == ["重点管理", "免职（连续两年重点管理）", "通报批评（性别比）", "单项预警（性别比）"]
    assert award(r, "免职（连续两年重点管理）").money is None


def test_xiguan_aggravation_for_not_correcting(results):
    r = results["西关镇"]
    assert r.base == D("98.5")
    # 乱收费 1起 × 1 = 1; 未按上级要求纠正 1起 加扣 1 → 2
    assert section(r, "侵害群众权益").amount == D(2)
    assert r.total == D("96.5")
    assert outcome_names(r) == ["先进", "流动人口表彰", "性别比表彰", "满意度表彰"]


def test_beiguan_vetoed_by_a_major_accident_is_passed_over(results):
    r = results["北关街道"]
    assert r.total == D(98)  # scored as usual; the veto only takes away honours
    assert [v.name for v in r.vetoes] == ["重大责任事故"]
    assert place(r, "综合排名").rank == 2
    assert r.outcomes == ()  # not 先进 nor any 表彰, though 2nd overall and at 10 / 20 / 10 in the lines


def test_hezhuang_managed_for_a_major_case(results):
    r = results["何庄镇"]
    # 非法关押殴打 1起 × 2 + 情节严重 1起 × 1 = 3; 93 − 3
    assert section(r, "侵害群众权益").amount == D(3)
    assert r.total == D(90)
    assert outcome_names(r) == ["重点管理（恶性案件）"]
    assert award(r, "重点管理（恶性案件）").money == D(-3000)
    assert [v.name for v in r.vetoes] == ["重点管理（恶性案件）"]


@pytest.mark.parametrize(("town", "section_name", "amount"), [
    ("李庄镇", "统计误差", 1),  # 上环虚报 1例 × 1
    ("张楼镇", "技术服务事故", 2),  # 医疗责任事故 2
    ("刘圩镇", "统计误差", 2),  # 结扎虚报 1例 × 2
    ("赵集镇", "统计误差", 2),  # 一、二孩错漏 1例 × 2
    ("孙庙乡", "统计误差", 1),  # 补救措施虚报 1例 × 1
    ("大杨镇", "干扰调查", 2),  # 按省考核方案 2分
    ("南城镇", "市工作会议现场", 1),
    ("东苑街道", "表彰", 1),  # 全省优质服务站（所）
])
def test_single_bonuses_and_deductions(results, town, section_name, amount):
    assert section(results[town], section_name).amount == D(amount)


# ---------------------------------------------------------------------------------------------
# every ranking outcome
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(EXPECTED_HOLDERS))
def test_outcome_holders(results, outcome):
    assert sorted(holders(results, outcome)) == sorted(EXPECTED_HOLDERS[outcome])


def test_outcome_money_and_vetoes(results):
    for r in results.values():
        for a in r.outcomes:
            assert a.money == MONEY.get(a.name), (r.unit, a.name)
            assert a.veto == (a.name in VETO_OUTCOMES), (r.unit, a.name)


def test_vetoed_units(results):
    vetoed = sorted(name for name, r in results.items() if r.vetoed)
    # 重点管理 (5) + 重点管理（恶性案件） + 重点管理（连续两年重点帮助） + 重大责任事故
    assert vetoed == sorted([*MANAGED, *MANAGED_CASE, *ESCALATED, "北关街道"])


def test_focus_help_hands_down_past_managed_units(results):
    shuanggou = award(results["双沟镇"], "重点帮助")
    # 河东县: 陈湖乡 and 刘圩镇 are 重点管理, so the place passes twice to 双沟镇
    assert "顺延" in shuanggou.reason
    assert "「刘圩镇」" in shuanggou.reason and "「陈湖乡」" in shuanggou.reason
    sunmiao = award(results["孙庙乡"], "重点帮助")
    assert "「大杨镇」" in sunmiao.reason and "「郑庄乡」" in sunmiao.reason
    liangji = award(results["梁集镇"], "重点帮助")
    # 城北区: only 宋寨乡 (重点管理), which ranks below 梁集镇, is passed over; 何庄镇 holds
    # 重点管理（恶性案件） but ranks above 梁集镇, so the hand-down does not pass it
    assert liangji.reason.endswith("；「宋寨乡」已重点管理，顺延")
    linwan = award(results["林湾镇"], "重点帮助")
    assert "顺延" not in linwan.reason  # 山南县's last, not 重点管理: no hand-down
    assert outcome_names(results["林湾镇"]) == ["重点帮助", "重点管理（连续两年重点帮助）"]
    assert results["梁集镇"].vetoes == ()  # 重点帮助 is not a veto; 上年重点管理 alone does nothing


def test_advanced_passes_over_vetoed_units(results):
    gaotang = award(results["高塘乡"], "先进")
    # 17th overall, 15th among the units not vetoed (北关街道 and 何庄镇 are left out)
    assert place(results["高塘乡"], "综合排名").rank == 17
    assert "候选" in gaotang.reason
    assert holders(results, "先进") == [t for t in TOTALS if t in ADVANCED]
    assert "先进" not in outcome_names(results["双沟镇"])  # 18th: the first one left out


def test_single_line_ranks_use_the_total_to_break_ties(results):
    # 流动人口: four at 8 — 梁集镇 84, 刘圩镇 80, 宋寨乡 75, 郑庄乡 72 — after 陈湖乡 (7) and 大杨镇
    # (7.5). From the top: 4 at 10, 5 at 9.5, 6 at 9, 5 at 8.5 = 20 units, so the four at 8 are
    # 21st–24th in order of total; 大杨镇 25th, 陈湖乡 26th.
    ranks = {t: place(results[t], "流动人口排名").rank for t in ["梁集镇", "刘圩镇", "宋寨乡", "郑庄乡", "大杨镇", "陈湖乡"]}
    assert ranks == {"梁集镇": 21, "刘圩镇": 22, "宋寨乡": 23, "郑庄乡": 24, "大杨镇": 25, "陈湖乡": 26}
    # 满意度: 马店镇 and 东苑街道 are equal in both the line (9.5) and the total (94): a shared place.
    assert place(results["马店镇"], "满意度排名").rank == place(results["东苑街道"], "满意度排名").rank


def test_dismissal_when_the_city_misses_the_north_anhui_top_three(loaded, units):
    params = resolve_params(loaded.policy, {"进入皖北前三": "否"})
    settled = evaluate_all(loaded.policy, units, params)
    got = {r.unit: r for r in settled.results}
    # the last of the whole city, 陈湖乡 (26th), loses its posts; nobody else
    assert holders(got, "免职（未进入皖北前三）") == ["陈湖乡"]
    assert outcome_names(got["陈湖乡"])[-2:] == ["综合排位最后一名", "免职（未进入皖北前三）"]
