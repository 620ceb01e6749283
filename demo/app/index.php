<?php
// php-rasp demo: a deliberately naive user directory. Both forms build a
// query or a shell command by string concatenation, the classic mistakes;
// php-rasp stops the attacks and lets ordinary use through.
$db = new SQLite3(__DIR__ . '/../data/users.sqlite');
$name = $_GET['name'] ?? '';
$host = $_GET['host'] ?? '';
header('Content-Type: text/html; charset=utf-8');
?><!DOCTYPE html>
<html><head><meta charset="utf-8"><title>php-rasp demo</title>
<style>body{font-family:sans-serif;margin:2em;max-width:50em} pre{background:#f4f4f4;padding:1em} code{background:#eee}</style></head>
<body>
<h1>User directory <small>(protected by php-rasp)</small></h1>
<form><label>Name: <input name="name" value="<?= htmlspecialchars($name) ?>"></label> <button>Search</button></form>
<?php if ($name !== ''): ?>
<h2>Users named <?= htmlspecialchars($name) ?></h2>
<pre><?php
$res = $db->query("SELECT id, name, email FROM users WHERE name = '$name'");
while ($row = $res->fetchArray(SQLITE3_ASSOC)) {
    echo htmlspecialchars("#{$row['id']} {$row['name']} <{$row['email']}>"), "\n";
}
?></pre>
<?php endif; ?>
<form><label>Check host: <input name="host" value="<?= htmlspecialchars($host) ?>"></label> <button>Resolve</button></form>
<?php if ($host !== ''): ?>
<pre><?= htmlspecialchars((string)shell_exec("getent hosts $host")) ?></pre>
<?php endif; ?>
<p>Request id: <code><?= htmlspecialchars(rasp_request_id()) ?></code></p>
</body></html>
