//! Fuzzes the rasp.yml loader (spanned YAML, dotted and nested keys,
//! aliases, every validator) and what the agent derives from a config that
//! passed: the whitelist automaton and the `log:` section of rasp-log.
//!
//! Checked: no panic, bounded work (libFuzzer's -timeout), a rejected file
//! carries at least one error and every error names a line inside the file
//! (or 0), and an accepted file's limits stay in their documented ranges.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasp_core::RaspConfig;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // YAML breaks lines at \n, \r\n and a lone \r; an error at end of
    // input may name the line after the last.
    let lines = text.replace("\r\n", "\n").matches(['\n', '\r']).count() + 2;
    match RaspConfig::parse(&text) {
        Ok(cfg) => {
            assert!((1..=60_000).contains(&cfg.plugin.timeout_millis));
            assert!((16..=4096).contains(&cfg.plugin.heap_mb));
            assert!(cfg.context.body_maxbytes <= 100 << 20);
            assert!(cfg.context.json_maxbytes <= 100 << 20);
            assert!((1..=1_000_000).contains(&cfg.context.max_values));
            assert!((16..=100 << 20).contains(&cfg.context.max_value_bytes));
            match rasp_whitelist::from_config(&cfg.whitelist) {
                Ok(wl) => {
                    let bytes = wl.to_bytes();
                    let view = rasp_whitelist::WhitelistView::new(&bytes).expect("own bytes validate");
                    let _ = view.lookup("example.com", "/admin/x.php?a=1");
                }
                Err(e) => {
                    assert!(!e.0.is_empty());
                    for err in &e.0 {
                        assert!(err.line <= lines, "whitelist error on line {} of {lines}", err.line);
                    }
                }
            }
            if let Some(node) = &cfg.log {
                if let Ok(lc) = rasp_log::LogConfig::from_json(node.to_json()) {
                    let _ = lc.validate();
                    let _ = lc.usable_sinks();
                }
            }
            // The same text gives the same config (the agent parses twice:
            // once to validate, once in every worker).
            assert_eq!(RaspConfig::parse(&text).ok().as_ref(), Some(&cfg));
        }
        Err(errs) => {
            assert!(!errs.0.is_empty(), "rejected without an error");
            for e in &errs.0 {
                assert!(e.line <= lines, "error on line {} of a {lines}-line file: {e}", e.line);
            }
            let _ = errs.to_string();
        }
    }
});
