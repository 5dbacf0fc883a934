"""The documents stay true: every example in docs/*.md is run and its quoted output compared
with what jhdsl really prints (docs/check_examples.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted(p for p in (ROOT / "docs").glob("*.md") if "<!-- run" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_example_behaves_as_written(doc):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "check_examples.py"), str(doc)], env=env,
                          capture_output=True, text=True, encoding="utf-8")
    failed = [line for line in done.stdout.splitlines() if line.startswith("✗")]
    assert done.returncode == 0, "\n".join(failed) or done.stdout[-2000:] + done.stderr[-2000:]
