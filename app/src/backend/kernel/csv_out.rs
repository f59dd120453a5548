//! CSV files the server streams out (the Users and Audit log exports): a writer of
//! cells neutralised against spreadsheet formulas, batches, file names.

use crate::domain::scim::timestamp;
use crate::domain::spreadsheet::neutralise;
use crate::domain::AppError;

/// Members read and written per statement.
pub const EXPORT_BATCH: u64 = 2_000;

/// One batch of the export: its CSV bytes (with the header row on the first) and
/// where the next batch starts, if one follows.
pub struct Batch {
    pub csv: Vec<u8>,
    pub next: Option<i64>,
}

/// A CSV writer of neutralised cells into memory.
pub struct CsvOut(csv::Writer<Vec<u8>>);

impl Default for CsvOut {
    fn default() -> Self {
        CsvOut(csv::WriterBuilder::new().from_writer(Vec::new()))
    }
}

impl CsvOut {
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), AppError> {
        self.0
            .write_record(cells.into_iter().map(|c| neutralise(c).into_owned()))
            .map_err(crate::backend::internal)
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.0.into_inner().map_err(crate::backend::internal)
    }
}

/// The file name of an export made at `now_ms` (`acme-users-2026-12-03.csv`).
pub fn file_name(tenant: &str, what: &str, now_ms: i64) -> String {
    let slug: String = tenant
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    let day = timestamp(now_ms).get(..10).unwrap_or_default().to_string();
    format!(
        "{}-{what}-{day}.csv",
        if slug.is_empty() { "gatehouse" } else { slug }
    )
}
