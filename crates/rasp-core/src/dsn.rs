//! Database connection targets for `dbConnection` checks: PDO DSNs and
//! libpq connection strings -> server, host, port, user, socket.
//!
//! Plugins use these to flag connections to unexpected hosts or with
//! privileged users (`root`, `postgres`), so the parse follows what the
//! drivers accept: `;`-separated PDO options, libpq `key=value` pairs with
//! quoting, and `postgresql://` URIs.

use crate::url::percent_decode;

/// Where a connection goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbTarget {
    /// `mysql`, `pgsql`, `sqlite`, or the PDO driver name.
    pub server: String,
    pub hostname: String,
    /// Explicit port, else the server's default (0 for none, e.g. sqlite).
    pub port: u16,
    pub username: String,
    pub socket: String,
    pub dbname: String,
}

pub fn default_port(server: &str) -> u16 {
    match server {
        "mysql" => 3306,
        "pgsql" => 5432,
        "sqlsrv" | "dblib" => 1433,
        "oci" => 1521,
        _ => 0,
    }
}

/// Parses a PDO DSN (`mysql:host=h;port=1;dbname=d`, `pgsql:...`,
/// `sqlite:/path`). `username` is PDO's second argument, used unless the
/// DSN names a user itself.
pub fn pdo(dsn: &str, username: &str) -> DbTarget {
    let (driver, rest) = dsn.split_once(':').unwrap_or((dsn, ""));
    let server = driver.trim().to_ascii_lowercase();
    let mut t = DbTarget {
        server: server.clone(),
        username: username.to_string(),
        ..Default::default()
    };
    match server.as_str() {
        "sqlite" | "sqlite2" => {
            t.server = "sqlite".into();
            t.dbname = rest.to_string();
            return t;
        }
        // pdo_pgsql turns `;` into spaces and hands the rest to libpq.
        "pgsql" => {
            let mut p = libpq(&rest.replace(';', " "));
            if p.username.is_empty() {
                p.username = username.to_string();
            }
            return p;
        }
        _ => {}
    }
    for pair in rest.split(';') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "host" | "server" | "hostname" => t.hostname = v,
            "port" => t.port = v.parse().unwrap_or(0),
            "unix_socket" => t.socket = v,
            "dbname" | "database" => t.dbname = v,
            "user" | "uid" if username.is_empty() => t.username = v,
            _ => {}
        }
    }
    // sqlsrv/dblib: `Server=host,port`.
    if let Some((h, p)) = t.hostname.clone().split_once(',') {
        t.hostname = h.to_string();
        t.port = p.trim().parse().unwrap_or(0);
    }
    if server == "mysql" && t.hostname.is_empty() && t.socket.is_empty() {
        t.hostname = "localhost".into();
    }
    if t.port == 0 {
        t.port = default_port(&t.server);
    }
    t
}

/// Parses a libpq connection string: `host=h port=5432 dbname=d user=u`
/// (values may be single-quoted with `\'` and `\\` escapes) or a
/// `postgres[ql]://user:pw@host:port/db?opt=v` URI.
pub fn libpq(conninfo: &str) -> DbTarget {
    let mut t = DbTarget {
        server: "pgsql".into(),
        ..Default::default()
    };
    let s = conninfo.trim();
    let pairs = if s.starts_with("postgresql://") || s.starts_with("postgres://") {
        uri_pairs(s)
    } else {
        kv_pairs(s)
    };
    for (k, v) in pairs {
        match k.as_str() {
            "host" => t.hostname = v,
            "hostaddr" if t.hostname.is_empty() => t.hostname = v,
            "port" => t.port = v.split(',').next().unwrap_or("").parse().unwrap_or(0),
            "user" => t.username = v,
            "dbname" => t.dbname = v,
            _ => {}
        }
    }
    // A host starting with '/' is a Unix socket directory.
    if t.hostname.starts_with('/') {
        t.socket = std::mem::take(&mut t.hostname);
    }
    if t.port == 0 {
        t.port = 5432;
    }
    t
}

