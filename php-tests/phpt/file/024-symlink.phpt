--TEST--
symlink(): reported as copy from the link target (resolved relative to the link) to the link; log and block
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
mkdir('links');
rasp_tmp('target.txt', 't');
var_dump(symlink('../target.txt', 'links/l1'));
rasp_show('copy', ['source', 'dest', 'source_path', 'dest_path', 'function']);
var_dump(symlink('/etc/passwd', 'links/RASP_LOG.txt'));
echo rasp_last_alarm(), "\n";
rasp_try(function () { symlink('/etc/passwd', 'RASP_BLOCK.txt'); });
echo rasp_last_alarm(), "\n";
var_dump(is_link('RASP_BLOCK.txt'));
?>
--EXPECT--
bool(true)
copy source={TMP}/target.txt dest={TMP}/links/l1 source_path=../target.txt dest_path=links/l1 function=symlink
bool(true)
copy log
blocked
copy block
bool(false)
