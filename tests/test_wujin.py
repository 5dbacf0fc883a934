"""武进区2014年人口和计划生育岗位责任百分考核办法 — scores worked out BY HAND.

Every expected number below was computed by hand from the row of the town in
examples/wujin-2014/units.csv, the seed (seed 004, 004_f2ecd06529f2a069.txt) and the
comments of policies/wujin-2014.jhp; none was taken from the program's output.

Conventions of the policy used in the arithmetic (see the comments in the .jhp file):
- a leaf whose rules only award (计分) starts at 0; one that only deducts (扣分) starts at its
  full points; every leaf is clamped to [0, its points] (计满为止 / 扣完为止);
- a requirement written as "…以上" / "达…" includes the threshold (99% counts as "99%以上");
- sub-items that list several requirements under one point value are split as the policy says
  (e.g. 计划生育率 4分 = 2 + 2, 数据质量 10分 = 6 × 1.5 + 1);
- 亮点工作 bonuses add on top of the 100-point base, without a cap;
- 一票否决 (重大责任事故) marks the unit vetoed: the total is still computed, the grade is not given;
- grades: 优秀 ≥ 90, 良好 80–90 (含80不含90), 合格 60–80, 不合格 < 60.

A town with every requirement met scores 100 (牛塘镇); for the others only the items that
differ from full marks are worked out, the rest being at full points.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from seedkit import D, find_node

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.interpreter import Interpreter, ItemResult, SectionResult, UnitResult
from jhdsl.pipeline import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "wujin-2014.jhp"
FACTS = ROOT / "examples" / "wujin-2014" / "units.csv"

CATEGORIES = [
    ("领导重视", 10),
    ("综合治理", 7),
    ("依法行政", 18),
    ("信息化建设", 18),
    ("宣传教育", 10),
    ("人口家庭公共服务体系建设", 2),
    ("出生缺陷干预", 7),
    ("家庭健康保健行动", 6),
    ("流动人口管理服务", 9),
    ("协会建设", 7),
    ("党风廉政建设", 6),
]
FULL = {name: points for name, points in CATEGORIES}

TOWNS = ["牛塘镇", "湖塘镇", "洛阳镇", "遥观镇", "横林镇", "横山桥镇", "雪堰镇", "前黄镇", "礼嘉镇",
         "嘉泽镇", "湟里镇", "南夏墅街道", "西湖街道", "武进经济开发区"]


def categories(**changed) -> dict[str, Decimal]:
    """The 11 category scores: full points except the ones given."""
    unknown = set(changed) - set(FULL)
    assert not unknown, unknown
    return {name: D(changed.get(name, points)) for name, points in CATEGORIES}


# ---------------------------------------------------------------------------------------------
# The expectations, worked out by hand.
#
# Each entry: categories (11 scores), leaves (a few leaf scores), base, bonus, total, grade,
# vetoes (names), bonus_parts (亮点工作 sub-sections with a non-zero amount).
# ---------------------------------------------------------------------------------------------

EXPECTED: dict[str, dict] = {}

# ---- 牛塘镇: every requirement met, no bonus --------------------------------------------------
# 领导重视 10: 党政领导重视 是 → 3; 队伍职业化 是 → 1; 经费投入 到位 1 + 财务规范 1 = 2;
#   计划生育率 4: 出生政策符合率 100% ≥ 99% → 2; 无党员干部违法生育 → 2; = 4.  3+1+2+4 = 10
# 综合治理 7: 关爱女孩 2; B超管理 2 (无性别鉴定、有警示标志、按要求出具介绍信: 不扣);
#   齐抓共管 3 (责任书 100% ≥ 95% → 1, 集贸市场 1, 兼职管理员 1).  = 7
# 依法行政 18: 行政行为 2 + 奖励扶助 4 (100% → 2, 台账 2) + 诚信阳光 2 (100% → 1, 创建 1)
#   + 信访维稳 1 + 社会抚养费 4 (力度 1, 立案率 100% ≥ 90% → 1, 到位率 100% ≥ 80% → 1, 程序 1)
#   + 再生育审批 5 (差错 0 件, 无弄虚作假) = 18
# 信息化建设 18: 数据质量 6 × 1.5 + 归档 1 = 10; 系统运用 100% → 2; 部门信息共享 1;
#   依法行政信息平台 1 + 核查率 100% → 1 = 2; 信息引导服务 1; 培训 1 + 调研报告 2 篇 ≥ 1 → 1 = 2.  = 18
# 宣传教育 10: 新闻宣传 (报刊 3 篇 ≥ 2 → 1, 网站月最少 4 篇 ≥ 3 → 1) 2; 婚育新风 (活动 4 次 ≥ 3 → 1,
#   知晓率 100% ≥ 95% → 1) 2; 政策调整 1; 幸福家庭 2; 新家庭计划 100% ≥ 95% → 2; 宣教模式 1.  = 10
# 人口家庭公共服务体系建设 2: 服务站建设 三条都达到, 不扣 → 2
# 出生缺陷干预 7: 孕前优生 3+1+1 = 5; 高危随访 1+1 = 2
# 家庭健康保健行动 6: 门诊 1; 知情选择 100% ≥ 90% → 1, 随访 100% ≥ 90% → 1; 不良反应 1; 生殖道 1; 药具 1
# 流动人口管理服务 9: 婚育证明 (办证 100% → 1, 查验 100% ≥ 95% → 1, 合同 1) 3; 信息平台 3; 主题活动 3
# 协会建设 7: 组织健全 (换届 且 会员 12% ≥ 10% 且 流动人口协会) 1; 台账 1; 制度 1; 阵地 1;
#   搞好服务 (爱心家园 3 次 ≥ 2 → 1, 扶贫 8 户 ≥ 5 → 1, 早教 2 次 ≥ 2 → 1) 3
# 党风廉政建设 6: 六项各 1 (廉政问题 0 件, 无办事拖拉: 不扣)
# base 100, 亮点工作 全无 → bonus 0, total 100 → 优秀 (≥ 90)
EXPECTED["牛塘镇"] = dict(
    categories=categories(),
    leaves={"计划生育率": 4, "B超管理": 2, "再生育审批": 5, "数据质量": 10, "服务站建设": 2, "搞好服务": 3},
    base=100, bonus=0, total=100, grade="优秀", vetoes=[], bonus_parts={},
)

# ---- 湖塘镇: full marks plus bonuses ----------------------------------------------------------
# All base facts are as 牛塘镇 → base 100.
# 亮点工作: 1、国家级表彰 1 次 × 3 = 3; 3、省级刊物发表 2 篇 × 2 = 4; 6、建立“银龄乐园” 2.
#   bonus = 3 + 4 + 2 = 9 (亮点工作 无上限)
# total = 100 + 9 = 109 → 优秀
EXPECTED["湖塘镇"] = dict(
    categories=categories(),
    leaves={"计划生育率": 4, "再生育审批": 5},
    base=100, bonus=9, total=109, grade="优秀", vetoes=[],
    bonus_parts={"表彰": 3, "信息发表": 4, "银龄乐园": 2},
)

# ---- 洛阳镇: deductions that hit the floor ----------------------------------------------------
# 领导重视: 计划生育率 4分: 出生政策符合率 98.6% < 99% → 0; 无党员干部违法生育 → 2; = 2.
#   3 + 1 + 2 + 2 = 8
# 综合治理: B超管理 2分 从满分扣: 非医学需要胎儿性别鉴定 −2, 无警示标志 −1, 未按要求出具引产
#   介绍信 −1 → 2 − 4 = −2, 扣完为止 → 0.  关爱女孩 2 + 0 + 齐抓共管 3 = 5
# 依法行政: 再生育审批 5分: 差错 7 件 × 1 = −7 → 5 − 7 = −2, 扣完为止 → 0.  18 − 5 = 13
# 信息化建设: 数据质量: 信息覆盖率 94.5% < 95% → 0, 其余五项比率 5 × 1.5 = 7.5, 归档 1 → 8.5.
#   8.5 + 2 + 1 + 2 + 1 + 2 = 16.5
# 人口家庭公共服务体系建设: 服务站建设 2分: 环境不整洁 −1, 未统一着装 −1, 未开展中老年健康促进 −1
#   → 2 − 3 = −1, 扣完为止 → 0
# others full.  base = 8 + 5 + 13 + 16.5 + 10 + 0 + 7 + 6 + 9 + 7 + 6 = 87.5
# bonus 0, total 87.5 → 良好 (80 ≤ 87.5 < 90)
EXPECTED["洛阳镇"] = dict(
    categories=categories(领导重视=8, 综合治理=5, 依法行政=13, 信息化建设="16.5", 人口家庭公共服务体系建设=0),
    leaves={"计划生育率": 2, "B超管理": 0, "再生育审批": 0, "数据质量": "8.5", "服务站建设": 0},
    base="87.5", bonus=0, total="87.5", grade="良好", vetoes=[], bonus_parts={},
)

# ---- 遥观镇: vetoed (重大责任事故) ------------------------------------------------------------
# 发生重大责任事故 = 是 → 一票否决 重大责任事故 (领导重视: 严格落实“一票否决”; 依法行政
#   行政行为第1条: 坚决杜绝因行政行为不当而发生的重大责任事故).
# 领导重视: 计划生育率: 99.2% ≥ 99% → 2, 无党员干部违法生育 → 2 = 4; 3 + 1 + 2 + 4 = 10
# 依法行政: 行政行为 2分: 执法文书 1 + 政务公开 1 = 2, 但「不计分 若 发生重大责任事故」→ 0.
#   18 − 2 = 16
# others full.  base = 100 − 2 = 98
# 亮点工作: 省级表彰 1 次 × 2 = 2.  total = 98 + 2 = 100 (still computed)
# grade: vetoed → no grade (shown as 一票否决)
EXPECTED["遥观镇"] = dict(
    categories=categories(依法行政=16),
    leaves={"计划生育率": 4, "行政行为": 0, "再生育审批": 5},
    base=98, bonus=2, total=100, grade=None, vetoes=["重大责任事故"],
    bonus_parts={"表彰": 2},
)

# ---- 横林镇: values exactly at the thresholds (all count) ------------------------------------
# 计划生育率: 出生政策符合率 99% — "99%以上" 含 99% → 2; + 2 = 4.  领导重视 10
# 齐抓共管: 责任书签订率 95% — "均达95%以上" → 1; 1 + 1 + 1 = 3.  综合治理 7
# 社会抚养费: 立案率 90% — "90%以上" → 1; 到位率 80% — "80%以上" → 1; 1+1+1+1 = 4.  依法行政 18
# 数据质量: 信息完整率 95% — "95%以上" → 1.5; 6 × 1.5 + 1 = 10.  信息化建设 18
# 婚育新风: 知晓率 95% — "达95%" → 1; 活动 4 次 → 1; = 2.  宣传教育 10
# 知情选择: 知情选择率 90% — "达90%以上" → 1; 随访 100% → 1; = 2.  家庭健康保健行动 6
# 婚育证明: 查验率 95% — "查验率达95%" → 1; 办证 100% → 1; 合同 1; = 3.  流动人口管理服务 9
# 组织健全: 会员占总人口 10% — "10%以上" → 条件成立, 换届、流动人口协会也达到 → 1.  协会建设 7
# base 100, bonus 0, total 100 → 优秀
EXPECTED["横林镇"] = dict(
    categories=categories(),
    leaves={"计划生育率": 4, "齐抓共管": 3, "社会抚养费": 4, "数据质量": 10, "婚育新风": 2, "知情选择": 2,
            "婚育证明": 3, "组织健全": 1},
    base=100, bonus=0, total=100, grade="优秀", vetoes=[], bonus_parts={},
)

# ---- 横山桥镇: values just below the thresholds, bonuses ------------------------------------
# 计划生育率: 98.9% < 99% → 0; 无党员干部违法生育 → 2; = 2.  领导重视 3 + 1 + 2 + 2 = 8
# 社会抚养费: 力度 1; 立案率 89.5% < 90% → 0; 到位率 79.9 (写作 79.9, 即 79.9%) < 80% → 0; 程序 1
#   = 2.  依法行政 18 − 2 = 16
# 新闻宣传: 市级以上报刊 1 篇 < 至少2篇 → 0; 网站月最少 2 篇 < 至少3篇 → 0; = 0.  宣传教育 10 − 2 = 8
# base = 100 − 2 − 2 − 2 = 94
# 亮点工作: 3、市级刊物发表 3 篇 × 1 = 3; 4、开展上取环技术服务 1.  bonus = 4
# total = 94 + 4 = 98 → 优秀
EXPECTED["横山桥镇"] = dict(
    categories=categories(领导重视=8, 依法行政=16, 宣传教育=8),
    leaves={"计划生育率": 2, "社会抚养费": 2, "新闻宣传": 0},
    base=94, bonus=4, total=98, grade="优秀", vetoes=[],
    bonus_parts={"信息发表": 3, "上取环技术服务": 1},
)

# ---- 雪堰镇: 不计分, per-case deduction, bonuses incl. 其他 -----------------------------------
# 计划生育率: 100% ≥ 99% → 2; 党员干部违法生育 = 是 → 0; = 2.  领导重视 3 + 1 + 2 + 2 = 8
# 信访维稳 1分: 及时办理 → 1, 但 发生重大计生信访事件 → 不计分 → 0
# 再生育审批 5分: 差错 2 件 × 1 → 5 − 2 = 3
#   依法行政 = 2 + 4 + 2 + 0 + 4 + 3 = 15
# 三型机关 1分: 廉政问题 1 件 > 0 → 扣 1 → 0.  党风廉政建设 6 − 1 = 5
# base = 8 + 7 + 15 + 18 + 10 + 2 + 7 + 6 + 9 + 7 + 5 = 94
# 亮点工作: 9、创建流动人口示范市场 2; 11、其他 1.5 × 1 = 1.5.  bonus = 3.5
# total = 94 + 3.5 = 97.5 → 优秀
EXPECTED["雪堰镇"] = dict(
    categories=categories(领导重视=8, 依法行政=15, 党风廉政建设=5),
    leaves={"计划生育率": 2, "信访维稳": 0, "再生育审批": 3, "三型机关": 0},
    base=94, bonus="3.5", total="97.5", grade="优秀", vetoes=[],
    bonus_parts={"流动人口示范市场": 2, "其他": "1.5"},
)

# ---- 前黄镇: 信息化建设 mostly missed, just under 90 ------------------------------------------
# 数据质量 10分: 覆盖率 93% < 95% → 0; 完整率 94% → 0; 逻辑 92.5% → 0; 上报及时率 96% ≥ 95% → 1.5;
#   流动人口模块最低 90% → 0; 生育信息采集率 88% → 0; 报表未归档 → 0.  = 1.5
# 系统运用 2分: 村级系统应用覆盖率 97% < 100% → 0
# 信息化建设 = 1.5 + 0 + 1 + 2 + 1 + 2 = 7.5
# base = 100 − 18 + 7.5 = 89.5, bonus 0, total 89.5 → 良好 (含80不含90)
EXPECTED["前黄镇"] = dict(
    categories=categories(信息化建设="7.5"),
    leaves={"数据质量": "1.5", "系统运用": 0, "部门信息共享": 1},
    base="89.5", bonus=0, total="89.5", grade="良好", vetoes=[], bonus_parts={},
)

# ---- 礼嘉镇: 出生缺陷 / 家庭健康 deductions, bonuses ------------------------------------------
# 孕前优生 5分: 检查人数未达到要求 → 0 (3分); 宣教 1; 随访表格 1; = 2.  高危随访 2.  出生缺陷干预 4
# 知情选择 2分: 知情选择率 85% < 90% → 0; 随访服务率 88% < 90% → 0; = 0
# 药具管理 1分: 不规范 → 0.  家庭健康保健行动 = 1 + 0 + 1 + 1 + 0 = 3
# base = 100 − 3 − 3 = 94
# 亮点工作: 3、国家级刊物 1 篇 × 3 = 3; 7、生育关怀项目点 2; 8、爱心家园项目点 2.  bonus = 7
# total = 94 + 7 = 101 → 优秀
EXPECTED["礼嘉镇"] = dict(
    categories=categories(出生缺陷干预=4, 家庭健康保健行动=3),
    leaves={"孕前优生": 2, "知情选择": 0, "药具管理": 0},
    base=94, bonus=7, total=101, grade="优秀", vetoes=[],
    bonus_parts={"信息发表": 3, "生育关怀项目点": 2, "爱心家园项目点": 2},
)

# ---- 嘉泽镇: 流动人口 and 协会 misses -----------------------------------------------------------
# 婚育证明: 办证率 98% < 100% → 0; 查验 100% → 1; 合同 1; = 2
# 信息平台应用: 协查反馈 94% < 95% → 0; 网络化协作 96% ≥ 95% → 1; 通报 1; = 2
# 主题活动: 主题活动 1; 六免两优惠 未落实 → 0; 管理服务率 93% < 95% → 0; = 1
#   流动人口管理服务 = 2 + 2 + 1 = 5
# 搞好服务: 爱心家园服务 1 次 < 2 → 0; 扶贫 8 户 ≥ 5 → 1; 早教 1 次 < 2 → 0; = 1.  协会建设 4 + 1 = 5
# base = 100 − 4 − 2 = 94, bonus 0, total 94 → 优秀
EXPECTED["嘉泽镇"] = dict(
    categories=categories(流动人口管理服务=5, 协会建设=5),
    leaves={"婚育证明": 2, "信息平台应用": 2, "主题活动": 1, "搞好服务": 1},
    base=94, bonus=0, total=94, grade="优秀", vetoes=[], bonus_parts={},
)

# ---- 湟里镇: several yes/no requirements not met, 89 → 良好 -----------------------------------
# 领导重视: 党政领导重视 否 → 0; 队伍 1; 经费投入: 未到位 0 + 财务规范 1 = 1; 计划生育率 4. = 6
# 综合治理: 关爱女孩 否 → 0; B超 2; 齐抓共管 3. = 5
# 奖励扶助 4分: 兑现率 97% < 100% → 0; 台账 2; = 2
# 诚信阳光计生 2分: 承诺书签订率 99% < 100% → 0; 创建 1; = 1
#   依法行政 = 2 + 2 + 1 + 1 + 4 + 5 = 15
# 效能提速 1分: 存在办事拖拉 → 扣 1 → 0; 阳光计生行动: 否 → 0.  党风廉政建设 6 − 2 = 4
# base = 6 + 5 + 15 + 18 + 10 + 2 + 7 + 6 + 9 + 7 + 4 = 89, bonus 0, total 89 → 良好
EXPECTED["湟里镇"] = dict(
    categories=categories(领导重视=6, 综合治理=5, 依法行政=15, 党风廉政建设=4),
    leaves={"党政领导重视": 0, "经费投入": 1, "奖励扶助": 2, "诚信阳光计生": 1, "效能提速": 0},
    base=89, bonus=0, total=89, grade="良好", vetoes=[], bonus_parts={},
)

# ---- 南夏墅街道: 弄虚作假 (all 5 points), 宣传教育 misses, bonuses ------------------------------
# 再生育审批 5分: 材料弄虚作假 → 扣 5 → 0.  依法行政 18 − 5 = 13
# 婚育新风: 大型活动 2 次 < 3 → 0; 知晓 100% → 1; = 1.  幸福家庭建设: 否 → 0.
#   新家庭计划: 人口文化建设达标率 93% < 95% → 0.  宣传教育 = 2 + 1 + 1 + 0 + 0 + 1 = 5
# base = 100 − 5 − 5 = 90
# 亮点工作: 区级部门联合表彰 2 次 × 1 = 2; 提供现场或专题片 1.  bonus = 3
# total = 90 + 3 = 93 → 优秀
EXPECTED["南夏墅街道"] = dict(
    categories=categories(依法行政=13, 宣传教育=5),
    leaves={"再生育审批": 0, "婚育新风": 1, "幸福家庭建设": 0, "新家庭计划": 0},
    base=90, bonus=3, total=93, grade="优秀", vetoes=[],
    bonus_parts={"表彰": 2, "提供现场和宣传典型": 1},
)

# ---- 西湖街道: 协会 conjunction fails, bonuses --------------------------------------------------
# 依法行政信息平台: 平台运行正常 1; 核查率 96% < 100% → 0; = 1
# 培训与调查分析: 例会 1; 调研报告 0 篇 < 至少一篇 → 0; = 1
#   信息化建设 = 10 + 2 + 1 + 1 + 1 + 1 = 16
# 组织健全 1分: 会员 9.5% < 10% → 三个条件不全 → 0; 协会台账 否 → 0;
#   搞好服务: 爱心 3 → 1, 扶贫 4 户 < 5 → 0, 早教 2 → 1; = 2.  协会建设 = 0 + 0 + 1 + 1 + 2 = 4
# base = 100 − 2 − 3 = 95
# 亮点工作: 市级综合类表彰 1 × 1 = 1; 10、群众工作带头人 2.  bonus = 3
# total = 95 + 3 = 98 → 优秀
EXPECTED["西湖街道"] = dict(
    categories=categories(信息化建设=16, 协会建设=4),
    leaves={"依法行政信息平台": 1, "培训与调查分析": 1, "组织健全": 0, "搞好服务": 2},
    base=95, bonus=3, total=98, grade="优秀", vetoes=[],
    bonus_parts={"表彰": 1, "群众工作带头人": 2},
)

# ---- 武进经济开发区 ---------------------------------------------------------------------------
# 计划生育率: 97.8% < 99% → 0; 党员干部违法生育 是 → 0; = 0.  领导重视 3 + 1 + 2 + 0 = 6
# 齐抓共管: 责任书 91% < 95% → 0; 集贸市场 1; 兼职管理员 否 → 0; = 1.  综合治理 2 + 2 + 1 = 5
# 数据质量: 信息覆盖率 95% ≥ 95% → 1.5 (all six rates met) → 10.  信息化建设 18
# 服务站建设 2分: 未统一着装 −1 → 1.  人口家庭公共服务体系建设 1
# base = 6 + 5 + 18 + 18 + 10 + 1 + 7 + 6 + 9 + 7 + 6 = 93
# 亮点工作: 5、孕前优生完成区下达指标 2.  total = 93 + 2 = 95 → 优秀
EXPECTED["武进经济开发区"] = dict(
    categories=categories(领导重视=6, 综合治理=5, 人口家庭公共服务体系建设=1),
    leaves={"计划生育率": 0, "齐抓共管": 1, "数据质量": 10, "服务站建设": 1},
    base=93, bonus=2, total=95, grade="优秀", vetoes=[],
    bonus_parts={"孕前优生完成指标": 2},
)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded():
    return load_policy(POLICY)


@pytest.fixture(scope="module")
def results(loaded) -> dict[str, UnitResult]:
    table = load_facts(FACTS, loaded.policy)
    assert [p.describe() for p in table.problems if not p.warning] == []
    interpreter = Interpreter(loaded.policy)
    return {unit.name: interpreter.evaluate(unit) for unit in table.units}


def find_item(items: tuple[ItemResult, ...], name: str) -> ItemResult:
    return find_node(items, name)


def find_section(sections: tuple[SectionResult, ...], name: str) -> SectionResult:
    return find_node(sections, name)


def all_sections(sections: tuple[SectionResult, ...]):
    for node in sections:
        yield node
        yield from all_sections(node.children)


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_every_town_scored(results):
    assert sorted(results) == sorted(TOWNS)
    assert set(EXPECTED) == set(TOWNS)


@pytest.mark.parametrize("town", list(EXPECTED))
def test_categories(results, town):
    result = results[town]
    expected = EXPECTED[town]["categories"]
    got = {item.name: item.score for item in result.items}
    assert list(got) == [name for name, _ in CATEGORIES]
    for name, score in expected.items():
        assert got[name] == score, f"{town} {name}: got {got[name]}, hand {score}"


@pytest.mark.parametrize("town", list(EXPECTED))
def test_leaves(results, town):
    result = results[town]
    for name, score in EXPECTED[town]["leaves"].items():
        item = find_item(result.items, name)
        assert not item.children, name
        assert item.score == D(score), f"{town} {name}: got {item.score}, hand {score}"


@pytest.mark.parametrize("town", list(EXPECTED))
def test_base_bonus_total(results, town):
    result = results[town]
    expected = EXPECTED[town]
    assert result.base == D(expected["base"])
    assert result.base == sum(expected["categories"].values())
    assert result.bonus == D(expected["bonus"])
    assert result.penalty == 0
    assert result.total == D(expected["total"])
    assert result.total == D(expected["base"]) + D(expected["bonus"])


@pytest.mark.parametrize("town", list(EXPECTED))
def test_bonus_parts(results, town):
    result = results[town]
    top = find_section(result.sections, "亮点工作")
    assert top.sign == 1
    assert top.cap is None  # 原表未设总上限
    assert top.amount == D(EXPECTED[town]["bonus"])
    parts = EXPECTED[town]["bonus_parts"]
    for name, amount in parts.items():
        assert find_section(result.sections, name).amount == D(amount), name
    others = [s for s in all_sections(top.children) if s.name not in parts and not s.children]
    assert all(s.amount == 0 for s in others), [(s.name, s.amount) for s in others if s.amount]


@pytest.mark.parametrize("town", list(EXPECTED))
def test_grade_and_veto(results, town):
    result = results[town]
    expected = EXPECTED[town]
    assert [v.name for v in result.vetoes] == expected["vetoes"]
    assert result.vetoed == bool(expected["vetoes"])
    assert result.grade == expected["grade"]


def test_check_reports_no_errors_and_points_add_up(loaded):
    assert [d.code for d in loaded.errors] == []
    policy = loaded.policy
    assert policy.header.full_marks.value == 100
    got = [(item.name, item.points.value) for item in policy.items]
    assert got == [(name, D(points)) for name, points in CATEGORIES]
    assert sum(points for _, points in got) == 100
    for item in policy.items:
        assert sum(child.points.value for child in item.children) == item.points.value, item.name


def test_cli_eval_prints_every_town():
    runner = CliRunner()
    result = runner.invoke(main, ["eval", str(POLICY), str(FACTS)])
    assert result.exit_code == 0, result.output
    for town in TOWNS:
        assert town in result.stdout, town
    veto_lines = [line for line in result.stdout.splitlines() if "遥观镇" in line]
    assert veto_lines and "一票否决" in veto_lines[0] and "重大责任事故" in veto_lines[0]
