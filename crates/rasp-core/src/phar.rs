//! Serialized metadata of a phar archive, read before PHP unserializes it.
//!
//! Since PHP 8.0 phar metadata is unserialized only by `getMetadata()`, but
//! it is still attacker-controlled (an uploaded "image" can be a phar), so
//! the `deserialization` check needs the raw bytes first. This reads the
//! manifest of the default phar format (stub, `__HALT_COMPILER();`, little-
//! endian manifest); tar- and zip-based phars are not covered.

const HALT: &[u8] = b"__HALT_COMPILER();";

/// Metadata of the archive (`entry` None) or of one entry in it, as stored
/// (a `serialize()` string); None when absent or the file is not a phar.
pub fn metadata(file: &[u8], entry: Option<&[u8]>) -> Option<Vec<u8>> {
    let halt = file.windows(HALT.len()).position(|w| w == HALT)? + HALT.len();
    let mut r = Reader { b: file, i: halt };
    // The stub may close with " ?>" and a newline before the manifest.
    if r.b[r.i..].starts_with(b" ?>") {
        r.i += 3;
        if r.b[r.i..].starts_with(b"\r\n") {
            r.i += 2;
        } else if r.b[r.i..].starts_with(b"\n") {
            r.i += 1;
        }
    } else if r.b[r.i..].starts_with(b"?>") {
        r.i += 2;
        if r.b[r.i..].starts_with(b"\r\n") {
            r.i += 2;
        } else if r.b[r.i..].starts_with(b"\n") {
            r.i += 1;
        }
    }
    let manifest_len = r.u32()? as usize;
    let end = r.i.checked_add(manifest_len)?;
    if end > file.len() {
        return None;
    }
    let count = r.u32()?;
    r.take(2)?; // API version
    r.u32()?; // global flags
    let alias_len = r.u32()? as usize;
    r.take(alias_len)?;
    let meta_len = r.u32()? as usize;
    let global = r.take(meta_len)?;
    let Some(want) = entry else {
        return (!global.is_empty()).then(|| global.to_vec());
    };
    for _ in 0..count.min(100_000) {
        let name_len = r.u32()? as usize;
        let name = r.take(name_len)?;
        r.take(4 * 5)?; // sizes, timestamp, crc32, flags
        let meta_len = r.u32()? as usize;
        let meta = r.take(meta_len)?;
        if name == want {
            return (!meta.is_empty()).then(|| meta.to_vec());
        }
        if r.i > end {
            return None;
        }
    }
    None
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n)?;
        let s = self.b.get(self.i..end)?;
        self.i = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn le(n: usize) -> [u8; 4] {
        (n as u32).to_le_bytes()
    }

    /// A phar with the layout PHP writes.
    fn build(global: &[u8], entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&le(entries.len()));
        m.extend_from_slice(&[0x11, 0x10]);
        m.extend_from_slice(&le(0x10000));
        m.extend_from_slice(&le(0));
        m.extend_from_slice(&le(global.len()));
        m.extend_from_slice(global);
        for (name, meta) in entries {
            m.extend_from_slice(&le(name.len()));
            m.extend_from_slice(name);
            m.extend_from_slice(&[0; 20]);
            m.extend_from_slice(&le(meta.len()));
            m.extend_from_slice(meta);
        }
        let mut f = b"<?php __HALT_COMPILER(); ?>\r\n".to_vec();
        f.extend_from_slice(&le(m.len()));
        f.extend_from_slice(&m);
        f.extend_from_slice(b"file contents and signature");
        f
    }

    #[test]
    fn global_and_entry_metadata() {
        let f = build(
            br#"O:4:"Evil":0:{}"#,
            &[(b"a.txt", b""), (b"b.txt", b"i:1;")],
        );
        assert_eq!(metadata(&f, None).unwrap(), br#"O:4:"Evil":0:{}"#);
        assert_eq!(metadata(&f, Some(b"b.txt")).unwrap(), b"i:1;");
        assert_eq!(metadata(&f, Some(b"a.txt")), None);
        assert_eq!(metadata(&f, Some(b"c.txt")), None);
        assert_eq!(metadata(&build(b"", &[]), None), None);
    }

    #[test]
    fn not_a_phar() {
        assert_eq!(metadata(b"GIF89a plain image", None), None);
        assert_eq!(metadata(b"__HALT_COMPILER();\xff\xff\xff\xff", None), None);
    }

    proptest! {
        #[test]
        fn never_panics(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut f = b"__HALT_COMPILER(); ?>\n".to_vec();
            f.extend_from_slice(&tail);
            let _ = metadata(&f, None);
            let _ = metadata(&f, Some(b"x"));
        }
    }
}
