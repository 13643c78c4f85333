"""SQLite writers take turns (db/session.py): one at a time, within a process and across them.

Each WriterTurn below stands for a process of its own (its own file descriptors), as the worker
and the web app are; each has two threads, as the worker's activities do."""

from __future__ import annotations

import threading
import time

from db.session import WriterTurn


def test_writers_exclude_each_other(tmp_path):
    db_file = str(tmp_path / "prm.db")
    turns = [WriterTurn(db_file) for _ in range(3)]
    inside, overlaps = [0], [0]
    lock = threading.Lock()

    def write(turn: WriterTurn) -> None:
        for _ in range(50):
            with turn:
                with lock:
                    inside[0] += 1
                    overlaps[0] += inside[0] > 1
                time.sleep(0.0005)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=write, args=(t,)) for t in turns for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert overlaps[0] == 0
