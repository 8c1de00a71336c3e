import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None, database=None, derandomize=True)
settings.register_profile(
    "ci", max_examples=200, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config):
    """Step verdicts (verify/stepcheck.py) are cached on disk: the tests use a fresh cache of their own, so a
    test run judges every step itself and never reads or pollutes ~/.cache/verify/steps."""
    import tempfile

    if "VERIFY_CACHE_DIR" not in os.environ:
        os.environ["VERIFY_CACHE_DIR"] = tempfile.mkdtemp(prefix="verify-test-cache-")
