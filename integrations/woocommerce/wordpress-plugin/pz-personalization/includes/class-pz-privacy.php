<?php
/**
 * Privacy: WordPress's personal data exporter and eraser forward to the app (signed with the
 * plugin's secret), erasures confirmed by the site are forwarded too, and the privacy policy
 * guide gets a paragraph about what the app keeps.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Export and erase.
 */
class PZ_Privacy {

	const ID = 'pz-personalization';

	/**
	 * Emails already erased in this request (the eraser and the "erased" action both fire).
	 *
	 * @var array<string, bool>
	 */
	private static $erased = array();

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( __CLASS__, 'register_exporter' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'register_eraser' ) );
		add_action( 'wp_privacy_personal_data_erased', array( __CLASS__, 'forward_erased' ) );
		add_action( 'admin_init', array( __CLASS__, 'policy_text' ) );
	}

	/**
	 * Our exporter.
	 *
	 * @param array<string, mixed> $exporters Exporters.
	 * @return array<string, mixed>
	 */
	public static function register_exporter( $exporters ) {
		$exporters[ self::ID ] = array(
			'exporter_friendly_name' => __( 'Personalization', 'pz-personalization' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Our eraser.
	 *
	 * @param array<string, mixed> $erasers Erasers.
	 * @return array<string, mixed>
	 */
	public static function register_eraser( $erasers ) {
		$erasers[ self::ID ] = array(
			'eraser_friendly_name' => __( 'Personalization', 'pz-personalization' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * What the app holds about this email address, as WordPress's export groups.
	 *
	 * @param string $email Email address.
	 * @param int    $page  Page (one is enough).
	 * @return array<string, mixed>
	 */
	public static function export( $email, $page = 1 ) {
		$answer = PZ_Api::signed_post( 'woocommerce/privacy/export', array( 'email' => (string) $email ) );
		if ( null === $answer ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$items = array();
		foreach ( (array) ( $answer['groups'] ?? array() ) as $group_id => $group ) {
			foreach ( (array) ( $group['items'] ?? array() ) as $index => $fields ) {
				$data = array();
				foreach ( (array) $fields as $name => $value ) {
					$data[] = array(
						'name'  => (string) $name,
						'value' => is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value ),
					);
				}
				$items[] = array(
					'group_id'    => 'pz-' . sanitize_key( (string) $group_id ),
					'group_label' => (string) ( $group['label'] ?? $group_id ),
					'item_id'     => 'pz-' . sanitize_key( (string) $group_id ) . '-' . $index,
					'data'        => $data,
				);
			}
		}
		return array(
			'data' => $items,
			'done' => true,
		);
	}

	/**
	 * Erase what the app holds about this email address.
	 *
	 * @param string $email Email address.
	 * @param int    $page  Page (one is enough).
	 * @return array<string, mixed>
	 */
	public static function erase( $email, $page = 1 ) {
		$email  = (string) $email;
		$answer = PZ_Api::signed_post( 'woocommerce/privacy/erase', array( 'email' => $email ) );
		if ( null === $answer ) {
			return array(
				'items_removed'  => false,
				'items_retained' => true,
				'messages'       => array( __( 'The personalization service could not be reached; try again later.', 'pz-personalization' ) ),
				'done'           => true,
			);
		}
		self::$erased[ strtolower( $email ) ] = true;
		return array(
			'items_removed'  => ! empty( $answer['removed'] ),
			'items_retained' => false,
			'messages'       => array(),
			'done'           => true,
		);
	}

	/**
	 * A completed erasure request: make sure the app heard of it, even if our eraser was not
	 * among those that ran.
	 *
	 * @param int $request_id The request.
	 */
	public static function forward_erased( $request_id ) {
		$request = function_exists( 'wp_get_user_request' ) ? wp_get_user_request( (int) $request_id ) : false;
		if ( ! $request || empty( $request->email ) || isset( self::$erased[ strtolower( $request->email ) ] ) ) {
			return;
		}
		self::erase( $request->email );
	}

	/**
	 * Suggested text for the privacy policy.
	 */
	public static function policy_text(): void {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$text = '<p>' . __( 'This store uses a personalization service to recommend products and order its pages for you. With your consent, the service records the pages and products you view, searches, and what you add to your cart and buy on this site, under a random identifier kept in your browser. Your orders and account details (name, email address, country) are shared with the service to improve recommendations. This data is used only for this store, is never sold, and is deleted when you ask us to erase your personal data, or after the retention period the store has set.', 'pz-personalization' ) . '</p>';
		wp_add_privacy_policy_content( __( 'Personalization', 'pz-personalization' ), wp_kses_post( wpautop( $text, false ) ) );
	}
}
