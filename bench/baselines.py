"""The hand-written baselines the compiled engine is measured against.

A compiled policy is only worth having if it runs about as fast as what an analyst would
write by hand for the same scheme. So for wujin-2014, and for the 500-item policy that
``bench/generate.py`` makes, here is that hand-written version twice over:

- one DuckDB SQL query over a table of facts, in DECIMAL arithmetic (exact for + − ×; no
  ``/``, which DuckDB answers in DOUBLE), returning 单位, 总分, 基础分, 加分, 减分, 一票否决
  and 等次 (NULL when vetoed);
- the same totals with vectorised numpy, in float64 (not exact; within 1e-9 of the exact
  totals for these policies, whose numbers have few digits).

The generated policy's baselines are written from the generator's own list of items (its
``Spec``), one plain expression per item, as an analyst with a spreadsheet of the rules would.

    python bench/baselines.py

checks both baselines against the reference interpreter on 2,000 random units per policy.
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from bench.generate import Fixed, PerUnit, Rate, Section, Spec, Test, Tiers, ZeroIf, facts_table, generate
from jhdsl.facts import load_facts
from jhdsl.numbers import plain
from jhdsl.outcomes import evaluate_all
from jhdsl.pipeline import check_text, load_policy

ROOT = Path(__file__).resolve().parent.parent

# ---- wujin-2014, by hand ----------------------------------------------------------------------

WUJIN_SQL = """
WITH items AS (
    SELECT
        单位,
        发生重大责任事故 AS 一票否决,

        -- 领导重视 10分
        LEAST(
              IF(党政领导重视达到要求, 3, 0)                                        -- 党政领导重视 3分
            + IF(队伍职业化建设达标, 1, 0)                                          -- 队伍职业化 1分
            + IF(经费投入到位, 1, 0) + IF(财务收费管理规范, 1, 0)                   -- 经费投入 2分
            + IF(出生政策符合率 >= 99, 2, 0) + IF(NOT 党员干部违法生育, 2, 0)       -- 计划生育率 4分
        , 10) AS 领导重视,

        -- 综合治理 7分
        LEAST(
              IF(关爱女孩行动到位, 2, 0)                                            -- 关爱女孩 2分
            + GREATEST(2 - IF(发生非医学需要胎儿性别鉴定, 2, 0)                     -- B超管理 2分，扣完为止
                         - IF(NOT B超室有警示标志, 1, 0)
                         - IF(NOT 按要求出具引产介绍信, 1, 0), 0)
            + IF(责任书签订率 >= 95, 1, 0) + IF(集贸市场服务室和协会健全, 1, 0)     -- 齐抓共管 3分
              + IF(兼职管理员履职到位, 1, 0)
        , 7) AS 综合治理,

        -- 依法行政 18分
        LEAST(
              IF(发生重大责任事故, 0,                                               -- 行政行为 2分
                 IF(执法文书制作规范, 1, 0) + IF(政务公开到位, 1, 0))
            + IF(奖励扶助政策兑现率 >= 100, 2, 0) + IF(奖励扶助台账完备, 2, 0)      -- 奖励扶助 4分
            + IF(诚信承诺书签订率 >= 100, 1, 0) + IF(诚信计生创建活动开展, 1, 0)    -- 诚信阳光计生 2分
            + IF(发生重大计生信访事件, 0, IF(信访事项及时办理, 1, 0))              -- 信访维稳 1分
            + IF(社会抚养费征收力度到位, 1, 0) + IF(违法生育立案率 >= 90, 1, 0)     -- 社会抚养费 4分
              + IF(社会抚养费征收到位率 >= 80, 1, 0) + IF(社会抚养费征收程序规范, 1, 0)
            + GREATEST(5 - 再生育审批差错件数                                       -- 再生育审批 5分，扣完为止
                         - IF(再生育审批材料弄虚作假, 5, 0), 0)
        , 18) AS 依法行政,

        -- 信息化建设 18分
        LEAST(
              IF(信息覆盖率 >= 95, 1.5, 0) + IF(信息完整率 >= 95, 1.5, 0)           -- 数据质量 10分
              + IF(逻辑关系准确率 >= 95, 1.5, 0) + IF(上报及时率 >= 95, 1.5, 0)
              + IF(流动人口模块指标最低值 >= 95, 1.5, 0)
              + IF(流动人口生育信息采集率 >= 95, 1.5, 0) + IF(报表按要求归档, 1, 0)
            + IF(村级系统应用覆盖率 >= 100, 2, 0)                                   -- 系统运用 2分
            + IF(部门信息定期获取核查, 1, 0)                                        -- 部门信息共享 1分
            + IF(依法行政平台运行正常, 1, 0) + IF(生育服务联系单核查率 >= 100, 1, 0) -- 依法行政信息平台 2分
            + IF(按规范输出服务名单, 1, 0)                                          -- 信息引导服务 1分
            + IF(坚持统计例会和培训, 1, 0) + IF(调研分析报告篇数 >= 1, 1, 0)        -- 培训与调查分析 2分
        , 18) AS 信息化建设,

        -- 宣传教育 10分
        LEAST(
              IF(市级以上报刊文章篇数 >= 2, 1, 0) + IF(网站录用信息月最少篇数 >= 3, 1, 0) -- 新闻宣传 2分
            + IF(大型主题宣传活动次数 >= 3, 1, 0) + IF(人口计生知识知晓率 >= 95, 1, 0)   -- 婚育新风 2分
            + IF(生育政策调整宣传到位, 1, 0)                                        -- 政策调整宣传 1分
            + IF(幸福家庭五大行动落实, 2, 0)                                        -- 幸福家庭建设 2分
            + IF(人口文化建设达标率 >= 95, 2, 0)                                    -- 新家庭计划 2分
            + IF(电子化宣传台账完成任务, 1, 0)                                      -- 宣教模式创新 1分
        , 10) AS 宣传教育,

        -- 人口家庭公共服务体系建设 2分：服务站建设，每条未达到扣 1分，扣完为止
        LEAST(
            GREATEST(2 - IF(NOT 服务站环境整洁, 1, 0)
                       - IF(NOT 统一着装佩戴胸卡, 1, 0)
                       - IF(NOT 开展中老年健康促进, 1, 0), 0)
        , 2) AS 公共服务体系,

        -- 出生缺陷干预 7分
        LEAST(
              IF(孕前优生检查人数达到要求, 3, 0) + IF(开展孕前知识宣教, 1, 0)       -- 孕前优生 5分
              + IF(随访表格填写完整, 1, 0)
            + IF(高危人群跟踪随访, 1, 0) + IF(二孩妇女随访, 1, 0)                   -- 高危随访 2分
        , 7) AS 出生缺陷干预,

        -- 家庭健康保健行动 6分
        LEAST(
              IF(门诊咨询随访服务开展, 1, 0)                                        -- 门诊咨询 1分
            + IF(知情选择率 >= 90, 1, 0) + IF(随访服务率 >= 90, 1, 0)               -- 知情选择 2分
            + IF(不良反应报告数达到要求, 1, 0)                                      -- 不良反应报告 1分
            + IF(生殖道感染防治开展, 1, 0)                                          -- 生殖道感染防治 1分
            + IF(药具管理规范, 1, 0)                                                -- 药具管理 1分
        , 6) AS 家庭健康保健行动,

        -- 流动人口管理服务 9分
        LEAST(
              IF(婚育证明办证率 >= 100, 1, 0) + IF(婚育证明查验率 >= 95, 1, 0)     -- 婚育证明 3分
              + IF(流出合同与服务证规范, 1, 0)
            + IF(协查反馈及时率 >= 95, 1, 0) + IF(网络化协作接收及时率 >= 95, 1, 0) -- 信息平台应用 3分
              + IF(按要求通报流动人口信息, 1, 0)
            + IF(流动人口主题活动完成, 1, 0) + IF(六免两优惠落实, 1, 0)             -- 主题活动 3分
              + IF(流动人口管理服务率 >= 95, 1, 0)
        , 9) AS 流动人口管理服务,

        -- 协会建设 7分
        LEAST(
              IF(协会及时换届 AND 会员占总人口比例 >= 10 AND 流动人口协会达到要求, 1, 0) -- 组织健全 1分
            + IF(协会台账归档, 1, 0)                                                -- 协会台账 1分
            + IF(协会制度完善, 1, 0)                                                -- 制度完善 1分
            + IF(协会阵地达标, 1, 0)                                                -- 阵地建设 1分
            + IF(爱心家园服务次数 >= 2, 1, 0) + IF(扶贫帮困对象户数 >= 5, 1, 0)     -- 搞好服务 3分
              + IF(早期教育活动次数 >= 2, 1, 0)
        , 7) AS 协会建设,

        -- 党风廉政建设 6分
        LEAST(
              IF(群众路线教育实践开展, 1, 0)                                        -- 作风建设 1分
            + IF(惩防体系责任落实, 1, 0)                                            -- 惩防体系 1分
            + IF(廉政问题件数 > 0, 0, 1)                                            -- 三型机关 1分，有问题扣 1分
            + IF(存在办事拖拉或重大失误, 0, 1)                                      -- 效能提速 1分，有失误扣 1分
            + IF(阳光计生机制完善, 1, 0)                                            -- 阳光计生行动 1分
            + IF(廉政文化阵地建设, 1, 0)                                            -- 廉政文化 1分
        , 6) AS 党风廉政建设,

        -- 加分：亮点工作，不设上限
          3 * 国家级表彰次数 + 2 * 省级表彰次数                                     -- 表彰
          + 市级综合类表彰次数 + 区级部门联合表彰次数
        + IF(提供现场或专题片, 1, 0)                                                -- 提供现场和宣传典型
        + 3 * 国家级刊物发表篇数 + 2 * 省级刊物发表篇数 + 市级刊物发表篇数          -- 信息发表
        + IF(开展上取环技术服务, 1, 0)
        + IF(孕前优生完成区下达指标, 2, 0)
        + IF(建立银龄乐园, 2, 0)
        + IF(建立生育关怀项目点, 2, 0)
        + IF(建立爱心家园项目点, 2, 0)
        + IF(创建流动人口示范市场, 2, 0)
        + IF(群众工作带头人活动突出, 2, 0)
        + 其他亮点加分                                                              -- 其他：考核组认定的分数
        AS 加分
    FROM {table}
), totals AS (
    SELECT
        单位,
        一票否决,
        LEAST(领导重视 + 综合治理 + 依法行政 + 信息化建设 + 宣传教育 + 公共服务体系
              + 出生缺陷干预 + 家庭健康保健行动 + 流动人口管理服务 + 协会建设 + 党风廉政建设, 100) AS 基础分,
        加分
    FROM items
)
SELECT
    单位,
    基础分 + 加分 AS 总分,
    基础分,
    加分,
    0 AS 减分,
    一票否决,
    CASE
        WHEN 一票否决 THEN NULL
        WHEN 基础分 + 加分 >= 90 THEN '优秀'
        WHEN 基础分 + 加分 >= 80 THEN '良好'
        WHEN 基础分 + 加分 >= 60 THEN '合格'
        ELSE '不合格'
    END AS 等次
