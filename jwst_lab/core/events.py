"""An in-process publish/subscribe bus for events the browser sees live.

Producers (the job manager, downloads) call :meth:`EventBus.publish`; each
websocket subscribes and drains its own bounded queue. A slow subscriber loses
its oldest events rather than slowing producers or growing without bound; it
is told how many it missed so it can resynchronise over REST.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

Event = dict[str, Any]


class Subscription:
    """One subscriber's bounded queue of events."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self._bus = bus
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0

    def _offer(self, event: Event | None) -> None:
        while True:
            try:
                self._queue.put_nowait(event)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self.dropped += 1

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            if self.dropped:
                missed, self.dropped = self.dropped, 0
                yield {"type": "events.dropped", "count": missed}
            yield event

    def close(self) -> None:
        """Stop receiving; the iterator ends after the events already queued."""
        self._bus._unsubscribe(self)
        self._offer(None)


class EventBus:
    """Fan events out to every current subscriber, in order, with a sequence number."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: set[Subscription] = set()
        self._queue_size = queue_size
        self._sequence = itertools.count(1)
        self._closed = False

    def subscribe(self) -> Subscription:
        """Start receiving every event published from now on."""
        subscription = Subscription(self, self._queue_size)
        if self._closed:
            subscription._offer(None)
        else:
            self._subscribers.add(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def publish(self, event_type: str, **payload: Any) -> Event:
        """Send an event to every subscriber; must be called on the event loop thread."""
        event: Event = {
            "type": event_type,
            "seq": next(self._sequence),
            "time": time.time(),
            **payload,
        }
        for subscription in list(self._subscribers):
            subscription._offer(event)
        return event

    @property
    def subscriber_count(self) -> int:
        """How many subscribers are listening now."""
        return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (server shutdown)."""
        self._closed = True
        for subscription in list(self._subscribers):
            subscription.close()
