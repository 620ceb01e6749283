--TEST--
Web: the alarm carries the request: method, url, path, parameters, headers, client ip
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/test
--ENV--
HTTP_HOST=shop.example.com
REQUEST_URI=/cart.php?x=RASP_LOG
HTTP_USER_AGENT=phpt-agent
REMOTE_ADDR=10.1.2.3
--GET--
x=RASP_LOG&arr[]=a&arr[k]=b
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
shell_exec('echo ' . $_GET['x']);
$a = rasp_alarms()[0];
echo $a['request_method'], "\n", $a['url'], "\n", $a['path'], "\n", $a['target'], "\n", $a['attack_source'], "\n";
echo json_encode($a['parameter']), "\n";
echo $a['header']['user-agent'], "\n";
?>
--EXPECT--
get
http://shop.example.com/cart.php?x=RASP_LOG
/cart.php
shop.example.com
10.1.2.3
{"x":["RASP_LOG"],"arr":["a","b"]}
phpt-agent