fn kv_pairs(s: &str) -> Vec<(String, String)> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_whitespace() {
            *i += 1;
        }
    };
    while i < b.len() {
        skip_ws(&mut i);
        let ks = i;
        while i < b.len() && b[i] != '=' && !b[i].is_whitespace() {
            i += 1;
        }
        let key: String = b[ks..i].iter().collect();
        skip_ws(&mut i);
        if i >= b.len() || b[i] != '=' {
            break;
        }
        i += 1;
        skip_ws(&mut i);
        let mut val = String::new();
        let quoted = i < b.len() && b[i] == '\'';
        if quoted {
            i += 1;
        }
        while i < b.len()
            && (if quoted {
                b[i] != '\''
            } else {
                !b[i].is_whitespace()
            })
        {
            if b[i] == '\\' && i + 1 < b.len() {
                i += 1;
            }
            val.push(b[i]);
            i += 1;
        }
        if quoted {
            i += 1;
        }
        out.push((key.to_ascii_lowercase(), val));
    }
    out
}

fn uri_pairs(s: &str) -> Vec<(String, String)> {
    let rest = s.split_once("://").map_or("", |(_, r)| r);
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, db) = main.split_once('/').unwrap_or((main, ""));
    let mut out = Vec::new();
    let hostport = match authority.rsplit_once('@') {
        Some((userinfo, h)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            out.push(("user".to_string(), percent_decode(user)));
            if userinfo.contains(':') {
                out.push(("password".to_string(), percent_decode(password)));
            }
            h
        }
        None => authority,
    };
    let (host, port) = if let Some(r) = hostport.strip_prefix('[') {
        match r.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').unwrap_or("")),
            None => (r, ""),
        }
    } else {
        hostport.rsplit_once(':').unwrap_or((hostport, ""))
    };
    if !host.is_empty() {
        out.push(("host".into(), percent_decode(host)));
    }
    if !port.is_empty() {
        out.push(("port".into(), port.to_string()));
    }
    if !db.is_empty() {
        out.push(("dbname".into(), percent_decode(db)));
    }
    for pair in query.split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            out.push((k.to_ascii_lowercase(), percent_decode(v)));
        }
    }
    out
}

/// The password a libpq connection string gives itself (`password=` or
/// the `user:password@` of a URI); `None` when it names none, so libpq
/// takes it from `PGPASSWORD` or `~/.pgpass`, which we cannot see.
pub fn libpq_password(conninfo: &str) -> Option<String> {
    let s = conninfo.trim();
    let pairs = if s.starts_with("postgresql://") || s.starts_with("postgres://") {
        uri_pairs(s)
    } else {
        kv_pairs(s)
    };
    pairs
        .into_iter()
        .rev()
        .find_map(|(k, v)| (k == "password").then_some(v))
}

