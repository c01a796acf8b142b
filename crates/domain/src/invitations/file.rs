//! Reading an invitation list: a CSV file as people make it, in UTF-8 (with or without the
//! byte-order mark Excel adds) or in CP932, which Excel in Japan writes. The first line names the
//! columns, in English or Japanese: name and email, and optionally the name's reading and a
//! slot. A row that cannot be read is reported with its line number; the good rows are kept.

use std::collections::HashMap;

use crate::{
    entity::event_slot,
    error::{Error, ValidationErrors},
    ids::SlotId,
    rsvp::NAME_MAX,
    values::{self, Email},
};

/// More rows than any alumni network has members.
pub const ROWS_MAX: usize = 20_000;
/// Lines reported one by one; past this, one line says how many more could not be read.
pub const PROBLEMS_MAX: usize = 1_000;

/// One person to invite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub name: String,
    pub name_reading: Option<String>,
    pub email: Email,
    pub slot: Option<SlotId>,
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub line: u64,
    /// What is wrong, in English (`email: not an email address`).
    pub message: String,
    /// The same as codes, field by field (`email`, `invalid_email`), for pages to say in the
    /// reader's language. A line that is not CSV at all is (`line`, `not_csv`); the line that
    /// stands for the problems past `PROBLEMS_MAX` is (`line`, `more_lines`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}

/// One field of a row that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    pub field: String,
    pub code: String,
}

