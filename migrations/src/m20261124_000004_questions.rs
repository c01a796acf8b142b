//! Questions on the RSVP form: each event's list (one JSON value, edited as a whole) and each
//! RSVP's answers (one JSON object keyed by question id).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Questions,
}

#[derive(DeriveIden)]
enum Rsvps {
    Table,
    Answers,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Events::Table).add_column(json_null(Events::Questions)).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(Rsvps::Table).add_column(json_null(Rsvps::Answers)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Rsvps::Table).drop_column(Rsvps::Answers).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Events::Table).drop_column(Events::Questions).to_owned())
            .await
    }
}
