//! Calendar dates as the site format writes them: `YYYY-MM-DD`, nothing else.
//!
//! A thin wrapper over `time::Date` so that parsing is strict (one format,
//! real calendar days), printing is always ISO, and the arithmetic the
//! derived commitment fields need (`days_late`, months) lives in one place.

use std::fmt;

use serde::{Serialize, Serializer};
use time::Month;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD` exactly; returns a user-facing reason on failure.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (number(0..4) as i32, number(5..7) as u8, number(8..10) as u8);
        let month =
            Month::try_from(month).map_err(|_| format!("`{text}` has no month {month}; months run 01 to 12"))?;
        time::Date::from_calendar_date(year, month, day)
            .map(Date)
            .map_err(|_| format!("`{text}` is not a day of the calendar ({month} {year} has no day {day})"))
    }

    pub(crate) fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let month = Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok().map(Date)
    }

    /// Today in UTC, from the system clock. Only `main` calls this: the
    /// library takes "today" as an input so that builds are reproducible.
    pub(crate) fn today_utc() -> Date {
        Date(time::OffsetDateTime::now_utc().date())
    }

    /// `other - self` in days.
    pub(crate) fn days_until(self, other: Date) -> i64 {
        (other.0 - self.0).whole_days()
    }

    pub(crate) fn add_days(self, days: i64) -> Option<Date> {
        self.0.checked_add(time::Duration::days(days)).map(Date)
    }

    pub(crate) fn year_month(self) -> YearMonth {
        YearMonth {
            year: self.0.year(),
            month: u8::from(self.0.month()),
        }
    }

    pub(crate) fn year(self) -> i32 {
        self.0.year()
    }

    pub(crate) fn month(self) -> u8 {
        u8::from(self.0.month())
    }

    pub(crate) fn day(self) -> u8 {
        self.0.day()
    }

    /// "12 March 2026", for people.
    pub(crate) fn long(self) -> String {
        format!("{} {} {}", self.day(), self.0.month(), self.year())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl YearMonth {
    /// Parses `YYYY-MM`.
    pub(crate) fn parse(text: &str) -> Option<YearMonth> {
        let (y, m) = text.split_once('-')?;
        let year = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        (y.len() == 4 && m.len() == 2 && (1..=12).contains(&month)).then_some(YearMonth { year, month })
    }

    pub(crate) fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Every month from `self` to `last`, both included.
    pub(crate) fn through(self, last: YearMonth) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut m = self;
        while m <= last {
            months.push(m);
            m = m.next();
        }
        months
    }

    /// The month's first day.
    pub(crate) fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date(time::Date::MIN))
    }

    /// The month's last day.
    pub(crate) fn last_day(self) -> Date {
        self.next().first_day().add_days(-1).unwrap_or(Date(time::Date::MAX))
    }

    /// "Mar 2026".
    pub(crate) fn short_label(self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_iso_days() {
        let cases = [
            ("2026-03-12", Ok("2026-03-12")),
            (" 2024-02-29 ", Ok("2024-02-29")),
            ("2025-02-29", Err("has no day 29")),
            ("2026-13-01", Err("no month 13")),
            ("12/03/2026", Err("YYYY-MM-DD")),
            ("2026-3-1", Err("YYYY-MM-DD")),
            ("soon", Err("YYYY-MM-DD")),
        ];
        for (input, expected) in cases {
            match (Date::parse(input), expected) {
                (Ok(d), Ok(want)) => assert_eq!(d.to_string(), want),
                (Err(e), Err(want)) => assert!(e.contains(want), "{input}: {e}"),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn arithmetic() {
        let a = Date::parse("2026-01-30").unwrap();
        let b = Date::parse("2026-03-01").unwrap();
        assert_eq!(a.days_until(b), 30);
        assert_eq!(b.days_until(a), -30);
        assert_eq!(a.add_days(2).unwrap().to_string(), "2026-02-01");
        assert_eq!(a.year_month().to_string(), "2026-01");
        let months = a.year_month().through(Date::parse("2026-04-02").unwrap().year_month());
        assert_eq!(months.len(), 4);
        assert_eq!(a.long(), "30 January 2026");
    }
}
