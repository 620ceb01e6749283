//! SQL entry points: mysqli, PDO, SQLite3, pgsql.
//!
//! Before the call: `sql` / `sqlPrepared` with the query, `dbConnection`
//! with where a connection goes. After a failed call: `sql_exception` with
//! the driver's own error code and message, read from the pending exception
//! or from the driver's error functions (whichever error mode the
//! application uses). `server` names the dialect the tokenizer should use.

use ext_php_rs::types::Zval;
use rasp_core::dbpolicy;
use rasp_core::dsn::{self, DbTarget};
use rasp_core::CheckType;
use serde_json::{json, Map, Value};

use super::Flow;
use crate::zend::{self, lossy, Call};
use crate::{check, logs, policy, state};

fn sql(t: CheckType, query: &[u8], server: &str) -> Flow {
    check::run_gated(
        t,
        &[("query", query), ("server", server.as_bytes())],
        || {
            json!({
                "query": lossy(query),
                "server": server,
            })
        },
    )
}

/// The query argument of a mysqli call: after the link in procedural style.
fn mysqli_arg(call: &Call, n: usize) -> usize {
    if call.this().is_some() {
        n
    } else {
        n + 1
    }
}

/// `mysqli_query($link, $q)` / `$mysqli->query($q)` and the real_/multi_ variants.
pub fn mysqli_query(call: &Call) -> Flow {
    match call.arg_str(mysqli_arg(call, 1)) {
        Some(q) => sql(CheckType::Sql, q, "mysql"),
        None => Flow::Continue,
    }
}

/// `mysqli_prepare`, `mysqli::prepare`, `mysqli_stmt_prepare`, `mysqli_stmt::prepare`.
pub fn mysqli_prepare(call: &Call) -> Flow {
    match call.arg_str(mysqli_arg(call, 1)) {
        Some(q) => sql(CheckType::SqlPrepared, q, "mysql"),
        None => Flow::Continue,
    }
}

/// The object a mysqli call works on: `$this`, or the first argument.
fn mysqli_object(call: &Call) -> Option<&Zval> {
    call.this_zval()
        .or_else(|| call.arg(1).filter(|z| zend::is_object(z)))
}

/// The call failed: it returned false or threw.
fn failed(ret: &Zval) -> bool {
    zend::is_false(ret) || zend::pending_exception().is_some()
}

fn exception_error(class: &str) -> Option<(String, String)> {
    let e = zend::pending_exception()?;
    if !zend::instance_of(e, class) {
        return None;
    }
    zend::exception_info().map(|(_, code, msg)| (code, msg))
}

fn string_of(z: Option<Zval>) -> String {
    z.and_then(|z| zend::scalar_bytes(&z).map(|b| lossy(&b)))
        .unwrap_or_default()
}

fn sql_exception(
    server: &str,
    query: Option<&[u8]>,
    code: String,
    msg: String,
    extra: Map<String, Value>,
) -> Flow {
    check::run(CheckType::SqlException, || {
        let mut m = Map::new();
        m.insert("server".into(), server.into());
        if let Some(q) = query {
            m.insert("query".into(), lossy(q).into());
        }
        m.insert("error_code".into(), code.into());
        m.insert("error_msg".into(), msg.into());
        m.extend(extra);
        Value::Object(m)
    })
}

/// Slow query log (policy 3010): a query that returned more rows than
/// `sql.slowquery.min_rows`, the classic sign of a table dumped through an
/// injection. `rows` asks the driver, only when the threshold is on and the
/// call returned a result set.
fn count_rows(server: &str, query: Option<&[u8]>, rows: impl FnOnce() -> Option<Zval>) {
    let cfg = state::config();
    let min = cfg.security.slowquery_min_rows;
    if min == 0 {
        return;
    }
    let Some(n) = rows().as_ref().and_then(zend::long) else {
        return;
    };
    if n < 0 || !dbpolicy::slow_query(&cfg.security, n as u64) {
        return;
    }
    let mut params = Map::new();
    params.insert("server".into(), server.into());
    params.insert("query".into(), lossy(query.unwrap_or_default()).into());
    params.insert("rows".into(), n.into());
    params.insert("stack".into(), zend::php_stack(cfg.plugin.maxstack).into());
    logs::policy(
        dbpolicy::SLOW_QUERY,
        &format!("{server} query returned {n} rows, more than sql.slowquery.min_rows ({min}): a possible dump of a table"),
        params,
    );
}

