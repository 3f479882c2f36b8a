"""«Моите дейности» as a volunteer's own login: the open places, and ``s`` takes one (Pilot)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from textual.widgets import DataTable

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.domain.timeutil import SOFIA
from tests.roles import RolesWorld, roles_world
from tests.services.test_volunteer_signup import SOON, holder, open_event, owner
from tests.ui.test_planner import until
from tests.ui.test_roles import activities, screen_text, spy_notices

__all__ = ["roles_world"]


async def test_a_volunteer_takes_an_open_place_with_s(
    roles_world: RolesWorld, tmp_path: Path
) -> None:
    with owner(roles_world).begin() as conn:
        conn.execute(
            text(
                "UPDATE volunteer SET agreement_date = :a, criminal_record_date = :a WHERE id = :v"
            ),
            {"a": SOON - timedelta(days=30), "v": roles_world.world.volunteer},
        )
    slot = open_event(roles_world, "09:00", "10:00", title="Градинка")
    settings = Settings(database_url=roles_world.url_of("volunteer"), home=tmp_path)
    app = CoptApp(settings=settings, today=datetime.now(SOFIA).date(), live=False)
    said = spy_notices(app)
    async with activities(app) as (pilot, screen):
        assert [p.slot_id for p in screen.open or []] == [slot]
        assert slot not in [a.slot_id for a in screen.shown or []]
        shown = screen_text(app)
        assert "Градинка" in shown and f"{SOON:%d.%m.%Y}" in shown and "09:00–10:00" in shown
        assert "Иво" not in shown  # the far 2099 place is beyond the coming weeks
        # (Only what the key says: a refusal of the planner's frame drawn before the home
        # replaced it may come in at start, which is not this test's.)
        line = f"Имате място в „Градинка“ на {SOON:%d.%m.%Y} 09:00–10:00."
        loads = screen.loads
        await pilot.press("s")
        await until(pilot, lambda: screen.loads > loads and line in said, state=lambda: repr(said))
        assert slot in [a.slot_id for a in screen.shown or []]
        assert screen.open == []
        assert not screen.query_one("#open-places", DataTable).display
        assert "Няма свободни места" in screen_text(app)
        # Nothing left to take: one line, no question.
        await pilot.press("s")
        await until(pilot, lambda: "Няма свободно място за записване." in said)
    assert holder(roles_world, slot) == (roles_world.world.volunteer, "assigned")
