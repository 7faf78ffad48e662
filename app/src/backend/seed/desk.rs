//! The demo desk's organizations with their SLA calendars, its teams and staff, and the client
//! users of each organization.

use super::rng::Rng;
use super::{cast, data};
use super::{DemoLogin, SeedError};
use crate::backend::db::Conn;
use crate::backend::repo::{orgs, sla as sla_repo, teams, users};
use crate::model::sla::{standard_targets, BusinessCalendar, SlaPolicy, WorkingHours};
use crate::model::Role;
use std::collections::{BTreeSet, HashSet};

pub(super) struct ClientUser {
    pub(super) id: i64,
    pub(super) department: &'static str,
    pub(super) location: &'static str,
    pub(super) title: &'static str,
}

pub(super) struct OrgInfo {
    pub(super) id: i64,
    pub(super) clients: Vec<ClientUser>,
    pub(super) teams: Vec<usize>,
    pub(super) weight: u32,
    pub(super) policy: SlaPolicy,
}

pub(super) struct TeamInfo {
    pub(super) id: i64,
    /// analysts by tier: [tier 1, tier 2, tier 3]
    pub(super) tiers: [Vec<i64>; 3],
}

/// Who joins the desk: the named demo logins first, then invented people, each name once.
pub(super) struct People {
    fixed: Vec<DemoLogin>,
    used: HashSet<String>,
    /// The demo password's hash, shared by every account.
    hash: String,
    /// When everyone joined.
    joined: i64,
}

impl People {
    pub(super) fn new(fixed: Vec<DemoLogin>, hash: String, joined: i64) -> People {
        let used = fixed.iter().map(|l| l.name.clone()).collect();
        People {
            fixed,
            used,
            hash,
            joined,
        }
    }

    /// The `n`th named demo login with `role`: (name, e-mail).
    fn fixed(&self, role: Role, n: usize) -> Option<(String, String)> {
        self.fixed
            .iter()
            .filter(|l| l.role == role)
            .nth(n)
            .map(|l| (l.name.clone(), l.email.clone()))
    }

    /// `fixed`, or a new person with an address at `domain`.
    fn or_invent(
        &mut self,
        fixed: Option<(String, String)>,
        rng: &mut Rng,
        domain: &str,
    ) -> (String, String) {
        fixed.unwrap_or_else(|| {
            let name = loop {
                let name = format!(
                    "{} {}",
                    rng.pick(&data::FIRST_NAMES),
                    rng.pick(&data::LAST_NAMES)
                );
                if self.used.insert(name.clone()) {
                    break name;
                }
            };
            let email = format!(
                "{}@{domain}",
                name.to_lowercase().replace(' ', ".").replace('\'', "")
            );
            (name, email)
        })
    }

    /// A member of the service desk's staff.
    async fn insert_staff(
        &self,
        conn: &mut Conn,
        (name, email): &(String, String),
        role: Role,
        team_id: Option<i64>,
        tier: Option<u8>,
        job_title: &str,
    ) -> Result<i64, SeedError> {
        Ok(users::insert(
            conn,
            &users::NewUser {
                email,
                name,
                role,
                org_id: None,
                team_id,
                tier,
                department: Some("Service Desk"),
                location: Some("Operations centre"),
                job_title: Some(job_title),
                phone: None,
                password_hash: &self.hash,
                created_at: self.joined,
            },
        )
        .await?)
    }
}

/// The client organizations with their business hours, holidays and standard SLA targets.
pub(super) async fn organizations(conn: &mut Conn, joined: i64) -> Result<Vec<OrgInfo>, SeedError> {
    let mut org_infos = Vec::new();
    for (name, code, _, tz, start, end, days, size) in data::ORGS {
        let id = orgs::insert(
            &mut *conn,
            &orgs::NewOrg {
                code,
                name,
                time_zone: tz,
                hours_start: start,
                hours_end: end,
                working_days: days,
                created_at: joined,
            },
        )
        .await?;
        let invalid = SeedError::Data;
        let hours = WorkingHours::parse(days, start, end).map_err(invalid)?;
        let targets = standard_targets(hours.day_mins().min(8 * 60));
        for target in &targets {
            sla_repo::set_target(&mut *conn, id, target).await?;
        }
        let mut holidays = BTreeSet::new();
        for (day, name) in data::holidays(tz) {
            sla_repo::add_holiday(&mut *conn, id, day, name).await?;
            holidays.insert(chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default());
        }
        let policy = SlaPolicy {
            targets: targets.to_vec(),
            business: BusinessCalendar {
                tz: crate::model::sla::parse_time_zone(tz).map_err(invalid)?,
                hours,
                holidays,
            },
            warn_percent: 75,
        };
        org_infos.push(OrgInfo {
            id,
            clients: Vec::new(),
            teams: Vec::new(),
            weight: size,
            policy,
        });
    }
    Ok(org_infos)
}

