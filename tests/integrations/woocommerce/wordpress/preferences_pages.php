<?php
/**
 * Adds the quiz and preference center pages to the test WordPress (a page of shortcodes and one
 * of blocks) and, when given, points the plugin at another API base. Prints the page ids as JSON.
 *
 * Usage: php preferences_pages.php WP_DIR HOST:PORT [API_BASE]
 *
 * @package PZ_Test
 */

if ( PHP_SAPI !== 'cli' || $argc < 3 ) {
	fwrite( STDERR, "usage: php preferences_pages.php WP_DIR HOST:PORT [API_BASE]\n" );
	exit( 2 );
}
$wp_dir                 = $argv[1];
$host                   = $argv[2];
$api_base               = $argv[3] ?? '';
$_SERVER['HTTP_HOST']   = $host;
$_SERVER['SERVER_NAME'] = explode( ':', $host )[0];
$_SERVER['REQUEST_URI'] = '/';
require $wp_dir . '/wp-load.php';

if ( '' !== $api_base ) {
	PZ_Settings::update( array( 'api_base' => $api_base ) );
}
$shortcodes = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Quiz shortcodes',
		'post_content' => "[pz_quiz]\n\n[pz_preferences min_height=\"300\"]",
	)
);
$blocks     = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Quiz blocks',
		'post_content' => "<!-- wp:pz/quiz {\"minHeight\":400} /-->\n\n<!-- wp:pz/preference-center /-->",
	)
);
echo wp_json_encode(
	array(
		'shortcodes' => $shortcodes,
		'blocks'     => $blocks,
	)
);
