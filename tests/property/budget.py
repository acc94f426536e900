"""Hypothesis profiles for the loader properties: "quick" in make test, "fuzz" (many more cases) in make fuzz.

The profile is chosen by NN_PLAYGROUND_HYPOTHESIS (quick when unset); ``scaled`` gives a property a share
of the profile's examples when its cases are costly (a window per case), in both profiles alike.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_ENV = "NN_PLAYGROUND_HYPOTHESIS"
CASE_SECONDS = 20
"""Deadline of one case (tests.hostile.deadline): a hang fails the case instead of stalling the run."""

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("quick", max_examples=60, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=4000, **_COMMON)
settings.load_profile(os.environ.get(PROFILE_ENV, "quick"))


def scaled(share: float) -> settings:
    """Settings running ``share`` of the loaded profile's examples (at least 3)."""
    return settings(max_examples=max(3, round(settings.default.max_examples * share)))
