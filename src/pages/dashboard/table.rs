//! Tables of tool outputs: which fields become columns, and how a JSON value reads in a cell.

use serde_json::Value;

/// Longest text a cell shows; the record's own page has the rest.
const CELL_CHARS: usize = 160;

pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// What an empty table says instead: how to get something into it.
    pub empty: String,
    /// The next page's link, when the list goes on.
    pub next: Option<String>,
}

impl Table {
    /// Whether any row has a form, so the table needs an actions column.
    pub fn has_actions(&self) -> bool {
        self.rows.iter().any(|row| !row.actions.is_empty())
    }
}

pub struct Row {
    pub cells: Vec<Cell>,
    pub actions: Vec<super::Form>,
}

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// `ok`, `warn` or `bad`: a state drawn as a badge.
    pub tone: Option<&'static str>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: None,
            tone: None,
        }
    }

    /// A link, when `href` is a path on this server or an http(s) URL; anything else (a
    /// `javascript:` URL from a hostile record, say) stays plain text.
    pub fn link(mut self, href: &str) -> Cell {
        let safe = (href.starts_with('/') && !href.starts_with("//"))
            || href.starts_with("https://")
            || href.starts_with("http://");
        if safe {
            self.href = Some(href.to_owned());
        }
        self
    }

    /// The cell as a state badge, toned by what the state means.
    pub fn badge(mut self) -> Cell {
        self.tone = tone(&self.text);
        self
    }
}

/// What a state word means for the person reading it.
fn tone(state: &str) -> Option<&'static str> {
    match state {
        "approved" | "published" | "succeeded" | "delivered" | "active" | "trialing" | "yes"
        | "live" | "done" | "completed" | "up" => Some("ok"),
        "draft" | "brief" | "queued" | "pending" | "running" | "scheduled" | "past_due"
        | "waiting" | "degraded" => Some("warn"),
        "failed" | "dead" | "rejected" | "canceled" | "cancelled" | "unpaid" | "no" | "revoked"
        | "down" => Some("bad"),
        _ => None,
    }
}

/// Rows of plain cells, one per item of the array `list`, one cell per field (a pointer).
pub fn rows(list: &Value, fields: &[&str]) -> Vec<Row> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|item| Row {
            cells: fields
                .iter()
                .map(|field| Cell::text(display(at(item, field))))
                .collect(),
            actions: Vec::new(),
        })
        .collect()
}

/// Column headers from their names.
pub fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Milliseconds since the epoch of an RFC 3339 time, for placing it on a chart.
pub fn millis(value: &Value) -> Option<f64> {
    let time = chrono::DateTime::parse_from_rfc3339(value.as_str()?).ok()?;
    Some(time.timestamp_millis() as f64)
}

/// The field at a JSON pointer of `row`.
pub fn at<'a>(row: &'a Value, pointer: &str) -> &'a Value {
    row.pointer(pointer).unwrap_or(&Value::Null)
}

/// A JSON value as a person reads it: text as is, numbers without float noise, lists joined,
/// nothing as a dash; long text is cut at a word.
pub fn display(value: &Value) -> String {
    let text = match value {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            if items.is_empty() {
                "—".to_owned()
            } else {
                items.iter().map(display).collect::<Vec<_>>().join(", ")
            }
        }
        Value::Array(items) => format!("{} items", items.len()),
        Value::Object(_) => value.to_string(),
    };
    cut(&text, CELL_CHARS)
}

fn number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => i.to_string(),
        (None, Some(f)) => {
            let text = format!("{f:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        _ => n.to_string(),
    }
}

/// A share from 0 to 1 as a percentage; nothing as a dash.
pub fn percent(value: &Value) -> String {
    match value.as_f64() {
        Some(share) => format!("{} %", (share * 100.0).round()),
        None => "—".to_owned(),
    }
}

/// An RFC 3339 time as `2026-12-07 14:05 UTC`; anything else as is.
pub fn when(value: &Value) -> String {
    match value.as_str() {
        Some(time) if time.len() >= 16 && time.as_bytes().get(10) == Some(&b'T') => {
            format!("{} {} UTC", &time[..10], &time[11..16])
        }
        _ => display(value),
    }
}

/// `text` cut to at most `max` characters, at a word when one is near, marked with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let end = text
        .char_indices()
        .nth(max)
        .map_or(text.len(), |(index, _)| index);
    let head = &text[..end];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if space > end / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_a_person_expects() {
        assert_eq!(display(&json!(null)), "—");
        assert_eq!(display(&json!(0.1 + 0.2)), "0.3");
        assert_eq!(display(&json!(12)), "12");
        assert_eq!(display(&json!(["a", "b"])), "a, b");
        assert_eq!(display(&json!([{"a": 1}, {"b": 2}])), "2 items");
        assert_eq!(display(&json!(true)), "yes");
        assert_eq!(percent(&json!(0.125)), "13 %");
        assert_eq!(
            when(&json!("2026-12-07T14:05:09.123Z")),
            "2026-12-07 14:05 UTC"
        );
        assert_eq!(when(&json!(null)), "—");
    }

    #[test]
    fn long_text_is_cut_at_a_word_and_multibyte_text_is_safe() {
        let long = "word ".repeat(100);
        let short = cut(&long, 20);
        assert!(
            short.ends_with('…') && short.chars().count() <= 21,
            "{short}"
        );
        assert!(!short.contains("wor…"));
        let accents = "é".repeat(300);
        assert_eq!(cut(&accents, 10).chars().count(), 11);
    }

    #[test]
    fn only_safe_links_are_links() {
        assert!(Cell::text("x").link("javascript:alert(1)").href.is_none());
        assert!(Cell::text("x").link("//evil.example").href.is_none());
        assert!(
            Cell::text("x")
                .link("/dashboard/content/cnt_1")
                .href
                .is_some()
        );
        assert!(Cell::text("x").link("https://example.com/a").href.is_some());
        assert_eq!(Cell::text("failed").badge().tone, Some("bad"));
    }
}
