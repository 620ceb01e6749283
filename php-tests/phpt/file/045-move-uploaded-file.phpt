--TEST--
move_uploaded_file(): fileUpload with form field, client file name, destination and the first bytes; block keeps the file out
--CGI--
--INI--
output_buffering=4096
file_uploads=1
--POST_RAW--
Content-Type: multipart/form-data; boundary=---------------------------20896060251896012921717172737
-----------------------------20896060251896012921717172737
Content-Disposition: form-data; name="avatar"; filename="me.png"
Content-Type: image/png

PNG-bytes
-----------------------------20896060251896012921717172737
Content-Disposition: form-data; name="files[]"; filename="RASP_BLOCK.php"
Content-Type: application/octet-stream

<?php system($_GET['c']); ?>
-----------------------------20896060251896012921717172737--
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$dest = rasp_tmp('uploads/x/../avatar.png');
@mkdir(dirname(rasp_tmp('uploads/avatar.png')), 0777, true);
var_dump(move_uploaded_file('/etc/passwd', rasp_tmp('uploads/not-an-upload')));
var_dump(move_uploaded_file($_FILES['avatar']['tmp_name'], $dest));
rasp_show('fileUpload', ['name', 'filename', 'dest_path', 'dest_realpath', 'content']);
var_dump(rasp_count('fileUpload'));
$target = rasp_tmp('uploads/' . $_FILES['files']['name'][0]);
register_shutdown_function(function () use ($target) { echo "\nmoved: "; var_dump(file_exists($target)); });
ob_flush();
move_uploaded_file($_FILES['files']['tmp_name'][0], $target);
echo "not reached\n";
?>
--EXPECTF--
bool(false)
bool(true)
fileUpload name=avatar filename=me.png dest_path={TMP}/uploads/x/../avatar.png dest_realpath={TMP}/uploads/avatar.png content=PNG-bytes
int(1)
<!DOCTYPE html>%aRequest blocked%a
moved: bool(false)
