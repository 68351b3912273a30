//! Catalogue entries: `tools/<name>.toml`, the data half of a tool.
//!
//! An entry says what the tool is for (written for an LLM reader), how risky it is (MCP
//! annotations), which key scope it needs, which extra REST route serves it, and examples that
//! the test suite runs, so the documentation cannot drift from behaviour.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::KeyScope;

/// One `tools/<name>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub name: String,
    pub title: String,
    pub description: String,
    /// The least key scope that may call the tool: `read-only`, `member` or `owner`.
    #[serde(deserialize_with = "scope")]
    pub scope: KeyScope,
    pub annotations: Annotations,
    /// An extra REST route, such as `POST /api/scan` or `GET /api/things/{customerId}`.
    #[serde(default)]
    pub route: Option<Route>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

/// MCP tool annotations, with the spec's names.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Annotations {
    pub read_only_hint: bool,
    pub destructive_hint: bool,
    pub idempotent_hint: bool,
    pub open_world_hint: bool,
}

/// A REST alias: `METHOD /path`, where `{customerId}` must be the caller's own customer and any
/// other `{param}` is copied into the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: http::Method,
    pub path: String,
}

impl<'de> Deserialize<'de> for Route {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (method, path) = text
            .split_once(' ')
            .ok_or_else(|| serde::de::Error::custom("route must be \"METHOD /path\""))?;
        let method = match method {
            "GET" => http::Method::GET,
            "POST" => http::Method::POST,
            "PUT" => http::Method::PUT,
            "PATCH" => http::Method::PATCH,
            "DELETE" => http::Method::DELETE,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unsupported method {other}"
                )));
            }
        };
        if !path.starts_with("/api/") {
            return Err(serde::de::Error::custom("route paths live under /api/"));
        }
        Ok(Route {
            method,
            path: path.to_owned(),
        })
    }
}

/// An example call: its input and fields its output must contain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub title: String,
    /// Calls made first, in order, for a new customer of its own: the state the example needs
    /// (a brand onboarded, an audit stored) is said here, so that no example depends on which
    /// others ran before it, and adding a tool breaks no other tool's example.
    #[serde(default)]
    pub given: Vec<Given>,
    #[serde(deserialize_with = "json")]
    pub input: Value,
    /// A subset of the output: every field given here must be present with this value.
    #[serde(default = "empty_object", deserialize_with = "json")]
    pub expect: Value,
    /// Instead of an output: the `E_*` code the call answers (an example of a failure mode).
    #[serde(default)]
    pub expect_error: Option<String>,
}

/// One call an example needs made before it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    pub tool: String,
    #[serde(default = "empty_object", deserialize_with = "json")]
    pub input: Value,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn scope<'de, D: serde::Deserializer<'de>>(d: D) -> Result<KeyScope, D::Error> {
    String::deserialize(d)?
        .parse()
        .map_err(serde::de::Error::custom)
}

fn json<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let value = toml::Value::deserialize(d)?;
    serde_json::to_value(value).map_err(serde::de::Error::custom)
}

/// Parses one catalogue file.
pub fn parse(file: &str, text: &str) -> Result<CatalogueEntry, String> {
    toml::from_str(text).map_err(|e| format!("tools/{file}: {e}"))
}

/// True when `actual` contains everything in `expected`: objects by subset, arrays when each
/// expected element is contained in some actual element, scalars by equality.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(key, value)| a.get(key).is_some_and(|found| contains(found, value))),
        (Value::Array(a), Value::Array(e)) => e.iter().all(|y| a.iter().any(|x| contains(x, y))),
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        _ => actual == expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_matching() {
        let actual = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}});
        assert!(contains(&actual, &json!({"b": {"c": [1, {"d": 2}]}})));
        assert!(contains(&actual, &json!({})));
        assert!(!contains(&actual, &json!({"a": 2})));
        assert!(contains(&actual, &json!({"b": {"c": [{"e": 3}]}})));
        assert!(!contains(&actual, &json!({"b": {"c": [2]}})));
        assert!(!contains(&actual, &json!({"z": null})));
    }

    #[test]
    fn routes_parse() {
        let entry = parse(
            "x.toml",
            r#"
            name = "x"
            title = "X"
            description = "d"
            scope = "member"
            route = "POST /api/scan"
            annotations = { readOnlyHint = true, destructiveHint = false, idempotentHint = true, openWorldHint = false }
            "#,
        )
        .unwrap();
        assert_eq!(entry.route.unwrap().method, http::Method::POST);
        assert_eq!(entry.scope, KeyScope::Member);
        assert!(parse("x.toml", "name = 1").is_err());
    }
}
