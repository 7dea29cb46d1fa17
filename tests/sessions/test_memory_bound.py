"""Bounded memory: a store filled far past its limits with the biggest sessions the server
allows keeps the process's resident memory under a stated figure.

In a fresh process (so nothing else the test run holds is counted): an app with
BPTT_MAX_SESSIONS = 20 and BPTT_RUN_CACHE_BYTES = 64 MB takes 40 LSTM sessions at the
largest size (T = 200, H = 64, d = K = 16, Adam: the most numbers a record holds), each
trained an epoch, stepped 20 times forward and read whole. Resident memory (from
/proc/self/statm) may grow by at most GROWTH_BOUND_MB over the process after one such session.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.servers import ROOT

GROWTH_BOUND_MB = 120  # 20 records (~1.2 MB each) + 64 MB of cached steps + allocator slack

FILL = """
import json, os
import numpy as np
from fastapi.testclient import TestClient
from app.main import create_app
from app.settings import Settings

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

settings = Settings(max_sessions=20, run_cache_bytes=64_000_000, create_burst=1000,
                    heavy_burst=1000)
client = TestClient(create_app(settings))
rng = np.random.default_rng(0)
config = {"cell": "lstm", "input_size": 16, "hidden_size": 64, "output_size": 16,
          "optimizer": {"name": "adam"}}
body = {"config": config, "inputs": rng.normal(size=(200, 16)).round(3).tolist(),
        "targets": rng.normal(size=(200, 16)).round(3).tolist()}

def fill_one():
    made = client.post("/api/sessions", json=body).json()
    url, auth = f"/api/sessions/{made['id']}", {"Authorization": f"Bearer {made['token']}"}
    assert client.post(f"{url}/train", json={"epochs": 1}, headers=auth).status_code == 200
    for _ in range(20):
        assert client.post(f"{url}/forward", headers=auth).status_code == 200
    assert client.get(url).status_code == 200

fill_one()
before = rss_mb()
for _ in range(39):
    fill_one()
print(json.dumps({"before": before, "after": rss_mb(),
                  "sessions": len(client.app.state.store)}))
"""


def test_a_store_filled_past_its_limits_stays_under_the_stated_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FILL], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["sessions"] == 20  # the cap held
    assert figures["after"] - figures["before"] < GROWTH_BOUND_MB, figures
