--TEST--
mail(): the fifth argument (extra sendmail options) is a command check of the whole sendmail line; block stops the mail
--INI--
sendmail_path=/bin/true -t -i
--FILE--
<?php
require __DIR__ . '/../../fixtures/helpers.inc';
$n = rasp_count('command');
var_dump(mail('a@example.com', 'subject', 'body'));
var_dump(rasp_count('command') - $n);
var_dump(mail('a@example.com', 'subject', 'body', '', '-fsender@example.com'));
rasp_show('command', ['command']);
var_dump(mail('a@example.com', 's', 'b', [], '-X/var/www/RASP_LOG.php'));
echo rasp_last_alarm(), "\n";
rasp_try(fn() => mail('a@example.com', 's', 'b', [], '-OQueueDirectory=/tmp -X/var/www/html/RASP_BLOCK.php'));
echo rasp_last_alarm(), "\n";
?>
--EXPECT--
bool(true)
int(0)
bool(true)
command command=/bin/true -t -i -fsender@example.com
bool(true)
command log
blocked
command block
