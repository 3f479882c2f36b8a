"""The app's live change feed: other sessions' changes and the connection's state, to screens."""

from __future__ import annotations

import threading
from typing import Any

from textual import work

from coptui.app_database import DatabaseAccess


class LiveChanges(DatabaseAccess):
    """Following the database (LISTEN on a connection of its own) for the screens on the stack.

    The state is set by ``CoptApp.__init__``; ``CoptApp`` builds on this class.
    """

    connected: bool
    connection_log: list[bool]  # every loss (False) and return (True)
    changes_seen: int
    _stop_listening: threading.Event

    def _live_screens(self) -> list[Any]:
        """The screens that follow the database: planners and «Моите дейности»."""
        import sys

        from coptui.screens.planner import PlannerScreen

        # «Моите дейности» is on the stack only if its module was imported: importing it here
        # (DataTable and all) would delay every first week by its import.
        kinds: tuple[type, ...] = (PlannerScreen,)
        mine = sys.modules.get("coptui.screens.my_activities")
        if mine is not None:
            kinds = (*kinds, mine.MyActivitiesScreen)
        return [s for s in self.screen_stack if isinstance(s, kinds)]

    @work(thread=True, exclusive=True, exit_on_error=False, group="live", name="live")
    def follow_changes(self) -> None:
        """Listen for every committed change and hand it to the planner (own connection)."""
        from coptui.change_feed import listen

        assert self.url is not None
        url = self.settings.listener_url(self.url)  # past pgbouncer: straight to PostgreSQL
        for change in listen(url, stop=self._stop_listening, on_state=self._connection_state):
            self.call_from_thread(self._changed, change)

    def _changed(self, change: Any) -> None:
        self.changes_seen += 1
        # The planners, and any other screen that follows changes (a programme's screen).
        for screen in self.screen_stack:
            follow = getattr(screen, "changed", None)
            if callable(follow):
                follow(change)

    def _connection_state(self, up: bool) -> None:
        if not up:
            self._revive_server()
        if up == self.connected:
            return
        self.connected = up
        self.connection_log.append(up)
        self.call_from_thread(self._show_connection, up)

    def _show_connection(self, up: bool) -> None:
        for screen in self._live_screens():
            screen.connection(up)
