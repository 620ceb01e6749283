//! Command execution: system, exec, passthru, shell_exec (and backticks,
//! which compile to it), popen, proc_open, pcntl_exec, and mail()'s fifth
//! argument (extra sendmail options, the classic `-X` / `-O` injection).
//!
//! Besides the `command` plugin check, a command line that is exactly a
//! request value is a web shell (`system($_GET['c'])`): `webshell_command`.

use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, Call};

fn command(cmd: String) -> Flow {
    check::run(CheckType::Command, || json!({ "command": cmd }))
}

/// The built-in check: the whole command line came from the request.
fn webshell(cmd: &[u8]) -> Flow {
    if check::native_wanted(CheckType::WebshellCommand) && check::from_request(cmd) {
        return check::native(
            CheckType::WebshellCommand,
            "command line taken verbatim from the request (web shell)",
            || json!({ "command": String::from_utf8_lossy(cmd) }),
        );
    }
    Flow::Continue
}

/// Functions whose first argument is a shell command line.
pub fn first_arg(call: &Call) -> Flow {
    match call.arg(1).and_then(zend::scalar_bytes) {
        Some(c) => {
            if webshell(&c) == Flow::Skip {
                return Flow::Skip;
            }
            if !check::wanted(CheckType::Command) {
                return Flow::Continue;
            }
            command(String::from_utf8_lossy(&c).into_owned())
        }
        None => Flow::Continue,
    }
}

/// Quotes one argv element the way a shell would need it, so that plugins
/// tokenizing the joined line see exactly the argv boundaries.
fn shell_quote(arg: &[u8]) -> String {
    let s = String::from_utf8_lossy(arg);
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn argv_line(items: &ext_php_rs::types::Zval, prefix: Option<&[u8]>) -> String {
    let mut parts: Vec<String> = prefix.map(shell_quote).into_iter().collect();
    zend::for_each(items, |_, v| {
        if let Some(b) = zend::scalar_bytes(v) {
            parts.push(shell_quote(&b));
        }
        parts.len() < 4096
    });
    parts.join(" ")
}

/// `proc_open(string|array $command, ...)`: an array runs without a shell.
pub fn proc_open(call: &Call) -> Flow {
    let Some(arg) = call.arg(1) else {
        return Flow::Continue;
    };
    if let Some(c) = zend::str_bytes(arg) {
        if webshell(c) == Flow::Skip {
            return Flow::Skip;
        }
    }
    if !check::wanted(CheckType::Command) {
        return Flow::Continue;
    }
    if let Some(c) = zend::str_bytes(arg) {
        command(String::from_utf8_lossy(c).into_owned())
    } else if zend::is_array(arg) {
        command(argv_line(arg, None))
    } else {
        Flow::Continue
    }
}

/// `pcntl_exec($path, $args = [])`.
pub fn pcntl_exec(call: &Call) -> Flow {
    let Some(path) = call.arg_str(1) else {
        return Flow::Continue;
    };
    if !check::wanted(CheckType::Command) {
        return Flow::Continue;
    }
    let line = match call.arg(2) {
        Some(args) if zend::is_array(args) => argv_line(args, Some(path)),
        _ => shell_quote(path),
    };
    command(line)
}

/// `mail($to, $subject, $message, $headers, $params)`: the fifth argument
/// is appended to the sendmail command line (after escapeshellcmd, which
/// does not stop option injection); the check sees the whole line.
pub fn mail(call: &Call) -> Flow {
    let Some(extra) = call.arg(5).and_then(zend::scalar_bytes) else {
        return Flow::Continue;
    };
    if extra.is_empty() || !check::wanted(CheckType::Command) {
        return Flow::Continue;
    }
    let sendmail = zend::ini_string("sendmail_path").unwrap_or_else(|| "sendmail -t -i".into());
    command(format!("{sendmail} {}", String::from_utf8_lossy(&extra)))
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(b"ls"), "ls");
        assert_eq!(shell_quote(b"a b"), "'a b'");
        assert_eq!(shell_quote(b"it's"), "'it'\\''s'");
        assert_eq!(shell_quote(b""), "''");
        assert_eq!(shell_quote(b"; id"), "'; id'");
    }
}
