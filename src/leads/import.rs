//! Reading an import: CSV text with a header row, or JSON rows, each row checked on its own so
//! that one bad row is reported and the others go in.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::{Fields, normalise_email};

/// Most rows in one import.
pub const MAX_ROWS: usize = 10_000;
/// Longest value of a field.
const MAX_VALUE: usize = 500;
/// Most custom columns.
const MAX_CUSTOM: usize = 30;

/// A row that goes in.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based, as a person counts them (the CSV header is row 0).
    pub row: usize,
    pub email: String,
    pub fields: Fields,
    pub source: Option<String>,
}

/// A row that does not, and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    pub row: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub reason: String,
}

/// An import read: the rows that go in (one per email; a later row for the same email is
/// merged into the earlier one) and the rows refused.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub rejected: Vec<Rejected>,
}

/// Reads CSV text; the header names the columns (email is required; any case; `first_name`
/// and `last_name` make the name when there is no `name`).
pub fn csv(text: &str) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the CSV header cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "email") {
        return Err(format!(
            "the CSV header has no email column (it has: {})",
            headers.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        match record {
            Ok(record) => rows.push((
                row,
                headers
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect::<BTreeMap<_, _>>(),
            )),
            Err(error) => rows.push((row, BTreeMap::from([("\0error".into(), error.to_string())]))),
        }
    }
    Ok(read(rows))
}

/// Reads JSON rows: objects whose values are strings or numbers.
pub fn json(rows: &[serde_json::Map<String, Value>]) -> Parsed {
    read(
        rows.iter()
            .enumerate()
            .map(|(index, object)| {
                let cells = object
                    .iter()
                    .map(|(key, value)| {
                        let text = match value {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (key.trim().to_lowercase(), text)
                    })
                    .collect();
                (index + 1, cells)
            })
            .collect(),
    )
}

fn read(rows: Vec<(usize, BTreeMap<String, String>)>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut by_email: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in rows {
        if parsed.rows.len() + parsed.rejected.len() >= MAX_ROWS {
            parsed.rejected.push(Rejected {
                row,
                email: None,
                reason: format!("an import holds at most {MAX_ROWS} rows"),
            });
            continue;
        }
        match one(&cells) {
            Ok((email, fields, source)) => match by_email.get(&email) {
                Some(&at) => {
                    let earlier = &mut parsed.rows[at];
                    earlier.fields = earlier.fields.merged(&fields);
                    earlier.source = source.or(earlier.source.take());
                }
                None => {
                    by_email.insert(email.clone(), parsed.rows.len());
                    parsed.rows.push(Row {
                        row,
                        email,
                        fields,
                        source,
                    });
                }
            },
            Err(reason) => parsed.rejected.push(Rejected {
                row,
                email: cells.get("email").filter(|e| !e.is_empty()).cloned(),
                reason,
            }),
        }
    }
    parsed
}

/// One row's email, fields and source, or why it is refused.
fn one(cells: &BTreeMap<String, String>) -> Result<(String, Fields, Option<String>), String> {
    if let Some(error) = cells.get("\0error") {
        return Err(format!("the row cannot be read: {error}"));
    }
    let email = normalise_email(cells.get("email").map_or("", String::as_str))?;
    let text = |key: &str| -> Result<Option<String>, String> {
        match cells.get(key).map(|v| v.trim()) {
            None | Some("") => Ok(None),
            Some(value) if value.chars().count() > MAX_VALUE => {
                Err(format!("{key} is longer than {MAX_VALUE} characters"))
            }
            Some(value) => Ok(Some(value.to_owned())),
        }
    };
    let name = match text("name")? {
        Some(name) => Some(name),
        None => {
            let parts: Vec<String> = [text("first_name")?, text("last_name")?]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
    };
    let employees = match text("employees")? {
        None => None,
        Some(value) => Some(
            value
                .replace([',', '_', ' '], "")
                .parse::<u32>()
                .map_err(|_| format!("employees {value:?} is not a whole number"))?,
        ),
    };
    let country = match text("country")? {
        None => None,
        Some(code) if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(code.to_ascii_uppercase())
        }
        Some(other) => {
            return Err(format!(
                "country {other:?} is not a two-letter ISO 3166 code (such as FR or US)"
            ));
        }
    };
    let domain = text("domain")?
        .map(|d| {
            d.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_start_matches("www.")
                .trim_end_matches('/')
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty());
    const KNOWN: [&str; 11] = [
        "email",
        "name",
        "first_name",
        "last_name",
        "company",
        "title",
        "domain",
        "country",
        "employees",
        "industry",
        "source",
    ];
    let mut custom = BTreeMap::new();
    for (key, value) in cells {
        if KNOWN.contains(&key.as_str()) || value.trim().is_empty() {
            continue;
        }
        if value.chars().count() > MAX_VALUE {
            return Err(format!("{key} is longer than {MAX_VALUE} characters"));
        }
        custom.insert(key.clone(), value.trim().to_owned());
    }
    if custom.len() > MAX_CUSTOM {
        return Err(format!("more than {MAX_CUSTOM} custom columns"));
    }
    Ok((
        email,
        Fields {
            name,
            company: text("company")?,
            title: text("title")?,
            domain,
            country,
            employees,
            industry: text("industry")?,
            custom,
        },
        text("source")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_read_checked_and_merged_by_email() {
        let parsed = csv(
            "Email,First_Name,Last_Name,Company,Employees,Country,Plan\n\
             Ann@Example.com,Ann,Lee,Acme,\"1,200\",fr,pro\n\
             not-an-email,Bob,,,,,\n\
             carl@example.org,Carl,,,many,,\n\
             ann@example.com,,,Acme Inc,,,\n\
             dee@example.net,Dee,,,,France,\n",
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 1, "{parsed:?}");
        let ann = &parsed.rows[0];
        assert_eq!(ann.email, "ann@example.com");
        assert_eq!(ann.fields.name.as_deref(), Some("Ann Lee"));
        assert_eq!(
            ann.fields.company.as_deref(),
            Some("Acme Inc"),
            "the later row wins"
        );
        assert_eq!(ann.fields.employees, Some(1200));
        assert_eq!(ann.fields.country.as_deref(), Some("FR"));
        assert_eq!(ann.fields.custom["plan"], "pro");
        let reasons: Vec<(usize, &str)> = parsed
            .rejected
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 3);
        assert_eq!(reasons[0].0, 2);
        assert!(reasons[0].1.contains("not an email address"));
        assert!(reasons[1].1.contains("employees \"many\""));
        assert!(reasons[2].1.contains("country \"France\""));
    }

    #[test]
    fn a_csv_without_an_email_column_is_refused_whole() {
        let error = csv("name,company\nAnn,Acme\n").unwrap_err();
        assert!(error.contains("no email column"), "{error}");
    }

    #[test]
    fn a_ragged_csv_row_is_refused_alone() {
        let parsed = csv("email,name\nann@example.com,Ann\nbob@example.com,Bob,extra\n").unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.rejected[0].reason.contains("cannot be read"));
    }

    #[test]
    fn json_rows_take_numbers_and_strings() {
        let rows: Vec<serde_json::Map<String, Value>> = serde_json::from_value(serde_json::json!([
            {"email": "ann@example.com", "employees": 40, "source": "webinar", "score": 7},
            {"email": 5}
        ]))
        .unwrap();
        let parsed = json(&rows);
        assert_eq!(parsed.rows[0].fields.employees, Some(40));
        assert_eq!(parsed.rows[0].source.as_deref(), Some("webinar"));
        assert_eq!(parsed.rows[0].fields.custom["score"], "7");
        assert_eq!(parsed.rejected[0].row, 2);
    }
}
