--TEST--
Inject: a compressed body (ob_gzhandler inside) is never touched
--CGI--
--SKIPIF--
<?php if (!function_exists('gzdecode')) die('skip zlib missing'); ?>
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--ENV--
REQUEST_URI=/shop/gz.php
HTTP_ACCEPT_ENCODING=gzip
--GET--
x=1
--FILE--
<?php
ob_start(function ($buf, $phase) {
    // Stand-in for ob_gzhandler that runs in the CLI test harness too.
    header('Content-Encoding: gzip');
    return gzencode($buf);
});
echo "<html>zipped</html>";
ob_end_flush();
?>
--EXPECTREGEX--
(?!.*rasp-inject).*
