--TEST--
Web: monitor mode logs the attack with intercept_state log and lets the request through
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official-monitor
--GET--
id=1 or 1=1
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$db = new SQLite3(':memory:');
$db->exec('CREATE TABLE u (id INT)');
var_dump($db->querySingle("SELECT count(*) FROM u WHERE id = " . $_GET['id']));
$a = rasp_alarms();
echo count($a), ' ', $a[0]['intercept_state'], ' ', $a[0]['plugin_algorithm'], ' ', $a[0]['parameter']['id'][0], "\n";
echo $a[0]['request_method'], ' ', $a[0]['attack_params']['query'], "\n";
?>
--EXPECT--
int(0)
1 log sql_userinput 1 or 1=1
get SELECT count(*) FROM u WHERE id = 1 or 1=1
