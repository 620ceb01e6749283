--TEST--
Inject: pages outside inject.urlprefix are untouched
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/policy
--ENV--
REQUEST_URI=/blog/post.php
--GET--
x=1
--FILE--
<?php
echo "<p>post</p>";
?>
--EXPECT--
<p>post</p>
