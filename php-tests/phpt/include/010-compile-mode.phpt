--TEST--
hook.include=compile: include/require/eval are checked from the compile hook with the raw operand; include_once of an included file is not seen
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/test-compile
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('lib/a.php', '<?php echo "a ran\\n"; return 1;');
rasp_tmp('lib/RASP_LOG.php', '<?php echo "log ran\\n"; return 2;');
rasp_tmp('lib/RASP_BLOCK.php', '<?php echo "block ran\\n"; return 3;');
chdir(rasp_tmp());
ob_start(); phpinfo(INFO_MODULES); preg_match('/include\/eval hook => (.*)/', ob_get_clean(), $m); echo $m[1], "\n";
$v = 'lib/a.php';
var_dump(include 'lib/' . 'a.php');
rasp_show('include', ['path', 'realpath', 'function']);
rasp_tmp('lib/b.php', '<?php return \'b\';');
var_dump(require_once 'lib/b.php');
rasp_show('include', ['path', 'function']);
$n = rasp_count('include');
include_once 'lib/a.php';
var_dump(rasp_count('include') - $n);
var_dump(eval('return 1 + 1;'));
rasp_show('eval', ['code', 'function']);
var_dump(include rasp_tmp('lib/RASP_LOG.php'));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => include 'lib/RASP_BLOCK.php');
rasp_try(fn() => eval('echo "eval ran\\n"; // RASP_BLOCK'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
compile hook (hook.include=compile)
a ran
int(1)
include path=lib/a.php realpath={TMP}/lib/a.php function=include
string(1) "b"
include path=lib/b.php function=require_once
int(0)
int(2)
eval code=return 1 + 1; function=eval
log ran
int(2)
include log
blocked
blocked
eval block
