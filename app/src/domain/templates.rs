//! Role templates: wire types. None carries a hash, token or secret.

use crate::domain::access::Permission;
use crate::domain::text::parse_short_text;
use crate::domain::AppError;
use serde::{Deserialize, Serialize};

/// A role template with its permissions and how many members use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInput {
    /// `None` creates a template.
    pub id: Option<i64>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

pub const MAX_TEMPLATE_NAME_CHARS: usize = 80;

pub fn parse_template_name(input: &str) -> Result<String, AppError> {
    let name = parse_short_text(input, "name", "name", MAX_TEMPLATE_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Enter a name for the template, such as Support agent.",
        ));
    }
    Ok(name)
}
