//! Objects shared by several parts of the API, and conversions from the domain.

use poem_openapi::{
    ApiResponse, Enum, Object,
    payload::Json,
    types::{ToJSON, Type},
};
use serde::Deserialize;
use tsudoi_domain::{
    access::Role,
    entity::{network, person},
    event::{EventStatus, NameReading, RsvpMode, When},
    questions::{ChoiceDraft, Label, Question, QuestionDraft, QuestionKind, Questions},
    values::Language,
};

/// A created resource.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + Type + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// Done; nothing to say.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RoleApi {
    /// Everything, including members.
    Owner,
    /// Venues, series, events, RSVPs, surveys, door passes.
    Organizer,
    /// Check-in only.
    DoorStaff,
}

impl From<Role> for RoleApi {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => RoleApi::Owner,
            Role::Organizer => RoleApi::Organizer,
            Role::DoorStaff => RoleApi::DoorStaff,
        }
    }
}

impl From<RoleApi> for Role {
    fn from(role: RoleApi) -> Self {
        match role {
            RoleApi::Owner => Role::Owner,
            RoleApi::Organizer => Role::Organizer,
            RoleApi::DoorStaff => Role::DoorStaff,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum LanguageApi {
    Ja,
    En,
}

impl From<LanguageApi> for Language {
    fn from(language: LanguageApi) -> Self {
        match language {
            LanguageApi::Ja => Language::Ja,
            LanguageApi::En => Language::En,
        }
    }
}

impl From<Language> for LanguageApi {
    fn from(language: Language) -> Self {
        match language {
            Language::Ja => LanguageApi::Ja,
            Language::En => LanguageApi::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EventStatusApi {
    /// Visible only to its organizers.
    Draft,
    /// On the public pages, taking RSVPs.
    Published,
    /// Called off; stays visible so people learn it.
    Cancelled,
}

impl From<EventStatus> for EventStatusApi {
    fn from(status: EventStatus) -> Self {
        match status {
            EventStatus::Draft => EventStatusApi::Draft,
            EventStatus::Published => EventStatusApi::Published,
            EventStatus::Cancelled => EventStatusApi::Cancelled,
        }
    }
}

impl From<EventStatusApi> for EventStatus {
    fn from(status: EventStatusApi) -> Self {
        match status {
            EventStatusApi::Draft => EventStatus::Draft,
            EventStatusApi::Published => EventStatus::Published,
            EventStatusApi::Cancelled => EventStatus::Cancelled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize, Default)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RsvpModeApi {
    /// Seats go to whoever RSVPs first.
    #[default]
    FirstCome,
    /// Entries until `lottery_draw_at`, then a random draw (抽選).
    Lottery,
    /// Each RSVP waits for an organizer's approval.
    Approval,
}

impl From<RsvpMode> for RsvpModeApi {
    fn from(mode: RsvpMode) -> Self {
        match mode {
            RsvpMode::FirstCome => RsvpModeApi::FirstCome,
            RsvpMode::Lottery => RsvpModeApi::Lottery,
            RsvpMode::Approval => RsvpModeApi::Approval,
        }
    }
}

impl From<RsvpModeApi> for RsvpMode {
    fn from(mode: RsvpModeApi) -> Self {
        match mode {
            RsvpModeApi::FirstCome => RsvpMode::FirstCome,
            RsvpModeApi::Lottery => RsvpMode::Lottery,
            RsvpModeApi::Approval => RsvpMode::Approval,
        }
    }
}

/// Whether the RSVP form asks for the reading of the name (furigana).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NameReadingApi {
    /// Not asked.
    Hidden,
    /// Asked, may be left empty.
    #[default]
    Optional,
    /// Asked and required.
    Required,
}

impl From<NameReading> for NameReadingApi {
    fn from(reading: NameReading) -> Self {
        match reading {
            NameReading::Hidden => NameReadingApi::Hidden,
            NameReading::Optional => NameReadingApi::Optional,
            NameReading::Required => NameReadingApi::Required,
        }
    }
}

impl From<NameReadingApi> for NameReading {
    fn from(reading: NameReadingApi) -> Self {
        match reading {
            NameReadingApi::Hidden => NameReading::Hidden,
            NameReadingApi::Optional => NameReading::Optional,
            NameReadingApi::Required => NameReading::Required,
        }
    }
}

/// Which events a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
#[oai(rename_all = "snake_case")]
pub enum WhenApi {
    /// Not yet ended, soonest first.
    #[default]
    Upcoming,
    /// Ended, most recent first.
    Past,
    /// All, newest first.
    All,
}

impl From<WhenApi> for When {
    fn from(when: WhenApi) -> Self {
        match when {
            WhenApi::Upcoming => When::Upcoming,
            WhenApi::Past => When::Past,
            WhenApi::All => When::All,
        }
    }
}

/// A network, as referred to from elsewhere.
#[derive(Debug, Clone, Object)]
pub struct NetworkRef {
    pub slug: String,
    pub name: String,
}

impl From<&network::Model> for NetworkRef {
    fn from(n: &network::Model) -> Self {
        NetworkRef { slug: n.slug.clone(), name: n.name.clone() }
    }
}

/// A person, as referred to from elsewhere.
#[derive(Debug, Clone, Object)]
pub struct PersonRef {
    pub id: uuid::Uuid,
    pub display_name: String,
}

impl From<&person::Model> for PersonRef {
    fn from(p: &person::Model) -> Self {
        PersonRef { id: p.id.uuid(), display_name: p.display_name.clone() }
    }
}

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// The kind of a question on the RSVP form or in a survey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum QuestionKindApi {
    /// One line of text (up to 200 characters).
    ShortText,
    /// Several lines (up to 2,000 characters).
    LongText,
    SingleChoice,
    MultipleChoice,
    YesNo,
    /// Five points, 5 the best (とても満足 / 満足 / ふつう / 不満 / とても不満); answered as 1-5.
    Rating,
    /// 0 to 10 ("how likely are you to recommend"), the base of NPS; answered as 0-10.
    ZeroToTen,
}

impl From<QuestionKind> for QuestionKindApi {
    fn from(kind: QuestionKind) -> Self {
        match kind {
            QuestionKind::ShortText => QuestionKindApi::ShortText,
            QuestionKind::LongText => QuestionKindApi::LongText,
            QuestionKind::SingleChoice => QuestionKindApi::SingleChoice,
            QuestionKind::MultipleChoice => QuestionKindApi::MultipleChoice,
            QuestionKind::YesNo => QuestionKindApi::YesNo,
            QuestionKind::Rating => QuestionKindApi::Rating,
            QuestionKind::ZeroToTen => QuestionKindApi::ZeroToTen,
        }
    }
}

impl From<QuestionKindApi> for QuestionKind {
    fn from(kind: QuestionKindApi) -> Self {
        match kind {
            QuestionKindApi::ShortText => QuestionKind::ShortText,
            QuestionKindApi::LongText => QuestionKind::LongText,
            QuestionKindApi::SingleChoice => QuestionKind::SingleChoice,
            QuestionKindApi::MultipleChoice => QuestionKind::MultipleChoice,
            QuestionKindApi::YesNo => QuestionKind::YesNo,
            QuestionKindApi::Rating => QuestionKind::Rating,
            QuestionKindApi::ZeroToTen => QuestionKind::ZeroToTen,
        }
    }
}

/// A label in Japanese and English; either may be left empty (the other is shown), not both.
#[derive(Clone, Debug, Object, Deserialize)]
pub struct LabelApi {
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_length = 200))]
    pub ja: String,
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_length = 200))]
    pub en: String,
}

