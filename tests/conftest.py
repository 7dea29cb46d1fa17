"""Hypothesis runs the same examples on every run (CI must not flake); explore with
`pytest --hypothesis-profile=explore`, which draws new ones each time."""

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile("repeatable")
