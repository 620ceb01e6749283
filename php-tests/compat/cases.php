<?php
// Every hooked entry point, called the right way and the wrong ways, with
// named and by-reference arguments. compat/run.sh runs this file without
// the extension and with it (a plugin that ignores everything) and diffs
// the two transcripts: return values, warnings/notices/deprecations, and
// exceptions must be identical.
//
// Environment: RASP_COMPAT_DIR (scratch dir, recreated by run.sh),
// RASP_COMPAT_HTTP (base URL of a local HTTP server), database settings as
// in php-tests/db/env.sh (database cases are skipped when a server is down).

error_reporting(E_ALL);
ini_set('display_errors', '0');
$dir = getenv('RASP_COMPAT_DIR') ?: sys_get_temp_dir() . '/rasp-compat';
$http = getenv('RASP_COMPAT_HTTP') ?: 'http://127.0.0.1:1';
chdir($dir);

set_error_handler(function (int $no, string $msg) {
    static $names = [E_WARNING => 'Warning', E_NOTICE => 'Notice', E_DEPRECATED => 'Deprecated',
        E_USER_WARNING => 'User warning', E_USER_NOTICE => 'User notice', E_USER_DEPRECATED => 'User deprecated'];
    echo '  ', $names[$no] ?? "E$no", ': ', $msg, "\n";
    return true;
});

/// A stable rendering of any value.
function show(mixed $v, int $depth = 0): string {
    if (is_resource($v)) return 'resource(' . get_resource_type($v) . ')';
    if (is_object($v)) return 'object(' . get_class($v) . ')';
    if (is_array($v)) {
        if ($depth > 3) return 'array(...)';
        $parts = [];
        foreach (array_slice($v, 0, 20, true) as $k => $x) $parts[] = var_export($k, true) . '=>' . show($x, $depth + 1);
        return '[' . implode(', ', $parts) . (count($v) > 20 ? ', ...' : '') . ']';
    }
    if (is_float($v)) return 'float(' . $v . ')';
    return var_export($v, true);
}

/// Runs one case and prints what it did.
function t(string $label, callable $f): void {
    echo $label, "\n";
    ob_start();
    try {
        $r = $f();
        $out = ob_get_clean();
        if ($out !== '') echo '  output: ', json_encode($out), "\n";
        echo '  => ', show($r), "\n";
    } catch (Throwable $e) {
        $out = ob_get_clean();
        if ($out !== '') echo '  output: ', json_encode($out), "\n";
        echo '  threw ', get_class($e), ': ', $e->getMessage(), "\n";
    }
}

function w(string $name, string $content): string {
    $h = fopen($name, 'w');
    fwrite($h, $content);
    fclose($h);
    return $name;
}

w('a.txt', "line1\nline2\n");
w('a.ini', "k=v\n[s]\nx=1\n");
w('inc.php', '<?php return "included";');
w('bad.php', '<?php this is not php');
@mkdir('sub');
w('sub/b.txt', 'b');

