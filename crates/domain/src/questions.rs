//! Questions an event asks on its RSVP form or in its survey (short text, long text, single
//! choice, multiple choice, yes/no, a five-point rating, a 0-10 scale), each with Japanese and
//! English labels, and the answers people give. Questions are kept as one JSON list and answers
//! as one JSON object keyed by question id, so organizers edit the list as a whole and answers
//! follow their question's id.

use std::collections::{BTreeMap, HashSet};

use data_encoding::BASE32_NOPAD;
use rand::RngCore;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{error::ValidationErrors, values::Language};

pub const QUESTIONS_MAX: usize = 20;
pub const CHOICES_MAX: usize = 20;
pub const LABEL_MAX: usize = 200;
pub const SHORT_TEXT_MAX: usize = 200;
pub const LONG_TEXT_MAX: usize = 2000;
const ID_MAX: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    ShortText,
    LongText,
    SingleChoice,
    MultipleChoice,
    YesNo,
    /// Five points, 5 the best: とても満足 / 満足 / ふつう / 不満 / とても不満.
    Rating,
    /// 0 to 10, as in "how likely are you to recommend": the base of NPS.
    ZeroToTen,
}

/// The five points of a rating, best first, in Japanese and English.
pub const RATING_LABELS: [(i64, &str, &str); 5] = [
    (5, "とても満足", "Very satisfied"),
    (4, "満足", "Satisfied"),
    (3, "ふつう", "Neutral"),
    (2, "不満", "Dissatisfied"),
    (1, "とても不満", "Very dissatisfied"),
];

/// A rating point's label in `language`.
pub fn rating_label(point: i64, language: Language) -> Option<&'static str> {
    RATING_LABELS.iter().find(|(p, ..)| *p == point).map(|(_, ja, en)| match language {
        Language::Ja => *ja,
        Language::En => *en,
    })
}

impl QuestionKind {
    pub fn has_choices(self) -> bool {
        matches!(self, QuestionKind::SingleChoice | QuestionKind::MultipleChoice)
    }

    /// The points of a scale question, lowest first.
    pub fn scale(self) -> Option<std::ops::RangeInclusive<i64>> {
        match self {
            QuestionKind::Rating => Some(1..=5),
            QuestionKind::ZeroToTen => Some(0..=10),
            _ => None,
        }
    }

    pub fn is_text(self) -> bool {
        matches!(self, QuestionKind::ShortText | QuestionKind::LongText)
    }
}

/// A label in both languages; either may be empty, not both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    #[serde(default)]
    pub ja: String,
    #[serde(default)]
    pub en: String,
}

impl Label {
    /// The label in `language`, or in the other one when this one is empty.
    pub fn in_language(&self, language: Language) -> &str {
        let (first, second) = match language {
            Language::Ja => (&self.ja, &self.en),
            Language::En => (&self.en, &self.ja),
        };
        if first.is_empty() { second } else { first }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: Label,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub label: Label,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

impl Question {
    fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.id == id)
    }

    /// An answer as a person reads it, in `language` (choices by their labels).
    pub fn display(&self, answer: &Value, language: Language) -> String {
        let yes_no = |yes: bool| match (yes, language) {
            (true, Language::Ja) => "はい",
            (false, Language::Ja) => "いいえ",
            (true, Language::En) => "Yes",
            (false, Language::En) => "No",
        };
        let choice = |id: &str| self.choice(id).map_or(id, |c| c.label.in_language(language)).to_owned();
        match answer {
            Value::Bool(yes) => yes_no(*yes).to_owned(),
            Value::Number(n) if self.kind == QuestionKind::Rating => n
                .as_i64()
                .and_then(|p| rating_label(p, language))
                .map_or_else(|| n.to_string(), str::to_owned),
            Value::Number(n) => n.to_string(),
            Value::String(s) if self.kind.has_choices() => choice(s),
            Value::String(s) => s.clone(),
            Value::Array(ids) => ids
                .iter()
                .filter_map(Value::as_str)
                .map(choice)
                .collect::<Vec<_>>()
                .join(if language == Language::Ja { "、" } else { ", " }),
            _ => String::new(),
        }
    }
}

/// An event's questions, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Questions(pub Vec<Question>);

/// An RSVP's answers by question id: text, a choice id, a list of choice ids, or yes/no.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Answers(pub BTreeMap<String, Value>);

