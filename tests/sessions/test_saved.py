"""Saved scenarios in a directory: the same text one name, kept across instances (a restart),
the least recently used forgotten past `max_saved`, an expired one gone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.sessions.saved import SAVED_TTL_SECONDS, DirectorySaved, saved_name


def test_a_directory_keeps_each_scenario_under_its_name_across_restarts(tmp_path: Path) -> None:
    saved = DirectorySaved(tmp_path)
    name = saved.save('{"seed": 1}')
    assert name == saved_name('{"seed": 1}') == saved.save('{"seed": 1}')
    assert DirectorySaved(tmp_path).load(name) == '{"seed": 1}'
    assert [path.name for path in tmp_path.iterdir()] == [f"{name}.json"]  # no .part left
    assert saved.load("a" * 16) is None and saved.load("../" + name) is None


def test_the_least_recently_used_go_first_and_the_expired_are_forgotten(tmp_path: Path) -> None:
    saved = DirectorySaved(tmp_path, max_saved=2)
    names = [saved.save(f'{{"seed": {n}}}') for n in range(2)]
    past = time.time() - 60
    for age, name in enumerate(names):  # the first saved is the older
        os.utime(tmp_path / f"{name}.json", (past - 10 * (1 - age), past - 10 * (1 - age)))
    assert saved.load(names[0]) == '{"seed": 0}'  # used now: the second is the oldest
    third = saved.save('{"seed": 2}')
    assert saved.load(names[1]) is None
    assert saved.load(names[0]) is not None and saved.load(third) is not None
    old = time.time() - SAVED_TTL_SECONDS - 1
    os.utime(tmp_path / f"{third}.json", (old, old))
    assert saved.load(third) is None
    assert not (tmp_path / f"{third}.json").exists()
