//! `gatehouse mail`: look at every email before going live, and the DKIM record.

use crate::config::{Common, MailCommand, Preview};
use app::backend::kernel::mail::letters::{Letter, KINDS};

pub fn run(common: &Common, command: &MailCommand) -> Result<String, String> {
    match command {
        MailCommand::Preview(args) => preview(common, args),
        MailCommand::DkimRecord => match common.dkim()? {
            Some(signer) => Ok(format!(
                "Publish this TXT record in your DNS zone:\n\n{}\n\nIts value alone:\n{}",
                signer.dns_record(),
                signer.txt_value()
            )),
            None => Err(
                "DKIM is not set up: set GATEHOUSE_DKIM_DOMAIN, GATEHOUSE_DKIM_SELECTOR and GATEHOUSE_DKIM_KEY_FILE first."
                    .to_string(),
            ),
        },
    }
}

/// Prints each chosen kind's subject, Reply-To and plain text, and writes its HTML
/// part to `<html_dir>/<kind>.html`.
fn preview(common: &Common, args: &Preview) -> Result<String, String> {
    let kinds: Vec<&str> = match &args.kind {
        Some(kind) => vec![KINDS.iter().copied().find(|k| k == kind).ok_or_else(|| {
            format!(
                "There is no email kind {kind:?}. The kinds are: {}.",
                KINDS.join(", ")
            )
        })?],
        None => KINDS.to_vec(),
    };
    std::fs::create_dir_all(&args.html_dir)
        .map_err(|e| format!("Cannot create {}: {e}", args.html_dir.display()))?;
    let mut out = Vec::new();
    for kind in kinds {
        let written = Letter::example(kind, &common.public_url())
            .ok_or_else(|| format!("No example of {kind}"))?
            .write()
            .map_err(|e| format!("The {kind} template failed: {e}"))?;
        let file = args.html_dir.join(format!("{kind}.html"));
        std::fs::write(&file, &written.html)
            .map_err(|e| format!("Cannot write {}: {e}", file.display()))?;
        let reply_to = written
            .reply_to
            .map(|i| format!("Reply-To: {} <{}>\n", i.name, i.email))
            .unwrap_or_default();
        out.push(format!(
            "==> {kind}\nSubject: {}\n{reply_to}HTML part: {}\n\n{}",
            written.subject,
            file.display(),
            written.text
        ));
    }
    Ok(out.join("\n").trim_end().to_string())
}
