"""coptui in tmux whose tmux is killed (what a dropped SSH link does to a session) ends.

Killed in its first moments, while it draws and reads its first week, one coptui in three
used to stay for ever with no terminal, holding its database connections: Textual's output
thread died on the hung-up terminal and quitting waited on its full queue
(``widgets/textual_fixes.survive_hangup``). Ten kills at different moments: none may stay.

Needs tmux (``.ci/run`` installs it); skipped elsewhere.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.test_session_connections import load_demo_at

ROOT = Path(__file__).resolve().parents[2]
MOMENTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_coptui_ends_when_its_tmux_is_killed_at_any_moment(
    database_url: str, tmp_path: Path
) -> None:
    load_demo_at(database_url)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        # Unbuffered, every write of the output thread meets the dead terminal at once: the
        # way the hang was seen (bench/ui.py's runs, a shell with PYTHONUNBUFFERED set).
        "PYTHONUNBUFFERED": "1",
        "COPTUI_DATABASE_URL": database_url,
        "COPTUI_HOME": str(tmp_path / "home"),
    }
    command = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    pid_file = tmp_path / "pid"
    left: list[int] = []
    for n, moment in enumerate(MOMENTS):
        server = f"coptui-hangup-{os.getpid()}-{n}"
        script = f"echo $$ > {pid_file}; exec {command} {shlex.quote(sys.executable)} -m coptui"
        subprocess.run(
            ["tmux", "-L", server, "new-session", "-d", "-x", "120", "-y", "40", script],
            check=True,
            cwd=ROOT,
        )
        time.sleep(moment)  # the moment of the hang-up is what is varied
        subprocess.run(["tmux", "-L", server, "kill-server"], check=False)
        deadline = time.monotonic() + 5
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        if pid_file.exists():
            left.append(int(pid_file.read_text()))
            pid_file.unlink()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    stayed = [pid for pid in left if _alive(pid)]
    for pid in stayed:
        os.kill(pid, 9)
    assert left and stayed == []
