//! What each email says. Every kind is a pair of compiled templates under
//! `app/templates/mail/` (HTML, escaped automatically, and plain text) inside one
//! shared layout that names the tenant and, for invitations, who invited. Nothing
//! here escapes by hand: a name like `<b>Eve</b>` reaches the HTML part as text.

use super::header_safe;
use crate::domain::Email;
use askama::Template;

/// What the shared layout names: the tenant the email is about (account emails
/// such as a password reset have none) and, for invitations, who invited.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub tenant: Option<String>,
    pub inviter: Option<Inviter>,
}

/// The admin who sent an invitation: named in the email and its `Reply-To`
/// (`name` is empty for someone who has not set a display name).
#[derive(Debug, Clone)]
pub struct Inviter {
    pub name: String,
    pub email: Email,
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub tenant: String,
    pub inviter: String,
    pub link: String,
    pub days: i64,
    /// Sent again by "Resend invite".
    pub resent: bool,
}

#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub link: String,
    pub minutes: i64,
}

#[derive(Debug, Clone)]
pub struct PasswordChanged {
    /// Changed by the person on My account (their other sessions ended), rather
    /// than through a reset link (every session ended).
    pub from_my_account: bool,
}

#[derive(Debug, Clone)]
pub struct TwoFactor {
    pub on: bool,
}

#[derive(Debug, Clone)]
pub struct EmailChanged {
    pub tenant: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone)]
pub struct AccessRequested {
    pub tenant: String,
    pub who: String,
    pub what: String,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct AccessApproved {
    pub tenant: String,
    pub who: String,
    pub what: String,
    pub until: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AccessDeclined {
    pub tenant: String,
    pub who: String,
    pub what: String,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct ReviewDue {
    pub tenant: String,
}

/// Every email Gatehouse sends.
#[derive(Debug, Clone)]
pub enum Letter {
    /// With the inviter as Reply-To.
    Invitation(Invitation, Option<Inviter>),
    PasswordReset(PasswordReset),
    /// Account notices: an account spans tenants, so they name none.
    PasswordChanged(PasswordChanged),
    TwoFactor(TwoFactor),
    EmailChanged(EmailChanged),
    AccessRequested(AccessRequested),
    AccessApproved(AccessApproved),
    AccessDeclined(AccessDeclined),
    ReviewDue(ReviewDue),
}

/// The two parts of one template pair: `$html` and `$text` render `$data` (as `m`)
/// inside the layout (`frame`).
macro_rules! template_pair {
    ($($data:ident: $html:ident $html_path:tt, $text:ident $text_path:tt;)*) => {$(
        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            m: &'a $data,
            frame: &'a Frame,
        }

        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            m: &'a $data,
            frame: &'a Frame,
        }

        impl $data {
            fn parts(&self, frame: &Frame) -> askama::Result<(String, String)> {
                Ok((
                    $html { m: self, frame }.render()?,
                    $text { m: self, frame }.render()?,
                ))
            }
        }
    )*};
}

template_pair! {
    Invitation: InvitationHtml "mail/invitation.html", InvitationText "mail/invitation.txt";
    PasswordReset: PasswordResetHtml "mail/password_reset.html", PasswordResetText "mail/password_reset.txt";
    PasswordChanged: PasswordChangedHtml "mail/password_changed.html", PasswordChangedText "mail/password_changed.txt";
    TwoFactor: TwoFactorHtml "mail/two_factor.html", TwoFactorText "mail/two_factor.txt";
    EmailChanged: EmailChangedHtml "mail/email_changed.html", EmailChangedText "mail/email_changed.txt";
    AccessRequested: AccessRequestedHtml "mail/access_requested.html", AccessRequestedText "mail/access_requested.txt";
    AccessApproved: AccessApprovedHtml "mail/access_approved.html", AccessApprovedText "mail/access_approved.txt";
    AccessDeclined: AccessDeclinedHtml "mail/access_declined.html", AccessDeclinedText "mail/access_declined.txt";
    ReviewDue: ReviewDueHtml "mail/review_due.html", ReviewDueText "mail/review_due.txt";
}

/// The subject of an invitation to `tenant` (how its emails are told apart).
pub fn invitation_subject(tenant: &str) -> String {
    format!("Join {} on Gatehouse", header_safe(tenant))
}

/// Subjects invitations had before [`invitation_subject`] (still in older outboxes).
pub fn earlier_invitation_subject(tenant: &str) -> String {
    format!("You're invited to {} on Gatehouse", header_safe(tenant))
}

/// The subject of every password reset email.
pub const RESET_SUBJECT: &str = "Reset your Gatehouse password";

/// An email in words: subject, both parts, and whom a reply reaches.
#[derive(Debug, Clone)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub reply_to: Option<Inviter>,
}

