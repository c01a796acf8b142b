//! Signing in to the dashboard: one-time sign-in links (sent by email; the link itself is a MAC
//! over the row's id, so no secret is stored) and browser sessions (a random cookie, stored
//! only as its hash). Emails that belong to no event (a sign-in link) go through the outbox
//! like every other, so its `event_id` may now be empty.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

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
enum SignInLinks {
    Table,
    Id,
    PersonId,
    /// Where the person was going when asked to sign in (a dashboard path).
    NextPath,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    PersonId,
    TokenHash,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Kind,
    EventId,
    RsvpId,
    Details,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    SentAt,
    CreatedAt,
    BatchId,
}

#[derive(DeriveIden)]
enum OutboxNext {
    Table,
}

const OUTBOX_COLUMNS: &str = "id, kind, event_id, rsvp_id, details, status, attempts, next_attempt_at, \
     lease_until, last_error, sent_at, created_at, batch_id";

/// The outbox as migrations 2 and 5 left it, under `name`, with `event_id` nullable or not.
fn outbox_table(name: impl IntoIden + 'static, event_optional: bool) -> TableCreateStatement {
    let event_id = if event_optional { uuid_null(Outbox::EventId) } else { uuid(Outbox::EventId) };
    Table::create()
        .table(name)
        .col(uuid(Outbox::Id).primary_key())
        .col(string(Outbox::Kind))
        .col(event_id)
        .col(uuid_null(Outbox::RsvpId))
        .col(json_null(Outbox::Details))
        .col(string(Outbox::Status))
        .col(integer(Outbox::Attempts))
        .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
        .col(timestamp_with_time_zone_null(Outbox::LeaseUntil))
        .col(text_null(Outbox::LastError))
        .col(timestamp_with_time_zone_null(Outbox::SentAt))
        .col(timestamp_with_time_zone(Outbox::CreatedAt))
        .col(uuid_null(Outbox::BatchId))
        .foreign_key(&mut cascade(
            "fk_outbox_event",
            (Outbox::Table, Outbox::EventId),
            (Events::Table, Events::Id),
        ))
        .foreign_key(&mut cascade(
            "fk_outbox_rsvp",
            (Outbox::Table, Outbox::RsvpId),
            (Rsvps::Table, Rsvps::Id),
        ))
        .to_owned()
}

/// Changes whether the outbox's `event_id` may be empty. PostgreSQL alters the column; SQLite,
/// which cannot, copies the table into a new one and puts its indexes back.
async fn outbox_event_optional(manager: &SchemaManager<'_>, optional: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        let change = if optional { "DROP NOT NULL" } else { "SET NOT NULL" };
        db.execute_unprepared(&format!("ALTER TABLE outbox ALTER COLUMN event_id {change}")).await?;
        return Ok(());
    }
    manager.create_table(outbox_table(OutboxNext::Table, optional)).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO outbox_next ({OUTBOX_COLUMNS}) SELECT {OUTBOX_COLUMNS} FROM outbox"
    ))
    .await?;
    manager.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
    manager.rename_table(Table::rename().table(OutboxNext::Table, Outbox::Table).to_owned()).await?;
    for (name, columns) in [
        ("idx_outbox_due", &[Outbox::Status, Outbox::NextAttemptAt][..]),
        ("idx_outbox_event", &[Outbox::EventId, Outbox::Status]),
        ("idx_outbox_rsvp", &[Outbox::RsvpId]),
        ("idx_outbox_batch", &[Outbox::BatchId]),
    ] {
        let mut index = Index::create();
        index.name(name).table(Outbox::Table);
        for column in columns {
            index.col(*column);
        }
        manager.create_index(index).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// SQLite too: a failure between dropping the old outbox and renaming the new one must leave
    /// the old one in place.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInLinks::Table)
                    .col(uuid(SignInLinks::Id).primary_key())
                    .col(uuid(SignInLinks::PersonId))
                    .col(string_null(SignInLinks::NextPath))
                    .col(timestamp_with_time_zone(SignInLinks::CreatedAt))
                    .col(timestamp_with_time_zone(SignInLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SignInLinks::UsedAt))
                    .foreign_key(&mut cascade(
                        "fk_sign_in_links_person",
                        (SignInLinks::Table, SignInLinks::PersonId),
                        (People::Table, People::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sign_in_links_person")
                    .table(SignInLinks::Table)
                    .col(SignInLinks::PersonId)
                    .col(SignInLinks::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::PersonId))
                    .col(string(Sessions::TokenHash).unique_key())
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(&mut cascade(
                        "fk_sessions_person",
                        (Sessions::Table, Sessions::PersonId),
                        (People::Table, People::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_person")
                    .table(Sessions::Table)
                    .col(Sessions::PersonId)
                    .to_owned(),
            )
            .await?;

        outbox_event_optional(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Emails that belong to no event cannot stay in an outbox that requires one.
        manager.get_connection().execute_unprepared("DELETE FROM outbox WHERE event_id IS NULL").await?;
        outbox_event_optional(manager, false).await?;
        manager.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SignInLinks::Table).to_owned()).await
    }
}
