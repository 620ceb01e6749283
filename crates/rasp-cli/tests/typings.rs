//! plugins/types/rasp.d.ts stays in step with what the engine offers: every
//! check type of rasp-core, and every static member the runtime puts on
//! `RASP` (crates/rasp-v8/js/runtime.js). The type check itself is
//! `make test-types` (tsc over the official plugin).

use std::path::PathBuf;

fn repo_file(p: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(p),
    )
    .unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The string literals of `type <name> = | 'a' | 'b' ...;`.
fn union_members(dts: &str, name: &str) -> Vec<String> {
    let start = dts
        .find(&format!("type {name} ="))
        .unwrap_or_else(|| panic!("rasp.d.ts declares no `type {name}`"));
    let body = &dts[start..];
    let body = &body[..body.find(';').unwrap()];
    body.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn check_types_match_rasp_core() {
    let dts = repo_file("plugins/types/rasp.d.ts");
    let declared = union_members(&dts, "RaspCheckType");
    let core: Vec<String> = rasp_core::CheckType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    assert_eq!(
        declared, core,
        "RaspCheckType in plugins/types/rasp.d.ts must list rasp-core's check types, in order"
    );
    // Each one has its params type.
    let by_type = &dts[dts.find("interface RaspParamsByType").unwrap()..];
    let by_type = &by_type[..by_type.find('}').unwrap()];
    for t in &core {
        assert!(
            by_type.contains(&format!("\n  {t}: Rasp")),
            "RaspParamsByType lacks `{t}`"
        );
    }
}

#[test]
fn rasp_statics_match_the_runtime() {
    let dts = repo_file("plugins/types/rasp.d.ts");
    let runtime = repo_file("crates/rasp-v8/js/runtime.js");
    let mut statics: Vec<String> = Vec::new();
    for line in runtime.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("static ") {
            statics.push(rest.split('(').next().unwrap().trim().to_string());
        }
        if let Some(rest) = t.split("Object.defineProperty(RASP, '").nth(1) {
            statics.push(rest.split('\'').next().unwrap().to_string());
        }
        if let Some(rest) = t.strip_prefix("RASP.") {
            if let Some((name, _)) = rest.split_once(" =") {
                statics.push(name.trim().to_string());
            }
        }
    }
    assert!(
        statics.len() >= 4,
        "found no statics in runtime.js: {statics:?}"
    );
    for s in &statics {
        assert!(
            dts.contains(&format!("static {s}(")) || dts.contains(&format!("static {s}:")) || dts.contains(&format!("static readonly {s}:")),
            "runtime.js puts RASP.{s} on the plugin API but plugins/types/rasp.d.ts does not declare it"
        );
    }
}
