//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rasp_log::*;
use serde_json::{json, Map, Value};

pub fn server() -> ServerInfo {
    ServerInfo {
        server_hostname: "web1".into(),
        server_version: "8.3.14".into(),
        rasp_version: "0.1.0".into(),
        rasp_id: "c0ffee".into(),
    }
}

pub fn request(id: usize) -> RequestInfo {
    let mut header = std::collections::BTreeMap::new();
    header.insert("host".into(), "shop.example".into());
    header.insert("user-agent".into(), "sqlmap/1.7".into());
    let mut parameter = Map::new();
    parameter.insert("id".into(), json!("1' OR '1'='1"));
    parameter.insert("tags".into(), json!(["a", "b"]));
    RequestInfo {
        request_id: format!("req-{id:08}"),
        request_method: "GET".into(),
        url: "http://shop.example/item.php?id=1%27%20OR%20%271%27%3D%271".into(),
        path: "/item.php".into(),
        target: "shop.example".into(),
        server_ip: "10.0.0.2".into(),
        attack_source: "203.0.113.9".into(),
        client_ip: "198.51.100.7".into(),
        header,
        parameter,
        body: String::new(),
    }
}

pub fn alarm() -> Alarm {
    let mut attack_params = Map::new();
    attack_params.insert(
        "query".into(),
        json!("SELECT * FROM items WHERE id='1' OR '1'='1'"),
    );
    attack_params.insert("server".into(), json!("mysql"));
    Alarm {
        attack_type: "sql".into(),
        attack_params,
        stack: vec![
            "/var/www/item.php@12 mysqli_query".into(),
            "/var/www/index.php@3 include".into(),
        ],
        intercept_state: InterceptState::Block,
        plugin_name: "official".into(),
        plugin_message: "SQL injection: user input changed the query structure".into(),
        plugin_confidence: 90.0,
        plugin_algorithm: "sql_userinput".into(),
    }
}

pub fn policy() -> Policy {
    let mut policy_params = Map::new();
    policy_params.insert("key".into(), json!("allow_url_include"));
    policy_params.insert("value".into(), json!("1"));
    Policy {
        policy_id: "3001".into(),
        message: "allow_url_include is enabled".into(),
        policy_params,
    }
}

/// A `Logs` with no rate limits, a quiet fallback and the given clock.
pub fn logs_unlimited(root: &Path, clock: Option<Arc<dyn Clock>>) -> Logs {
    let mut config = LogConfig::default();
    for rl in [
        &mut config.rate_limit.alarm,
        &mut config.rate_limit.policy,
        &mut config.rate_limit.plugin,
        &mut config.rate_limit.rasp,
    ] {
        rl.burst = 0;
    }
    let mut b = Logs::builder(root)
        .config(&config)
        .server(server())
        .zone(LogZone::utc())
        .fallback(Arc::new(|_: &str| {}));
    if let Some(c) = clock {
        b = b.clock(c);
    }
    b.build()
}

/// Every line of every file of `kind`, oldest file first.
pub fn read_lines(root: &Path, kind: LogKind) -> Vec<String> {
    let dir = root.join("logs").join(kind.as_str());
    let mut names: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => return Vec::new(),
    };
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{} does not end with a newline",
            p.display()
        );
        out.extend(text.lines().map(str::to_owned));
    }
    out
}

/// One syslog message as received.
#[derive(Clone, Debug)]
pub struct Syslog {
    pub pri: u32,
    pub timestamp: String,
    pub hostname: String,
    pub app: String,
    pub procid: String,
    pub msgid: String,
    pub sd: String,
    pub msg: String,
}

pub fn parse_syslog(raw: &str) -> Syslog {
    let rest = raw
        .strip_prefix('<')
        .unwrap_or_else(|| panic!("no PRI: {raw:.80}"));
    let (pri, rest) = rest.split_once('>').unwrap();
    let rest = rest
        .strip_prefix("1 ")
        .unwrap_or_else(|| panic!("no version: {raw:.80}"));
    let parts: Vec<&str> = rest.splitn(7, ' ').collect();
    assert_eq!(parts.len(), 7, "{raw:.120}");
    Syslog {
        pri: pri.parse().unwrap(),
        timestamp: parts[0].into(),
        hostname: parts[1].into(),
        app: parts[2].into(),
        procid: parts[3].into(),
        msgid: parts[4].into(),
        sd: parts[5].into(),
        msg: parts[6].into(),
    }
}

pub enum TcpFraming {
    Octet,
    Newline,
}

