//! Times for people: "2026-11-27 18:02 UTC" and "3 h ago", without a
//! date-time dependency.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `2026-11-27 18:02 UTC` for Unix milliseconds.
pub fn utc(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// How long before `now` the moment `then` was: "12 s ago", "5 min ago".
pub fn ago(then: SystemTime, now: SystemTime) -> String {
    match now.duration_since(then) {
        Ok(d) => format!("{} ago", short(d)),
        Err(_) => "just now".to_string(),
    }
}

/// `ago` for Unix milliseconds.
pub fn ago_millis(millis: i64, now: SystemTime) -> String {
    let then = UNIX_EPOCH + Duration::from_millis(millis.max(0) as u64);
    ago(then, now)
}

fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ => {
            let days = s / 86_400;
            format!("{days} day{}", if days == 1 { "" } else { "s" })
        }
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 -> (y, m, d).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_801_320_000), "2026-11-27 17:42 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn relative_times() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |s: u64| now - Duration::from_secs(s);
        assert_eq!(ago(at(12), now), "12 s ago");
        assert_eq!(ago(at(300), now), "5 min ago");
        assert_eq!(ago(at(3 * 3600 + 5), now), "3 h ago");
        assert_eq!(ago(at(86_400), now), "1 day ago");
        assert_eq!(ago(now + Duration::from_secs(5), now), "just now");
    }
}
