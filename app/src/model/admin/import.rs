//! The CSV import of a client's users: the file read into records, then checked row by row.

use super::users::{UserDraft, ValidUser};
use crate::model::role::Role;
use serde::{Deserialize, Serialize};

/// The largest CSV file an import accepts.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 2_000;

/// The columns an import file may have; `email` and `name` are required.
pub const IMPORT_COLUMNS: [&str; 7] = [
    "email",
    "name",
    "role",
    "department",
    "location",
    "job_title",
    "phone",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
    /// Every row is fine: importing would create `rows.len()` users.
    pub ready: bool,
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "A quoted field that starts before line {line} is never closed."
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(records)
}

/// Checks an import file: its size, encoding and columns (a plain message when the file as a
/// whole is unusable), then each row (an error per row). `org_id` is the organization they join.
pub fn read_import(text: &str, org_id: i64) -> Result<Vec<(ImportRow, Option<ValidUser>)>, String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err("The file is larger than 1 MB. Split it into smaller files.".into());
    }
    if text.contains('\u{fffd}') || text.contains('\0') {
        return Err(
            "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and choose it again.".into(),
        );
    }
    let records = parse_csv(text)?;
    let Some((header, rows)) = records.split_first() else {
        return Err("The file is empty.".into());
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for h in &header {
        if !IMPORT_COLUMNS.contains(&h.as_str()) {
            return Err(format!(
                "The column \"{h}\" is not one we know. Use these columns: {}.",
                IMPORT_COLUMNS.join(", ")
            ));
        }
        if header.iter().filter(|x| *x == h).count() > 1 {
            return Err(format!("The column \"{h}\" appears twice."));
        }
    }
    for required in ["email", "name"] {
        if !header.iter().any(|h| h == required) {
            return Err(format!(
                "The first line must name the columns, including \"{required}\"."
            ));
        }
    }
    if rows.is_empty() {
        return Err("The file has no people in it, only the header.".into());
    }
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(format!(
            "The file has {} rows; import at most {MAX_IMPORT_ROWS} at a time.",
            rows.len()
        ));
    }
    let col = |row: &Vec<String>, name: &str| -> String {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let role_text = col(row, "role");
        let role = match role_text.to_lowercase().replace([' ', '-'], "_").as_str() {
            "" | "client" => Ok(Role::Client),
            "client_admin" => Ok(Role::ClientAdmin),
            other => Err(format!(
                "The role \"{other}\" is not one a client can have (client or client_admin)."
            )),
        };
        let mut import = ImportRow {
            line,
            email: col(row, "email"),
            name: col(row, "name"),
            role: role.clone().unwrap_or(Role::Client),
            error: None,
        };
        let valid = if row.len() != header.len() {
            Err(format!(
                "This line has {} fields; the header has {}.",
                row.len(),
                header.len()
            ))
        } else {
            role.and_then(|role| {
                UserDraft {
                    email: import.email.clone(),
                    name: import.name.clone(),
                    role,
                    org_id: Some(org_id),
                    team_id: None,
                    tier: None,
                    department: col(row, "department"),
                    location: col(row, "location"),
                    job_title: col(row, "job_title"),
                    phone: col(row, "phone"),
                }
                .validate()
            })
        };
        match valid {
            Ok(v) => {
                if out.iter().any(|(_, o): &(ImportRow, Option<ValidUser>)| {
                    o.as_ref().is_some_and(|o| o.email == v.email)
                }) {
                    import.error = Some(format!("{} appears twice in the file.", v.email));
                    out.push((import, None));
                } else {
                    out.push((import, Some(v)));
                }
            }
            Err(e) => {
                import.error = Some(e);
                out.push((import, None));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_quotes_and_line_endings() {
        let rows = parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\nlast,\n").unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["x, y".into(), "say \"hi\"".into()],
                vec!["last".into(), "".into()],
            ]
        );
        assert!(parse_csv("a,\"open\n").is_err());
    }

    #[test]
    fn imports_refuse_unusable_files_and_flag_bad_rows() {
        assert!(read_import("email,name,shoe_size\nx@y.example,X,42\n", 1)
            .unwrap_err()
            .contains("shoe_size"));
        assert!(read_import("name\nX\n", 1).unwrap_err().contains("email"));
        assert!(read_import("email,name\nx@y.example,Bad \u{fffd}\n", 1)
            .unwrap_err()
            .contains("UTF-8"));
        let big = format!("email,name\n{}", "a".repeat(MAX_IMPORT_BYTES));
        assert!(read_import(&big, 1).unwrap_err().contains("1 MB"));
        let rows = read_import(
            "Email,Name,Role\nann@acme.example,Ann,client_admin\nnot-an-email,Bob,\nANN@acme.example,Ann 2,client\nx@acme.example,X,admin\n",
            1,
        )
        .unwrap();
        let errors: Vec<_> = rows.iter().map(|(r, _)| r.error.is_some()).collect();
        assert_eq!(errors, vec![false, true, true, true]);
        assert_eq!(rows[0].0.role, Role::ClientAdmin);
        assert!(rows[2].0.error.as_deref().unwrap().contains("twice"));
    }
}
