"""The event bus and the ``/events`` websocket that streams it."""

from __future__ import annotations

import asyncio
import json

from jwst_lab import __version__
from jwst_lab.core.events import EventBus


async def _next_message(connection) -> dict:
    return json.loads(await asyncio.wait_for(connection.read_message(), timeout=5))


async def test_websocket_says_hello_then_streams_events_in_order(jp_serverapp, jp_ws_fetch):
    connection = await jp_ws_fetch("jwst-lab", "events")
    assert await _next_message(connection) == {"type": "hello", "version": __version__}

    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    bus = app.services.events
    assert bus.subscriber_count == 1
    bus.publish("job.updated", job_id="a", status="running")
    bus.publish("job.log", job_id="a", text="Step tweakreg running")
    first, second = await _next_message(connection), await _next_message(connection)
    assert (first["type"], first["status"]) == ("job.updated", "running")
    assert second["text"] == "Step tweakreg running"
    assert second["seq"] == first["seq"] + 1

    connection.write_message("ping")
    assert await _next_message(connection) == {"type": "pong"}

    connection.close()
    for _ in range(50):
        if bus.subscriber_count == 0:
            break
        await asyncio.sleep(0.05)
    assert bus.subscriber_count == 0


async def test_every_subscriber_gets_every_event():
    bus = EventBus()
    first, second = bus.subscribe(), bus.subscribe()
    bus.publish("a")
    bus.publish("b")
    bus.close()
    assert [e["type"] async for e in first] == ["a", "b"]
    assert [e["type"] async for e in second] == ["a", "b"]


async def test_a_slow_subscriber_loses_the_oldest_events_and_is_told_how_many():
    bus = EventBus(queue_size=3)
    subscription = bus.subscribe()
    for index in range(5):
        bus.publish("tick", index=index)
    bus.close()
    received = [e async for e in subscription]
    # the close marker takes a slot too: the newest events survive
    assert received[0] == {"type": "events.dropped", "count": 3}
    assert [e["index"] for e in received[1:]] == [3, 4]


async def test_a_closed_subscription_stops_receiving():
    bus = EventBus()
    subscription = bus.subscribe()
    subscription.close()
    bus.publish("late")
    assert [e async for e in subscription] == []
    assert bus.subscriber_count == 0
