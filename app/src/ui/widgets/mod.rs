//! Generic pieces of UI shared by every feature: dialogs, form messages, toasts,
//! loading and error states. Feature components live in their feature's folder.

mod dialog;
mod form;
mod menu;
mod page;
mod time;
mod toast;

pub use dialog::{open_dialog_for, Dialog, DialogFooter};
pub use form::{error_of, invalid_attr, navigating_action, FieldMessage, FormAlert};
pub use menu::{close_on_escape, close_parent_menu, RowMenu};
pub use page::{
    encode_component, filtered_href, hard_navigate, loading, mark_hydrated, AuthCard, ErrorPage,
    KindBadge, ShownOnce, TokenPage,
};
pub use time::{ServerClock, When, WhenOr};
pub use toast::{toast_on_success, use_toasts, ToastRegion, Toasts};