/// After a mysqli query/prepare: the rows of a result set (slow query
/// log), or on failure errno and error of the link (or statement).
pub fn mysqli_query_done(call: &Call, ret: &Zval) -> Flow {
    let query = call.arg_str(mysqli_arg(call, 1));
    if !failed(ret) {
        if zend::object(ret).is_some_and(|o| zend::instance_of(o, "mysqli_result")) {
            count_rows("mysql", query, || zend::call("mysqli_num_rows", &[ret]));
        }
        return Flow::Continue;
    }
    if !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let stmt = mysqli_object(call)
        .and_then(zend::object)
        .is_some_and(|o| zend::instance_of(o, "mysqli_stmt"));
    let (code, msg) = exception_error("mysqli_sql_exception").unwrap_or_else(|| {
        let Some(obj) = mysqli_object(call) else {
            return (String::new(), String::new());
        };
        let (errno, error) = if stmt {
            ("mysqli_stmt_errno", "mysqli_stmt_error")
        } else {
            ("mysqli_errno", "mysqli_error")
        };
        (
            string_of(zend::call(errno, &[obj])),
            string_of(zend::call(error, &[obj])),
        )
    });
    if code.is_empty() && msg.is_empty() {
        return Flow::Continue;
    }
    sql_exception("mysql", query, code, msg, Map::new())
}

fn ini_default(name: &str) -> String {
    zend::ini_string(name).unwrap_or_default()
}

/// Where a mysqli connect call goes: its arguments (host, user, password,
/// database, port, socket) starting at `first`, defaults from php.ini.
fn mysqli_target(call: &Call, first: usize) -> (DbTarget, String) {
    let s = |n: usize| {
        call.arg(first + n)
            .and_then(zend::scalar_bytes)
            .map(|b| lossy(&b))
    };
    let mut host = s(0)
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| ini_default("mysqli.default_host"));
    // "p:host" asks for a persistent connection.
    if let Some(h) = host.strip_prefix("p:") {
        host = h.to_string();
    }
    let user = s(1).unwrap_or_else(|| ini_default("mysqli.default_user"));
    let dbname = s(3).unwrap_or_default();
    let port = call
        .arg(first + 4)
        .and_then(zend::long)
        .filter(|p| *p > 0)
        .or_else(|| ini_default("mysqli.default_port").parse().ok())
        .unwrap_or(3306);
    if host.is_empty() {
        host = "localhost".into();
    }
    // mysqlnd uses the socket only for "localhost"; otherwise it is TCP.
    let socket = if host == "localhost" {
        s(5).filter(|x| !x.is_empty())
            .unwrap_or_else(|| ini_default("mysqli.default_socket"))
    } else {
        String::new()
    };
    let conn = format!(
        "mysql:host={host};port={port}{}{}",
        if dbname.is_empty() {
            String::new()
        } else {
            format!(";dbname={dbname}")
        },
        if socket.is_empty() {
            String::new()
        } else {
            format!(";unix_socket={socket}")
        }
    );
    (
        DbTarget {
            server: "mysql".into(),
            hostname: host,
            port: port.clamp(0, 65535) as u16,
            username: user,
            socket,
            dbname,
        },
        conn,
    )
}