/// A question asked on the RSVP form or in a survey.
#[derive(Debug, Object)]
pub struct QuestionApi {
    /// Answers are keyed by it; it stays when the question is edited.
    pub id: String,
    pub kind: QuestionKindApi,
    pub required: bool,
    pub label: LabelApi,
    /// For single and multiple choice.
    pub choices: Vec<ChoiceApi>,
}

#[derive(Debug, Object)]
pub struct ChoiceApi {
    pub id: String,
    pub label: LabelApi,
}

/// A question as sent: without an `id` it is new and gets one; with one, it keeps its answers.
#[derive(Debug, Object, Deserialize)]
pub struct QuestionInput {
    #[oai(validator(max_length = 32))]
    pub id: Option<String>,
    pub kind: QuestionKindApi,
    #[oai(default)]
    #[serde(default)]
    pub required: bool,
    pub label: LabelApi,
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub choices: Vec<ChoiceInput>,
}

#[derive(Debug, Object, Deserialize)]
pub struct ChoiceInput {
    #[oai(validator(max_length = 32))]
    pub id: Option<String>,
    pub label: LabelApi,
}

fn label_of(l: Label) -> LabelApi {
    LabelApi { ja: l.ja, en: l.en }
}

fn label_from(l: LabelApi) -> Label {
    Label { ja: l.ja, en: l.en }
}

pub fn question_of(q: Question) -> QuestionApi {
    QuestionApi {
        id: q.id,
        kind: q.kind.into(),
        required: q.required,
        label: label_of(q.label),
        choices: q.choices.into_iter().map(|c| ChoiceApi { id: c.id, label: label_of(c.label) }).collect(),
    }
}

pub fn questions_of(questions: Option<Questions>) -> Vec<QuestionApi> {
    questions.unwrap_or_default().0.into_iter().map(question_of).collect()
}

pub fn question_drafts(input: Vec<QuestionInput>) -> Vec<QuestionDraft> {
    input
        .into_iter()
        .map(|q| QuestionDraft {
            id: q.id,
            kind: Some(q.kind.into()),
            required: q.required,
            label: label_from(q.label),
            choices: q
                .choices
                .into_iter()
                .map(|c| ChoiceDraft { id: c.id, label: label_from(c.label) })
                .collect(),
        })
        .collect()
}
