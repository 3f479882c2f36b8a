"""The week over SSH against a bare Textual app over the same link (issue 14: <= 1.6x).

Run (as root): python bench/ssh.py [--rounds N] [--explain]

Builds the SSH end-to-end test's private server (``tests/e2e/sshlab.py``: a network namespace,
a Debian PostgreSQL cluster, coptui installed in a world-readable venv by the README's guide,
the demo centre, sshd on 127.0.0.1) and logs the coordinator in by key, in tmux at 120x40,
three ways per round:

- the floor: ``ssh … true`` (the clock stops when ssh has returned);
- a bare Textual app (``bench/bare_app.py``, run by the venv's Python): to its first frame;
- ``coptui``: to the week with its events (the text ``bench/ui.py`` waits for).

The two programs are started the same way, ``. /etc/profile.d/coptui.sh && exec …``, as the
e2e test does. Each round times the three one after the other, the order turned round every
other round, so a busy moment of the machine weighs on all alike; the figure is the median of
the rounds' ratios week / bare. ``--explain`` then says where the time beyond the bare app goes,
over the same link: the login shell's profile, Python's start, Textual's import, and coptui's
way to its week step by step in one process (imports, connection, reads; ``-X importtime``).

Needs root, ``ip netns``, tmux, openssh-server and Debian's postgresql (as the e2e test); says
why and stops otherwise.
"""

from __future__ import annotations

import re
import shlex
import shutil
import statistics
import sys
import time
from pathlib import Path

from ui import ROOT, Pane, report  # also puts the checkout on sys.path

from tests.e2e.sshlab import Server, build, lab, missing, run

TARGET = 1.6
SIZE = "120x40"
WEEK = r"Седмица .* събити"


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 9
    why = missing()
    if why:
        print(f"bench/ssh.py skipped: {why}")
        return
    with lab("cpt-sshbench-") as s:
        started = time.perf_counter()
        build(s)
        print(f"private server built in {time.perf_counter() - started:.0f} s")
        bare_app = s.work / "bare_app.py"
        shutil.copy(ROOT / "bench" / "bare_app.py", bare_app)
        bare_app.chmod(0o644)
        base = s.work / "bench"
        base.mkdir()
        link = Link(s, base)
        try:
            measure(link, rounds)
            if "--explain" in sys.argv:
                explain(link)
        finally:
            link.close()


class Link:
    """The coordinator over SSH, each command in a tmux of its own started from a FIFO."""

    def __init__(self, s: Server, base: Path) -> None:
        self.s = s
        self.base = base
        self.panes: list[Pane] = []
        self.profile = f"{s.work}/profile.d/coptui.sh"
        self.python = f"{s.work}/opt/coptui/bin/python"

    def ssh(self, remote: str) -> str:
        """The shell words of ``ssh -tt … remote`` as the coordinator, in the namespace."""
        return shlex.join(self.s.ssh(self.s.coordinator, remote))

    def start(self, command: str) -> Pane:
        pane = Pane(self.base, f"p{len(self.panes)}", command, {"TERM": "xterm-256color"}, SIZE)
        self.panes.append(pane)
        return pane

    def time_to(self, command: str, pattern: str) -> float:
        """Seconds from starting ``command`` to ``pattern`` on its screen."""
        pane = self.start(command)
        try:
            t0 = pane.go()
            return pane.wait_for(pattern, timeout=90) - t0
        finally:
            pane.close()

    def floor(self) -> float:
        """``ssh … true``, to its return (the shell then prints a mark)."""
        local = f"{self.ssh('true')}; echo ssh-floor-done; sleep 60"
        return self.time_to(f"bash -c {shlex.quote(local)}", "ssh-floor-done")

    def bare(self) -> float:
        remote = f". {self.profile} && exec {self.python} {self.s.work}/bare_app.py"
        return self.time_to(self.ssh(remote), "bare ready")

    def week(self) -> float:
        return self.time_to(self.ssh(f". {self.profile} && exec coptui"), WEEK)

    def output(self, remote: str) -> str:
        """What ``remote`` prints over the link (no terminal), stdout and stderr."""
        done = run(self.s.ssh(self.s.coordinator, remote, tty=False), env=self.s.env, check=False)
        return done.stdout + done.stderr

    def close(self) -> None:
        for pane in self.panes:
            pane.close()


