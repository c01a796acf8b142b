//! An event's own reminder: how many hours before the start it goes out, none at all, or
//! (empty) the service's setting.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Events {
    Table,
    RemindHours,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Events::Table).add_column(integer_null(Events::RemindHours)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Events::Table).drop_column(Events::RemindHours).to_owned())
            .await
    }
}
