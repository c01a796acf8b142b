//! Satisfaction surveys after events: one survey per event (its questions as one JSON list), an
//! invitation per attendee asked (the survey link is made from it), one response per
//! invitation, and what is kept with every response: the survey's counts of invitations and
//! responses, the count of each answer per question (so results over 100,000 responses read a
//! few rows) and the free-text answers by question.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rsvps {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Surveys {
    Table,
    Id,
    EventId,
    Questions,
    Anonymous,
    Audience,
    SendDelayMinutes,
    ReminderDays,
    ClosesAt,
    InvitedAt,
    Invited,
    Responses,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SurveyInvitations {
    Table,
    Id,
    SurveyId,
    RsvpId,
    LinkVersion,
    SentAt,
    RemindedAt,
    RespondedAt,
}

#[derive(DeriveIden)]
enum SurveyResponses {
    Table,
    Id,
    SurveyId,
    InvitationId,
    Answers,
    SubmittedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SurveyTallies {
    Table,
    SurveyId,
    QuestionId,
    Value,
    Count,
}

#[derive(DeriveIden)]
enum SurveyTexts {
    Table,
    ResponseId,
    QuestionId,
    SurveyId,
    Text,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Surveys::Table)
                    .col(uuid(Surveys::Id).primary_key())
                    .col(uuid(Surveys::EventId).unique_key())
                    .col(json(Surveys::Questions))
                    .col(boolean(Surveys::Anonymous))
                    .col(string(Surveys::Audience))
                    .col(integer(Surveys::SendDelayMinutes))
                    .col(integer_null(Surveys::ReminderDays))
                    .col(timestamp_with_time_zone(Surveys::ClosesAt))
                    .col(timestamp_with_time_zone_null(Surveys::InvitedAt))
                    // Counted as invitations and first responses are written, so results over
                    // 100,000 responses need not count rows.
                    .col(big_integer(Surveys::Invited).default(0))
                    .col(big_integer(Surveys::Responses).default(0))
                    .col(timestamp_with_time_zone(Surveys::CreatedAt))
                    .col(timestamp_with_time_zone(Surveys::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_surveys_event",
                        (Surveys::Table, Surveys::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyInvitations::Table)
                    .col(uuid(SurveyInvitations::Id).primary_key())
                    .col(uuid(SurveyInvitations::SurveyId))
                    .col(uuid(SurveyInvitations::RsvpId))
                    .col(integer(SurveyInvitations::LinkVersion).default(0))
                    .col(timestamp_with_time_zone(SurveyInvitations::SentAt))
                    .col(timestamp_with_time_zone_null(SurveyInvitations::RemindedAt))
                    .col(timestamp_with_time_zone_null(SurveyInvitations::RespondedAt))
                    .foreign_key(&mut cascade(
                        "fk_survey_invitations_survey",
                        (SurveyInvitations::Table, SurveyInvitations::SurveyId),
                        (Surveys::Table, Surveys::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_survey_invitations_rsvp",
                        (SurveyInvitations::Table, SurveyInvitations::RsvpId),
                        (Rsvps::Table, Rsvps::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_survey_invitations_rsvp")
                    .table(SurveyInvitations::Table)
                    .col(SurveyInvitations::SurveyId)
                    .col(SurveyInvitations::RsvpId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_invitations_rsvp")
                    .table(SurveyInvitations::Table)
                    .col(SurveyInvitations::RsvpId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyResponses::Table)
                    .col(uuid(SurveyResponses::Id).primary_key())
                    .col(uuid(SurveyResponses::SurveyId))
                    .col(uuid(SurveyResponses::InvitationId).unique_key())
                    .col(json(SurveyResponses::Answers))
                    .col(timestamp_with_time_zone(SurveyResponses::SubmittedAt))
                    .col(timestamp_with_time_zone(SurveyResponses::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_survey_responses_survey",
                        (SurveyResponses::Table, SurveyResponses::SurveyId),
                        (Surveys::Table, Surveys::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_survey_responses_invitation",
                        (SurveyResponses::Table, SurveyResponses::InvitationId),
                        (SurveyInvitations::Table, SurveyInvitations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_responses_survey")
                    .table(SurveyResponses::Table)
                    .col(SurveyResponses::SurveyId)
                    .col(SurveyResponses::SubmittedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyTallies::Table)
                    .col(uuid(SurveyTallies::SurveyId))
                    .col(string(SurveyTallies::QuestionId))
                    // A scale point, a choice id, `yes`/`no`, or `` for "answered at all".
                    .col(string(SurveyTallies::Value))
                    .col(big_integer(SurveyTallies::Count))
                    .primary_key(
                        Index::create()
                            .col(SurveyTallies::SurveyId)
                            .col(SurveyTallies::QuestionId)
                            .col(SurveyTallies::Value),
                    )
                    .foreign_key(&mut cascade(
                        "fk_survey_tallies_survey",
                        (SurveyTallies::Table, SurveyTallies::SurveyId),
                        (Surveys::Table, Surveys::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyTexts::Table)
                    .col(uuid(SurveyTexts::ResponseId))
                    .col(string(SurveyTexts::QuestionId))
                    .col(uuid(SurveyTexts::SurveyId))
                    .col(text(SurveyTexts::Text))
                    .col(timestamp_with_time_zone(SurveyTexts::UpdatedAt))
                    .primary_key(Index::create().col(SurveyTexts::ResponseId).col(SurveyTexts::QuestionId))
                    .foreign_key(&mut cascade(
                        "fk_survey_texts_response",
                        (SurveyTexts::Table, SurveyTexts::ResponseId),
                        (SurveyResponses::Table, SurveyResponses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_texts_question")
                    .table(SurveyTexts::Table)
                    .col(SurveyTexts::SurveyId)
                    .col(SurveyTexts::QuestionId)
                    .col(SurveyTexts::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SurveyTexts::Table.into_iden(),
            SurveyTallies::Table.into_iden(),
            SurveyResponses::Table.into_iden(),
            SurveyInvitations::Table.into_iden(),
            Surveys::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
