--TEST--
include: include check with the raw operand, its realpath and the statement; log runs the file, block does not
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('lib/a.php', '<?php echo "a ran\\n"; return 1;');
rasp_tmp('lib/RASP_LOG.php', '<?php echo "log ran\\n"; return 2;');
rasp_tmp('lib/RASP_BLOCK.php', '<?php echo "block ran\\n"; return 3;');
chdir(rasp_tmp());
var_dump(include 'lib/../lib/a.php');
rasp_show('include', ['path', 'url', 'realpath', 'function']);
var_dump(include rasp_tmp('lib/RASP_LOG.php'));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => include 'lib/RASP_BLOCK.php', true);
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
a ran
int(1)
include path=lib/../lib/a.php url=lib/../lib/a.php realpath={TMP}/lib/a.php function=include
log ran
int(2)
include log
blocked
include block
