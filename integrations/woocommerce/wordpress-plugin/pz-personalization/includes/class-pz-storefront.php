<?php
/**
 * The storefront: the shared script (deferred, in the footer), the page context it reads, and the
 * slots (a shortcode and a block for each) it personalizes.
 *
 * Personalization happens in the browser (the script asks the app once per page), so the HTML a
 * full-page cache stores is the same for everyone: the slots print a fallback of the same shape
 * (the store's best sellers when WooCommerce is active, empty cards otherwise) inside reserved
 * space, and the script replaces the cards one for one. The markup follows
 * docs/storefront-slots.md.
 *
 * @package PZ_Personalization
 */

defined( 'ABSPATH' ) || exit;

/**
 * Script, page context and slots.
 */
class PZ_Storefront {

	const SCRIPT = 'pz-storefront';

	/**
	 * Each slot type: the slot it prints, the placement, the default count and heading.
	 *
	 * @var array<string, array<string, mixed>>
	 */
	const TYPES = array(
		'personalized-home' => array(
			'shortcode' => 'pz_personalized_home',
			'layout'    => 'products',
			'count'     => 8,
			'heading'   => 'Picked for you',
		),
		'recommendations'   => array(
			'shortcode' => 'pz_recommendations',
			'layout'    => 'products',
			'count'     => 4,
			'heading'   => 'You may also like',
		),
		'recently-viewed'   => array(
			'shortcode' => 'pz_recently_viewed',
			'layout'    => 'products',
			'count'     => 4,
			'heading'   => 'Recently viewed',
		),
		'ugc-gallery'       => array(
			'shortcode' => 'pz_ugc_gallery',
			'layout'    => 'gallery',
			'count'     => 6,
			'heading'   => 'Shop the look',
		),
	);

	/**
	 * Recommendation kinds → slot and placement.
	 *
	 * @var array<string, array<int, string>>
	 */
	const KINDS = array(
		'related'         => array( 'product-related', 'product' ),
		'bought_together' => array( 'product-bought-together', 'product' ),
		'cross_sell'      => array( 'cart-cross-sell', 'cart' ),
		'recommended'     => array( 'home-recommended', 'homepage' ),
	);

	/**
	 * Hooks.
	 */
	public static function boot(): void {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_filter( 'script_loader_tag', array( __CLASS__, 'script_tag' ), 10, 2 );
		add_action( 'wp_head', array( __CLASS__, 'page_context' ), 1 );
	}

