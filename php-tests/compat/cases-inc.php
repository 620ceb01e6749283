<?php
// Included once by cases.php (require_once with an absolute path).
return 'from cases-inc';
