//! Invitation lists (uploaded as CSV, previewed, then sent), announcements to an event's
//! attendees, the addresses that unsubscribed from a network's invitations and announcements,
//! and the batch each email belongs to (so a long send reports its progress).

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
enum Networks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    BatchId,
}

#[derive(DeriveIden)]
enum InvitationLists {
    Table,
    Id,
    EventId,
    CreatedBy,
    FileName,
    Problems,
    Message,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    ListId,
    EventId,
    Line,
    Email,
    Name,
    NameReading,
    SlotId,
    Mark,
    DeclinedAt,
}

#[derive(DeriveIden)]
enum Announcements {
    Table,
    Id,
    EventId,
    CreatedBy,
    Audience,
    Subject,
    Body,
    Recipients,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Unsubscribes {
    Table,
    NetworkId,
    Email,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Outbox::Table).add_column(uuid_null(Outbox::BatchId)).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_outbox_batch").table(Outbox::Table).col(Outbox::BatchId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InvitationLists::Table)
                    .col(uuid(InvitationLists::Id).primary_key())
                    .col(uuid(InvitationLists::EventId))
                    .col(uuid(InvitationLists::CreatedBy))
                    .col(string_null(InvitationLists::FileName))
                    // The rows that could not be read, with their line numbers.
                    .col(json_null(InvitationLists::Problems))
                    .col(text_null(InvitationLists::Message))
                    .col(timestamp_with_time_zone_null(InvitationLists::SentAt))
                    .col(timestamp_with_time_zone(InvitationLists::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_invitation_lists_event",
                        (InvitationLists::Table, InvitationLists::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    // Also the id of the invitation's email in the outbox.
                    .col(uuid(Invitations::Id).primary_key())
                    .col(uuid(Invitations::ListId))
                    .col(uuid(Invitations::EventId))
                    .col(integer(Invitations::Line))
                    .col(string(Invitations::Email))
                    .col(string(Invitations::Name))
                    .col(string_null(Invitations::NameReading))
                    .col(uuid_null(Invitations::SlotId))
                    .col(string(Invitations::Mark))
                    .col(timestamp_with_time_zone_null(Invitations::DeclinedAt))
                    .foreign_key(&mut cascade(
                        "fk_invitations_list",
                        (Invitations::Table, Invitations::ListId),
                        (InvitationLists::Table, InvitationLists::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_invitations_event",
                        (Invitations::Table, Invitations::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_list")
                    .table(Invitations::Table)
                    .col(Invitations::ListId)
                    .col(Invitations::Line)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Announcements::Table)
                    .col(uuid(Announcements::Id).primary_key())
                    .col(uuid(Announcements::EventId))
                    .col(uuid(Announcements::CreatedBy))
                    .col(string(Announcements::Audience))
                    .col(string(Announcements::Subject))
                    .col(text(Announcements::Body))
                    .col(integer(Announcements::Recipients))
                    .col(timestamp_with_time_zone(Announcements::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_announcements_event",
                        (Announcements::Table, Announcements::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Unsubscribes::Table)
                    .col(uuid(Unsubscribes::NetworkId))
                    .col(string(Unsubscribes::Email))
                    .col(timestamp_with_time_zone(Unsubscribes::CreatedAt))
                    .primary_key(Index::create().col(Unsubscribes::NetworkId).col(Unsubscribes::Email))
                    .foreign_key(&mut cascade(
                        "fk_unsubscribes_network",
                        (Unsubscribes::Table, Unsubscribes::NetworkId),
                        (Networks::Table, Networks::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Unsubscribes::Table.into_iden(),
            Announcements::Table.into_iden(),
            Invitations::Table.into_iden(),
            InvitationLists::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("idx_outbox_batch").table(Outbox::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Outbox::Table).drop_column(Outbox::BatchId).to_owned()).await
    }
}
