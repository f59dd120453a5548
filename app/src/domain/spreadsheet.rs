//! CSV files people open in a spreadsheet: what a cell may start with, and the
//! columns of the Users export and import.

use std::borrow::Cow;

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return at the start) gets a `'` in front, so it shows as the text it is (OWASP
/// "CSV injection"); anything else stays as it is.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A cell as written by [`neutralise`], back to what it says.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if neutralise(rest) != rest => rest,
        _ => cell,
    }
}

/// The Users export's columns, in order.
pub const USERS_COLUMNS: [&str; 9] = [
    "email",
    "name",
    "role",
    "template",
    "groups",
    "status",
    "crm_access",
    "beta_access",
    "last_login",
];

/// The Audit log export's columns, in order.
pub const AUDIT_COLUMNS: [&str; 6] = ["time", "who", "what", "whom", "details", "ip"];

/// "yes" / "no", as the exports write booleans.
pub fn yes_no(on: bool) -> &'static str {
    if on {
        "yes"
    } else {
        "no"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for cell in [
            "=1+2",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            let safe = neutralise(cell);
            assert!(safe.starts_with('\''), "{cell:?}");
            assert_eq!(restore(&safe), cell);
        }
        for cell in ["ada@example.com", "Ada Lovelace", "", "'quoted", "1-2"] {
            assert_eq!(neutralise(cell), cell);
            assert_eq!(restore(cell), cell, "{cell:?}");
        }
    }
}
