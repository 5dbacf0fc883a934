"""The language reference stays true: every example in docs/language.md is run and its quoted
output compared with what jhdsl really prints (docs/check_examples.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_example_in_the_reference_behaves_as_written():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "check_examples.py")], env=env,
                          capture_output=True, text=True, encoding="utf-8")
    failed = [line for line in done.stdout.splitlines() if line.startswith("✗")]
    assert done.returncode == 0, "\n".join(failed) or done.stdout[-2000:] + done.stderr[-2000:]
