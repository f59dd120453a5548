//! Server functions and the wire types (DTOs) they exchange with the browser.
//! Each server function is thin: read the actor from the session, parse input,
//! call a backend service, map the result to a DTO.

pub mod auth;
pub mod dto;
pub mod tenant;

#[cfg(feature = "ssr")]
pub(crate) mod server_ctx;
