--TEST--
hook.include=auto with the opcache JIT on: the compile hook is chosen, the JIT stays on, cached includes are still checked
--SKIPIF--
<?php if (!function_exists('opcache_get_status')) die('skip opcache not loaded'); ?>
--INI--
opcache.enable_cli=1
opcache.jit_buffer_size=16M
opcache.jit=tracing
opcache.file_cache=
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
rasp_tmp('j.php', '<?php return 7;');
$s = opcache_get_status(false);
var_dump($s['jit']['on']);
ob_start(); phpinfo(INFO_MODULES); preg_match('/include\/eval hook => (.*)/', ob_get_clean(), $m); echo $m[1], "\n";
$n = rasp_count('include');
for ($i = 0; $i < 3; $i++) include rasp_tmp('j.php');
var_dump(rasp_count('include') - $n);
rasp_try(fn() => eval('echo "ran\\n"; // RASP_BLOCK'));
?>
--EXPECT--
bool(true)
compile hook (hook.include=auto, opcache JIT is on)
int(3)
blocked