/// The names `gatehouse mail preview --kind` takes, each with an example.
pub const KINDS: [&str; 11] = [
    "invite",
    "invite-resent",
    "reset",
    "password-changed",
    "two-factor-on",
    "two-factor-off",
    "email-changed",
    "access-request",
    "access-approved",
    "access-declined",
    "review-due",
];

impl Letter {
    /// Writes the email out from its templates.
    pub fn write(&self) -> Result<Written, askama::Error> {
        let frame = Frame {
            tenant: self.tenant().map(str::to_string),
            inviter: match self {
                Letter::Invitation(_, inviter) => inviter.clone(),
                _ => None,
            },
        };
        let ((html, text), subject) = match self {
            Letter::Invitation(m, _) => (m.parts(&frame)?, invitation_subject(&m.tenant)),
            Letter::PasswordReset(m) => (m.parts(&frame)?, RESET_SUBJECT.to_string()),
            Letter::PasswordChanged(m) => (
                m.parts(&frame)?,
                "Your Gatehouse password was changed".to_string(),
            ),
            Letter::TwoFactor(m) => (
                m.parts(&frame)?,
                format!(
                    "Two-factor was turned {} for your Gatehouse account",
                    if m.on { "on" } else { "off" }
                ),
            ),
            Letter::EmailChanged(m) => (
                m.parts(&frame)?,
                "The email of your Gatehouse account was changed".to_string(),
            ),
            Letter::AccessRequested(m) => (
                m.parts(&frame)?,
                format!("Access request from {} in {}", m.who, m.tenant),
            ),
            Letter::AccessApproved(m) => (
                m.parts(&frame)?,
                format!("Your access request in {} was approved", m.tenant),
            ),
            Letter::AccessDeclined(m) => (
                m.parts(&frame)?,
                format!("Your access request in {} was declined", m.tenant),
            ),
            Letter::ReviewDue(m) => (
                m.parts(&frame)?,
                format!("Access review due in {}", m.tenant),
            ),
        };
        Ok(Written {
            subject: header_safe(&subject),
            text: format!("{}\n", text.trim_end()),
            html,
            reply_to: frame.inviter,
        })
    }

