"""Each role's home, the keys a role cannot use, history, the idle lock and refusals (Pilot)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.domain.timeutil import SOFIA
from coptui.screens.backend import Backend
from coptui.screens.choice import Choice
from coptui.screens.directory import DirectoryScreen
from coptui.screens.event_form import EventForm
from coptui.screens.history import HistoryScreen
from coptui.screens.lock import LockScreen
from coptui.screens.my_activities import MyActivitiesScreen
from coptui.screens.planner import PlannerScreen, monday_of
from coptui.services.identity import Identity
from coptui.widgets.weekgrid import WeekGrid
from tests.roles import RolesWorld, roles_world
from tests.ui.test_planner import TODAY, make_app, planner, scalar, title, until


def me_as_volunteer(engine: Engine) -> Identity:
    """The demo volunteer with the most coming places, linked to this test's login."""
    with engine.begin() as conn:
        vid, name = conn.execute(
            text(
                "SELECT v.id, v.full_name FROM volunteer v JOIN roster_slot s"
                " ON s.volunteer_id = v.id WHERE lower(s.during) >= :t"
                " GROUP BY v.id ORDER BY count(*) DESC, v.id LIMIT 1"
            ),
            {"t": datetime.combine(TODAY, time(0), tzinfo=SOFIA)},
        ).one()
        conn.execute(text("UPDATE volunteer SET login = session_user WHERE id = :v"), {"v": vid})
        login = conn.execute(text("SELECT session_user")).scalar_one()
    return Identity(
        login=login, role="volunteer", staff_id=None, volunteer_id=vid, name=name, centre_id=None
    )


def me_as_staff(engine: Engine, name: str, role: str) -> Identity:
    """The demo staff member ``name``, linked to this test's login, in ``role``."""
    with engine.begin() as conn:
        sid = conn.execute(
            text("SELECT id FROM staff WHERE full_name = :n"), {"n": name}
        ).scalar_one()
        conn.execute(text("UPDATE staff SET login = session_user WHERE id = :s"), {"s": sid})
        login = conn.execute(text("SELECT session_user")).scalar_one()
    return Identity(
        login=login, role=role, staff_id=sid, volunteer_id=None, name=name, centre_id=None
    )


def app_as(engine: Engine, home: Path, who: Identity | None, **settings: Any) -> CoptApp:
    return CoptApp(
        settings=Settings(database_url=str(engine.url), home=home, **settings),
        engine=engine,
        today=TODAY,
        live=False,
        identity=who,
    )


