<?php
/**
 * The product-finder quiz and the preference center: a shortcode and a block for each.
 *
 * Both are filled in the browser by their own small script (assets/pz-quiz.js, copied from
 * static/storefront/ by the build step), enqueued deferred in the footer only on pages that hold
 * one of them. The page HTML is the same for every shopper (full-page caches stay valid): an empty
 * element with reserved height that the script binds. Questions, answers and labels come
 * translated from the app. Answers and preferences are kept only for a shopper who consented
 * (the script sends a visitor id only then).
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Quiz and preference center shortcodes and blocks.
 */
class PZ_Preferences {

	const SCRIPT = 'pz-quiz';

	/**
	 * Each element: its shortcode, the attribute the script looks for, the default reserved height.
	 *
	 * @var array<string, array<string, mixed>>
	 */
	const TYPES = array(
		'quiz'              => array(
			'shortcode'  => 'pz_quiz',
			'marker'     => 'data-pz-quiz',
			'class'      => 'pz-quiz',
			'min_height' => 480,
		),
		'preference-center' => array(
			'shortcode'  => 'pz_preferences',
			'marker'     => 'data-pz-preferences',
			'class'      => 'pz-prefs',
			'min_height' => 520,
		),
	);

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_filter( 'script_loader_tag', array( __CLASS__, 'script_tag' ), 10, 2 );
	}

	/**
	 * The script (once connected), the editor script, shortcodes and blocks.
	 */
	public static function register(): void {
		if ( PZ_Settings::configured() ) {
			wp_register_script(
				self::SCRIPT,
				plugins_url( 'assets/pz-quiz.js', PZ_FILE ),
				array(),
				PZ_VERSION,
				array(
					'in_footer' => true,
					'strategy'  => 'defer',
				)
			);
		}
		wp_register_script(
			'pz-preferences-editor',
			plugins_url( 'assets/preferences-editor.js', PZ_FILE ),
			array( 'wp-blocks', 'wp-element', 'wp-server-side-render', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
			PZ_VERSION,
			true
		);
		wp_set_script_translations( 'pz-preferences-editor', 'pz-personalization', PZ_DIR . 'languages' );
		foreach ( self::TYPES as $type => $config ) {
			add_shortcode(
				$config['shortcode'],
				static function ( $atts ) use ( $type ) {
					return self::render( $type, is_array( $atts ) ? $atts : array() );
				}
			);
			register_block_type( PZ_DIR . 'blocks/' . $type );
		}
	}

	/**
	 * What pz-quiz.js reads from its own tag: the public storefront key and the API base; and
	 * `defer` on WordPress versions that do not add it from the strategy.
	 *
	 * @param string $tag    The HTML.
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function script_tag( $tag, $handle ) {
		if ( self::SCRIPT !== $handle || ! PZ_Settings::configured() ) {
			return $tag;
		}
		return PZ_Storefront::tag_with_keys( (string) $tag, '', 'data-pz-quiz-key' );
	}

	/**
	 * The element the script fills, with its height reserved; the script is enqueued only here.
	 *
	 * @param string               $type A key of TYPES.
	 * @param array<string, mixed> $atts Shortcode or block attributes (`min_height` in px).
	 */
	public static function render( string $type, array $atts ): string {
		if ( ! isset( self::TYPES[ $type ] ) ) {
			return '';
		}
		$config = self::TYPES[ $type ];
		$height = (int) ( $atts['min_height'] ?? $atts['minHeight'] ?? $config['min_height'] );
		$height = max( 0, min( 1200, $height ) );
		wp_enqueue_style( 'pz-slots' );
		if ( PZ_Settings::configured() ) {
			wp_enqueue_script( self::SCRIPT );
		}
		$inner = 'quiz' === $type ? '<div class="pz-quiz__results" data-pz-quiz-results></div>' : '';
		return sprintf(
			'<section class="pz-slot %1$s" %2$s style="min-height:%3$dpx">%4$s</section>',
			esc_attr( $config['class'] ),
			esc_attr( $config['marker'] ),
			$height,
			$inner
		);
	}
}
