//! Notifications: the outbox (what each change tells whom), delivery over SMTP or to a file sink,
//! and webhook pages.

pub mod mailer;
pub mod outbox;
pub mod settings;
pub mod template;
pub mod ticket_mail;
pub mod worker;

pub use settings::NotifySettings;
