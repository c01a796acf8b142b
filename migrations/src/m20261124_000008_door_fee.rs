//! The door fee (会費): an amount per person for an event, optionally another for a slot, and
//! what was collected with each check-in. And offline scans: a check-in let in again by an
//! earlier offline scan at another gate is marked as its duplicate.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Events {
    Table,
    DoorFee,
    DoorFeeCurrency,
}

#[derive(DeriveIden)]
enum EventSlots {
    Table,
    DoorFee,
}

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    FeePaid,
    FeePaidAt,
    DuplicateOf,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = |table: TableRef, column: &mut ColumnDef| {
            Table::alter().table(table).add_column(column).to_owned()
        };
        manager.alter_table(add(Events::Table.into_table_ref(), &mut integer_null(Events::DoorFee))).await?;
        manager
            .alter_table(add(
                Events::Table.into_table_ref(),
                string_len(Events::DoorFeeCurrency, 3).default("JPY"),
            ))
            .await?;
        manager
            .alter_table(add(EventSlots::Table.into_table_ref(), &mut integer_null(EventSlots::DoorFee)))
            .await?;
        manager
            .alter_table(add(CheckIns::Table.into_table_ref(), &mut integer_null(CheckIns::FeePaid)))
            .await?;
        manager
            .alter_table(add(
                CheckIns::Table.into_table_ref(),
                &mut timestamp_with_time_zone_null(CheckIns::FeePaidAt),
            ))
            .await?;
        manager
            .alter_table(add(CheckIns::Table.into_table_ref(), &mut uuid_null(CheckIns::DuplicateOf)))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop =
            |table: TableRef, column: DynIden| Table::alter().table(table).drop_column(column).to_owned();
        for column in [CheckIns::DuplicateOf, CheckIns::FeePaidAt, CheckIns::FeePaid] {
            manager.alter_table(drop(CheckIns::Table.into_table_ref(), column.into_iden())).await?;
        }
        manager
            .alter_table(drop(EventSlots::Table.into_table_ref(), EventSlots::DoorFee.into_iden()))
            .await?;
        for column in [Events::DoorFeeCurrency, Events::DoorFee] {
            manager.alter_table(drop(Events::Table.into_table_ref(), column.into_iden())).await?;
        }
        Ok(())
    }
}
