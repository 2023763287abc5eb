//! Calendar dates for suppression expiry (`until=YYYY-MM-DD`), without a date-time dependency.

use std::fmt;

/// A proleptic Gregorian date. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// The environment variable that replaces the system clock's date. It exists so tests (and
/// reproducible CI runs) can pin "today"; it is not meant for everyday use.
pub const TODAY_ENV: &str = "AKSGUARD_TODAY";

impl Date {
    /// Parse exactly `YYYY-MM-DD`, rejecting impossible days (`2025-02-30`).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let year = digits(0..4)? as i32;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Today in UTC from the system clock, or from `AKSGUARD_TODAY` when it is set.
    pub fn today() -> Result<Date, String> {
        if let Some(pinned) = std::env::var_os(TODAY_ENV) {
            let pinned = pinned.to_string_lossy();
            return Date::parse(&pinned)
                .ok_or_else(|| format!("{TODAY_ENV}={pinned}: expected a date YYYY-MM-DD"));
        }
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| format!("the system clock is before 1970: {e}"))?
            .as_secs();
        Ok(Date::from_days_since_epoch((seconds / 86_400) as i64))
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
    fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_dates() {
        let a = Date::parse("2024-02-29").unwrap();
        let b = Date::parse("2024-03-01").unwrap();
        assert!(a < b);
        assert_eq!(a.to_string(), "2024-02-29");
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2024-13-01"), None);
        assert_eq!(Date::parse("24-01-01"), None);
        assert_eq!(Date::parse("2024-1-011"), None);
    }

    #[test]
    fn converts_days_since_epoch() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(19_782).to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_089).to_string(),
            "2025-01-01"
        );
    }
}
