<?php
/**
 * Server-side render of the Product-finder quiz block: the same element as its shortcode.
 *
 * @package PZ_Personalization
 * @var array<string, mixed> $attributes Block attributes.
 */

defined( 'ABSPATH' ) || exit;

echo PZ_Preferences::render( 'quiz', (array) $attributes ); // phpcs:ignore WordPress.Security.EscapeOutput -- built from escaped parts.
