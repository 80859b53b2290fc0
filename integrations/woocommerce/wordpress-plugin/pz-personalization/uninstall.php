<?php
/**
 * Removes the plugin's settings and cached decisions when the plugin is deleted.
 *
 * @package PZ_Personalization
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'pz_settings' );
global $wpdb;
// Transients holding cached menu and search orders: _transient_pz_* and their timeouts.
$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_pz\\_%' OR option_name LIKE '\\_transient\\_timeout\\_pz\\_%'" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
