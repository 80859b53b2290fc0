from tests.integrations.shopify.conftest import shopify_settings  # noqa: F401
from tests.integrations.woocommerce.conftest import fake_woo, woo_settings  # noqa: F401