def screen_text(app: CoptApp) -> str:
    """Every Static and DataTable cell on the current screen, as text."""
    parts = [str(w.render()) for w in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        for n in range(table.row_count):
            parts.extend(str(c) for c in table.get_row_at(n))
    return "\n".join(parts)


def spy_notices(app: CoptApp) -> list[str]:
    said: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        said.append(message)
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    return said


@asynccontextmanager
async def activities(app: CoptApp) -> AsyncIterator[tuple[Pilot[Any], MyActivitiesScreen]]:
    async with app.run_test(size=(120, 40)) as pilot:
        await until(
            pilot,
            lambda: isinstance(app.screen, MyActivitiesScreen) and app.screen.loads > 0,
            state=lambda: repr(app.screen_stack),
        )
        screen = app.screen
        assert isinstance(screen, MyActivitiesScreen)
        yield pilot, screen


__all__ = ["roles_world"]  # the fixture of a centre with a login role per group


# -- homes --------------------------------------------------------------------------------


async def test_a_volunteer_opens_my_activities_with_no_child_named(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)  # the demo centre
    me = me_as_volunteer(engine)
    app = app_as(engine, tmp_path, me)
    async with activities(app) as (_pilot, screen):
        assert not any(isinstance(s, PlannerScreen) for s in app.screen_stack)
        table = screen.query_one(DataTable)
        assert table.row_count > 0
        shown = screen_text(app)
        assert "Моите дейности" in shown and me.name in shown
        assert "помощ при занимания" in shown  # what to bring / do
        first = screen.shown[0] if screen.shown else None
        assert first is not None and first.lead and first.end.date() >= TODAY
        with engine.connect() as conn:
            children = conn.execute(
                text("SELECT child_name, code FROM case_file WHERE child_name <> ''")
            ).all()
        assert children
        for child, code in children:
            assert not re.search(rf"\b{re.escape(child)}\b", shown), child
            assert not re.search(rf"\b{re.escape(code)}\b", shown), code


async def test_a_specialist_opens_their_own_week(engine: Engine, tmp_path: Path) -> None:
    make_app(engine, tmp_path)
    me = me_as_staff(engine, "Милена Георгиева", "specialist")
    async with planner(app_as(engine, tmp_path, me)) as (_pilot, screen):
        assert "Специалист: Милена Георгиева" in title(screen)
        assert all("Милена Георгиева" in b.people for b in screen.query_one(WeekGrid).blocks)


async def test_a_coordinator_opens_the_group_room(engine: Engine, tmp_path: Path) -> None:
    make_app(engine, tmp_path)
    me = me_as_staff(engine, "Десислава Колева", "coordinator")
    async with planner(app_as(engine, tmp_path, me)) as (_pilot, screen):
        assert "Зала: Групова зала" in title(screen)


# -- keys a role cannot use -----------------------------------------------------------------


async def test_a_specialist_may_change_only_the_events_they_lead(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)
    me = me_as_staff(engine, "Милена Георгиева", "specialist")
    app = app_as(engine, tmp_path, me)
    said = spy_notices(app)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        assert screen.shown is not None
        mine = next(r for r in screen.shown.rows if r.staff_ids[:1] == (me.staff_id,))
        grid.select_event(mine.id)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        # An event Милена does not lead (she may still take part in it).
        with engine.connect() as conn:
            other = conn.execute(
                text(
                    "SELECT e.id, lower(e.during) FROM event e WHERE e.status <> 'cancelled'"
                    " AND lower(e.during) >= :t AND NOT EXISTS (SELECT 1 FROM event_staff es"
                    " WHERE es.event_id = e.id AND es.staff_id = :s AND es.is_lead)"
                    " ORDER BY lower(e.during)"
                    " LIMIT 1"
                ),
                {"t": datetime.combine(TODAY, time(0), tzinfo=SOFIA), "s": me.staff_id},
            ).one()
        # The centre's week of that event, the cursor on it.
        screen.resource = Choice(kind=None, id=None, name="")
        screen._pending_select = other[0]
        before = screen.loads
        screen._go(monday_of(other[1].astimezone(SOFIA).date()))
        await until(pilot, lambda: screen.loads > before)
        assert grid.current() is not None and grid.current().id == other[0]  # type: ignore[union-attr]
        for key in ("e", "m", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
        assert said.count("Можете да променяте само събитията, които водите.") == 3


async def test_a_volunteers_keys_and_commands_are_not_offered(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)
    me = me_as_volunteer(engine)
    app = app_as(engine, tmp_path, me)
    async with activities(app) as (pilot, _screen):
        # Even a planner put in front of a volunteer offers none of the planner's edits.
        planner_screen = PlannerScreen()
        await app.push_screen(planner_screen)
        await pilot.pause()
        for action in ("new_event", "edit_event", "move_event", "cancel_event", "directory"):
            assert planner_screen.check_action(action, ()) is False, action
        assert planner_screen.check_action("case_page", ()) is False
        assert planner_screen.check_action("history", ()) is False
        offered = {name for name, _key, _run in planner_screen.commands()}
        assert "Нов" not in offered and "Указател" not in offered
        assert "Следваща седмица" in offered
        shown_keys = {b.binding.key for b in planner_screen.active_bindings.values() if b.enabled}
        assert not {"n", "e", "m", "d", "r", "c", "H"} & shown_keys
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, EventForm)


async def test_the_directory_hides_cases_from_a_volunteer(engine: Engine, tmp_path: Path) -> None:
    make_app(engine, tmp_path)
    me = me_as_volunteer(engine)
    app = app_as(engine, tmp_path, me)
    async with activities(app) as (pilot, _screen):
        backend = Backend.of(app)
        assert backend.identity == me
        screen = DirectoryScreen(backend=backend)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.loads > 0)
        from textual.widgets import TabbedContent

        tabs = screen.query_one(TabbedContent)
        assert tabs.get_tab("tab-case").display is False
        assert screen.loaded is not None and "case" not in screen.loaded.records
        assert not screen.loaded.cases
        await pilot.press("5")
        await pilot.pause()
        assert screen.kind != "case"
        for action in ("add", "edit", "deactivate", "history"):
            assert screen.check_action(action, ()) is False


