//! Server functions, one file per feature (the wire types live in the domain).
//! Each server function is thin: read the actor from the session, parse input,
//! call a backend service, map the result to a DTO.

pub mod account;
pub mod audit;
pub mod auth;
pub mod members;
pub mod templates;
pub mod tenant;

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
