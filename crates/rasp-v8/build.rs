//! Compiles the C++ shim against Debian's libnode V8 and links it.
//!
//! The headers and the library must come from the same libnode build: V8 has
//! no stable ABI, and compiling against another Node's headers (on these
//! machines a newer Node.js owns /usr/include/node) links fine and then
//! crashes at run time. So this refuses to build unless both agree.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const MODULE_VERSION: &str = "108";

fn main() {
    println!("cargo:rerun-if-changed=shim/rasp_v8.cc");
    println!("cargo:rerun-if-changed=shim/rasp_v8.h");
    println!("cargo:rerun-if-env-changed=RASP_LIBNODE_PREFIX");

    let prefix = match env::var_os("RASP_LIBNODE_PREFIX") {
        Some(p) => PathBuf::from(p),
        None => {
            let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
            manifest.join("../../.deps/libnode")
        }
    };
    let prefix = prefix.canonicalize().unwrap_or_else(|_| {
        fail(&format!(
            "libnode prefix {} does not exist.\n  Run `scripts/setup-deps.sh build` (or `make deps`) to unpack \
             Debian's libnode108 + libnode-dev there, or set RASP_LIBNODE_PREFIX to a directory \
             containing usr/include/node and usr/lib/<triple>/libnode.so.{MODULE_VERSION}.",
            prefix.display()
        ))
    });
    let include = prefix.join("usr/include/node");
    let libdir = find_libdir(&prefix);
    let lib = libdir.join(format!("libnode.so.{MODULE_VERSION}"));
    check_versions(&include, &lib);

    cc::Build::new()
        .cpp(true)
        .file("shim/rasp_v8.cc")
        .include(&include)
        .include("shim")
        .flag("-std=c++17")
        .flag_if_supported("-fno-rtti")
        .flag_if_supported("-Wno-unused-parameter")
        // libnode's config.gypi: no pointer compression, no sandbox, no 31-bit smis;
        // make sure nothing in the environment turns them on.
        .define("V8_DEPRECATION_WARNINGS", None)
        .define("NODE_WANT_INTERNALS", "0")
        .compile("rasp_v8_shim");

    // Linking a versioned library by file name records its soname as NEEDED.
    println!("cargo:rustc-link-search=native={}", libdir.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", libdir.display());
    println!("cargo:rustc-link-lib=dylib=node");
    // Exposed to dependents (DEP_NODE_LIBDIR) so the final .so/.bin can carry an rpath.
    println!("cargo:libdir={}", libdir.display());
    println!("cargo:include={}", include.display());
    println!("cargo:rerun-if-changed={}", lib.display());
}

fn find_libdir(prefix: &Path) -> PathBuf {
    let triple_dir = format!(
        "usr/lib/{}-linux-gnu",
        env::var("CARGO_CFG_TARGET_ARCH").unwrap()
    );
    for cand in [triple_dir.as_str(), "usr/lib", "lib"] {
        let d = prefix.join(cand);
        if d.join(format!("libnode.so.{MODULE_VERSION}")).exists() {
            if !d.join("libnode.so").exists() {
                fail(&format!(
                    "{} has libnode.so.{MODULE_VERSION} but no libnode.so symlink; unpack libnode-dev too",
                    d.display()
                ));
            }
            return d;
        }
    }
    fail(&format!(
        "no libnode.so.{MODULE_VERSION} under {}; unpack Debian's libnode{MODULE_VERSION} there \
         (scripts/setup-deps.sh build)",
        prefix.display()
    ))
}

/// NODE_MODULE_VERSION in the headers must be the library's soname version,
/// and the V8 version in the headers must be the one compiled into the library.
fn check_versions(include: &Path, lib: &Path) {
    let node_version = read(&include.join("node_version.h"));
    let module = define_value(&node_version, "NODE_MODULE_VERSION").unwrap_or_default();
    if module != MODULE_VERSION {
        fail(&format!(
            "header/library mismatch: {} says NODE_MODULE_VERSION {module:?} but we link libnode.so.{MODULE_VERSION}.\n  \
             These headers belong to another Node.js (the system's /usr/include/node often does). \
             Use the headers from Debian's libnode-dev that matches libnode{MODULE_VERSION}.",
            include.join("node_version.h").display()
        ));
    }
    let v8h = read(&include.join("v8-version.h"));
    let part = |name: &str| {
        define_value(&v8h, name).unwrap_or_else(|| fail(&format!("v8-version.h lacks {name}")))
    };
    let v8 = format!(
        "{}.{}.{}.{}",
        part("V8_MAJOR_VERSION"),
        part("V8_MINOR_VERSION"),
        part("V8_BUILD_NUMBER"),
        part("V8_PATCH_LEVEL")
    );
    let bytes =
        fs::read(lib).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", lib.display())));
    if !contains(&bytes, v8.as_bytes()) {
        fail(&format!(
            "header/library mismatch: the headers are V8 {v8} but {} does not contain that version string.\n  \
             Unpack libnode-dev and libnode{MODULE_VERSION} from the same Debian release.",
            lib.display()
        ));
    }
    println!("cargo:rustc-env=RASP_V8_HEADER_VERSION={v8}");
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", p.display())))
}

fn define_value(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next() == Some("#define") && it.next() == Some(name))
            .then(|| it.next().unwrap_or("").to_string())
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn fail(msg: &str) -> ! {
    eprintln!("\nerror: rasp-v8: {msg}\n");
    std::process::exit(1)
}
