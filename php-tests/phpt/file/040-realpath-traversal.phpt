--TEST--
realpath: relative paths, .. above the root, symlinks and files that do not exist
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
mkdir('a/b', 0777, true);
symlink(rasp_tmp('a/b'), 'lnk');
@file_get_contents('../../../../../../etc/./hostname');
rasp_show('readFile', ['path', 'realpath']);
@file_get_contents('lnk/../b/missing/x.txt');
rasp_show('readFile', ['path', 'realpath']);
@file_get_contents('a//b/./missing.txt');
rasp_show('readFile', ['path', 'realpath']);
@file_put_contents('a/new/dir/f.php', 'x');
rasp_show('writeFile', ['path', 'realpath']);
?>
--EXPECT--
readFile path=../../../../../../etc/./hostname realpath=/etc/hostname
readFile path=lnk/../b/missing/x.txt realpath={TMP}/b/missing/x.txt
readFile path=a//b/./missing.txt realpath={TMP}/a/b/missing.txt
writeFile path=a/new/dir/f.php realpath={TMP}/a/new/dir/f.php
