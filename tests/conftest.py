import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None, database=None, derandomize=True)
settings.register_profile(
    "ci", max_examples=200, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
