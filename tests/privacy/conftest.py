# The events API's fixtures (a three-product catalog; caches and the stream emptied per test).
from tests.events.conftest import catalog, clean_event_state  # noqa: F401
