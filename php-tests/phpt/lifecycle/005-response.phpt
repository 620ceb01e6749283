--TEST--
response: the body the client got (first 64 KiB) and its content type; checked after it was sent, so block is logged
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
[$out, $rid] = rasp_child('<?php header("Content-Type: text/plain"); echo "hello RASP_LOG\n"; flush(); echo "more\n";', true);
echo preg_replace('/^.*\r\n\r\n/s', '', $out);
foreach (rasp_alarms_of($rid) as $a) echo $a['attack_type'], ' ', $a['intercept_state'], ' ', json_encode($a['attack_params']), "\n";
[$out, $rid] = rasp_child('<?php echo "<p>RASP_BLOCK_ONLY_response</p>";', true);
echo preg_replace('/^.*\r\n\r\n/s', '', $out), "\n";
foreach (rasp_alarms_of($rid) as $a) echo $a['attack_type'], ' ', $a['intercept_state'], ' ', $a['attack_params']['content_type'], "\n";
[$out, $rid] = rasp_child('<?php echo str_repeat("x", 70000), "RASP_LOG";');
echo strlen($out), "\n";
foreach (rasp_alarms_of($rid) as $a) echo $a['attack_type'], ' ', count($a), "\n";
?>
--EXPECT--
hello RASP_LOG
more
response log {"content":"hello RASP_LOG\nmore\n","content_type":"text\/plain;charset=UTF-8","stack":[]}
<p>RASP_BLOCK_ONLY_response</p>
response log text/html; charset=UTF-8
70008
