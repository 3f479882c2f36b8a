"""The change feed: a change committed on one connection reaches a listener on another."""

from __future__ import annotations

import queue
import threading

from sqlalchemy import Engine

from coptui import change_feed
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import cancel_event
from coptui.services.transaction import transact
from tests.factories import at, make_world


def test_listener_receives_changes_from_another_connection(engine: Engine) -> None:
    world = transact(engine, make_world)
    received: queue.Queue[change_feed.Change] = queue.Queue()
    stop = threading.Event()
    connected = threading.Event()

    def run() -> None:
        for change in change_feed.listen(
            str(engine.url.render_as_string(hide_password=False)),
            stop=stop,
            on_state=lambda up: connected.set() if up else None,
        ):
            received.put(change)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert connected.wait(10)
    request = BookingRequest(
        centre_id=world.centre,
        title="Среща",
        start=at("09:00"),
        end=at("10:00"),
        room_id=world.room,
        staff_ids=(world.staff,),
    )
    booked = transact(engine, lambda s: book_event(s, request=request))
    first = received.get(timeout=5)
    assert first.centre_id == world.centre
    assert first.event_id == booked.id
    assert first.lower == at("09:00")
    tables = {first.table}
    while len(tables) < 2:
        tables.add(received.get(timeout=5).table)
    assert tables == {"event", "event_staff"}
    transact(
        engine,
        lambda s: cancel_event(s, event_id=booked.id, version=booked.version, reason="болест"),
    )
    ops = set()
    for _ in range(2):
        ops.add(received.get(timeout=5).op)
    assert ops == {"UPDATE"}
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
