//! RFC 5424 messages and their framing (RFC 6587 for TCP, RFC 5426 for UDP).
//!
//! ```text
//! <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
//! <132>1 2026-11-23T16:45:46.123+00:00 web1 php-rasp - alarm - {"event_type":"attack",...}
//! ```
//!
//! * PRI is `facility * 8 + severity`; the severity depends on the log:
//!   alarm 4 (warning), policy 5 (notice), plugin and rasp 6 (info).
//! * TIMESTAMP is the time of the line itself when the line starts with one
//!   of ours (`event_time` / `time` / the text prefix), else the time of
//!   sending, in UTC.
//! * PROCID and STRUCTURED-DATA are the NILVALUE `-`; MSGID is the log name.
//! * MSG is the log line without its newline, with no BOM.

use crate::clock::looks_like_stamp;
use crate::config::Framing;
use crate::files::LogKind;

/// Appended to a UDP message that had to be cut.
pub(crate) const TRUNCATION_MARKER: &[u8] = b"...[truncated]";

/// The syslog severity of a log's messages.
pub(crate) fn severity(kind: LogKind) -> u8 {
    match kind {
        LogKind::Alarm => 4,
        LogKind::Policy => 5,
        LogKind::Plugin | LogKind::Rasp => 6,
    }
}

/// The timestamp at the start of one of our lines, if there is one.
pub(crate) fn line_time(line: &[u8]) -> Option<&[u8]> {
    if looks_like_stamp(line) {
        return Some(&line[..29]);
    }
    let head = &line[..line.len().min(128)];
    for key in [&b"\"event_time\":\""[..], &b"\"time\":\""[..]] {
        if let Some(at) = find(head, key) {
            let rest = &line[at + key.len()..];
            if looks_like_stamp(rest) {
                return Some(&rest[..29]);
            }
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Writes the header (everything before MSG) into `out`.
pub(crate) fn header(
    out: &mut Vec<u8>,
    facility: u8,
    kind: LogKind,
    timestamp: &[u8],
    hostname: &str,
    tag: &str,
) {
    let pri = u32::from(facility) * 8 + u32::from(severity(kind));
    out.push(b'<');
    out.extend_from_slice(pri.to_string().as_bytes());
    out.extend_from_slice(b">1 ");
    out.extend_from_slice(timestamp);
    out.push(b' ');
    out.extend_from_slice(hostname.as_bytes());
    out.push(b' ');
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b" - ");
    out.extend_from_slice(kind.as_str().as_bytes());
    out.extend_from_slice(b" - ");
}

/// Appends one framed TCP message (`header` + `msg`) to `out`.
pub(crate) fn frame_tcp(out: &mut Vec<u8>, framing: Framing, header: &[u8], msg: &[u8]) {
    match framing {
        Framing::OctetCounting => {
            out.extend_from_slice((header.len() + msg.len()).to_string().as_bytes());
            out.push(b' ');
            out.extend_from_slice(header);
            out.extend_from_slice(msg);
        }
        Framing::Newline => {
            out.extend_from_slice(header);
            out.extend_from_slice(msg);
            out.push(b'\n');
        }
    }
}

/// Builds one UDP datagram of at most `max` bytes into `out`. Returns whether
/// the message had to be truncated.
pub(crate) fn datagram(out: &mut Vec<u8>, header: &[u8], msg: &[u8], max: usize) -> bool {
    out.clear();
    out.extend_from_slice(header);
    if header.len() + msg.len() <= max {
        out.extend_from_slice(msg);
        return false;
    }
    let room = max.saturating_sub(header.len() + TRUNCATION_MARKER.len());
    let mut cut = room.min(msg.len());
    // Cut on a character boundary so the datagram stays valid UTF-8.
    while cut > 0 && cut < msg.len() && (msg[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    out.extend_from_slice(&msg[..cut]);
    out.extend_from_slice(TRUNCATION_MARKER);
    out.truncate(max);
    true
}

/// A host name usable in the header: printable ASCII without spaces, at most
/// 255 bytes, `-` if empty.
pub(crate) fn clean_hostname(s: &str) -> String {
    let h: String = s
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if h.is_empty() {
        "-".to_string()
    } else {
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_frames() {
        let mut h = Vec::new();
        header(
            &mut h,
            16,
            LogKind::Alarm,
            b"2026-11-23T16:45:46.123+00:00",
            "web1",
            "php-rasp",
        );
        assert_eq!(
            h,
            b"<132>1 2026-11-23T16:45:46.123+00:00 web1 php-rasp - alarm - "
        );
        let mut out = Vec::new();
        frame_tcp(&mut out, Framing::OctetCounting, b"<1>1 - ", b"{}");
        frame_tcp(&mut out, Framing::Newline, b"<1>1 - ", b"{}");
        assert_eq!(out, b"9 <1>1 - {}<1>1 - {}\n");
    }

    #[test]
    fn times() {
        let t = b"2026-11-23T16:45:46.123+01:00";
        let json = [
            &b"{\"event_type\":\"attack\",\"event_time\":\""[..],
            t,
            b"\"}",
        ]
        .concat();
        assert_eq!(line_time(&json), Some(&t[..]));
        let rasp = [&b"{\"time\":\""[..], t, b"\",\"level\":\"INFO\"}"].concat();
        assert_eq!(line_time(&rasp), Some(&t[..]));
        let text = [&t[..], b" [x] hello"].concat();
        assert_eq!(line_time(&text), Some(&t[..]));
        assert_eq!(line_time(b"{\"time\":\"yesterday\"}"), None);
        assert_eq!(line_time(b""), None);
    }

    #[test]
    fn udp_truncation() {
        let mut out = Vec::new();
        assert!(!datagram(&mut out, b"HDR ", b"hello", 9));
        assert_eq!(out, b"HDR hello");
        let msg = "aé".repeat(100);
        assert!(datagram(&mut out, b"HDR ", msg.as_bytes(), 40));
        assert!(out.len() <= 40);
        assert!(out.ends_with(TRUNCATION_MARKER));
        assert!(std::str::from_utf8(&out).is_ok());
    }
}
