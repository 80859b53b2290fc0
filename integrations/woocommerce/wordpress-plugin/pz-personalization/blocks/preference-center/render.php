<?php
/**
 * Server-side render of the Preference center block: the same element as its shortcode.
 *
 * @package PZ_Personalization
 * @var array<string, mixed> $attributes Block attributes.
 */

defined( 'ABSPATH' ) || exit;

echo PZ_Preferences::render( 'preference-center', (array) $attributes ); // phpcs:ignore WordPress.Security.EscapeOutput -- built from escaped parts.
