"""The command line as a script or an admin uses it: exit codes, one-line errors, the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from coptui import db, schema


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith("COPTUI_") or k == "COPTUI_AS_OWNER"
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coptui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=180,
    )


def counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    tables = ["centre", "room", "staff", "volunteer", "case_file", "programme", "series"]
    tables += ["event", "event_staff", "event_case", "roster_slot", "audit_log"]
    with engine.connect() as conn:
        result = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    engine.dispose()
    return result


def test_demo_twice_changes_nothing(database_url: str) -> None:
    env = {"COPTUI_DATABASE_URL": database_url}
    first = run("demo", "--no-open", "--today", "22.11.2026", env=env)
    assert first.returncode == 0, first.stderr
    assert "зареден" in first.stdout
    after_first = counts(database_url)
    assert after_first["centre"] == 1
    assert after_first["case_file"] == 20
    assert after_first["volunteer"] == 8
    assert after_first["staff"] == 6
    assert after_first["series"] == 1
    assert after_first["event"] > 150
    second = run("demo", "--no-open", "--today", "22.11.2026", env=env)
    assert second.returncode == 0, second.stderr
    assert "нищо не е променено" in second.stdout
    assert counts(database_url) == after_first


def test_demo_has_what_the_issue_asks_for(database_url: str) -> None:
    env = {"COPTUI_DATABASE_URL": database_url}
    assert run("demo", "--no-open", "--today", "22.11.2026", env=env).returncode == 0
    engine = db.make_engine(database_url)
    with engine.connect() as conn:
        area = conn.execute(text("SELECT area_m2 FROM room WHERE kind = 'group_room'")).scalar_one()
        professions = dict(
            conn.execute(text("SELECT profession, count(*) FROM staff GROUP BY 1")).all()
        )
        statuses = dict(
            conn.execute(text("SELECT status, count(*) FROM case_file GROUP BY 1")).all()
        )
        kinds = {r[0] for r in conn.execute(text("SELECT kind FROM programme"))}
        referrals = {r[0] for r in conn.execute(text("SELECT referral_source FROM case_file"))}
        span = conn.execute(
            text("SELECT min(lower(during))::date, max(upper(during))::date FROM event")
        ).one()
        offices = conn.execute(text("SELECT count(*) FROM room WHERE kind = 'office'")).scalar()
    engine.dispose()
    assert str(area) == "48.30"
    assert professions == {
        "social_worker": 2,
        "psychologist": 1,
        "pedagogue": 1,
        "speech_therapist": 1,
        "manager": 1,
    }
    assert statuses["waiting"] >= 2 and statuses["active"] >= 10
    assert {"art_studio", "eco_holiday", "youth_initiative", "campaign"} <= kinds
    assert {"self"} < referrals
    assert (span[1] - span[0]).days >= 25
    assert offices >= 5


def test_unknown_subcommand_is_one_line_and_exit_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_is_one_line_and_exit_2() -> None:
    result = run("demo", "--today", "31.02.2026")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_and_nonzero() -> None:
    result = run(
        "demo", "--no-open", env={"COPTUI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Няма връзка с базата данни" in lines[0]
    assert "Traceback" not in result.stderr


def test_english_on_request() -> None:
    result = run("--lang", "en", "frobnicate")
    assert "unknown command" in result.stderr
    result = run("frobnicate", env={"COPTUI_LANG": "en"})
    assert "unknown command" in result.stderr


def test_db_url_prints_the_shared_url(database_url: str) -> None:
    result = run("db", "url", env={"COPTUI_DATABASE_URL": database_url})
    assert result.returncode == 0
    assert result.stdout.strip().startswith("postgresql://")
    assert database_url.rsplit("/", 1)[1] in result.stdout


def test_db_upgrade_migrates_a_shared_server(empty_database_url: str) -> None:
    env = {"COPTUI_DATABASE_URL": empty_database_url}
    result = run("demo", "--no-open", env=env)
    assert result.returncode == 1
    assert "coptui db upgrade" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(empty_database_url)
    assert schema.current_revision(engine) == schema.head_revision(empty_database_url)
    engine.dispose()
    again = run("db", "upgrade", env=env)
    assert again.returncode == 0
    assert "актуална" in again.stdout


@pytest.mark.embedded
def test_embedded_server_is_shared_and_migrated() -> None:
    home = Path("/tmp") / f"cpt-home-{os.getpid()}"  # short: the socket lives in it
    env = {"COPTUI_HOME": str(home)}
    try:
        # Two processes at the same moment: one server, one migration, one demo centre.
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "coptui", "demo", "--no-open"],
                env={
                    **{
                        k: v
                        for k, v in os.environ.items()
                        if not k.startswith("COPTUI_") or k == "COPTUI_AS_OWNER"
                    },
                    **env,
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=180) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        stdout = "".join(o[0] for o in outputs)
        assert "зареден" in stdout and "нищо не е променено" in stdout
        url = run("db", "url", env=env)
        assert url.returncode == 0, url.stderr
        assert str(home / "pgdata") in url.stdout.replace("%2F", "/")
        assert (home / "pgdata" / "PG_VERSION").exists()
    finally:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import shutil,sys; shutil.rmtree(sys.argv[1], True)",
                str(home),
            ],
            check=False,
        )


def test_the_demo_opens_its_planner_as_an_installed_one_does(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No engine of the demo's own is handed to the planner: a pool of five would let one
    demo session hold more than the two connections a session holds."""
    from coptui import cli
    from coptui.commands import admin

    opened: list[object] = []

    def planner(*args: object, **kwargs: object) -> int:
        opened.append((args[1:], kwargs))
        return 0

    monkeypatch.setenv("COPTUI_DATABASE_URL", database_url)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    monkeypatch.setattr(admin, "run_app", planner)
    assert cli.main(["demo", "--today", "22.11.2026"]) == 0
    assert len(opened) == 1
    assert opened[0][1] == {} and len(opened[0][0]) == 1  # settings alone, no engine