impl Reason {
    fn new(field: &str, code: &str) -> Reason {
        Reason { field: field.to_owned(), code: code.to_owned() }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Email,
    Reading,
    Slot,
}

fn column(header: &str) -> Option<Column> {
    let h = header.trim().to_lowercase().replace([' ', '_', '-', '　'], "");
    match h.as_str() {
        "name" | "fullname" | "氏名" | "名前" | "お名前" | "なまえ" => Some(Column::Name),
        "email" | "mail" | "emailaddress" | "メール" | "メールアドレス" | "eメール" | "eメールアドレス" => {
            Some(Column::Email)
        }
        "namereading" | "reading" | "furigana" | "ふりがな" | "フリガナ" | "よみがな" | "読み" | "よみ" => {
            Some(Column::Reading)
        }
        "slot" | "参加枠" | "枠" => Some(Column::Slot),
        _ => None,
    }
}

fn refused(code: &'static str, message: &str) -> Error {
    ValidationErrors::single("file", code, message).into()
}

/// The file as text: UTF-8 (a byte-order mark dropped) or CP932.
fn decode(bytes: &[u8]) -> Result<String, Error> {
    if bytes.is_empty() {
        return Err(refused("empty", "the file is empty"));
    }
    // Text files have no NUL bytes; spreadsheets (.xlsx), images and the like do.
    if bytes.contains(&0) {
        return Err(refused("not_csv", "this is not a CSV file; save the list as CSV and upload that"));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    // encoding_rs's Shift_JIS is the WHATWG one, which is CP932 (Windows-31J).
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(refused("unknown_encoding", "the file is neither UTF-8 nor Shift_JIS (CP932)"));
    }
    Ok(text.into_owned())
}

/// Reads an invitation list for an event with `slots` (a slot is named or given by id).
pub fn parse(bytes: &[u8], slots: &[event_slot::Model]) -> Result<Parsed, Error> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| refused("not_csv", "the first line is not CSV"))?.clone();
    let columns: HashMap<usize, Column> =
        headers.iter().enumerate().filter_map(|(i, h)| column(h).map(|c| (i, c))).collect();
    let index = |wanted: Column| columns.iter().find(|(_, c)| **c == wanted).map(|(i, _)| *i);
    let (Some(name_at), Some(email_at)) = (index(Column::Name), index(Column::Email)) else {
        return Err(refused(
            "no_header",
            "the first line must name the columns: name and email (氏名, メールアドレス), optionally \
             name_reading (ふりがな) and slot (参加枠)",
        ));
    };
    let (reading_at, slot_at) = (index(Column::Reading), index(Column::Slot));
    // Line numbers from byte offsets: the csv crate counts neither blank lines nor the blank
    // lines before a record (its position is where it started reading, at the blank line).
    let bytes = text.as_bytes();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |position: Option<&csv::Position>| {
        let Some(mut at) = position.and_then(|p| usize::try_from(p.byte()).ok()) else { return 0 };
        while bytes.get(at).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            at += 1;
        }
        u64::try_from(line_starts.partition_point(|&start| start <= at)).unwrap_or(0)
    };

    let mut parsed = Parsed::default();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = line_of(err.position());
                parsed.problems.push(Problem {
                    line,
                    message: "this line is not valid CSV".into(),
                    reasons: vec![Reason::new("line", "not_csv")],
                });
                continue;
            }
        };
        let line = line_of(record.position());
        let field = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").trim();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if parsed.rows.len() >= ROWS_MAX {
            return Err(refused("too_many_rows", &format!("a list holds at most {ROWS_MAX} people")));
        }
        let mut problems: Vec<(Reason, String)> = Vec::new();
        let mut refuse = |field: &str, e: crate::error::InvalidValue| {
            problems.push((Reason::new(field, e.code), format!("{field}: {}", e.message)));
        };
        let name = values::text(field(Some(name_at)), NAME_MAX).map_err(|e| refuse("name", e)).ok();
        let email = Email::parse(field(Some(email_at))).map_err(|e| refuse("email", e)).ok();
        let name_reading = values::optional_text(field(reading_at), NAME_MAX)
            .map_err(|e| refuse("name_reading", e))
            .ok()
            .flatten();
        let slot = match field(slot_at) {
            "" => None,
            wanted => {
                let found = slots
                    .iter()
                    .find(|s| s.name == wanted || s.id.uuid().to_string() == wanted)
                    .map(|s| s.id);
                if found.is_none() {
                    problems.push((
                        Reason::new("slot", "unknown_slot"),
                        format!("slot: `{wanted}` is not a slot of this event"),
                    ));
                }
                found
            }
        };
        match (name, email) {
            (Some(name), Some(email)) if problems.is_empty() => {
                parsed.rows.push(Row { line, name, name_reading, email, slot });
            }
            _ => {
                let (reasons, messages): (Vec<Reason>, Vec<String>) = problems.into_iter().unzip();
                parsed.problems.push(Problem { line, message: messages.join("; "), reasons });
            }
        }
    }
    if parsed.problems.len() > PROBLEMS_MAX {
        let more = parsed.problems.len() - PROBLEMS_MAX;
        let line = parsed.problems[PROBLEMS_MAX].line;
        parsed.problems.truncate(PROBLEMS_MAX);
        parsed.problems.push(Problem {
            line,
            message: format!("and {more} more lines that could not be read"),
            reasons: vec![Reason::new("line", "more_lines")],
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(result: Result<Parsed, Error>) -> Vec<&'static str> {
        match result {
            Err(Error::Invalid(errors)) => errors.fields().iter().map(|e| e.code).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn utf8_with_and_without_bom_and_cp932_read_the_same() {
        let text = "氏名,メールアドレス,ふりがな\n山田 花子,Hanako@Example.jp,やまだ はなこ\n";
        let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!unmappable);
        let with_bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
        for bytes in [text.as_bytes(), with_bom.as_slice(), &cp932] {
            let parsed = parse(bytes, &[]).unwrap();
            assert_eq!(parsed.rows.len(), 1, "{parsed:?}");
            let row = &parsed.rows[0];
            assert_eq!((row.name.as_str(), row.email.as_str()), ("山田 花子", "hanako@example.jp"));
            assert_eq!(row.name_reading.as_deref(), Some("やまだ はなこ"));
            assert_eq!(row.line, 2);
        }
    }

    #[test]
    fn broken_rows_are_reported_by_line_and_the_rest_kept() {
        let text = "name,email\nA,a@example.jp\n,b@example.jp\nC,not-an-address\n\nD,d@example.jp,extra\n";
        let parsed = parse(text.as_bytes(), &[]).unwrap();
        assert_eq!(parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 6]);
        assert_eq!(parsed.problems.iter().map(|p| p.line).collect::<Vec<_>>(), vec![3, 4]);
        assert!(parsed.problems[1].message.starts_with("email:"), "{:?}", parsed.problems);
    }

    #[test]
    fn files_that_are_not_lists_are_refused() {
        assert_eq!(codes(parse(b"", &[])), vec!["empty"]);
        assert_eq!(codes(parse(b"PK\x03\x04\x00\x00binary", &[])), vec!["not_csv"]);
        assert_eq!(codes(parse("好きな色,数\n赤,1\n".as_bytes(), &[])), vec!["no_header"]);
        assert_eq!(codes(parse(b"name,email\n\xff\xfe\xfd,x@example.jp\n", &[])), vec!["unknown_encoding"]);
    }
}
