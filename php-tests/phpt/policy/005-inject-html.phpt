--TEST--
Inject: HTML pages under inject.urlprefix get the snippet appended, and the app's Content-Length is dropped
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--ENV--
REQUEST_URI=/shop/cart.php
--GET--
x=1
--FILE--
<?php
header('Content-Length: 33');
echo "<html><body>cart</body></html>\n";
register_shutdown_function(function () { file_put_contents('php://stderr', ''); });
?>
--EXPECT--
<html><body>cart</body></html>
<!-- rasp-inject -->
