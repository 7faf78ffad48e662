//! One value on its way from SQLite to PostgreSQL: read as what SQLite stores, converted to the
//! target column's type, and folded into the table's checksum the same way on both sides.

use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::{SqliteRow, SqliteValueRef};
use sqlx::{Decode, Row, Sqlite, TypeInfo, ValueRef};

/// A value as both databases can hold it: SQLite's storage classes, which PostgreSQL's column
/// types of the schema map onto (a BOOLEAN is SQLite's 0 or 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    /// The value in a message: short, whatever its size.
    fn describe(&self) -> String {
        match self {
            Cell::Null => "NULL".into(),
            Cell::Int(n) => format!("the integer {n}"),
            Cell::Real(x) => format!("the real number {x}"),
            Cell::Text(s) if s.chars().count() > 40 => {
                format!("the text {:?}...", s.chars().take(40).collect::<String>())
            }
            Cell::Text(s) => format!("the text {s:?}"),
            Cell::Blob(b) => format!("a blob of {} bytes", b.len()),
        }
    }
}

/// What a PostgreSQL column takes, by its `information_schema` data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    Real,
    Text,
    Bytes,
}

impl Kind {
    /// The kind of a PostgreSQL column type, or `None` for a type the copy does not carry.
    pub fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "boolean" => Kind::Bool,
            "double precision" | "real" => Kind::Real,
            "text" | "character varying" | "character" => Kind::Text,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Int => "integer",
            Kind::Bool => "boolean",
            Kind::Real => "real number",
            Kind::Text => "text",
            Kind::Bytes => "bytea",
        }
    }

    /// How a column of this kind is read back for the checksum: integers widened to 64 bits
    /// and reals to double, so one decoder per kind reads every width.
    pub fn select(self, quoted_column: &str) -> String {
        match self {
            Kind::Int => format!("{quoted_column}::bigint"),
            Kind::Real => format!("{quoted_column}::float8"),
            Kind::Bool | Kind::Text | Kind::Bytes => quoted_column.to_string(),
        }
    }
}

/// A value ready to bind into a PostgreSQL column: typed even when NULL, since a NULL sent as
/// the wrong type is refused.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Bool(Option<bool>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Param {
    /// NULL of the column's type.
    pub fn null(kind: Kind) -> Param {
        match kind {
            Kind::Int => Param::Int(None),
            Kind::Bool => Param::Bool(None),
            Kind::Real => Param::Real(None),
            Kind::Text => Param::Text(None),
            Kind::Bytes => Param::Bytes(None),
        }
    }

    /// `cell` as a value of a `kind` column; `Err` says what does not fit. Nothing is coerced
    /// beyond what SQLite's own types mean: 0 and 1 are the booleans, an integer fits a real.
    pub fn convert(cell: Cell, kind: Kind) -> Result<Param, String> {
        Ok(match (cell, kind) {
            (Cell::Null, kind) => Param::null(kind),
            (Cell::Int(n), Kind::Int) => Param::Int(Some(n)),
            (Cell::Int(n @ (0 | 1)), Kind::Bool) => Param::Bool(Some(n == 1)),
            (Cell::Int(n), Kind::Real) => Param::Real(Some(n as f64)),
            (Cell::Real(x), Kind::Real) => Param::Real(Some(x)),
            (Cell::Text(s), Kind::Text) => Param::Text(Some(s)),
            (Cell::Blob(b), Kind::Bytes) => Param::Bytes(Some(b)),
            (cell, kind) => {
                return Err(format!(
                    "holds {}, which a {} column cannot take",
                    cell.describe(),
                    kind.name()
                ))
            }
        })
    }
}

/// The cells of a SQLite row, by what each value is stored as (not the column's declared type,
/// which SQLite does not enforce).
pub fn from_sqlite(row: &SqliteRow) -> sqlx::Result<Vec<Cell>> {
    (0..row.len())
        .map(|i| {
            let value = row.try_get_raw(i)?;
            sqlite_cell(value).map_err(|source| sqlx::Error::ColumnDecode {
                index: i.to_string(),
                source,
            })
        })
        .collect()
}

