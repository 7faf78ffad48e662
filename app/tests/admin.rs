//! Administration against a real SQLite file: only administrators change the desk's
//! configuration, refusals change nothing, deactivation takes effect on the next request, new
//! calendars drive the SLA of new tickets, password links are single use, CSV imports are all or
//! nothing, and every change leaves an audit row.

#![cfg(feature = "ssr")]

mod support;

use app::backend::{admin, auth, tickets};
use app::model::admin::{
    CannedDraft, CategoryDraft, HolidayDraft, OrgDraft, TeamDraft, UserDraft, UserFilter,
};
use app::model::ticket::NewTicket;
use app::model::{Priority, Role, Urgency};
use support::*;

const NON_ADMINS: [&str; 7] = [
    MANAGER,
    LEAD,
    ANALYST,
    SENIOR,
    CLIENT_ADMIN,
    CLIENT,
    OTHER_CLIENT,
];

fn org_draft(code: &str) -> OrgDraft {
    OrgDraft {
        code: code.into(),
        name: format!("{code} Industries"),
        time_zone: "Asia/Tokyo".into(),
        hours_start: "10:00".into(),
        hours_end: "16:00".into(),
        ..Default::default()
    }
}

fn client_draft(email: &str, org_id: i64) -> UserDraft {
    UserDraft {
        email: email.into(),
        name: "Pat Example".into(),
        role: Role::Client,
        org_id: Some(org_id),
        ..Default::default()
    }
}

