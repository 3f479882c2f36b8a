"""A private server for the SSH end-to-end test and the SSH bench: PostgreSQL, sshd, OS users.

:func:`lab` makes (and at the end removes) a work directory, a network namespace and the names
of everything in it; :func:`build` then runs the README's section «Installing on a server» in
it, block by block, with this installation's paths and names put in (:data:`NOT_RUN` lists the
two lines that are not run, and why), loads the demo centre and starts sshd on 127.0.0.1 in the
namespace: a coordinator with a shell and a volunteer in the app-only group, each logging in by
key (:meth:`Server.ssh`).

Needs root, ``ip netns``, tmux, openssh-server and Debian's postgresql (``.ci/run`` installs the
packages); :func:`missing` says which is missing.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Installing on a server (for the administrator)"

# Parts of issue 11 built on other branches. The roles migration (r1-db) is found by itself;
# until it is there, the lab stands in for it with the group roles and plain grants, and the
# test leaves out the checks of what a volunteer may not read.
ROLES_MIGRATION = any(
    "coptui_volunteer" in p.read_text(encoding="utf-8")
    for p in (ROOT / "migrations" / "versions").glob("*.py")
)

# Lines of the guide the lab does not run, and why.
NOT_RUN = {
    "apt-get install -y postgresql openssh-server python3-venv": ".ci/run installs the packages",
    "systemctl reload ssh": "the lab starts its own sshd with this configuration",
}
SSH_PORT = 2222
# How long a screen may take to show something over SSH on a busy two-core machine.
SCREEN_TIMEOUT = 90.0


def guide_blocks() -> list[str]:
    """The code blocks of the README's administrator section, as shell scripts."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", 1)]
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in section.splitlines():
        if line.startswith("       ") and line.strip():
            if current is None:
                current = []
                blocks.append(current)
            current.append(line[7:])
        elif not line.strip() and current is not None:
            current.append("")
        else:
            current = None
    return ["\n".join(b).strip("\n") for b in blocks]


def missing() -> str | None:
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "needs root (OS users, a network namespace, a PostgreSQL cluster)"
    for tool, package in (
        ("/usr/sbin/sshd", "openssh-server"),
        ("/usr/bin/pg_createcluster", "postgresql"),
        ("/usr/bin/tmux", "tmux"),
        ("/usr/sbin/adduser", "adduser"),
        ("/usr/bin/python3", "python3"),
    ):
        if not Path(tool).exists():
            return f"{tool} is missing (apt-get install {package}; .ci/run does)"
    if shutil.which("ip") is None:
        return "ip is missing (apt-get install iproute2)"
    if not pg_version():
        return "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)"
    probe = f"cpt-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns is not available here: {made.stderr.strip()[:120]}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    venv = subprocess.run(
        ["/usr/bin/python3", "-c", "import venv, ensurepip"], capture_output=True, text=True
    )
    if venv.returncode != 0:
        return "the system python3 has no venv (apt-get install python3-venv)"
    return None


