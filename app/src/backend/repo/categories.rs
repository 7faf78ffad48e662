//! Ticket categories, each with the priority new tickets in it start with.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Conn};
use crate::model::admin::CategoryRow;
use crate::model::Priority;

pub async fn insert(
    db: &mut Conn,
    name: &str,
    default_priority: Option<Priority>,
) -> sqlx::Result<i64> {
    statement("INSERT INTO categories (name, default_priority) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(default_priority.map(Priority::as_str))
        .scalar(db)
        .await
}

/// (id, name) of the active categories, by name.
pub async fn active(db: &mut Conn) -> sqlx::Result<Vec<(i64, String)>> {
    statement("SELECT id, name FROM categories WHERE active ORDER BY name")
        .fetch_all(db)
        .await
}

/// The name of an active category.
pub async fn name(db: &mut Conn, id: i64) -> sqlx::Result<Option<String>> {
    statement("SELECT name FROM categories WHERE id = $1 AND active")
        .bind(id)
        .scalar_optional(db)
        .await
}

/// Every category with its number of tickets. Cost: one range of `tickets_by_category` per
/// category (migration 0016).
pub async fn rows(db: &mut Conn) -> sqlx::Result<Vec<CategoryRow>> {
    db_run!(db, db => {
        let rows: Vec<(i64, String, Option<String>, bool, i64)> = sqlx::query_as(
            "SELECT c.id, c.name, c.default_priority, c.active,
                (SELECT COUNT(*) FROM tickets t WHERE t.category_id = c.id)
         FROM categories c ORDER BY c.active DESC, c.name",
        )
        .fetch_all(db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, p, active, tickets)| CategoryRow {
                id,
                name,
                default_priority: p.and_then(|p| p.parse::<Priority>().ok()),
                active,
                tickets,
            })
            .collect())
    })
}

pub async fn name_taken(conn: &mut Conn, name: &str, except: Option<i64>) -> sqlx::Result<bool> {
    super::taken(conn, "categories", "name", name, except).await
}

pub async fn update(
    db: &mut Conn,
    id: i64,
    name: &str,
    default_priority: Option<Priority>,
    active: bool,
) -> sqlx::Result<bool> {
    db_run!(db, db => {
        Ok(sqlx::query(
            "UPDATE categories SET name = $1, default_priority = $2, active = $3 WHERE id = $4",
        )
        .bind(name)
        .bind(default_priority.map(Priority::as_str))
        .bind(active)
        .bind(id)
        .execute(db)
        .await?
        .rows_affected()
            == 1)
    })
}
