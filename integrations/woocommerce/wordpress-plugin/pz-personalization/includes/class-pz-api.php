<?php
/**
 * Server-side calls to the app: decisions for search and menus (short timeout, cached, never
 * blocking the page for long), signed privacy requests, and the connection claim.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * The app's API, from PHP.
 */
class PZ_Api {

	/**
	 * Seconds a page waits for a decision before it keeps the store's own order.
	 */
	const DECIDE_TIMEOUT = 0.8;

	/**
	 * A decision (`GET {api_base}decide`), or null when the app is slow, down or says no.
	 *
	 * @param array<string, string> $params Query parameters besides the key.
	 * @return array<string, mixed>|null
	 */
	public static function decide( array $params ): ?array {
		if ( ! PZ_Settings::configured() ) {
			return null;
		}
		$settings = PZ_Settings::get();
		$query    = http_build_query( array( 'key' => $settings['storefront_key'] ) + $params, '', '&', PHP_QUERY_RFC3986 );
		$response = wp_remote_get(
			trailingslashit( $settings['api_base'] ) . 'decide?' . $query,
			array(
				'timeout'     => (float) apply_filters( 'pz_decide_timeout', self::DECIDE_TIMEOUT ),
				'redirection' => 0,
				'headers'     => array( 'Accept' => 'application/json' ),
				'user-agent'  => 'pz-personalization/' . PZ_VERSION . '; ' . home_url( '/' ),
			)
		);
		if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return null;
		}
		$body = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		return is_array( $body ) ? $body : null;
	}

	/**
	 * The same decision for everyone (no visitor: safe in full-page caches), cached briefly.
	 * A failure is remembered for a minute, so a down API costs one slow request a minute.
	 *
	 * @param string                $kind   Cache namespace.
	 * @param array<string, string> $params Decision parameters.
	 * @param int                   $ttl    Seconds to keep a good answer.
	 * @return array<string, mixed>|null
	 */
	public static function decide_cached( string $kind, array $params, int $ttl ): ?array {
		$key    = 'pz_' . $kind . '_' . md5( (string) wp_json_encode( $params ) );
		$cached = get_transient( $key );
		if ( is_array( $cached ) ) {
			return empty( $cached['__failed'] ) ? $cached : null;
		}
		$decision = self::decide( $params );
		set_transient( $key, null === $decision ? array( '__failed' => true ) : $decision, null === $decision ? MINUTE_IN_SECONDS : $ttl );
		return $decision;
	}

	/**
	 * A POST signed with the plugin's secret: HMAC-SHA256 over "timestamp.body", hex.
	 *
	 * @param string               $path    Path under the API base.
	 * @param array<string, mixed> $payload JSON body.
	 * @return array<string, mixed>|null
	 */
	public static function signed_post( string $path, array $payload ): ?array {
		$settings = PZ_Settings::get();
		if ( ! PZ_Settings::configured() || '' === $settings['plugin_secret'] ) {
			return null;
		}
		$body      = (string) wp_json_encode( $payload );
		$timestamp = (string) time();
		$response  = wp_remote_post(
			trailingslashit( $settings['api_base'] ) . ltrim( $path, '/' ),
			array(
				'timeout'     => 15,
				'redirection' => 0,
				'headers'     => array(
					'Content-Type'   => 'application/json',
					'Accept'         => 'application/json',
					'X-PZ-Shop'      => $settings['storefront_key'],
					'X-PZ-Timestamp' => $timestamp,
					'X-PZ-Signature' => hash_hmac( 'sha256', $timestamp . '.' . $body, $settings['plugin_secret'] ),
				),
				'body'        => $body,
			)
		);
		if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return null;
		}
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		return is_array( $decoded ) ? $decoded : null;
	}

	/**
	 * Trades the one-time code from the app's return page for this store's settings.
	 *
	 * @param string $app_url The app's address.
	 * @param string $code    The code.
	 * @return array<string, string>|null
	 */
	public static function claim( string $app_url, string $code ): ?array {
		$response = wp_remote_post(
			untrailingslashit( $app_url ) . '/api/v1/woocommerce/plugin/claim',
			array(
				'timeout'     => 15,
				'redirection' => 0,
				'headers'     => array( 'Content-Type' => 'application/json' ),
				'body'        => (string) wp_json_encode( array( 'code' => $code ) ),
			)
		);
		if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return null;
		}
		$body = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( ! is_array( $body ) || empty( $body['storefront_key'] ) || empty( $body['api_base'] ) ) {
			return null;
		}
		return array(
			'storefront_key' => (string) $body['storefront_key'],
			'api_base'       => trailingslashit( esc_url_raw( (string) $body['api_base'] ) ),
			'plugin_secret'  => (string) ( $body['plugin_secret'] ?? '' ),
			'shop_domain'    => (string) ( $body['shop_domain'] ?? '' ),
		);
	}
}