/// The teams, the organizations each serves, and their staff: a lead and six analysts, three on
/// tier 1, two on tier 2 and one on tier 3.
pub(super) async fn teams(
    conn: &mut Conn,
    rng: &mut Rng,
    people: &mut People,
    org_infos: &mut [OrgInfo],
) -> Result<Vec<TeamInfo>, SeedError> {
    let mut team_infos = Vec::new();
    for (t, (team_name, served)) in data::TEAMS.iter().enumerate() {
        let team_id = teams::insert(&mut *conn, team_name, people.joined).await?;
        for code in *served {
            if let Some(pos) = data::ORGS.iter().position(|o| o.1 == *code) {
                teams::serve_org(&mut *conn, team_id, org_infos[pos].id).await?;
                org_infos[pos].teams.push(t);
            }
        }
        let lead = match t {
            0 => people.fixed(Role::Lead, 0),
            _ => None,
        };
        let lead = people.or_invent(lead, rng, data::STAFF_DOMAIN);
        let mut staff = vec![(lead, Role::Lead, None)];
        for (i, tier) in [1u8, 1, 1, 2, 2, 3].into_iter().enumerate() {
            let role = if tier == 1 {
                Role::Analyst
            } else {
                Role::Senior
            };
            let fixed = match (t, i) {
                (0, 0) => people.fixed(Role::Analyst, 0),
                (0, 3) => people.fixed(Role::Senior, 0),
                (1, 0) => people.fixed(Role::Analyst, 1),
                _ => None,
            };
            let person = people.or_invent(fixed, rng, data::STAFF_DOMAIN);
            staff.push((person, role, Some(tier)));
        }
        let mut tiers: [Vec<i64>; 3] = Default::default();
        for (person, role, tier) in staff {
            let title = match (role, tier) {
                (Role::Lead, _) => "Team Lead",
                (_, Some(1)) => "Service Desk Analyst",
                (_, Some(2)) => "Senior Analyst",
                _ => "Infrastructure Specialist",
            };
            let id = people
                .insert_staff(conn, &person, role, Some(team_id), tier, title)
                .await?;
            match tier {
                Some(tier) => tiers[usize::from(tier) - 1].push(id),
                None => teams::set_lead(&mut *conn, team_id, id).await?,
            }
        }
        team_infos.push(TeamInfo { id: team_id, tiers });
    }
    Ok(team_infos)
}

/// The operations manager and the administrator.
pub(super) async fn managers(conn: &mut Conn, people: &People) -> Result<(), SeedError> {
    for role in [Role::Manager, Role::Admin] {
        if let Some(person) = people.fixed(role, 0) {
            let title = if role == Role::Manager {
                "Operations Manager"
            } else {
                "Systems Administrator"
            };
            people
                .insert_staff(conn, &person, role, None, None, title)
                .await?;
        }
    }
    Ok(())
}

/// Each organization's users: an IT coordinator (client admin) and a few more, by its size.
pub(super) async fn clients(
    conn: &mut Conn,
    rng: &mut Rng,
    people: &mut People,
    org_infos: &mut [OrgInfo],
) -> Result<(), SeedError> {
    for (o, (_, code, domain, ..)) in data::ORGS.iter().enumerate() {
        let count = 3 + (data::ORGS[o].7 as usize).min(7);
        for i in 0..count {
            let role = if i == 0 {
                Role::ClientAdmin
            } else {
                Role::Client
            };
            let fixed = match (*code, i) {
                (cast::CLIENT_ORG, 0) => people.fixed(Role::ClientAdmin, 0),
                (cast::CLIENT_ORG, 1) => people.fixed(Role::Client, 0),
                (cast::OTHER_CLIENT_ORG, 1) => people.fixed(Role::Client, 1),
                _ => None,
            };
            let (name, email) = people.or_invent(fixed, rng, domain);
            let department = *rng.pick(&data::DEPARTMENTS);
            let location = *rng.pick(&data::LOCATIONS);
            let title = if i == 0 {
                "IT Coordinator"
            } else {
                *rng.pick(&data::TITLES)
            };
            let phone = format!("+1 555 {:04}", rng.below(10_000));
            let id = users::insert(
                &mut *conn,
                &users::NewUser {
                    email: &email,
                    name: &name,
                    role,
                    org_id: Some(org_infos[o].id),
                    team_id: None,
                    tier: None,
                    department: Some(department),
                    location: Some(location),
                    job_title: Some(title),
                    phone: Some(&phone),
                    password_hash: &people.hash,
                    created_at: people.joined,
                },
            )
            .await?;
            org_infos[o].clients.push(ClientUser {
                id,
                department,
                location,
                title,
            });
        }
    }
    Ok(())
}
