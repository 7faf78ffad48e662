//! The demo desk's fixed data: client firms, teams, names, and the problems people raise.

use super::cast;

/// (name, code, mail domain, time zone, hours start, hours end (minutes), ISO working days, size)
pub type OrgSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
    u32,
);

pub const ORGS: [OrgSpec; 22] = [
    (
        cast::CLIENT_ORG_NAME,
        cast::CLIENT_ORG,
        "northwind.example",
        "America/Chicago",
        480,
        1080,
        "12345",
        10,
    ),
    (
        cast::OTHER_CLIENT_ORG_NAME,
        cast::OTHER_CLIENT_ORG,
        "contoso.example",
        "America/New_York",
        420,
        1140,
        "1234567",
        9,
    ),
    (
        "Fabrikam Manufacturing",
        "FAB",
        "fabrikam.example",
        "America/Detroit",
        360,
        1080,
        "123456",
        8,
    ),
    (
        "Tailspin Travel",
        "TST",
        "tailspin.example",
        "Europe/London",
        540,
        1050,
        "12345",
        6,
    ),
    (
        "Wingtip Retail",
        "WTR",
        "wingtip.example",
        "America/Los_Angeles",
        540,
        1260,
        "123456",
        7,
    ),
    (
        "Adventure Works Outdoors",
        "AWO",
        "adventure-works.example",
        "America/Denver",
        510,
        1050,
        "12345",
        5,
    ),
    (
        "Alpine Ski House",
        "ASH",
        "alpineskihouse.example",
        "Europe/Zurich",
        480,
        1020,
        "1234567",
        4,
    ),
    (
        "Blue Yonder Airlines",
        "BYA",
        "blueyonder.example",
        "America/Phoenix",
        0,
        1440,
        "1234567",
        10,
    ),
    (
        "Coho Winery",
        "COH",
        "cohowinery.example",
        "America/Los_Angeles",
        540,
        1020,
        "12345",
        3,
    ),
    (
        "Fourth Coffee",
        "FCF",
        "fourthcoffee.example",
        "America/Toronto",
        420,
        1200,
        "1234567",
        6,
    ),
    (
        "Graphic Design Institute",
        "GDI",
        "graphicdesign.example",
        "Europe/Paris",
        540,
        1080,
        "12345",
        5,
    ),
    (
        "Humongous Insurance",
        "HIN",
        "humongous.example",
        "America/New_York",
        480,
        1080,
        "12345",
        9,
    ),
    (
        "Litware Labs",
        "LWL",
        "litware.example",
        "Europe/Berlin",
        540,
        1080,
        "12345",
        6,
    ),
    (
        "Lucerne Publishing",
        "LUC",
        "lucerne.example",
        "Europe/Amsterdam",
        540,
        1050,
        "12345",
        4,
    ),
    (
        "Margie's Travel",
        "MGT",
        "margiestravel.example",
        "Australia/Sydney",
        510,
        1050,
        "12345",
        5,
    ),
    (
        "Northridge Legal",
        "NRL",
        "northridge.example",
        "Europe/Dublin",
        510,
        1080,
        "12345",
        7,
    ),
    (
        "Proseware Systems",
        "PRS",
        "proseware.example",
        "Asia/Singapore",
        540,
        1080,
        "12345",
        8,
    ),
    (
        "Relecloud Media",
        "RLC",
        "relecloud.example",
        "America/Sao_Paulo",
        540,
        1080,
        "12345",
        6,
    ),
    (
        "Southridge Video",
        "SRV",
        "southridge.example",
        "Asia/Tokyo",
        540,
        1080,
        "12345",
        5,
    ),
    (
        "Trey Research",
        "TRR",
        "treyresearch.example",
        "Europe/Stockholm",
        480,
        1020,
        "12345",
        4,
    ),
    (
        "VanArsdel Foods",
        "VAF",
        "vanarsdel.example",
        "Asia/Kolkata",
        570,
        1110,
        "123456",
        7,
    ),
    (
        "Woodgrove Bank",
        "WGB",
        "woodgrove.example",
        "America/New_York",
        0,
        1440,
        "1234567",
        10,
    ),
];

/// Teams and the organizations (by code) each serves. Woodgrove Bank runs around the clock and is
/// served by two teams.
pub const TEAMS: [(&str, &[&str]); 4] = [
    (
        cast::TEAM,
        &[
            cast::CLIENT_ORG,
            cast::OTHER_CLIENT_ORG,
            "FAB",
            "TST",
            "WTR",
            "AWO",
        ],
    ),
    (
        cast::OTHER_TEAM,
        &["ASH", "BYA", "COH", "FCF", "GDI", "HIN"],
    ),
    ("Cedar", &["LWL", "LUC", "MGT", "NRL", "PRS", "WGB"]),
    ("Delta", &["RLC", "SRV", "TRR", "VAF", "WGB"]),
];

pub const STAFF_DOMAIN: &str = "frontline.example";

