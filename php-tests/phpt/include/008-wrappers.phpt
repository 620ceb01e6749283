--TEST--
Includes through wrappers: data:// (refused by allow_url_include=0, still checked), php://filter, http://
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('w.php', '<?php return "via filter";');
var_dump(@include 'data://text/plain;base64,PD9waHAgZWNobyAxOw==');
rasp_show('include', ['path', 'realpath']);
var_dump(include 'php://filter/read=string.tolower/resource=' . rasp_tmp('w.php'));
rasp_show('include', ['path', 'realpath']);
var_dump(@include 'http://127.0.0.1:1/x.php');
rasp_show('include', ['path', 'realpath']);
?>
--EXPECT--
bool(false)
include path=data://text/plain;base64,PD9waHAgZWNobyAxOw== realpath=
string(10) "via filter"
include path=php://filter/read=string.tolower/resource={TMP}/w.php realpath={TMP}/w.php
bool(false)
include path=http://127.0.0.1:1/x.php realpath=
