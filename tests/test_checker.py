"""The checker against golden files: each ``golden/check/X.jhp`` beside ``X.expected``.

An ``.expected`` line is ``line:column severity code message | hint``, written by hand from
what the snippet gets wrong; ``.rendered`` holds the whole drawn diagnostic, caret and all.
"""

from pathlib import Path

import pytest

from jhdsl.display import render_diagnostic
from jhdsl.pipeline import check_text, load_policy

GOLDEN = Path(__file__).parent / "golden" / "check"


def compact(path: Path) -> list[str]:
    loaded = check_text(path.read_text(encoding="utf-8"), path.name)
    lines = []
    for d in loaded.diagnostics:
        hint = f" | {d.hint}" if d.hint else ""
        lines.append(f"{d.span.line}:{d.span.column} {d.severity} {d.code} {d.message}{hint}")
    return lines


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.expected")))
def test_golden_diagnostics(name):
    expected = (GOLDEN / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    assert compact(GOLDEN / f"{name}.jhp") == expected


def test_caret_counts_wide_characters_twice():
    path = GOLDEN / "caret.jhp"
    loaded = check_text(path.read_text(encoding="utf-8"), "caret.jhp")
    drawn = "\n".join(render_diagnostic(d, loaded.lines) for d in loaded.errors)
    assert drawn == (GOLDEN / "caret.rendered").read_text(encoding="utf-8").rstrip("\n")


def test_every_problem_once_in_source_order():
    for path in GOLDEN.glob("*.jhp"):
        loaded = check_text(path.read_text(encoding="utf-8"), path.name)
        keys = [d.sort_key() for d in loaded.diagnostics]
        assert keys == sorted(keys)
        assert len(set(loaded.diagnostics)) == len(loaded.diagnostics)


def test_syntax_errors_do_not_drown_in_follow_on_warnings():
    # the line blanked after a syntax error leaves 「乙」 without rules and 「率」 half used:
    # those echoes (E403, W203) must not be reported on top of the syntax errors
    codes = {line.split()[2] for line in compact(GOLDEN / "syntax.jhp")}
    assert codes.isdisjoint({"E403", "W203", "W401"})


def test_a_clean_policy_has_no_diagnostics():
    text = "考核 甲\n  满分 4分\n事实\n  率: 百分比\n项目 乙 4分\n  计分 4分 若 率 >= 99%\n"
    assert check_text(text, "t.jhp").diagnostics == ()


def test_a_group_that_adds_up_is_not_reported():
    text = "考核 甲\n事实\n  甲: 是否\n项目 组 3分\n  项目 子一 1分\n    计分 1分 若 甲\n  项目 子二 2分\n    计分 2分 若 甲\n"
    assert check_text(text, "t.jhp").diagnostics == ()


def test_bands_that_meet_at_their_bounds_have_no_gap_or_overlap():
    text = ("考核 甲\n事实\n  甲: 是否\n项目 乙 100分\n  计分 100分 若 甲\n"
            "等次\n  优秀 总分 >= 90\n  良好 80 <= 总分 < 90\n  合格 60 <= 总分 < 80\n  不合格 总分 < 60\n")
    assert check_text(text, "t.jhp").diagnostics == ()


def test_unreadable_file_is_a_diagnostic_not_a_crash(tmp_path):
    path = tmp_path / "gbk.jhp"
    path.write_bytes("项目 甲 10分\n".encode("gbk"))
    loaded = load_policy(path)
    assert [d.code for d in loaded.diagnostics] == ["E001"]
    assert "UTF-8" in loaded.diagnostics[0].message


def test_a_dedent_between_two_levels_is_one_error_not_a_cascade():
    text = "考核 甲\n事实\n    甲: 是否\n  乙: 是否\n项目 丙 2分\n  计分 1分 若 甲\n  计分 1分 若 乙\n"
    assert compact_text(text) == ["4:1 错误 E105 缩进与上面任何一层都对不齐 | 同一层的行应当从同一列开始"]


def test_amounts_in_wan_yuan_are_kept_in_yuan():
    text = "考核 甲\n事实\n  经费: 金额\n项目 丙 2分\n  计分 2分 若 经费 >= 1.5万元\n"
    rule = check_text(text, "t.jhp").policy.items[0].rules[0]
    assert rule.condition.right.value == 15000


def compact_text(text: str) -> list[str]:
    loaded = check_text(text, "t.jhp")
    return [f"{d.span.line}:{d.span.column} {d.severity} {d.code} {d.message} | {d.hint}" for d in loaded.diagnostics]
