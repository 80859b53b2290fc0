<?php
/**
 * The settings page: starts the connection, receives the plugin's settings afterwards.
 *
 * Connecting: the "Connect" button sends the merchant to the app's connect page with the store's
 * address, this page's address and a random state. When the store is connected, the app sends
 * the merchant back here with `pz_claim` (a one-time code) and the state; the plugin checks the
 * state and trades the code, server to server, for the storefront key, the API base and the
 * secret it signs privacy requests with.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings and the connection.
 */
class PZ_Settings {

	const OPTION = 'pz_settings';
	const PAGE   = 'pz-personalization';

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
		add_action( 'admin_init', array( __CLASS__, 'maybe_claim' ) );
		add_action( 'admin_notices', array( __CLASS__, 'notices' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( PZ_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Defaults for every setting.
	 *
	 * @return array<string, string>
	 */
	public static function defaults(): array {
		return array(
			'app_url'        => 'https://app.personalization.example',
			'api_base'       => '',
			'storefront_key' => '',
			'plugin_secret'  => '',
			'shop_domain'    => '',
			'consent'        => 'wp_consent_api',
			'connect_state'  => '',
		);
	}

	/**
	 * The settings, with defaults filled in.
	 *
	 * @return array<string, string>
	 */
	public static function get(): array {
		$saved = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $saved ) ? $saved : array() );
	}

	/**
	 * Whether the storefront can call the API (a key and an API base are set).
	 */
	public static function configured(): bool {
		$settings = self::get();
		return '' !== $settings['storefront_key'] && '' !== $settings['api_base'];
	}

	/**
	 * Saves some settings, keeping the others.
	 *
	 * @param array<string, string> $changes New values.
	 */
	public static function update( array $changes ): void {
		update_option( self::OPTION, array_merge( self::get(), $changes ) );
	}

	/**
	 * Settings → Personalization.
	 */
	public static function menu(): void {
		add_options_page(
			__( 'Personalization', 'pz-personalization' ),
			__( 'Personalization', 'pz-personalization' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render' )
		);
	}

	/**
	 * The Settings API registration, with sanitizing.
	 */
	public static function register(): void {
		register_setting(
			'pz_personalization',
			self::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'default'           => self::defaults(),
			)
		);
	}

	/**
	 * Keeps what the form does not show (the secret, the state) and cleans what it does.
	 *
	 * @param mixed $input Submitted values.
	 * @return array<string, string>
	 */
	public static function sanitize( $input ): array {
		$current = self::get();
		$input   = is_array( $input ) ? $input : array();
		$clean   = $current;
		foreach ( array( 'app_url', 'api_base' ) as $name ) {
			if ( isset( $input[ $name ] ) ) {
				$clean[ $name ] = esc_url_raw( trim( (string) $input[ $name ] ), array( 'https', 'http' ) );
			}
		}
		if ( '' !== $clean['api_base'] ) {
			$clean['api_base'] = trailingslashit( $clean['api_base'] );
		}
		if ( isset( $input['storefront_key'] ) ) {
			$clean['storefront_key'] = preg_replace( '/[^A-Za-z0-9_\-]/', '', (string) $input['storefront_key'] );
		}
		if ( isset( $input['consent'] ) && in_array( $input['consent'], array( 'wp_consent_api', 'granted', 'banner' ), true ) ) {
			$clean['consent'] = $input['consent'];
		}
		return $clean;
	}

	/**
	 * A "Settings" link next to the plugin's name.
	 *
	 * @param array<int, string> $links Existing links.
	 * @return array<int, string>
	 */
	public static function action_links( array $links ): array {
		array_unshift(
			$links,
			sprintf( '<a href="%s">%s</a>', esc_url( self::page_url() ), esc_html__( 'Settings', 'pz-personalization' ) )
		);
		return $links;
	}

	/**
	 * This page's address.
	 */
	public static function page_url(): string {
		return admin_url( 'options-general.php?page=' . self::PAGE );
	}

	/**
	 * The app's connect page, for this store, coming back here.
	 */
	public static function connect_url(): string {
		$settings = self::get();
		$state    = $settings['connect_state'];
		if ( '' === $state ) {
			$state = wp_generate_password( 32, false );
			self::update( array( 'connect_state' => $state ) );
		}
		return add_query_arg(
			array(
				'store_url' => rawurlencode( home_url( '/' ) ),
				'return'    => rawurlencode( self::page_url() ),
				'state'     => rawurlencode( $state ),
			),
			untrailingslashit( $settings['app_url'] ) . '/woocommerce/connect'
		);
	}

	/**
	 * Back from the app with a one-time code: trade it for the settings.
	 */
	public static function maybe_claim(): void {
		if ( ! isset( $_GET['page'], $_GET['pz_claim'], $_GET['pz_state'] ) || self::PAGE !== $_GET['page'] ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the state is the check.
			return;
		}
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$settings = self::get();
		$state    = sanitize_text_field( wp_unslash( $_GET['pz_state'] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$code     = sanitize_text_field( wp_unslash( $_GET['pz_claim'] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		if ( '' === $settings['connect_state'] || ! hash_equals( $settings['connect_state'], $state ) ) {
			set_transient( 'pz_notice', array( 'error', __( 'That connection link was not started from this site. Click “Connect” again.', 'pz-personalization' ) ), 60 );
			wp_safe_redirect( self::page_url() );
			exit;
		}
		$claimed = PZ_Api::claim( $settings['app_url'], $code );
		if ( null === $claimed ) {
			set_transient( 'pz_notice', array( 'error', __( 'The app did not accept the connection code (it is used once and expires after 15 minutes). Click “Connect” again.', 'pz-personalization' ) ), 60 );
		} else {
			self::update( $claimed + array( 'connect_state' => '' ) );
			set_transient( 'pz_notice', array( 'success', __( 'Connected. Personalized blocks now load on your storefront.', 'pz-personalization' ) ), 60 );
		}
		wp_safe_redirect( self::page_url() );
		exit;
	}

	/**
	 * One-off notices, and a standing one when WooCommerce is not active.
	 */
	public static function notices(): void {
		$notice = get_transient( 'pz_notice' );
		if ( is_array( $notice ) && 2 === count( $notice ) ) {
			delete_transient( 'pz_notice' );
			printf(
				'<div class="notice notice-%1$s is-dismissible"><p>%2$s</p></div>',
				esc_attr( 'success' === $notice[0] ? 'success' : 'error' ),
				esc_html( (string) $notice[1] )
			);
		}
		if ( ! class_exists( 'WooCommerce' ) && current_user_can( 'activate_plugins' ) ) {
			printf(
				'<div class="notice notice-warning"><p>%s</p></div>',
				esc_html__( 'Personalization needs WooCommerce: until it is active, personalized blocks show placeholders and search and menus keep their own order.', 'pz-personalization' )
			);
		}
	}

	/**
	 * The page.
	 */
	public static function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$settings = self::get();
		echo '<div class="wrap"><h1>' . esc_html__( 'Personalization', 'pz-personalization' ) . '</h1>';
		if ( self::configured() ) {
			printf(
				'<p class="pz-status pz-status--connected">%s</p>',
				esc_html(
					sprintf(
						/* translators: %s: the store's domain as the app knows it */
						__( 'Connected as %s.', 'pz-personalization' ),
						$settings['shop_domain'] ? $settings['shop_domain'] : wp_parse_url( home_url(), PHP_URL_HOST )
					)
				)
			);
		} else {
			echo '<p class="pz-status">' . esc_html__( 'Not connected yet: connecting asks WooCommerce to give the app read/write API keys (to read your catalog and orders and register webhooks).', 'pz-personalization' ) . '</p>';
		}
		printf(
			'<p><a class="button button-primary" href="%s">%s</a></p>',
			esc_url( self::connect_url() ),
			esc_html( self::configured() ? __( 'Reconnect', 'pz-personalization' ) : __( 'Connect', 'pz-personalization' ) )
		);
		echo '<form method="post" action="options.php">';
		settings_fields( 'pz_personalization' );
		echo '<table class="form-table" role="presentation">';
		self::field( 'app_url', __( 'App address', 'pz-personalization' ), $settings['app_url'], 'url' );
		self::field( 'api_base', __( 'API base', 'pz-personalization' ), $settings['api_base'], 'url' );
		self::field( 'storefront_key', __( 'Storefront key', 'pz-personalization' ), $settings['storefront_key'], 'text' );
		echo '<tr><th scope="row"><label for="pz-consent">' . esc_html__( 'Shopper consent', 'pz-personalization' ) . '</label></th><td><select id="pz-consent" name="' . esc_attr( self::OPTION ) . '[consent]">';
		$choices = array(
			'wp_consent_api' => __( 'Ask the WP Consent API (statistics)', 'pz-personalization' ),
			'banner'         => __( 'Use the app’s own consent banner', 'pz-personalization' ),
			'granted'        => __( 'My store’s notice already covers it', 'pz-personalization' ),
		);
		foreach ( $choices as $value => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $settings['consent'], $value, false ), esc_html( $label ) );
		}
		echo '</select></td></tr></table>';
		submit_button();
		echo '</form></div>';
	}

	/**
	 * One text field row.
	 *
	 * @param string $name  Setting name.
	 * @param string $label Label.
	 * @param string $value Current value.
	 * @param string $type  Input type.
	 */
	private static function field( string $name, string $label, string $value, string $type ): void {
		printf(
			'<tr><th scope="row"><label for="pz-%1$s">%2$s</label></th><td><input class="regular-text" type="%3$s" id="pz-%1$s" name="%4$s[%1$s]" value="%5$s"></td></tr>',
			esc_attr( $name ),
			esc_html( $label ),
			esc_attr( $type ),
			esc_attr( self::OPTION ),
			esc_attr( $value )
		);
	}
}
