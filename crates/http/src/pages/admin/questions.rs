//! The question editor the event form (the RSVP form's questions) and the survey page share:
//! a row per question (its kind, its label in Japanese and English, required or not, and for
//! choice questions a row per choice), empty rows to add more, and a question or choice whose
//! labels are both cleared taken out. Questions and choices keep their ids in hidden fields,
//! so answers stay with them.

use std::collections::BTreeMap;

use minijinja::{Value, context};
use tsudoi_domain::questions::{ChoiceDraft, Label, QUESTIONS_MAX, QuestionDraft, QuestionKind};

use crate::pages::rsvp::Posted;

/// Empty question rows offered to add more.
const SPARE_QUESTIONS: usize = 2;
/// Empty choice rows offered under each question.
const SPARE_CHOICES: usize = 3;
/// The most choice rows a question may post.
const CHOICES_MAX: usize = tsudoi_domain::questions::CHOICES_MAX + SPARE_CHOICES;

const FORM_KINDS: [QuestionKind; 5] = [
    QuestionKind::ShortText,
    QuestionKind::LongText,
    QuestionKind::SingleChoice,
    QuestionKind::MultipleChoice,
    QuestionKind::YesNo,
];
const SURVEY_KINDS: [QuestionKind; 7] = [
    QuestionKind::Rating,
    QuestionKind::ZeroToTen,
    QuestionKind::SingleChoice,
    QuestionKind::MultipleChoice,
    QuestionKind::YesNo,
    QuestionKind::ShortText,
    QuestionKind::LongText,
];

