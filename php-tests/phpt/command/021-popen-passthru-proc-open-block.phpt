--TEST--
popen, passthru, proc_open (string and array), exec, shell_exec: a block stops each before the command runs
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$f = rasp_tmp('marker');
foreach ([
    fn() => popen("touch $f; echo RASP_BLOCK", 'r'),
    fn() => passthru("touch $f; echo RASP_BLOCK"),
    fn() => proc_open("touch $f; echo RASP_BLOCK", [], $p),
    fn() => proc_open(['touch', $f, 'RASP_BLOCK'], [], $p),
    fn() => exec("touch $f; echo RASP_BLOCK"),
    fn() => shell_exec("touch $f; echo RASP_BLOCK"),
] as $call) rasp_try($call);
var_dump(file_exists($f));
foreach (array_slice(rasp_checks('command'), -4, 2) as [, $p]) echo str_replace($f, '{F}', $p['command']), "\n";
?>
--EXPECT--
blocked
blocked
blocked
blocked
blocked
blocked
bool(false)
touch {F}; echo RASP_BLOCK
touch {F} RASP_BLOCK
