//! A small command-line parser: `--name value`, `--name=value`, boolean
//! `--flag`s and `-x` short forms, positionals, and `--` to end options.
//!
//! Each subcommand declares the options it accepts ([`Spec`]); anything
//! else is an error that names the option and the command's `--help`.

use std::collections::BTreeMap;
use std::fmt;

/// One option a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    /// Long name without dashes (`plugins`).
    pub long: &'static str,
    /// Optional one-letter form (`p` for `-p`).
    pub short: Option<char>,
    /// Takes a value (`--plugins DIR`) or is a flag (`--quiet`).
    pub value: Option<&'static str>,
    /// May be given more than once.
    pub repeat: bool,
    pub help: &'static str,
}

/// The options of one command.
pub struct Spec {
    /// `rasp plugin test`, for messages.
    pub command: &'static str,
    pub opts: &'static [Opt],
}

/// What the user typed, checked against a [`Spec`].
#[derive(Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    pub positional: Vec<String>,
}

impl Parsed {
    /// Every value of a repeatable option, in order.
    pub fn all(&self, long: &str) -> &[String] {
        self.values.get(long).map_or(&[], Vec::as_slice)
    }

    /// The value of an option (the last one if repeated).
    pub fn value(&self, long: &str) -> Option<&str> {
        self.all(long).last().map(String::as_str)
    }

    /// Whether a flag was given.
    pub fn flag(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }
}

/// A usage mistake; the message says what to type instead.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Spec {
    fn find_long(&self, name: &str) -> Option<&Opt> {
        self.opts.iter().find(|o| o.long == name)
    }

    fn find_short(&self, c: char) -> Option<&Opt> {
        self.opts.iter().find(|o| o.short == Some(c))
    }

    /// Parses the arguments after the command words.
    pub fn parse(&self, args: &[String]) -> Result<Parsed, UsageError> {
        let mut out = Parsed::default();
        let mut i = 0;
        let mut only_positional = false;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if only_positional || a == "-" || !a.starts_with('-') {
                out.positional.push(a.clone());
                continue;
            }
            if a == "--" {
                only_positional = true;
                continue;
            }
            let (opt, inline) = if let Some(long) = a.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let opt = self.find_long(name).ok_or_else(|| self.unknown(a))?;
                (opt, inline)
            } else {
                let mut chars = a[1..].chars();
                let c = chars.next().unwrap_or('-');
                let rest: String = chars.collect();
                let opt = self.find_short(c).ok_or_else(|| self.unknown(a))?;
                (opt, if rest.is_empty() { None } else { Some(rest) })
            };
            let value = match (opt.value, inline) {
                (None, None) => String::new(),
                (None, Some(_)) => {
                    return Err(UsageError(format!(
                        "{}: --{} is a flag and takes no value",
                        self.command, opt.long
                    )))
                }
                (Some(_), Some(v)) => v,
                (Some(meta), None) => {
                    if i >= args.len() {
                        return Err(UsageError(format!(
                            "{}: --{} needs a value: --{} {meta}",
                            self.command, opt.long, opt.long
                        )));
                    }
                    i += 1;
                    args[i - 1].clone()
                }
            };
            let slot = out.values.entry(opt.long).or_default();
            if !slot.is_empty() && !opt.repeat {
                return Err(UsageError(format!(
                    "{}: --{} given more than once",
                    self.command, opt.long
                )));
            }
            slot.push(value);
        }
        Ok(out)
    }

    fn unknown(&self, a: &str) -> UsageError {
        UsageError(format!(
            "{}: unknown option `{a}`; see `{} --help`",
            self.command, self.command
        ))
    }

    /// The options part of a command's help text.
    pub fn options_help(&self) -> String {
        let mut s = String::new();
        for o in self.opts {
            let short = o.short.map_or(String::from("    "), |c| format!("-{c}, "));
            let name = match o.value {
                Some(meta) => format!("--{} {meta}", o.long),
                None => format!("--{}", o.long),
            };
            s.push_str(&format!("  {short}{name:<24} {}\n", o.help));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        command: "rasp x",
        opts: &[
            Opt {
                long: "plugins",
                short: Some('p'),
                value: Some("DIR"),
                repeat: true,
                help: "",
            },
            Opt {
                long: "quiet",
                short: Some('q'),
                value: None,
                repeat: false,
                help: "",
            },
            Opt {
                long: "config",
                short: None,
                value: Some("FILE"),
                repeat: false,
                help: "",
            },
        ],
    };

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn forms() {
        let p = SPEC
            .parse(&v(&[
                "a",
                "--plugins",
                "x",
                "-py",
                "--plugins=z",
                "-q",
                "--",
                "--b",
            ]))
            .unwrap();
        assert_eq!(p.all("plugins"), ["x", "y", "z"]);
        assert!(p.flag("quiet"));
        assert!(!p.flag("config"));
        assert_eq!(p.positional, ["a", "--b"]);
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = SPEC.parse(&v(&["--nope"])).unwrap_err();
        assert!(
            e.0.contains("unknown option `--nope`") && e.0.contains("rasp x --help"),
            "{e}"
        );
        let e = SPEC.parse(&v(&["--config"])).unwrap_err();
        assert!(e.0.contains("--config FILE"), "{e}");
        let e = SPEC.parse(&v(&["--quiet=1"])).unwrap_err();
        assert!(e.0.contains("takes no value"), "{e}");
        let e = SPEC
            .parse(&v(&["--config", "a", "--config", "b"]))
            .unwrap_err();
        assert!(e.0.contains("more than once"), "{e}");
    }
}
