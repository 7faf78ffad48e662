//! `seed-demo`: builds, deterministically, the desk of a managed service provider: 22 client firms,
//! 4 teams with leads, 24 analysts across three tiers, an ops manager, an administrator, client
//! users with their departments, and months of tickets with realistic timelines.
//!
//! Ticket volume scales (`--tickets N`) for benchmarks: tickets and timelines are generated in
//! batches and written with multi-row inserts, one transaction per batch.

mod articles;
pub mod cast;
mod data;

use super::db::Pool;
use super::password;
use super::repo::tickets::{EventRecord, SlaColumns, TicketRecord};
use super::repo::{desk, kb, orgs, reports, sla as sla_repo, teams, tickets, users};
use crate::model::sla::{standard_targets, BusinessCalendar, ClockState, SlaPolicy, WorkingHours};
use crate::model::time::{DAY, HOUR, MINUTE};
use crate::model::{Channel, EventKind, PendingReason, Priority, Role, Status, Urgency};
pub use cast::{DEMO_PASSWORD, DEMO_SECOND_FACTOR};

pub const DEFAULT_TICKETS: usize = 5_000;
const HISTORY_DAYS: i64 = 90;
const BATCH: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "this database already has users and is not a demo desk; refusing to add demo accounts \
         with a published password"
    )]
    NotADemoDesk,
    #[error("could not hash the demo password: {0}")]
    Hash(String),
    #[error("the demo data is inconsistent: {0}")]
    Data(String),
    #[error("could not build the report rollups: {0}")]
    Rollups(String),
}

/// A demo login printed after seeding and listed in the README.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub name: String,
    pub email: String,
    pub note: String,
}

#[derive(Debug)]
pub struct SeedReport {
    /// False when the database already held the demo desk and nothing was written.
    pub seeded: bool,
    pub tickets: usize,
    pub logins: Vec<DemoLogin>,
}

/// The named demo logins: one per role, plus a colleague on another team and a client of another firm.
pub fn demo_logins() -> Vec<DemoLogin> {
    let login = |role, name: &str, email: &str, note: &str| DemoLogin {
        role,
        name: name.into(),
        email: email.into(),
        note: note.into(),
    };
    vec![
        login(
            Role::Manager,
            cast::MANAGER_NAME,
            cast::MANAGER,
            "ops manager, all clients",
        ),
        login(
            Role::Lead,
            cast::LEAD_NAME,
            cast::LEAD,
            "lead of team Atlas",
        ),
        login(
            Role::Analyst,
            cast::ANALYST_NAME,
            cast::ANALYST,
            "tier 1, team Atlas",
        ),
        login(
            Role::Senior,
            cast::SENIOR_NAME,
            cast::SENIOR,
            "tier 2, team Atlas",
        ),
        login(
            Role::Analyst,
            cast::OTHER_ANALYST_NAME,
            cast::OTHER_ANALYST,
            "tier 1, team Borealis",
        ),
        login(
            Role::Admin,
            cast::ADMIN_NAME,
            cast::ADMIN,
            "desk configuration and users; two-step sign-in",
        ),
        login(
            Role::ClientAdmin,
            cast::CLIENT_ADMIN_NAME,
            cast::CLIENT_ADMIN,
            "client admin, Northwind Logistics",
        ),
        login(
            Role::Client,
            cast::CLIENT_NAME,
            cast::CLIENT,
            "client, Northwind Logistics",
        ),
        login(
            Role::Client,
            cast::OTHER_CLIENT_NAME,
            cast::OTHER_CLIENT,
            "client, Contoso Health",
        ),
    ]
}

/// SplitMix64: small, fast and deterministic, so the demo desk is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct ClientUser {
    id: i64,
    department: &'static str,
    location: &'static str,
    title: &'static str,
}

struct OrgInfo {
    id: i64,
    clients: Vec<ClientUser>,
    teams: Vec<usize>,
    weight: u32,
    policy: SlaPolicy,
}

struct TeamInfo {
    id: i64,
    /// analysts by tier: [tier 1, tier 2, tier 3]
    tiers: [Vec<i64>; 3],
}

