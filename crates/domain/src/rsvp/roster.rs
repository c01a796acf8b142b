//! The organizers' view of an event's RSVPs: a filtered list, and the CSV export that opens
//! correctly in Excel (UTF-8 with a byte-order mark, formulas neutralised). Door staff and
//! other networks see none of it: to them the event's RSVPs do not exist (404).

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::RsvpStatus;
use crate::{
    access::{Actor, Permission},
    entity::rsvp,
    error::{Error, Resource, Result, ValidationErrors},
    event::{self, EventDetails},
    format,
    format::spreadsheet_cell,
    ids::{EventId, SlotId},
    questions::Question,
    values::Language,
};

#[derive(Clone, Debug, Default)]
pub struct RsvpFilter {
    pub status: Option<RsvpStatus>,
    pub slot: Option<SlotId>,
    /// Some of the party came through the door (or none did).
    pub checked_in: Option<bool>,
    /// A question's id and an answer: a choice id, `yes` or `no`, or text the answer contains.
    pub answer: Option<(String, String)>,
    /// Text in the name, its reading or the email (any case), or the door code.
    pub search: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

/// Whether an RSVP answered `question` with `wanted` (see `RsvpFilter::answer`): the very
/// choice or yes/no, or text containing it.
fn answered(r: &rsvp::Model, question: &Question, wanted: &str) -> bool {
    let Some(answer) = r.answers.as_ref().and_then(|a| a.0.get(&question.id)) else { return false };
    match answer {
        serde_json::Value::Bool(yes) => wanted == if *yes { "yes" } else { "no" },
        serde_json::Value::String(choice) if question.kind.has_choices() => choice == wanted,
        serde_json::Value::String(text) => {
            !wanted.is_empty() && text.to_lowercase().contains(&wanted.to_lowercase())
        }
        serde_json::Value::Array(chosen) => chosen.iter().any(|c| c == wanted),
        _ => false,
    }
}

/// The event (for its slots and time zone) and its RSVPs in order of arrival.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    event_id: EventId,
    filter: &RsvpFilter,
) -> Result<(EventDetails, Vec<rsvp::Model>)> {
    let (details, _) =
        event::get(db, actor, event_id, Permission::ManageEvents).await.map_err(|err| match err {
            // Attendees' data is not something door staff may even know about.
            Error::Forbidden(_) => Error::NotFound(Resource::Event),
            other => other,
        })?;
    let mut query = rsvp::Entity::find().filter(rsvp::Column::EventId.eq(event_id));
    if let Some(status) = filter.status {
        query = query.filter(rsvp::Column::Status.eq(status));
    }
    if let Some(slot) = filter.slot {
        query = query.filter(rsvp::Column::SlotId.eq(slot));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let search: String = search.chars().take(100).collect();
        let like = |column: rsvp::Column| crate::db::contains(column, &search);
        query = query.filter(
            Condition::any()
                .add(like(rsvp::Column::Name))
                .add(like(rsvp::Column::NameReading))
                .add(like(rsvp::Column::Email))
                .add(rsvp::Column::ShortCode.eq(search.to_uppercase())),
        );
    }
    match filter.checked_in {
        Some(true) => query = query.filter(rsvp::Column::CheckedIn.gt(0)),
        Some(false) => query = query.filter(rsvp::Column::CheckedIn.eq(0)),
        None => {}
    }
    let query = query.order_by_asc(rsvp::Column::QueuedAt).order_by_asc(rsvp::Column::Id);
    let rows = match &filter.answer {
        None => query.limit(filter.limit).offset(filter.offset).all(db).await?,
        // Answers are JSON: filtered here, then paged.
        Some((question, wanted)) => {
            let Some(asked) =
                details.event.questions.as_ref().and_then(|q| q.0.iter().find(|q| &q.id == question))
            else {
                let unknown =
                    ValidationErrors::single("answer", "unknown_question", "is not a question of this event");
                return Err(unknown.into());
            };
            let skip = usize::try_from(filter.offset).unwrap_or(usize::MAX);
            let take = usize::try_from(filter.limit).unwrap_or(usize::MAX);
            query
                .all(db)
                .await?
                .into_iter()
                .filter(|r| answered(r, asked, wanted))
                .skip(skip)
                .take(take)
                .collect()
        }
    };
    Ok((details, rows))
}

