//! The demo desk's named people, the firms and teams they belong to, and the password they share.
//! The seed creates them from these constants and the test suites sign in as them by the same
//! names, so a change here reaches both; `end2end/tests/helpers.ts` repeats them for the browser
//! suite, and the test below fails when the two lists differ.

pub const DEMO_PASSWORD: &str = "frontline-demo";
/// The authenticator secret (base32) of [`ADMIN`], who signs in with a second factor as
/// administrators must. Demo desks only: anyone who reads this can make the codes.
pub const DEMO_SECOND_FACTOR: &str = "FRONTLINEDEMOADMINTOTPSECRETKEY2";

/// The ops manager, who sees every client.
pub const MANAGER: &str = "morgan.reyes@frontline.example";
pub const MANAGER_NAME: &str = "Morgan Reyes";
/// The lead of [`TEAM`].
pub const LEAD: &str = "priya.nair@frontline.example";
pub const LEAD_NAME: &str = "Priya Nair";
/// A tier-1 analyst of [`TEAM`].
pub const ANALYST: &str = "ana.costa@frontline.example";
pub const ANALYST_NAME: &str = "Ana Costa";
/// A tier-2 analyst of [`TEAM`].
pub const SENIOR: &str = "lee.chen@frontline.example";
pub const SENIOR_NAME: &str = "Lee Chen";
/// A tier-1 analyst of [`OTHER_TEAM`], which serves neither client firm below.
pub const OTHER_ANALYST: &str = "ben.adler@frontline.example";
pub const OTHER_ANALYST_NAME: &str = "Ben Adler";
/// The administrator: desk configuration and users.
pub const ADMIN: &str = "sam.okafor@frontline.example";
pub const ADMIN_NAME: &str = "Sam Okafor";
/// The client admin of [`CLIENT_ORG`].
pub const CLIENT_ADMIN: &str = "ines.moreau@northwind.example";
pub const CLIENT_ADMIN_NAME: &str = "Ines Moreau";
/// A client of [`CLIENT_ORG`].
pub const CLIENT: &str = "jo.bauer@northwind.example";
pub const CLIENT_NAME: &str = "Jo Bauer";
/// A client of [`OTHER_CLIENT_ORG`].
pub const OTHER_CLIENT: &str = "kim.tanaka@contoso.example";
pub const OTHER_CLIENT_NAME: &str = "Kim Tanaka";

/// The team of the lead, the analyst and the senior; it serves both client firms below.
pub const TEAM: &str = "Atlas";
/// The other analyst's team.
pub const OTHER_TEAM: &str = "Borealis";

/// The firm (code, name) of the client admin and the client.
pub const CLIENT_ORG: &str = "NWL";
pub const CLIENT_ORG_NAME: &str = "Northwind Logistics";
/// The other client's firm.
pub const OTHER_CLIENT_ORG: &str = "CHC";
pub const OTHER_CLIENT_ORG_NAME: &str = "Contoso Health";

/// The instant the Rust test suites seed their desks at and start their clocks from: Wednesday
/// 18 November 2026, 11:06:40 UTC.
pub const NOW: i64 = 1_795_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// `export const NAME = "value";` in a TypeScript file.
    fn ts_string<'a>(ts: &'a str, name: &str) -> Option<&'a str> {
        let rest = ts.split(&format!("export const {name} = \"")).nth(1)?;
        rest.split('"').next()
    }

    /// The `key: "value"` lines of `export const NAME = { ... }` in a TypeScript file.
    fn ts_object<'a>(ts: &'a str, name: &str) -> BTreeMap<&'a str, &'a str> {
        let Some(rest) = ts.split(&format!("export const {name} = {{")).nth(1) else {
            return BTreeMap::new();
        };
        let body = rest.split('}').next().unwrap_or_default();
        body.lines()
            .filter_map(|line| {
                let (key, value) = line.trim().trim_end_matches(',').split_once(": ")?;
                Some((key, value.strip_prefix('"')?.strip_suffix('"')?))
            })
            .collect()
    }

    #[test]
    fn the_browser_suite_names_the_same_cast() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/tests/helpers.ts");
        let ts = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // (key in helpers.ts, e-mail, name)
        let people = [
            ("manager", MANAGER, MANAGER_NAME),
            ("lead", LEAD, LEAD_NAME),
            ("analyst", ANALYST, ANALYST_NAME),
            ("senior", SENIOR, SENIOR_NAME),
            ("otherAnalyst", OTHER_ANALYST, OTHER_ANALYST_NAME),
            ("admin", ADMIN, ADMIN_NAME),
            ("clientAdmin", CLIENT_ADMIN, CLIENT_ADMIN_NAME),
            ("client", CLIENT, CLIENT_NAME),
            ("otherClient", OTHER_CLIENT, OTHER_CLIENT_NAME),
        ];
        let logins: BTreeMap<_, _> = people.iter().map(|(k, e, _)| (*k, *e)).collect();
        let names: BTreeMap<_, _> = people.iter().map(|(k, _, n)| (*k, *n)).collect();
        assert_eq!(ts_object(&ts, "LOGINS"), logins, "LOGINS in {path}");
        assert_eq!(ts_object(&ts, "NAMES"), names, "NAMES in {path}");
        let firms = [
            ("client", CLIENT_ORG, CLIENT_ORG_NAME),
            ("otherClient", OTHER_CLIENT_ORG, OTHER_CLIENT_ORG_NAME),
        ];
        let codes: BTreeMap<_, _> = firms.iter().map(|(k, c, _)| (*k, *c)).collect();
        let firm_names: BTreeMap<_, _> = firms.iter().map(|(k, _, n)| (*k, *n)).collect();
        assert_eq!(ts_object(&ts, "ORG_CODES"), codes, "ORG_CODES in {path}");
        assert_eq!(
            ts_object(&ts, "ORG_NAMES"),
            firm_names,
            "ORG_NAMES in {path}"
        );
        let teams = BTreeMap::from([("team", TEAM), ("otherTeam", OTHER_TEAM)]);
        assert_eq!(ts_object(&ts, "TEAMS"), teams, "TEAMS in {path}");
        assert_eq!(ts_string(&ts, "DEMO_PASSWORD"), Some(DEMO_PASSWORD));
        assert_eq!(
            ts_string(&ts, "DEMO_SECOND_FACTOR"),
            Some(DEMO_SECOND_FACTOR)
        );
        assert_eq!(
            ts_string(&ts, "STAFF_DOMAIN"),
            Some(super::super::data::STAFF_DOMAIN)
        );
    }
}