/// The demo administrator signs in with a code (administrators must): from an authenticator
/// app given [`DEMO_SECOND_FACTOR`], printed with the demo logins.
async fn enrol_demo_admin(conn: &mut sqlx::SqliteConnection, now: i64) -> Result<(), SeedError> {
    let admin = users::find_login(&mut *conn, cast::ADMIN)
        .await?
        .ok_or(SeedError::Data("the demo administrator is missing".into()))?;
    super::repo::second_factors::confirm(&mut *conn, admin.id, DEMO_SECOND_FACTOR, 0, now).await?;
    Ok(())
}

pub async fn seed_demo(
    pool: &Pool,
    now: i64,
    ticket_count: usize,
) -> Result<SeedReport, SeedError> {
    if users::count(pool).await? > 0 {
        return if desk::setting(pool, "demo").await?.as_deref() == Some("true") {
            let mut conn = pool.acquire().await?;
            Ok(SeedReport {
                seeded: false,
                tickets: tickets::count(&mut conn).await? as usize,
                logins: demo_logins(),
            })
        } else {
            Err(SeedError::NotADemoDesk)
        };
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await
        .map_err(|e| SeedError::Hash(e.to_string()))?
        .map_err(|e| SeedError::Hash(e.to_string()))?;

    let mut rng = Rng(0x5EED_F00D);
    let mut tx = pool.begin().await?;
    desk::set_setting(&mut *tx, "demo", "true").await?;
    let mut category_ids = Vec::new();
    for (name, priority) in data::CATEGORIES {
        category_ids.push(super::repo::categories::insert(&mut *tx, name, priority).await?);
    }
    for (title, body) in data::CANNED {
        super::repo::canned::insert(&mut *tx, title, body, true, now).await?;
    }

    let joined = now - (HISTORY_DAYS + 30) * DAY;
    let mut org_infos = Vec::new();
    for (name, code, _, tz, start, end, days, size) in data::ORGS {
        let id = orgs::insert(
            &mut *tx,
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
            sla_repo::set_target(&mut *tx, id, target).await?;
        }
        let mut holidays = std::collections::BTreeSet::new();
        for (day, name) in data::holidays(tz) {
            sla_repo::add_holiday(&mut *tx, id, day, name).await?;
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

    let fixed = demo_logins();
    let fixed_email = |role: Role, n: usize| {
        fixed
            .iter()
            .filter(|l| l.role == role)
            .nth(n)
            .map(|l| (l.name.clone(), l.email.clone()))
    };
    let mut used_names = std::collections::HashSet::new();
    for l in &fixed {
        used_names.insert(l.name.clone());
    }
    let mut person = |rng: &mut Rng| loop {
        let name = format!(
            "{} {}",
            rng.pick(&data::FIRST_NAMES),
            rng.pick(&data::LAST_NAMES)
        );
        if used_names.insert(name.clone()) {
            return name;
        }
    };
    let email_of = |name: &str, domain: &str| {
        format!(
            "{}@{domain}",
            name.to_lowercase().replace(' ', ".").replace('\'', "")
        )
    };

    let new_user = |email: String, name: String, role: Role| (email, name, role);
    let mut team_infos = Vec::new();
    for (t, (team_name, served)) in data::TEAMS.iter().enumerate() {
        let team_id = teams::insert(&mut *tx, team_name, joined).await?;
        for code in *served {
            if let Some(pos) = data::ORGS.iter().position(|o| o.1 == *code) {
                teams::serve_org(&mut *tx, team_id, org_infos[pos].id).await?;
                org_infos[pos].teams.push(t);
            }
        }
        // the lead, then six analysts: three on tier 1, two on tier 2, one on tier 3
        let (lead_name, lead_email) = match (t, fixed_email(Role::Lead, 0)) {
            (0, Some(fixed)) => fixed,
            _ => {
                let n = person(&mut rng);
                let e = email_of(&n, data::STAFF_DOMAIN);
                (n, e)
            }
        };
        let mut staff = vec![(new_user(lead_email, lead_name, Role::Lead), None)];
        for (i, tier) in [1u8, 1, 1, 2, 2, 3].into_iter().enumerate() {
            let role = if tier == 1 {
                Role::Analyst
            } else {
                Role::Senior
            };
            let fixed = match (t, i) {
                (0, 0) => fixed_email(Role::Analyst, 0),
                (0, 3) => fixed_email(Role::Senior, 0),
                (1, 0) => fixed_email(Role::Analyst, 1),
                _ => None,
            };
            let (name, email) = fixed.unwrap_or_else(|| {
                let n = person(&mut rng);
                let e = email_of(&n, data::STAFF_DOMAIN);
                (n, e)
            });
            staff.push((new_user(email, name, role), Some(tier)));
        }
        let mut tiers: [Vec<i64>; 3] = Default::default();
        for ((email, name, role), tier) in staff {
            let id = users::insert(
                &mut *tx,
                &users::NewUser {
                    email: &email,
                    name: &name,
                    role,
                    org_id: None,
                    team_id: Some(team_id),
                    tier,
                    department: Some("Service Desk"),
                    location: Some("Operations centre"),
                    job_title: Some(match (role, tier) {
                        (Role::Lead, _) => "Team Lead",
                        (_, Some(1)) => "Service Desk Analyst",
                        (_, Some(2)) => "Senior Analyst",
                        _ => "Infrastructure Specialist",
                    }),
                    phone: None,
                    password_hash: &hash,
                    created_at: joined,
                },
            )
            .await?;
            match tier {
                Some(tier) => tiers[usize::from(tier) - 1].push(id),
                None => teams::set_lead(&mut *tx, team_id, id).await?,
            }
        }
        team_infos.push(TeamInfo { id: team_id, tiers });
    }

    for role in [Role::Manager, Role::Admin] {
        if let Some((name, email)) = fixed_email(role, 0) {
            users::insert(
                &mut *tx,
                &users::NewUser {
                    email: &email,
                    name: &name,
                    role,
                    org_id: None,
                    team_id: None,
                    tier: None,
                    department: Some("Service Desk"),
                    location: Some("Operations centre"),
                    job_title: Some(if role == Role::Manager {
                        "Operations Manager"
                    } else {
                        "Systems Administrator"
                    }),
                    phone: None,
                    password_hash: &hash,
                    created_at: joined,
                },
            )
            .await?;
        }
    }

    for (o, (_, code, domain, ..)) in data::ORGS.iter().enumerate() {
        let count = 3 + (data::ORGS[o].7 as usize).min(7);
        for i in 0..count {
            let role = if i == 0 {
                Role::ClientAdmin
            } else {
                Role::Client
            };
            let fixed = match (*code, i) {
                (cast::CLIENT_ORG, 0) => fixed_email(Role::ClientAdmin, 0),
                (cast::CLIENT_ORG, 1) => fixed_email(Role::Client, 0),
                (cast::OTHER_CLIENT_ORG, 1) => fixed_email(Role::Client, 1),
                _ => None,
            };
            let (name, email) = fixed.unwrap_or_else(|| {
                let n = person(&mut rng);
                let e = email_of(&n, domain);
                (n, e)
            });
            let department = *rng.pick(&data::DEPARTMENTS);
            let location = *rng.pick(&data::LOCATIONS);
            let title = if i == 0 {
                "IT Coordinator"
            } else {
                *rng.pick(&data::TITLES)
            };
            let phone = format!("+1 555 {:04}", rng.below(10_000));
            let id = users::insert(
                &mut *tx,
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
                    password_hash: &hash,
                    created_at: joined,
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
    seed_articles(&mut tx, joined).await?;
    enrol_demo_admin(&mut tx, joined).await?;
    tx.commit().await?;

    let total_weight: u32 = org_infos.iter().map(|o| o.weight).sum();
    let first_number = {
        let mut conn = pool.acquire().await?;
        desk::counter(&mut *conn, "ticket_number").await?
    };
    let mut written = 0usize;
    while written < ticket_count {
        let n = BATCH.min(ticket_count - written);
        let mut batch = Vec::with_capacity(n);
        let mut events = Vec::with_capacity(n * 6);
        for i in written..written + n {
            // spread creation times evenly over the history, newest last, with jitter
            let span = HISTORY_DAYS * DAY;
            let base = now - span + (span as i128 * i as i128 / ticket_count.max(1) as i128) as i64;
            let created = (base + rng.range(0, 2 * HOUR)).min(now - MINUTE);
            let mut pick = rng.below(u64::from(total_weight)) as u32;
            let org = org_infos
                .iter()
                .find(|o| {
                    if pick < o.weight {
                        true
                    } else {
                        pick -= o.weight;
                        false
                    }
                })
                .unwrap_or(&org_infos[0]);
            let team = &team_infos[*rng.pick(&org.teams)];
            let (ticket, mut timeline) = generate_ticket(
                &mut rng,
                (i + 1) as i64,
                first_number + 1 + i as i64,
                created,
                now,
                org,
                team,
                &category_ids,
            );
            batch.push(ticket);
            events.append(&mut timeline);
        }
        let mut tx = pool.begin().await?;
        tickets::bulk_insert(&mut tx, &batch).await?;
        reports::mark_days(&mut tx, &report_days(&batch)).await?;
        tickets::bulk_insert_events(&mut tx, &events).await?;
        tx.commit().await?;
        written += n;
    }
    let mut conn = pool.acquire().await?;
    desk::raise_counter(
        &mut *conn,
        "ticket_number",
        first_number + ticket_count as i64,
    )
    .await?;
    // so that the first report on a fresh demo desk reads ready rollups
    crate::backend::reports::refresh_rollups(pool, None)
        .await
        .map_err(|e| SeedError::Rollups(e.to_string()))?;
    Ok(SeedReport {
        seeded: true,
        tickets: ticket_count,
        logins: demo_logins(),
    })
}

/// One ticket and its timeline, consistent with each other and with `now`.
#[allow(clippy::too_many_arguments)]
fn generate_ticket(
    rng: &mut Rng,
    id: i64,
    number: i64,
    created: i64,
    now: i64,
    org: &OrgInfo,
    team: &TeamInfo,
    category_ids: &[i64],
) -> (TicketRecord, Vec<EventRecord>) {
    let requester = &org.clients[rng.below(org.clients.len() as u64) as usize];
    let (cat, first_line, detail, resolution) = *rng.pick(&data::PROBLEMS);
    let urgency = if rng.chance(25) {
        Urgency::Urgent
    } else {
        Urgency::NotUrgent
    };
    let priority = match rng.below(100) {
        0..=2 => Priority::P1,
        3..=7 => Priority::Ops,
        _ => Priority::default_for(urgency),
    };
    let channel = match rng.below(100) {
        0..=54 => Channel::Web,
        55..=79 => Channel::Email,
        80..=96 => Channel::Phone,
        _ => Channel::Api,
    };
    let tier = match rng.below(100) {
        0..=79 => 1,
        80..=94 => 2,
        _ => 3,
    };
    let age = now - created;
    let pending_reason = *rng.pick(PendingReason::ALL);
    let mut status = match (age, rng.below(100)) {
        (a, r) if a < 2 * DAY => match r {
            0..=29 => Status::New,
            30..=69 => Status::Open,
            70..=89 => Status::Pending,
            _ => Status::Resolved,
        },
        (a, r) if a < 14 * DAY => match r {
            0..=14 => Status::Open,
            15..=29 => Status::Pending,
            30..=59 => Status::Resolved,
            _ => Status::Closed,
        },
        (_, r) => match r {
            0 => Status::Open,
            1..=2 => Status::Pending,
            _ => Status::Closed,
        },
    };
    let fcr = channel == Channel::Phone && status != Status::New && rng.chance(40);
    if fcr && !matches!(status, Status::Closed) {
        status = Status::Resolved;
    }
    let assignee = *rng.pick(&team.tiers[tier - 1]);
    let logger = *rng.pick(&team.tiers[0]);
    let created_by = if channel == Channel::Phone {
        logger
    } else {
        requester.id
    };

    let mut t = TicketRecord {
        id,
        number,
        org_id: org.id,
        requester_id: requester.id,
        created_by,
        channel,
        subject: first_line.to_string(),
        problem: format!("{first_line}\n\n{detail}"),
        urgency,
        priority,
        category_id: Some(category_ids[cat]),
        status,
        pending_reason: None,
        requires_budget: false,
        requires_approval: false,
        tier: tier as i64,
        team_id: Some(team.id),
        assignee_id: None,
        ctx_department: Some(requester.department.to_string()),
        ctx_location: Some(requester.location.to_string()),
        ctx_job_title: Some(requester.title.to_string()),
        first_contact_resolution: fcr,
        created_at: created,
        updated_at: created,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        sla: SlaColumns::default(),
        version: 1,
        public_version: 1,
    };
    let mut events = Vec::with_capacity(9);
    let mut push = |t: &mut TicketRecord,
                    at: i64,
                    actor: Option<i64>,
                    kind: EventKind,
                    public: bool,
                    body: Option<String>,
                    data: Option<String>| {
        let at = at.min(now);
        t.updated_at = t.updated_at.max(at);
        t.version += 1;
        events.push(EventRecord {
            ticket_id: t.id,
            at,
            actor_id: actor,
            kind: kind.as_str(),
            public,
            body,
            data,
        });
    };
    t.version = 0;
    push(
        &mut t,
        created,
        Some(created_by),
        EventKind::Created,
        true,
        None,
        Some(format!(r#"{{"channel":"{}"}}"#, channel.as_str())),
    );
    if status == Status::New {
        apply_sla(&mut t, &mut events, &org.policy, None, now);
        return (t, events);
    }

    // claimed (or, for a logged call, owned from the start) and answered
    let tier1_owner = if tier == 1 { assignee } else { logger };
    let claimed = if fcr {
        created
    } else {
        created + rng.range(2 * MINUTE, 3 * HOUR)
    };
    push(
        &mut t,
        claimed,
        Some(tier1_owner),
        EventKind::Claimed,
        true,
        None,
        None,
    );
    t.assignee_id = Some(tier1_owner);
    let replied = claimed + rng.range(MINUTE, 40 * MINUTE);
    if fcr {
        let body = resolution.to_string();
        push(
            &mut t,
            created + 10 * MINUTE,
            Some(logger),
            EventKind::Resolved,
            true,
            Some(body),
            Some(r#"{"first_contact":true}"#.into()),
        );
        t.first_response_at = Some(created + 10 * MINUTE);
        t.resolved_at = Some(created + 10 * MINUTE);
    } else {
        push(
            &mut t,
            replied,
            Some(tier1_owner),
            EventKind::PublicReply,
            true,
            Some(rng.pick(&data::REPLIES).to_string()),
            None,
        );
        t.first_response_at = Some(replied.min(now));
        let mut at = replied;
        if rng.chance(35) {
            at += rng.range(5 * MINUTE, 2 * HOUR);
            push(
                &mut t,
                at,
                Some(tier1_owner),
                EventKind::InternalNote,
                false,
                Some(rng.pick(&data::NOTES).to_string()),
                None,
            );
        }
        if tier > 1 {
            at += rng.range(10 * MINUTE, 6 * HOUR);
            push(
                &mut t,
                at,
                Some(tier1_owner),
                EventKind::Escalated,
                false,
                Some("Needs specialist attention beyond first-line checks.".into()),
                Some(format!(r#"{{"from_tier":1,"to_tier":{tier}}}"#)),
            );
            t.assignee_id = Some(assignee);
            push(
                &mut t,
                at + rng.range(5 * MINUTE, 2 * HOUR),
                Some(assignee),
                EventKind::Claimed,
                true,
                None,
                None,
            );
        }
        if status == Status::Pending {
            at += rng.range(30 * MINUTE, 8 * HOUR);
            t.pending_reason = Some(pending_reason);
            t.requires_budget = pending_reason == PendingReason::Budget;
            t.requires_approval = pending_reason == PendingReason::Approval;
            let owner = t.assignee_id;
            push(
                &mut t,
                at,
                owner,
                EventKind::StatusChanged,
                true,
                None,
                Some(format!(
                    r#"{{"from":"open","to":"pending","reason":"{}"}}"#,
                    pending_reason.as_str()
                )),
            );
        }
        if matches!(status, Status::Resolved | Status::Closed) {
            let resolved = (at + rng.range(HOUR, (age / 3).max(2 * HOUR))).min(now - MINUTE);
            let owner = t.assignee_id;
            push(
                &mut t,
                resolved,
                owner,
                EventKind::Resolved,
                true,
                Some(resolution.to_string()),
                None,
            );
            t.resolved_at = Some(resolved.min(now));
        }
    }
    let paused_at =
        (t.status == Status::Pending && pending_reason.pauses_sla()).then_some(t.updated_at);
    if status == Status::Closed {
        let resolved = t.resolved_at.unwrap_or(created);
        let closed = resolved + rng.range(3 * DAY, 7 * DAY);
        if closed < now {
            push(
                &mut t,
                closed,
                None,
                EventKind::Closed,
                true,
                None,
                Some(r#"{"auto":true}"#.into()),
            );
            t.closed_at = Some(closed);
        } else {
            t.status = Status::Resolved;
        }
    }
    apply_sla(&mut t, &mut events, &org.policy, paused_at, now);
    (t, events)
}

/// Sets the ticket's SLA instants and records the warnings and breaches the SLA engine would have
/// raised by `now`, so that a fresh server does not raise a flood of old alerts.
fn apply_sla(
    t: &mut TicketRecord,
    events: &mut Vec<EventRecord>,
    policy: &SlaPolicy,
    paused_at: Option<i64>,
    now: i64,
) {
    let dues = policy.dues(&ClockState {
        created_at: t.created_at,
        priority: t.priority,
        paused_secs: 0,
    });
    let (next_due, next_warn) = dues.next(t.first_response_at.is_some());
    let responded = t.first_response_at.unwrap_or(now);
    let resolution_stopped = t.resolved_at.or(paused_at).unwrap_or(now);
    t.sla = SlaColumns {
        response_due_at: dues.response_due_at,
        response_warn_at: dues.response_warn_at,
        resolution_due_at: dues.resolution_due_at,
        resolution_warn_at: dues.resolution_warn_at,
        next_due_at: next_due,
        next_warn_at: next_warn,
        paused_at,
        paused_secs: 0,
        response_warned: dues.response_warn_at <= responded,
        response_breached: dues.response_due_at <= responded,
        resolution_warned: dues.resolution_warn_at <= resolution_stopped,
        resolution_breached: dues.resolution_due_at <= resolution_stopped,
        next_alert_at: None,
    };
    crate::backend::sla::refresh_next_alert(t);
    let alerts = [
        (
            t.sla.response_warned,
            dues.response_warn_at,
            EventKind::SlaWarning,
            "response",
        ),
        (
            t.sla.response_breached,
            dues.response_due_at,
            EventKind::SlaBreach,
            "response",
        ),
        (
            t.sla.resolution_warned,
            dues.resolution_warn_at,
            EventKind::SlaWarning,
            "resolution",
        ),
        (
            t.sla.resolution_breached,
            dues.resolution_due_at,
            EventKind::SlaBreach,
            "resolution",
        ),
    ];
    for (raised, at, kind, target) in alerts {
        if raised {
            events.push(EventRecord {
                ticket_id: t.id,
                at,
                actor_id: None,
                kind: kind.as_str(),
                public: false,
                body: None,
                data: Some(format!(r#"{{"target":"{target}"}}"#)),
            });
        }
    }
    events.sort_by_key(|e| e.at);
}

/// The demo knowledge base, written by Ana a while ago.
async fn seed_articles(conn: &mut sqlx::SqliteConnection, at: i64) -> Result<(), SeedError> {
    let author = users::find_login(&mut *conn, cast::ANALYST)
        .await?
        .map(|a| a.id)
        .ok_or(sqlx::Error::RowNotFound)?;
    for (i, draft) in articles::drafts().enumerate() {
        let Ok(valid) = draft.validate() else {
            continue;
        };
        let org_id = match &valid.org_code {
            Some(code) => orgs::find_id_by_code(&mut *conn, code).await?,
            None => None,
        };
        kb::insert(conn, &valid, org_id, author, at + i as i64 * DAY, None).await?;
    }
    Ok(())
}

/// The baseline of the ticket-creation benchmark: `count` tickets written by a plain loop, one
/// transaction each holding the ticket row and its "created" step, copied from the newest
/// ticket. None of the product's checks, SLA work, notifications or live events run. Returns
/// how long the loop took.
pub async fn raw_insert_loop(pool: &Pool, count: usize) -> sqlx::Result<std::time::Duration> {
    let mut conn = pool.acquire().await?;
    let newest = tickets::max_id(&mut conn).await?;
    let Some(template) = tickets::find_by_id(&mut conn, newest).await? else {
        return Err(sqlx::Error::RowNotFound);
    };
    let first = desk::counter(&mut *conn, "ticket_number").await? + 1_000_000;
    let started = std::time::Instant::now();
    for i in 0..count {
        let row = TicketRecord {
            number: first + i as i64,
            ..template.clone()
        };
        let mut tx = pool.begin().await?;
        let id = tickets::insert(&mut tx, &row).await?;
        reports::mark_ticket_days(&mut tx, id).await?;
        let created = EventRecord {
            ticket_id: id,
            at: row.created_at,
            actor_id: Some(row.created_by),
            kind: EventKind::Created.as_str(),
            public: true,
            body: None,
            data: None,
        };
        tickets::insert_event(&mut tx, &created).await?;
        tx.commit().await?;
    }
    Ok(started.elapsed())
}

/// The (organization, day) pairs a batch of tickets counts in for reports: the day each was
/// raised and the day it was resolved.
fn report_days(batch: &[TicketRecord]) -> std::collections::BTreeSet<(i64, i64)> {
    batch
        .iter()
        .flat_map(|t| {
            let raised = Some((t.org_id, t.created_at.div_euclid(DAY)));
            let resolved = t.resolved_at.map(|at| (t.org_id, at.div_euclid(DAY)));
            raised.into_iter().chain(resolved)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_random_stream_is_the_same_on_every_run() {
        let mut a = Rng(42);
        let mut b = Rng(42);
        for _ in 0..100 {
            assert_eq!(a.next(), b.next());
        }
        let mut r = Rng(1);
        for _ in 0..1000 {
            let v = r.range(5, 10);
            assert!((5..10).contains(&v));
        }
    }

    #[test]
    fn generated_tickets_are_consistent_with_their_timelines() {
        let org = OrgInfo {
            id: 1,
            clients: vec![ClientUser {
                id: 10,
                department: "HR",
                location: "Remote",
                title: "Analyst",
            }],
            teams: vec![0],
            weight: 1,
            policy: SlaPolicy {
                targets: standard_targets(480).to_vec(),
                business: BusinessCalendar {
                    tz: chrono_tz::UTC,
                    hours: WorkingHours::parse("12345", 540, 1020).unwrap(),
                    holidays: Default::default(),
                },
                warn_percent: 75,
            },
        };
        let team = TeamInfo {
            id: 1,
            tiers: [vec![20, 21], vec![30], vec![40]],
        };
        let mut rng = Rng(7);
        let now = 1_800_000_000;
        for i in 0..2000 {
            let created = now - (i % 90) * DAY - 600;
            let (t, events) = generate_ticket(
                &mut rng,
                i + 1,
                1001 + i,
                created,
                now,
                &org,
                &team,
                &[1; 10],
            );
            assert_eq!(events.first().map(|e| e.kind), Some("created"));
            assert!(
                events.iter().all(|e| e.at >= created && e.at <= now),
                "event outside ticket life"
            );
            assert_eq!(t.pending_reason.is_some(), t.status == Status::Pending);
            assert_eq!(t.status == Status::New, t.assignee_id.is_none());
            assert_eq!(
                t.resolved_at.is_some(),
                matches!(t.status, Status::Resolved | Status::Closed)
            );
            assert_eq!(t.closed_at.is_some(), t.status == Status::Closed);
            assert!(t.version as usize <= events.len());
            assert!(t.updated_at <= now);
            if t.first_contact_resolution {
                assert_eq!(t.channel, Channel::Phone);
            }
        }
    }
}