	/**
	 * Scripts, styles, shortcodes and blocks.
	 */
	public static function register(): void {
		// Only once connected: without a key the script would have nothing to ask for (blocks
		// name it as their viewScript; an unregistered handle is skipped).
		if ( PZ_Settings::configured() ) {
			// WordPress 6.3+ reads the strategy; older versions read the array as "in the
			// footer", and script_tag() adds `defer` itself.
			wp_register_script(
				self::SCRIPT,
				plugins_url( 'assets/pz.js', PZ_FILE ),
				array(),
				PZ_VERSION,
				array(
					'in_footer' => true,
					'strategy'  => 'defer',
				)
			);
		}
		wp_register_style( 'pz-slots', plugins_url( 'assets/pz-slots.css', PZ_FILE ), array(), PZ_VERSION );
		wp_register_script(
			'pz-blocks-editor',
			plugins_url( 'assets/blocks-editor.js', PZ_FILE ),
			array( 'wp-blocks', 'wp-element', 'wp-server-side-render', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
			PZ_VERSION,
			true
		);
		foreach ( self::TYPES as $type => $config ) {
			add_shortcode(
				$config['shortcode'],
				static function ( $atts ) use ( $type ) {
					return self::render( $type, is_array( $atts ) ? $atts : array() );
				}
			);
			register_block_type( PZ_DIR . 'blocks/' . $type );
		}
		// The block editor's labels (languages/pz-personalization-<locale>-<md5>.json, built
		// by integrations/woocommerce/build_plugin.py).
		wp_set_script_translations( 'pz-blocks-editor', 'pz-personalization', PZ_DIR . 'languages' );
	}

	/**
	 * The script and the slots' reserved space, on every storefront page once configured.
	 */
	public static function enqueue(): void {
		wp_enqueue_style( 'pz-slots' );
		if ( ! PZ_Settings::configured() ) {
			return;
		}
		wp_enqueue_script( self::SCRIPT );
		$settings = PZ_Settings::get();
		$config   = array(
			'apiBase' => $settings['api_base'],
			'version' => PZ_VERSION,
		);
		$inline   = 'window.pzPlugin=' . wp_json_encode( $config ) . ';';
		if ( 'granted' === $settings['consent'] ) {
			// The store's own notice covers analytics: the script may remember the visitor.
			$inline .= 'if(typeof window.pzConsent!=="boolean"){window.pzConsent=true;}';
		}
		wp_add_inline_script( self::SCRIPT, $inline, 'before' );
	}

	/**
	 * The script tag carries what the script reads (docs/storefront-slots.md): the public
	 * storefront key and the API base, and `defer` on WordPress versions that do not add it.
	 *
	 * @param string $tag    The HTML.
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function script_tag( $tag, $handle ) {
		if ( self::SCRIPT !== $handle || ! PZ_Settings::configured() ) {
			return $tag;
		}
		return self::tag_with_keys( (string) $tag, '' );
	}

	/**
	 * A script tag with the shop's public storefront key and the API base added (each storefront
	 * script reads them from its own tag), after `$marker` (e.g. `data-pz-ugc`), and `defer`.
	 *
	 * @param string $tag      The HTML WordPress printed.
	 * @param string $marker   Extra attributes naming the script, or ''.
	 * @param string $key_attr The attribute the script reads the key from.
	 * @return string
	 */
	public static function tag_with_keys( string $tag, string $marker, string $key_attr = 'data-shop-key' ): string {
		$settings = PZ_Settings::get();
		$attrs    = ( '' === $marker ? '' : ' ' . $marker ) . sprintf(
			' %s="%s" data-api-base="%s"',
			$key_attr,
			esc_attr( $settings['storefront_key'] ),
			esc_attr( trailingslashit( $settings['api_base'] ) )
		);
		if ( ! preg_match( '/<script[^>]*\bsrc=[^>]*\bdefer\b/', $tag ) ) {
			$attrs .= ' defer';
		}
		// Only the external script has a src attribute; inline "before" scripts stay as they are.
		return (string) preg_replace( '/<script([^>]*?)\ssrc=/', '<script$1' . $attrs . ' src=', $tag, 1 );
	}

	/**
	 * `<meta name="pz-…">` tags: where the script is.
	 */
	public static function page_context(): void {
		$meta = array(
			'pz-page'     => self::page_type(),
			'pz-currency' => function_exists( 'get_woocommerce_currency' ) ? get_woocommerce_currency() : (string) apply_filters( 'pz_currency', 'USD' ),
		);
		$product_id = self::current_product_id();
		if ( $product_id ) {
			$meta['pz-product-id'] = (string) $product_id;
			$terms                 = get_the_terms( $product_id, 'product_cat' );
			if ( is_array( $terms ) && $terms ) {
				$meta['pz-collection-id'] = (string) $terms[0]->term_id;
			}
		} elseif ( is_tax( 'product_cat' ) ) {
			$meta['pz-collection-id'] = (string) get_queried_object_id();
		}
		if ( 'cart' === $meta['pz-page'] && function_exists( 'WC' ) && WC()->cart ) {
			$ids = array();
			foreach ( WC()->cart->get_cart() as $item ) {
				$ids[] = (int) $item['product_id'];
			}
			$meta['pz-cart-product-ids'] = implode( ',', array_unique( $ids ) );
		}
		if ( is_search() ) {
			$meta['pz-search-query'] = get_search_query( false );
		}
		// Words the storefront scripts write, in the store's language (docs/i18n.md).
		$meta['pz-t-view']    = __( 'View', 'pz-personalization' );
		$meta['pz-t-preview'] = __( 'Preview', 'pz-personalization' );
		$meta['pz-t-close']   = __( 'Close', 'pz-personalization' );
		foreach ( $meta as $name => $content ) {
			printf( '<meta name="%s" content="%s">' . "\n", esc_attr( $name ), esc_attr( $content ) );
		}
	}

	/**
	 * A slot type's default heading, translated (TYPES keeps the English, which blocks save).
	 *
	 * @param string $type Slot type (a key of TYPES).
	 */
	public static function default_heading( string $type ): string {
		switch ( $type ) {
			case 'personalized-home':
				return __( 'Picked for you', 'pz-personalization' );
			case 'recommendations':
				return __( 'You may also like', 'pz-personalization' );
			case 'recently-viewed':
				return __( 'Recently viewed', 'pz-personalization' );
			case 'ugc-gallery':
				return __( 'Shop the look', 'pz-personalization' );
		}
		return '';
	}

	/**
	 * The page type the script and the API know.
	 */
	public static function page_type(): string {
		if ( is_front_page() ) {
			return 'home';
		}
		if ( function_exists( 'is_cart' ) && is_cart() ) {
			return 'cart';
		}
		if ( is_search() ) {
			return 'search';
		}
		if ( is_singular( 'product' ) ) {
			return 'product';
		}
		if ( is_tax( 'product_cat' ) || ( function_exists( 'is_shop' ) && is_shop() ) ) {
			return 'collection';
		}
		return 'other';
	}

	/**
	 * The product this page is about, or 0.
	 */
	public static function current_product_id(): int {
		return is_singular( 'product' ) ? (int) get_queried_object_id() : 0;
	}

	/**
	 * A slot's settings from shortcode or block attributes.
	 *
	 * @param string               $type Slot type (a key of TYPES).
	 * @param array<string, mixed> $atts Attributes.
	 * @return array<string, mixed>
	 */
	public static function slot_config( string $type, array $atts ): array {
		$defaults = self::TYPES[ $type ];
		$count    = max( 1, min( 12, (int) ( $atts['count'] ?? $defaults['count'] ) ) );
		// The English default (a block's saved attribute, a bare shortcode) shows in the store's language.
		$heading  = isset( $atts['heading'] ) && $atts['heading'] !== $defaults['heading'] ? (string) $atts['heading'] : self::default_heading( $type );
		$product  = self::current_product_id();
		switch ( $type ) {
			case 'personalized-home':
				$slot      = 'home-recommended';
				$placement = 'homepage';
				break;
			case 'recently-viewed':
				$slot      = 'product-recently-viewed';
				$placement = 'product';
				break;
			case 'ugc-gallery':
				$slot      = 'ugc-gallery';
				$placement = $product ? 'product' : 'homepage';
				break;
			default:
				$kind                     = isset( self::KINDS[ $atts['kind'] ?? '' ] ) ? $atts['kind'] : 'related';
				list( $slot, $placement ) = self::KINDS[ $kind ];
		}
		return array(
			'type'      => $type,
			'slot'      => $slot,
			'placement' => $placement,
			'count'     => $count,
			'heading'   => $heading,
			'layout'    => $defaults['layout'],
			'product'   => $product,
		);
	}

	/**
	 * One slot's HTML.
	 *
	 * @param string               $type Slot type.
	 * @param array<string, mixed> $atts Shortcode or block attributes.
	 */
	public static function render( string $type, array $atts ): string {
		if ( ! isset( self::TYPES[ $type ] ) ) {
			return '';
		}
		wp_enqueue_style( 'pz-slots' );
		$config   = self::slot_config( $type, $atts );
		$products = self::fallback_products( $config );
		$attrs    = array(
			'class'             => 'pz-slot pz-slot--' . ( 'gallery' === $config['layout'] ? 'gallery' : 'products' ),
			'data-pz-slot'      => $config['slot'],
			'data-pz-placement' => $config['placement'],
			'data-pz-limit'     => (string) $config['count'],
			// Reserved height, inline so that it holds before any stylesheet arrives.
			'style'             => 'min-height:' . ( 'gallery' === $config['layout'] ? '300px' : '380px' ),
		);
		if ( $products ) {
			$attrs['data-pz-fallback'] = 'server';
		}
		if ( $config['product'] ) {
			$attrs['data-pz-product-id'] = (string) $config['product'];
		}
		$html = '<section';
		foreach ( $attrs as $name => $value ) {
			$html .= sprintf( ' %s="%s"', esc_attr( $name ), esc_attr( $value ) );
		}
		$html .= '>';
		if ( '' !== $config['heading'] ) {
			$html .= '<h2 class="pz-slot__heading section__title">' . esc_html( $config['heading'] ) . '</h2>';
		}
		if ( 'gallery' === $config['layout'] ) {
			$html .= self::gallery( $products, $config['count'] );
		} else {
			$html .= self::grid( $products, $config['count'] );
		}
		return $html . '</section>';
	}

	/**
	 * What the slot shows before (or without) personalization.
	 *
	 * @param array<string, mixed> $config Slot settings.
	 * @return array<int, array<string, string>> id, title, url, image, price (HTML).
	 */
	public static function fallback_products( array $config ): array {
		if ( ! class_exists( 'WooCommerce' ) || ! function_exists( 'wc_get_products' ) ) {
			return array();
		}
		$limit   = (int) $config['count'];
		$product = (int) $config['product'];
		$ids     = array();
		if ( 'product-related' === $config['slot'] && $product && function_exists( 'wc_get_related_products' ) ) {
			$ids = wc_get_related_products( $product, $limit );
		} elseif ( 'product-recently-viewed' === $config['slot'] && ! empty( $_COOKIE['woocommerce_recently_viewed'] ) ) {
			$viewed = array_map( 'absint', explode( '|', sanitize_text_field( wp_unslash( $_COOKIE['woocommerce_recently_viewed'] ) ) ) );
			$ids    = array_slice( array_reverse( array_diff( array_filter( $viewed ), array( $product ) ) ), 0, $limit );
		}
		if ( ! $ids ) {
			$ids = wc_get_products(
				array(
					'status'     => 'publish',
					'visibility' => 'catalog',
					'limit'      => $limit + 1,
					'orderby'    => 'popularity',
					'return'     => 'ids',
				)
			);
			$ids = array_slice( array_values( array_diff( $ids, array( $product ) ) ), 0, $limit );
		}
		$items = array();
		foreach ( $ids as $id ) {
			$wc_product = wc_get_product( $id );
			if ( ! $wc_product ) {
				continue;
			}
			$image   = wp_get_attachment_image_url( (int) $wc_product->get_image_id(), 'woocommerce_thumbnail' );
			$items[] = array(
				'id'    => (string) $wc_product->get_id(),
				'title' => $wc_product->get_name(),
				'url'   => (string) $wc_product->get_permalink(),
				'image' => $image ? (string) $image : (string) wc_placeholder_img_src( 'woocommerce_thumbnail' ),
				'price' => (string) $wc_product->get_price_html(),
			);
		}
		return $items;
	}

	/**
	 * Product cards of a fixed shape; empty cards hold the space when there are no products.
	 *
	 * @param array<int, array<string, string>> $products Fallback products.
	 * @param int                               $count    How many cards.
	 */
	private static function grid( array $products, int $count ): string {
		$html = '<ul class="pz-grid" role="list">';
		for ( $i = 0; $i < $count; $i++ ) {
			$item = $products[ $i ] ?? null;
			if ( null === $item && $products ) {
				break;
			}
			$html .= '<li class="pz-grid__item">';
			if ( null === $item ) {
				$html .= '<article class="card pz-card pz-card--placeholder" data-pz-product-id="" aria-hidden="true">'
					. '<a class="card__link pz-card__link" href="#" tabindex="-1"><span class="card__media pz-card__media"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="" width="400" height="400"></span>'
					. '<h3 class="card__title pz-card__title"></h3></a><p class="card__price pz-card__price"></p></article>';
			} else {
				$html .= sprintf(
					'<article class="card pz-card" data-pz-product-id="%1$s"><a class="card__link pz-card__link" href="%2$s"><span class="card__media pz-card__media"><img src="%3$s" alt="" width="400" height="400" loading="lazy" decoding="async"></span><h3 class="card__title pz-card__title">%4$s</h3></a><p class="card__price pz-card__price">%5$s</p></article>',
					esc_attr( $item['id'] ),
					esc_url( $item['url'] ),
					esc_url( $item['image'] ),
					esc_html( $item['title'] ),
					wp_kses_post( $item['price'] )
				);
			}
			$html .= '</li>';
		}
		return $html . '</ul>';
	}

	/**
	 * The customer-photo gallery: product pictures until customer photos exist.
	 *
	 * @param array<int, array<string, string>> $products Fallback products.
	 * @param int                               $count    How many pictures.
	 */
	private static function gallery( array $products, int $count ): string {
		$html = '<ul class="pz-gallery" role="list">';
		for ( $i = 0; $i < $count; $i++ ) {
			$item = $products[ $i ] ?? null;
			if ( null === $item && $products ) {
				break;
			}
			if ( null === $item ) {
				$html .= '<li class="pz-gallery__item pz-gallery__item--placeholder" data-pz-product-id="" aria-hidden="true"><a href="#" tabindex="-1"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="" width="300" height="300"></a></li>';
				continue;
			}
			$html .= sprintf(
				'<li class="pz-gallery__item" data-pz-product-id="%1$s"><a href="%2$s"><img src="%3$s" alt="%4$s" width="300" height="300" loading="lazy"></a></li>',
				esc_attr( $item['id'] ),
				esc_url( $item['url'] ),
				esc_url( $item['image'] ),
				esc_attr( $item['title'] )
			);
		}
		return $html . '</ul>';
	}
}
