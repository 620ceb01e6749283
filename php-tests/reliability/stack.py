"""php-fpm + nginx on 127.0.0.1 for the reliability suites.

A Stack owns a temporary directory with a root dir (conf/, plugins/,
logs/ owned by www-data), a copy of the test app, php-fpm (master loads the
extension with -d, so the agent runs) and nginx in front. Everything it
starts is stopped by pid (never by name) in stop(), also on SIGTERM/SIGINT
and at interpreter exit.
"""

import atexit
import glob
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OFFICIAL = os.path.join(REPO, "plugins", "official", "plugin.js")
FPM = os.environ.get("PHP_FPM", "php-fpm8.2")
CRASH_RE = re.compile(r"SIGSEGV|SIGABRT|SIGBUS|SIGILL|SIGFPE|exited on signal|core dumped", re.I)

_live = []


def _stop_all(*_):
    for s in list(_live):
        s.stop()


atexit.register(_stop_all)


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_status(pid):
    """VmRSS and VmHWM of a process in KiB (None if gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        return None
    return out


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Stack:
    def __init__(self, ext, plugins=("official",), rasp_yml="", workers=4, php_ini=None, env=None,
                 root_dir=None, app=None, logs_owner="www-data", pm_max_requests=0, request_timeout=60,
                 nginx_body="64m", name="rel"):
        self.ext = os.path.realpath(ext)
        self.work = tempfile.mkdtemp(prefix=f"rasp-{name}.")
        os.chmod(self.work, 0o755)
        self.root = os.path.join(self.work, "root")
        for d in ("conf", "plugins", "logs"):
            os.makedirs(os.path.join(self.root, d))
        for p in plugins:
            if p == "official":
                shutil.copy(OFFICIAL, os.path.join(self.root, "plugins", "official.js"))
            else:
                shutil.copy(os.path.join(HERE, "plugins", p + ".js"), os.path.join(self.root, "plugins", p + ".js"))
        if rasp_yml:
            with open(os.path.join(self.root, "conf", "rasp.yml"), "w") as f:
                f.write(rasp_yml)
        shutil.copytree(app or os.path.join(HERE, "app"), os.path.join(self.work, "app"))
        subprocess.run(["chmod", "-R", "a+rX", self.work], check=True)
        if logs_owner:
            pw = pwd.getpwnam(logs_owner)
            for dirpath, _dirs, files in os.walk(os.path.join(self.root, "logs")):
                os.chown(dirpath, pw.pw_uid, pw.pw_gid)
                for fn in files:
                    os.chown(os.path.join(dirpath, fn), pw.pw_uid, pw.pw_gid)
        self.root_dir = root_dir or self.root
        self.port, self.fport = free_port(), free_port()
        self.workers = workers
        self.php_ini = dict(php_ini or {})
        self.env = dict(env or {})
        self.pm_max_requests = pm_max_requests
        self.request_timeout = request_timeout
        self.nginx_body = nginx_body
        self.master = None
        self.nginx_pid = None
        self.stderr_path = os.path.join(self.work, "fpm.stderr")
        _live.append(self)

    # ---------------------------------------------------------------- start
    def _write_confs(self):
        with open(os.path.join(self.work, "fpm.conf"), "w") as f:
            f.write(f"""[global]
