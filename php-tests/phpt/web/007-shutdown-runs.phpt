--TEST--
Web: after a block, shutdown functions and destructors still run and no error is logged
--CGI--
--INI--
output_buffering=4096
rasp.root_dir={PWD}/../../fixtures/roots/official
display_errors=1
log_errors=0
--GET--
c=a%20%26%26%20id
--FILE--
<?php
class D { function __destruct() { file_put_contents('php://output', "destructor\n"); } }
$d = new D;
register_shutdown_function(function () { echo "shutdown\n"; });
try {
    system('echo ' . $_GET['c']);
} catch (Throwable $e) {
    echo "caught by the app?!\n";
} finally {
    echo "finally\n";
}
echo "not reached\n";
?>
--EXPECTHEADERS--
Status: 400 Bad Request
--EXPECTF--
%aRequest blocked%a
shutdown
destructor