def measure(link: Link, rounds: int) -> None:
    # One round first, not counted: the coordinator's first login makes their home's files
    # and fills the page cache, for all three alike.
    link.floor(), link.bare(), link.week()
    floors, bares, weeks = [], [], []
    for k in range(rounds):
        steps = [("floor", link.floor), ("bare", link.bare), ("week", link.week)]
        if k % 2:
            steps.reverse()
        got = {name: step() for name, step in steps}
        floors.append(got["floor"])
        bares.append(got["bare"])
        weeks.append(got["week"])
        print(
            f"round {k + 1}: ssh true {got['floor'] * 1000:.0f} ms, bare {got['bare'] * 1000:.0f}"
            f" ms, week {got['week'] * 1000:.0f} ms ({got['week'] / got['bare']:.2f} x)"
        )
    floor_ms = statistics.median(floors) * 1000
    bare_ms = statistics.median(bares) * 1000
    week_ms = statistics.median(weeks) * 1000
    print(f"over SSH, median of {rounds} rounds:")
    print(f"{'ssh … true (the floor of the link)':<46} {floor_ms:>9.1f} ms")
    print(f"{'bare Textual app, first frame':<46} {bare_ms:>9.1f} ms")
    report("coptui, the week with its events", week_ms, "ms",
           f"<= {TARGET} x bare ({bare_ms * TARGET:.0f})", week_ms <= TARGET * bare_ms)  # fmt: skip
    ratio = statistics.median(w / b for w, b in zip(weeks, bares, strict=True))
    name, target = "week / bare, median of the rounds' ratios", f"<= {TARGET}"
    verdict = "OK" if ratio <= TARGET else "MISSED"
    print(f"{name:<46} {ratio:>9.2f} x        target {target:<22} {verdict}")
    beyond = statistics.median(
        (w - f) / (b - f) for w, b, f in zip(weeks, bares, floors, strict=True)
    )
    print(f"{'the same, each less the floor (median)':<46} {beyond:>9.2f} x")


def explain(link: Link) -> None:
    """Where the time goes over the link: Python, the imports, the profile; one run each."""
    print("\nwhere the time goes (one run each, over the same link, no terminal):")
    py = link.python
    steps = {
        "ssh … true": "true",
        "ssh … '. profile'": f". {link.profile}",
        "ssh … python -c pass": f"{py} -c pass",
        "ssh … python -c 'import textual.app'": f"{py} -c 'import textual.app'",
        "ssh … python -c 'import coptui.cli'": f"{py} -c 'import coptui.cli'",
    }
    for name, remote in steps.items():
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            link.output(remote)
            times.append(time.perf_counter() - t0)
        print(f"{name:<46} {statistics.median(times) * 1000:>9.1f} ms (median of 5)")
    # coptui's way to its week, step by step, in one process on the remote side of the link.
    probe = link.s.work / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    probe.chmod(0o644)
    laps: dict[str, list[float]] = {}
    for _ in range(5):
        said = link.output(f". {link.profile} && {py} {probe}")
        for line in said.splitlines():
            name, _tab, ms = line.rpartition("\t")
            if name:
                laps.setdefault(name, []).append(float(ms))
    print("coptui's way to the week in one process, over the link (median of 5):")
    for name, times in laps.items():
        print(f"  {name:<44} {statistics.median(times):>9.1f} ms")
    said = link.output(f". {link.profile} && {py} -X importtime {probe}")
    rows = []
    for line in said.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found[2]) == 1:  # a top-level import (its children are in it)
            rows.append((int(found[1]), found[3]))
    print("its heaviest top-level imports (-X importtime, cumulative, one run):")
    for us, name in sorted(rows, reverse=True)[:12]:
        print(f"  {name:<44} {us / 1000:>9.1f} ms")


# What coptui does on its way to the first week (app.py, planner_load.py), one step at a time.
PROBE = """\
import time
t = time.perf_counter()


def lap(name):
    global t
    now = time.perf_counter()
    print(f"{name}\\t{(now - t) * 1000:.1f}", flush=True)
    t = now


import textual.app
lap("import textual.app (the bare app's share)")
import coptui.app
import coptui.screens.planner
lap("import coptui.app and the planner")
import psycopg
lap("import psycopg")
from coptui.config import Settings
from coptui.db import open_reader
settings = Settings.from_env()
url, conn = open_reader(settings.database_url, settings.home)
lap("connect: open_reader (schema, login checked)")
from coptui.services.identity import current_identity
import coptui.services.roster_reads
from coptui.screens.planner_load import monday_of, read_shown
from coptui.domain.timeutil import today
lap("import the services of the first read")
current_identity(conn)
lap("who is logged in (current_identity)")
shown = read_shown(conn, first=monday_of(today()), view="week", resource=None, shade=False)
lap(f"the week's read ({len(shown.rows)} events)")
"""

if __name__ == "__main__":
    main()
