//! Networks, people and their memberships, API tokens, venues, series, events with their slots,
//! co-hosts and organizers, the audit log and service settings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
enum Networks {
    Table,
    Id,
    Slug,
    Name,
    DefaultLanguage,
    TimeZone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    Email,
    DisplayName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    NetworkId,
    PersonId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    PersonId,
    NetworkId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Venues {
    Table,
    Id,
    NetworkId,
    Name,
    Address,
    MapUrl,
    AccessNotes,
    RoomCapacity,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum Series {
    Table,
    Id,
    NetworkId,
    Slug,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    NetworkId,
    SeriesId,
    Edition,
    Slug,
    Title,
    Theme,
    DescriptionMd,
    StartsAt,
    EndsAt,
    TimeZone,
    VenueId,
    OnlineUrl,
    Seats,
    RsvpMode,
    LotteryDrawAt,
    HoldMinutes,
    ConfirmationRequired,
    WaitlistEnabled,
    MaxGuests,
    RsvpOpensAt,
    RsvpDeadline,
    Status,
    Sequence,
    PublishedAt,
    CancelledAt,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventSlots {
    Table,
    Id,
    EventId,
    Position,
    Name,
    Seats,
}

#[derive(DeriveIden)]
enum EventCohosts {
    Table,
    EventId,
    NetworkId,
}

#[derive(DeriveIden)]
enum EventOrganizers {
    Table,
    EventId,
    PersonId,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    NetworkId,
    PersonId,
    Action,
    SubjectId,
    Summary,
    At,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
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
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(string(Settings::Key).primary_key())
                    .col(text(Settings::Value))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Networks::Table)
                    .col(uuid(Networks::Id).primary_key())
                    .col(string_uniq(Networks::Slug))
                    .col(string(Networks::Name))
                    .col(string(Networks::DefaultLanguage))
                    .col(string(Networks::TimeZone))
                    .col(timestamp_with_time_zone(Networks::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(uuid(People::Id).primary_key())
                    .col(string_uniq(People::Email))
                    .col(string(People::DisplayName))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(uuid(Memberships::NetworkId))
                    .col(uuid(Memberships::PersonId))
                    .col(string(Memberships::Role))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .primary_key(Index::create().col(Memberships::NetworkId).col(Memberships::PersonId))
                    .foreign_key(&mut fk(
                        "fk_memberships_network",
                        (Memberships::Table, Memberships::NetworkId),
                        (Networks::Table, Networks::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_memberships_person",
                        (Memberships::Table, Memberships::PersonId),
                        (People::Table, People::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_memberships_person", Memberships::Table, &["person_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(uuid(ApiTokens::Id).primary_key())
                    .col(uuid(ApiTokens::PersonId))
                    .col(uuid_null(ApiTokens::NetworkId))
                    .col(string(ApiTokens::Name))
                    .col(string_uniq(ApiTokens::TokenHash))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(&mut fk(
                        "fk_api_tokens_person",
                        (ApiTokens::Table, ApiTokens::PersonId),
                        (People::Table, People::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_api_tokens_network",
                        (ApiTokens::Table, ApiTokens::NetworkId),
                        (Networks::Table, Networks::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_api_tokens_person", ApiTokens::Table, &["person_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Venues::Table)
                    .col(uuid(Venues::Id).primary_key())
                    .col(uuid(Venues::NetworkId))
                    .col(string(Venues::Name))
                    .col(text(Venues::Address))
                    .col(text_null(Venues::MapUrl))
                    .col(text_null(Venues::AccessNotes))
                    .col(integer(Venues::RoomCapacity))
                    .col(timestamp_with_time_zone(Venues::CreatedAt))
                    .col(timestamp_with_time_zone(Venues::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Venues::ArchivedAt))
                    .foreign_key(&mut fk(
                        "fk_venues_network",
                        (Venues::Table, Venues::NetworkId),
                        (Networks::Table, Networks::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_venues_network", Venues::Table, &["network_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Series::Table)
                    .col(uuid(Series::Id).primary_key())
                    .col(uuid(Series::NetworkId))
                    .col(string(Series::Slug))
                    .col(string(Series::Name))
                    .col(text_null(Series::Description))
                    .col(timestamp_with_time_zone(Series::CreatedAt))
                    .col(timestamp_with_time_zone(Series::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Series::ArchivedAt))
                    .foreign_key(&mut fk(
                        "fk_series_network",
                        (Series::Table, Series::NetworkId),
                        (Networks::Table, Networks::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_series_network_slug", Series::Table, &["network_id", "slug"]).unique().to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(uuid(Events::Id).primary_key())
                    .col(uuid(Events::NetworkId))
                    .col(uuid_null(Events::SeriesId))
                    .col(integer_null(Events::Edition))
                    .col(string_uniq(Events::Slug))
                    .col(string(Events::Title))
                    .col(string_null(Events::Theme))
                    .col(text(Events::DescriptionMd))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(string(Events::TimeZone))
                    .col(uuid_null(Events::VenueId))
                    .col(text_null(Events::OnlineUrl))
                    .col(integer(Events::Seats))
                    .col(string(Events::RsvpMode))
                    .col(timestamp_with_time_zone_null(Events::LotteryDrawAt))
                    .col(integer(Events::HoldMinutes))
                    .col(boolean(Events::ConfirmationRequired))
                    .col(boolean(Events::WaitlistEnabled))
                    .col(integer(Events::MaxGuests))
                    .col(timestamp_with_time_zone_null(Events::RsvpOpensAt))
                    .col(timestamp_with_time_zone_null(Events::RsvpDeadline))
                    .col(string(Events::Status))
                    .col(integer(Events::Sequence))
                    .col(timestamp_with_time_zone_null(Events::PublishedAt))
                    .col(timestamp_with_time_zone_null(Events::CancelledAt))
                    .col(timestamp_with_time_zone_null(Events::ArchivedAt))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(timestamp_with_time_zone(Events::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_events_network",
                        (Events::Table, Events::NetworkId),
                        (Networks::Table, Networks::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_events_series",
                        (Events::Table, Events::SeriesId),
                        (Series::Table, Series::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_events_venue",
                        (Events::Table, Events::VenueId),
                        (Venues::Table, Venues::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_events_network_starts", Events::Table, &["network_id", "starts_at"]))
            .await?;
        manager.create_index(index("idx_events_ends", Events::Table, &["ends_at"])).await?;
        manager.create_index(index("idx_events_venue", Events::Table, &["venue_id"])).await?;
        manager
            .create_index(
                index("uq_events_series_edition", Events::Table, &["series_id", "edition"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EventSlots::Table)
                    .col(uuid(EventSlots::Id).primary_key())
                    .col(uuid(EventSlots::EventId))
                    .col(integer(EventSlots::Position))
                    .col(string(EventSlots::Name))
                    .col(integer(EventSlots::Seats))
                    .foreign_key(&mut fk(
                        "fk_event_slots_event",
                        (EventSlots::Table, EventSlots::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_event_slots_event", EventSlots::Table, &["event_id", "position"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EventCohosts::Table)
                    .col(uuid(EventCohosts::EventId))
                    .col(uuid(EventCohosts::NetworkId))
                    .primary_key(Index::create().col(EventCohosts::EventId).col(EventCohosts::NetworkId))
                    .foreign_key(&mut fk(
                        "fk_event_cohosts_event",
                        (EventCohosts::Table, EventCohosts::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_event_cohosts_network",
                        (EventCohosts::Table, EventCohosts::NetworkId),
                        (Networks::Table, Networks::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_event_cohosts_network", EventCohosts::Table, &["network_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EventOrganizers::Table)
                    .col(uuid(EventOrganizers::EventId))
                    .col(uuid(EventOrganizers::PersonId))
                    .primary_key(Index::create().col(EventOrganizers::EventId).col(EventOrganizers::PersonId))
                    .foreign_key(&mut fk(
                        "fk_event_organizers_event",
                        (EventOrganizers::Table, EventOrganizers::EventId),
                        (Events::Table, Events::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_event_organizers_person",
                        (EventOrganizers::Table, EventOrganizers::PersonId),
                        (People::Table, People::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid(AuditLog::NetworkId))
                    .col(uuid_null(AuditLog::PersonId))
                    .col(string(AuditLog::Action))
                    .col(uuid(AuditLog::SubjectId))
                    .col(json(AuditLog::Summary))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .foreign_key(&mut fk(
                        "fk_audit_log_network",
                        (AuditLog::Table, AuditLog::NetworkId),
                        (Networks::Table, Networks::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_audit_log_network", AuditLog::Table, &["network_id", "id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            EventOrganizers::Table.into_iden(),
            EventCohosts::Table.into_iden(),
            EventSlots::Table.into_iden(),
            Events::Table.into_iden(),
            Series::Table.into_iden(),
            Venues::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Memberships::Table.into_iden(),
            People::Table.into_iden(),
            Networks::Table.into_iden(),
            Settings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
