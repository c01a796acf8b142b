//! RSVPs and the outbox of emails to send (DESIGN invariants 1, 2 and 4), plus what events
//! need for them: whether the form asks for the name's reading.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    NameReading,
}

#[derive(DeriveIden)]
enum EventSlots {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rsvps {
    Table,
    Id,
    EventId,
    SlotId,
    Email,
    Name,
    NameReading,
    Language,
    Guests,
    Status,
    Verified,
    ShowInList,
    ShortCode,
    LinkVersion,
    TicketVersion,
    QueuedAt,
    HoldExpiresAt,
    OfferExpiresAt,
    ConfirmedAt,
    RemindedAt,
    CancelledAt,
    ErasedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
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
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one thing per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(string(Events::NameReading).default("optional"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Rsvps::Table)
                    .col(uuid(Rsvps::Id).primary_key())
                    .col(uuid(Rsvps::EventId))
                    .col(uuid(Rsvps::SlotId))
                    // Empty once the attendee erased their data; the seat count stays.
                    .col(string_null(Rsvps::Email))
                    .col(string(Rsvps::Name))
                    .col(string_null(Rsvps::NameReading))
                    .col(string(Rsvps::Language))
                    .col(integer(Rsvps::Guests))
                    .col(string(Rsvps::Status))
                    .col(boolean(Rsvps::Verified))
                    .col(boolean(Rsvps::ShowInList))
                    .col(string(Rsvps::ShortCode))
                    .col(integer(Rsvps::LinkVersion))
                    .col(integer(Rsvps::TicketVersion))
                    .col(timestamp_with_time_zone(Rsvps::QueuedAt))
                    .col(timestamp_with_time_zone_null(Rsvps::HoldExpiresAt))
                    .col(timestamp_with_time_zone_null(Rsvps::OfferExpiresAt))
                    .col(timestamp_with_time_zone_null(Rsvps::ConfirmedAt))
                    // When the reminder went out (or was not needed: confirmed within the window).
                    .col(timestamp_with_time_zone_null(Rsvps::RemindedAt))
                    .col(timestamp_with_time_zone_null(Rsvps::CancelledAt))
                    .col(timestamp_with_time_zone_null(Rsvps::ErasedAt))
                    .col(timestamp_with_time_zone(Rsvps::CreatedAt))
                    .col(timestamp_with_time_zone(Rsvps::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rsvps_event")
                            .from(Rsvps::Table, Rsvps::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rsvps_slot")
                            .from(Rsvps::Table, Rsvps::SlotId)
                            .to(EventSlots::Table, EventSlots::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // One RSVP per email per event: RSVPing again re-sends the link.
        manager
            .create_index(
                index("uq_rsvps_event_email", Rsvps::Table, &["event_id", "email"]).unique().to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_rsvps_event_short_code", Rsvps::Table, &["event_id", "short_code"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Seats taken and the waitlist in order, per event: the confirmed part of the queue is
        // one range of it, and a waiting RSVP's place is counted from the index alone.
        manager
            .create_index(index(
                "idx_rsvps_event_status_queued",
                Rsvps::Table,
                &["event_id", "status", "verified", "queued_at", "id"],
            ))
            .await?;
        // The scheduler's search for expired holds and offers.
        manager
            .create_index(index("idx_rsvps_status_hold", Rsvps::Table, &["status", "hold_expires_at"]))
            .await?;
        manager
            .create_index(index("idx_rsvps_status_offer", Rsvps::Table, &["status", "offer_expires_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(uuid(Outbox::Id).primary_key())
                    .col(string(Outbox::Kind))
                    .col(uuid(Outbox::EventId))
                    .col(uuid_null(Outbox::RsvpId))
                    .col(json_null(Outbox::Details))
                    .col(string(Outbox::Status))
                    .col(integer(Outbox::Attempts))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::LeaseUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_event")
                            .from(Outbox::Table, Outbox::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_rsvp")
                            .from(Outbox::Table, Outbox::RsvpId)
                            .to(Rsvps::Table, Rsvps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_outbox_due", Outbox::Table, &["status", "next_attempt_at"])).await?;
        manager.create_index(index("idx_outbox_event", Outbox::Table, &["event_id", "status"])).await?;
        manager.create_index(index("idx_outbox_rsvp", Outbox::Table, &["rsvp_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Rsvps::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Events::Table).drop_column(Events::NameReading).to_owned())
            .await
    }
}
