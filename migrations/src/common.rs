//! Pieces the later migrations share. (The first ones spell theirs out, and landed migrations are
//! never edited.)

use sea_orm_migration::prelude::*;

/// A foreign key from `from` to `to` whose rows go when the row they point at goes.
pub fn cascade(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
