"""Hypothesis runs the same examples on every run (CI must not flake); explore with
`pytest --hypothesis-profile=explore`, which draws new ones each time."""

import atexit
import os
import shutil
import tempfile

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile("repeatable")

# Saved scenarios go to a scratch directory, never the checkout's var/saved: every app the
# tests build and every server they start (which inherit the environment) uses it.
if "BPTT_SAVED_DIR" not in os.environ:
    os.environ["BPTT_SAVED_DIR"] = tempfile.mkdtemp(prefix="bptt-saved-")
    atexit.register(shutil.rmtree, os.environ["BPTT_SAVED_DIR"], ignore_errors=True)
