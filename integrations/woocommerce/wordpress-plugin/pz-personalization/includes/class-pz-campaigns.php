<?php
/**
 * Campaigns: the overlay script (popups, slide-ins, bars, embedded blocks; deferred, in the
 * footer) only while the shop runs on-site campaigns, and a `[pz_campaign_slot]` shortcode for
 * the embedded block's reserved space.
 *
 * Whether campaigns are live is the app's answer to `GET {api_base}campaigns/live`, the same for
 * every shopper (so full-page caches are safe), kept in a transient for five minutes; a failure is
 * remembered for a minute as "no campaigns", so a down API never slows the store for long.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * The overlay script and the embedded campaign slot.
 */
class PZ_Campaigns {

	const SCRIPT    = 'pz-overlay';
	const TRANSIENT = 'pz_campaigns_live';
	const TIMEOUT   = 0.8;

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_filter( 'script_loader_tag', array( __CLASS__, 'script_tag' ), 10, 2 );
	}

	/**
	 * The script and the shortcode.
	 */
	public static function register(): void {
		if ( PZ_Settings::configured() ) {
			wp_register_script(
				self::SCRIPT,
				plugins_url( 'assets/pz-overlay.js', PZ_FILE ),
				array(),
				PZ_VERSION,
				array(
					'in_footer' => true,
					'strategy'  => 'defer',
				)
			);
		}
		add_shortcode( 'pz_campaign_slot', array( __CLASS__, 'slot' ) );
	}

	/**
	 * Whether the shop runs on-site campaigns now (cached; false when the app cannot say).
	 */
	public static function live(): bool {
		$cached = get_transient( self::TRANSIENT );
		if ( is_array( $cached ) ) {
			return ! empty( $cached['onsite'] );
		}
		$settings = PZ_Settings::get();
		$query    = http_build_query( array( 'key' => $settings['storefront_key'] ), '', '&', PHP_QUERY_RFC3986 );
		$response = wp_remote_get(
			trailingslashit( $settings['api_base'] ) . 'campaigns/live?' . $query,
			array(
				'timeout'     => (float) apply_filters( 'pz_campaigns_live_timeout', self::TIMEOUT ),
				'redirection' => 0,
				'headers'     => array( 'Accept' => 'application/json' ),
				'user-agent'  => 'pz-personalization/' . PZ_VERSION . '; ' . home_url( '/' ),
			)
		);
		$body = null;
		if ( ! is_wp_error( $response ) && 200 === (int) wp_remote_retrieve_response_code( $response ) ) {
			$body = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		}
		$onsite = is_array( $body ) && true === ( $body['onsite'] ?? null );
		set_transient( self::TRANSIENT, array( 'onsite' => $onsite ), is_array( $body ) ? 5 * MINUTE_IN_SECONDS : MINUTE_IN_SECONDS );
		return $onsite;
	}

	/**
	 * The overlay script, on storefront pages, only while campaigns are live.
	 */
	public static function enqueue(): void {
		if ( PZ_Settings::configured() && self::live() ) {
			wp_enqueue_script( self::SCRIPT );
		}
	}

	/**
	 * The script tag carries what pz-overlay.js reads: its marker, the public storefront key and
	 * the API base, and `defer` on WordPress versions that do not add it.
	 *
	 * @param string $tag    The HTML.
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function script_tag( $tag, $handle ) {
		if ( self::SCRIPT !== $handle || ! PZ_Settings::configured() ) {
			return $tag;
		}
		return PZ_Storefront::tag_with_keys( (string) $tag, 'data-pz-overlay' );
	}

	/**
	 * `[pz_campaign_slot min_height="160"]`: reserved space an "embedded block" campaign fills.
	 *
	 * @param array<string, mixed>|string $atts Shortcode attributes.
	 */
	public static function slot( $atts ): string {
		$atts   = is_array( $atts ) ? $atts : array();
		$height = max( 0, min( 900, (int) ( $atts['min_height'] ?? 160 ) ) );
		return sprintf( '<div class="pz-campaign-slot" data-pz-campaign-slot style="min-height:%dpx"></div>', $height );
	}
}
