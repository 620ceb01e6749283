--TEST--
Gates: handlers registered with `when` see only the events their conditions let through, with realpath; RASP.request_inputs() is the list the gates search
--SKIPIF--
<?php if (!extension_loaded('sqlite3')) die('skip sqlite3'); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$dir = rasp_tmp();
rasp_tmp('lib/report.php', '<?php return 1;');
rasp_tmp('lib/other.php', '<?php return 2;');
rasp_tmp('data/report.txt', 'r');
rasp_tmp('data/x.txt', 'x');
$code = <<<'PHP'
<?php
$d = 'GATE_DIR';
include "$d/lib/report.php";
include "$d/lib/other.php";
@include "php://memory";
file_get_contents("$d/data/report.txt");
file_get_contents("$d/data/x.txt");
@file_get_contents("$d/data/%41b.txt");
$db = new SQLite3(':memory:');
$db->query("SELECT 1");
$db->query("SELECT sleep_free FROM (SELECT 1 AS sleep_free)");
$db->query("SELECT 'SHOW_INPUTS'");
exec('true');
echo "done\n";
PHP;
$code = str_replace('GATE_DIR', $dir, $code);
$root = dirname(ini_get('rasp.root_dir')) . '/test-gated';
[$out, $rid] = rasp_child($code, true, 'name=report&id=7&enc=%2541b&x=x', ['rasp.root_dir' => $root, 'extension' => 'sqlite3']);
echo trim(preg_replace('/^.*\r?\n\r?\n/s', '', $out)), "\n";
$seen = [];
foreach (file("$root/logs/plugin/" . basename(glob("$root/logs/plugin/plugin.log.*")[0])) as $l) {
    if (preg_match('/\[gated\] (SEEN|INPUTS) (.*)$/', $l, $m)) $seen[] = $m[1] . ' ' . str_replace($dir, '{TMP}', $m[2]);
}
echo implode("\n", $seen), "\n";
?>
--CLEAN--
<?php
$root = dirname(ini_get('rasp.root_dir')) . '/test-gated';
foreach (glob("$root/logs/*/*") as $f) @unlink($f);
?>
--EXPECT--
done
SEEN include {TMP}/lib/report.php realpath=yes
SEEN include php://memory realpath=yes
SEEN readFile {TMP}/data/report.txt realpath=yes
SEEN readFile {TMP}/data/%41b.txt realpath=yes
SEEN sql SELECT sleep_free FROM (SELECT 1 AS sleep_free) realpath=no
SEEN sql SELECT 'SHOW_INPUTS' realpath=no
INPUTS ["parameter:name=report","parameter:enc=%41b","parameter:enc=Ab (url)"]
SEEN command true realpath=no
