<?php
/**
 * Customer content: the shoppable customer-photo gallery, review highlights and the photo upload
 * form, as blocks and shortcodes. Each prints reserved space that assets/pz-ugc.js fills for the
 * visitor from the app (gallery, highlights) or posts to the app (upload, removal request). The
 * script loads (deferred, in the footer) only on pages that hold one of these blocks.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Blocks, shortcodes and the script for user-generated content.
 */
class PZ_Ugc {

	const SCRIPT = 'pz-ugc';

	/**
	 * Block folder => shortcode, what it shows, default count and heading.
	 *
	 * @var array<string, array<string, mixed>>
	 */
	const TYPES = array(
		'customer-photos'   => array(
			'shortcode' => 'pz_customer_photos',
			'kind'      => 'gallery',
			'count'     => 6,
			'heading'   => 'Shop the look',
		),
		'review-highlights' => array(
			'shortcode' => 'pz_review_highlights',
			'kind'      => 'highlights',
			'count'     => 3,
			'heading'   => 'What customers say',
		),
		'photo-upload'      => array(
			'shortcode' => 'pz_photo_upload',
			'kind'      => 'upload',
			'count'     => 1,
			'heading'   => 'Share your photo',
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
	 * The script, the shortcodes and the blocks.
	 */
	public static function register(): void {
		if ( PZ_Settings::configured() ) {
			wp_register_script(
				self::SCRIPT,
				plugins_url( 'assets/pz-ugc.js', PZ_FILE ),
				array(),
				PZ_VERSION,
				array(
					'in_footer' => true,
					'strategy'  => 'defer',
				)
			);
		}
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
	 * The script tag carries the public storefront key and the API base (as pz.js's does).
	 *
	 * @param string $tag    The HTML.
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function script_tag( $tag, $handle ) {
		if ( self::SCRIPT !== $handle || ! PZ_Settings::configured() ) {
			return $tag;
		}
		return PZ_Storefront::tag_with_keys( (string) $tag, 'data-pz-ugc' );
	}

	/**
	 * One block's HTML.
	 *
	 * @param string               $type Block folder name (a key of TYPES).
	 * @param array<string, mixed> $atts Shortcode or block attributes.
	 */
	public static function render( string $type, array $atts ): string {
		if ( ! isset( self::TYPES[ $type ] ) ) {
			return '';
		}
		wp_enqueue_style( 'pz-slots' );
		if ( PZ_Settings::configured() ) {
			wp_enqueue_script( self::SCRIPT );
		}
		$config  = self::TYPES[ $type ];
		$count   = max( 1, min( 12, (int) ( $atts['count'] ?? $config['count'] ) ) );
		// The English default (a block's saved attribute, a bare shortcode) shows in the store's language.
		$heading = isset( $atts['heading'] ) && $atts['heading'] !== $config['heading'] ? (string) $atts['heading'] : self::default_heading( (string) $config['heading'] );
		$product = PZ_Storefront::current_product_id();
		$html    = '<section class="pz-slot pz-ugc pz-ugc--' . esc_attr( $config['kind'] ) . '"';
		if ( 'upload' !== $config['kind'] ) {
			$html .= sprintf(
				' data-pz-ugc="%s" data-pz-limit="%d" style="min-height:%s"',
				esc_attr( $config['kind'] ),
				$count,
				'gallery' === $config['kind'] ? '300px' : '160px'
			);
			if ( $product ) {
				$html .= sprintf( ' data-pz-product-id="%d"', $product );
			}
		}
		$html .= '>';
		if ( '' !== $heading ) {
			$html .= '<h2 class="pz-slot__heading section__title">' . esc_html( $heading ) . '</h2>';
		}
		if ( 'gallery' === $config['kind'] ) {
			// Square places held for the photos, so nothing moves when they arrive.
			$html .= '<ul class="ugc-grid" data-pz-ugc-items>';
			for ( $i = 0; $i < $count; $i++ ) {
				$html .= '<li class="ugc-card"><div class="ugc-card__media"></div></li>';
			}
			$html .= '</ul>';
		} elseif ( 'highlights' === $config['kind'] ) {
			$html .= '<ul class="ugc-quotes" data-pz-ugc-items></ul>';
		} else {
			$html .= self::upload_form( $product );
		}
		return $html . '</section>';
	}

	/**
	 * The upload form: rights and consent boxes are required; the app checks them again.
	 *
	 * @param int $product The product page's id, or 0.
	 */
	public static function upload_form( int $product ): string {
		$shop = get_bloginfo( 'name' );
		$html = '<form class="ugc-upload" data-pz-ugc="upload" method="post" enctype="multipart/form-data">';
		if ( $product ) {
			$html .= sprintf( '<input type="hidden" name="product_id" value="%d">', $product );
		}
		$fields = array(
			'file'   => array( __( 'Photo or short video', 'pz-personalization' ), 'type="file" accept="image/jpeg,image/png,image/webp,video/mp4,video/webm" required' ),
			'name'   => array( __( 'Your name, shown with the photo', 'pz-personalization' ), 'maxlength="80" autocomplete="name" required' ),
			'handle' => array( __( 'Instagram or TikTok handle (optional)', 'pz-personalization' ), 'maxlength="31"' ),
			'email'  => array( __( 'Email (not shown)', 'pz-personalization' ), 'type="email" autocomplete="email" required' ),
		);
		foreach ( $fields as $name => $field ) {
			$id    = 'pz-ugc-' . $name;
			$html .= sprintf(
				'<label for="%1$s">%2$s</label><input id="%1$s" name="%3$s" %4$s>',
				esc_attr( $id ),
				esc_html( $field[0] ),
				esc_attr( $name ),
				$field[1]
			);
		}
		/* translators: %s: the store's name. */
		$rights = sprintf( __( 'I took this photo and allow %s to show it with my name.', 'pz-personalization' ), $shop );
		/* translators: %s: the store's name. */
		$consent = sprintf( __( '%s may keep my email to verify my purchase; I can ask for removal at any time.', 'pz-personalization' ), $shop );
		$html   .= '<label><input type="checkbox" name="rights" value="1" required> ' . esc_html( $rights ) . '</label>';
		$html   .= '<label><input type="checkbox" name="consent" value="1" required> ' . esc_html( $consent ) . '</label>';
		$html   .= '<button type="submit">' . esc_html__( 'Share', 'pz-personalization' ) . '</button>';
		$html   .= '<p role="status" aria-live="polite" data-pz-ugc-status></p>';
		return $html . '</form>';
	}
	/**
	 * A default heading in the store's language (TYPES keeps the English, which blocks save).
	 *
	 * @param string $english The English default from TYPES.
	 */
	public static function default_heading( string $english ): string {
		switch ( $english ) {
			case 'Shop the look':
				return __( 'Shop the look', 'pz-personalization' );
			case 'What customers say':
				return __( 'What customers say', 'pz-personalization' );
			case 'Share your photo':
				return __( 'Share your photo', 'pz-personalization' );
		}
		return $english;
	}
}
