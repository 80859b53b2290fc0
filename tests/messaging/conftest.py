from tests.campaigns.conftest import _fresh_experiment_state  # noqa: F401
