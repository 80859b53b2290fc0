<?php
/**
 * Navigation ordering: product-category menu items in the order the app suggests.
 *
 * Classic menus: `wp_nav_menu_objects` reorders product-category items among their siblings
 * (same `menu_item_parent`), leaving every other item where the merchant put it and the tree as
 * it is. The order is the shop's (the same for everyone, cached ten minutes), so cached pages stay
 * correct; the storefront script may then reorder for one visitor, through the
 * `data-pz-nav` / `data-pz-collection-id` attributes added here (items without sub-menus only:
 * the script moves a list item with its link). Block themes: the attributes are added to
 * `core/navigation-link` blocks, and the script reorders.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Menus.
 */
class PZ_Navigation {

	const TAXONOMY = 'product_cat';

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_filter( 'wp_nav_menu_objects', array( __CLASS__, 'reorder' ), 20, 2 );
		add_filter( 'nav_menu_link_attributes', array( __CLASS__, 'link_attributes' ), 20, 2 );
		add_filter( 'wp_nav_menu_args', array( __CLASS__, 'menu_args' ), 20 );
		add_filter( 'render_block_core/navigation-link', array( __CLASS__, 'block_link' ), 20, 2 );
		add_filter( 'render_block_core/navigation', array( __CLASS__, 'block_navigation' ), 20 );
	}

	/**
	 * Is this menu item a product category?
	 *
	 * @param object $item Menu item.
	 */
	private static function is_category( $item ): bool {
		return isset( $item->type, $item->object ) && 'taxonomy' === $item->type && self::TAXONOMY === $item->object;
	}

	/**
	 * Product categories first in the app's order, among their siblings.
	 *
	 * @param array<int, object> $items Sorted menu items.
	 * @param object             $args  wp_nav_menu() arguments.
	 * @return array<int, object>
	 */
	public static function reorder( $items, $args = null ) {
		if ( is_admin() || ! PZ_Settings::configured() || ! is_array( $items ) ) {
			return $items;
		}
		$category_ids = array();
		foreach ( $items as $item ) {
			if ( self::is_category( $item ) ) {
				$category_ids[] = (string) $item->object_id;
			}
		}
		$category_ids = array_values( array_unique( $category_ids ) );
		if ( count( $category_ids ) < 2 ) {
			return $items;
		}
		$decision = PZ_Api::decide_cached(
			'nav',
			array(
				'page' => 'other',
				'nav'  => implode( ',', $category_ids ),
			),
			10 * MINUTE_IN_SECONDS
		);
		$order = ( is_array( $decision ) && isset( $decision['nav'] ) && is_array( $decision['nav'] ) ) ? array_map( 'strval', $decision['nav'] ) : array();
		if ( ! $order ) {
			return $items;
		}
		$rank  = array_flip( $order );
		$items = array_values( $items );
		// Siblings share a parent: among each parent's children, the places held by ranked
		// categories are refilled in rank order; everything else stays where it is.
		$groups = array();
		foreach ( $items as $index => $item ) {
			if ( self::is_category( $item ) && isset( $rank[ (string) $item->object_id ] ) ) {
				$groups[ (string) $item->menu_item_parent ][] = $index;
			}
		}
		$result = $items;
		foreach ( $groups as $indexes ) {
			$moving = array();
			foreach ( $indexes as $index ) {
				$moving[] = $items[ $index ];
			}
			usort(
				$moving,
				static function ( $a, $b ) use ( $rank ) {
					return $rank[ (string) $a->object_id ] <=> $rank[ (string) $b->object_id ];
				}
			);
			foreach ( $indexes as $position => $index ) {
				$result[ $index ] = $moving[ $position ];
			}
		}
		foreach ( $result as $position => $item ) {
			$item->menu_order = $position + 1;
		}
		return $result;
	}

	/**
	 * `data-pz-collection-id` on category links without sub-menus (the script moves them).
	 *
	 * @param array<string, string> $atts Link attributes.
	 * @param object                $item Menu item.
	 * @return array<string, string>
	 */
	public static function link_attributes( $atts, $item ) {
		if ( self::is_category( $item ) && ! in_array( 'menu-item-has-children', (array) ( $item->classes ?? array() ), true ) ) {
			$atts['data-pz-collection-id'] = (string) $item->object_id;
		}
		return $atts;
	}

	/**
	 * `data-pz-nav` on the menu's list.
	 *
	 * @param array<string, mixed> $args wp_nav_menu() arguments.
	 * @return array<string, mixed>
	 */
	public static function menu_args( $args ) {
		if ( isset( $args['items_wrap'] ) && '<ul id="%1$s" class="%2$s">%3$s</ul>' === $args['items_wrap'] ) {
			$args['items_wrap'] = '<ul id="%1$s" class="%2$s" data-pz-nav>%3$s</ul>';
		}
		return $args;
	}

	/**
	 * Block themes: `data-pz-collection-id` on product-category navigation links.
	 *
	 * @param string               $html  Rendered block.
	 * @param array<string, mixed> $block Parsed block.
	 */
	public static function block_link( $html, $block ) {
		$attrs = $block['attrs'] ?? array();
		if ( ( $attrs['type'] ?? '' ) !== self::TAXONOMY || empty( $attrs['id'] ) ) {
			return $html;
		}
		return (string) preg_replace( '/<li\b/', '<li data-pz-collection-id="' . esc_attr( (string) (int) $attrs['id'] ) . '"', (string) $html, 1 );
	}

	/**
	 * Block themes: `data-pz-nav` on the navigation's list.
	 *
	 * @param string $html Rendered block.
	 */
	public static function block_navigation( $html ) {
		if ( false === strpos( (string) $html, 'data-pz-collection-id' ) ) {
			return $html;
		}
		return (string) preg_replace( '/<ul\b/', '<ul data-pz-nav', (string) $html, 1 );
	}
}
