--TEST--
rasp.enabled=0: nothing is hooked, calls behave as without the extension
--INI--
rasp.enabled=0
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo system('echo RASP_BLOCK'), "\n";
var_dump(rasp_checks());
var_dump(rasp_request_id());
ob_start(); phpinfo(INFO_MODULES); $i = ob_get_clean();
var_dump(strpos($i, 'protection => inactive') !== false);
?>
--EXPECT--
RASP_BLOCK
RASP_BLOCK
array(0) {
}
string(0) ""
bool(true)