# -- history --------------------------------------------------------------------------------


async def test_an_events_history_is_one_key_away(engine: Engine, tmp_path: Path) -> None:
    make_app(engine, tmp_path)
    me = me_as_staff(engine, "Десислава Колева", "coordinator")
    with engine.begin() as conn:
        event_id = conn.execute(
            text(
                "SELECT e.id FROM event e JOIN room r ON r.id = e.room_id"
                " WHERE r.kind = 'group_room' AND e.status = 'planned'"
                " AND lower(e.during) >= :t ORDER BY lower(e.during) LIMIT 1"
            ),
            {"t": datetime.combine(TODAY, time(0), tzinfo=SOFIA)},
        ).scalar_one()
        conn.execute(
            text("UPDATE event SET title = 'Арт ателие (ново)' WHERE id = :e"), {"e": event_id}
        )
    app = app_as(engine, tmp_path, me)
    async with planner(app) as (pilot, screen):
        screen.query_one(WeekGrid).select_event(event_id)
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        modal = app.screen
        assert isinstance(modal, HistoryScreen)
        await until(pilot, lambda: modal.entries is not None)
        rows = [
            [str(c) for c in modal.query_one(DataTable).get_row_at(n)]
            for n in range(modal.query_one(DataTable).row_count)
        ]
        when, who, what, old, new = rows[0]
        assert who == "Десислава Колева"
        assert what == "Променено: Заглавие"
        assert new == "Арт ателие (ново)" and old and old != new
        assert when.startswith(f"{datetime.now(SOFIA):%d.%m.%Y}")
        assert any(r[2].startswith("Създадено") for r in rows)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)


async def test_the_history_key_is_not_offered_without_the_right(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)
    me = me_as_volunteer(engine)
    backend_for = Backend(engine=lambda: engine, read=lambda w: None, today=lambda: TODAY)
    assert backend_for.identity is None  # a backend built by hand offers everything
    app = app_as(engine, tmp_path, me)
    async with activities(app) as (_pilot, _screen):
        planner_screen = PlannerScreen()
        await app.push_screen(planner_screen)
        help_keys = [k for k, _d in planner_screen.HELP_KEYS]
        assert "H" in help_keys
        assert planner_screen.check_action("history", ()) is False


# -- the idle lock --------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_screen_locks_after_idle_minutes_and_enter_unlocks(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)
    clock = Clock()
    app = CoptApp(
        settings=Settings(database_url=str(engine.url), home=tmp_path, idle_lock_minutes=5),
        engine=engine,
        today=TODAY,
        live=False,
        clock=clock,
    )
    async with planner(app) as (pilot, screen):
        clock.now += 4 * 60
        app.lock_when_idle()
        assert not app.locked
        await pilot.press("w")  # a key: the five minutes start again
        clock.now += 4 * 60
        app.lock_when_idle()
        assert not app.locked
        clock.now += 60
        app.lock_when_idle()
        await until(pilot, lambda: isinstance(app.screen, LockScreen))
        lock = app.screen
        await pilot.pause()
        # A full screen, not a dialog over the week: nothing of the centre shows through.
        assert not isinstance(lock, ModalScreen)
        assert screen_text(app) == "Заключено — натиснете Enter, за да продължите"
        app.notify("Случай К-7 приключва след 7 дни")
        await pilot.pause()
        assert not list(app._notifications)  # held back while locked
        await pilot.press("n")  # the planner's keys do nothing under the lock
        await pilot.pause()
        assert app.screen is lock
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        assert not app.locked
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Случай К-7 приключва след 7 дни"]