/// A connection string with its password replaced by `******`, so that
/// alarms and plugin logs never carry database credentials: libpq
/// `password=...` (quoted or not), PDO `password=`/`pwd=`, and the
/// `user:password@` of URIs.
pub fn redact(conn: &str) -> String {
    let mut out = String::with_capacity(conn.len());
    let lower = conn.to_ascii_lowercase();
    let b = conn.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let key_at = ["password", "pwd"].iter().find_map(|k| {
            let starts_word =
                i == 0 || matches!(b[i - 1], b' ' | b';' | b'\t' | b'?' | b'&' | b':');
            (starts_word && lower[i..].starts_with(k)).then_some(k.len())
        });
        if let Some(klen) = key_at {
            let mut j = i + klen;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j] == b' ' {
                    j += 1;
                }
                out.push_str(&conn[i..j]);
                out.push_str("******");
                // Skip the value: quoted with escapes, or up to a separator.
                if j < b.len() && b[j] == b'\'' {
                    j += 1;
                    while j < b.len() && b[j] != b'\'' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    j = (j + 1).min(b.len());
                } else {
                    while j < b.len() && !matches!(b[j], b' ' | b';' | b'&' | b'\t') {
                        j += 1;
                    }
                }
                i = j;
                continue;
            }
        }
        let c = conn[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    // URI userinfo: scheme://user:password@host
    if let Some(s) = out.find("://") {
        let rest_start = s + 3;
        let end = out[rest_start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |e| rest_start + e);
        if let Some(at) = out[rest_start..end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let user = userinfo[..colon].to_string();
                out = format!(
                    "{}{}:******{}",
                    &out[..rest_start],
                    user,
                    &out[rest_start + at..]
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn libpq_password_from_pairs_and_uris() {
        assert_eq!(
            libpq_password("host=h user=u password='a b\\'c'").as_deref(),
            Some("a b'c")
        );
        assert_eq!(
            libpq_password("host=h password='' dbname=d").as_deref(),
            Some("")
        );
        assert_eq!(
            libpq_password("postgresql://u:p%40ss@h/db").as_deref(),
            Some("p@ss")
        );
        assert_eq!(libpq_password("postgresql://u:@h/db").as_deref(), Some(""));
        assert_eq!(libpq_password("postgresql://u@h/db"), None);
        assert_eq!(libpq_password("host=h user=u"), None);
        assert_eq!(libpq("postgresql://u:pw@h:5433/db").username, "u");
    }

    #[test]
    fn pdo_mysql() {
        let t = pdo(
            "mysql:host=127.0.0.1;port=3307;dbname=app;charset=utf8mb4",
            "root",
        );
        assert_eq!(
            t,
            DbTarget {
                server: "mysql".into(),
                hostname: "127.0.0.1".into(),
                port: 3307,
                username: "root".into(),
                socket: "".into(),
                dbname: "app".into()
            }
        );
        let t = pdo("mysql:unix_socket=/run/mysqld.sock;dbname=x", "u");
        assert_eq!(
            (t.socket.as_str(), t.hostname.as_str(), t.port),
            ("/run/mysqld.sock", "", 3306)
        );
        assert_eq!(pdo("mysql:dbname=x", "").hostname, "localhost");
    }

    #[test]
    fn pdo_pgsql_and_sqlite() {
        let t = pdo("pgsql:host=db;port=6543;dbname=app;user=postgres", "");
        assert_eq!(
            (
                t.server.as_str(),
                t.hostname.as_str(),
                t.port,
                t.username.as_str()
            ),
            ("pgsql", "db", 6543, "postgres")
        );
        let t = pdo("pgsql:host=db", "admin");
        assert_eq!((t.username.as_str(), t.port), ("admin", 5432));
        let t = pdo("sqlite:/var/db/app.sqlite", "");
        assert_eq!(
            (t.server.as_str(), t.dbname.as_str(), t.port),
            ("sqlite", "/var/db/app.sqlite", 0)
        );
        assert_eq!(pdo("sqlite::memory:", "").dbname, ":memory:");
    }

    #[test]
    fn libpq_strings() {
        let t = libpq("host=127.0.0.1 port = 5433 dbname='my db' user=o\\'neil password='p w'");
        assert_eq!(
            (
                t.hostname.as_str(),
                t.port,
                t.dbname.as_str(),
                t.username.as_str()
            ),
            ("127.0.0.1", 5433, "my db", "o'neil")
        );
        let t = libpq("host=/var/run/postgresql dbname=x");
        assert_eq!(
            (t.socket.as_str(), t.hostname.as_str()),
            ("/var/run/postgresql", "")
        );
        let t = libpq("postgresql://us%40er:pw@[::1]:6000/db?sslmode=require");
        assert_eq!(
            (
                t.username.as_str(),
                t.hostname.as_str(),
                t.port,
                t.dbname.as_str()
            ),
            ("us@er", "::1", 6000, "db")
        );
        let t = libpq("postgres://h/d");
        assert_eq!((t.hostname.as_str(), t.port), ("h", 5432));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("host=h password=secret user=u"),
            "host=h password=****** user=u"
        );
        assert_eq!(
            redact("host=h password = 'se cr\\'et' dbname=d"),
            "host=h password = ****** dbname=d"
        );
        assert_eq!(
            redact("pgsql:host=h;password=x;dbname=d"),
            "pgsql:host=h;password=******;dbname=d"
        );
        assert_eq!(redact("Driver=x;PWD=abc"), "Driver=x;PWD=******");
        assert_eq!(
            redact("postgresql://u:pw@h:5/d?password=q"),
            "postgresql://u:******@h:5/d?password=******"
        );
        assert_eq!(
            redact("mysql:host=h;dbname=passwords"),
            "mysql:host=h;dbname=passwords"
        );
        assert_eq!(redact("sqlite:/tmp/pwd=1.db"), "sqlite:/tmp/pwd=1.db");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,120}") {
            let _ = redact(&s);
            let _ = pdo(&s, "u");
            let _ = libpq(&s);
            let _ = libpq(&format!("postgresql://{s}"));
        }
    }
}
