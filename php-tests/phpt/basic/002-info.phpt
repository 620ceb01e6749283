--TEST--
phpinfo() shows version, protection, engine, plugins and root dir
--FILE--
<?php
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
$start = strpos($info, 'php-rasp => enabled');
var_dump($start !== false);
$section = substr($info, $start, 4000);
foreach (['version' => 'version => ', 'protection' => 'protection => active', 'engine' => 'engine => v8 10.2.',
          'plugins' => 'plugins => test test-1', 'root_dir' => 'root_dir => ' . ini_get('rasp.root_dir') . ' (php.ini)',
          'hooks' => 'hooked functions => ', 'config' => 'config => ok'] as $label => $needle) {
    echo $label, ': ', strpos($section, $needle) !== false ? 'yes' : 'NO', "\n";
}
?>
--EXPECT--
bool(true)
version: yes
protection: yes
engine: yes
plugins: yes
root_dir: yes
hooks: yes
config: yes
