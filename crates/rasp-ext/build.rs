//! Gives the extension an rpath to the libnode it was linked against, so
//! PHP can load it without LD_LIBRARY_PATH. rasp-v8 exports the directory.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_NODE_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_NODE_LIBDIR") {
        // $ORIGIN first: an installed rasp.so finds the libnode copied next to it.
        println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN:/usr/local/lib/php-rasp:{dir}");
    }
}
