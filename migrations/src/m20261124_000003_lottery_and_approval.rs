//! Lottery and approval: the draw's seed (its hash is shown before the draw, the seed after it),
//! when the draw ran, each entry's place in the draw, and the switch for automatic waitlist
//! promotion (organizers may offer freed seats by hand instead).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    LotterySeed,
    LotteryDrawnAt,
    AutoPromote,
}

#[derive(DeriveIden)]
enum Rsvps {
    Table,
    LotteryRank,
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
        manager
            .alter_table(
                Table::alter().table(Rsvps::Table).add_column(integer_null(Rsvps::LotteryRank)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Rsvps::Table).drop_column(Rsvps::LotteryRank).to_owned())
            .await?;
        for column in [Events::LotterySeed, Events::LotteryDrawnAt, Events::AutoPromote] {
            manager.alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
