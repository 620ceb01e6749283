--TEST--
A log verdict writes an alarm with the documented fields and lets the call run
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
echo shell_exec('echo RASP_LOG');
$a = rasp_alarms();
echo count($a), "\n";
$x = $a[0];
foreach (['event_type', 'intercept_state', 'attack_type', 'plugin_name', 'plugin_message', 'plugin_confidence', 'server_type'] as $k) {
    echo $k, '=', json_encode($x[$k]), "\n";
}
echo $x['attack_params']['command'], "\n";
var_dump(is_array($x['attack_params']['stack']));
var_dump((bool)preg_match('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/', $x['event_time']));
foreach (['request_id', 'url', 'path', 'target', 'attack_source', 'client_ip', 'header', 'parameter', 'body', 'server_hostname', 'server_version', 'rasp_version', 'request_method', 'server_ip', 'plugin_algorithm'] as $k) {
    if (!array_key_exists($k, $x)) echo "missing $k\n";
}
?>
--EXPECT--
RASP_LOG
1
event_type="attack"
intercept_state="log"
attack_type="command"
plugin_name="test"
plugin_message="test log"
plugin_confidence=50
server_type="php"
echo RASP_LOG
bool(true)
bool(true)