FROM totals
"""


def wujin_sql(table: str) -> str:
    """wujin-2014 as one DuckDB query over ``table`` (columns named as the policy's facts)."""
    return WUJIN_SQL.format(table=table)


def wujin_numpy(columns: dict[str, np.ndarray]) -> np.ndarray:
    """wujin-2014's totals, vectorised; float64, so not exact (within 1e-9 here).

    ``columns`` maps each fact to an array: booleans for 是否, numbers for the rest.
    """

    def yes(name: str) -> np.ndarray:
        return np.asarray(columns[name], dtype=bool)

    def num(name: str) -> np.ndarray:
        return np.asarray(columns[name], dtype=np.float64)

    def pts(points: float, holds: np.ndarray) -> np.ndarray:
        return np.where(holds, points, 0.0)

    领导重视 = np.minimum(
        pts(3, yes("党政领导重视达到要求"))
        + pts(1, yes("队伍职业化建设达标"))
        + pts(1, yes("经费投入到位")) + pts(1, yes("财务收费管理规范"))
        + pts(2, num("出生政策符合率") >= 99) + pts(2, ~yes("党员干部违法生育")), 10)
    综合治理 = np.minimum(
        pts(2, yes("关爱女孩行动到位"))
        + np.maximum(2 - pts(2, yes("发生非医学需要胎儿性别鉴定")) - pts(1, ~yes("B超室有警示标志"))
                     - pts(1, ~yes("按要求出具引产介绍信")), 0)
        + pts(1, num("责任书签订率") >= 95) + pts(1, yes("集贸市场服务室和协会健全"))
        + pts(1, yes("兼职管理员履职到位")), 7)
    依法行政 = np.minimum(
        np.where(yes("发生重大责任事故"), 0, pts(1, yes("执法文书制作规范")) + pts(1, yes("政务公开到位")))
        + pts(2, num("奖励扶助政策兑现率") >= 100) + pts(2, yes("奖励扶助台账完备"))
        + pts(1, num("诚信承诺书签订率") >= 100) + pts(1, yes("诚信计生创建活动开展"))
        + np.where(yes("发生重大计生信访事件"), 0, pts(1, yes("信访事项及时办理")))
        + pts(1, yes("社会抚养费征收力度到位")) + pts(1, num("违法生育立案率") >= 90)
        + pts(1, num("社会抚养费征收到位率") >= 80) + pts(1, yes("社会抚养费征收程序规范"))
        + np.maximum(5 - num("再生育审批差错件数") - pts(5, yes("再生育审批材料弄虚作假")), 0), 18)
    信息化建设 = np.minimum(
        sum(pts(1.5, num(rate) >= 95) for rate in ("信息覆盖率", "信息完整率", "逻辑关系准确率", "上报及时率",
                                                   "流动人口模块指标最低值", "流动人口生育信息采集率"))
        + pts(1, yes("报表按要求归档"))
        + pts(2, num("村级系统应用覆盖率") >= 100)
        + pts(1, yes("部门信息定期获取核查"))
        + pts(1, yes("依法行政平台运行正常")) + pts(1, num("生育服务联系单核查率") >= 100)
        + pts(1, yes("按规范输出服务名单"))
        + pts(1, yes("坚持统计例会和培训")) + pts(1, num("调研分析报告篇数") >= 1), 18)
    宣传教育 = np.minimum(
        pts(1, num("市级以上报刊文章篇数") >= 2) + pts(1, num("网站录用信息月最少篇数") >= 3)
        + pts(1, num("大型主题宣传活动次数") >= 3) + pts(1, num("人口计生知识知晓率") >= 95)
        + pts(1, yes("生育政策调整宣传到位"))
        + pts(2, yes("幸福家庭五大行动落实"))
        + pts(2, num("人口文化建设达标率") >= 95)
        + pts(1, yes("电子化宣传台账完成任务")), 10)
    公共服务体系 = np.minimum(np.maximum(
        2 - pts(1, ~yes("服务站环境整洁")) - pts(1, ~yes("统一着装佩戴胸卡")) - pts(1, ~yes("开展中老年健康促进")),
        0), 2)
    出生缺陷干预 = np.minimum(
        pts(3, yes("孕前优生检查人数达到要求")) + pts(1, yes("开展孕前知识宣教")) + pts(1, yes("随访表格填写完整"))
        + pts(1, yes("高危人群跟踪随访")) + pts(1, yes("二孩妇女随访")), 7)
    家庭健康保健行动 = np.minimum(
        pts(1, yes("门诊咨询随访服务开展"))
        + pts(1, num("知情选择率") >= 90) + pts(1, num("随访服务率") >= 90)
        + pts(1, yes("不良反应报告数达到要求"))
        + pts(1, yes("生殖道感染防治开展"))
        + pts(1, yes("药具管理规范")), 6)
    流动人口管理服务 = np.minimum(
        pts(1, num("婚育证明办证率") >= 100) + pts(1, num("婚育证明查验率") >= 95) + pts(1, yes("流出合同与服务证规范"))
        + pts(1, num("协查反馈及时率") >= 95) + pts(1, num("网络化协作接收及时率") >= 95)
        + pts(1, yes("按要求通报流动人口信息"))
        + pts(1, yes("流动人口主题活动完成")) + pts(1, yes("六免两优惠落实")) + pts(1, num("流动人口管理服务率") >= 95), 9)
    协会建设 = np.minimum(
        pts(1, yes("协会及时换届") & (num("会员占总人口比例") >= 10) & yes("流动人口协会达到要求"))
        + pts(1, yes("协会台账归档"))
        + pts(1, yes("协会制度完善"))
        + pts(1, yes("协会阵地达标"))
        + pts(1, num("爱心家园服务次数") >= 2) + pts(1, num("扶贫帮困对象户数") >= 5)
        + pts(1, num("早期教育活动次数") >= 2), 7)
    党风廉政建设 = np.minimum(
        pts(1, yes("群众路线教育实践开展"))
        + pts(1, yes("惩防体系责任落实"))
        + pts(1, num("廉政问题件数") <= 0)
        + pts(1, ~yes("存在办事拖拉或重大失误"))
        + pts(1, yes("阳光计生机制完善"))
        + pts(1, yes("廉政文化阵地建设")), 6)
    基础分 = np.minimum(领导重视 + 综合治理 + 依法行政 + 信息化建设 + 宣传教育 + 公共服务体系 + 出生缺陷干预
                     + 家庭健康保健行动 + 流动人口管理服务 + 协会建设 + 党风廉政建设, 100)
    加分 = (3 * num("国家级表彰次数") + 2 * num("省级表彰次数") + num("市级综合类表彰次数") + num("区级部门联合表彰次数")
          + pts(1, yes("提供现场或专题片"))
          + 3 * num("国家级刊物发表篇数") + 2 * num("省级刊物发表篇数") + num("市级刊物发表篇数")
          + pts(1, yes("开展上取环技术服务"))
          + pts(2, yes("孕前优生完成区下达指标"))
          + pts(2, yes("建立银龄乐园"))
          + pts(2, yes("建立生育关怀项目点"))
          + pts(2, yes("建立爱心家园项目点"))
          + pts(2, yes("创建流动人口示范市场"))
          + pts(2, yes("群众工作带头人活动突出"))
          + num("其他亮点加分"))
    return 基础分 + 加分


# ---- the generated policy, from its spec ------------------------------------------------------
#
# One expression per rule, summed per leaf and held to [0, 分值]; leaves summed per category
# and held to its 分值; the categories summed and held to 满分; sections capped. Amounts per
# unit of a measure are written as a product with points ÷ step worked out here (the
# generator only uses steps that divide exactly), so no SQL division is needed.


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _condition_sql(condition: tuple[Test, ...]) -> str:
    parts = []
    for test in condition:
        if test.op == "is":
            parts.append(_q(test.fact))
        elif test.op == "not":
            parts.append(f"NOT {_q(test.fact)}")
        else:
            parts.append(f"{_q(test.fact)} {test.op} {plain(test.bound)}")
    return " AND ".join(parts)


def _amount_sql(rule: Fixed | PerUnit | Rate | Tiers, points: Decimal | None) -> str:
    """A rule's amount, unsigned for Fixed and PerUnit (their sign is the caller's)."""
    match rule:
        case Fixed():
            if not rule.condition:
                return plain(rule.points)
            return f"IF({_condition_sql(rule.condition)}, {plain(rule.points)}, 0)"
        case PerUnit():
            if rule.whole:  # complete steps only: counts are whole numbers, so integer division
                amount = _times(f"(CAST({_q(rule.fact)} AS BIGINT) // {plain(rule.step)})", rule.points)
            else:
                amount = _times(_q(rule.fact), rule.points / rule.step)
            return f"LEAST({amount}, {plain(rule.cap)})" if rule.cap is not None else amount
        case Rate():
            rate, target = _q(rule.fact), plain(rule.target)
            full = plain(rule.full if rule.full is not None else points)
            if rule.whole:
                lost = _times(f"FLOOR({_times(f'({target} - {rate})', 1 / rule.step)})", rule.slope)
            else:
                lost = _times(f"({target} - {rate})", rule.slope / rule.step)
            floor = f" WHEN {rate} < {plain(rule.floor)} THEN 0" if rule.floor is not None else ""
            return f"CASE WHEN {rate} >= {target} THEN {full}{floor} ELSE GREATEST({full} - {lost}, 0) END"
        case Tiers():
            whens = " ".join(f"WHEN {_q(rule.fact)} {op} {plain(bound)} THEN {plain(amount)}"
                             for op, bound, amount in rule.tiers)
            return f"CASE {whens} ELSE {plain(rule.otherwise or Decimal(0))} END"
    raise TypeError(rule)


def _times(expr: str, factor: Decimal) -> str:
    return expr if factor == 1 else f"{expr} * {plain(factor)}"


def _signed(rule) -> int:
    return rule.sign if isinstance(rule, Fixed | PerUnit) else 1


def _sum_sql(start: Decimal, terms: list[tuple[int, str]]) -> str:
    """``start`` plus or minus each term: 2 - IF(…) - IF(…)."""
    if start == 0 and terms and terms[0][0] > 0:
        text, terms = terms[0][1], terms[1:]
    else:
        text = plain(start)
    for sign, term in terms:
        text += (" + " if sign > 0 else " - ") + term
    return text


def _section_sql(section: Section) -> str:
    terms = [(1, _amount_sql(rule, None)) for rule in section.rules]
    terms += [(1, _section_sql(child)) for child in section.children]
    total = _sum_sql(Decimal(0), terms)
    return f"LEAST({total}, {plain(section.cap)})" if section.cap is not None else f"({total})"


def generated_sql(spec: Spec, table: str) -> str:
    """The generated policy as one DuckDB query over ``table``, in the shape of ``wujin_sql``."""
    leaves, categories = [], []
    for category in spec.categories:
        for leaf in category.leaves:
            terms = [(_signed(r), _amount_sql(r, leaf.points)) for r in leaf.rules if not isinstance(r, ZeroIf)]
            score = f"LEAST(GREATEST({_sum_sql(leaf.start, terms)}, 0), {plain(leaf.points)})"
            zero = [_condition_sql(r.condition) for r in leaf.rules if isinstance(r, ZeroIf)]
            if zero:
                score = f"IF({' OR '.join(zero)}, 0, {score})"
            leaves.append(f"        {score} AS {_q(leaf.name)}")
        summed = " + ".join(_q(leaf.name) for leaf in category.leaves)
        categories.append(f"        LEAST({summed}, {plain(category.points)}) AS {_q(category.name)}")
    bonus = " + ".join(_section_sql(s) for s in spec.sections if s.sign > 0) or "0"
    penalty = " + ".join(_section_sql(s) for s in spec.sections if s.sign < 0) or "0"
    vetoes = [_condition_sql(v.condition) for c in spec.categories for v in c.vetoes]
    vetoes += [_condition_sql(v.condition) for v in spec.vetoes]
    base = " + ".join(_q(c.name) for c in spec.categories)
    grades = []
    for band in spec.bands:
        limits = [f"总分 >= {plain(band.low)}"] if band.low is not None else []
        limits += [f"总分 < {plain(band.high)}"] if band.high is not None else []
        grades.append(f"WHEN {' AND '.join(limits)} THEN '{band.name}'" if limits else f"ELSE '{band.name}'")
    return f"""
WITH leaves AS (
    SELECT
        单位,
        {' OR '.join(vetoes) or 'FALSE'} AS 一票否决,
        {bonus} AS 加分,
        {penalty} AS 减分,
{(',' + chr(10)).join(leaves)}
    FROM {table}
), categories AS (
    SELECT
        单位, 一票否决, 加分, 减分,
{(',' + chr(10)).join(categories)}
    FROM leaves
), totals AS (
    SELECT 单位, 一票否决, 加分, 减分, LEAST({base}, {plain(spec.full_marks)}) AS 基础分
    FROM categories
), graded AS (
    SELECT 单位, 基础分 + 加分 - 减分 AS 总分, 基础分, 加分, 减分, 一票否决
    FROM totals
)
SELECT
    *,
    CASE
        WHEN 一票否决 THEN NULL
        {(chr(10) + "        ").join(grades)}
    END AS 等次
FROM graded
"""


def _condition_np(condition: tuple[Test, ...], columns) -> np.ndarray:
    holds = np.ones(len(next(iter(columns.values()))), dtype=bool)
    for test in condition:
        value = columns[test.fact]
        match test.op:
            case "is":
                holds &= value.astype(bool)
            case "not":
                holds &= ~value.astype(bool)
            case ">=":
                holds &= value >= float(test.bound)
            case ">":
                holds &= value > float(test.bound)
            case "<=":
                holds &= value <= float(test.bound)
            case "<":
                holds &= value < float(test.bound)
            case "=":
                holds &= value == float(test.bound)
    return holds


def _amount_np(rule: Fixed | PerUnit | Rate | Tiers, points: Decimal | None, columns) -> np.ndarray:
    match rule:
        case Fixed():
            return np.where(_condition_np(rule.condition, columns), float(rule.points), 0.0)
        case PerUnit():
            value = columns[rule.fact]
            if rule.whole:
                amount = np.floor(value / float(rule.step)) * float(rule.points)
            else:
                amount = value * float(rule.points / rule.step)
            return np.minimum(amount, float(rule.cap)) if rule.cap is not None else amount
        case Rate():
            rate, target = columns[rule.fact], float(rule.target)
            full = float(rule.full if rule.full is not None else points)
            gap = target - rate
            lost = (np.floor(gap / float(rule.step)) * float(rule.slope) if rule.whole
                    else gap * float(rule.slope / rule.step))
            score = np.maximum(full - lost, 0.0)
            if rule.floor is not None:
                score = np.where(rate < float(rule.floor), 0.0, score)
            return np.where(rate >= target, full, score)
        case Tiers():
            tests = [_condition_np((Test(rule.fact, op, bound),), columns) for op, bound, _ in rule.tiers]
            return np.select(tests, [float(a) for _, _, a in rule.tiers], float(rule.otherwise or 0))
    raise TypeError(rule)


def _section_np(section: Section, columns) -> np.ndarray:
    total = sum((_amount_np(rule, None, columns) for rule in section.rules), np.zeros(1))
    total = total + sum((_section_np(child, columns) for child in section.children), np.zeros(1))
    return np.minimum(total, float(section.cap)) if section.cap is not None else total


def generated_numpy(spec: Spec, columns: dict[str, np.ndarray]) -> np.ndarray:
    """The generated policy's totals, vectorised in float64 (within 1e-9 here).

    ``columns`` maps each fact to an array: booleans for 是否, float64 for numbers.
    """
    base = 0.0
    for category in spec.categories:
        summed = 0.0
        for leaf in category.leaves:
            raw = float(leaf.start)
            for rule in leaf.rules:
                if not isinstance(rule, ZeroIf):
                    raw = raw + _signed(rule) * _amount_np(rule, leaf.points, columns)
            score = np.clip(raw, 0.0, float(leaf.points))
            for rule in leaf.rules:
                if isinstance(rule, ZeroIf):
                    score = np.where(_condition_np(rule.condition, columns), 0.0, score)
            summed = summed + score
        base = base + np.minimum(summed, float(category.points))
    total = np.minimum(base, float(spec.full_marks))
    for section in spec.sections:
        total = total + section.sign * _section_np(section, columns)
    return total


# ---- checking the baselines against the interpreter -------------------------------------------


def numpy_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """A facts table as numpy arrays: booleans stay booleans, decimals become float64."""
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_boolean(column.type):
            columns[name] = column.to_numpy()
        elif pa.types.is_decimal(column.type):
            columns[name] = pc.cast(column, pa.float64()).to_numpy()
    return columns


def self_check(name: str, policy, sql_of, totals_numpy, table: pa.Table) -> int:
    """Score ``table`` with the interpreter (through a CSV file, as ``jhdsl eval`` reads it)
    and with both baselines (``sql_of(table name)``, ``totals_numpy(columns)``); assert
    that they agree on every unit, and return how many units were compared."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "units.csv"
        pa_csv.write_csv(table, path)
        read = load_facts(path, policy)
    errors = [p.describe() for p in read.problems if not p.warning]
    assert not errors and len(read.units) == table.num_rows, errors[:3]
    start = time.perf_counter()
    settled = evaluate_all(policy, read.units)
    seconds = time.perf_counter() - start
    assert not settled.failed, settled.failed[:3]
    expected = {r.unit: r for r in settled.results}

    connection = duckdb.connect()
    connection.register("facts", table)
    rows = connection.execute(sql_of("facts")).fetchall()
    assert len(rows) == len(expected)
    for unit, total, _base, _bonus, _penalty, vetoed, grade in rows:
        reference = expected[unit]
        assert total == reference.total, f"{name} SQL: {unit} 总分 {total} ≠ {reference.total}"
        assert vetoed == reference.vetoed and grade == reference.grade, f"{name} SQL: {unit} 等次 {grade}"

    names = table.column("单位").to_pylist()
    computed = totals_numpy(numpy_columns(table))
    worst = 0.0
    for unit, total in zip(names, computed, strict=True):
        exact = expected[unit].total
        worst = max(worst, abs(float(exact) - total))
        assert worst <= 1e-9, f"{name} numpy: {unit} 总分 {total!r} ≠ {exact}"
    print(f"{name}: 比较了 {len(rows)} 个单位：SQL 的总分、一票否决、等次与解释器完全一致；"
          f"numpy 的总分最多相差 {worst:.1e}（解释器用时 {seconds:.1f} 秒）")
    return len(rows)


def main() -> None:
    size = 2_000
    wujin = load_policy(ROOT / "policies" / "wujin-2014.jhp").policy
    self_check("wujin-2014", wujin, wujin_sql, wujin_numpy, facts_table(wujin, size, seed=1))

    text, spec = generate(500, seed=0)
    loaded = check_text(text, "generated-500.jhp")
    assert not loaded.diagnostics, loaded.diagnostics[:3]
    self_check("generated-500", loaded.policy, lambda table: generated_sql(spec, table),
               lambda columns: generated_numpy(spec, columns), facts_table(loaded.policy, size, seed=1))


if __name__ == "__main__":
    main()
