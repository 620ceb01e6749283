--TEST--
hook.include=opcode with the opcache JIT configured: PHP turns the JIT off (its own warning) and every include is seen
--SKIPIF--
<?php if (!function_exists('opcache_get_status')) die('skip opcache not loaded'); ?>
--INI--
opcache.enable_cli=1
opcache.jit_buffer_size=16M
opcache.jit=tracing
opcache.file_cache=
rasp.root_dir={PWD}/../../fixtures/roots/test-opcode
display_startup_errors=1
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$s = opcache_get_status(false);
var_dump($s['jit']['on']);
ob_start(); phpinfo(INFO_MODULES); preg_match('/include\/eval hook => (.*)/', ob_get_clean(), $m); echo $m[1], "\n";
rasp_tmp('j.php', '<?php return 7;');
$n = rasp_count('include');
for ($i = 0; $i < 3; $i++) include rasp_tmp('j.php');
include_once rasp_tmp('j.php');
var_dump(rasp_count('include') - $n);
?>
--EXPECT--
Warning: JIT is incompatible with third party extensions that setup user opcode handlers. JIT disabled. in Unknown on line 0
bool(false)
opcode handler (hook.include=opcode)
int(4)
