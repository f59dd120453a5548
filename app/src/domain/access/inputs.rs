//! What decides a member's permissions, as the evaluation needs it.

use super::catalog::Permission;
use crate::domain::model::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role template as the evaluation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateGrant {
    pub name: String,
    pub permissions: BTreeSet<Permission>,
}

/// A group (team) the member belongs to, with the templates attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupGrant {
    pub name: String,
    pub templates: Vec<TemplateGrant>,
}

/// Everything that decides a member's permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessInputs {
    pub role: Role,
    pub direct: BTreeSet<Permission>,
    pub template: Option<TemplateGrant>,
    pub groups: Vec<GroupGrant>,
}
