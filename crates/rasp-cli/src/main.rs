//! `rasp`: the php-rasp command for operators and plugin authors.
//!
//! Commands are grouped (`rasp <group> <command> [options]`), each group and
//! command declared in one table below with its own options, so a new one
//! (`rasp config check`, `rasp plugin bench`, `rasp alarm tail`, ...) is a
//! table entry plus a function.
//!
//! Exit codes: 0 success, 1 the command ran and found failures (e.g. a
//! failing plugin test), 2 usage or setup error (the message says what to do).

mod args;
mod plugin_test;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use args::{Opt, Spec, UsageError};

/// A leaf command: its words, what it does, its options and its body.
struct Command {
    group: &'static str,
    name: &'static str,
    summary: &'static str,
    usage: &'static str,
    details: &'static str,
    spec: Spec,
    run: fn(&args::Parsed) -> Result<ExitCode, String>,
}

const HELP_OPT: Opt = Opt {
    long: "help",
    short: Some('h'),
    value: None,
    repeat: false,
    help: "show this help",
};

const COMMANDS: &[Command] = &[Command {
    group: "plugin",
    name: "test",
    summary: "run plugin unit tests from JSON fixtures, without PHP",
    usage: "rasp plugin test [options] [FIXTURE.json | DIR]...",
    details: "Loads the plugins (default: plugins/official) into the same V8 engine the\n\
              extension uses and judges every case of the fixtures (default: the\n\
              tests/ directory next to the first plugin directory). Prints pass/FAIL per\n\
              case, the verdict on failure, and a summary. Exit code 1 when a case fails.\n\
              The fixture format is described in docs/plugin-api.md.",
    spec: Spec {
        command: "rasp plugin test",
        opts: &[
            Opt {
                long: "plugins",
                short: Some('p'),
                value: Some("PATH"),
                repeat: true,
                help: "plugin .js file or directory (repeatable; default plugins/official)",
            },
            Opt {
                long: "config",
                short: Some('c'),
                value: Some("RASP_YML"),
                repeat: false,
                help: "apply plugin.algorithm_config and plugin.monitor_mode of this rasp.yml",
            },
            Opt {
                long: "filter",
                short: Some('f'),
                value: Some("TEXT"),
                repeat: false,
                help: "run only cases whose \"file: name\" contains TEXT",
            },
            Opt {
                long: "timeout-ms",
                short: None,
                value: Some("MS"),
                repeat: false,
                help:
                    "deadline of one check (default 1000; the extension uses plugin.timeout.millis)",
            },
            Opt {
                long: "quiet",
                short: Some('q'),
                value: None,
                repeat: false,
                help: "print only failures and the summary",
            },
            Opt {
                long: "verbose",
                short: Some('v'),
                value: None,
                repeat: false,
                help: "print the verdict of passing cases too",
            },
            HELP_OPT,
        ],
    },
    run: cmd_plugin_test,
}];