async def test_no_idle_lock_when_the_setting_is_zero(engine: Engine, tmp_path: Path) -> None:
    make_app(engine, tmp_path)
    clock = Clock()
    app = CoptApp(
        settings=Settings(database_url=str(engine.url), home=tmp_path, idle_lock_minutes=0),
        engine=engine,
        today=TODAY,
        live=False,
        clock=clock,
    )
    async with planner(app) as (_pilot, _screen):
        clock.now += 10 * 24 * 3600
        app.lock_when_idle()
        assert not app.locked


def test_the_idle_lock_setting() -> None:
    import pytest

    from coptui.config import SettingsError

    assert Settings.from_env({}).idle_lock_minutes == 15
    assert Settings.from_env({"COPTUI_IDLE_LOCK_MINUTES": "0"}).idle_lock_minutes == 0
    assert Settings.from_env({"COPTUI_IDLE_LOCK_MINUTES": " 30 "}).idle_lock_minutes == 30
    for bad in ("-1", "soon", "1.5", "100000"):
        with pytest.raises(SettingsError):
            Settings.from_env({"COPTUI_IDLE_LOCK_MINUTES": bad})


# -- a read the database refuses -------------------------------------------------------------


async def test_a_refused_read_is_one_line_never_loading_for_ever(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """A login with no rights on the tables: the planner says so, a volunteer gets their page."""
    make_app(engine, tmp_path)
    nobody = f"r3_nobody_{engine.url.database}"  # roles are the server's: one per database
    with engine.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {nobody}"))
        conn.execute(text(f"CREATE ROLE {nobody} LOGIN"))
        # It may check the schema's version, and read nothing else.
        conn.execute(text(f"GRANT SELECT ON alembic_version TO {nobody}"))
    try:
        url = engine.url.set(username=nobody, password=None)
        settings = Settings(database_url=url.render_as_string(hide_password=False), home=tmp_path)
        coordinator = Identity(nobody, "coordinator", 1, None, "Никой", None)
        app = CoptApp(settings=settings, today=TODAY, live=False, identity=coordinator)
        said = spy_notices(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot, lambda: bool(said), state=lambda: f"{said} {app.screen_stack} {app.failure}"
            )
            screen = app.screen
            assert isinstance(screen, PlannerScreen)
            header = title(screen)
            assert header != "Зареждане…" and header == said[0]
            assert "нямате" in header.casefold()
            # Asked again at once (a reload, a change from elsewhere): not a second notice.
            loads = [w for w in app.workers if w.name == "week"]
            screen.reload()
            again = [w for w in app.workers if w.name == "week" and w not in loads]
            await until(pilot, lambda: all(w.is_finished for w in again))
            await pilot.pause()
            assert again and len(said) == 1
        volunteer = Identity(nobody, "volunteer", None, 1, "Никой", None)
        app = CoptApp(settings=settings, today=TODAY, live=False, identity=volunteer)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, MyActivitiesScreen))
            mine = app.screen
            assert isinstance(mine, MyActivitiesScreen)
            note = mine.query_one("#activities-note", Static)
            await until(pilot, lambda: str(note.render()) != "Зареждане…")
            assert "права" in str(note.render()) or "достъп" in str(note.render())
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
                {"n": nobody},
            )
            conn.execute(text(f"DROP OWNED BY {nobody}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {nobody}"))
    assert scalar(engine, "SELECT count(*) FROM pg_roles WHERE rolname = :n", n=nobody) == 0


# -- real login roles (migration 0009) -------------------------------------------------------

BEFORE_DAY = date(2026, 11, 30)  # the Monday of tests.roles' sessions on 02.12.2026


