<?php
/**
 * Installs the test WordPress: the site, the plugin activated by writing `active_plugins`
 * (no wp-cli in Debian bookworm), the test theme, the plugin's settings, product categories,
 * products, a menu, and a page of shortcodes and one of blocks. Prints what it made as JSON.
 *
 * Usage: php setup.php WP_DIR HOST:PORT API_BASE APP_URL
 *
 * @package PZ_Test
 */

if ( PHP_SAPI !== 'cli' || $argc < 5 ) {
	fwrite( STDERR, "usage: php setup.php WP_DIR HOST:PORT API_BASE APP_URL\n" );
	exit( 2 );
}
list( , $wp_dir, $host, $api_base, $app_url ) = $argv;
$_SERVER['HTTP_HOST']   = $host;
$_SERVER['SERVER_NAME'] = explode( ':', $host )[0];
$_SERVER['REQUEST_URI'] = '/';
define( 'WP_INSTALLING', true );
require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$installed = wp_install( 'PZ Test Store', 'admin', 'admin@example.com', true, '', 'correct horse battery staple' );
update_option( 'permalink_structure', '' );
update_option( 'template', 'pz-test-theme' );
update_option( 'stylesheet', 'pz-test-theme' );
update_option( 'active_plugins', array( 'pz-personalization/pz-personalization.php' ) );
update_option(
	'pz_settings',
	array(
		'app_url'        => $app_url,
		'api_base'       => $api_base,
		'storefront_key' => 'pk_wordpress_test',
		'plugin_secret'  => 'plugin-secret-0123456789abcdef',
		'shop_domain'    => $host,
		'consent'        => 'wp_consent_api',
	)
);

// The stand-ins the test theme registers on every request.
register_post_type( 'product', array( 'public' => true ) );
register_taxonomy( 'product_cat', 'product', array( 'hierarchical' => true ) );

$terms = array();
foreach ( array( 'Kitchen', 'Garden', 'Lighting' ) as $name ) {
	$term                     = wp_insert_term( $name, 'product_cat' );
	$terms[]                  = (int) $term['term_id'];
}
$products = array();
foreach ( array( 'Widget Alpha', 'Widget Beta', 'Widget Gamma', 'Widget Delta', 'Gadget One', 'Gadget Two', 'Gadget Three' ) as $index => $title ) {
	$products[ $title ] = wp_insert_post(
		array(
			'post_type'   => 'product',
			'post_status' => 'publish',
			'post_title'  => $title,
			'post_date'   => gmdate( 'Y-m-d H:i:s', time() - 3600 * ( 10 - $index ) ),
		)
	);
}

$menu_id = wp_create_nav_menu( 'Main' );
$items   = array();
$items[] = wp_update_nav_menu_item(
	$menu_id,
	0,
	array(
		'menu-item-title'  => 'Home',
		'menu-item-url'    => home_url( '/' ),
		'menu-item-status' => 'publish',
	)
);
foreach ( $terms as $term_id ) {
	$items[] = wp_update_nav_menu_item(
		$menu_id,
		0,
		array(
			'menu-item-type'      => 'taxonomy',
			'menu-item-object'    => 'product_cat',
			'menu-item-object-id' => $term_id,
			'menu-item-status'    => 'publish',
		)
	);
}
$items[] = wp_update_nav_menu_item(
	$menu_id,
	0,
	array(
		'menu-item-title'  => 'Contact',
		'menu-item-url'    => home_url( '/?contact' ),
		'menu-item-status' => 'publish',
	)
);
set_theme_mod( 'nav_menu_locations', array( 'primary' => $menu_id ) );

$shortcodes = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Shortcodes',
		'post_content' => "[pz_personalized_home count=\"4\"]\n\n[pz_recommendations kind=\"related\" heading=\"Related\"]\n\n[pz_recently_viewed count=\"3\"]\n\n[pz_ugc_gallery]",
	)
);
$blocks = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Blocks',
		'post_content' => "<!-- wp:pz/personalized-home {\"count\":4} /-->\n\n<!-- wp:pz/recommendations {\"kind\":\"bought_together\",\"heading\":\"Bought together\"} /-->\n\n<!-- wp:pz/recently-viewed /-->\n\n<!-- wp:pz/ugc-gallery {\"count\":3} /-->",
	)
);

echo wp_json_encode(
	array(
		'user_id'    => (int) $installed['user_id'],
		'terms'      => $terms,
		'products'   => $products,
		'menu_items' => $items,
		'pages'      => array(
			'shortcodes' => $shortcodes,
			'blocks'     => $blocks,
		),
	)
);
