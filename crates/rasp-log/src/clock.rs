//! Time: where "now" comes from, which zone names the day, and how a
//! timestamp is spelled.
//!
//! Rotation, retention and rate limiting all depend on the clock, so the clock
//! is a trait object that tests replace with a [`FakeClock`]. The zone is kept
//! apart from the clock: the clock says which instant it is, the [`LogZone`]
//! says which calendar day and UTC offset that instant has. The default zone is
//! the system zone (`TZ`, else `/etc/localtime`), which is *not* PHP's
//! `date.timezone` ini setting: the logs belong to the host, not to one app.
//!
//! Formatting a timestamp happens on every written line, so it avoids the
//! general machinery: a [`TimeCache`] keeps the UTC offset for the current
//! minute and the calendar date for the current day, and a timestamp is then
//! a few divisions and 29 bytes of ASCII. The zone database is consulted at
//! most once a minute, which is also how soon a DST change is noticed (all
//! transitions in the tz database since 1970 fall on whole minutes).

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where "now" comes from.
///
/// The production implementation is [`SystemClock`]; tests use
/// [`FakeClock`]. Implementations must be cheap: the writers call `now()` once
/// per line.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> SystemTime;
}

/// The real wall clock ([`SystemTime::now`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to. Clones share the same time.
///
/// ```
/// use rasp_log::{Clock, FakeClock};
/// use std::time::Duration;
///
/// let clock = FakeClock::parse("2026-11-23T23:59:59.5+00:00").unwrap();
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(rasp_log::format_rfc3339(clock.now(), &rasp_log::LogZone::utc()),
///            "2026-11-24T00:00:00.500+00:00");
/// ```
#[derive(Clone, Debug)]
pub struct FakeClock {
    /// Nanoseconds since the Unix epoch (enough until the year 2262).
    nanos: Arc<AtomicI64>,
}

impl FakeClock {
    /// A fake clock showing `t`.
    pub fn new(t: SystemTime) -> FakeClock {
        let clock = FakeClock {
            nanos: Arc::new(AtomicI64::new(0)),
        };
        clock.set(t);
        clock
    }

    /// A fake clock showing an RFC 3339 instant such as
    /// `2026-11-23T16:45:46.123+00:00` (or with `Z`). `None` if it does not
    /// parse.
    pub fn parse(rfc3339: &str) -> Option<FakeClock> {
        let ts: jiff::Timestamp = rfc3339.parse().ok()?;
        let t = if ts.as_nanosecond() >= 0 {
            UNIX_EPOCH + Duration::from_nanos(u64::try_from(ts.as_nanosecond()).ok()?)
        } else {
            UNIX_EPOCH - Duration::from_nanos(u64::try_from(-ts.as_nanosecond()).ok()?)
        };
        Some(FakeClock::new(t))
    }

    /// Shows `t` from now on.
    pub fn set(&self, t: SystemTime) {
        let (secs, nanos) = unix_parts(t);
        let n = secs
            .saturating_mul(1_000_000_000)
            .saturating_add(i64::from(nanos));
        self.nanos.store(n, Ordering::SeqCst);
    }

    /// Moves the time forward by `d`.
    pub fn advance(&self, d: Duration) {
        let d = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
        self.nanos.fetch_add(d, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        let n = self.nanos.load(Ordering::SeqCst);
        if n >= 0 {
            UNIX_EPOCH + Duration::from_nanos(n as u64)
        } else {
            UNIX_EPOCH - Duration::from_nanos(n.unsigned_abs())
        }
    }
}

/// Splits an instant into whole seconds since the epoch (negative before
/// 1970) and nanoseconds within that second.
pub(crate) fn unix_parts(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() == 0 {
                (-secs, 0)
            } else {
                (-secs - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    }
}

/// The time zone that decides the calendar day of a log line (and so its
/// file) and the offset written in its timestamp.
#[derive(Clone, Debug)]
pub struct LogZone(ZoneRepr);

#[derive(Clone, Debug)]
enum ZoneRepr {
    Utc,
    Fixed(i32),
    Tz(jiff::tz::TimeZone),
}

impl LogZone {
    /// UTC (offset `+00:00`).
    pub fn utc() -> LogZone {
        LogZone(ZoneRepr::Utc)
    }

    /// The system zone: `TZ` if set, else `/etc/localtime`; UTC when neither
    /// can be read.
    pub fn system() -> LogZone {
        LogZone(ZoneRepr::Tz(jiff::tz::TimeZone::system()))
    }

    /// A fixed offset east of UTC, in seconds (`-25h < offset < 26h`).
    pub fn fixed(offset_seconds: i32) -> Option<LogZone> {
        if offset_seconds.unsigned_abs() < 26 * 3600 {
            Some(LogZone(ZoneRepr::Fixed(offset_seconds)))
        } else {
            None
        }
    }

    /// A named IANA zone such as `Europe/Berlin`, read from the system's
    /// zoneinfo database.
    pub fn named(name: &str) -> Result<LogZone, String> {
        jiff::tz::TimeZone::get(name)
            .map(|tz| LogZone(ZoneRepr::Tz(tz)))
            .map_err(|e| format!("unknown time zone {name:?}: {e}"))
    }

    /// The zone a [`crate::LogConfig`] asks for: UTC if `utc`, else the system
    /// zone.
    pub fn from_utc_flag(utc: bool) -> LogZone {
        if utc {
            LogZone::utc()
        } else {
            LogZone::system()
        }
    }

    /// The UTC offset in seconds at `unix_secs`.
    pub fn offset_at(&self, unix_secs: i64) -> i32 {
        match &self.0 {
            ZoneRepr::Utc => 0,
            ZoneRepr::Fixed(off) => *off,
            ZoneRepr::Tz(tz) => match jiff::Timestamp::from_second(unix_secs) {
                Ok(ts) => tz.to_offset(ts).seconds(),
                Err(_) => 0,
            },
        }
    }
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub(crate) fn date_of_day(day: i64) -> [u8; 10] {
    let mut out = *b"1970-01-01";
    let date = jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(day.clamp(-3_000_000, 3_000_000)))
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    let year = date.year().clamp(0, 9999) as u32;
    put_digits(&mut out[0..4], year);
    put_digits(&mut out[5..7], date.month() as u32);
    put_digits(&mut out[8..10], date.day() as u32);
    out
}

/// Parses `YYYY-MM-DD` into a day number.
pub(crate) fn day_of_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    let date: jiff::civil::Date = s.parse().ok()?;
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days();
    Some(i64::from(days))
}

fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// A resolved instant: UTC seconds, nanoseconds and the zone's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub secs: i64,
    pub nanos: u32,
    pub offset: i32,
}

impl Stamp {
    /// Local day number (days since 1970-01-01 in the zone).
    pub fn day(&self) -> i64 {
        (self.secs + i64::from(self.offset)).div_euclid(86_400)
    }
}

/// Caches the zone offset (per minute) and the calendar date (per day) so the
/// per-line cost of a timestamp is arithmetic.
#[derive(Debug)]
pub(crate) struct TimeCache {
    zone: LogZone,
    offset_from: i64,
    offset_until: i64,
    offset: i32,
    day: i64,
    date: [u8; 10],
}

impl TimeCache {
    pub fn new(zone: LogZone) -> TimeCache {
        TimeCache {
            zone,
            offset_from: 0,
            offset_until: 0,
            offset: 0,
            day: 0,
            date: date_of_day(0),
        }
    }

    pub fn stamp(&mut self, t: SystemTime) -> Stamp {
        let (secs, nanos) = unix_parts(t);
        if secs < self.offset_from || secs >= self.offset_until {
            self.offset_from = secs - secs.rem_euclid(60);
            self.offset_until = self.offset_from.saturating_add(60);
            self.offset = self.zone.offset_at(secs);
        }
        Stamp {
            secs,
            nanos,
            offset: self.offset,
        }
    }

    /// `YYYY-MM-DD` of the stamp's local day.
    pub fn date(&mut self, stamp: &Stamp) -> [u8; 10] {
        self.date_of_day(stamp.day())
    }

    /// `YYYY-MM-DD` of a local day number (cached).
    pub fn date_of_day(&mut self, day: i64) -> [u8; 10] {
        if day != self.day {
            self.day = day;
            self.date = date_of_day(day);
        }
        self.date
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM` (always 29 ASCII bytes).
    pub fn format(&mut self, stamp: &Stamp) -> EventTime {
        let date = self.date(stamp);
        let mut out = [0u8; 29];
        out[..10].copy_from_slice(&date);
        let local = stamp.secs + i64::from(stamp.offset);
        let sod = local.rem_euclid(86_400) as u32;
        out[10] = b'T';
        put_digits(&mut out[11..13], sod / 3600);
        out[13] = b':';
        put_digits(&mut out[14..16], sod / 60 % 60);
        out[16] = b':';
        put_digits(&mut out[17..19], sod % 60);
        out[19] = b'.';
        put_digits(&mut out[20..23], stamp.nanos / 1_000_000);
        let off = stamp.offset;
        out[23] = if off < 0 { b'-' } else { b'+' };
        let abs = off.unsigned_abs() / 60;
        put_digits(&mut out[24..26], abs / 60);
        out[26] = b':';
        put_digits(&mut out[27..29], abs % 60);
        EventTime(out)
    }
}

/// A formatted RFC 3339 timestamp with milliseconds and a numeric offset.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventTime(pub [u8; 29]);

impl EventTime {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.0).unwrap_or("1970-01-01T00:00:00.000+00:00")
    }
}

impl fmt::Debug for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for EventTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Formats `t` in `zone` the way every log line spells its time:
/// `2026-11-23T16:45:46.123+00:00`.
pub fn format_rfc3339(t: SystemTime, zone: &LogZone) -> String {
    let mut cache = TimeCache::new(zone.clone());
    let stamp = cache.stamp(t);
    cache.format(&stamp).as_str().to_string()
}

/// Whether `b` starts with a timestamp shaped like the ones written here.
pub(crate) fn looks_like_stamp(b: &[u8]) -> bool {
    const SHAPE: &[u8; 29] = b"dddd-dd-ddTdd:dd:dd.ddd+dd:dd";
    if b.len() < SHAPE.len() {
        return false;
    }
    SHAPE.iter().zip(b).all(|(&s, &c)| match s {
        b'd' => c.is_ascii_digit(),
        b'+' => c == b'+' || c == b'-',
        _ => c == s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jiff_format(secs: i64, nanos: u32, tz: &jiff::tz::TimeZone) -> String {
        let ts = jiff::Timestamp::new(secs, nanos as i32).unwrap();
        let zdt = ts.to_zoned(tz.clone());
        let off = zdt.offset().seconds();
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.unsigned_abs() / 60;
        format!(
            "{}{}{:02}:{:02}",
            zdt.strftime("%Y-%m-%dT%H:%M:%S%.3f"),
            sign,
            a / 60,
            a % 60
        )
    }

    #[test]
    fn format_matches_jiff_over_many_instants() {
        let zones = [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ];
        for name in zones {
            let Ok(zone) = LogZone::named(name) else {
                continue;
            };
            let tz = jiff::tz::TimeZone::get(name).unwrap();
            let mut cache = TimeCache::new(zone);
            // Walk ~30 years in irregular steps so every offset, leap day and
            // DST edge gets sampled, including backwards jumps.
            let mut secs: i64 = 946_684_800 - 7_777;
            let mut step: i64 = 1;
            while secs < 1_900_000_000 {
                let nanos = (secs.rem_euclid(1000) as u32) * 1_000_123 % 1_000_000_000;
                let stamp = cache.stamp(UNIX_EPOCH + Duration::new(secs as u64, nanos));
                assert_eq!(
                    cache.format(&stamp).as_str(),
                    jiff_format(secs, nanos, &tz),
                    "{name} {secs}"
                );
                step = (step * 7 + 3) % 3_000_000 + 1;
                secs += step;
            }
        }
    }

    #[test]
    fn day_roundtrip() {
        for day in [-1000, -1, 0, 1, 365, 20_000, 20_415, 2_932_896] {
            let date = date_of_day(day);
            let s = std::str::from_utf8(&date).unwrap();
            assert_eq!(day_of_date(s), Some(day), "{s}");
        }
        assert_eq!(day_of_date("2026-13-01"), None);
        assert_eq!(day_of_date("2026-1-011"), None);
        assert_eq!(day_of_date("+026-11-01"), None);
    }

    #[test]
    fn before_epoch() {
        let t = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(unix_parts(t), (-2, 500_000_000));
        assert_eq!(
            format_rfc3339(t, &LogZone::utc()),
            "1969-12-31T23:59:58.500+00:00"
        );
    }

    #[test]
    fn fixed_negative_offset() {
        let zone = LogZone::fixed(-(5 * 3600 + 30 * 60)).unwrap();
        let t = UNIX_EPOCH + Duration::from_secs(86_400);
        assert_eq!(format_rfc3339(t, &zone), "1970-01-01T18:30:00.000-05:30");
        assert!(looks_like_stamp(format_rfc3339(t, &zone).as_bytes()));
        assert!(LogZone::fixed(26 * 3600).is_none());
    }
}
