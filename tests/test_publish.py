"""Results published as an Excel workbook and as an HTML report opened in a real browser."""

import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jhdsl.cli import main
from jhdsl.facts import load_facts
from jhdsl.outcomes import evaluate_all
from jhdsl.pipeline import load_policy
from jhdsl.publish import results_html

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "city-township-a.jhp"
FACTS = ROOT / "examples" / "city-township-a" / "units.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "结果.xlsx"
    result = run("eval", POLICY, FACTS, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)


def test_workbook_sheets_and_summary_row(workbook):
    assert workbook.sheetnames == ["汇总", "各项得分", "得分说明"]
    summary = workbook["汇总"]
    headers = [c.value for c in summary[1]]
    assert headers[:7] == ["单位", "所属县区", "总分", "基础分", "加分", "减分", "等次"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=2)}
    assert len(rows) == 26
    # 城关镇 (worked by hand in test_seed_city_township_a): base 100 + bonus 7 capped at 5 = 105
    chengguan = rows["城关镇"]
    total, base, bonus = (chengguan[headers.index(h)].value for h in ("总分", "基础分", "加分"))
    assert (D(str(total)), D(str(base)), D(str(bonus))) == (D(105), D(100), D(5))
    assert "先进（奖励 25000元）" in chengguan[headers.index("结果")].value


def test_workbook_items_and_explanations(workbook):
    items = workbook["各项得分"]
    assert items.max_row == 27 and items.cell(1, 1).value == "单位"
    lines = workbook["得分说明"]
    assert [c.value for c in lines[1]] == ["单位", "项目", "分数", "说明"]
    assert any(row[0].value == "陈湖乡" and "上限" in str(row[3].value) for row in lines.iter_rows(min_row=2))


def test_xlsx_needs_an_output_file():
    result = run("eval", POLICY, FACTS, "--format", "xlsx")
    assert result.exit_code == 2 and "-o" in result.output


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    loaded = load_policy(POLICY)
    settled = evaluate_all(loaded.policy, load_facts(FACTS, loaded.policy).units)
    page = results_html(settled.results, loaded.policy)
    path = tmp_path_factory.mktemp("html") / "通报.html"
    path.write_text(page, encoding="utf-8")
    return path, page


def test_report_is_self_contained(report):
    _, page = report
    assert not re.search(r'(src|href)\s*=\s*"?(https?:)?//', page)  # nothing fetched: it opens offline
    assert page.count("<details>") == 26 and page.count("<svg") == 2
    assert "各项目失分合计" in page and "总分分布" in page


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless chromium is needed for this test: .ci/run installs Debian's chromium"
    return found


BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_opens_in_a_headless_browser_without_errors(report, tmp_path):
    path, _ = report
    browser = _chromium()
    profile = f"--user-data-dir={tmp_path / 'profile'}"
    shot = tmp_path / "通报.png"
    subprocess.run([browser, *BROWSER_FLAGS, profile, f"--screenshot={shot}", "--window-size=1280,2000",
                    path.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000  # a real picture of the page
    dom = subprocess.run([browser, *BROWSER_FLAGS, profile, "--dump-dom", path.as_uri()],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    assert "城关镇" in dom and "考核情况通报" in dom
    assert "data-errors" not in dom  # the page's error guard recorded nothing


def test_money_is_a_number_column(workbook):
    summary = workbook["汇总"]
    headers = [c.value for c in summary[1]]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=2)}
    money = headers.index("奖惩金额")
    # 城关镇: 先进 25000 + three single-line awards of 10000 each = 55000 (test_seed_city_township_a)
    assert D(str(rows["城关镇"][money].value)) == D(55000)
    # 陈湖乡: 重点管理 罚款 3000 (plus any warning outcomes, which carry no money) = −3000
    assert D(str(rows["陈湖乡"][money].value)) == D(-3000)