/// A question as organizers send it: without an id it is new, and gets one.
#[derive(Clone, Debug, Default, Serialize)]
pub struct QuestionDraft {
    pub id: Option<String>,
    pub kind: Option<QuestionKind>,
    pub required: bool,
    pub label: Label,
    pub choices: Vec<ChoiceDraft>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ChoiceDraft {
    pub id: Option<String>,
    pub label: Label,
}

impl From<Question> for QuestionDraft {
    fn from(q: Question) -> Self {
        QuestionDraft {
            id: Some(q.id),
            kind: Some(q.kind),
            required: q.required,
            label: q.label,
            choices: q.choices.into_iter().map(|c| ChoiceDraft { id: Some(c.id), label: c.label }).collect(),
        }
    }
}

fn new_id() -> String {
    let mut bytes = [0u8; 5];
    rand::rng().fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes).to_lowercase()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_label(label: &Label, field: &str, errors: &mut ValidationErrors) -> Label {
    let (ja, en) = (label.ja.trim(), label.en.trim());
    if ja.is_empty() && en.is_empty() {
        errors.add(field, "required", "give a Japanese or an English label (or both)");
    }
    if ja.chars().count() > LABEL_MAX || en.chars().count() > LABEL_MAX {
        errors.add(field, "too_long", format!("must be at most {LABEL_MAX} characters"));
    }
    Label { ja: ja.to_owned(), en: en.to_owned() }
}

/// Checks organizers' questions, giving new ones (and new choices) their ids.
pub fn validate(drafts: &[QuestionDraft], errors: &mut ValidationErrors) -> Questions {
    if drafts.len() > QUESTIONS_MAX {
        errors.add("questions", "too_many", format!("at most {QUESTIONS_MAX} questions"));
        return Questions::default();
    }
    let mut ids = HashSet::new();
    let mut questions = Vec::new();
    for (i, draft) in drafts.iter().enumerate() {
        let field = format!("questions[{i}]");
        let id = draft.id.clone().unwrap_or_else(new_id);
        if !valid_id(&id) {
            errors.add(format!("{field}.id"), "invalid", "use 1-32 lowercase letters, digits, - and _");
        } else if !ids.insert(id.clone()) {
            errors.add(format!("{field}.id"), "duplicate", "another question has this id");
        }
        let label = check_label(&draft.label, &format!("{field}.label"), errors);
        let Some(kind) = draft.kind else {
            errors.add(format!("{field}.kind"), "required", "choose the kind of question");
            continue;
        };
        let mut choices = Vec::new();
        if kind.has_choices() {
            if !(2..=CHOICES_MAX).contains(&draft.choices.len()) {
                errors.add(format!("{field}.choices"), "count", format!("give 2 to {CHOICES_MAX} choices"));
            }
            let mut choice_ids = HashSet::new();
            for (j, choice) in draft.choices.iter().enumerate() {
                let choice_field = format!("{field}.choices[{j}]");
                let id = choice.id.clone().unwrap_or_else(new_id);
                if !valid_id(&id) || !choice_ids.insert(id.clone()) {
                    errors.add(
                        format!("{choice_field}.id"),
                        "invalid",
                        "a unique id of 1-32 lowercase letters",
                    );
                }
                let label = check_label(&choice.label, &format!("{choice_field}.label"), errors);
                choices.push(Choice { id, label });
            }
        } else if !draft.choices.is_empty() {
            errors.add(format!("{field}.choices"), "not_allowed", "only choice questions have choices");
        }
        questions.push(Question { id, kind, required: draft.required, label, choices });
    }
    Questions(questions)
}

/// The field an answer's error is reported on (the form's field is named the same).
pub fn answer_field(question: &str) -> String {
    format!("answers.{question}")
}

/// Checks what an attendee answered (`raw`: question id and value, a multiple choice once per
/// chosen value) against the event's questions.
pub fn check_answers(
    questions: &Questions,
    raw: &[(String, String)],
    errors: &mut ValidationErrors,
) -> Answers {
    let mut answers = BTreeMap::new();
    for (id, _) in raw {
        if !questions.0.iter().any(|q| &q.id == id) {
            errors.add(answer_field(id), "unknown_question", "is not a question of this event");
        }
    }
    for q in &questions.0 {
        let field = answer_field(&q.id);
        let values: Vec<&str> = raw
            .iter()
            .filter(|(id, _)| *id == q.id)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let answer = match (q.kind, values.as_slice()) {
            (_, []) => None,
            (QuestionKind::ShortText | QuestionKind::LongText, [text]) => {
                let max = if q.kind == QuestionKind::ShortText { SHORT_TEXT_MAX } else { LONG_TEXT_MAX };
                if text.chars().count() > max {
                    errors.add(&field, "too_long", format!("must be at most {max} characters"));
                }
                Some(Value::String((*text).to_owned()))
            }
            (QuestionKind::SingleChoice, [choice]) => match q.choice(choice) {
                Some(c) => Some(Value::String(c.id.clone())),
                None => {
                    errors.add(&field, "unknown_choice", "is not one of the choices");
                    None
                }
            },
            (QuestionKind::MultipleChoice, chosen) => {
                let mut ids: Vec<Value> = Vec::new();
                // In the question's order, each once.
                for c in &q.choices {
                    if chosen.contains(&c.id.as_str()) {
                        ids.push(Value::String(c.id.clone()));
                    }
                }
                if chosen.iter().any(|id| q.choice(id).is_none()) {
                    errors.add(&field, "unknown_choice", "is not one of the choices");
                }
                Some(Value::Array(ids))
            }
            (QuestionKind::YesNo, ["yes"]) => Some(Value::Bool(true)),
            (QuestionKind::YesNo, ["no"]) => Some(Value::Bool(false)),
            (QuestionKind::YesNo, _) => {
                errors.add(&field, "invalid", "answer yes or no");
                None
            }
            (QuestionKind::Rating | QuestionKind::ZeroToTen, [point]) => {
                let scale = q.kind.scale().unwrap_or(0..=0);
                match point.parse::<i64>() {
                    Ok(point) if scale.contains(&point) => Some(Value::from(point)),
                    _ => {
                        errors.add(
                            &field,
                            "out_of_scale",
                            format!("choose a point from {} to {}", scale.start(), scale.end()),
                        );
                        None
                    }
                }
            }
            (_, _) => {
                errors.add(&field, "one_answer", "give one answer");
                None
            }
        };
        match answer {
            Some(answer) => {
                answers.insert(q.id.clone(), answer);
            }
            None if q.required && !errors.has(&field) => {
                errors.add(&field, "required", "this question needs an answer");
            }
            None => {}
        }
    }
    Answers(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(ja: &str) -> Label {
        Label { ja: ja.into(), en: String::new() }
    }

    fn questions() -> Questions {
        let drafts = vec![
            QuestionDraft {
                id: Some("diet".into()),
                kind: Some(QuestionKind::SingleChoice),
                required: true,
                label: label("食事の制限"),
                choices: ["none", "vegetarian", "halal"]
                    .map(|id| ChoiceDraft { id: Some(id.into()), label: label(id) })
                    .to_vec(),
            },
            QuestionDraft {
                id: Some("topics".into()),
                kind: Some(QuestionKind::MultipleChoice),
                label: label("興味のある話題"),
                choices: ["ai", "career"]
                    .map(|id| ChoiceDraft { id: Some(id.into()), label: label(id) })
                    .to_vec(),
                ..Default::default()
            },
            QuestionDraft {
                kind: Some(QuestionKind::YesNo), label: label("懇親会"), ..Default::default()
            },
            QuestionDraft {
                kind: Some(QuestionKind::LongText), label: label("一言"), ..Default::default()
            },
        ];
        let mut errors = ValidationErrors::new();
        let questions = validate(&drafts, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        questions
    }

    fn raw(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn new_questions_get_ids_and_bad_ones_are_named() {
        let q = questions();
        assert!(valid_id(&q.0[2].id), "a generated id: {}", q.0[2].id);
        let mut errors = ValidationErrors::new();
        let bad = vec![
            QuestionDraft {
                kind: Some(QuestionKind::SingleChoice),
                label: label("一つ"),
                ..Default::default()
            },
            QuestionDraft { id: Some("X!".into()), kind: None, ..Default::default() },
        ];
        validate(&bad, &mut errors);
        let fields: Vec<_> = errors.fields().iter().map(|e| (e.field.clone(), e.code)).collect();
        assert!(fields.contains(&("questions[0].choices".into(), "count")), "{fields:?}");
        assert!(fields.contains(&("questions[1].id".into(), "invalid")), "{fields:?}");
        assert!(fields.contains(&("questions[1].label".into(), "required")), "{fields:?}");
        assert!(fields.contains(&("questions[1].kind".into(), "required")), "{fields:?}");
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let q = questions();
        let yes_no = q.0[2].id.clone();
        let mut errors = ValidationErrors::new();
        let answers = check_answers(
            &q,
            &raw(&[("diet", "halal"), ("topics", "career"), ("topics", "ai"), (&yes_no, "yes")]),
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(answers.0["topics"], serde_json::json!(["ai", "career"]), "in the question's order");
        assert_eq!(answers.0[&yes_no], Value::Bool(true));
        assert_eq!(q.0[1].display(&answers.0["topics"], Language::Ja), "ai、career");

        let mut errors = ValidationErrors::new();
        check_answers(&q, &raw(&[("diet", "fish"), ("shoe_size", "27"), (&yes_no, "maybe")]), &mut errors);
        let fields: Vec<_> = errors.fields().iter().map(|e| (e.field.clone(), e.code)).collect();
        assert!(fields.contains(&("answers.diet".into(), "unknown_choice")), "{fields:?}");
        assert!(fields.contains(&("answers.shoe_size".into(), "unknown_question")), "{fields:?}");
        assert!(fields.contains(&(format!("answers.{yes_no}"), "invalid")), "{fields:?}");

        let mut errors = ValidationErrors::new();
        check_answers(&q, &[], &mut errors);
        let fields: Vec<_> = errors.fields().iter().map(|e| (e.field.clone(), e.code)).collect();
        assert_eq!(fields, vec![("answers.diet".into(), "required")], "only the required one");
    }
}