/// The RSVPs as CSV for Excel: UTF-8 with a byte-order mark, headers in `language`, times in
/// the event's time zone.
pub fn csv(details: &EventDetails, rows: &[rsvp::Model], language: Language) -> Result<Vec<u8>> {
    let headers: [&str; 11] = match language {
        Language::Ja => [
            "氏名",
            "ふりがな",
            "メールアドレス",
            "参加枠",
            "同伴者数",
            "状態",
            "受付コード",
            "申込日時",
            "確定日時",
            "キャンセル日時",
            "参加者一覧に表示",
        ],
        Language::En => [
            "Name",
            "Reading",
            "Email",
            "Slot",
            "Guests",
            "Status",
            "Door code",
            "Registered",
            "Confirmed",
            "Cancelled",
            "In the list",
        ],
    };
    let tz = details.event.time_zone.as_str();
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| format::moment(at, tz, language)).unwrap_or_default()
    };
    let questions = details.event.questions.clone().unwrap_or_default().0;
    let header = headers
        .iter()
        .map(|h| (*h).to_owned())
        .chain(questions.iter().map(|q| spreadsheet_cell(q.label.in_language(language))))
        .collect();
    let records = rows.iter().map(|r| {
        let slot = details.slots.iter().find(|s| s.id == r.slot_id).map_or("", |s| s.name.as_str());
        let record = [
            spreadsheet_cell(&r.name),
            spreadsheet_cell(r.name_reading.as_deref().unwrap_or_default()),
            spreadsheet_cell(r.email.as_deref().unwrap_or_default()),
            spreadsheet_cell(slot),
            r.guests.to_string(),
            status_label(r.status, language).to_owned(),
            r.short_code.clone(),
            when(Some(r.queued_at)),
            when(r.confirmed_at),
            when(r.cancelled_at),
            if r.show_in_list { "✓" } else { "" }.to_owned(),
        ];
        let answers = questions.iter().map(|q| {
            let answer = r.answers.as_ref().and_then(|a| a.0.get(&q.id));
            answer.map(|a| spreadsheet_cell(&q.display(a, language))).unwrap_or_default()
        });
        record.into_iter().chain(answers).collect()
    });
    format::excel_csv(header, records)
}

pub fn status_label(status: RsvpStatus, language: Language) -> &'static str {
    match (status, language) {
        (RsvpStatus::Holding, Language::Ja) => "確定待ち",
        (RsvpStatus::Confirmed, Language::Ja) => "参加確定",
        (RsvpStatus::Waitlisted, Language::Ja) => "キャンセル待ち",
        (RsvpStatus::Offered, Language::Ja) => "席の案内中",
        (RsvpStatus::Cancelled, Language::Ja) => "キャンセル",
        (RsvpStatus::Expired, Language::Ja) => "期限切れ",
        (RsvpStatus::Holding, Language::En) => "awaiting confirmation",
        (RsvpStatus::Confirmed, Language::En) => "confirmed",
        (RsvpStatus::Waitlisted, Language::En) => "waitlisted",
        (RsvpStatus::Offered, Language::En) => "seat offered",
        (RsvpStatus::Cancelled, Language::En) => "cancelled",
        (RsvpStatus::Expired, Language::En) => "expired",
        (RsvpStatus::Entered, Language::Ja) => "抽選待ち",
        (RsvpStatus::Pending, Language::Ja) => "承認待ち",
        (RsvpStatus::Rejected, Language::Ja) => "お見送り",
        (RsvpStatus::NotSelected, Language::Ja) => "落選",
        (RsvpStatus::Entered, Language::En) => "entered in the lottery",
        (RsvpStatus::Pending, Language::En) => "awaiting approval",
        (RsvpStatus::Rejected, Language::En) => "declined",
        (RsvpStatus::NotSelected, Language::En) => "not selected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(spreadsheet_cell("=HYPERLINK(\"http://evil\")"), "'=HYPERLINK(\"http://evil\")");
        for sneaky in ["+1+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_cell(sneaky).starts_with('\''), "{sneaky:?}");
        }
        assert_eq!(spreadsheet_cell("山田 花子"), "山田 花子");
        assert_eq!(spreadsheet_cell("a=b"), "a=b");
    }
}
