--TEST--
Web: ordinary values in the same query pass, including look-alikes inside strings
--CGI--
--INI--
rasp.root_dir={PWD}/../../fixtures/roots/official
--GET--
id=2&q=1 or 1=1&name=O'Brien&text=select the best plan
--FILE--
<?php
$db = new SQLite3(':memory:');
$db->exec("CREATE TABLE u (id INT, name TEXT, q TEXT)");
$db->exec("INSERT INTO u VALUES (2, 'x', 'y')");
var_dump($db->querySingle("SELECT count(*) FROM u WHERE id = " . $_GET['id']));
var_dump($db->querySingle("SELECT count(*) FROM u WHERE q = '" . SQLite3::escapeString($_GET['q']) . "'"));
var_dump($db->querySingle("SELECT count(*) FROM u WHERE name = '" . SQLite3::escapeString($_GET['name']) . "'"));
$st = $db->prepare('SELECT count(*) FROM u WHERE name = :n'); $st->bindValue(':n', $_GET['name']);
var_dump($st->execute()->fetchArray()[0]);
var_dump($db->querySingle("SELECT count(*) FROM u WHERE q LIKE '%" . SQLite3::escapeString($_GET['text']) . "%'"));
echo "done\n";
?>
--EXPECT--
int(1)
int(0)
int(0)
int(0)
int(0)
done
