//! Lottery and approval: the draw's seed (its hash is shown before the draw, the seed after it),
//! when the draw ran, the draw itself as it happened (every entry's rank, party and slot, so
//! anyone can re-run it from the seed), and the switch for automatic waitlist promotion
//! (organizers may offer freed seats by hand instead).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::common::cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    LotterySeed,
    LotteryDrawnAt,
    AutoPromote,
}

#[derive(DeriveIden)]
enum Rsvps {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LotteryDraws {
    Table,
    EventId,
    Rank,
    RsvpId,
    Party,
    SlotId,
    Won,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one thing per statement.
        let events =
            |column: &mut ColumnDef| Table::alter().table(Events::Table).add_column(column).to_owned();
        manager.alter_table(events(&mut string_null(Events::LotterySeed))).await?;
        manager.alter_table(events(&mut timestamp_with_time_zone_null(Events::LotteryDrawnAt))).await?;
        manager.alter_table(events(boolean(Events::AutoPromote).default(true))).await?;
        // Lottery events made before the draw existed get their seed now, before any hash of it
        // is shown: 256 random bits as hex.
        let random_hex = match manager.get_database_backend() {
            DbBackend::Sqlite => "lower(hex(randomblob(32)))",
            _ => "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE events SET lottery_seed = {random_hex} WHERE rsvp_mode = 'lottery' AND lottery_seed IS NULL"
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LotteryDraws::Table)
                    .col(uuid(LotteryDraws::EventId))
                    .col(integer(LotteryDraws::Rank))
                    .col(uuid(LotteryDraws::RsvpId))
                    .col(integer(LotteryDraws::Party))
                    .col(uuid(LotteryDraws::SlotId))
                    .col(boolean(LotteryDraws::Won))
                    .primary_key(Index::create().col(LotteryDraws::EventId).col(LotteryDraws::Rank))
                    .foreign_key(&mut cascade(
                        "fk_lottery_draws_event",
                        (LotteryDraws::Table, LotteryDraws::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_lottery_draws_rsvp",
                        (LotteryDraws::Table, LotteryDraws::RsvpId),
                        (Rsvps::Table, Rsvps::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lottery_draws_rsvp")
                    .table(LotteryDraws::Table)
                    .col(LotteryDraws::RsvpId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LotteryDraws::Table).to_owned()).await?;
        for column in [Events::LotterySeed, Events::LotteryDrawnAt, Events::AutoPromote] {
            manager.alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
