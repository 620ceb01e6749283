//! Code units: the one abstraction the tokenizers share.
//!
//! The tokenizers run on text that arrives in two shapes. PHP hands us bytes
//! (UTF-8 most of the time, Latin-1 or worse some of the time), and V8 hands
//! us strings as UTF-16 code units (or Latin-1 "one-byte" strings). Decoding
//! either into `char`s would cost a pass and an allocation per query, and would
//! force a policy for invalid input (lone surrogates, stray continuation
//! bytes) that the database or shell never applies. So we don't decode.
//!
//! Both languages we tokenize (SQL dialects and POSIX shell) give meaning only
//! to ASCII characters: every delimiter, quote, operator and escape is ASCII,
//! and every non-ASCII character is either part of an identifier (SQL) or part
//! of a word (shell). The tokenizers therefore only need to know, for each
//! code unit, "which ASCII character is this, if any". That is
//! [`CodeUnit::ascii`], and it is total: every `u8` and every `u16`, valid
//! text or not, has an answer. Token offsets are indices into the input slice
//! in code units, so a JavaScript caller can use them directly with
//! `String.prototype.slice`.
//!
//! Offsets are `u32`: inputs longer than `u32::MAX` units are tokenized only
//! up to that length and reported as [`TokenizeStatus::Truncated`].

/// The default cap on tokens per call. A 100 000-token SQL query is already
/// far beyond anything an application sends; the cap bounds the output
/// vector when an attacker sends megabytes of `;;;;`.
pub const DEFAULT_MAX_TOKENS: usize = 100_000;

/// The class byte of a non-ASCII code unit; see [`CodeUnit::byte`].
pub const NON_ASCII: u8 = 0x80;

/// The class byte the tokenizers use for "past the end of input". Not
/// produced by [`CodeUnit::byte`]; it exists so that look-ahead needs no
/// `Option`.
pub const END: u8 = 0xFF;

/// A unit of text we scan: `u8` (UTF-8 or Latin-1 bytes) or `u16` (UTF-16,
/// as V8 strings are).
pub trait CodeUnit: Copy + Eq + std::fmt::Debug {
    /// The ASCII character this unit is, or `None` for any non-ASCII unit
    /// (a UTF-8 lead or continuation byte, a Latin-1 letter, a UTF-16 unit
    /// above 0x7F including lone surrogates).
    fn ascii(self) -> Option<u8>;

    /// [`Self::ascii`] folded into one byte: the ASCII value, or
    /// [`NON_ASCII`]. This is what the scanners' lookup tables index.
    #[inline(always)]
    fn byte(self) -> u8 {
        self.ascii().unwrap_or(NON_ASCII)
    }

    /// An index into a 256-entry lookup table: the ASCII value, or some
    /// value of at least 0x80 for a non-ASCII unit. Tables give every entry
    /// from 0x80 up the same meaning, so `u8` input can index with the raw
    /// byte and skip the fold that [`Self::byte`] does.
    #[inline(always)]
    fn table_index(self) -> usize {
        self.byte() as usize
    }

    /// True if this unit continues a multi-unit character started by an
    /// earlier unit: a UTF-8 continuation byte (`10xxxxxx`) or a UTF-16 low
    /// surrogate. Used where a delimiter is "one character" (Oracle's
    /// `q'<c>...<c>'`), so that UTF-8 and UTF-16 input agree.
    fn is_continuation(self) -> bool;
}

impl CodeUnit for u8 {
    #[inline(always)]
    fn ascii(self) -> Option<u8> {
        if self < 0x80 {
            Some(self)
        } else {
            None
        }
    }

    #[inline(always)]
    fn byte(self) -> u8 {
        // Branch-free: every unit >= 0x80 becomes NON_ASCII.
        self.min(NON_ASCII)
    }

    #[inline(always)]
    fn table_index(self) -> usize {
        self as usize
    }

    #[inline(always)]
    fn is_continuation(self) -> bool {
        self & 0xC0 == 0x80
    }
}

impl CodeUnit for u16 {
    #[inline(always)]
    fn ascii(self) -> Option<u8> {
        if self < 0x80 {
            Some(self as u8)
        } else {
            None
        }
    }

    #[inline(always)]
    fn byte(self) -> u8 {
        self.min(NON_ASCII as u16) as u8
    }

    #[inline(always)]
    fn is_continuation(self) -> bool {
        (0xDC00..=0xDFFF).contains(&self)
    }
}

/// How a tokenize call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenizeStatus {
    /// The whole input was tokenized.
    Complete,
    /// Tokenizing stopped early: the token cap was reached, or the input is
    /// longer than `u32::MAX` code units. The tokens produced so far are
    /// valid, but they do not describe the whole input, so a caller that
    /// makes security decisions should treat the input as suspicious.
    Truncated,
}

/// The part of `input` the tokenizers may look at: at most `u32::MAX` units,
/// so every offset fits a `u32`. The flag says whether anything was cut off.
#[inline]
pub(crate) fn addressable<U>(input: &[U]) -> (&[U], bool) {
    let max = u32::MAX as usize;
    if input.len() > max {
        (&input[..max], true)
    } else {
        (input, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity_below_0x80_for_both_widths() {
        for b in 0u8..0x80 {
            assert_eq!(b.ascii(), Some(b));
            assert_eq!(u16::from(b).ascii(), Some(b));
            assert_eq!(b.byte(), b);
            assert_eq!(u16::from(b).byte(), b);
        }
    }

    #[test]
    fn non_ascii_units_have_no_ascii_value() {
        for b in 0x80u8..=0xFF {
            assert_eq!(b.ascii(), None);
            assert_eq!(b.byte(), NON_ASCII);
        }
        for u in [0x80u16, 0xFF, 0x100, 0xD800, 0xDC00, 0xDFFF, 0xFEFF, 0xFFFF] {
            assert_eq!(u.ascii(), None);
            assert_eq!(u.byte(), NON_ASCII);
        }
    }

    #[test]
    fn table_index_is_ascii_or_high() {
        for b in 0u8..=0xFF {
            assert_eq!(b.table_index() < 0x80, b < 0x80);
            assert_eq!(u16::from(b).table_index() < 0x80, b < 0x80);
        }
        assert_eq!(0xD800u16.table_index(), 0x80);
    }

    #[test]
    fn continuation_units_are_utf8_trail_bytes_and_low_surrogates() {
        assert!(0x80u8.is_continuation());
        assert!(0xBFu8.is_continuation());
        assert!(!0xC3u8.is_continuation());
        assert!(!b'a'.is_continuation());
        assert!(0xDC00u16.is_continuation());
        assert!(!0xD800u16.is_continuation());
        assert!(!0x00E9u16.is_continuation());
    }
}
