//! Which check types the whitelist skips for a request.

use rasp_core::context::RequestInput;
use rasp_core::CheckTypeSet;

use crate::state::WhitelistSource;

/// Union of the check-type sets of every pattern matching the request.
pub fn lookup(source: &WhitelistSource, input: &RequestInput) -> CheckTypeSet {
    let path = input.path();
    // REQUEST_URI may come in absolute form (http://host/path): keep the path.
    let path = match path.windows(3).position(|w| w == b"://") {
        Some(i) if !path.starts_with(b"/") => {
            let rest = &path[i + 3..];
            rest.iter()
                .position(|&b| b == b'/')
                .map_or(&b"/"[..], |j| &rest[j..])
        }
        _ => path,
    };
    match source {
        WhitelistSource::Owned(w) => w.view().lookup_bytes(input.host.as_bytes(), path),
        WhitelistSource::Shared(g) => crate::agent::segment()
            .and_then(|seg| seg.whitelist_lookup(g, input.host.as_bytes(), path))
            // The slot was reused by a newer generation mid-request: skip nothing.
            .unwrap_or(CheckTypeSet::EMPTY),
    }
}
