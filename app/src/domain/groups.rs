//! Settings → Groups (teams, seed 003): wire types and the group name rule.

use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use serde::{Deserialize, Serialize};

pub const MAX_GROUP_NAME_CHARS: usize = 80;

/// A member of a group, as the Groups page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The membership id.
    pub id: i64,
    pub email: String,
}

/// A role template attached to a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTemplate {
    pub id: i64,
    pub name: String,
}

/// One group with its members and templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub members: Vec<GroupMember>,
    pub templates: Vec<GroupTemplate>,
    /// Only this group's members (and admins) can sign in to the tenant.
    #[serde(default)]
    pub restricts_sign_in: bool,
}

/// A group name: trimmed, 1 to 80 characters, no control or invisible characters.
pub fn parse_group_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "name", "name", MAX_GROUP_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Enter a name for the group, such as Support team.",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_trimmed_and_bounded() {
        assert_eq!(parse_group_name("  Support team ").unwrap(), "Support team");
        assert!(parse_group_name("   ")
            .unwrap_err()
            .field_message("name")
            .is_some());
        assert!(parse_group_name(&"x".repeat(81)).is_err());
        assert!(parse_group_name("Sup\u{202e}port").is_err());
    }
}
