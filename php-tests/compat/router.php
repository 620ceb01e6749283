<?php
// Local HTTP server for cases.php: /redirect -> 302 to /final, else "ok <path>".
$p = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($p === '/redirect') { header('Location: /final', true, 302); exit; }
echo "ok $p";
