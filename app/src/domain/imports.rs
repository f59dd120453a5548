//! Users → Import CSV: the rows of an uploaded file, the preview that says of each
//! whether it can be invited and why not, and the rules a row is read by.

use crate::domain::{Email, Role};
use serde::{Deserialize, Serialize};

/// The largest file read.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// The most rows a file may hold.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// Rows that can be invited shown in the preview (every row with a problem is).
pub const PREVIEW_READY_ROWS: usize = 50;

/// The columns an import reads (others, such as an export's, are ignored).
pub const IMPORT_COLUMNS: [&str; 4] = ["email", "role", "template", "crm_access"];

/// The sample file offered for download.
pub const SAMPLE_CSV: &str = "email,role,template,crm_access\nada@example.com,user,,no\ngrace@example.com,user,Support agent,yes\n";

/// One row of the file, as written (line numbers count the header as line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    pub line: usize,
    pub email: String,
    pub role: String,
    pub template: String,
    pub crm_access: String,
}

/// A row as the preview shows it: `problem` says why it can't be invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: usize,
    pub email: String,
    pub role: String,
    pub template: String,
    pub crm_access: bool,
    pub problem: Option<String>,
}

/// What an uploaded file would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportPreview {
    pub id: i64,
    pub file_name: String,
    /// Why the file could not be read at all.
    pub problem: Option<String>,
    /// Rows with a problem, and the first [`PREVIEW_READY_ROWS`] ready ones.
    pub rows: Vec<PreviewRow>,
    pub total: usize,
    pub ready: usize,
    pub seats_free: i64,
    /// Why nobody can be invited although rows are ready (seats).
    pub seat_problem: Option<String>,
    /// When it was applied (UTC words), if it was.
    pub applied: Option<String>,
}

/// What applying a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub invited: usize,
    pub skipped: usize,
}

/// What a row asks for, once its cells read well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportAsk {
    pub email: Email,
    pub role: Role,
    /// The template's name, empty for none.
    pub template: String,
    pub crm_access: bool,
}

/// A yes/no cell: yes, no, true, false, 1, 0, y, n, or empty (no).
pub fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

/// The row's cells read, or the sentence saying which cell is wrong.
pub fn read_line(line: &ImportLine) -> Result<ImportAsk, String> {
    let email = Email::parse(line.email.trim())
        .map_err(|e| format!("“{}” is not an email address: {e}", line.email.trim()))?;
    let role = match line.role.trim() {
        "" => Role::User,
        text => Role::parse(&text.to_ascii_lowercase())
            .ok_or_else(|| format!("The role “{text}” is not one of admin or user."))?,
    };
    let crm_access = parse_flag(&line.crm_access)
        .ok_or_else(|| format!("crm_access “{}” is not yes or no.", line.crm_access.trim()))?;
    Ok(ImportAsk {
        email,
        role,
        template: line.template.trim().to_string(),
        crm_access,
    })
}

/// The sentence when `ready` people can't all get a seat.
pub fn seat_problem(ready: usize, seats_free: i64) -> Option<String> {
    let free = usize::try_from(seats_free.max(0)).unwrap_or(0);
    let seats = if free == 1 {
        "1 seat is".to_string()
    } else {
        format!("{free} seats are")
    };
    (ready > free).then(|| {
        format!(
            "{ready} people are ready to invite but only {seats} free. Remove rows, remove people who no longer need access, or upgrade the plan."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(email: &str, role: &str, crm: &str) -> ImportLine {
        ImportLine {
            line: 2,
            email: email.into(),
            role: role.into(),
            template: " Support ".into(),
            crm_access: crm.into(),
        }
    }

    #[test]
    fn rows_read_or_say_which_cell_is_wrong() {
        let ask = read_line(&line(" Ada@Example.com ", "", "Yes")).unwrap();
        assert_eq!(ask.email.as_str(), "ada@example.com");
        assert_eq!(
            (ask.role, ask.crm_access, ask.template.as_str()),
            (Role::User, true, "Support")
        );
        assert_eq!(
            read_line(&line("a@b.example", "Admin", "0")).unwrap().role,
            Role::Admin
        );
        assert!(read_line(&line("not-an-email", "", ""))
            .unwrap_err()
            .contains("not an email"));
        assert!(read_line(&line("a@b.example", "owner", ""))
            .unwrap_err()
            .contains("owner"));
        assert!(read_line(&line("a@b.example", "", "maybe"))
            .unwrap_err()
            .contains("maybe"));
    }

    #[test]
    fn seats_are_checked_for_the_whole_file() {
        assert_eq!(seat_problem(3, 3), None);
        assert!(seat_problem(4, 3)
            .unwrap()
            .contains("only 3 seats are free"));
        assert!(seat_problem(2, 1).unwrap().contains("only 1 seat is free"));
        assert!(seat_problem(1, -2).unwrap().contains("only 0 seats"));
    }
}