    /// The tenant the email is about, if any.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Letter::Invitation(m, _) => Some(&m.tenant),
            Letter::PasswordReset(_) | Letter::PasswordChanged(_) | Letter::TwoFactor(_) => None,
            Letter::EmailChanged(m) => Some(&m.tenant),
            Letter::AccessRequested(m) => Some(&m.tenant),
            Letter::AccessApproved(m) => Some(&m.tenant),
            Letter::AccessDeclined(m) => Some(&m.tenant),
            Letter::ReviewDue(m) => Some(&m.tenant),
        }
    }

    /// An example of each kind in [`KINDS`], for `gatehouse mail preview` and the
    /// tests: made-up people at `public_url`.
    pub fn example(kind: &str, public_url: &str) -> Option<Letter> {
        let tenant = "Acme Production".to_string();
        let inviter = Inviter {
            name: "Grace Hopper".to_string(),
            email: Email::parse("grace@acme.example").ok()?,
        };
        let invitation = |resent| Invitation {
            tenant: tenant.clone(),
            inviter: inviter.name.clone(),
            link: format!("{public_url}/invite/EXAMPLE-TOKEN"),
            days: 7,
            resent,
        };
        let (who, what) = (
            "Ada Lovelace".to_string(),
            "manage users (users.manage)".to_string(),
        );
        Some(match kind {
            "invite" => Letter::Invitation(invitation(false), Some(inviter)),
            "invite-resent" => Letter::Invitation(invitation(true), Some(inviter)),
            "reset" => Letter::PasswordReset(PasswordReset {
                link: format!("{public_url}/reset/EXAMPLE-TOKEN"),
                minutes: 30,
            }),
            "password-changed" => Letter::PasswordChanged(PasswordChanged {
                from_my_account: true,
            }),
            "two-factor-on" => Letter::TwoFactor(TwoFactor { on: true }),
            "two-factor-off" => Letter::TwoFactor(TwoFactor { on: false }),
            "email-changed" => Letter::EmailChanged(EmailChanged {
                tenant,
                old: "ada@old.example".to_string(),
                new: "ada@acme.example".to_string(),
            }),
            "access-request" => Letter::AccessRequested(AccessRequested {
                tenant,
                who,
                what,
                why: "I cover the help desk next week.".to_string(),
            }),
            "access-approved" => Letter::AccessApproved(AccessApproved {
                tenant,
                who: inviter.name,
                what,
                until: Some("Friday 11 December 2026, 17:00 UTC".to_string()),
            }),
            "access-declined" => Letter::AccessDeclined(AccessDeclined {
                tenant,
                who: inviter.name,
                what,
                note: "Ask Grace for this one.".to_string(),
            }),
            "review-due" => Letter::ReviewDue(ReviewDue { tenant }),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(kind: &str) -> Written {
        Letter::example(kind, "https://gatehouse.example")
            .unwrap()
            .write()
            .unwrap()
    }

    /// Both parts of `kind` say `words`, and the layout names the tenant.
    fn says(kind: &str, subject: &str, words: &[&str]) -> Written {
        let w = written(kind);
        assert_eq!(w.subject, subject, "{kind}");
        for part in [&w.text, &w.html] {
            for word in words {
                assert!(part.contains(word), "{kind}: {word:?} missing from\n{part}");
            }
        }
        assert!(w.html.starts_with("<!DOCTYPE html>"), "{kind}");
        assert!(w.html.contains("lang=\"en\""), "{kind}");
        assert!(!w.text.contains('<'), "{kind}: markup in the text part");
        assert!(w.text.contains("This is an automatic message."), "{kind}");
        assert!(!w.html.contains("<img"), "{kind}: no tracking pixels");
        w
    }

    #[test]
    fn invitation_names_tenant_and_inviter_and_links_once() {
        let w = says(
            "invite",
            "Join Acme Production on Gatehouse",
            &[
                "Grace Hopper invited you to join",
                "Acme Production",
                "https://gatehouse.example/invite/EXAMPLE-TOKEN",
                "expires in 7 days",
                "Grace Hopper (grace@acme.example) sent this invitation for Acme Production",
                "Reply to this email to reach them.",
            ],
        );
        assert!(!w.text.contains("A reminder"));
        assert_eq!(
            w.reply_to.map(|i| i.email.to_string()).as_deref(),
            Some("grace@acme.example")
        );
        // Only the invitation link: nothing tracked.
        assert_eq!(w.html.matches("href=").count(), 1);
        assert!(w
            .html
            .contains("href=\"https://gatehouse.example/invite/EXAMPLE-TOKEN\""));
    }

    #[test]
    fn an_inviter_without_a_name_is_named_once_by_address() {
        let Some(Letter::Invitation(invitation, Some(mut inviter))) =
            Letter::example("invite", "https://gatehouse.example")
        else {
            panic!("the invite example is an invitation with its inviter");
        };
        inviter.name = String::new();
        let w = Letter::Invitation(invitation, Some(inviter))
            .write()
            .unwrap();
        for part in [&w.text, &w.html] {
            assert!(part.contains("grace@acme.example sent this invitation for Acme Production"));
            assert!(!part.contains("(grace@acme.example)"));
        }
    }

    #[test]
    fn resent_invitation_is_a_reminder_with_the_same_subject() {
        let w = says(
            "invite-resent",
            "Join Acme Production on Gatehouse",
            &["A reminder: Grace Hopper invited you"],
        );
        assert!(w.reply_to.is_some());
    }

    #[test]
    fn password_reset_has_no_tenant() {
        let w = says(
            "reset",
            RESET_SUBJECT,
            &[
                "Someone asked to reset the password",
                "https://gatehouse.example/reset/EXAMPLE-TOKEN",
                "expires in 30 minutes",
                "Sent by Gatehouse about your account. Questions?",
            ],
        );
        assert!(!w.html.contains("Acme"));
        assert!(w.reply_to.is_none());
    }

    #[test]
    fn password_changed() {
        says(
            "password-changed",
            "Your Gatehouse password was changed",
            &[
                "changed from My account, and your other sessions were signed out",
                "Sent by Gatehouse about your account. Questions?",
            ],
        );
        let reset = Letter::PasswordChanged(PasswordChanged {
            from_my_account: false,
        })
        .write()
        .unwrap();
        assert!(reset.text.contains("every session was signed out"));
    }

    #[test]
    fn two_factor_on_and_off() {
        says(
            "two-factor-on",
            "Two-factor was turned on for your Gatehouse account",
            &["was just turned on", "asks for a code"],
        );
        says(
            "two-factor-off",
            "Two-factor was turned off for your Gatehouse account",
            &["was just turned off", "needs only your password"],
        );
    }

    #[test]
    fn email_changed() {
        says(
            "email-changed",
            "The email of your Gatehouse account was changed",
            &[
                "An admin of Acme Production changed the email",
                "ada@old.example",
                "ada@acme.example",
            ],
        );
    }

    #[test]
    fn access_request_and_its_answers() {
        says(
            "access-request",
            "Access request from Ada Lovelace in Acme Production",
            &[
                "Ada Lovelace asked for access in Acme Production",
                "manage users",
                "I cover the help desk next week.",
                "Settings → Access requests",
            ],
        );
        says(
            "access-approved",
            "Your access request in Acme Production was approved",
            &[
                "Grace Hopper approved your request",
                "until Friday 11 December 2026, 17:00 UTC",
            ],
        );
        says(
            "access-declined",
            "Your access request in Acme Production was declined",
            &[
                "Grace Hopper declined your request",
                "Ask Grace for this one.",
            ],
        );
    }

    #[test]
    fn review_due() {
        says(
            "review-due",
            "Access review due in Acme Production",
            &[
                "An access review of Acme Production is due",
                "Settings → Access reviews",
            ],
        );
    }

    #[test]
    fn every_kind_has_an_example() {
        for kind in KINDS {
            assert!(Letter::example(kind, "http://x").is_some(), "{kind}");
        }
        assert!(Letter::example("nope", "http://x").is_none());
    }

    #[test]
    fn what_people_typed_is_text_in_html_and_left_alone_in_text() {
        let letter = Letter::AccessRequested(AccessRequested {
            tenant: "Acme & <Co>".to_string(),
            who: "<b>Eve</b>".to_string(),
            what: "manage users".to_string(),
            why: "\"quotes\" & 'apostrophes' <script>alert(1)</script>".to_string(),
        });
        let w = letter.write().unwrap();
        assert!(!w.html.contains("<b>Eve"));
        assert!(!w.html.contains("<script>"));
        assert!(w.html.contains("&#60;b&#62;Eve") || w.html.contains("&lt;b&gt;Eve"));
        assert!(
            w.html.contains("Acme &#38; &#60;Co&#62;") || w.html.contains("Acme &amp; &lt;Co&gt;")
        );
        assert!(w
            .text
            .contains("<b>Eve</b> asked for access in Acme & <Co>"));
        assert!(w.text.contains("<script>alert(1)</script>"));
        // A line break typed into a name never makes a second header line.
        let w = Letter::ReviewDue(ReviewDue {
            tenant: "Acme\r\nBcc: evil@example.com".to_string(),
        })
        .write()
        .unwrap();
        assert_eq!(w.subject, "Access review due in AcmeBcc: evil@example.com");
    }
}
