--TEST--
requestEnd: one check when the request is over; a block verdict can only be logged then
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
[$out, $rid] = rasp_child('<?php echo "page\n";', true, 'a=RASP_LOG');
echo preg_replace('/^.*\r\n\r\n/s', '', $out);
foreach (rasp_alarms_of($rid) as $a) echo $a['attack_type'], ' ', $a['intercept_state'], ' ', json_encode($a['attack_params']), "\n";
[$out, $rid] = rasp_child('<?php echo "second page\n";', true, 'a=RASP_BLOCK_ONLY_requestEnd');
echo preg_replace('/^.*\r\n\r\n/s', '', $out);
foreach (rasp_alarms_of($rid) as $a) echo $a['attack_type'], ' ', $a['intercept_state'], "\n";
?>
--EXPECT--
page
request log {"stack":[]}
requestEnd log {"stack":[]}
second page
requestEnd log