pub const FIRST_NAMES: [&str; 48] = [
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Nikos", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wei", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri", "Esther", "Felix",
    "Gita", "Henrik", "Ivy", "Jamal", "Kira", "Lars", "Mina", "Noor", "Oscar", "Priya", "Rahul",
    "Sofia", "Tomas", "Uma", "Viktor", "Wanda",
];

pub const LAST_NAMES: [&str; 40] = [
    "Adler",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Uddin",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Alvarez",
    "Brennan",
    "Cho",
    "Diaz",
    "Engel",
    "Frost",
    "Gupta",
    "Holm",
    "Ibrahim",
    "Jovanovic",
    "Khan",
    "Lindqvist",
    "Mendes",
    "Novak",
];

pub const DEPARTMENTS: [&str; 10] = [
    "Finance",
    "Operations",
    "Sales",
    "Marketing",
    "HR",
    "Legal",
    "Engineering",
    "Customer Service",
    "Logistics",
    "Executive Office",
];

pub const TITLES: [&str; 12] = [
    "Accountant",
    "Operations Manager",
    "Account Executive",
    "Marketing Specialist",
    "HR Advisor",
    "Paralegal",
    "Software Engineer",
    "Support Agent",
    "Dispatcher",
    "Executive Assistant",
    "Office Manager",
    "Analyst",
];

pub const LOCATIONS: [&str; 8] = [
    "Head office, 3rd floor",
    "Head office, 1st floor",
    "Warehouse",
    "Branch office",
    "Remote",
    "Head office, reception",
    "Data room",
    "Field",
];

/// The canned responses analysts start with (placeholders: see model::admin::fill_canned).
pub const CANNED: [(&str, &str); 4] = [
    (
        "Password reset done",
        "Hi {requester},\n\nI have reset your password. You will be asked to choose a new one at your next sign-in.\n\nIf it does not work, reply to {ticket} and we will call you.",
    ),
    (
        "Need more details",
        "Hi {requester},\n\nTo look into this we need a little more: when did it start, what exactly do you see (a screenshot helps), and has anything changed on your computer recently?",
    ),
    (
        "Remote session",
        "Hi {requester},\n\nI would like to connect to your computer to look at this. Please reply with a time today that suits you, and keep the computer switched on.",
    ),
    (
        "Resolved, please confirm",
        "Hi {requester},\n\nThis should be fixed now. If anything still does not work, reply to {ticket} within 7 days and it reopens automatically.",
    ),
];

/// The IT categories the desk starts with, and the default priority each suggests (if any).
pub const CATEGORIES: [(&str, Option<crate::model::Priority>); 10] = [
    ("Hardware", None),
    ("Software", None),
    ("Network", None),
    ("Access & accounts", None),
    ("E-mail", None),
    ("Printing", Some(crate::model::Priority::P3)),
    ("Phones & mobile", None),
    ("Security", Some(crate::model::Priority::P2)),
    (
        "Onboarding & offboarding",
        Some(crate::model::Priority::Ops),
    ),
    ("Other", None),
];

