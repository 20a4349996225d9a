"""The example of docs/python.md runs as written (so the guide cannot rot)."""
import os
import re
import subprocess
import sys

from conftest import SRC


def example_script():
    text = open(os.path.join(SRC, "docs", "python.md"), encoding="utf-8").read()
    section = text.split("\n## Example\n", 1)
    assert len(section) == 2, "docs/python.md lost its '## Example' section"
    blocks = re.findall(r"```python\n(.*?)```", section[1].split("\n## ", 1)[0], re.S)
    assert len(blocks) == 1, "the Example section should hold exactly one python block"
    return blocks[0]


def test_docs_example_runs(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(example_script())
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    # It printed the top micro accounts and the profit table, and wrote the file it used.
    assert "micro-top" in p.stdout and "p_negative" in p.stdout
    assert (tmp_path / "fitness.h5").exists()
