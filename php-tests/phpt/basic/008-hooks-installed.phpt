--TEST--
phpinfo lists every hooked entry point (109 on PHP 8.2 with these extensions) and the include/eval hook in use
--SKIPIF--
<?php foreach (['mysqli', 'pdo_mysql', 'pgsql', 'sqlite3', 'curl', 'dom', 'simplexml', 'xmlreader', 'phar', 'zlib', 'pcntl'] as $e) if (!extension_loaded($e)) die("skip $e missing"); ?>
--FILE--
<?php
ob_start(); phpinfo(INFO_MODULES); $info = ob_get_clean();
preg_match('/hooked functions => (\d+): (.*)/', $info, $m);
$hooked = explode(', ', $m[2]);
var_dump((int)$m[1] === count($hooked));
$expect = ['mysqli_query', 'mysqli::query', 'mysqli::__construct', 'mysqli_real_connect', 'mysqli_stmt::prepare', 'pdo::__construct',
  'pdo::query', 'pdo::exec', 'pdo::prepare', 'sqlite3::query', 'sqlite3::exec', 'sqlite3::querysingle', 'sqlite3::prepare',
  'pg_query', 'pg_send_query', 'pg_query_params', 'pg_prepare', 'pg_connect', 'pg_pconnect', 'system', 'exec', 'passthru',
  'shell_exec', 'popen', 'proc_open', 'pcntl_exec', 'mail', 'file_get_contents', 'file', 'readfile', 'highlight_file',
  'show_source', 'parse_ini_file', 'fopen', 'splfileobject::__construct', 'file_put_contents', 'fwrite', 'fputs', 'unlink',
  'rmdir', 'copy', 'rename', 'symlink', 'link', 'opendir', 'scandir', 'dir', 'glob', 'directoryiterator::__construct',
  'move_uploaded_file', 'assert', 'curl_exec', 'curl_multi_exec', 'fsockopen', 'stream_socket_client', 'domdocument::loadxml',
  'domdocument::load', 'simplexml_load_string', 'simplexml_load_file', 'xmlreader::open', 'xmlreader::xml', 'unserialize',
  'phar::getmetadata', 'pharfileinfo::getmetadata', 'call_user_func', 'array_map', 'usort', 'reflectionfunction::__construct', 'putenv'];
var_dump(array_values(array_diff($expect, $hooked)));
var_dump(in_array('create_function', $hooked));
echo count($hooked) >= 109 ? "at least 109\n" : count($hooked) . "\n";
preg_match('/include\/eval hook => (.*)/', $info, $m);
echo $m[1], "\n";
?>
--EXPECT--
bool(true)
array(0) {
}
bool(false)
at least 109
opcode handler (hook.include=auto, opcache JIT is off)
