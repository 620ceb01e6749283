#!/usr/bin/env python3
"""Runs the e2e detection yardstick (../shared/e2e/measure.py or $RASP_E2E_DIR)
unchanged, except that request parameters are URL-encoded with
errors='surrogateescape': some corpus lines are not valid UTF-8, and the
yardstick would otherwise stop with UnicodeEncodeError instead of sending
those bytes as they are.

  scripts/e2e/measure.py --corpus ../shared/corpus [measure.py options]
"""
import os
import runpy
import sys
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
e2e = os.environ.get('RASP_E2E_DIR', os.path.join(here, '..', '..', '..', 'shared', 'e2e'))
target = os.path.join(e2e, 'measure.py')
if not os.path.exists(target):
    sys.exit(f'{target} not found; set RASP_E2E_DIR to the directory holding measure.py')

_urlencode = urllib.parse.urlencode


def urlencode(query, *args, **kwargs):
    kwargs.setdefault('errors', 'surrogateescape')
    return _urlencode(query, *args, **kwargs)


urllib.parse.urlencode = urlencode
sys.argv[0] = target
runpy.run_path(target, run_name='__main__')
