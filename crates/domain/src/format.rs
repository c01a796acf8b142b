//! Dates and times as people read them, in the event's own time zone (pages and emails).

use crate::values::Language;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// A moment as an HTML `datetime-local` field shows it, in `time_zone`: "2026-12-10T19:00".
pub fn local_input(at: DateTime<Utc>, time_zone: &str) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// What a `datetime-local` field holds ("2026-12-10T19:00", seconds optional), read in
/// `time_zone`. `None` for text that is no time, or a wall-clock time the zone skips (a
/// daylight-saving gap); of a time it repeats, the earlier.
pub fn parse_local_input(raw: &str, time_zone: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDateTime, TimeZone};
    let tz: Tz = time_zone.parse().ok()?;
    let raw = raw.trim();
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive).earliest().map(|at| at.with_timezone(&Utc))
}

/// "2026年12月10日(木) 19:00〜21:30 JST" or "Thu 10 Dec 2026, 19:00–21:30 JST".
pub fn when(starts: DateTime<Utc>, ends: DateTime<Utc>, time_zone: &str, language: Language) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let (s, e) = (starts.with_timezone(&tz), ends.with_timezone(&tz));
    let same_day = s.date_naive() == e.date_naive();
    match language {
        Language::Ja => {
            let day = |d: &DateTime<Tz>, year: bool| {
                let weekday = WEEKDAYS_JA[d.weekday().num_days_from_monday() as usize];
                if year {
                    format!("{}年{}月{}日({weekday})", d.year(), d.month(), d.day())
                } else {
                    format!("{}月{}日({weekday})", d.month(), d.day())
                }
            };
            if same_day {
                format!("{} {}〜{} {}", day(&s, true), s.format("%H:%M"), e.format("%H:%M"), s.format("%Z"))
            } else {
                format!(
                    "{} {} 〜 {} {} {}",
                    day(&s, true),
                    s.format("%H:%M"),
                    day(&e, false),
                    e.format("%H:%M"),
                    s.format("%Z")
                )
            }
        }
        Language::En => {
            if same_day {
                format!(
                    "{}, {}–{} {}",
                    s.format("%a %-d %b %Y"),
                    s.format("%H:%M"),
                    e.format("%H:%M"),
                    s.format("%Z")
                )
            } else {
                format!(
                    "{}, {} – {}, {} {}",
                    s.format("%a %-d %b %Y"),
                    s.format("%H:%M"),
                    e.format("%a %-d %b"),
                    e.format("%H:%M"),
                    s.format("%Z")
                )
            }
        }
    }
}

/// "12月10日(木)" or "Thu 10 Dec", for lists.
pub fn short_date(at: DateTime<Utc>, time_zone: &str, language: Language) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let d = at.with_timezone(&tz);
    match language {
        Language::Ja => {
            format!(
                "{}年{}月{}日({})",
                d.year(),
                d.month(),
                d.day(),
                WEEKDAYS_JA[d.weekday().num_days_from_monday() as usize]
            )
        }
        Language::En => d.format("%a %-d %b %Y").to_string(),
    }
}

/// One moment, for deadlines: "12月10日(木) 19:30 JST" or "Thu 10 Dec, 19:30 JST".
pub fn moment(at: DateTime<Utc>, time_zone: &str, language: Language) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let d = at.with_timezone(&tz);
    match language {
        Language::Ja => format!(
            "{}月{}日({}) {}",
            d.month(),
            d.day(),
            WEEKDAYS_JA[d.weekday().num_days_from_monday() as usize],
            d.format("%H:%M %Z")
        ),
        Language::En => d.format("%a %-d %b, %H:%M %Z").to_string(),
    }
}

/// A spreadsheet program runs a cell that begins with one of these as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell as text that a spreadsheet shows and never evaluates.
pub fn spreadsheet_cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) { format!("'{value}") } else { value.to_owned() }
}

/// A CSV file that opens correctly in Excel: UTF-8 with a byte-order mark, then the header and
/// the records (whose text cells went through [`spreadsheet_cell`]).
pub fn excel_csv(
    header: Vec<String>,
    records: impl IntoIterator<Item = Vec<String>>,
) -> crate::error::Result<Vec<u8>> {
    let failed = |err: ::csv::Error| crate::error::Error::Unexpected(err.into());
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = ::csv::Writer::from_writer(&mut out);
        writer.write_record(&header).map_err(failed)?;
        for record in records {
            writer.write_record(&record).map_err(failed)?;
        }
        writer.flush().map_err(|err| crate::error::Error::Unexpected(err.into()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_show_in_the_events_time_zone() {
        let s = Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).unwrap();
        let e = Utc.with_ymd_and_hms(2026, 12, 10, 12, 30, 0).unwrap();
        assert_eq!(when(s, e, "Asia/Tokyo", Language::Ja), "2026年12月10日(木) 19:00〜21:30 JST");
        assert_eq!(when(s, e, "Asia/Tokyo", Language::En), "Thu 10 Dec 2026, 19:00–21:30 JST");
        assert_eq!(when(s, e, "Europe/Berlin", Language::En), "Thu 10 Dec 2026, 11:00–13:30 CET");
    }

    #[test]
    fn a_deadline_reads_as_one_moment() {
        let at = Utc.with_ymd_and_hms(2026, 12, 10, 10, 30, 0).unwrap();
        assert_eq!(moment(at, "Asia/Tokyo", Language::Ja), "12月10日(木) 19:30 JST");
        assert_eq!(moment(at, "Asia/Tokyo", Language::En), "Thu 10 Dec, 19:30 JST");
    }

    #[test]
    fn an_evening_past_midnight_names_both_days() {
        let s = Utc.with_ymd_and_hms(2026, 12, 10, 12, 0, 0).unwrap();
        let e = Utc.with_ymd_and_hms(2026, 12, 10, 16, 0, 0).unwrap();
        assert_eq!(
            when(s, e, "Asia/Tokyo", Language::Ja),
            "2026年12月10日(木) 21:00 〜 12月11日(金) 01:00 JST"
        );
    }
}
