"""``jhdsl test``: the runner of the test cases kept beside each policy (jhdsl/policytest.py).

The runner is tested on small files written here, on copies of wujin-2014's cases, on the
examples of docs/policy-tests.md, and on every test file shipped under policies/.
"""

from __future__ import annotations

import importlib.util
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from jhdsl.pipeline import load_policy
from jhdsl.policytest import test_command as command

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
WUJIN = POLICIES / "wujin-2014.jhp"
WUJIN_FACTS = ROOT / "examples" / "wujin-2014" / "units.csv"
RANKING_POLICIES = ["city-township-a", "kaifeng-2018", "macheng-2009"]

SMALL_POLICY = """\
考核 小政策
  满分 10分

事实
  达标: 是否
  人数: 整数

项目 甲 4分
  计分 4分 若 达标

项目 乙 6分
  按 人数 每 1名 计 2分 上限 6分

等次
  优秀    总分 >= 9
  一般    总分 < 9

排名 综合排名 按 总分
结果 表扬 按 综合排名 前 1名
"""

SMALL_FACTS = "单位,达标,人数\n一镇,是,3\n二镇,否,3\n三镇,是,1\n"


def run(*args, cwd: Path | None = None, monkeypatch=None):
    """Invoke the command as a user would; ``cwd`` for relative paths."""
    if cwd is not None:
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(command, [str(a) for a in args])


def last_line(result) -> str:
    return result.output.rstrip("\n").split("\n")[-1]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A directory with a small policy and its example facts, the layout policies/ uses."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "小.jhp").write_text(SMALL_POLICY, encoding="utf-8")
    (tmp_path / "examples" / "小").mkdir(parents=True)
    (tmp_path / "examples" / "小" / "units.csv").write_text(SMALL_FACTS, encoding="utf-8")
    return tmp_path


def write_cases(directory: Path, text: str, name: str = "小.test.toml") -> Path:
    path = directory / "policies" / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- every shipped policy is pinned by its test file -------------------------------------------


def shipped_policies() -> list[Path]:
    return sorted(POLICIES.glob("*.jhp"))


@pytest.mark.parametrize("policy", shipped_policies(), ids=lambda p: p.stem)
def test_every_policy_has_a_test_file_with_at_least_three_cases(policy):
    beside = policy.with_name(policy.stem + ".test.toml")
    assert beside.is_file(), beside
    cases = tomllib.loads(beside.read_text(encoding="utf-8"))["case"]
    assert len(cases) >= 3
    # every case cites the hand-worked test it was taken from
    text = beside.read_text(encoding="utf-8")
    assert "tests/test_" in text


@pytest.mark.parametrize("name", RANKING_POLICIES)
def test_the_ranking_policies_check_ranks_and_outcomes_with_all_units(name):
    cases = tomllib.loads((POLICIES / f"{name}.test.toml").read_text(encoding="utf-8"))["case"]
    together = [c for c in cases if c.get("all_units")]
    assert any("rank" in c for c in together)
    assert any("outcomes" in c for c in together)


@pytest.mark.parametrize("policy", shipped_policies(), ids=lambda p: p.stem)
def test_every_shipped_test_file_passes(policy):
    result = run(policy)
    assert result.exit_code == 0, result.output
    cases = len(tomllib.loads(policy.with_name(policy.stem + ".test.toml").read_text(encoding="utf-8"))["case"])
    assert last_line(result) == f"{cases} passed, 0 failed"
    assert "失败" not in result.output


