//! The demo desk's knowledge base: common IT answers, most for every client, some internal, one
//! for a single client.

use crate::model::kb::{ArticleDraft, Visibility};

/// (title, tags, visibility, client code, body)
pub const ARTICLES: &[(&str, &str, Visibility, Option<&str>, &str)] = &[
    (
        "Reset your password or unlock your account",
        "password, account, locked out, sign in",
        Visibility::Clients,
        None,
        "If you are locked out after too many attempts, wait 15 minutes: the lock lifts by itself.\n\n\
         ## Reset it yourself\n\n1. Open the self-service password page from any browser.\n2. Enter your work e-mail and answer your security questions.\n\
         3. Choose a password of at least 12 characters that you have not used before.\n\n\
         Your phone and laptop will ask for the new password within a few minutes.",
    ),
    (
        "VPN token expired or VPN will not connect",
        "vpn, remote access, token, mfa",
        Visibility::Clients,
        None,
        "Most VPN failures come from an expired token or a clock that is off.\n\n\
         1. Check that your computer's date and time are set automatically.\n2. Open the authenticator app and re-sync the VPN token.\n\
         3. Quit the VPN client completely and connect again.\n\n\
         Still failing? Raise a request with the exact error message and the time it happened.",
    ),
    (
        "Printer shows offline or jobs stay in the queue",
        "printer, printing, offline, queue",
        Visibility::Clients,
        None,
        "1. Make sure the printer is on and shows no paper jam.\n2. On your computer, open the print queue and cancel stuck jobs.\n\
         3. Remove the printer and add it again from the list of office printers.\n\n\
         If a whole floor cannot print, raise one request for the printer, not one per person.",
    ),
    (
        "Outlook keeps asking for my password",
        "outlook, email, password prompt, office",
        Visibility::Clients,
        None,
        "This usually follows a password change.\n\n1. Close Outlook.\n2. Open Credential Manager and remove the entries that start with *MicrosoftOffice*.\n\
         3. Start Outlook and sign in once with your new password.",
    ),
    (
        "Wi-Fi keeps dropping in the office",
        "wifi, wireless, network, drops",
        Visibility::Clients,
        None,
        "1. Forget the office network on your device and join it again.\n2. Turn off any personal hotspot nearby.\n\
         3. If only one spot in the office is bad, tell us which room: it may need another access point.",
    ),
    (
        "Request a new laptop or monitor",
        "hardware, laptop, monitor, purchase, budget",
        Visibility::Clients,
        None,
        "New equipment needs your manager's budget approval. Raise a request saying what you need and why; \
         the desk sends a quote to your organization's approver and orders once it is approved.",
    ),
    (
        "Share a mailbox or calendar with a colleague",
        "email, shared mailbox, calendar, permissions",
        Visibility::Clients,
        None,
        "Mailbox and calendar sharing need the owner's consent. Raise a request from the owner's account naming the colleague \
         and the access (read, or read and send).",
    ),
    (
        "Set up multi-factor authentication on a new phone",
        "mfa, authenticator, phone, sign in",
        Visibility::Clients,
        None,
        "Before you wipe the old phone, open the authenticator app and move the accounts to the new phone. \
         If the old phone is already gone, raise a request: the desk verifies who you are and resets your MFA.",
    ),
    (
        "Triage: P1 criteria and who to page",
        "p1, triage, on call, major incident",
        Visibility::Internal,
        None,
        "A ticket is P1 when a whole site or a business-critical system is down, or when data is being lost.\n\n\
         Set P1, then check that the on-call senior was paged (the ticket's timeline says so). \
         Post a public reply within 15 minutes even if it only says what is being done.",
    ),
    (
        "Northwind warehouse scanners: re-pair with the base station",
        "scanner, warehouse, northwind, bluetooth",
        Visibility::Organization,
        Some("NWL"),
        "1. Put the scanner in its cradle for 10 seconds.\n2. Scan the pairing barcode on the base station label.\n\
         3. The scanner beeps twice when paired. If it beeps once, charge it for an hour first.",
    ),
];

pub fn drafts() -> impl Iterator<Item = ArticleDraft> {
    ARTICLES
        .iter()
        .map(|(title, tags, visibility, org, body)| ArticleDraft {
            title: title.to_string(),
            body: body.to_string(),
            tags: tags.to_string(),
            visibility: *visibility,
            org_code: org.map(str::to_string),
            source_ticket: None,
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_demo_article_is_valid() {
        for draft in super::drafts() {
            assert!(draft.validate().is_ok(), "{}", draft.title);
        }
    }
}
