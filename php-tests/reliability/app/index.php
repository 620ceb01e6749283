<?php
// Reliability test app: a vulnerable sink per case (never deploy it), plus
// the worker's pid and memory. Every case that takes hostile input reaches
// at least one hooked call, so the extension builds the request context.
header('Content-Type: text/plain');
$v = $_GET['v'] ?? ($_POST['v'] ?? '');

function db(): SQLite3 {
    $db = new SQLite3(':memory:');
    $db->exec('CREATE TABLE u (id INT, name TEXT)');
    $db->exec("INSERT INTO u VALUES (1, 'alice'), (2, 'bob')");
    return $db;
}

switch ($_GET['case'] ?? '') {
case 'pid':
    echo getmypid();
    break;
case 'mem':
    echo getmypid(), ' ', memory_get_usage(true), ' ', memory_get_peak_usage(true);
    break;
case 'sql':           // numeric context: ?v=1 or 1=1 is an injection
    echo @db()->querySingle("SELECT name FROM u WHERE id = $v") ?? 'none';
    break;
case 'sqlstr':        // string context: ?v=x' OR '1'='1 is an injection
    echo @db()->querySingle("SELECT name FROM u WHERE name = '$v'") ?? 'none';
    break;
case 'cmd':
    echo shell_exec('echo ' . $v);
    break;
case 'cmdq':          // quoted: benign whatever v holds
    echo shell_exec('echo ' . escapeshellarg($v));
    break;
case 'touch':         // one constant check: builds the context of any request
    echo @db()->querySingle("SELECT count(*) FROM u");
    echo ' ', count($_GET), ' ', count($_POST), ' ', count($_COOKIE), ' ', strlen(file_get_contents('php://input'));
    break;
case 'bigsql':        // every request value inside one long IN (...) list
    $vals = [];
    foreach ($_POST as $k => $x) {
        if (is_string($x)) $vals[] = "'" . $x . "'";
    }
    $q = 'SELECT count(*) FROM u WHERE name IN (' . implode(',', $vals) . ')';
    echo strlen($q), ' ', @db()->querySingle($q);
    break;
case 'json':          // a JSON body, its field `v` into a query
    $j = json_decode(file_get_contents('php://input'), true, 512);
    $id = is_array($j) && isset($j['v']) && is_scalar($j['v']) ? $j['v'] : 1;
    echo @db()->querySingle("SELECT name FROM u WHERE id = $id") ?? 'none';
    break;
case 'rid':
    echo function_exists('rasp_request_id') ? rasp_request_id() : '';
    break;
default:
    http_response_code(404);
}