def app_of(roles_world: RolesWorld, who: str, home: Path) -> CoptApp:
    """The app as ``who``'s own login role, learning who that is from the database."""
    settings = Settings(database_url=roles_world.url_of(who), home=home)
    return CoptApp(settings=settings, today=BEFORE_DAY, live=False)


async def test_a_volunteer_login_sees_my_activities_and_no_case(
    roles_world: RolesWorld, tmp_path: Path
) -> None:
    app = app_of(roles_world, "volunteer", tmp_path)
    said = spy_notices(app)
    async with activities(app) as (pilot, screen):
        assert app.identity is not None and app.identity.role == "volunteer"
        assert [(a.title, a.lead, a.children) for a in screen.shown or []] == [
            ("Арт ателие", "Анна Тестова", 2)
        ]
        shown = screen_text(app)
        assert "Моите дейности · Вера Опитова" in shown
        for child in ("Ели", "Мая", "Иво", "Т-001", "Т-003"):
            assert not re.search(rf"\b{child}\b", shown), child
        # A planner put in front of them is refused by the database: one line, and their own
        # page again, never «Зареждане…» for ever.
        await app.push_screen(PlannerScreen())
        await until(pilot, lambda: bool(said), state=lambda: repr(said))
        await until(pilot, lambda: isinstance(app.screen, MyActivitiesScreen))
        assert len(said) == 1 and "нямате" in said[0].casefold()


async def test_a_specialist_login_opens_their_own_week(
    roles_world: RolesWorld, tmp_path: Path
) -> None:
    async with planner(app_of(roles_world, "specialist", tmp_path)) as (_pilot, screen):
        assert "Специалист: Анна Тестова" in title(screen)
        assert "Седмица 30.11 – 06.12.2026" in title(screen)
        assert {b.title for b in screen.query_one(WeekGrid).blocks} == {"Арт ателие", "Подготовка"}
        assert screen.check_action("edit_event", ()) is True
        assert screen.check_action("directory", ()) is True


async def test_opening_a_case_page_is_in_the_access_log_once(
    engine: Engine, tmp_path: Path
) -> None:
    from coptui.screens.case_page import CasePage

    app = make_app(engine, tmp_path)
    case_id = scalar(engine, "SELECT id FROM case_file WHERE status = 'active' ORDER BY id LIMIT 1")
    before = scalar(engine, "SELECT count(*) FROM case_access_log")
    async with planner(app) as (pilot, screen):
        centre = screen.centre_id
        assert centre is not None
        page = CasePage(case_id=case_id, centre_id=centre, backend=Backend.of(app))
        await app.push_screen(page)
        await until(pilot, lambda: page.loads > 0)
        page.reload()
        await until(pilot, lambda: page.loads > 1)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        modal = app.screen
        assert isinstance(modal, HistoryScreen)
        await until(pilot, lambda: modal.entries is not None)
        assert modal.entries and modal.entries[-1].what == "Създадено"
    logged = scalar(
        engine,
        "SELECT count(*) FROM case_access_log WHERE case_id = :c AND login = session_user",
        c=case_id,
    )
    assert logged == 1
    assert scalar(engine, "SELECT count(*) FROM case_access_log") == before + 1


async def test_the_directorys_keys_follow_the_tab_for_a_coordinator(
    engine: Engine, tmp_path: Path
) -> None:
    make_app(engine, tmp_path)
    me = me_as_staff(engine, "Десислава Колева", "coordinator")
    app = app_as(engine, tmp_path, me)
    async with planner(app) as (pilot, _screen):
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await until(pilot, lambda: screen.loads > 0)
        # Rooms, cases: a coordinator plans them. Staff: the manager's (read-only here).
        for tab, allowed in (("2", True), ("5", True), ("3", False), ("4", False), ("1", False)):
            await pilot.press(tab)
            await pilot.pause()
            for action in ("add", "edit", "deactivate"):
                assert screen.check_action(action, ()) is allowed, (tab, action)
        await pilot.press("3", "enter")  # a staff member's row: no form
        await pilot.pause()
        assert app.screen is screen
