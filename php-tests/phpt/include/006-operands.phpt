--TEST--
include operands of every kind: literal, concatenation (temporary), variable, array element, number; include_once of an included file is still seen
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('lib/a.php', '<?php echo "a ran\\n"; return 1;');
rasp_tmp('lib/RASP_LOG.php', '<?php echo "log ran\\n"; return 2;');
rasp_tmp('lib/RASP_BLOCK.php', '<?php echo "block ran\\n"; return 3;');
chdir(rasp_tmp());
$v = 'lib/a.php'; $arr = ['k' => 'lib/a.php'];
include 'lib/' . 'a.php';
include $v;
include $arr['k'];
include_once 'lib/a.php';
include_once 'lib/a.php';
@include 42;
foreach (array_slice(rasp_checks('include'), -6) as [, $p]) echo $p['function'], ' ', $p['path'], ' ', str_replace(rasp_tmp(), '{TMP}', $p['realpath']), "\n";
?>
--EXPECT--
a ran
a ran
a ran
include lib/a.php {TMP}/lib/a.php
include lib/a.php {TMP}/lib/a.php
include lib/a.php {TMP}/lib/a.php
include_once lib/a.php {TMP}/lib/a.php
include_once lib/a.php {TMP}/lib/a.php
include 42 {TMP}/42
