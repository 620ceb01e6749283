--TEST--
eval and include keep PHP's own errors: ParseError, missing files, warnings
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
try { eval('this is not php'); } catch (ParseError $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
var_dump(@include '/nonexistent/file.php');
echo error_get_last()['message'], "\n";
try { require '/nonexistent/file.php'; } catch (Error $e) { echo get_class($e), "\n"; }
?>
--EXPECTF--
ParseError: syntax error, unexpected identifier "is"
bool(false)
include(): Failed opening '/nonexistent/file.php' for inclusion (include_path='.:/usr/share/php')

Warning: require(/nonexistent/file.php): Failed to open stream: No such file or directory in %s on line %d
Error
