<?php
/**
 * The test theme: a primary menu location, and (WooCommerce cannot be installed in the tests)
 * stand-ins for WooCommerce's `product` post type and `product_cat` taxonomy.
 *
 * @package PZ_Test_Theme
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the stand-ins, unless WooCommerce is there.
 */
function pz_test_theme_register(): void {
	if ( ! post_type_exists( 'product' ) ) {
		register_post_type(
			'product',
			array(
				'public'              => true,
				'label'               => 'Products',
				'rewrite'             => false,
				'exclude_from_search' => false,
			)
		);
	}
	if ( ! taxonomy_exists( 'product_cat' ) ) {
		register_taxonomy(
			'product_cat',
			'product',
			array(
				'public'       => true,
				'label'        => 'Product categories',
				'rewrite'      => false,
				'hierarchical' => true,
			)
		);
	}
	register_nav_menu( 'primary', 'Primary' );
}
add_action( 'init', 'pz_test_theme_register', 0 );
