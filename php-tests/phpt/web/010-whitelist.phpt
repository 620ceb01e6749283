--TEST--
Web: a whitelisted path skips the listed check types, and only those
--CGI--
--INI--
output_buffering=4096
rasp.root_dir={PWD}/../../fixtures/roots/official-custom
--ENV--
REQUEST_URI=/admin/report.php?id=1%20or%201=1
--GET--
id=1 or 1=1&c=x;id
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
register_shutdown_function(function () {
    echo "\nalarms: ", implode(',', array_column(rasp_alarms(), 'attack_type')), "\n";
});
$db = new SQLite3(':memory:');
$db->exec('CREATE TABLE u (id INT)');
$db->querySingle("SELECT count(*) FROM u WHERE id = " . $_GET['id']);
system('echo ' . $_GET['c']);
?>
--EXPECTHEADERS--
Status: 403 Forbidden
--EXPECTF--
%aRequest blocked%a
alarms: command
