//! Gives the `rasp` binary an rpath to the libnode it was linked against
//! (rasp-v8 exports the directory as DEP_NODE_LIBDIR), so it runs without
//! LD_LIBRARY_PATH. An installed copy also looks next to itself and in
//! /usr/local/lib/php-rasp, where the extension's libnode is installed.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_NODE_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_NODE_LIBDIR") {
        println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN:/usr/local/lib/php-rasp:{dir}");
    }
}
