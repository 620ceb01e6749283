--TEST--
sql_exception after a failed pg_query / pg_query_params / pg_prepare: the server message (libpq keeps no SQLSTATE)
--SKIPIF--
<?php require __DIR__ . '/../../fixtures/db.inc'; echo rasp_pg_skip(); ?>
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
require __DIR__ . '/../../fixtures/db.inc';
$c = pg_connect(rasp_pg_conninfo());
var_dump(@pg_query($c, 'SELEC 1'));
rasp_show('sql_exception', ['server', 'query', 'error_code', 'error_msg']);
var_dump(@pg_query('SELECT * FROM no_such_table'));
rasp_show('sql_exception', ['query', 'error_msg']);
var_dump(@pg_query_params($c, 'SELECT $1::int', ['x']));
rasp_show('sql_exception', ['query', 'error_msg']);
var_dump(@pg_prepare($c, 'bad', 'SELEC'));
rasp_show('sql_exception', ['query', 'error_msg']);
?>
--EXPECT--
bool(false)
sql_exception server=pgsql query=SELEC 1 error_code= error_msg=ERROR:  syntax error at or near "SELEC"
LINE 1: SELEC 1
        ^
bool(false)
sql_exception query=SELECT * FROM no_such_table error_msg=ERROR:  relation "no_such_table" does not exist
LINE 1: SELECT * FROM no_such_table
                      ^
bool(false)
sql_exception query=SELECT $1::int error_msg=ERROR:  invalid input syntax for type integer: "x"
CONTEXT:  unnamed portal parameter $1 = '...'
bool(false)
sql_exception query=SELEC error_msg=ERROR:  syntax error at or near "SELEC"
LINE 1: SELEC
        ^