fn kind_key(kind: QuestionKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn kind_of(key: &str) -> Option<QuestionKind> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

/// The kinds a list offers, as the template's options: a survey adds its scales.
pub(super) fn kinds(survey: bool) -> Vec<String> {
    let kinds: &[QuestionKind] = if survey { &SURVEY_KINDS } else { &FORM_KINDS };
    kinds.iter().map(|k| kind_key(*k)).collect()
}

/// The form's values for questions as they are stored.
pub(super) fn put_values(drafts: &[QuestionDraft], values: &mut BTreeMap<String, String>) {
    for (i, q) in drafts.iter().enumerate() {
        let mut put = |key: String, value: String| {
            values.insert(key, value);
        };
        put(format!("q_id_{i}"), q.id.clone().unwrap_or_default());
        put(format!("q_kind_{i}"), q.kind.map(kind_key).unwrap_or_default());
        put(format!("q_ja_{i}"), q.label.ja.clone());
        put(format!("q_en_{i}"), q.label.en.clone());
        if q.required {
            put(format!("q_required_{i}"), "on".to_owned());
        }
        for (j, c) in q.choices.iter().enumerate() {
            put(format!("q_{i}_c{j}_id"), c.id.clone().unwrap_or_default());
            put(format!("q_{i}_c{j}_ja"), c.label.ja.clone());
            put(format!("q_{i}_c{j}_en"), c.label.en.clone());
        }
    }
}

/// Whether the form showed the editor (a form without it leaves the questions as they are).
pub(super) fn shown(form: &Posted) -> bool {
    form.get("questions_shown").is_some()
}

fn field(form: &Posted, key: &str) -> String {
    form.get(key).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// The question rows posted with a label, in order, as (row, question).
fn posted(form: &Posted) -> Vec<(usize, QuestionDraft)> {
    (0..QUESTIONS_MAX + SPARE_QUESTIONS)
        .filter_map(|i| {
            let label =
                Label { ja: field(form, &format!("q_ja_{i}")), en: field(form, &format!("q_en_{i}")) };
            if label.ja.is_empty() && label.en.is_empty() {
                return None;
            }
            let kind = kind_of(&field(form, &format!("q_kind_{i}")));
            let choices = if kind.is_some_and(QuestionKind::has_choices) {
                (0..CHOICES_MAX)
                    .filter_map(|j| {
                        let label = Label {
                            ja: field(form, &format!("q_{i}_c{j}_ja")),
                            en: field(form, &format!("q_{i}_c{j}_en")),
                        };
                        let id = Some(field(form, &format!("q_{i}_c{j}_id"))).filter(|id| !id.is_empty());
                        (!label.ja.is_empty() || !label.en.is_empty()).then_some(ChoiceDraft { id, label })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let id = Some(field(form, &format!("q_id_{i}"))).filter(|id| !id.is_empty());
            let required = form.get(&format!("q_required_{i}")).is_some();
            Some((i, QuestionDraft { id, kind, required, label, choices }))
        })
        .collect()
}

/// The questions as posted: rows with a label (in either language), in order.
pub(super) fn from_form(form: &Posted) -> Vec<QuestionDraft> {
    posted(form).into_iter().map(|(_, q)| q).collect()
}

/// The posted question rows numbered again as `from_form` reads them (rows left empty out), so
/// the domain's `questions[i]` is row `i` when the form is shown again.
pub(super) fn posted_values(form: &Posted, values: &mut BTreeMap<String, String>) {
    values.retain(|k, _| !k.starts_with("q_"));
    put_values(&from_form(form), values);
}

/// The rows the template shows: those with values, then empty ones; each with its choice rows.
pub(super) fn rows(values: &BTreeMap<String, String>) -> Vec<Value> {
    let filled = (0..QUESTIONS_MAX).take_while(|i| values.contains_key(&format!("q_kind_{i}"))).count();
    (0..(filled + SPARE_QUESTIONS).min(QUESTIONS_MAX))
        .map(|i| {
            let choices = (0..CHOICES_MAX).take_while(|j| values.contains_key(&format!("q_{i}_c{j}_id"))).count();
            context! { i => i, choices => (0..(choices + SPARE_CHOICES).min(CHOICES_MAX)).collect::<Vec<_>>() }
        })
        .collect()
}

/// The form field a domain error about `questions[i]...` shows at: its row.
pub(super) fn error_field(field: &str) -> Option<String> {
    let rest = field.strip_prefix("questions[")?;
    let (index, _) = rest.split_once(']')?;
    Some(format!("q_row_{index}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Posted {
        Posted::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn empty_rows_are_left_out_and_ids_kept() {
        let posted = form(&[
            ("q_id_0", "diet"),
            ("q_kind_0", "single_choice"),
            ("q_ja_0", "お食事"),
            ("q_en_0", "Meal"),
            ("q_required_0", "on"),
            ("q_0_c0_id", "meat"),
            ("q_0_c0_ja", "肉"),
            ("q_0_c0_en", "Meat"),
            ("q_0_c1_id", ""),
            ("q_0_c1_ja", "魚"),
            ("q_0_c2_ja", ""),
            ("q_kind_1", "short_text"),
            ("q_kind_2", "yes_no"),
            ("q_ja_2", "懇親会に参加しますか"),
            ("q_2_c0_ja", "ignored: a yes/no question has no choices"),
        ]);
        let drafts = from_form(&posted);
        assert_eq!(drafts.len(), 2, "the row without a label is left out");
        assert_eq!(drafts[0].id.as_deref(), Some("diet"));
        assert!(drafts[0].required);
        let choices: Vec<_> = drafts[0].choices.iter().map(|c| (c.id.clone(), c.label.ja.clone())).collect();
        assert_eq!(choices, [(Some("meat".to_owned()), "肉".to_owned()), (None, "魚".to_owned())]);
        assert_eq!(drafts[1].kind, Some(QuestionKind::YesNo));
        assert!(drafts[1].choices.is_empty(), "only choice questions carry choices");

        let mut values = BTreeMap::new();
        posted_values(&posted, &mut values);
        assert_eq!(values["q_ja_1"], "懇親会に参加しますか", "numbered again without the empty row");
        assert_eq!(error_field("questions[1].label.ja").as_deref(), Some("q_row_1"));
    }
}
