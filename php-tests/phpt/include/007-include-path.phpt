--TEST--
A relative include resolved through include_path: realpath is the file PHP loads
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('ip/x/found.php', '<?php return "found";');
set_include_path(rasp_tmp('ip/x'));
chdir('/');
var_dump(include 'found.php');
rasp_show('include', ['path', 'realpath']);
@include 'missing.php';
rasp_show('include', ['path', 'realpath']);
?>
--EXPECT--
string(5) "found"
include path=found.php realpath={TMP}/ip/x/found.php
include path=missing.php realpath=/missing.php
