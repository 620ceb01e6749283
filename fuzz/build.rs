//! The js_bridge target links Debian's libnode from the build-local prefix
//! (rasp-v8 exports its directory as DEP_NODE_LIBDIR); give the fuzz
//! binaries an rpath so they run without LD_LIBRARY_PATH.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_NODE_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_NODE_LIBDIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