def test_the_default_runs_every_file_under_policies(monkeypatch):
    result = run(cwd=ROOT, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    for policy in shipped_policies():
        assert f"{policy.stem}.test.toml" in result.output
    total = sum(len(tomllib.loads(p.read_text(encoding="utf-8"))["case"]) for p in POLICIES.glob("*.test.toml"))
    assert last_line(result) == f"{total} passed, 0 failed"


# ---- passing and failing --------------------------------------------------------------------


def test_a_passing_file(small):
    write_cases(small, """
[[case]]
name = "一镇满分"
unit = "一镇"
total = 10
base = 10
grade = "优秀"
[case.items]
"甲" = 4
"乙" = 6
""")
    result = run(small / "policies" / "小.jhp")
    assert result.exit_code == 0, result.output
    assert "  通过  一镇满分" in result.output
    assert last_line(result) == "1 passed, 0 failed"


def test_a_failing_item_shows_expected_against_actual_and_the_rules_of_that_item(small):
    write_cases(small, """
[[case]]
name = "二镇"
unit = "二镇"
total = 6
[case.items]
"甲" = 4
""")
    result = run(small / "policies" / "小.test.toml")
    assert result.exit_code == 1
    out = result.output
    assert "  失败  二镇" in out
    lines = out.split("\n")
    assert any(line.split() == ["总分", "6", "6", "相符"] for line in lines), out
    assert any(line.split() == ["项目「甲」", "4", "0", "不符"] for line in lines), out
    assert "触发的规则：" in out
    assert "未计4分：达标 = 否" in out  # the rule of the item that differs
    assert "按「人数」每1名计2分" not in out  # not the rules of the items that agree
    assert last_line(result) == "0 passed, 1 failed"


def test_a_failing_total_shows_the_whole_explanation(small):
    write_cases(small, '[[case]]\nunit = "三镇"\ntotal = 7\ngrade = "优秀"\n')
    result = run(small / "policies")
    assert result.exit_code == 1
    lines = result.output.split("\n")
    assert any(line.split() == ["总分", "7", "6", "不符"] for line in lines), result.output
    assert any(line.split() == ["等次", "优秀", "一般", "不符"] for line in lines), result.output
    assert "【三镇】 总分 6.00" in result.output
    assert "按「人数」每1名计2分：人数 = 1，1 × 2分 = 2分" in result.output


def test_a_mixed_run_counts_both_and_fails(small):
    write_cases(small, """
[[case]]
unit = "一镇"
total = 10

[[case]]
unit = "一镇"
total = 9
""")
    result = run(small / "policies" / "小.jhp")
    assert result.exit_code == 1
    assert last_line(result) == "1 passed, 1 failed"


def test_the_published_rounding_of_a_score_also_matches(tmp_path):
    # group-selfcheck: 投资发展部 88.66 − 20% = 70.928, published at 2 places as 70.93
    policy = POLICIES / "group-selfcheck.jhp"
    facts = ROOT / "examples" / "group-selfcheck" / "units.csv"
    head = f'policy = "{policy.as_posix()}"\nfacts = "{facts.as_posix()}"\n'
    for total, code in [("70.928", 0), ("70.93", 0), ("70.9", 1), ("70.92", 1)]:
        path = tmp_path / "g.test.toml"
        path.write_text(f'{head}[[case]]\nunit = "投资发展部"\ntotal = {total}\n', encoding="utf-8")
        assert run(path).exit_code == code, total


def test_names_compare_as_lists_in_any_order(small):
    write_cases(small, '[[case]]\nunit = "一镇"\nall_units = true\noutcomes = ["表扬"]\nvetoes = []\n')
    assert run(small / "policies").exit_code == 0
    write_cases(small, '[[case]]\nunit = "一镇"\nall_units = true\noutcomes = ["表扬", "表扬"]\n')
    assert run(small / "policies").exit_code == 1


def test_facts_over_the_example_row(small):
    # 二镇 with 达标 = 是: 4 + 6 = 10
    write_cases(small, '[[case]]\nunit = "二镇"\nfacts = { "达标" = true }\ntotal = 10\n')
    result = run(small / "policies")
    assert result.exit_code == 0, result.output


def test_a_unit_given_by_its_facts_alone(small):
    # not in the example facts: 4 + 2 × 2 = 8; 人数 is required, 达标 too
    write_cases(small, '[[case]]\nunit = "新镇"\nfacts = { "达标" = "是", "人数" = 2 }\ntotal = 8\ngrade = "一般"\n')
    result = run(small / "policies")
    assert result.exit_code == 0, result.output


def test_a_unit_given_by_its_facts_alone_needs_no_example_file(tmp_path):
    (tmp_path / "小.jhp").write_text(SMALL_POLICY, encoding="utf-8")
    (tmp_path / "小.test.toml").write_text('[[case]]\nunit = "新镇"\nfacts = { "达标" = "否", "人数" = 5 }\n'
                                          'total = 6\n', encoding="utf-8")
    result = run(tmp_path / "小.jhp")
    assert result.exit_code == 0, result.output


def test_ranks_alone_and_with_all_units(small):
    # 一镇 10, 二镇 6, 三镇 6: alone 三镇 is first of one; among the three it shares 2nd place
    write_cases(small, """
[[case]]
unit = "三镇"
rank = 1
outcomes = ["表扬"]

[[case]]
unit = "三镇"
all_units = true
rank = 2
outcomes = []
""")
    result = run(small / "policies")
    assert result.exit_code == 0, result.output
    assert last_line(result) == "2 passed, 0 failed"


def test_parameters_per_case(tmp_path, monkeypatch):
    # dengzhou-2016 罗庄镇: 上半年 280, 全年 215 (tests/test_seed_dengzhou_2016.py HALF and FULL)
    policy = POLICIES / "dengzhou-2016.jhp"
    facts = ROOT / "examples" / "dengzhou-2016" / "units.csv"
    (tmp_path / "d.test.toml").write_text(
        f'policy = "{policy.as_posix()}"\nfacts = "{facts.as_posix()}"\n'
        '[[case]]\nunit = "罗庄镇"\ntotal = 280\n'
        '[[case]]\nunit = "罗庄镇"\nset = { "期间" = "全年" }\ntotal = 215\n', encoding="utf-8")
    result = run("d.test.toml", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert last_line(result) == "2 passed, 0 failed"


def test_a_policy_with_errors_fails_its_cases(small):
    (small / "policies" / "小.jhp").write_text(SMALL_POLICY.replace("计分 4分 若 达标", "计分 4分 若 没有的事实"),
                                              encoding="utf-8")
    write_cases(small, '[[case]]\nunit = "一镇"\ntotal = 10\n')
    result = run(small / "policies")
    assert result.exit_code == 1
    assert "有 1 个错误，未评分" in result.output
    assert last_line(result) == "0 passed, 1 failed"


# ---- broken test files: exit 2, a Chinese message naming the file, never a traceback --------------


BROKEN = [
    ("[[case]]\nunit = \n", "不是正确的 TOML 格式"),
    ("[[case]]\n计划生育率 = 4\n", "中文的键名要加引号"),
    ('polcy = "x.jhp"\n[[case]]\nunit = "一镇"\ntotal = 1\n', "未知的键「polcy」。是否指「policy」？"),
    ('facts = "x.csv"\n', "没有任何用例"),
    ('[[case]]\ntotal = 1\n', "缺少 unit"),
    ('[[case]]\nunit = "一镇"\n', "没有写任何期望的结果"),
    ('[[case]]\nunit = "一镇"\ntotl = 1\n', "未知的键「totl」。是否指「total」？"),
    ('[[case]]\nunit = "一镇"\ntotal = "十分"\n', "total 应是一个数"),
    ('[[case]]\nunit = "一镇"\ngrade = 1\n', "grade 应是一个用引号括起的文字"),
    ('[[case]]\nunit = "一镇"\nvetoes = "甲"\n', "vetoes 应是名称的列表"),
    ('[[case]]\nunit = "一镇"\nall_units = "是"\ntotal = 1\n', "all_units 应是 true 或 false"),
    ('[[case]]\nunit = "一镇"\nrank = 0\n', "rank 应是名次"),
    ('[[case]]\nunit = "一镇"\n[case.items]\n"甲" = 4\ntotal = 10\n', "「total」写在了 [case.items] 之下"),
    ('[[case]]\nunit = "一镇"\n[case.items]\n"丙" = 4\n', "政策中没有项目或加减分项「丙」"),
    ('[[case]]\nunit = "一镇"\ngrade = "优"\n', "政策中没有等次「优」。是否指「优秀」？"),
    ('[[case]]\nunit = "一镇"\noutcomes = ["表彰"]\n', "政策中没有结果「表彰」。是否指「表扬」？"),
    ('[[case]]\nunit = "一镇"\nvetoes = ["否决"]\n', "政策中没有一票否决「否决」。本政策没有任何一票否决"),
    ('[[case]]\nunit = "一镇"\nrank = { "排名" = 1 }\n', "政策中没有排名「排名」"),
    ('[[case]]\nunit = "一"\ntotal = 1\n', "中没有单位「一」。是否指「一镇」？"),
    ('[[case]]\nunit = "一镇"\nfacts = { "人数" = "三" }\ntotal = 1\n', "事实「人数」：应为整数，却不是一个数"),
    ('[[case]]\nunit = "一镇"\nfacts = { "人 数" = 3 }\ntotal = 1\n', "未知的列「人 数」"),
    ('[[case]]\nunit = "新镇"\nfacts = { "达标" = "是" }\ntotal = 1\n', "缺少这个事实"),
    ('[[case]]\nunit = "一镇"\nset = { "期间" = "全年" }\ntotal = 1\n', "set：没有名为「期间」的参数"),
    ('policy = "没有.jhp"\n[[case]]\nunit = "一镇"\ntotal = 1\n', "找不到所测的政策文件"),
    ('facts = "没有.csv"\n[[case]]\nunit = "一镇"\ntotal = 1\n', "找不到示例事实文件"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_a_broken_test_file(small, text, message):
    path = write_cases(small, text)
    result = run(path)
    assert result.exit_code == 2, result.output
    assert f"错误：测试文件 {path}：" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert last_line(result) == "0 passed, 0 failed"


def test_rank_as_a_number_needs_a_policy_with_one_ranking(tmp_path):
    path = tmp_path / "a.test.toml"
    policy = POLICIES / "city-township-a.jhp"
    path.write_text(f'policy = "{policy.as_posix()}"\n[[case]]\nunit = "城关镇"\nall_units = true\nrank = 1\n',
                    encoding="utf-8")
    result = run(path)
    assert result.exit_code == 2
    assert "政策有 5 个排名，rank 要写成" in result.output


def test_a_broken_file_does_not_stop_the_others(small):
    write_cases(small, '[[case]]\nunit = "一镇"\ntotal = 10\n')
    write_cases(small, '[[case]]\nunit = \n', name="坏.test.toml")
    (small / "policies" / "坏.jhp").write_text(SMALL_POLICY, encoding="utf-8")
    result = run(small / "policies")
    assert result.exit_code == 2
    assert "坏.test.toml：第 2 行" in result.output
    assert "  通过  一镇" in result.output
    assert last_line(result) == "1 passed, 0 failed"


# ---- usage errors -------------------------------------------------------------------------------


def test_no_test_file_found(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "用法错误：没有找到测试文件" in result.output


def test_a_missing_path(tmp_path):
    result = run(tmp_path / "没有")
    assert result.exit_code == 2
    assert "用法错误：找不到" in result.output


def test_a_policy_without_a_test_file(tmp_path):
    (tmp_path / "小.jhp").write_text(SMALL_POLICY, encoding="utf-8")
    result = run(tmp_path / "小.jhp")
    assert result.exit_code == 2
    assert "旁边没有测试文件 小.test.toml" in result.output


def test_a_file_that_is_neither(tmp_path):
    other = tmp_path / "x.csv"
    other.write_text("单位\n", encoding="utf-8")
    result = run(other)
    assert result.exit_code == 2
    assert "既不是政策文件" in result.output


def test_help_is_in_chinese():
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    assert "运行政策旁的测试用例" in result.output and "N passed, N failed" in result.output


# ---- the examples of docs/policy-tests.md --------------------------------------------------------


def _check_examples():
    spec = importlib.util.spec_from_file_location("check_examples", ROOT / "docs" / "check_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_examples_of_the_guide_behave_as_written(tmp_path, monkeypatch):
    examples = _check_examples()
    text = (ROOT / "docs" / "policy-tests.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runs = 0
    for kind, arg, code, body, line in examples.blocks(text):
        if kind == "file":
            Path(arg).write_text(body + "\n", encoding="utf-8")
            continue
        argv = shlex.split(arg)
        assert argv[:2] == ["jhdsl", "test"], arg
        result = CliRunner().invoke(command, argv[2:])
        actual = [x.rstrip() for x in result.output.rstrip("\n").split("\n")]
        assert result.exit_code == (code or 0), (line, result.output)
        assert examples.appears(body.split("\n"), actual), (line, result.output)
        runs += 1
    assert runs == 3


def test_the_guide_example_policy_is_clean(tmp_path, monkeypatch):
    examples = _check_examples()
    text = (ROOT / "docs" / "policy-tests.md").read_text(encoding="utf-8")
    (body,) = [b for kind, arg, _, b, _ in examples.blocks(text) if kind == "file" and arg == "入门.jhp"]
    (tmp_path / "入门.jhp").write_text(body, encoding="utf-8")
    assert load_policy(tmp_path / "入门.jhp").diagnostics == ()


def test_a_wrong_number_in_a_copy_of_wujin_cases(tmp_path):
    """洛阳镇's B超管理 written as 1 instead of the hand-worked 0 (tests/test_wujin.py)."""
    text = (POLICIES / "wujin-2014.test.toml").read_text(encoding="utf-8")
    assert text.count('"B超管理" = 0') == 1
    head = f'policy = "{WUJIN.as_posix()}"\nfacts = "{WUJIN_FACTS.as_posix()}"\n'
    path = tmp_path / "wujin.test.toml"
    path.write_text(head + text.replace('"B超管理" = 0', '"B超管理" = 1'), encoding="utf-8")
    result = run(path)
    assert result.exit_code == 1
    cases = len(tomllib.loads(text)["case"])
    assert last_line(result) == f"{cases - 1} passed, 1 failed"
    assert "  失败  洛阳镇：扣完为止" in result.output
    assert any(line.split() == ["项目「B超管理」", "1", "0", "不符"] for line in result.output.split("\n"))
    assert "扣2分：发生非医学需要胎儿性别鉴定 = 是" in result.output
    assert "扣完为止：合计 −2分，本项最低 0分，按 0分 计" in result.output
