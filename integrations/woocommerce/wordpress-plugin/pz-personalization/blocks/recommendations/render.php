<?php
/**
 * Server-side render of the Recommendations block: the same slot as its shortcode.
 *
 * @package PZ_Personalization
 * @var array<string, mixed> $attributes Block attributes.
 */

defined( 'ABSPATH' ) || exit;

echo PZ_Storefront::render( 'recommendations', (array) $attributes ); // phpcs:ignore WordPress.Security.EscapeOutput -- built from escaped parts.
