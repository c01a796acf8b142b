//! Applying migrations. On PostgreSQL the run holds an advisory lock, so several instances
//! starting at once migrate one after the other (sea-orm-migration takes no lock itself).

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, sqlx};
use tsudoi_domain::db::Db;
use tsudoi_migration::{Migrator, MigratorTrait};

/// An arbitrary constant that names Tsudoi's migration lock.
const LOCK_KEY: i64 = 0x7473_7564_6f69;

pub async fn up(database_url: &str, db: &Db) -> anyhow::Result<()> {
    match db.backend() {
        DbBackend::Postgres => {
            // A one-connection pool, so the lock and the migrations share one session.
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(database_url)
                .await
                .context("opening a connection for migrations")?;
            let conn = DatabaseConnection::from(pool);
            let lock =
                |sql: &str| Statement::from_sql_and_values(DbBackend::Postgres, sql, [LOCK_KEY.into()]);
            conn.execute_raw(lock("SELECT pg_advisory_lock($1)"))
                .await
                .context("taking the migration lock")?;
            let result = Migrator::up(&conn, None).await.context("applying migrations");
            conn.execute_raw(lock("SELECT pg_advisory_unlock($1)"))
                .await
                .context("releasing the migration lock")?;
            let _ = conn.close().await;
            result
        }
        _ => Migrator::up(db.writer(), None).await.context("applying migrations"),
    }
}

/// One line per migration: its name and whether it has been applied.
pub async fn status(db: &Db) -> anyhow::Result<Vec<(String, bool)>> {
    let applied = Migrator::get_applied_migrations(db.writer()).await?;
    let applied: Vec<String> = applied.iter().map(|m| m.name().to_owned()).collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_owned();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}
