--TEST--
A block verdict stops the call before it runs (CLI: RaspBlockedException)
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$marker = sys_get_temp_dir() . '/rasp-phpt-' . getmypid();
@unlink($marker);
try {
    system("touch $marker; echo RASP_BLOCK");
    echo "not reached\n";
} catch (RaspBlockedException $e) {
    echo get_class($e), "\n";
    var_dump(str_contains($e->getMessage(), 'test block'), str_contains($e->getMessage(), rasp_request_id()));
}
var_dump(file_exists($marker));
$a = rasp_alarms();
echo count($a), ' ', $a[0]['intercept_state'], ' ', $a[0]['attack_type'], ' ', $a[0]['plugin_name'], ' ', $a[0]['plugin_algorithm'], "\n";
echo "after\n";
?>
--EXPECT--
RaspBlockedException
bool(true)
bool(true)
bool(false)
1 block command test test
after
