"""The hub's course environment is a copy: making it never changes the venv it copies.

``tools.hub.make_environment`` hard-links the repository's venv and then rewrites
scripts, the interpreter link and ``pyvenv.cfg`` in the copy. When ``.venv`` is a
symbolic link (a git worktree sharing another checkout's venv), ``cp -a`` copied the
link itself and every rewrite went into the developer's venv, which stopped working
once the hub was taken down. No hub, no root: the step alone, on a small venv.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

from tools import hub


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: a link's target, a file's bytes, a folder."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[rel] = ("link", str(path.readlink()))
        elif path.is_file():
            entries[rel] = ("file", path.read_bytes())
        else:
            entries[rel] = ("dir",)
    return entries


def test_a_linked_venv_is_copied_not_changed(tmp_path, monkeypatch):
    real = tmp_path / "real-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(real)], check=True)
    script = real / "bin" / "course-tool"
    script.write_text(f"#!{real}/bin/python\nprint('hello')\n")
    script.chmod(0o755)
    purelib = Path(subprocess.run(
        [str(real / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "__editable__.dp-0.1.pth").write_text(str(hub.REPO_ROOT) + "\n")
    linked = tmp_path / "checkout" / ".venv"
    linked.parent.mkdir()
    linked.symlink_to(real)
    before = snapshot(real)
    # the interpreter step needs root and another user; what it edits is c.env as well
    monkeypatch.setattr(hub, "use_interpreter_all_can_run", lambda c: None)
    srv = tmp_path / "srv"
    course = types.SimpleNamespace(base=srv, env=srv / "env", exchange=srv / "exchange")
    course.base.mkdir()

    hub.make_environment(course, linked)

    assert snapshot(real) == before, "making the course environment changed the venv it copies"
    assert course.env.is_dir() and not course.env.is_symlink()
    assert (course.env / "bin" / "course-tool").read_text().startswith(f"#!{course.env}/bin/")
    copied_lib = course.env / purelib.relative_to(real)
    assert (copied_lib / "dp" / "node.py").is_file()
    assert not list(copied_lib.glob("__editable__*dp*"))
