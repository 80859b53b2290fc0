<?php
/**
 * Plugin Name:       Personalization for WooCommerce
 * Description:       Personalized homepage sections, recommendations, recently viewed products, a customer-photo gallery, a product-finder quiz, a preference center, search and menu order for WooCommerce stores.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            Personalization
 * License:           GPL-2.0-or-later
 * Text Domain:       pz-personalization
 * Domain Path:       /languages
 * WC requires at least: 8.0
 * WC tested up to:   9.4
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

define( 'PZ_VERSION', '0.1.0' );
define( 'PZ_FILE', __FILE__ );
define( 'PZ_DIR', plugin_dir_path( __FILE__ ) );

require_once PZ_DIR . 'includes/class-pz-settings.php';
require_once PZ_DIR . 'includes/class-pz-api.php';
require_once PZ_DIR . 'includes/class-pz-storefront.php';
require_once PZ_DIR . 'includes/class-pz-search.php';
require_once PZ_DIR . 'includes/class-pz-navigation.php';
require_once PZ_DIR . 'includes/class-pz-privacy.php';
require_once PZ_DIR . 'includes/class-pz-ugc.php';
require_once PZ_DIR . 'includes/class-pz-preferences.php';
require_once PZ_DIR . 'includes/class-pz-campaigns.php';

// Translations: languages/pz-personalization-<locale>.mo, built from the .po files next to it.
add_action(
	'init',
	static function () {
		load_plugin_textdomain( 'pz-personalization', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
	},
	1
);

PZ_Settings::boot();
PZ_Storefront::boot();
PZ_Search::boot();
PZ_Navigation::boot();
PZ_Privacy::boot();
PZ_Ugc::boot();
PZ_Preferences::boot();
PZ_Campaigns::boot();

// Declare compatibility with WooCommerce's order tables (we never touch orders in PHP).
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', PZ_FILE, true );
		}
	}
);
