<?php
/**
 * Server-side render of the Review highlights block: the same markup as its shortcode.
 *
 * @package PZ_Personalization
 * @var array<string, mixed> $attributes Block attributes.
 */

defined( 'ABSPATH' ) || exit;

echo PZ_Ugc::render( 'review-highlights', (array) $attributes ); // phpcs:ignore WordPress.Security.EscapeOutput -- built from escaped parts.
