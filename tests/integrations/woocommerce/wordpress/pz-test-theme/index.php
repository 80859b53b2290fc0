<?php
/**
 * Every page: head, the primary menu, the loop, footer.
 *
 * @package PZ_Test_Theme
 */

defined( 'ABSPATH' ) || exit;
?><!doctype html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<?php wp_head(); ?>
</head>
<body <?php body_class(); ?>>
<?php
wp_nav_menu(
	array(
		'theme_location' => 'primary',
		'container'      => 'nav',
		'menu_class'     => 'menu',
		'fallback_cb'    => false,
	)
);
?>
<main>
<?php
while ( have_posts() ) :
	the_post();
	?>
	<article class="entry" data-post-id="<?php the_ID(); ?>">
		<h2 class="entry-title"><?php the_title(); ?></h2>
		<div class="entry-content"><?php the_content(); ?></div>
	</article>
	<?php
endwhile;
?>
</main>
<?php wp_footer(); ?>
</body>
</html>
