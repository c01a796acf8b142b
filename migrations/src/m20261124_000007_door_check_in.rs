//! Door check-in (DESIGN invariant 3): door passes handed to staff (stored only as hashes), each
//! check-in as it happened (undone, never deleted), and each RSVP's count of people in, which a
//! conditional update raises so that two gates scanning one ticket at once cannot both let it in.

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
    CheckedIn,
}

#[derive(DeriveIden)]
enum DoorPasses {
    Table,
    Id,
    EventId,
    Label,
    TokenHash,
    ScanOnly,
    ValidFrom,
    ValidUntil,
    RevokedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    Id,
    EventId,
    RsvpId,
    PassId,
    Gate,
    People,
    Nonce,
    ScannedAt,
    RecordedAt,
    UndoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rsvps::Table)
                    .add_column(integer(Rsvps::CheckedIn).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DoorPasses::Table)
                    .col(uuid(DoorPasses::Id).primary_key())
                    .col(uuid(DoorPasses::EventId))
                    .col(string(DoorPasses::Label))
                    .col(string(DoorPasses::TokenHash).unique_key())
                    .col(boolean(DoorPasses::ScanOnly))
                    .col(timestamp_with_time_zone(DoorPasses::ValidFrom))
                    .col(timestamp_with_time_zone(DoorPasses::ValidUntil))
                    .col(timestamp_with_time_zone_null(DoorPasses::RevokedAt))
                    .col(uuid(DoorPasses::CreatedBy))
                    .col(timestamp_with_time_zone(DoorPasses::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_door_passes_event",
                        (DoorPasses::Table, DoorPasses::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckIns::Table)
                    .col(uuid(CheckIns::Id).primary_key())
                    .col(uuid(CheckIns::EventId))
                    .col(uuid(CheckIns::RsvpId))
                    .col(uuid_null(CheckIns::PassId))
                    .col(string(CheckIns::Gate))
                    .col(integer(CheckIns::People))
                    // The scanner's own id for the scan: a retried request is not a second scan.
                    .col(string_null(CheckIns::Nonce))
                    // When the scanner saw the code (an offline scan arrives later).
                    .col(timestamp_with_time_zone(CheckIns::ScannedAt))
                    .col(timestamp_with_time_zone(CheckIns::RecordedAt))
                    .col(timestamp_with_time_zone_null(CheckIns::UndoneAt))
                    .foreign_key(&mut cascade(
                        "fk_check_ins_event",
                        (CheckIns::Table, CheckIns::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_check_ins_rsvp",
                        (CheckIns::Table, CheckIns::RsvpId),
                        (Rsvps::Table, Rsvps::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_check_ins_event_nonce")
                    .table(CheckIns::Table)
                    .col(CheckIns::EventId)
                    .col(CheckIns::Nonce)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_ins_rsvp")
                    .table(CheckIns::Table)
                    .col(CheckIns::RsvpId)
                    .col(CheckIns::ScannedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CheckIns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DoorPasses::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Rsvps::Table).drop_column(Rsvps::CheckedIn).to_owned()).await
    }
}