fn connection_fields(t: &DbTarget, conn: &str) -> Map<String, Value> {
    let v = json!({
        "server": t.server,
        "hostname": t.hostname,
        "port": t.port.to_string(),
        "username": t.username,
        "socket": t.socket,
        "connectionString": dsn::redact(conn),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A connection about to be made: the database policy first (3008 a
/// high-privilege user, 3009 a weak password: logged once per server and
/// user, refused under `security.enforce_policy`), then the plugins'
/// `dbConnection` check.
fn db_connection(t: DbTarget, conn: String, password: Option<&str>) -> Flow {
    let cfg = state::config();
    let violations = dbpolicy::connection_violations(&cfg.security, &t, password);
    if !violations.is_empty() {
        for v in &violations {
            let mut params = Map::new();
            params.insert("server".into(), t.server.clone().into());
            params.insert("hostname".into(), t.hostname.clone().into());
            params.insert("port".into(), t.port.to_string().into());
            params.insert("username".into(), t.username.clone().into());
            policy::report(v.policy_id, &v.message, params);
        }
        if cfg.security.enforce_policy {
            let mut params = connection_fields(&t, &conn);
            params.insert(
                "policy_id".into(),
                violations
                    .iter()
                    .map(|v| v.policy_id)
                    .collect::<Vec<_>>()
                    .into(),
            );
            let flow = check::refuse(
                CheckType::DbConnection,
                "db_policy",
                &violations[0].message,
                Value::Object(params),
            );
            if flow == Flow::Skip {
                return flow;
            }
        }
    }
    if !check::wanted(CheckType::DbConnection) {
        return Flow::Continue;
    }
    check::run(CheckType::DbConnection, || {
        Value::Object(connection_fields(&t, &conn))
    })
}

/// A string argument, `None` when absent or null.
fn opt_string(call: &Call, n: usize) -> Option<String> {
    call.arg(n)
        .filter(|z| !zend::deref(z).is_null())
        .and_then(zend::scalar_bytes)
        .map(|b| lossy(&b))
}

/// The password of a mysqli connect call whose host is argument `first`;
/// absent or null means php.ini's `mysqli.default_pw`.
fn mysqli_password(call: &Call, first: usize) -> String {
    opt_string(call, first + 2).unwrap_or_else(|| ini_default("mysqli.default_pw"))
}

/// First argument of a mysqli connect call: `mysqli_real_connect($link,
/// $host, ...)` has the link first, the others start with the host.
fn mysqli_connect_first(call: &Call, real: bool) -> usize {
    if real && call.this().is_none() {
        2
    } else {
        1
    }
}

/// `mysqli_connect()`, `mysqli::connect()`, `new mysqli()`.
pub fn mysqli_connect(call: &Call) -> Flow {
    let (t, conn) = mysqli_target(call, 1);
    db_connection(t, conn, Some(&mysqli_password(call, 1)))
}

/// `mysqli_real_connect($link, ...)` / `$mysqli->real_connect(...)`.
pub fn mysqli_real_connect(call: &Call) -> Flow {
    let first = mysqli_connect_first(call, true);
    let (t, conn) = mysqli_target(call, first);
    db_connection(t, conn, Some(&mysqli_password(call, first)))
}

fn mysqli_connect_error(call: &Call, real: bool, ret: &Zval) -> Flow {
    if !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    // A connection made (mysqli_connect's object, connect()'s true): asking
    // for the error would be two PHP calls per request for nothing.
    if zend::is_object(ret) || zend::truthy(ret) == Some(true) {
        return Flow::Continue;
    }
    // `new mysqli()` returns nothing and reports through connect_errno.
    let (code, msg) = exception_error("mysqli_sql_exception").unwrap_or_else(|| {
        (
            string_of(zend::call("mysqli_connect_errno", &[])),
            string_of(zend::call("mysqli_connect_error", &[])),
        )
    });
    if code.is_empty() || code == "0" {
        return Flow::Continue;
    }
    let (t, conn) = mysqli_target(call, mysqli_connect_first(call, real));
    sql_exception("mysql", None, code, msg, connection_fields(&t, &conn))
}

pub fn mysqli_connect_failed(call: &Call, ret: &Zval) -> Flow {
    mysqli_connect_error(call, false, ret)
}

pub fn mysqli_real_connect_failed(call: &Call, ret: &Zval) -> Flow {
    mysqli_connect_error(call, true, ret)
}

thread_local! {
    /// Driver names of PDO objects seen in this process: (handle, object
    /// address, driver). After a failed call the driver cannot be asked
    /// again: PDO::getAttribute() clears the error state the application
    /// is about to read with errorInfo().
    static PDO_DRIVERS: std::cell::RefCell<Vec<(u32, usize, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn cached_driver(obj: &ext_php_rs::types::ZendObject) -> Option<String> {
    let addr = obj as *const _ as usize;
    PDO_DRIVERS.with(|d| {
        d.borrow()
            .iter()
            .find(|(h, a, _)| *h == obj.handle && *a == addr)
            .map(|(_, _, n)| n.clone())
    })
}

/// The PDO driver of `$this` (`mysql`, `pgsql`, `sqlite` ...). Asked from
/// PDO itself before the call (the call clears PDO's error state anyway)
/// and remembered for the after-call hook.
fn pdo_driver(call: &Call) -> String {
    const ATTR_DRIVER_NAME: i64 = 16;
    let Some(obj) = call.this() else {
        return "pdo".into();
    };
    if let Some(d) = cached_driver(obj) {
        return d;
    }
    let mut attr = Zval::new();
    attr.set_long(ATTR_DRIVER_NAME);
    let Some(name) = zend::call_method(obj, "getattribute", &[&attr])
        .and_then(|z| zend::str_bytes(&z).map(lossy))
    else {
        return "pdo".into();
    };
    remember_driver(obj, Some(name.clone()));
    name
}

/// Records (or with `None` forgets) the driver of a PDO object.
fn remember_driver(obj: &ext_php_rs::types::ZendObject, driver: Option<String>) {
    let addr = obj as *const _ as usize;
    PDO_DRIVERS.with(|d| {
        let mut d = d.borrow_mut();
        d.retain(|(h, a, _)| *h != obj.handle && *a != addr);
        let Some(name) = driver else { return };
        if d.len() >= 32 {
            d.remove(0);
        }
        d.push((obj.handle, addr, name));
    });
}

fn pdo(call: &Call, t: CheckType) -> Flow {
    let Some(q) = call.arg_str(1) else {
        return Flow::Continue;
    };
    let want = check::wanted(t);
    if !want && !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let server = pdo_driver(call);
    if !want {
        return Flow::Continue;
    }
    sql(t, q, &server)
}

pub fn pdo_query(call: &Call) -> Flow {
    pdo(call, CheckType::Sql)
}

pub fn pdo_prepare(call: &Call) -> Flow {
    pdo(call, CheckType::SqlPrepared)
}

/// `[sqlstate, driver code, message]` from a PDO errorInfo array.
fn error_info(z: &Zval) -> Option<(String, String, String)> {
    let mut parts = Vec::new();
    zend::for_each(z, |_, v| {
        parts.push(zend::scalar_bytes(v).map(|b| lossy(&b)).unwrap_or_default());
        parts.len() < 3
    });
    if parts.len() < 3 || parts[0] == "00000" {
        return None;
    }
    let mut it = parts.into_iter();
    Some((it.next()?, it.next()?, it.next()?))
}

/// The driver's error code: SQLSTATE for pgsql (its driver code is always 7),
/// the native code otherwise (MySQL 1064, SQLite 1 ...).
fn pdo_code(server: &str, sqlstate: &str, code: &str) -> String {
    if server == "pgsql" || code.is_empty() {
        sqlstate.to_string()
    } else {
        code.to_string()
    }
}

/// After PDO::query/exec/prepare: the errorInfo of the exception or the handle.
pub fn pdo_done(call: &Call, ret: &Zval) -> Flow {
    let server = || {
        call.this()
            .and_then(cached_driver)
            .unwrap_or_else(|| "pdo".into())
    };
    if !failed(ret) {
        // PDO::query's statement; pdo_sqlite always counts 0 rows.
        if let Some(stmt) = zend::object(ret) {
            count_rows(&server(), call.arg_str(1), || {
                zend::call_method(stmt, "rowcount", &[])
            });
        }
        return Flow::Continue;
    }
    if !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let server = server();
    let info = zend::pending_exception()
        .filter(|e| zend::instance_of(e, "pdoexception"))
        .and_then(|e| zend::property(e, "errorInfo"))
        .and_then(|z| error_info(&z))
        .or_else(|| {
            call.this()
                .and_then(|o| zend::call_method(o, "errorinfo", &[]))
                .and_then(|z| error_info(&z))
        });
    let Some((state, code, msg)) = info else {
        return Flow::Continue;
    };
    let mut extra = Map::new();
    extra.insert("sqlstate".into(), state.clone().into());
    sql_exception(
        &server,
        call.arg_str(1),
        pdo_code(&server, &state, &code),
        msg,
        extra,
    )
}

fn pdo_target(call: &Call) -> Option<(DbTarget, String)> {
    let dsn = lossy(call.arg_str(1)?);
    let user = call.arg_str(2).map(lossy).unwrap_or_default();
    Some((dsn::pdo(&dsn, &user), dsn))
}

/// `new PDO($dsn, $user, ...)`.
pub fn pdo_construct(call: &Call) -> Flow {
    let Some((t, dsn)) = pdo_target(call) else {
        return Flow::Continue;
    };
    // Object handles and addresses are reused once an object is freed: the
    // driver remembered for an earlier PDO must not answer for this one.
    if let Some(obj) = call.this() {
        let known = dsn.contains(':') && !dsn.starts_with("uri:");
        remember_driver(obj, known.then(|| t.server.clone()));
    }
    // pdo_pgsql hands the DSN to libpq, which may carry the password itself
    // or read it from the environment; pdo_mysql sends what it is given.
    let password = match opt_string(call, 3) {
        Some(p) => Some(p),
        None if t.server == "pgsql" => {
            let rest = dsn.split_once(':').map_or("", |(_, r)| r);
            dsn::libpq_password(&rest.replace(';', " "))
        }
        None => Some(String::new()),
    };
    db_connection(t, dsn, password.as_deref())
}

/// A failed `new PDO()` always throws PDOException.
pub fn pdo_construct_failed(call: &Call, _ret: &Zval) -> Flow {
    let Some(e) = zend::pending_exception() else {
        return Flow::Continue;
    };
    if !zend::instance_of(e, "pdoexception") || !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let Some((t, dsn)) = pdo_target(call) else {
        return Flow::Continue;
    };
    let (state, code, msg) = zend::property(e, "errorInfo")
        .and_then(|z| error_info(&z))
        .or_else(|| zend::exception_info().map(|(_, code, msg)| (code.clone(), code, msg)))
        .unwrap_or_default();
    let mut extra = connection_fields(&t, &dsn);
    extra.insert("sqlstate".into(), state.clone().into());
    let server = t.server.clone();
    sql_exception(&server, None, pdo_code(&server, &state, &code), msg, extra)
}

pub fn sqlite3_query(call: &Call) -> Flow {
    match call.arg_str(1) {
        Some(q) => sql(CheckType::Sql, q, "sqlite"),
        None => Flow::Continue,
    }
}

pub fn sqlite3_prepare(call: &Call) -> Flow {
    match call.arg_str(1) {
        Some(q) => sql(CheckType::SqlPrepared, q, "sqlite"),
        None => Flow::Continue,
    }
}

/// After SQLite3::query/exec/querySingle/prepare: lastErrorCode/Msg.
pub fn sqlite3_failed(call: &Call, ret: &Zval) -> Flow {
    if !failed(ret) || !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let Some(obj) = call.this() else {
        return Flow::Continue;
    };
    let code = string_of(zend::call_method(obj, "lasterrorcode", &[]));
    let msg = string_of(zend::call_method(obj, "lasterrormsg", &[]));
    if code.is_empty() || code == "0" {
        return Flow::Continue;
    }
    sql_exception("sqlite", call.arg_str(1), code, msg, Map::new())
}

/// The query of `pg_query([$conn,] $q)`-shaped calls: argument `n` of the
/// `n`-argument form, else `n - 1` (the connection was left out).
fn pg_arg(call: &Call, full: usize) -> usize {
    if call.num_args() >= full {
        full
    } else {
        full - 1
    }
}

/// `pg_query([$conn,] $q)`, `pg_send_query($conn, $q)`.
pub fn pg_query(call: &Call) -> Flow {
    match call.arg_str(pg_arg(call, 2)) {
        Some(q) => sql(CheckType::Sql, q, "pgsql"),
        None => Flow::Continue,
    }
}

/// `pg_query_params([$conn,] $q, $params)`, `pg_send_query_params($conn, $q, $params)`.
pub fn pg_query_params(call: &Call) -> Flow {
    match call.arg_str(pg_arg(call, 3) - 1) {
        Some(q) => sql(CheckType::Sql, q, "pgsql"),
        None => Flow::Continue,
    }
}

/// `pg_prepare([$conn,] $name, $q)`, `pg_send_prepare($conn, $name, $q)`.
pub fn pg_prepare(call: &Call) -> Flow {
    match call.arg_str(pg_arg(call, 3)) {
        Some(q) => sql(CheckType::SqlPrepared, q, "pgsql"),
        None => Flow::Continue,
    }
}

/// The message of the last PHP warning (the pgsql functions report their
/// errors that way when no connection is at hand).
fn last_warning(prefix_end: &str) -> String {
    let Some(e) = zend::call("error_get_last", &[]) else {
        return String::new();
    };
    let msg = zend::array_get(&e, "message")
        .and_then(zend::str_bytes)
        .map(lossy)
        .unwrap_or_default();
    match msg.find(prefix_end) {
        Some(i) => msg[i + prefix_end.len()..].trim().to_string(),
        None => msg,
    }
}

fn pg_done(call: &Call, ret: &Zval, query_arg: usize) -> Flow {
    if zend::object(ret).is_some_and(|o| zend::instance_of(o, "pgsql\\result")) {
        count_rows("pgsql", call.arg_str(query_arg), || {
            zend::call("pg_num_rows", &[ret])
        });
        return Flow::Continue;
    }
    if !zend::is_false(ret) || !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let conn = call.arg(1).filter(|z| zend::is_object(z));
    let msg = match conn {
        Some(c) => string_of(zend::call("pg_last_error", &[c])),
        None => last_warning("failed:"),
    };
    // libpq keeps no SQLSTATE once the failed result is freed.
    sql_exception(
        "pgsql",
        call.arg_str(query_arg),
        String::new(),
        msg.trim().to_string(),
        Map::new(),
    )
}

pub fn pg_query_done(call: &Call, ret: &Zval) -> Flow {
    pg_done(call, ret, pg_arg(call, 2))
}

pub fn pg_query_params_done(call: &Call, ret: &Zval) -> Flow {
    pg_done(call, ret, pg_arg(call, 3) - 1)
}

pub fn pg_prepare_failed(call: &Call, ret: &Zval) -> Flow {
    pg_done(call, ret, pg_arg(call, 3))
}

/// `pg_connect($conninfo)`, `pg_pconnect($conninfo)`.
pub fn pg_connect(call: &Call) -> Flow {
    let Some(c) = call.arg_str(1) else {
        return Flow::Continue;
    };
    let conn = lossy(c);
    let password = dsn::libpq_password(&conn);
    db_connection(dsn::libpq(&conn), conn, password.as_deref())
}

pub fn pg_connect_failed(call: &Call, ret: &Zval) -> Flow {
    if !zend::is_false(ret) || !check::wanted(CheckType::SqlException) {
        return Flow::Continue;
    }
    let Some(c) = call.arg_str(1) else {
        return Flow::Continue;
    };
    let conn = lossy(c);
    let t = dsn::libpq(&conn);
    let msg = last_warning("server:");
    sql_exception(
        "pgsql",
        None,
        String::new(),
        msg,
        connection_fields(&t, &conn),
    )
}
