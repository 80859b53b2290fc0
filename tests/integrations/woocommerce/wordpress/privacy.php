<?php
/**
 * Runs the plugin's privacy exporter and eraser (as Tools → Export/Erase Personal Data would),
 * the erased-request action, and the connection claim, against the stub API. Prints JSON.
 *
 * Usage: php privacy.php WP_DIR HOST:PORT EMAIL CLAIM_CODE
 *
 * @package PZ_Test
 */

if ( PHP_SAPI !== 'cli' || $argc < 5 ) {
	fwrite( STDERR, "usage: php privacy.php WP_DIR HOST:PORT EMAIL CLAIM_CODE\n" );
	exit( 2 );
}
list( , $wp_dir, $host, $email, $code ) = $argv;
$_SERVER['HTTP_HOST']   = $host;
$_SERVER['SERVER_NAME'] = explode( ':', $host )[0];
$_SERVER['REQUEST_URI'] = '/wp-admin/';
// An admin request, for the privacy policy guide (wp_add_privacy_policy_content wants admin_init).
define( 'WP_ADMIN', true );
require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
$erasers   = apply_filters( 'wp_privacy_personal_data_erasers', array() );
$export    = call_user_func( $exporters['pz-personalization']['callback'], $email, 1 );
$erase     = call_user_func( $erasers['pz-personalization']['callback'], $email, 1 );
$settings  = PZ_Settings::get();
$claimed   = PZ_Api::claim( $settings['app_url'], $code );

$policy = '';
if ( function_exists( 'wp_add_privacy_policy_content' ) ) {
	// Only our admin_init callback: the rest of wp-admin is not needed here.
	remove_all_actions( 'admin_init' );
	add_action( 'admin_init', array( 'PZ_Privacy', 'policy_text' ) );
	do_action( 'admin_init' );
	foreach ( WP_Privacy_Policy_Content::get_suggested_policy_text() as $section ) {
		if ( 'Personalization' === $section['plugin_name'] ) {
			$policy = $section['policy_text'];
		}
	}
}

echo wp_json_encode(
	array(
		'exporter_name' => $exporters['pz-personalization']['exporter_friendly_name'] ?? '',
		'export'        => $export,
		'erase'         => $erase,
		'claimed'       => $claimed,
		'policy'        => $policy,
	)
);
