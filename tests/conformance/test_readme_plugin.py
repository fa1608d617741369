"""README's "Writing a plugin" example, run as written, on every backend.

The section's three code blocks become a third-party plugin installed the way a package would
install it: the module (``kongdao_notes.py``), a distribution whose ``entry_points.txt`` comes
from the ``pyproject.toml`` block, and the usage code, which runs the plugin's migrations and
exercises its entity and configuration through a name-only ``plugins=["bundled", "notes"]``.
"""

import importlib
import re
import sys
import tomllib
from pathlib import Path

import pytest

from kongdao import plugins

pytestmark = pytest.mark.postgres

README = Path(__file__).resolve().parents[2] / "README.md"


def section_blocks(title: str) -> list[tuple[str, str]]:
    """The fenced code blocks (language, text) of one README section."""
    text = README.read_text()
    start = text.index(f"\n### {title}\n")
    end = text.find("\n## ", start)
    section = text[start : end if end != -1 else None]
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture(scope="module")
def notes_plugin(tmp_path_factory):
    blocks = section_blocks("Writing a plugin")
    assert [lang for lang, _ in blocks] == ["python", "toml", "python"]
    (_, module), (_, toml), (_, usage) = blocks
    assert module.startswith("# kongdao_notes.py\n")
    root = tmp_path_factory.mktemp("site")
    (root / "kongdao_notes.py").write_text(module)
    entry_points = tomllib.loads(toml)["project"]["entry-points"]["kongdao.plugins"]
    info = root / "kongdao_notes-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kongdao_notes\nVersion: 1.0.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[kongdao.plugins]\n{lines}")
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    namespace: dict = {}
    exec(compile(usage, "README.md (Writing a plugin)", "exec"), namespace)
    yield namespace["use_notes"]
    sys.path.remove(str(root))


async def test_the_readme_plugin_example_runs(db, dsn_for, notes_plugin):
    assert plugins.available()["notes"] == "kongdao_notes"
    spec = plugins.load("notes")
    assert (spec.name, spec.version, spec.priority) == ("notes", "1.0.0", 800)
    await notes_plugin(dsn_for)
