--TEST--
compress.zlib://: readFile realpath is the compressed file; writeFile for gzopen writes
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
chdir(rasp_tmp());
$g = gzopen('z.gz', 'wb'); gzwrite($g, 'zipped'); gzclose($g);
rasp_show('writeFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(file_get_contents('compress.zlib://z.gz'));
rasp_show('readFile', ['path', 'realpath', 'protocol', 'function']);
var_dump(implode(gzfile('compress.zlib://' . rasp_tmp('z.gz'))));
rasp_show('readFile', ['realpath', 'function']);
?>
--EXPECT--
writeFile path=z.gz realpath={TMP}/z.gz protocol= function=gzopen
string(6) "zipped"
readFile path=compress.zlib://z.gz realpath={TMP}/z.gz protocol=compress.zlib function=file_get_contents
string(6) "zipped"
readFile realpath={TMP}/z.gz function=gzfile
