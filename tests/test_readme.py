"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    shared = str(README.parent.parent / "shared") + "/"
    for code in blocks:
        if "../shared/" in code and not Path(shared).exists():
            continue  # the SBML example needs shared/ beside the repository
        exec(compile(code.replace("../shared/", shared), "README.md", "exec"), {})
    assert (tmp_path / "mtor.xml").exists()


def test_readme_opens_with_install_and_test_commands() -> None:
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    lines = [ln.split("#")[0].strip() for ln in first_block.strip().splitlines()]
    assert lines[0] == 'pip install -e ".[dev]" && mtorsim demo'
    assert lines[1] == "python -m pytest"
    ci = (README.parent / ".ci" / "run").read_text()
    assert lines[0] in ci and lines[1] in ci
