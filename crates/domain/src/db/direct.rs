//! Statements run directly on a SQLite connection of our own (rusqlite), on a thread that runs a
//! whole unit of work at a time: a door storm's batch is one transaction of a few statements per
//! scan. sqlx hands each statement to its connection's thread and waits for the answer; on a
//! machine of two virtual cores each of those round trips costs 50-110 µs of waking threads,
//! more than the statement itself (BENCHMARKS.md).
//!
//! Its statements are prepared once and kept (building them anew for every batch cost more
//! than running them). Values are bound as sqlx binds them for SQLite, so that both kinds of
//! connection store the same bytes, and read back from what sqlx stores.
//! Work that writes holds a [`WritePermit`](super::WritePermit) meanwhile: the sqlx writer then
//! has no transaction open whose snapshot this connection's commits could make stale.

use std::{path::Path, time::Duration};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{
    Connection, OpenFlags, Params, ToSql,
    types::{ToSqlOutput, ValueRef},
};
use sea_orm::ActiveEnum;

use crate::error::Result;

/// Opens the SQLite file (made already, by the sqlx connections) as `Db::connect` opens it, for
/// one thread's use.
pub(crate) fn open(path: &Path) -> anyhow::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", path.display()))?;
    // WAL is the file's own setting; these are each connection's.
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "cache_size", "-32768")?;
    Ok(connection)
}

/// The rows a statement returns, each read into a `T`. Statements are prepared once per
/// connection and kept.
pub(crate) fn rows<T: FromRow>(connection: &Connection, sql: &str, params: impl Params) -> Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| T::from_row(row))?;
    Ok(rows.collect::<rusqlite::Result<Vec<T>>>()?)
}

/// Runs a statement that returns no rows; the number of rows it changed.
pub(crate) fn execute(connection: &Connection, sql: &str, params: impl Params) -> Result<usize> {
    Ok(connection.prepare_cached(sql)?.execute(params)?)
}

/// A time as sqlx stores it in SQLite, so that both kinds of connection write the same text (and
/// times compare as text in order).
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Ids are stored as sea-orm stores UUIDs in SQLite: their 16 bytes.
macro_rules! uuid_params {
    ($($id:ty),+) => {$(
        impl ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.0.as_bytes())))
            }
        }
    )+};
}
uuid_params!(crate::ids::RsvpId, crate::ids::EventId, crate::ids::CheckInId, crate::ids::DoorPassId);

/// A row read into a struct whose fields are named as the columns.
pub(crate) trait FromRow: Sized {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// `FromRow` for a struct, each field read from the column of its name.
macro_rules! from_row {
    ($name:ty { $($field:ident),+ $(,)? }) => {
        impl $crate::db::direct::FromRow for $name {
            fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(Self { $($field: $crate::db::direct::Column::read(row, stringify!($field))?),+ })
            }
        }
    };
}
pub(crate) use from_row;

/// A value read from a column as sqlx stores it in SQLite (times as its RFC 3339 text, ids as
/// their 16 bytes, enums as their string).
pub(crate) trait Column: Sized {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self>;
}

impl<T: Column> Column for Option<T> {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        match row.get_ref(name)? {
            ValueRef::Null => Ok(None),
            _ => T::read(row, name).map(Some),
        }
    }
}

impl Column for i32 {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        row.get(name)
    }
}

impl Column for String {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        row.get(name)
    }
}

impl Column for DateTime<Utc> {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        let text: String = row.get(name)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|err| failed(row, name, rusqlite::types::Type::Text, err))
    }
}

impl Column for uuid::Uuid {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        let bytes = row.get_ref(name)?.as_blob()?;
        uuid::Uuid::from_slice(bytes).map_err(|err| failed(row, name, rusqlite::types::Type::Blob, err))
    }
}

impl Column for crate::rsvp::RsvpStatus {
    fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
        let text: String = row.get(name)?;
        Self::try_from_value(&text).map_err(|err| failed(row, name, rusqlite::types::Type::Text, err))
    }
}

macro_rules! uuid_columns {
    ($($id:ty),+) => {$(
        impl Column for $id {
            fn read(row: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<Self> {
                uuid::Uuid::read(row, name).map(Self)
            }
        }
    )+};
}
uuid_columns!(crate::ids::RsvpId, crate::ids::EventId, crate::ids::SlotId, crate::ids::CheckInId);

fn failed(
    row: &rusqlite::Row<'_>,
    name: &str,
    kind: rusqlite::types::Type,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    let index = row.as_ref().column_index(name).unwrap_or_default();
    rusqlite::Error::FromSqlConversionFailure(index, kind, Box::new(err))
}
