//! Amounts of money: the door fee (会費). Stored as whole numbers of a currency's smallest unit
//! (yen; cents for euros), so that nothing is lost to rounding, with the ISO 4217 code beside.

use crate::{error::InvalidValue, values::Language};

/// The currencies an event may charge in, with their digits after the decimal point.
/// The digits are ISO 4217's minor units, which browsers' `Intl` uses too (TWD has two, though
/// its cash has none).
const CURRENCIES: &[(&str, u32)] = &[
    ("JPY", 0),
    ("KRW", 0),
    ("TWD", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CNY", 2),
    ("HKD", 2),
    ("SGD", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("THB", 2),
];

pub const DEFAULT_CURRENCY: &str = "JPY";
/// ¥10,000,000 or €100,000: far above any meetup's fee.
pub const FEE_MAX: i64 = 10_000_000;

/// A currency code that Tsudoi knows how to show.
pub fn currency(raw: &str) -> Result<&'static str, InvalidValue> {
    let code = raw.trim().to_ascii_uppercase();
    CURRENCIES.iter().find(|(c, _)| *c == code).map(|(c, _)| *c).ok_or_else(|| {
        let known: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        InvalidValue::new("unknown_currency", format!("must be one of {}", known.join(", ")))
    })
}

/// An amount as people read it: "¥3,000" or "3,000円", "€15.00".
pub fn format(amount: i64, currency: &str, language: Language) -> String {
    let digits = CURRENCIES.iter().find(|(c, _)| *c == currency).map_or(2, |(_, d)| *d);
    let scale = 10_i64.pow(digits);
    let sign = if amount < 0 { "-" } else { "" };
    let (whole, part) = (amount.abs() / scale, amount.abs() % scale);
    let plain = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number =
        if digits == 0 { grouped } else { format!("{grouped}.{part:0width$}", width = digits as usize) };
    match (currency, language) {
        ("JPY", Language::Ja) => format!("{sign}{number}円"),
        ("JPY", Language::En) => format!("{sign}¥{number}"),
        ("USD", _) => format!("{sign}${number}"),
        ("EUR", _) => format!("{sign}€{number}"),
        ("GBP", _) => format!("{sign}£{number}"),
        (other, _) => format!("{sign}{number} {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(format(3000, "JPY", Language::Ja), "3,000円");
        assert_eq!(format(3000, "JPY", Language::En), "¥3,000");
        assert_eq!(format(1_234_567, "JPY", Language::En), "¥1,234,567");
        assert_eq!(format(500, "JPY", Language::Ja), "500円");
        assert_eq!(format(1500, "EUR", Language::En), "€15.00");
        assert_eq!(format(5, "USD", Language::En), "$0.05");
        assert_eq!(format(100_000, "KRW", Language::Ja), "100,000 KRW");
        assert_eq!(format(0, "JPY", Language::Ja), "0円");
    }

    #[test]
    fn only_known_currencies_are_taken() {
        assert_eq!(currency(" eur ").unwrap(), "EUR");
        assert_eq!(currency("JPY").unwrap(), "JPY");
        assert_eq!(currency("XYZ").unwrap_err().code, "unknown_currency");
        assert_eq!(currency("").unwrap_err().code, "unknown_currency");
    }
}