/// Row counts of everything administration writes.
async fn fingerprint(d: &Desk) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "organizations",
        "users",
        "teams",
        "team_orgs",
        "sla_targets",
        "org_holidays",
        "categories",
        "canned_responses",
        "password_resets",
        "audit_log",
        "sessions",
    ] {
        out.push(d.scalar(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    out.push(
        d.scalar("SELECT COUNT(*) FROM users WHERE active").await
            + d.scalar("SELECT COUNT(*) FROM organizations WHERE active")
                .await,
    );
    out
}

async fn sign_in(d: &Desk, email: &str, password: &str) -> Result<String, app::model::AppError> {
    session_token(&d.state, email, password, &auth::ClientInfo::default()).await
}

#[tokio::test]
async fn every_admin_function_refuses_every_other_role_and_changes_nothing() {
    let d = desk(0).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let jo = d.user_id(CLIENT).await;
    let before = fingerprint(&d).await;
    for who in NON_ADMINS {
        let a = d.actor(who).await;
        let s = &d.state;
        let statuses = vec![
            admin::choices(s, &a).await.map(|_| ()),
            admin::list_orgs(s, &a).await.map(|_| ()),
            admin::org(s, &a, nwl).await.map(|_| ()),
            admin::create_org(s, &a, &org_draft("ZZZ"))
                .await
                .map(|_| ()),
            admin::update_org(s, &a, nwl, &org_draft(cast::CLIENT_ORG)).await,
            admin::set_org_active(s, &a, nwl, false).await,
            admin::list_users(s, &a, &UserFilter::default())
                .await
                .map(|_| ()),
            admin::user(s, &a, jo).await.map(|_| ()),
            admin::create_user(s, &a, &client_draft("new@nwl.example", nwl))
                .await
                .map(|_| ()),
            admin::update_user(s, &a, jo, &client_draft("jo2@nwl.example", nwl)).await,
            admin::set_user_active(s, &a, jo, false).await,
            admin::password_link(s, &a, jo).await.map(|_| ()),
            admin::preview_import(s, &a, nwl, "email,name\na@nwl.example,A\n")
                .await
                .map(|_| ()),
            admin::import_users(s, &a, nwl, "email,name\na@nwl.example,A\n")
                .await
                .map(|_| ()),
            admin::list_teams(s, &a).await.map(|_| ()),
            admin::team_choices(s, &a).await.map(|_| ()),
            admin::save_team(
                s,
                &a,
                None,
                &TeamDraft {
                    name: "Echo".into(),
                    lead_id: Some(1),
                    ..Default::default()
                },
            )
            .await
            .map(|_| ()),
            admin::list_categories(s, &a).await.map(|_| ()),
            admin::save_category(
                s,
                &a,
                None,
                &CategoryDraft {
                    name: "Drones".into(),
                    default_priority: None,
                    active: true,
                },
            )
            .await
            .map(|_| ()),
            admin::list_canned(s, &a).await.map(|_| ()),
            admin::save_canned(
                s,
                &a,
                None,
                &CannedDraft {
                    title: "Hello".into(),
                    body: "Hi there".into(),
                    active: true,
                },
            )
            .await
            .map(|_| ()),
            admin::audit_page(s, &a, None).await.map(|_| ()),
        ];
        for (i, result) in statuses.into_iter().enumerate() {
            let err = result.expect_err(&format!("{who}: call {i} was allowed"));
            assert_eq!(err.status(), 403, "{who}: call {i}: {err}");
        }
    }
    assert_eq!(fingerprint(&d).await, before);
}

#[tokio::test]
async fn a_new_organizations_calendar_drives_the_sla_of_its_tickets() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let mut draft = org_draft("TKY");
    // 2026-11-26 (Thursday) is a holiday; hours 10:00-16:00 Tokyo, Monday to Friday
    draft.holidays = vec![HolidayDraft {
        day: "2026-11-26".into(),
        name: "Founders' day".into(),
    }];
    let org_id = admin::create_org(&d.state, &sam, &draft).await.unwrap();
    let edit = admin::org(&d.state, &sam, org_id).await.unwrap();
    assert_eq!(edit.draft.code, "TKY");
    assert_eq!(edit.draft.hours_start, "10:00");
    assert_eq!(edit.draft.holidays.len(), 1);
    assert_eq!(edit.draft.targets.len(), 4);

    let link = admin::create_user(&d.state, &sam, &client_draft("pat@tky.example", org_id))
        .await
        .unwrap();
    let token = link.path.trim_start_matches("/reset/").to_string();
    admin::reset_password(&d.state, &token, "a brand new password")
        .await
        .unwrap();
    sign_in(&d, "pat@tky.example", "a brand new password")
        .await
        .unwrap();
    let pat = d.actor("pat@tky.example").await;

    // Wednesday 2026-11-25 15:00 Tokyo (06:00 UTC): one business hour left that day, then the
    // holiday, so the P3 first-response target (4 business hours) falls on Friday 13:00 Tokyo.
    let wednesday_15_tokyo = 1_795_586_400;
    d.clock.set(wednesday_15_tokyo);
    let raised = tickets::raise(
        &d.state,
        &pat,
        &NewTicket {
            urgency: Some(Urgency::NotUrgent),
            problem: "The shared drive is read-only".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (priority, due): (String, i64) =
        app::pool_run!(d.state.pool, c => sqlx::query_as("SELECT priority, response_due_at FROM tickets WHERE number = $1")
            .bind(raised.number.0)
            .fetch_one(c).await)
            .unwrap();
    assert_eq!(priority, Priority::P3.as_str());
    let friday_13_tokyo = wednesday_15_tokyo + 2 * 86_400 - 2 * 3600;
    assert_eq!(due, friday_13_tokyo);
}

#[tokio::test]
async fn unknown_time_zones_duplicate_codes_and_bad_calendars_are_refused() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let before = fingerprint(&d).await;
    let mut bad_zone = org_draft("MARS");
    bad_zone.time_zone = "Mars/Olympus_Mons".into();
    let err = admin::create_org(&d.state, &sam, &bad_zone)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.to_string().contains("time zone"), "{err}");
    let err = admin::create_org(&d.state, &sam, &org_draft(&cast::CLIENT_ORG.to_lowercase()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "codes are unique case-insensitively");
    let mut bad_hours = org_draft("BAD");
    bad_hours.hours_end = "08:00".into();
    assert_eq!(
        admin::create_org(&d.state, &sam, &bad_hours)
            .await
            .unwrap_err()
            .status(),
        422
    );
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let mut edit = admin::org(&d.state, &sam, nwl).await.unwrap().draft;
    edit.time_zone = "Nowhere/Special".into();
    edit.name = "Renamed".into();
    assert_eq!(
        admin::update_org(&d.state, &sam, nwl, &edit)
            .await
            .unwrap_err()
            .status(),
        422
    );
    assert_eq!(fingerprint(&d).await, before);
    assert_eq!(
        admin::org(&d.state, &sam, 999_999)
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn deactivation_takes_effect_on_the_next_request() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    // a user
    let jo_token = sign_in(&d, CLIENT, DEMO_PASSWORD).await.unwrap();
    assert!(auth::resolve_session(&d.state, &jo_token)
        .await
        .unwrap()
        .is_some());
    let jo = d.user_id(CLIENT).await;
    admin::set_user_active(&d.state, &sam, jo, false)
        .await
        .unwrap();
    assert!(auth::resolve_session(&d.state, &jo_token)
        .await
        .unwrap()
        .is_none());
    let err = sign_in(&d, CLIENT, DEMO_PASSWORD).await.unwrap_err();
    assert_eq!(err.status(), 403);
    // never deleted
    assert_eq!(
        d.scalar(&format!("SELECT COUNT(*) FROM users WHERE id = {jo}"))
            .await,
        1
    );

    // an organization: its signed-in users are refused, its tickets stay
    let kim_token = sign_in(&d, OTHER_CLIENT, DEMO_PASSWORD).await.unwrap();
    let kim = d.actor(OTHER_CLIENT).await;
    let raised = tickets::raise(
        &d.state,
        &kim,
        &NewTicket {
            urgency: Some(Urgency::Urgent),
            problem: "Badge reader offline".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chc = kim.org_id.unwrap();
    admin::set_org_active(&d.state, &sam, chc, false)
        .await
        .unwrap();
    assert!(auth::resolve_session(&d.state, &kim_token)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        sign_in(&d, OTHER_CLIENT, DEMO_PASSWORD)
            .await
            .unwrap_err()
            .status(),
        403
    );
    assert_eq!(
        d.scalar(&format!(
            "SELECT COUNT(*) FROM tickets WHERE number = {}",
            raised.number.0
        ))
        .await,
        1
    );
    // reactivated, they are back
    admin::set_org_active(&d.state, &sam, chc, true)
        .await
        .unwrap();
    sign_in(&d, OTHER_CLIENT, DEMO_PASSWORD).await.unwrap();
    // an administrator cannot lock themselves out
    assert_eq!(
        admin::set_user_active(&d.state, &sam, sam.id, false)
            .await
            .unwrap_err()
            .status(),
        409
    );
}

#[tokio::test]
async fn duplicate_emails_are_refused_case_insensitively() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let before = fingerprint(&d).await;
    let err = admin::create_user(
        &d.state,
        &sam,
        &client_draft(&format!("  {}", CLIENT.to_uppercase()), nwl),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status(), 409);
    assert!(err.to_string().contains("already exists"));
    let ines = d.user_id(CLIENT_ADMIN).await;
    let mut edit = admin::user(&d.state, &sam, ines).await.unwrap().draft;
    let (local, domain) = CLIENT.split_once('@').unwrap();
    edit.email = format!("{}@{domain}", local.to_uppercase());
    assert_eq!(
        admin::update_user(&d.state, &sam, ines, &edit)
            .await
            .unwrap_err()
            .status(),
        409
    );
    // a client without an organization, a staff member with one
    let mut no_org = client_draft("new@nwl.example", nwl);
    no_org.org_id = None;
    assert_eq!(
        admin::create_user(&d.state, &sam, &no_org)
            .await
            .unwrap_err()
            .status(),
        422
    );
    assert_eq!(fingerprint(&d).await, before);
}

#[tokio::test]
async fn users_are_edited_and_links_are_single_use() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let ana = d.user_id(ANALYST).await;
    let borealis = d.team_id(cast::OTHER_TEAM).await;
    let mut edit = admin::user(&d.state, &sam, ana).await.unwrap().draft;
    edit.role = Role::Senior;
    edit.tier = Some(2);
    edit.team_id = Some(borealis);
    admin::update_user(&d.state, &sam, ana, &edit)
        .await
        .unwrap();
    let now = d.actor(ANALYST).await;
    assert_eq!(
        (now.role, now.tier, now.team_id),
        (Role::Senior, Some(2), Some(borealis))
    );
    // a lead cannot be demoted while leading a team
    let priya = d.user_id(LEAD).await;
    let mut lead = admin::user(&d.state, &sam, priya).await.unwrap().draft;
    lead.role = Role::Analyst;
    lead.tier = Some(1);
    assert_eq!(
        admin::update_user(&d.state, &sam, priya, &lead)
            .await
            .unwrap_err()
            .status(),
        409
    );

    let first = admin::password_link(&d.state, &sam, ana).await.unwrap();
    let second = admin::password_link(&d.state, &sam, ana).await.unwrap();
    let t1 = first.path.trim_start_matches("/reset/");
    let t2 = second.path.trim_start_matches("/reset/");
    // the token itself is never stored
    assert_eq!(
        d.scalar(&format!(
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = '{t2}'"
        ))
        .await,
        0
    );
    assert_eq!(
        admin::reset_info(&d.state, t1).await.unwrap_err().status(),
        404,
        "a newer link replaces an older one"
    );
    assert_eq!(
        admin::reset_password(&d.state, t2, "short")
            .await
            .unwrap_err()
            .status(),
        422
    );
    assert_eq!(
        admin::reset_info(&d.state, t2).await.unwrap().email,
        ANALYST
    );
    admin::reset_password(&d.state, t2, "correct horse battery")
        .await
        .unwrap();
    assert_eq!(
        admin::reset_password(&d.state, t2, "another good password")
            .await
            .unwrap_err()
            .status(),
        404,
        "single use"
    );
    sign_in(&d, ANALYST, "correct horse battery").await.unwrap();
    // links expire
    let third = admin::password_link(&d.state, &sam, ana).await.unwrap();
    d.clock.advance(73 * 3600);
    assert_eq!(
        admin::reset_info(&d.state, third.path.trim_start_matches("/reset/"))
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        admin::reset_info(&d.state, "not-a-token")
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn a_csv_import_with_a_bad_row_imports_nothing() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let nwl = d.org_id(cast::CLIENT_ORG).await;
    let before = fingerprint(&d).await;
    let bad = format!("email,name,role,department\nnew.one@nwl.example,New One,client,Finance\nnot an email,Two,,\n{CLIENT},Jo Again,client,\n");
    let preview = admin::preview_import(&d.state, &sam, nwl, &bad)
        .await
        .unwrap();
    assert!(!preview.ready);
    let errors: Vec<_> = preview.rows.iter().map(|r| r.error.is_some()).collect();
    assert_eq!(errors, vec![false, true, true]);
    assert_eq!(preview.rows[2].line, 4);
    let err = admin::import_users(&d.state, &sam, nwl, &bad)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.to_string().contains("Nothing was imported"));
    for (file, status) in [
        ("email,name,shoe\na@nwl.example,A,42\n", 422),
        ("", 422),
        ("email,name\na@nwl.example,Bad \u{fffd} bytes\n", 422),
    ] {
        assert_eq!(
            admin::import_users(&d.state, &sam, nwl, file)
                .await
                .unwrap_err()
                .status(),
            status,
            "{file:?}"
        );
    }
    let huge = format!("email,name\n{}", "x".repeat(1024 * 1024 + 1));
    assert_eq!(
        admin::preview_import(&d.state, &sam, nwl, &huge)
            .await
            .unwrap_err()
            .status(),
        413
    );
    assert_eq!(fingerprint(&d).await, before);

    let good = "email,name,role\nnew.one@nwl.example,New One,client\nnew.two@nwl.example,New Two,client_admin\n";
    assert!(
        admin::preview_import(&d.state, &sam, nwl, good)
            .await
            .unwrap()
            .ready
    );
    assert_eq!(
        admin::import_users(&d.state, &sam, nwl, good)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM users WHERE email LIKE 'new.%@nwl.example' AND org_id IS NOT NULL")
            .await,
        2
    );
}

#[tokio::test]
async fn teams_need_a_lead_and_serve_their_organizations() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let before = fingerprint(&d).await;
    let err = admin::save_team(
        &d.state,
        &sam,
        None,
        &TeamDraft {
            name: "Echo".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.to_string().contains("lead"));
    // Priya already leads Atlas
    let priya = d.user_id(LEAD).await;
    let err = admin::save_team(
        &d.state,
        &sam,
        None,
        &TeamDraft {
            name: "Echo".into(),
            lead_id: Some(priya),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.status(), 409);
    // an analyst is not a lead
    let ana = d.user_id(ANALYST).await;
    assert_eq!(
        admin::save_team(
            &d.state,
            &sam,
            None,
            &TeamDraft {
                name: "Echo".into(),
                lead_id: Some(ana),
                ..Default::default()
            },
        )
        .await
        .unwrap_err()
        .status(),
        422
    );
    assert_eq!(fingerprint(&d).await, before);

    // a new lead, then a team with Ana in it serving a new organization
    let link = admin::create_user(
        &d.state,
        &sam,
        &UserDraft {
            email: "rio@frontline.example".into(),
            name: "Rio Lead".into(),
            role: Role::Lead,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let org = admin::create_org(&d.state, &sam, &org_draft("ECO"))
        .await
        .unwrap();
    let team = admin::save_team(
        &d.state,
        &sam,
        None,
        &TeamDraft {
            name: "Echo".into(),
            lead_id: Some(link.user_id),
            members: vec![ana],
            orgs: vec![org],
        },
    )
    .await
    .unwrap();
    let row = admin::list_teams(&d.state, &sam)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == team)
        .unwrap();
    assert_eq!(row.lead.unwrap().name, "Rio Lead");
    assert_eq!(row.members.len(), 1);
    assert_eq!(row.orgs.len(), 1);
    assert_eq!(d.actor(ANALYST).await.team_id, Some(team));
}

#[tokio::test]
async fn categories_and_canned_responses() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let id = admin::save_category(
        &d.state,
        &sam,
        None,
        &CategoryDraft {
            name: "Drones".into(),
            default_priority: Some(Priority::P2),
            active: true,
        },
    )
    .await
    .unwrap();
    let dup = CategoryDraft {
        name: "drones".into(),
        default_priority: None,
        active: true,
    };
    assert_eq!(
        admin::save_category(&d.state, &sam, None, &dup)
            .await
            .unwrap_err()
            .status(),
        409
    );
    admin::save_category(
        &d.state,
        &sam,
        Some(id),
        &CategoryDraft {
            name: "Drones".into(),
            default_priority: Some(Priority::P3),
            active: false,
        },
    )
    .await
    .unwrap();
    let row = admin::list_categories(&d.state, &sam)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert!(!row.active && row.default_priority == Some(Priority::P3));

    let canned = CannedDraft {
        title: "Restart first".into(),
        body: "Please restart the device and tell us if it helps.".into(),
        active: true,
    };
    admin::save_canned(&d.state, &sam, None, &canned)
        .await
        .unwrap();
    let hidden = CannedDraft {
        title: "Old one".into(),
        active: false,
        ..canned.clone()
    };
    admin::save_canned(&d.state, &sam, None, &hidden)
        .await
        .unwrap();
    let for_ana = admin::canned_for_staff(&d.state, &d.actor(ANALYST).await)
        .await
        .unwrap();
    assert!(for_ana.iter().any(|c| c.title == "Restart first"));
    assert!(!for_ana.iter().any(|c| c.title == "Old one"));
    assert_eq!(
        admin::canned_for_staff(&d.state, &d.actor(CLIENT).await)
            .await
            .unwrap_err()
            .status(),
        403
    );
    assert_eq!(
        admin::save_canned(
            &d.state,
            &sam,
            None,
            &CannedDraft {
                body: " ".into(),
                ..canned
            }
        )
        .await
        .unwrap_err()
        .status(),
        422
    );
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_newest_first() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let org = admin::create_org(&d.state, &sam, &org_draft("AUD"))
        .await
        .unwrap();
    let mut draft = admin::org(&d.state, &sam, org).await.unwrap().draft;
    draft.name = "Audited Ltd".into();
    admin::update_org(&d.state, &sam, org, &draft)
        .await
        .unwrap();
    admin::set_org_active(&d.state, &sam, org, false)
        .await
        .unwrap();
    let jo = d.user_id(CLIENT).await;
    admin::set_user_active(&d.state, &sam, jo, false)
        .await
        .unwrap();
    let page = admin::audit_page(&d.state, &sam, None).await.unwrap();
    let actions: Vec<_> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "user.deactivate",
            "organization.deactivate",
            "organization.update",
            "organization.create"
        ]
    );
    let update = &page.entries[2];
    assert_eq!(update.actor, cast::ADMIN_NAME);
    assert!(update.before.as_deref().unwrap().contains("AUD Industries"));
    assert!(update.after.as_deref().unwrap().contains("Audited Ltd"));
    assert!(page.entries[0].after.as_deref().unwrap().contains("false"));
    // the log cannot be rewritten
    assert!(
        app::pool_run!(d.state.pool, c => sqlx::query("DELETE FROM audit_log")
        .execute(c).await.map(|_| ()))
        .is_err()
    );
}

#[tokio::test]
async fn a_lead_keeps_their_own_teams_roster_and_no_other() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let priya = d.actor(LEAD).await;
    let newcomer = admin::create_user(
        &d.state,
        &sam,
        &UserDraft {
            email: "noa@frontline.example".into(),
            name: "Noa Newcomer".into(),
            role: Role::Analyst,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .user_id;
    let atlas = d.team_id(cast::TEAM).await;
    let borealis = d.team_id(cast::OTHER_TEAM).await;
    let borealis_analyst = d
        .scalar(&format!(
            "SELECT MIN(id) FROM users WHERE team_id = {borealis} AND role = 'analyst'"
        ))
        .await;
    let client = d.user_id(CLIENT).await;

    let roster = admin::roster(&d.state, &priya).await.unwrap();
    assert_eq!(roster.team.id, atlas);
    assert!(roster.candidates.iter().any(|c| c.id == newcomer));
    assert!(!roster.candidates.iter().any(|c| c.id == borealis_analyst));

    // refusals change nothing
    let before = fingerprint(&d).await;
    for who in [ANALYST, SENIOR, MANAGER, CLIENT_ADMIN, CLIENT] {
        let a = d.actor(who).await;
        assert_eq!(admin::roster(&d.state, &a).await.unwrap_err().status(), 403);
        let err = admin::set_roster_member(&d.state, &a, atlas, newcomer, true)
            .await
            .unwrap_err();
        assert_eq!(err.status(), 403, "{who}");
    }
    let refusals = [
        (borealis, newcomer, true, 403),      // another lead's team
        (atlas, borealis_analyst, true, 409), // on another team already
        (atlas, client, true, 422),           // not an analyst
        (atlas, 999_999, true, 404),          // nobody
        (999_999, newcomer, true, 403),       // no such team is not theirs either
    ];
    for (team, user, member, status) in refusals {
        let err = admin::set_roster_member(&d.state, &priya, team, user, member)
            .await
            .unwrap_err();
        assert_eq!(err.status(), status, "team {team} user {user}: {err}");
    }
    assert_eq!(fingerprint(&d).await, before);
    assert_eq!(
        d.actor("noa@frontline.example").await.team_id,
        None,
        "nothing changed"
    );

    // the lead adds the newcomer, who then works the team's queues, and takes them off again
    admin::set_roster_member(&d.state, &priya, atlas, newcomer, true)
        .await
        .unwrap();
    assert_eq!(d.actor("noa@frontline.example").await.team_id, Some(atlas));
    let roster = admin::roster(&d.state, &priya).await.unwrap();
    assert!(roster.team.members.iter().any(|m| m.id == newcomer));
    assert!(!roster.candidates.iter().any(|c| c.id == newcomer));
    // asking again is not a second change
    admin::set_roster_member(&d.state, &priya, atlas, newcomer, true)
        .await
        .unwrap();
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'team.roster'")
            .await,
        1
    );
    admin::set_roster_member(&d.state, &priya, atlas, newcomer, false)
        .await
        .unwrap();
    assert_eq!(d.actor("noa@frontline.example").await.team_id, None);
    let log = admin::audit_page(&d.state, &sam, None).await.unwrap();
    assert!(log.entries[0]
        .summary
        .contains(&format!("Took Noa Newcomer off team {}", cast::TEAM)));
    assert!(log.entries[1]
        .summary
        .contains(&format!("Added Noa Newcomer to team {}", cast::TEAM)));

    // an administrator may move anyone between teams
    admin::set_roster_member(&d.state, &sam, borealis, newcomer, true)
        .await
        .unwrap();
    assert_eq!(
        d.actor("noa@frontline.example").await.team_id,
        Some(borealis)
    );
}

#[tokio::test]
async fn the_demo_desk_starts_with_canned_responses() {
    let d = desk(0).await;
    let ana = d.actor(ANALYST).await;
    let canned = admin::canned_for_staff(&d.state, &ana).await.unwrap();
    assert!(canned.len() >= 4);
    assert!(canned.iter().all(|c| c.active));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_wait_for_each_other_instead_of_failing() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let mut changes = Vec::new();
    for i in 0..16 {
        let (state, sam) = (d.state.clone(), sam.clone());
        changes.push(tokio::spawn(async move {
            let draft = CannedDraft {
                title: format!("Concurrent {i}"),
                body: "Hello {requester}".into(),
                active: true,
            };
            admin::save_canned(&state, &sam, None, &draft).await
        }));
    }
    for change in changes {
        change.await.unwrap().expect("every change lands");
    }
    assert_eq!(
        d.scalar("SELECT COUNT(*) FROM canned_responses WHERE title LIKE 'Concurrent %'")
            .await,
        16
    );
}

/// A deactivated account says nothing more than a wrong password until the password is right;
/// then it may say it is deactivated, but that attempt counts and is limited like a failure, so
/// it is no unlimited oracle for guessing a deactivated account's password.
#[tokio::test]
async fn a_deactivated_account_is_limited_like_a_wrong_password() {
    let d = desk(0).await;
    let sam = d.actor(ADMIN).await;
    let jo = d.user_id(CLIENT).await;
    admin::set_user_active(&d.state, &sam, jo, false)
        .await
        .unwrap();
    let from_address = |ip: String| auth::ClientInfo {
        ip: Some(ip),
        ..Default::default()
    };
    let from = || from_address("198.51.100.7".into());
    let attempt_from = |password: &'static str, client: auth::ClientInfo| {
        let state = d.state.clone();
        async move {
            session_token(&state, CLIENT, password, &client)
                .await
                .unwrap_err()
        }
    };
    let attempt = |password: &'static str| attempt_from(password, from());
    let unknown = session_token(&d.state, "nobody@northwind.example", "guess", &from())
        .await
        .unwrap_err();
    let wrong = attempt("not the password").await;
    assert_eq!(wrong.status(), unknown.status());
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert!(!wrong.to_string().contains("deactivated"), "{wrong}");

    let right = attempt(DEMO_PASSWORD).await;
    assert!(right.to_string().contains("deactivated"), "{right}");
    let failures = |key: String| {
        let pool = d.state.pool.clone();
        async move {
            app::pool_run!(pool, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM login_failures WHERE scope_key = $1")
                .bind(key)
                .fetch_one(c).await)
                .unwrap()
        }
    };
    assert_eq!(
        failures(format!("account:{CLIENT}")).await,
        2,
        "the right password on a deactivated account counts like a wrong one"
    );
    assert_eq!(failures("ip:198.51.100.7".into()).await, 3);
    // the account's limit holds for right passwords too, and then says nothing more (from
    // addresses of their own, so that it is the account's limit and not one address's delay)
    for i in 2..d.state.settings.login_max_failures_per_account {
        let client = from_address(format!("203.0.113.{i}"));
        assert_eq!(attempt_from("frontline-demo", client).await.status(), 403);
    }
    let limited = attempt_from("frontline-demo", from_address("203.0.113.200".into())).await;
    assert_eq!(limited.status(), 429, "{limited}");
    assert!(!limited.to_string().contains("deactivated"), "{limited}");
}
