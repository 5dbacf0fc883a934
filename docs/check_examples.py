"""Run the examples of docs/language.md and check that every quoted output is real.

The reference marks its examples with HTML comments, which a Markdown viewer does not show:

    <!-- file: 名称.jhp -->        the fenced block that follows is written to that file
    <!-- run: 命令 -->             the command is run (in the directory of the files, with
    <!-- run exit=1: 命令 -->      stdout and stderr together, as on a terminal) and must end
                                   with the exit code given, 0 when no exit= is written; the
                                   fenced block that follows must appear in its output, line
                                   by line; a line "…" in the block skips any number of lines

A byte-order mark at the very start of the output (CSV output has one, for Excel) is not
compared: a terminal does not show it.

Usage:  python docs/check_examples.py [docs/language.md] [--jhdsl JHDSL]
        python docs/check_examples.py --fill   (print the real output of every run, to paste)

Exit code 0 when every example behaves as the reference says, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MARK = re.compile(r"<!--\s*(file|run)(?:\s+exit=(\d+))?\s*:\s*(.+?)\s*-->")
FENCE = re.compile(r"^(`{3,}|~{3,})")


def blocks(text: str):
    """(kind, argument, exit code or None, block text, line number) for each marked block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        mark = MARK.search(lines[i])
        if not mark:
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            i += 1
        if i >= len(lines):
            raise SystemExit(f"第 {start + 1} 行的标记后面没有代码块")
        fence = FENCE.match(lines[i]).group(1)
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        kind, code, arg = mark.group(1), mark.group(2), mark.group(3)
        yield kind, arg, int(code) if code is not None else None, "\n".join(body), start + 1


def appears(quoted: list[str], actual: list[str]) -> bool:
    """Whether the quoted lines appear, in order, in ``actual``; a line "…" skips any lines."""
    segments: list[list[str]] = [[]]
    for line in quoted:
        if line.strip() == "…":
            segments.append([])
        else:
            segments[-1].append(line.rstrip())
    position = 0
    for segment in segments:
        if not segment:
            continue
        starts = [s for s in range(position, len(actual) - len(segment) + 1)
                  if actual[s : s + len(segment)] == segment]
        if not starts:
            return False
        position = starts[0] + len(segment)
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("doc", nargs="?", default=str(Path(__file__).with_name("language.md")))
    parser.add_argument("--jhdsl", default=None, help="the jhdsl command (default: the one on PATH)")
    parser.add_argument("--fill", action="store_true", help="print every run's real output")
    args = parser.parse_args()

    text = Path(args.doc).read_text(encoding="utf-8")
    env = dict(os.environ)
    if args.jhdsl:
        env["PATH"] = f"{Path(args.jhdsl).parent}{os.pathsep}{env['PATH']}"
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for kind, arg, code, body, line in blocks(text):
            if kind == "file":
                Path(work, arg).write_text(body + "\n", encoding="utf-8")
                continue
            done = subprocess.run(["bash", "-c", f"{arg} 2>&1"], cwd=work, env=env,
                                  capture_output=True, text=True, encoding="utf-8")
            output = done.stdout.removeprefix("\ufeff")  # invisible on a terminal
            actual = [x.rstrip() for x in output.rstrip("\n").split("\n")]
            if args.fill:
                print(f"=== 第 {line} 行：{arg}（退出码 {done.returncode}）")
                print("\n".join(actual))
                continue
            problems = []
            expected = code if code is not None else 0
            if done.returncode != expected:
                written = f"文档写的是 {code}" if code is not None else "文档没有写 exit=，应为 0"
                problems.append(f"退出码是 {done.returncode}，{written}")
            if body.strip() and not appears(body.split("\n"), actual):
                problems.append("引用的输出与实际输出不符")
            if problems:
                failures += 1
                print(f"✗ 第 {line} 行：{arg}：{'；'.join(problems)}")
                print("  实际输出：")
                print("\n".join("    " + x for x in actual))
            else:
                print(f"✓ 第 {line} 行：{arg}")
    if not args.fill:
        print(f"{'全部相符' if not failures else f'{failures} 处不符'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