// --- files: reads
t('file_get_contents ok', fn() => file_get_contents('a.txt'));
t('file_get_contents named offset/length', fn() => file_get_contents(length: 3, offset: 1, filename: 'a.txt'));
t('file_get_contents missing', fn() => file_get_contents('missing.txt'));
t('file_get_contents empty path', fn() => file_get_contents(''));
t('file_get_contents nul byte', fn() => file_get_contents("a.txt\0x"));
t('file_get_contents array', fn() => file_get_contents([]));
t('file_get_contents object', fn() => file_get_contents(new SplFileInfo('a.txt')));
t('file_get_contents stringable', fn() => file_get_contents(new class { function __toString(): string { return 'a.txt'; } }));
t('file_get_contents directory', fn() => file_get_contents('sub'));
t('file_get_contents negative length', fn() => file_get_contents('a.txt', false, null, 0, -1));
t('file_get_contents php://filter', fn() => file_get_contents('php://filter/read=string.toupper/resource=a.txt'));
t('file_get_contents data:', fn() => file_get_contents('data://text/plain;base64,SGk='));
t('file_get_contents compress.zlib', fn() => file_get_contents('compress.zlib://a.txt'));
t('file_get_contents unknown wrapper', fn() => file_get_contents('nope://x'));
t('file_get_contents http', fn() => file_get_contents("$http/fgc"));
t('file_get_contents http refused', fn() => file_get_contents('http://127.0.0.1:1/'));
t('file ok', fn() => file('a.txt', FILE_IGNORE_NEW_LINES));
t('file missing', fn() => file('missing.txt'));
t('file bad flags', fn() => file('a.txt', 1 << 20));
t('readfile ok', fn() => readfile('a.txt'));
t('readfile missing', fn() => readfile('missing.txt'));
t('highlight_file return', fn() => highlight_file('inc.php', true));
t('show_source missing', fn() => show_source('missing.php', true));
t('parse_ini_file ok', fn() => parse_ini_file('a.ini', true));
t('parse_ini_file missing', fn() => parse_ini_file('missing.ini'));
t('parse_ini_file empty', fn() => parse_ini_file(''));
t('gzfile ok', fn() => gzfile('a.txt'));
t('readgzfile missing', fn() => readgzfile('missing.gz'));
t('fopen r', function () { $h = fopen('a.txt', 'r'); $l = fgets($h); fclose($h); return $l; });
t('fopen bad mode', fn() => fopen('a.txt', 'q'));
t('fopen missing', fn() => fopen('missing/x.txt', 'r'));
t('fopen too few args', fn() => fopen('a.txt'));
t('fopen named', fn() => is_resource(fopen(mode: 'rb', filename: 'a.txt')));
t('fopen php://memory', fn() => fopen('php://memory', 'w+'));
t('gzopen w', function () { $g = gzopen('z.gz', 'w'); gzwrite($g, 'z'); return gzclose($g); });
t('SplFileObject r', fn() => (new SplFileObject('a.txt'))->fgets());
t('SplFileObject missing', fn() => new SplFileObject('missing.txt'));
t('SplFileObject bad type', fn() => new SplFileObject([]));
// --- files: writes
t('file_put_contents ok', fn() => file_put_contents('w.txt', 'data'));
t('file_put_contents append named', fn() => file_put_contents(filename: 'w.txt', data: ['x', 'y'], flags: FILE_APPEND));
t('file_put_contents stream data', function () { $h = fopen('a.txt', 'r'); return file_put_contents('w2.txt', $h); });
t('file_put_contents missing dir', fn() => file_put_contents('nodir/w.txt', 'x'));
t('file_put_contents object data', fn() => file_put_contents('w3.txt', new stdClass));
t('file_put_contents php script', fn() => file_put_contents('s.php', '<?php echo 1;'));
t('fopen w', fn() => fclose(fopen('w4.txt', 'w')));
t('fopen x existing', fn() => fopen('w4.txt', 'x'));
t('fwrite ok', function () { $h = fopen('w5.txt', 'w'); $r = [fwrite($h, 'abc'), fputs($h, 'de', 1)]; fclose($h); return $r; });
t('fwrite closed', function () { $h = fopen('w6.txt', 'w'); fclose($h); return fwrite($h, 'x'); });
t('fwrite not a resource', fn() => fwrite('x', 'y'));
t('fwrite read-only', function () { $h = fopen('a.txt', 'r'); return fwrite($h, 'x'); });
t('SplFileObject w', fn() => (new SplFileObject('w7.txt', 'w'))->fwrite('abc'));
// --- files: delete, copy, rename, links, directories
t('unlink ok', fn() => unlink('w7.txt'));
t('unlink missing', fn() => unlink('w7.txt'));
t('unlink directory', fn() => unlink('sub'));
t('rmdir not empty', fn() => rmdir('sub'));
t('rmdir ok', function () { mkdir('d'); return rmdir('d'); });
t('rmdir missing', fn() => rmdir('nodir'));
t('copy ok', fn() => copy('a.txt', 'c.txt'));
t('copy missing', fn() => copy('missing.txt', 'c2.txt'));
t('copy to missing dir', fn() => copy('a.txt', 'nodir/c.txt'));
t('copy http', fn() => copy("$http/copy", 'c3.txt'));
t('rename ok', fn() => rename('c.txt', 'r.txt'));
t('rename missing', fn() => rename('missing.txt', 'r2.txt'));
t('rename too few', fn() => rename('r.txt'));
t('symlink ok', fn() => symlink('a.txt', 'l1'));
t('symlink exists', fn() => symlink('a.txt', 'l1'));
t('link ok', fn() => link('a.txt', 'h1'));
t('link missing', fn() => link('missing.txt', 'h2'));
t('opendir ok', fn() => is_resource(opendir('sub')));
t('opendir missing', fn() => opendir('nodir'));
t('scandir ok', fn() => scandir('sub'));
t('scandir missing', fn() => scandir('nodir'));
t('scandir bad order', fn() => scandir('sub', 5));
t('dir ok', fn() => dir('sub')->read() !== false);
t('dir missing', fn() => dir('nodir'));
t('glob ok', fn() => glob('sub/*'));
t('glob no match', fn() => glob('zzz*'));
t('DirectoryIterator ok', fn() => iterator_count(new DirectoryIterator('sub')));
t('DirectoryIterator missing', fn() => new DirectoryIterator('nodir'));
t('DirectoryIterator empty', fn() => new DirectoryIterator(''));
t('FilesystemIterator ok', fn() => iterator_count(new FilesystemIterator('sub')));
t('RecursiveDirectoryIterator ok', fn() => iterator_count(new RecursiveDirectoryIterator('sub', FilesystemIterator::SKIP_DOTS)));
t('GlobIterator ok', fn() => iterator_count(new GlobIterator('sub/*')));
t('move_uploaded_file not uploaded', fn() => move_uploaded_file('a.txt', 'm.txt'));
t('move_uploaded_file too few', fn() => move_uploaded_file('a.txt'));
// --- include / eval
t('include ok', fn() => include 'inc.php');
t('include_once twice', fn() => [include_once 'inc.php', include_once 'inc.php']);
t('require_once ok', fn() => require_once __DIR__ . '/../compat/cases-inc.php');
t('include missing', fn() => include 'missing.php');
t('require missing', fn() => require 'missing.php');
t('include parse error', fn() => include 'bad.php');
t('include array operand', fn() => include []);
t('include data: refused', fn() => include 'data://text/plain,<?php return 1;');
t('eval ok', fn() => eval('return 40 + 2;'));
t('eval parse error', fn() => eval('return ;;; {'));
t('eval throws', fn() => eval('throw new LogicException("inner");'));
t('eval result used', function () { $x = eval('return [1, 2];'); return $x; });
t('assert true', fn() => assert(true));
t('assert string', fn() => assert('1 === 1'));
// --- commands
t('system ok', function () { $last = system('echo hi; exit 3', $rc); return [$last, $rc]; });
t('system empty', fn() => system(''));
t('system array', fn() => system([]));
t('exec by ref', function () { $o = ['keep']; $l = exec('printf "a\nb\n"', $o, $rc); return [$l, $o, $rc]; });
t('exec named', function () { $l = exec(command: 'echo n', result_code: $rc); return [$l, $rc]; });
t('passthru', function () { passthru('echo p; exit 1', $rc); return $rc; });
t('shell_exec', fn() => shell_exec('echo s'));
t('shell_exec no output', fn() => shell_exec('true'));
t('backticks', fn() => `echo b`);
t('popen', function () { $p = popen('echo po', 'r'); $r = fgets($p); pclose($p); return $r; });
t('popen bad mode', fn() => popen('echo x', 'x'));
t('proc_open string', function () { $p = proc_open('echo ps', [1 => ['pipe', 'w']], $pipes); $r = stream_get_contents($pipes[1]); return [$r, proc_close($p)]; });
t('proc_open array', function () { $p = proc_open(['printf', '%s', 'pa'], [1 => ['pipe', 'w']], $pipes); $r = stream_get_contents($pipes[1]); return [$r, proc_close($p)]; });
t('proc_open empty array', fn() => proc_open([], [], $pipes));
t('proc_open bad spec', fn() => proc_open('true', [1 => ['nope']], $pipes));
t('pcntl_exec missing', fn() => function_exists('pcntl_exec') ? pcntl_exec('/nonexistent/binary') : 'n/a');
t('mail no params', fn() => mail('a@example.com', 's', 'b'));
t('mail params', fn() => mail('a@example.com', 's', 'b', [], '-fx@example.com'));
t('mail bad headers', fn() => mail('a@example.com', 's', 'b', ['Bad Header' => 'x']));
// --- outbound requests
t('curl_exec ok', fn() => function_exists('curl_init') ? (function () use ($http) { $c = curl_init("$http/c"); curl_setopt($c, CURLOPT_RETURNTRANSFER, true); return curl_exec($c); })() : 'n/a');
t('curl_exec redirect', fn() => function_exists('curl_init') ? (function () use ($http) { $c = curl_init("$http/redirect"); curl_setopt_array($c, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true]); return [curl_exec($c), curl_getinfo($c, CURLINFO_REDIRECT_COUNT)]; })() : 'n/a');
t('curl_exec refused', fn() => function_exists('curl_init') ? (function () { $c = curl_init('http://127.0.0.1:1/'); curl_setopt($c, CURLOPT_RETURNTRANSFER, true); return [curl_exec($c), curl_errno($c)]; })() : 'n/a');
t('curl_exec no url', fn() => function_exists('curl_init') ? curl_exec(curl_init()) : 'n/a');
t('curl_exec bad arg', fn() => curl_exec('x'));
t('curl_multi', fn() => function_exists('curl_multi_init') ? (function () use ($http) {
    $m = curl_multi_init(); $a = curl_init("$http/m"); curl_setopt($a, CURLOPT_RETURNTRANSFER, true);
    curl_multi_add_handle($m, $a);
    do { $s = curl_multi_exec($m, $run); if ($run) curl_multi_select($m, 0.2); } while ($run && $s == CURLM_OK);
    $r = curl_multi_getcontent($a); curl_multi_remove_handle($m, $a); return [$r, curl_multi_remove_handle($m, $a)];
})() : 'n/a');
t('fsockopen refused', function () { $r = fsockopen('127.0.0.1', 1, $errno, $errstr, 1); return [$r, $errno]; });
t('fsockopen bad port', fn() => fsockopen('127.0.0.1', 99999));
t('pfsockopen refused', fn() => pfsockopen('tcp://127.0.0.1', 1));
t('stream_socket_client refused', function () { $r = stream_socket_client('tcp://127.0.0.1:1', $errno, $errstr, 1); return [$r, $errno]; });
t('stream_socket_client unix', fn() => stream_socket_client('unix:///nonexistent.sock'));
t('get_headers', fn() => get_headers("$http/gh")[0] ?? null);
t('SoapClient no wsdl', fn() => extension_loaded('soap') ? new SoapClient(null, ['location' => 'http://127.0.0.1:1/', 'uri' => 'u']) : 'n/a');
t('SoapClient call refused', fn() => extension_loaded('soap') ? (new SoapClient(null, ['location' => 'http://127.0.0.1:1/', 'uri' => 'u']))->x() : 'n/a');
t('SoapClient bad wsdl', fn() => extension_loaded('soap') ? new SoapClient('http://127.0.0.1:1/wsdl') : 'n/a');
// --- XML
$xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file://' . $dir . '/a.txt">]><r>&e;</r>';
w('x.xml', $xxe);
t('DOMDocument::loadXML noent', function () use ($xxe) { $d = new DOMDocument; return [$d->loadXML($xxe, LIBXML_NOENT), $d->textContent]; });
t('DOMDocument::loadXML plain', function () use ($xxe) { $d = new DOMDocument; return [$d->loadXML($xxe), $d->textContent]; });
t('DOMDocument::loadXML broken', fn() => (new DOMDocument)->loadXML('<r>'));
t('DOMDocument::loadXML empty', fn() => (new DOMDocument)->loadXML(''));
t('DOMDocument::load noent', function () { $d = new DOMDocument; $d->substituteEntities = true; return [$d->load('x.xml'), $d->textContent]; });
t('DOMDocument::load missing', fn() => (new DOMDocument)->load('missing.xml'));
t('simplexml_load_string noent', fn() => (string)simplexml_load_string($xxe, 'SimpleXMLElement', LIBXML_NOENT));
t('simplexml_load_string broken', fn() => simplexml_load_string('<r'));
t('simplexml_load_file noent', fn() => (string)simplexml_load_file('x.xml', null, LIBXML_NOENT));
t('SimpleXMLElement noent', fn() => (string)new SimpleXMLElement($xxe, LIBXML_NOENT));
t('SimpleXMLElement broken', fn() => new SimpleXMLElement('<r'));
t('XMLReader::xml static', function () use ($xxe) { $r = XMLReader::xml($xxe, null, LIBXML_NOENT); $out = []; while ($r->read()) if ($r->nodeType == XMLReader::TEXT) $out[] = $r->value; return $out; });
t('XMLReader::open + property', function () { $r = new XMLReader; $o = $r->open('x.xml'); $p = $r->setParserProperty(XMLReader::SUBST_ENTITIES, true); $out = []; while ($r->read()) if ($r->nodeType == XMLReader::TEXT) $out[] = $r->value; return [$o, $p, $out]; });
t('XMLReader::open missing', fn() => (new XMLReader)->open('missing.xml'));
t('XMLReader::setParserProperty bad', fn() => (new XMLReader)->setParserProperty(99, true));
// --- deserialization
class Gadget { public $a = 1; function __wakeup() { echo "wakeup\n"; } }
t('unserialize object', fn() => unserialize('O:6:"Gadget":1:{s:1:"a";i:2;}'));
t('unserialize allowed false', fn() => unserialize('O:6:"Gadget":0:{}', ['allowed_classes' => false]));
t('unserialize allowed list', fn() => unserialize('a:2:{i:0;O:6:"Gadget":0:{}i:1;O:8:"stdClass":0:{}}', ['allowed_classes' => ['stdClass']]));
t('unserialize broken', fn() => unserialize('O:6:"Gadget":1:{s:1:"a";'));
t('unserialize bad option', fn() => unserialize('i:1;', ['allowed_classes' => 'x']));
t('unserialize unknown class', fn() => unserialize('O:7:"Missing":0:{}'));
t('unserialize named', fn() => unserialize(data: 'a:1:{i:0;i:1;}', options: ['max_depth' => 1]));
t('Phar::getMetadata', function () {
    if (ini_get('phar.readonly')) return 'readonly';
    $p = new Phar(getcwd() . '/m.phar'); $p['x'] = 'x'; $p->setMetadata(new Gadget); unset($p);
    $p = new Phar(getcwd() . '/m.phar'); return [$p->getMetadata(), $p['x']->getMetadata()];
});
// --- callables and web-shell sinks
t('call_user_func', fn() => call_user_func('strtoupper', 'a'));
t('call_user_func dynamic', function () { $f = 'call_user_func'; return $f('str_repeat', 'x', 2); });
t('call_user_func bad', fn() => call_user_func('no_such_function'));
t('call_user_func_array named', fn() => call_user_func_array('str_pad', ['string' => 'a', 'length' => 3, 'pad_string' => '-']));
t('array_map', fn() => array_map(null, [1], [2]));
t('array_map bad', fn() => array_map('nope', [1]));
t('array_filter', fn() => array_filter([0, 1, 2]));
t('array_walk by ref', function () { $a = [1, 2]; array_walk($a, function (&$v) { $v *= 10; }); return $a; });
t('array_walk_recursive', function () { $a = [[1]]; array_walk_recursive($a, function (&$v) { $v++; }); return $a; });
t('array_reduce', fn() => array_reduce([1, 2, 3], fn($c, $i) => $c + $i, 0));
t('usort', function () { $a = [3, 1, 2]; usort($a, fn($x, $y) => $x <=> $y); return $a; });
t('uasort', function () { $a = ['a' => 2, 'b' => 1]; uasort($a, fn($x, $y) => $x <=> $y); return $a; });
t('uksort', function () { $a = ['b' => 1, 'a' => 2]; uksort($a, 'strcmp'); return $a; });
t('iterator_apply', fn() => iterator_apply(new ArrayIterator([1, 2]), fn() => true));
t('preg_replace_callback', fn() => preg_replace_callback('/\d/', fn($m) => $m[0] * 2, 'a1b2'));
t('forward_static_call no scope', fn() => forward_static_call('strtoupper', 'a'));
t('register_tick_function', fn() => register_tick_function('phpversion'));
t('ob_start callback', function () { ob_start(fn($s) => strtoupper($s)); echo 'low'; return ob_get_flush(); });
t('ReflectionFunction', fn() => (new ReflectionFunction('strtoupper'))->invoke('r'));
t('ReflectionFunction missing', fn() => new ReflectionFunction('no_such_function'));
t('putenv', fn() => [putenv('RASP_COMPAT=1'), getenv('RASP_COMPAT')]);
t('putenv LD_PRELOAD', fn() => [putenv('LD_PRELOAD='), getenv('LD_PRELOAD')]);
t('putenv bad', fn() => putenv('=x'));
// --- SQL
t('SQLite3 ok', function () { $d = new SQLite3(':memory:'); $d->exec('CREATE TABLE t (a)'); $d->exec("INSERT INTO t VALUES (1)"); return [$d->querySingle('SELECT a FROM t'), $d->query('SELECT 2')->fetchArray(SQLITE3_NUM)]; });
t('SQLite3 errors', function () { $d = new SQLite3(':memory:'); return [$d->exec('SELEC'), $d->query('SELECT * FROM x'), $d->querySingle('x'), $d->prepare('SELEC ?'), $d->lastErrorCode()]; });
t('SQLite3 exceptions', function () { $d = new SQLite3(':memory:'); $d->enableExceptions(true); return $d->exec('SELEC'); });
t('SQLite3 bad type', fn() => (new SQLite3(':memory:'))->query([]));
t('PDO sqlite', function () { $p = new PDO('sqlite::memory:'); return [$p->exec('CREATE TABLE t (a)'), $p->query('SELECT 1')->fetchColumn(), get_class($p->prepare('SELECT ?'))]; });
t('PDO sqlite error exception', fn() => (new PDO('sqlite::memory:'))->query('SELEC'));
t('PDO sqlite error silent', function () { $p = new PDO('sqlite::memory:', null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_SILENT]); return [$p->query('SELEC'), $p->errorInfo()]; });
t('PDO sqlite error warning', function () { $p = new PDO('sqlite::memory:', null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_WARNING]); return $p->exec('SELEC'); });
t('PDO bad dsn', fn() => new PDO('nodriver:x'));
t('PDO uninitialized', fn() => (new class extends PDO { function __construct() {} })->query('SELECT 1'));
t('mysqli unconnected', fn() => (new mysqli)->query('SELECT 1'));
t('mysqli_query bad link', fn() => mysqli_query('x', 'SELECT 1'));
$my = function_exists('mysqli_connect') ? @mysqli_connect(getenv('RASP_MYSQL_HOST') ?: '127.0.0.1', getenv('RASP_MYSQL_USER') ?: 'rasp',
    getenv('RASP_MYSQL_PASSWORD') ?: 'rasp-pw', getenv('RASP_MYSQL_DB') ?: 'rasptest', (int)(getenv('RASP_MYSQL_PORT') ?: 13306)) : false;
