--TEST--
SoapClient: the WSDL URL, the location option and every call's location (__doRequest) are ssrf checks; block stops the call
--SKIPIF--
<?php if (!extension_loaded('soap')) die('skip soap missing'); ?>
--INI--
soap.wsdl_cache_enabled=0
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/http.inc';
$srv = rasp_http_server(); rasp_http_requests();
$c = new SoapClient(null, ['location' => $srv['base'] . '/soap', 'uri' => 'urn:x', 'exceptions' => true]);
rasp_show('ssrf', ['hostname', 'port', 'function']);
try { $c->hello(); } catch (SoapFault $e) { echo "SoapFault\n"; }
rasp_show('ssrf', ['hostname', 'port', 'function']);
try { new SoapClient($srv['base'] . '/wsdl-missing'); } catch (SoapFault $e) { echo "SoapFault\n"; }
rasp_show('ssrf', ['url', 'function']);
$b = new SoapClient(null, ['location' => $srv['base'] . '/RASP_BLOCK_ONLY_SoapClient::__doRequest', 'uri' => 'urn:x']);
rasp_try(fn() => $b->hello());
echo rasp_last_alarm(), "\n";
echo implode(' ', rasp_http_requests()), "\n";
?>
--EXPECT--
ssrf hostname=127.0.0.1 port={PORT} function=SoapClient::__construct
SoapFault
ssrf hostname=127.0.0.1 port={PORT} function=SoapClient::__doRequest
SoapFault
ssrf url=http://127.0.0.1:{PORT}/wsdl-missing function=SoapClient::__construct
blocked
ssrf block
/soap /wsdl-missing
