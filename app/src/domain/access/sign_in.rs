//! Group-restricted sign-in (seed 003, the environment's security group): a tenant
//! may let only the members of one group sign in. Admins are always let in, so a
//! tenant can never lock out the people who could undo it.

use crate::domain::Role;

/// What a tenant admin reads next to the setting.
pub const ADMINS_ALWAYS: &str = "Admins can always sign in, whether or not they are in the group.";

/// Whether a member with `role` may sign in to a tenant whose sign-in is
/// `restricted` to a group, given whether they are `in_group`.
pub fn admits(role: Role, restricted: bool, in_group: bool) -> bool {
    !restricted || in_group || role == Role::Admin
}

/// Who to ask, in words: up to three admins by name, or "an admin" when none is
/// known to the caller.
fn whom_to_ask(tenant: &str, admins: &[String]) -> String {
    match admins {
        [] => format!("an admin of {tenant}"),
        [one] => format!("{one}, the admin of {tenant},"),
        many => {
            let shown: Vec<&str> = many.iter().take(3).map(String::as_str).collect();
            format!("an admin of {tenant} ({})", shown.join(", "))
        }
    }
}

/// What the person is told after the right password when the tenant keeps them out.
pub fn refusal_for_person(tenant: &str, group: &str, admins: &[String]) -> String {
    format!(
        "Your account isn't allowed to sign in to {tenant}: only members of the group “{group}” can. Ask {} to add you to that group.",
        whom_to_ask(tenant, admins)
    )
}

/// The precise sentence for an admin looking at the same refusal.
pub fn refusal_for_admin(tenant: &str, group: &str) -> String {
    format!(
        "Only members of the group “{group}” can sign in to {tenant}: add them to it in Settings → Groups, or change the sign-in restriction in Tenant settings."
    )
}

/// The preview shown before the restriction is saved.
pub fn would_lose_sentence(group: &str, count: i64) -> String {
    match count {
        0 => format!("Every active member who isn't an admin is in “{group}”: nobody loses sign-in."),
        1 => format!("1 active member isn't in “{group}”: they will lose sign-in, and their open sessions here end when you save."),
        n => format!("{n} active members aren't in “{group}”: they will lose sign-in, and their open sessions here end when you save."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_everyone_when_unrestricted_and_admins_always() {
        for role in Role::ALL.iter().copied() {
            assert!(admits(role, false, false));
            assert!(admits(role, true, true));
        }
        assert!(admits(Role::Admin, true, false));
        assert!(!admits(Role::User, true, false));
    }

    #[test]
    fn the_refusal_names_the_tenant_the_group_and_whom_to_ask() {
        let s = refusal_for_person("Acme", "Support", &["Ada".into()]);
        assert_eq!(s, "Your account isn't allowed to sign in to Acme: only members of the group “Support” can. Ask Ada, the admin of Acme, to add you to that group.");
        let s = refusal_for_person("Acme", "Support", &[]);
        assert!(s.contains("Ask an admin of Acme to add you"), "{s}");
        let many: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let s = refusal_for_person("Acme", "Support", &many);
        assert!(s.contains("(A, B, C)") && !s.contains('D'), "{s}");
    }

    #[test]
    fn the_preview_counts_in_words() {
        assert!(would_lose_sentence("S", 0).contains("nobody loses"));
        assert!(would_lose_sentence("S", 1).starts_with("1 active member isn't"));
        assert!(would_lose_sentence("S", 3).starts_with("3 active members aren't"));
    }
}
