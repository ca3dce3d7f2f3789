"""The demo's file broker: a message being written by another process is never read half-way.

kombu's own filesystem transport fails this within a few hundred messages ("JSONDecodeError"), which stopped the
demo's worker."""

from __future__ import annotations

import multiprocessing

from kombu import Connection

MESSAGES = 800


def connection(folder):
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    return Connection("filesystem://", transport="oms.filebroker:Transport", transport_options=options)


def _send(folder) -> None:
    with connection(folder) as conn:
        queue = conn.SimpleQueue("push")
        for number in range(MESSAGES):
            queue.put({"n": number, "padding": "x" * 20_000})


def test_messages_written_by_another_process_arrive_whole(tmp_path):
    sender = multiprocessing.get_context("fork").Process(target=_send, args=(tmp_path,))
    sender.start()
    received = []
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("push")
        while len(received) < MESSAGES:
            message = queue.get(timeout=10)
            received.append(message.payload["n"])
            message.ack()
        queue.close()
    sender.join(10)
    assert sorted(received) == list(range(MESSAGES))
    assert not list(tmp_path.glob("*.part"))
