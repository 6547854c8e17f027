//! Who may sign in and what they hold: accounts, sessions, roles, the clinic's wrapped keys,
//! the sign-in throttle and the clinic's own row.

pub mod clinic;
pub mod invitations;
pub mod keys;
pub mod mail_relay;
pub mod network;
pub mod portal_cert;
pub mod roles;
pub mod sessions;
pub mod throttle;
pub mod users;