def pg_version() -> str | None:
    found = sorted(
        (p.parent.parent.name for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")),
        key=lambda v: int(v) if v.isdigit() else 0,
    )
    return found[-1] if found else None


def run(
    cmd: list[str] | str, *, env: dict[str, str] | None = None, cwd: Path | None = None,
    check: bool = True, timeout: float = 300,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run a command (a string goes to bash); on failure, say what it printed."""
    args = ["bash", "-euo", "pipefail", "-c", cmd] if isinstance(cmd, str) else cmd
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        shown = cmd if isinstance(cmd, str) else shlex.join(cmd)
        raise AssertionError(
            f"failed ({done.returncode}): {shown}\n--- stdout\n{done.stdout}\n--- stderr\n"
            f"{done.stderr}"
        )
    return done


class Server:
    """Everything the test made, so that all of it is removed at the end."""

    def __init__(self, work: Path, suffix: str, version: str) -> None:
        self.work = work
        self.suffix = suffix
        self.version = version
        self.cluster = f"coptui_e2e_{suffix}"
        self.netns = f"coptui-e2e-{suffix}"
        self.tmux = f"coptui-e2e-{suffix}"
        self.group = f"coptui-app-{suffix}"
        self.volunteer = f"kalina_{suffix}"
        self.coordinator = f"desislava_{suffix}"
        self.sock = work / "sock"
        self.port = ""
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("COPTUI_", "PG"))}
        self.cleanups: list[Callable[[], object]] = []

    def substitute(self, script: str) -> str:
        """The guide's script for this private installation: its paths, cluster and names."""
        replacements = [
            ("/etc/postgresql/15/main/", f"/etc/postgresql/{self.version}/{self.cluster}/"),
            ("pg_ctlcluster 15 main", f"pg_ctlcluster {self.version} {self.cluster}"),
            ("host=/var/run/postgresql", f"host={self.sock}&port={self.port}"),
            ("/etc/profile.d/coptui.sh", f"{self.work}/profile.d/coptui.sh"),
            ("/etc/ssh/sshd_config.d/coptui.conf", f"{self.work}/sshd_config.d/coptui.conf"),
            ("/opt/coptui", f"{self.work}/opt/coptui"),
            ("pip install ./coptui", f"pip install -q {ROOT}"),
            ("coptui-app", self.group),
            ("kalina", self.volunteer),
            ("desislava", self.coordinator),
        ]
        lines = []
        for line in script.splitlines():
            if line in NOT_RUN:
                continue
            if line == "sshd -t":
                line = f"/usr/sbin/sshd -t -f {self.work}/sshd_config"
            for old, new in replacements:
                line = line.replace(old, new)
            lines.append(line)
        return "\n".join(lines)

    def as_postgres(self, sql: str) -> str:
        """``sql`` run by the superuser on the database; its output, unaligned."""
        return run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v",
             "ON_ERROR_STOP=1", "-h", str(self.sock), "-p", self.port, "-d", "coptui",
             "-c", sql],
            env=self.env,
        ).stdout.strip()  # fmt: skip

    def url(self, user: str = "") -> str:
        who = f"{user}@" if user else ""
        return f"postgresql://{who}/coptui?host={self.sock}&port={self.port}"

    def ssh(self, user: str, remote: str = "", *, tty: bool = True) -> list[str]:
        """The ssh command line (run inside the namespace) that logs ``user`` in by key."""
        cmd = ["ip", "netns", "exec", self.netns, "ssh", "-tt" if tty else "-T"]
        cmd += ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
        cmd += ["-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-i", str(self.work / user)]
        cmd += ["-p", str(SSH_PORT), f"{user}@127.0.0.1"]
        return cmd + ([remote] if remote else [])

    def screen(self, name: str) -> str:
        return run(["tmux", "-L", self.tmux, "capture-pane", "-p", "-t", name], env=self.env).stdout

    def wait_screen(self, name: str, pattern: str, timeout: float = SCREEN_TIMEOUT) -> str:
        """The screen of tmux session ``name`` once ``pattern`` shows on it."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen(name)
            if re.search(pattern, shown):
                return shown
            time.sleep(0.2)
        log = self.work / "sshd.log"
        said = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise AssertionError(
            f"{pattern!r} never showed on {name}'s screen:\n{shown}\n--- sshd.log\n{said}"
        )


@contextmanager
def lab(prefix: str = "coptui-e2e-") -> Iterator[Server]:
    """A work directory and the names of a private installation; all of it removed at the end.

    Call :func:`missing` first: this assumes the machine can build the lab.
    """
    version = pg_version() or ""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    work.chmod(0o755)  # the OS users run the program installed in it
    made = Server(work, uuid.uuid4().hex[:6], version)
    try:
        yield made
    finally:
        for cleanup in reversed(made.cleanups):
            try:
                cleanup()
            except Exception as exc:  # clean up the rest whatever one step said
                print(f"cleanup: {exc}")
        shutil.rmtree(work, ignore_errors=True)


def build(s: Server) -> None:
    """The namespace, the cluster, the guide run block by block, the demo centre, and sshd."""
    run(["ip", "netns", "add", s.netns])
    s.cleanups.append(lambda: run(["ip", "netns", "del", s.netns], check=False))
    run(["ip", "netns", "exec", s.netns, "ip", "link", "set", "lo", "up"])
    start_postgres(s)
    write_sshd_config(s)
    s.cleanups.append(lambda: remove_people(s))
    # The guide, block by block, as root.
    for block in guide_blocks():
        script = s.substitute(block)
        if "adduser" in script:
            make_keys(s)
        run(script, env={**s.env, "PGHOST": str(s.sock), "PGPORT": s.port}, cwd=s.work)
        if "coptui db upgrade" in script:
            if not ROLES_MIGRATION:
                stand_in_for_the_roles_migration(s)
            load_demo(s)
    start_sshd(s)


def start_postgres(s: Server) -> None:
    """A Debian cluster of the test's own, its socket in the work directory, in the namespace."""
    s.sock.mkdir(mode=0o755)
    shutil.chown(s.sock, "postgres", "postgres")
    run(
        ["pg_createcluster", "-d", str(s.work / "pg"), "-s", str(s.sock), s.version, s.cluster,
         "--", "--auth-local=peer", "--auth-host=scram-sha-256"],
        env=s.env,
    )  # fmt: skip
    s.cleanups.append(
        lambda: run(["pg_dropcluster", "--stop", s.version, s.cluster], env=s.env, check=False)
    )
    conf = Path(f"/etc/postgresql/{s.version}/{s.cluster}/postgresql.conf").read_text()
    found = re.search(r"^port\s*=\s*(\d+)", conf, re.M)
    assert found, conf
    s.port = found.group(1)
    # In the namespace: its TCP port is on a loopback of its own, the socket in the work dir.
    run(["ip", "netns", "exec", s.netns, "pg_ctlcluster", s.version, s.cluster, "start"],
        env=s.env)  # fmt: skip


