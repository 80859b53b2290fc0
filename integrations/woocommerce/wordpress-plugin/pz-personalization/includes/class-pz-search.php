<?php
/**
 * Search reranking: the store's own product search, reordered by the app, without filtering.
 *
 * Before the main product search runs (`pre_get_posts`, and `woocommerce_product_query` on
 * WooCommerce's shop pages), the store's own first 100 results are read (ids only, in its own
 * order) and sent to the app, which answers with them reranked within bounds. `posts_clauses`
 * then orders by `FIELD(ID, …)` ahead of the store's own ORDER BY: nothing is added or removed,
 * and results the app did not rank keep the store's order after the ranked ones. The query goes
 * along, so the merchant's query rules and synonyms apply (admin "Search and navigation"); the
 * results a hide rule names leave the search (`post__not_in`). The call waits
 * at most 0.8 s (`pz_decide_timeout`); when it fails or is slow the store's own order stays.
 * The ranking is the same for everyone (no visitor): search pages may be cached. The storefront
 * script may still personalize what one visitor sees.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Search reranking.
 */
class PZ_Search {

	const CANDIDATES = 100;

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_action( 'pre_get_posts', array( __CLASS__, 'prepare' ), 20 );
		add_action( 'woocommerce_product_query', array( __CLASS__, 'prepare' ), 20 );
		add_filter( 'posts_clauses', array( __CLASS__, 'clauses' ), 20, 2 );
	}

	/**
	 * Is this the storefront's main product search?
	 *
	 * @param WP_Query $query The query.
	 */
	public static function applies( $query ): bool {
		if ( ! $query instanceof WP_Query || is_admin() || wp_doing_ajax() || ! $query->is_main_query() ) {
			return false;
		}
		if ( ! $query->is_search() || '' === (string) $query->get( 's' ) ) {
			return false;
		}
		$types = (array) $query->get( 'post_type' );
		return in_array( 'product', $types, true );
	}

	/**
	 * Asks the app for an order of the store's own results (once per query).
	 *
	 * @param WP_Query $query The main query.
	 */
	public static function prepare( $query ): void {
		if ( ! PZ_Settings::configured() || ! self::applies( $query ) || $query->get( 'pz_checked' ) ) {
			return;
		}
		$query->set( 'pz_checked', 1 );
		$candidates = new WP_Query(
			array_merge(
				$query->query_vars,
				array(
					'fields'                 => 'ids',
					'posts_per_page'         => self::CANDIDATES,
					'paged'                  => 1,
					'offset'                 => 0,
					'no_found_rows'          => true,
					'update_post_meta_cache' => false,
					'update_post_term_cache' => false,
					'pz_checked'             => 1,
				)
			)
		);
		$ids = array_map( 'strval', array_map( 'intval', $candidates->posts ) );
		if ( count( $ids ) < 2 ) {
			return;
		}
		$decision = PZ_Api::decide_cached(
			'search',
			array(
				'page'    => 'search',
				'results' => implode( ',', $ids ),
				'q'       => mb_substr( trim( (string) $query->get( 's' ) ), 0, 200 ),
			),
			5 * MINUTE_IN_SECONDS
		);
		$order = ( is_array( $decision ) && isset( $decision['search'] ) && is_array( $decision['search'] ) ) ? $decision['search'] : array();
		// Only ids the store itself returned: the app reorders, it never adds.
		$order = array_values( array_intersect( array_map( 'strval', $order ), $ids ) );
		// The merchant's hide rules for this query: those results leave the search.
		$hidden = ( is_array( $decision ) && isset( $decision['search_hidden'] ) && is_array( $decision['search_hidden'] ) ) ? $decision['search_hidden'] : array();
		$hidden = array_values( array_intersect( array_map( 'strval', $hidden ), $ids ) );
		if ( $hidden ) {
			$query->set( 'post__not_in', array_merge( array_map( 'absint', (array) $query->get( 'post__not_in' ) ), array_map( 'absint', $hidden ) ) );
			$order = array_values( array_diff( $order, $hidden ) );
		}
		if ( $order ) {
			$query->set( 'pz_order', $order );
		}
	}

	/**
	 * `ORDER BY FIELD(ID, …) DESC` first (ids listed last-first, so unranked ones, at 0, come
	 * after the ranked ones), then the store's own ORDER BY.
	 *
	 * @param array<string, string> $clauses SQL clauses.
	 * @param WP_Query              $query   The query.
	 * @return array<string, string>
	 */
	public static function clauses( $clauses, $query ) {
		if ( ! $query instanceof WP_Query ) {
			return $clauses;
		}
		$order = $query->get( 'pz_order' );
		if ( ! is_array( $order ) || ! $order ) {
			return $clauses;
		}
		global $wpdb;
		$ids               = implode( ',', array_map( 'absint', array_reverse( $order ) ) );
		$field             = "FIELD({$wpdb->posts}.ID, {$ids}) DESC";
		$clauses['orderby'] = $clauses['orderby'] ? $field . ', ' . $clauses['orderby'] : $field;
		return $clauses;
	}
}
