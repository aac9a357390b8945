"""The README's Python API example, run as written (on a temporary index)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, cli_env


def test_readme_api_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    code = readme.split("## Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    code = code.replace('"/tmp/bbc-index"', repr(str(tmp_path / "own"))).replace('"/data/bbc"', repr(str(ROOT / "seeds")))
    out = subprocess.run([sys.executable, "-c", code], env=cli_env(tmp_path), cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Patel" in out.stdout and "[1]" in out.stdout
