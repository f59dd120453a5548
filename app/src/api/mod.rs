//! Server functions, one file per feature (the wire types live in the domain).
//! Each server function is thin: read the actor from the session, parse input,
//! call a backend service, map the result to a DTO.

pub mod account;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod diagnostics;
pub mod groups;
pub mod members;
pub mod requests;
pub mod reviews;
pub mod templates;
pub mod tenant;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub(crate) mod server_ctx;

/// Server functions anonymous visitors may call; every other one requires a live
/// session (checked by the server's middleware and again inside each function).
pub const ANONYMOUS_ENDPOINTS: &[&str] = &[
    "/api/sign_in",
    "/api/get_invite",
    "/api/accept_invite",
    "/api/request_password_reset",
    "/api/get_password_reset",
    "/api/complete_password_reset",
    "/api/verify_sign_in_code",
    "/api/begin_required_two_factor",
    "/api/confirm_required_two_factor",
];

/// What calling a server function attempts, in words: how the audit log names a
/// refused attempt (the endpoint's name is internal and never shown).
pub fn describe_endpoint(path: &str) -> &'static str {
    match path.trim_start_matches("/api/") {
        "list_members" => "see the people of this tenant",
        "invite_member" => "invite someone",
        "resend_invite" => "resend an invitation",
        "cancel_invite" => "cancel an invitation",
        "list_feature_flags" => "see the feature flags",
        "set_feature_flag" => "change a feature flag",
        "create_sandbox" => "create a sandbox",
        "list_groups" => "see the groups",
        "list_api_keys" => "see the API keys",
        "create_api_key" | "revoke_api_key" => "create or revoke an API key",
        "list_check_decisions" => "read the check API's decisions",
        "list_webhooks" | "webhook_deliveries" => "see the webhooks",
        "create_webhook" | "rotate_webhook_secret" | "delete_webhook" | "send_test_webhook" => {
            "change the webhooks"
        }
        "set_decision_retention" => "change how long check decisions are kept",
        "create_group" | "delete_group" => "create or delete a group",
        "add_group_member" | "remove_group_member" => "change a group's members",
        "set_group_template" => "change a group's role templates",
        "update_member" => "change a member",
        "delete_member" => "remove a member",
        "get_member_access" => "see a member's access",
        "unlock_member" => "unlock a member's sign-in",
        "list_role_templates" | "role_template_references" => "see the role templates",
        "save_role_template" => "save a role template",
        "delete_role_template" => "delete a role template",
        "list_audit_events" => "read the audit log",
        "get_tenant_overview" => "see the tenant settings",
        "set_require_admin_two_factor" | "set_sign_in_group" => {
            "change the tenant's sign-in security"
        }
        "switch_tenant" => "switch tenant",
        "run_diagnostics" | "who_can" => "run access diagnostics",
        "list_access_requests" => "see the access requests",
        "approve_access_request" | "decline_access_request" => "decide an access request",
        "apply_diagnostic_fix" => "apply a fix from diagnostics",
        _ => "do something they may not",
    }
}
