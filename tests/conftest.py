"""Every run's header says the seed of the random contributions (tests/test_contribution_ci.py),
and every build the tests make shares one cache folder of the run's own (never the developer's
.cache/): entries are named by content, so sharing changes no byte, and only the first build of a
kind of output draws it. A test about the cache itself passes its own folder."""
import os
import shutil
import tempfile

from storymap.inputs.project import CACHE_VARIABLE
from tests.support.contributions import SEED, SEED_VARIABLE, replay_hint


def pytest_report_header(config):
    return replay_hint()


def pytest_configure(config):
    # The test workers (pytest-xdist) inherit the environment: every one makes the seed's contributions.
    os.environ.setdefault(SEED_VARIABLE, str(SEED))
    if not os.environ.get(CACHE_VARIABLE):  # a copy's inner run (test_contribution_ci) shares its parent's
        config.own_cache = tempfile.mkdtemp(prefix="between-borders-test-cache-")
        os.environ[CACHE_VARIABLE] = config.own_cache


def pytest_unconfigure(config):
    if getattr(config, "own_cache", None):
        shutil.rmtree(config.own_cache, ignore_errors=True)
        del os.environ[CACHE_VARIABLE]