fn sqlite_cell(value: SqliteValueRef<'_>) -> Result<Cell, sqlx::error::BoxDynError> {
    if value.is_null() {
        return Ok(Cell::Null);
    }
    let storage = value.type_info().name().to_string();
    Ok(match storage.as_str() {
        "INTEGER" => Cell::Int(<i64 as Decode<Sqlite>>::decode(value)?),
        "REAL" => Cell::Real(<f64 as Decode<Sqlite>>::decode(value)?),
        "TEXT" => Cell::Text(<String as Decode<Sqlite>>::decode(value)?),
        _ => Cell::Blob(<Vec<u8> as Decode<Sqlite>>::decode(value)?),
    })
}

/// The cells of a PostgreSQL row read with [`Kind::select`], as SQLite would hold them.
pub fn from_postgres(row: &PgRow, kinds: &[Kind]) -> sqlx::Result<Vec<Cell>> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            Ok(match kind {
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(i)?
                    .map(|b| Cell::Int(i64::from(b))),
                Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Cell::Blob),
            }
            .unwrap_or(Cell::Null))
        })
        .collect()
}

/// A table's rows, counted and hashed in the order they are read (the primary key's): equal
/// tallies mean the same rows with the same values.
#[derive(Clone)]
pub struct Tally {
    pub rows: i64,
    hash: Sha256,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            rows: 0,
            hash: Sha256::new(),
        }
    }
}

impl Tally {
    /// Each value is tagged with its kind and text and blobs with their length, so that no two
    /// different rows feed the hash the same bytes.
    pub fn add(&mut self, row: &[Cell]) {
        self.rows += 1;
        for cell in row {
            match cell {
                Cell::Null => self.hash.update([0]),
                Cell::Int(n) => {
                    self.hash.update([1]);
                    self.hash.update(n.to_be_bytes());
                }
                Cell::Real(x) => {
                    self.hash.update([2]);
                    self.hash.update(x.to_bits().to_be_bytes());
                }
                Cell::Text(s) => {
                    self.hash.update([3]);
                    self.hash.update((s.len() as u64).to_be_bytes());
                    self.hash.update(s.as_bytes());
                }
                Cell::Blob(b) => {
                    self.hash.update([4]);
                    self.hash.update((b.len() as u64).to_be_bytes());
                    self.hash.update(b);
                }
            }
        }
        self.hash.update([0xff]);
    }

    /// The checksum, as hex.
    pub fn checksum(&self) -> String {
        hex::encode(self.hash.clone().finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_values_convert_only_to_what_they_mean() {
        assert_eq!(
            Param::convert(Cell::Int(1), Kind::Bool),
            Ok(Param::Bool(Some(true)))
        );
        assert_eq!(
            Param::convert(Cell::Int(0), Kind::Bool),
            Ok(Param::Bool(Some(false)))
        );
        assert_eq!(
            Param::convert(Cell::Int(2), Kind::Bool),
            Err("holds the integer 2, which a boolean column cannot take".into())
        );
        assert!(Param::convert(Cell::Text("1".into()), Kind::Int).is_err());
        assert_eq!(
            Param::convert(Cell::Null, Kind::Bool),
            Ok(Param::Bool(None))
        );
        assert_eq!(Kind::of("bigint"), Some(Kind::Int));
        assert_eq!(Kind::of("tsvector"), None);
    }

    #[test]
    fn different_rows_tally_differently() {
        let tally = |rows: &[&[Cell]]| {
            let mut t = Tally::default();
            rows.iter().for_each(|row| t.add(row));
            t.checksum()
        };
        let text = |s: &str| Cell::Text(s.into());
        let (a_b, ab) = ([text("a"), text("b")], [text("ab")]);
        let (a, b) = ([text("a")], [text("b")]);
        assert_eq!(tally(&[&a_b]), tally(&[&a_b.clone()]));
        assert_ne!(tally(&[&a_b]), tally(&[&ab]));
        assert_ne!(tally(&[&a, &b]), tally(&[&a_b]));
        assert_ne!(tally(&[&[Cell::Null]]), tally(&[&[Cell::Int(0)]]));
        assert_ne!(
            tally(&[&[Cell::Int(1)]]),
            tally(&[&[Cell::Text("1".into())]])
        );
    }
}
