"""Twenty clients at the same slot at the same moment: exactly one is told yes."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text

from coptui.errors import SlotTakenError
from coptui.services.booking import BookingRequest, book_event
from coptui.services.transaction import transact
from tests.factories import at, make_world


def test_twenty_clients_one_slot(engine: Engine) -> None:
    world = transact(engine, make_world)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        # Different staff would not clash; the room and the case do.
        request = BookingRequest(
            centre_id=world.centre,
            title=f"Опит {n}",
            start=at("09:00" if n % 2 else "09:30"),
            end=at("10:00" if n % 2 else "10:30"),
            room_id=world.room if n % 3 else None,
            case_ids=(world.case,),
        )
        barrier.wait()
        try:
            transact(engine, lambda s: book_event(s, request=request))
            result = "ok"
        except SlotTakenError:
            result = "taken"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] + ["taken"] * 19
    with engine.connect() as conn:
        overlaps = conn.execute(
            text(
                "SELECT count(*) FROM event_case a JOIN event_case b"
                " ON a.case_id = b.case_id AND a.event_id < b.event_id"
                " AND a.during && b.during"
                " WHERE a.event_status <> 'cancelled' AND b.event_status <> 'cancelled'"
            )
        ).scalar_one()
        rooms = conn.execute(
            text(
                "SELECT count(*) FROM event a JOIN event b ON a.room_id = b.room_id"
                " AND a.id < b.id AND a.during && b.during"
                " WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        ).scalar_one()
    assert overlaps == 0 and rooms == 0