/// A syslog collector on 127.0.0.1 that records every message.
pub struct TcpCollector {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<String>>>,
    pub connections: Arc<Mutex<u32>>,
    stop: Arc<AtomicBool>,
    /// Set to make the collector close its current connection (after reading
    /// everything already sent).
    pub hang_up: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TcpCollector {
    pub fn start(framing: TcpFraming) -> TcpCollector {
        TcpCollector::start_on(0, framing)
    }

    pub fn start_on(port: u16, framing: TcpFraming) -> TcpCollector {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind collector");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let hang_up = Arc::new(AtomicBool::new(false));
        let octet = matches!(framing, TcpFraming::Octet);
        let (m, c, s, h) = (
            messages.clone(),
            connections.clone(),
            stop.clone(),
            hang_up.clone(),
        );
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        *c.lock().unwrap() += 1;
                        serve(stream, octet, &m, &s, &h);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TcpCollector {
            port,
            messages,
            connections,
            stop,
            hang_up,
            thread: Some(thread),
        }
    }

    pub fn count(&self) -> usize {
        self.messages.lock().unwrap().len()
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    /// Stops accepting and closes any connection.
    pub fn stop(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.messages()
    }
}

impl Drop for TcpCollector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    octet: bool,
    out: &Mutex<Vec<String>>,
    stop: &AtomicBool,
    hang_up: &AtomicBool,
) {
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut buf = Vec::new();
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if hang_up.swap(false, Ordering::SeqCst) {
            return; // drops the stream: FIN (everything sent so far was read)
        }
        let got = if octet {
            read_octet(&mut r, &mut buf)
        } else {
            read_newline(&mut r, &mut buf)
        };
        match got {
            Ok(Some(msg)) => out.lock().unwrap().push(msg),
            Ok(None) => return, // EOF
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                continue
            }
            Err(e) => panic!("collector read: {e}"),
        }
    }
}

/// Reads `LEN SP MSG`; partial reads across timeouts are kept in `buf`.
fn read_octet(r: &mut BufReader<TcpStream>, buf: &mut Vec<u8>) -> std::io::Result<Option<String>> {
    loop {
        if let Some(sp) = buf.iter().position(|&b| b == b' ') {
            let len: usize = std::str::from_utf8(&buf[..sp])
                .unwrap()
                .parse()
                .expect("octet count");
            if buf.len() >= sp + 1 + len {
                let msg = String::from_utf8(buf[sp + 1..sp + 1 + len].to_vec()).unwrap();
                buf.drain(..sp + 1 + len);
                return Ok(Some(msg));
            }
        }
        let mut chunk = [0u8; 8192];
        let n = r.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn read_newline(
    r: &mut BufReader<TcpStream>,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    let n = r.read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "partial",
        ));
    }
    buf.pop();
    let msg = String::from_utf8(std::mem::take(buf)).unwrap();
    Ok(Some(msg))
}

/// A UDP collector on 127.0.0.1.
pub struct UdpCollector {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UdpCollector {
    pub fn start_on(port: u16) -> UdpCollector {
        let socket = UdpSocket::bind(("127.0.0.1", port)).expect("bind udp collector");
        let port = socket.local_addr().unwrap().port();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (messages.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !s.load(Ordering::SeqCst) {
                if let Ok(n) = socket.recv(&mut buf) {
                    m.lock().unwrap().push(buf[..n].to_vec());
                }
            }
        });
        UdpCollector {
            port,
            messages,
            stop,
            thread: Some(thread),
        }
    }

    pub fn count(&self) -> usize {
        self.messages.lock().unwrap().len()
    }

    pub fn url(&self) -> String {
        format!("udp://127.0.0.1:{}", self.port)
    }
}

impl Drop for UdpCollector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A port that nothing listens on right now (TCP and UDP).
pub fn free_port() -> u16 {
    loop {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Polls `shipper` until `done()` or `timeout`.
pub fn ship_until(
    shipper: &mut Shipper,
    timeout: Duration,
    mut done: impl FnMut() -> bool,
) -> ShipTotals {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out shipping: {:?}",
            shipper.totals()
        );
        let r = shipper.poll_once();
        if !r.more {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    shipper.totals().clone()
}

/// `request_id` of each received alarm message.
pub fn ids(messages: &[String]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            let s = parse_syslog(m);
            let v: Value =
                serde_json::from_str(&s.msg).unwrap_or_else(|e| panic!("{e}: {:.200}", s.msg));
            v["request_id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// A sink with short timeouts for tests.
pub fn sink(name: &str, url: &str) -> SinkConfig {
    let mut s = SinkConfig::new(name, url);
    s.connect_timeout_ms = 500;
    s.write_timeout_ms = 2000;
    s.reconnect_interval_ms = 50;
    s.logs = vec![LogKind::Alarm];
    s
}
