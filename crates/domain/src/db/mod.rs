//! Opening the database. SQLite gets one writer connection and a pool of read-only readers
//! (SQLite lets one writer in at a time; a pool of writers only fights over the lock, see
//! DESIGN §6), and hot paths may open a connection of their own on a thread of its own
//! (`direct`), writing while they hold the writer. PostgreSQL gets one pool that serves both.

pub(crate) mod direct;

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use anyhow::Context;
use sea_orm::{
    DatabaseConnection, DbBackend,
    sqlx::{
        Postgres, Sqlite,
        pool::{PoolConnection, PoolOptions},
        postgres::PgConnectOptions,
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    },
};

#[derive(Clone, Debug)]
pub struct Db {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    /// The database's file, when it is one (SQLite, not in memory).
    sqlite_file: Option<PathBuf>,
}

/// The SQLite writer's one connection, held: nothing else in this process writes while it is.
/// Work on a connection of its own (`direct`) holds one while it writes.
pub(crate) struct WritePermit {
    _writer: PoolConnection<Sqlite>,
}

#[derive(Clone, Debug)]
pub struct PoolSizes {
    /// Read connections on SQLite; total connections on PostgreSQL.
    pub connections: u32,
}

impl Default for PoolSizes {
    fn default() -> Self {
        Self { connections: 4 }
    }
}

impl Db {
    pub async fn connect(url: &str, sizes: &PoolSizes) -> anyhow::Result<Db> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, sizes).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
            let pool = PoolOptions::<Postgres>::new()
                .max_connections(sizes.connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            let conn = DatabaseConnection::from(pool);
            Ok(Db { writer: conn.clone(), reader: conn, sqlite_file: None })
        } else {
            anyhow::bail!("unsupported database URL: use sqlite://FILE?mode=rwc or postgres://...")
        }
    }

    async fn connect_sqlite(url: &str, sizes: &PoolSizes) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)
            .context("parsing the SQLite URL")?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // The one writer gets a larger page cache (up to 32 MiB, taken only as needed): a big
        // transaction, such as a lottery draw over tens of thousands of entries, then stays in
        // memory until it commits instead of spilling pages to the WAL as it goes.
        let writer = sqlite_pool()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone().pragma("cache_size", "-32768"))
            .await
            .with_context(|| format!("opening SQLite database {url}"))?;
        let writer = DatabaseConnection::from(writer);
        if in_memory {
            // Another connection would open another, empty, database.
            return Ok(Db { reader: writer.clone(), writer, sqlite_file: None });
        }
        let sqlite_file = Some(options.get_filename().to_owned());
        let reader = sqlite_pool()
            .max_connections(sizes.connections.max(1))
            .connect_with(options.read_only(true))
            .await
            .context("opening SQLite read connections")?;
        Ok(Db { writer, reader: DatabaseConnection::from(reader), sqlite_file })
    }

    /// The connection for anything that writes (and for reads that must see those writes in
    /// the same transaction).
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// The connection for plain reads.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// The database's file, when it is a SQLite file (`direct` may open it).
    pub(crate) fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// Waits for the SQLite writer and holds it (see [`WritePermit`]).
    pub(crate) async fn write_permit(&self) -> anyhow::Result<WritePermit> {
        anyhow::ensure!(self.backend() == DbBackend::Sqlite, "only SQLite has a write permit");
        let writer = self
            .writer
            .get_sqlite_connection_pool()
            .acquire()
            .await
            .context("waiting for the SQLite writer")?;
        Ok(WritePermit { _writer: writer })
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        self.reader.ping().await.context("pinging the database")
    }

    pub async fn close(self) {
        let _ = self.reader.close_by_ref().await;
        let _ = self.writer.close_by_ref().await;
    }
}

/// A pool of SQLite connections. A connection to a file cannot drop the way a network one can,
/// so it is not pinged before each use: every ping is a round trip to the connection's thread,
/// which a door storm's batches would pay for every time.
fn sqlite_pool() -> PoolOptions<Sqlite> {
    PoolOptions::<Sqlite>::new().acquire_timeout(Duration::from_secs(30)).test_before_acquire(false)
}

/// `lower(column) LIKE '%text%'`: the column contains `text`, in any case, with `%`, `_` and
/// `\` in the text taken as themselves (searches typed by people).
pub fn contains(
    column: impl sea_orm::sea_query::IntoColumnRef,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let text = text.to_lowercase();
    let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('\\'))
}
