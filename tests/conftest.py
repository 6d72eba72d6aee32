"""Every run's header says the seed of the random contributions (tests/test_contribution_ci.py)."""
from tests.support.contributions import replay_hint


def pytest_report_header(config):
    return replay_hint()