pid = {self.work}/fpm.pid
error_log = {self.work}/fpm.log
log_level = notice
daemonize = yes
[rel]
listen = 127.0.0.1:{self.fport}
pm = static
pm.max_children = {self.workers}
pm.max_requests = {self.pm_max_requests}
request_terminate_timeout = {self.request_timeout}
user = www-data
group = www-data
catch_workers_output = yes
decorate_workers_output = no
""")
        with open(os.path.join(self.work, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 1;
pid {self.work}/nginx.pid;
error_log {self.work}/nginx.log;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_max_body_size {self.nginx_body};
  client_body_buffer_size 1m;
  client_body_temp_path {self.work}/body; fastcgi_temp_path {self.work}/fcgi;
  fastcgi_read_timeout 120s;
  large_client_header_buffers 4 64k;
  server {{
    listen 127.0.0.1:{self.port};
    root {self.work}/app;
    location / {{
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root/index.php;
      fastcgi_pass 127.0.0.1:{self.fport};
    }}
  }}
}}
""")

    def start(self, wait=True):
        self._write_confs()
        args = [FPM, "--fpm-config", os.path.join(self.work, "fpm.conf"), "-d", f"extension={self.ext}",
                "-d", f"rasp.root_dir={self.root_dir}"]
        for k, v in self.php_ini.items():
            args += ["-d", f"{k}={v}"]
        env = dict(os.environ)
        env.update(self.env)
        with open(self.stderr_path, "ab") as err:
            subprocess.run(args, env=env, check=True, stdout=err, stderr=err)
        for _ in range(100):
            if os.path.exists(os.path.join(self.work, "fpm.pid")):
                break
            time.sleep(0.05)
        with open(os.path.join(self.work, "fpm.pid")) as f:
            self.master = int(f.read().strip())
        if self.nginx_pid is None:
            subprocess.run(["nginx", "-c", os.path.join(self.work, "nginx.conf")], check=True)
            for _ in range(100):
                if os.path.exists(os.path.join(self.work, "nginx.pid")):
                    break
                time.sleep(0.05)
            with open(os.path.join(self.work, "nginx.pid")) as f:
                self.nginx_pid = int(f.read().strip())
        if wait:
            for _ in range(200):
                try:
                    if self.get("/index.php?case=pid", timeout=5).status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.05)
        return self

    # ----------------------------------------------------------------- stop
    def stop_fpm(self):
        m = self.master
        if not m:
            return
        try:
            os.kill(m, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(100):
            try:
                os.kill(m, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            try:
                os.kill(m, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.master = None
        # The supervisor and agent follow the master through the lifeline.
        for _ in range(40):
            if not self.helpers():
                break
            time.sleep(0.1)

    def stop(self, keep=False):
        if self in _live:
            _live.remove(self)
        self.stop_fpm()
        if self.nginx_pid:
            try:
                os.kill(self.nginx_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            for _ in range(50):
                try:
                    os.kill(self.nginx_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            self.nginx_pid = None
        left = self.helpers()
        for p in left:  # ours: their command line names our root dir
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not keep and not os.environ.get("KEEP"):
            shutil.rmtree(self.work, ignore_errors=True)
        return left

    # -------------------------------------------------------------- helpers
    def workers_pids(self):
        return children(self.master) if self.master else []

    def helpers(self):
        """Supervisor and agent of this stack (by root dir in their cmdline)."""
        out = []
        for d in os.listdir("/proc"):
            if d.isdigit() and comm(int(d)) in ("rasp-agent", "rasp-supervisor"):
                if f"rasp.root_dir={self.root_dir} " in cmdline(int(d)) + " ":
                    out.append(int(d))
        return out

    def agent_pid(self):
        for p in self.helpers():
            if comm(p) == "rasp-agent":
                return p
        return None

    def supervisor_pid(self):
        for p in self.helpers():
            if comm(p) == "rasp-supervisor":
                return p
        return None

    def request(self, method, path, body=None, headers=None, timeout=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or self.request_timeout + 30)
        t = time.monotonic()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return Response(r.status, r.getheaders(), data, time.monotonic() - t)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def raw(self, data, timeout=30):
        """Sends raw bytes, returns (status or None, elapsed)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        t = time.monotonic()
        try:
            s.sendall(data)
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
        return (int(m.group(1)) if m else None), time.monotonic() - t

    def log_lines(self, kind):
        out = []
        for p in sorted(glob.glob(os.path.join(self.root, "logs", kind, f"{kind}.log.*"))):
            with open(p, "rb") as f:
                out += f.read().decode("utf-8", "replace").splitlines()
        return out

    def alarms(self):
        out = []
        for line in self.log_lines("alarm"):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"unparseable": line})
        return out

    def fpm_log(self):
        text = ""
        for p in (os.path.join(self.work, "fpm.log"), self.stderr_path):
            try:
                with open(p, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return text

    def crashes(self):
        return [l for l in self.fpm_log().splitlines() if CRASH_RE.search(l)]

    def all_logs(self):
        """Every log line the extension and php-fpm wrote, for grepping."""
        lines = []
        for kind in ("rasp", "plugin", "alarm", "policy"):
            lines += [f"{kind}: {l}" for l in self.log_lines(kind)]
        lines += [f"fpm: {l}" for l in self.fpm_log().splitlines()]
        return lines
