//! Values stored as text in a column (roles, statuses, tenant kinds, plans, permission
//! keys), read back through one door: a value the code does not know is a logged
//! internal error with a reference id, never a silent default.

use crate::domain::access::Permission;
use crate::domain::{AppError, Flag, MembershipStatus, Plan, Role, TenantKind};

/// A domain value kept in a text column.
pub trait Stored: Sized {
    /// What the column holds, for the log line.
    const WHAT: &'static str;
    fn from_stored(value: &str) -> Option<Self>;
}

/// Reads a stored value; an unknown one is an internal error (logged with its cause).
pub fn decode<T: Stored>(value: &str) -> Result<T, AppError> {
    T::from_stored(value).ok_or_else(|| {
        crate::backend::internal(format!("unknown {} {value:?} in the database", T::WHAT))
    })
}

/// Reads every stored permission key of some rows; any unknown key is an internal error.
pub fn decode_all<'a, C>(keys: impl IntoIterator<Item = &'a str>) -> Result<C, AppError>
where
    C: FromIterator<Permission>,
{
    keys.into_iter().map(decode::<Permission>).collect()
}

macro_rules! stored {
    ($($t:ty => $what:literal),+ $(,)?) => {$(
        impl Stored for $t {
            const WHAT: &'static str = $what;
            fn from_stored(value: &str) -> Option<Self> {
                <$t>::parse(value)
            }
        }
    )+};
}

stored! {
    Role => "role",
    MembershipStatus => "membership status",
    TenantKind => "tenant kind",
    Plan => "plan",
    Permission => "permission",
    Flag => "feature flag",
}

/// Puts every column of `E` into `query`, each named `<prefix><column>`, so one
/// statement can carry several whole rows; [`row_of`] reads one back.
pub fn select_row_of<E: sea_orm::EntityTrait + Default>(
    query: &mut sea_orm::sea_query::SelectStatement,
    prefix: &str,
) {
    use sea_orm::sea_query::{Alias, Expr};
    use sea_orm::{IdenStatic, Iterable};
    for column in E::Column::iter() {
        query.expr_as(
            Expr::col((E::default(), column)),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// The row of `M` that [`select_row_of`] put under `prefix`.
pub fn row_of<M: sea_orm::FromQueryResult>(
    row: &sea_orm::QueryResult,
    prefix: &str,
) -> Result<M, sea_orm::DbErr> {
    M::from_query_result(row, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_decode_and_unknown_ones_are_internal_errors() {
        assert_eq!(decode::<Role>("admin").ok(), Some(Role::Admin));
        assert_eq!(
            decode::<MembershipStatus>("suspended").ok(),
            Some(MembershipStatus::Suspended)
        );
        assert!(matches!(
            decode::<Role>("owner"),
            Err(AppError::Internal(_))
        ));
        assert!(matches!(decode::<Plan>(""), Err(AppError::Internal(_))));
        let keys = ["users.view", "users.manage"];
        let perms: Vec<Permission> = decode_all(keys).unwrap_or_default();
        assert_eq!(perms.len(), 2);
        let bad: Result<Vec<Permission>, _> = decode_all(["users.view", "users.fly"]);
        assert!(matches!(bad, Err(AppError::Internal(_))));
    }
}
