//! Database connection policy: connecting as a high-privilege account or
//! with a weak password (policies 3008 and 3009 of the policy log).
//!
//! Both are judged before the driver connects, from what the application
//! passes: an injection that reaches a `root` connection can read every
//! database on the server, and a password from a cracking list is the
//! first thing an attacker with the config file's neighbour tries. Whether
//! the account really holds `ALL PRIVILEGES` would take a query on the
//! application's connection; the configured list of account names stands
//! in for it (`security.privileged_users`).

use crate::config::SecurityConfig;
use crate::dsn::DbTarget;

/// Policy id of a connection as a high-privilege user.
pub const PRIVILEGED_USER: &str = "3008";
/// Policy id of a connection with a weak password.
pub const WEAK_PASSWORD: &str = "3009";
/// Policy id of a query that returned more rows than `sql.slowquery.min_rows`.
pub const SLOW_QUERY: &str = "3010";

/// One policy violation of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub policy_id: &'static str,
    pub message: String,
}

/// The violations of connecting to `t` with `password` (`None`: the call
/// does not say, e.g. libpq reading `PGPASSWORD`; such a connection is not
/// judged on its password). SQLite has no accounts.
pub fn connection_violations(
    cfg: &SecurityConfig,
    t: &DbTarget,
    password: Option<&str>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if t.server == "sqlite" {
        return out;
    }
    let user = t.username.trim();
    if !user.is_empty()
        && cfg
            .privileged_users
            .iter()
            .any(|p| p.eq_ignore_ascii_case(user))
    {
        out.push(Violation {
            policy_id: PRIVILEGED_USER,
            message: format!(
                "{} connection as the high-privilege user '{user}' ({}:{}): connect as an account limited to the application's database",
                t.server, t.hostname, t.port
            ),
        });
    }
    if let Some(pw) = password {
        if cfg.weak_passwords.iter().any(|w| w == pw) {
            let shown = if pw.is_empty() {
                "an empty password"
            } else {
                "a password from the weak-password list"
            };
            out.push(Violation {
                policy_id: WEAK_PASSWORD,
                message: format!(
                    "{} connection as '{user}' ({}:{}) with {shown}: use a long random password",
                    t.server, t.hostname, t.port
                ),
            });
        }
    }
    out
}

/// Whether a query that returned `rows` rows is logged as a possible dump.
pub fn slow_query(cfg: &SecurityConfig, rows: u64) -> bool {
    cfg.slowquery_min_rows > 0 && rows > cfg.slowquery_min_rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RaspConfig;

    fn target(server: &str, user: &str) -> DbTarget {
        DbTarget {
            server: server.into(),
            hostname: "127.0.0.1".into(),
            port: 3306,
            username: user.into(),
            ..Default::default()
        }
    }

    fn ids(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.policy_id).collect()
    }

    #[test]
    fn privileged_users_match_without_case() {
        let cfg = RaspConfig::default().security;
        assert_eq!(
            ids(&connection_violations(
                &cfg,
                &target("mysql", "ROOT"),
                Some("k8#Lq0-long")
            )),
            ["3008"]
        );
        assert_eq!(
            ids(&connection_violations(
                &cfg,
                &target("pgsql", "postgres"),
                None
            )),
            ["3008"]
        );
        assert!(
            connection_violations(&cfg, &target("mysql", "shop"), Some("k8#Lq0-long")).is_empty()
        );
        assert!(connection_violations(&cfg, &target("mysql", "rootless"), None).is_empty());
    }

    #[test]
    fn weak_passwords_are_exact_and_unknown_ones_pass() {
        let cfg = RaspConfig::default().security;
        assert_eq!(
            ids(&connection_violations(
                &cfg,
                &target("mysql", "shop"),
                Some("123456")
            )),
            ["3009"]
        );
        assert_eq!(
            ids(&connection_violations(
                &cfg,
                &target("mysql", "shop"),
                Some("")
            )),
            ["3009"]
        );
        assert!(connection_violations(&cfg, &target("mysql", "shop"), Some("123456 ")).is_empty());
        assert!(connection_violations(&cfg, &target("pgsql", "shop"), None).is_empty());
        let both = connection_violations(&cfg, &target("mysql", "root"), Some("root"));
        assert_eq!(ids(&both), ["3008", "3009"]);
        assert!(
            both[1].message.contains("weak-password list"),
            "{}",
            both[1].message
        );
        assert!(
            !both[1].message.contains("'root')"),
            "the password itself is never shown"
        );
    }

    #[test]
    fn sqlite_has_no_accounts() {
        let cfg = RaspConfig::default().security;
        assert!(connection_violations(&cfg, &target("sqlite", "root"), Some("")).is_empty());
    }

    #[test]
    fn configured_lists_replace_the_defaults() {
        let mut cfg = RaspConfig::default().security;
        cfg.privileged_users = vec!["dba".into()];
        cfg.weak_passwords = vec!["hunter2".into()];
        assert!(connection_violations(&cfg, &target("mysql", "root"), Some("123456")).is_empty());
        assert_eq!(
            ids(&connection_violations(
                &cfg,
                &target("mysql", "dba"),
                Some("hunter2")
            )),
            ["3008", "3009"]
        );
    }

    #[test]
    fn slow_query_threshold_is_exclusive_and_zero_turns_it_off() {
        let mut cfg = RaspConfig::default().security;
        assert!(!slow_query(&cfg, 500));
        assert!(slow_query(&cfg, 501));
        cfg.slowquery_min_rows = 0;
        assert!(!slow_query(&cfg, 1_000_000));
    }
}