if ($my) {
    t('mysqli query', fn() => $my->query('SELECT 1')->fetch_row());
    t('mysqli error exception', fn() => $my->query('SELEC'));
    t('mysqli_report off errors', function () use ($my) { mysqli_report(MYSQLI_REPORT_OFF); $r = [mysqli_query($my, 'SELEC'), mysqli_errno($my), $my->prepare('SELEC'), $my->real_query('SELEC'), $my->multi_query('SELEC')]; mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT); return $r; });
    t('mysqli prepare bind by ref', function () use ($my) { $s = $my->prepare('SELECT ?'); $v = 1; $s->bind_param('i', $v); $v = 5; $s->execute(); $s->bind_result($o); $s->fetch(); return $o; });
    t('mysqli stmt prepare', fn() => mysqli_stmt_prepare(mysqli_stmt_init($my), 'SELECT 1'));
    t('mysqli connect fail', fn() => new mysqli('127.0.0.1', 'nobody', 'x', '', (int)(getenv('RASP_MYSQL_PORT') ?: 13306)));
    t('mysqli connect fail report off', function () { mysqli_report(MYSQLI_REPORT_OFF); $m = @new mysqli('127.0.0.1', 'nobody', 'x', '', (int)(getenv('RASP_MYSQL_PORT') ?: 13306)); $r = [$m->connect_errno, mysqli_connect_errno()]; mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT); return $r; });
    t('mysqli real_connect', function () { $m = mysqli_init(); return mysqli_real_connect($m, '127.0.0.1', getenv('RASP_MYSQL_USER') ?: 'rasp', getenv('RASP_MYSQL_PASSWORD') ?: 'rasp-pw', null, (int)(getenv('RASP_MYSQL_PORT') ?: 13306)); });
    t('PDO mysql errors', function () { $p = new PDO('mysql:host=127.0.0.1;port=' . (getenv('RASP_MYSQL_PORT') ?: 13306), getenv('RASP_MYSQL_USER') ?: 'rasp', getenv('RASP_MYSQL_PASSWORD') ?: 'rasp-pw'); try { $p->query('SELEC'); } catch (PDOException $e) { return [$e->getCode(), $e->errorInfo]; } });
    t('PDO mysql bad password', fn() => new PDO('mysql:host=127.0.0.1;port=' . (getenv('RASP_MYSQL_PORT') ?: 13306), 'root', 'wrong'));
} else {
    echo "(MariaDB not running: mysqli/pdo_mysql cases skipped)\n";
}
$pg = function_exists('pg_connect') ? @pg_connect('host=127.0.0.1 port=' . (getenv('RASP_PG_PORT') ?: 15432) . ' dbname=rasptest user=rasp password=rasp-pw connect_timeout=2') : false;
if ($pg) {
    t('pg_query', fn() => pg_fetch_row(pg_query($pg, 'SELECT 1')));
    t('pg_query error', fn() => pg_query($pg, 'SELEC'));
    t('pg_query default link', fn() => pg_query('SELECT 2'));
    t('pg_query_params', fn() => pg_fetch_row(pg_query_params($pg, 'SELECT $1::int', [3])));
    t('pg_query_params bad', fn() => pg_query_params($pg, 'SELECT $1::int', ['x']));
    t('pg_prepare/execute', function () use ($pg) { pg_prepare($pg, 'q', 'SELECT $1::int + 1'); return pg_fetch_row(pg_execute($pg, 'q', [1])); });
    t('pg_send_query', function () use ($pg) { $r = pg_send_query($pg, 'SELECT 4'); return [$r, pg_fetch_row(pg_get_result($pg))]; });
    t('pg_send_prepare', function () use ($pg) { $r = pg_send_prepare($pg, 'q2', 'SELECT 5'); pg_get_result($pg); return $r; });
    t('pg_send_query_params', function () use ($pg) { $r = pg_send_query_params($pg, 'SELECT $1::int', [6]); return [$r, pg_fetch_row(pg_get_result($pg))]; });
    t('pg_connect fail', fn() => pg_connect('host=127.0.0.1 port=' . (getenv('RASP_PG_PORT') ?: 15432) . ' user=nobody password=x dbname=x'));
    t('pg_pconnect', fn() => get_class(pg_pconnect('host=127.0.0.1 port=' . (getenv('RASP_PG_PORT') ?: 15432) . ' dbname=rasptest user=rasp password=rasp-pw')));
    t('PDO pgsql error', function () { $p = new PDO('pgsql:host=127.0.0.1;port=' . (getenv('RASP_PG_PORT') ?: 15432) . ';dbname=rasptest', 'rasp', 'rasp-pw'); try { $p->exec('SELEC'); } catch (PDOException $e) { return [$e->getCode(), $e->errorInfo[0]]; } });
} else {
    echo "(PostgreSQL not running: pgsql cases skipped)\n";
}
t('pg_query bad args', fn() => function_exists('pg_query') ? pg_query() : 'n/a');
echo "done\n";