/// (category index, first line, more detail, a resolution note)
pub const PROBLEMS: [(usize, &str, &str, &str); 32] = [
    (
        0,
        "Laptop will not power on",
        "It was fine yesterday; the charging light stays off even when plugged in.",
        "Replaced the faulty power adapter; the laptop boots and charges normally.",
    ),
    (
        0,
        "Second monitor not detected",
        "The docking station shows only one screen since this morning.",
        "Updated the dock firmware and reseated the DisplayPort cable.",
    ),
    (
        0,
        "Keyboard keys sticking",
        "Several keys on my laptop keyboard stick or repeat.",
        "Swapped the keyboard under warranty.",
    ),
    (
        0,
        "Docking station keeps disconnecting",
        "USB devices drop out every few minutes.",
        "Replaced the dock power supply and updated drivers.",
    ),
    (
        1,
        "Excel crashes when opening large files",
        "Any workbook over about 20 MB closes Excel without a message.",
        "Repaired the Office install and switched to the 64-bit build.",
    ),
    (
        1,
        "Request to install Adobe Acrobat Pro",
        "I need to edit and sign PDF contracts.",
        "Licence assigned and Acrobat Pro deployed through software center.",
    ),
    (
        1,
        "Accounting software shows a licence error",
        "The finance app says our licence has expired.",
        "Renewed licence key applied on the licence server.",
    ),
    (
        1,
        "Teams meetings have no audio",
        "Others cannot hear me although my headset works elsewhere.",
        "Reset Teams device settings and updated the headset driver.",
    ),
    (
        2,
        "VPN disconnects every few minutes",
        "Working from home, the VPN drops and reconnects all day.",
        "Moved the user to the new VPN profile with a lower MTU.",
    ),
    (
        2,
        "Wi-Fi very slow in the meeting rooms",
        "Video calls freeze in rooms 3A and 3B.",
        "Replaced the access point on the third floor and rebalanced channels.",
    ),
    (
        2,
        "Cannot reach the file server",
        "The S: drive shows as disconnected on my PC.",
        "Re-mapped the share after the DNS record was corrected.",
    ),
    (
        2,
        "Branch office internet down",
        "Nobody at the branch can get online since 8am.",
        "ISP fixed a line fault; confirmed the branch is back online.",
    ),
    (
        3,
        "Password reset needed",
        "I am locked out after too many attempts.",
        "Unlocked the account and guided the user through a self-service reset.",
    ),
    (
        3,
        "New starter needs accounts",
        "A new colleague joins on Monday and needs e-mail and system access.",
        "Created accounts, licences and group memberships per the onboarding checklist.",
    ),
    (
        3,
        "Access to the shared finance folder",
        "I need read access to Finance > Reports.",
        "Added to the Finance-Reports-Read group after manager approval.",
    ),
    (
        3,
        "MFA prompt not arriving",
        "The authenticator app never shows the sign-in prompt.",
        "Re-registered the authenticator and cleared the stale device.",
    ),
    (
        4,
        "Mailbox is full",
        "I cannot send e-mail because my mailbox is over quota.",
        "Enabled the online archive and moved old mail.",
    ),
    (
        4,
        "Emails to a client bounce",
        "Messages to one customer domain come back undelivered.",
        "Their SPF record had changed; added them to the allowed senders and retried.",
    ),
    (
        4,
        "Shared mailbox missing in Outlook",
        "The support@ mailbox disappeared from my Outlook.",
        "Re-granted full access and re-added the mailbox.",
    ),
    (
        4,
        "Suspicious e-mail received",
        "I got an e-mail asking me to confirm my password; I did not click.",
        "Confirmed phishing; blocked the sender and purged the message from all mailboxes.",
    ),
    (
        5,
        "Printer jams on every job",
        "The 2nd floor printer jams on the first page every time.",
        "Replaced the worn pickup roller.",
    ),
    (
        5,
        "Cannot print to the warehouse printer",
        "Jobs sit in the queue and never print.",
        "Restarted the print spooler and reinstalled the driver.",
    ),
    (
        5,
        "Scanner sends to e-mail no longer works",
        "Scan to e-mail fails with an authentication error.",
        "Updated the scanner's SMTP credentials after the password rotation.",
    ),
    (
        6,
        "New mobile phone setup",
        "I received a new company phone and need e-mail on it.",
        "Enrolled the phone in device management and set up mail.",
    ),
    (
        6,
        "Desk phone has no dial tone",
        "My desk phone shows 'no service'.",
        "Replaced the patch cable and re-provisioned the handset.",
    ),
    (
        6,
        "Lost company phone",
        "I left my phone in a taxi last night.",
        "Remote-wiped the device and ordered a replacement.",
    ),
    (
        7,
        "Antivirus alert on my laptop",
        "A pop-up says a threat was quarantined.",
        "Full scan clean; the quarantined file was a browser download, removed.",
    ),
    (
        7,
        "Possible compromised account",
        "I see sign-ins from a country I have never been to.",
        "Reset credentials, revoked sessions and enforced MFA; no data accessed.",
    ),
    (
        8,
        "Leaver: remove access for a departing employee",
        "Our colleague leaves on Friday; please disable their access.",
        "Disabled accounts, transferred mailbox to the manager and collected devices.",
    ),
    (
        8,
        "Set up workstation for new hire",
        "New analyst starts next week at the branch.",
        "Imaged and delivered the workstation with standard software.",
    ),
    (
        9,
        "Conference room display not working",
        "The TV in the boardroom shows 'no signal'.",
        "Replaced the HDMI switch in the boardroom.",
    ),
    (
        9,
        "Request for a second monitor",
        "I would like a second screen for my desk.",
        "Approved and delivered a 27-inch monitor.",
    ),
];

pub const REPLIES: [&str; 8] = [
    "Thanks for reporting this. I'm looking into it now.",
    "Could you tell me when this first started, and whether colleagues are affected too?",
    "I've made a change on our side. Could you try again and let me know?",
    "We've ordered the part; it should arrive within two business days.",
    "I'll call you in a few minutes to go through this together.",
    "We're waiting on the vendor to confirm. I'll update you as soon as I hear back.",
    "This needs a quick approval from your manager before we can proceed.",
    "Thanks, that helps. I'm escalating this to our infrastructure specialists.",
];

pub const NOTES: [&str; 6] = [
    "Checked the logs: same error as last week's ticket for this client.",
    "Vendor case opened, reference VC-22817.",
    "User prefers a phone call after 2pm local time.",
    "Likely related to the change window on Saturday.",
    "Needs a senior to look at the firewall rule set.",
    "Spare unit available in the stock room.",
];

/// Public holidays the demo organizations close on (local dates), by time zone region.
pub fn holidays(tz: &str) -> Vec<(&'static str, &'static str)> {
    let mut days = vec![
        ("2026-12-25", "Christmas Day"),
        ("2027-01-01", "New Year's Day"),
    ];
    if tz.starts_with("America/") && !tz.contains("Sao_Paulo") && !tz.contains("Toronto") {
        days.push(("2026-11-26", "Thanksgiving"));
    }
    if tz.starts_with("Europe/") {
        days.push(("2026-12-26", "Boxing Day / St Stephen's Day"));
    }
    days
}