fn cmd_plugin_test(a: &args::Parsed) -> Result<ExitCode, String> {
    let plugins: Vec<PathBuf> = if a.all("plugins").is_empty() {
        let d = PathBuf::from("plugins/official");
        if !d.is_dir() {
            return Err(
                "no plugins/official directory here: run from the php-rasp source tree \
                        or pass --plugins DIR (a plugin directory or .js file)"
                    .into(),
            );
        }
        vec![d]
    } else {
        a.all("plugins").iter().map(PathBuf::from).collect()
    };
    if let Some(missing) = plugins.iter().find(|p| !p.exists()) {
        return Err(format!(
            "plugin path {} does not exist: pass --plugins with a plugin directory or .js file",
            missing.display()
        ));
    }
    let fixtures: Vec<PathBuf> = if a.positional.is_empty() {
        let first = &plugins[0];
        let dir = if first.is_dir() {
            first.clone()
        } else {
            first.parent().map(PathBuf::from).unwrap_or_default()
        };
        let t = dir.join("tests");
        if !t.is_dir() {
            return Err(format!(
                "no fixtures given and {} does not exist: name fixture files or directories, \
                 e.g. `rasp plugin test my-tests/`",
                t.display()
            ));
        }
        vec![t]
    } else {
        a.positional.iter().map(PathBuf::from).collect()
    };
    let timeout = match a.value("timeout-ms") {
        None => Duration::from_millis(1000),
        Some(s) => match s.parse::<u64>() {
            Ok(ms) if ms > 0 => Duration::from_millis(ms),
            _ => {
                return Err(format!(
                    "--timeout-ms must be a positive number of milliseconds, not {s:?}"
                ))
            }
        },
    };
    let opts = plugin_test::Options {
        plugins,
        fixtures,
        config: a.value("config").map(PathBuf::from),
        filter: a.value("filter").map(str::to_string),
        quiet: a.flag("quiet"),
        verbose: a.flag("verbose"),
        timeout,
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match plugin_test::run(&opts, &mut lock) {
        Ok(s) if s.failed == 0 => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::from(1)),
        Err(e) => Err(e.0),
    }
}

fn top_help() -> String {
    let mut s = format!(
        "rasp {}: php-rasp command line\n\nUsage: rasp <group> <command> [options]\n\nCommands:\n",
        env!("CARGO_PKG_VERSION")
    );
    for c in COMMANDS {
        s.push_str(&format!(
            "  {:<22} {}\n",
            format!("{} {}", c.group, c.name),
            c.summary
        ));
    }
    s.push_str("\nRun `rasp <group> <command> --help` for a command's options.\n");
    s
}

fn group_help(group: &str) -> String {
    let mut s = format!("Usage: rasp {group} <command> [options]\n\nCommands:\n");
    for c in COMMANDS.iter().filter(|c| c.group == group) {
        s.push_str(&format!("  {:<10} {}\n", c.name, c.summary));
    }
    s
}

fn command_help(c: &Command) -> String {
    format!(
        "{}\n\nUsage: {}\n\n{}\n\nOptions:\n{}",
        c.summary,
        c.usage,
        c.details,
        c.spec.options_help()
    )
}

/// Finds the command and parses its options; Ok(None) means help was printed.
fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let first = argv.first().map(String::as_str);
    match first {
        None | Some("help" | "-h" | "--help") => {
            print!("{}", top_help());
            return Ok(if first.is_none() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            });
        }
        Some("--version" | "-V" | "version") => {
            println!(
                "rasp {} (V8 {})",
                env!("CARGO_PKG_VERSION"),
                rasp_v8::v8_version()
            );
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let group = argv[0].as_str();
    if !COMMANDS.iter().any(|c| c.group == group) {
        return Err(format!("unknown command `{group}`\n\n{}", top_help()));
    }
    let name = argv.get(1).map(String::as_str);
    let Some(cmd) = COMMANDS
        .iter()
        .find(|c| c.group == group && Some(c.name) == name)
    else {
        return match name {
            None | Some("help" | "-h" | "--help") => {
                print!("{}", group_help(group));
                Ok(if name.is_none() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Some(n) => Err(format!(
                "unknown command `rasp {group} {n}`\n\n{}",
                group_help(group)
            )),
        };
    };
    let parsed = cmd.spec.parse(&argv[2..]).map_err(|UsageError(m)| m)?;
    if parsed.flag("help") {
        print!("{}", command_help(cmd));
        return Ok(ExitCode::SUCCESS);
    }
    (cmd.run)(&parsed)
}

fn main() -> ExitCode {
    let argv: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(v) => v,
        Err(bad) => {
            eprintln!("rasp: argument {bad:?} is not valid UTF-8");
            return ExitCode::from(2);
        }
    };
    match dispatch(&argv) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("rasp: error: {msg}");
            ExitCode::from(2)
        }
    }
}
