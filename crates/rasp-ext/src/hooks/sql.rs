//! SQL entry points: mysqli, PDO, SQLite3, pgsql. `server` names the dialect
//! the tokenizer should use.

use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, Call};

fn sql(t: CheckType, query: &[u8], server: &str) -> Flow {
    check::run(t, || {
        json!({
            "query": zend_lossy(query),
            "server": server,
        })
    })
}

fn zend_lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `mysqli_query($link, $q)` / `$mysqli->query($q)` and the real_/multi_ variants.
pub fn mysqli_query(call: &Call) -> Flow {
    let arg = if call.this().is_some() { 1 } else { 2 };
    match call.arg_str(arg) {
        Some(q) => sql(CheckType::Sql, q, "mysql"),
        None => Flow::Continue,
    }
}

pub fn mysqli_prepare(call: &Call) -> Flow {
    let arg = if call.this().is_some() { 1 } else { 2 };
    match call.arg_str(arg) {
        Some(q) => sql(CheckType::SqlPrepared, q, "mysql"),
        None => Flow::Continue,
    }
}

/// The PDO driver of `$this` (`mysql`, `pgsql`, `sqlite` ...), asked from
/// PDO itself, only when a check will run.
fn pdo_driver(call: &Call) -> String {
    const ATTR_DRIVER_NAME: i64 = 16;
    call.this()
        .and_then(|obj| {
            obj.try_call_method("getattribute", vec![&ATTR_DRIVER_NAME])
                .ok()
        })
        .and_then(|z| zend::str_bytes(&z).map(|b| String::from_utf8_lossy(b).into_owned()))
        .unwrap_or_else(|| "pdo".to_string())
}

fn pdo(call: &Call, t: CheckType) -> Flow {
    let Some(q) = call.arg_str(1) else {
        return Flow::Continue;
    };
    if !check::wanted(t) {
        return Flow::Continue;
    }
    let server = pdo_driver(call);
    sql(t, q, &server)
}

pub fn pdo_query(call: &Call) -> Flow {
    pdo(call, CheckType::Sql)
}

pub fn pdo_prepare(call: &Call) -> Flow {
    pdo(call, CheckType::SqlPrepared)
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

/// `pg_query([$conn,] $q)`: the query is the last of one or two arguments.
pub fn pg_query(call: &Call) -> Flow {
    match call.arg_str(call.num_args().min(2)) {
        Some(q) => sql(CheckType::Sql, q, "pgsql"),
        None => Flow::Continue,
    }
}

/// `pg_prepare([$conn,] $name, $q)`.
pub fn pg_prepare(call: &Call) -> Flow {
    match call.arg_str(call.num_args().min(3)) {
        Some(q) => sql(CheckType::SqlPrepared, q, "pgsql"),
        None => Flow::Continue,
    }
}
