<?php
// Creates the benchmark WordPress site in an empty database: runs
// WordPress's own installer, then adds posts, comments and a page of search
// hits. Run with the PHP CLI; the config is /etc/wordpress/config-raspbench.php
// (written by bench/run.sh), which the Debian wp-config.php selects through
// WORDPRESS_CONFIG.
//   php bench/wp-setup.php HOST:PORT POSTS COMMENTS
if ($argc < 4) {
    fwrite(STDERR, "usage: php wp-setup.php HOST:PORT POSTS COMMENTS\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['WORDPRESS_CONFIG'] = 'raspbench';
$_SERVER['REQUEST_URI'] = '/';
$posts = (int)$argv[2];
$comments = (int)$argv[3];
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    echo "already installed\n";
    exit(0);
}
$r = wp_install('php-rasp benchmark', 'admin', 'admin@example.org', true, '', 'bench-admin-password');
if (is_wp_error($r) || empty($r['user_id'])) {
    fwrite(STDERR, "wp_install failed\n");
    exit(1);
}
update_option('permalink_structure', '');
update_option('posts_per_page', 10);
update_option('comments_per_page', 50);
update_option('page_comments', 0);

mt_srand(42);
$words = explode(' ', 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ' .
    'incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco ' .
    'laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse ' .
    'cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia ' .
    'deserunt mollit anim id est laborum release notes performance database');
function text($words, $n) {
    $out = [];
    for ($i = 0; $i < $n; $i++) $out[] = $words[mt_rand(0, count($words) - 1)];
    return ucfirst(implode(' ', $out)) . '.';
}
$cats = [];
foreach (['News', 'Engineering', 'Releases', 'Security', 'Community'] as $c) {
    $cats[] = wp_create_category($c);
}
$ids = [];
for ($i = 1; $i <= $posts; $i++) {
    $paras = [];
    for ($p = 0; $p < 6; $p++) $paras[] = '<!-- wp:paragraph --><p>' . text($words, 60) . '</p><!-- /wp:paragraph -->';
    if ($i % 7 == 0) $paras[] = '<!-- wp:paragraph --><p>Benchmark keyword: hello world.</p><!-- /wp:paragraph -->';
    $ids[] = wp_insert_post([
        'post_title' => ($i % 5 == 0 ? 'Hello world ' : '') . text($words, 6),
        'post_content' => implode("\n\n", $paras),
        'post_status' => 'publish',
        'post_author' => 1,
        'post_category' => [$cats[$i % count($cats)]],
        'tags_input' => ['tag' . ($i % 10), 'bench'],
        'post_date' => date('Y-m-d H:i:s', 1700000000 + $i * 3600),
    ]);
}
// The post with comments: the newest one, so the home page links to it.
$target = end($ids);
for ($i = 1; $i <= $comments; $i++) {
    wp_insert_comment([
        'comment_post_ID' => $target,
        'comment_author' => 'Reader ' . $i,
        'comment_author_email' => "reader$i@example.org",
        'comment_content' => text($words, 40),
        'comment_approved' => 1,
        'comment_date' => date('Y-m-d H:i:s', 1700000000 + $posts * 3600 + $i * 60),
    ]);
}
wp_update_comment_count_now($target);
echo "installed: $posts posts, $comments comments on post $target\n";
file_put_contents(getenv('RASP_BENCH_POST_FILE') ?: '/dev/null', $target);