def stand_in_for_the_roles_migration(s: Server) -> None:
    """Until migration 0009 (r1-db) is merged: its group roles, with plain grants."""
    groups = ", ".join(f"coptui_{r}" for r in ("manager", "coordinator", "specialist", "volunteer"))
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coptui_{r}') THEN "
        f"CREATE ROLE coptui_{r} NOLOGIN; END IF; END $$"
        for r in ("manager", "coordinator", "specialist", "volunteer")
    ]
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {groups}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {groups}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {groups}",
    ]
    for sql in statements:
        s.as_postgres(sql)


def load_demo(s: Server) -> None:
    """The demo centre, loaded by the superuser (test data, not a step of the guide)."""
    code = (
        "import sys\n"
        "from coptui import db\n"
        "from coptui.domain.timeutil import today\n"
        "from coptui.services.demo import load_demo\n"
        "engine = db.make_engine(db.normalise_url(sys.argv[1]))\n"
        "with db.session_scope(engine) as session:\n"
        "    load_demo(session, today=today())\n"
    )
    python = str(s.work / "opt" / "coptui" / "bin" / "python")
    run(["runuser", "-u", "postgres", "--", python, "-c", code, s.url("postgres")], env=s.env)


def write_sshd_config(s: Server) -> None:
    """The base of an sshd_config, with Debian's Include of sshd_config.d at the top."""
    (s.work / "sshd_config.d").mkdir()
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    (s.work / "profile.d").mkdir()
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(s.work / "hostkey")])
    (s.work / "sshd_config").write_text(
        f"Include {s.work}/sshd_config.d/*.conf\n"
        f"Port {SSH_PORT}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {s.work}/hostkey\n"
        f"PidFile {s.work}/sshd.pid\n"
        # Debian's own: with PAM, an account without a password (adduser
        # --disabled-password) may still log in with a key.
        "UsePAM yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\n"
        "AuthorizedKeysFile .ssh/authorized_keys\n"
        "PermitUserEnvironment no\n"
    )


def make_keys(s: Server) -> None:
    """The two people's SSH keys, as they would hand the administrator their .pub files."""
    for user in (s.volunteer, s.coordinator):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(s.work / user)])


def remove_people(s: Server) -> None:
    for user in (s.volunteer, s.coordinator):
        # Their sessions end with sshd's; wait for them before removing the account.
        deadline = time.monotonic() + 10
        while run(["pgrep", "-u", user], check=False).returncode == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        run(["userdel", "-f", "-r", user], check=False)
    run(["groupdel", s.group], check=False)


def start_sshd(s: Server) -> None:
    config = str(s.work / "sshd_config")
    run(["ip", "netns", "exec", s.netns, "/usr/sbin/sshd", "-f", config,
         "-E", str(s.work / "sshd.log")])  # fmt: skip
    pid_file = s.work / "sshd.pid"
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid_file.exists(), (s.work / "sshd.log").read_text()
    s.cleanups.append(lambda: os.kill(int(pid_file.read_text()), 15))
