--TEST--
webshell_file_put_contents (built-in): request data written verbatim to a PHP script is blocked; other writes are not
--CGI--
--INI--
output_buffering=4096
--POST--
code=<?php eval($_POST[x]); ?>&note=hello
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
var_dump(file_put_contents(rasp_tmp('note.php'), 'static content'));
var_dump(file_put_contents(rasp_tmp('note.txt'), $_POST['code']));
var_dump(file_put_contents(rasp_tmp('n2.php'), $_POST['note'] . '!'));
echo rasp_last_alarm(), "\n";
register_shutdown_function(function () { echo "\n", rasp_last_alarm(), ' '; var_dump(file_exists(rasp_tmp('shell.php'))); });
ob_flush();
file_put_contents(rasp_tmp('shell.php'), $_POST['code']);
echo "not reached\n";
?>
--EXPECTF--
int(14)
int(25)
int(6)
no alarm
<!DOCTYPE html>%aRequest blocked%a
webshell_file_put_contents block bool(false)
