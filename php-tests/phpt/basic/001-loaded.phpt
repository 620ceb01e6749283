--TEST--
The extension loads and registers RaspBlockedException
--FILE--
<?php
var_dump(extension_loaded('rasp'));
$c = new ReflectionClass('RaspBlockedException');
var_dump($c->isSubclassOf('Exception'));
var_dump(function_exists('rasp_request_id'));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
