//! JSON Schema generation (schemars, draft 2020-12) and validation (the `jsonschema` crate).

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::error::Error;

/// The 2020-12 schema of `T`, with subschemas inlined: several MCP clients do not follow `$ref`.
pub fn generate<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

/// Turns every number with no fractional part written as a float (`3.0`, `1e3`) into the same
/// integer, within the range where a float holds integers exactly; says whether any changed.
pub fn integral_floats_to_integers(value: &mut Value) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(number) => match number.as_f64() {
            Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT => {
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            integral_floats_to_integers(item) | changed
        }),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, field| {
            integral_floats_to_integers(field) | changed
        }),
        _ => false,
    }
}

/// A compiled schema, with the schema itself for the messages of its violations.
pub struct Validator(jsonschema::Validator, Value);

impl Validator {
    pub fn compile(schema: &Value) -> Result<Validator, String> {
        // Formats (email, date-time) are checked too: the published schema is the contract, and
        // a value that breaks it should be refused with its pointer, not fail later in serde.
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema)
            .map(|compiled| Validator(compiled, schema.clone()))
            .map_err(|e| e.to_string())
    }

    /// Checks `instance`; the first violation becomes `E_INVALID_INPUT` naming its JSON pointer.
    pub fn check(&self, instance: &Value) -> Result<(), Error> {
        // The common case, valid input, takes the fast path that builds no error values.
        if self.0.is_valid(instance) {
            return Ok(());
        }
        match self.0.iter_errors(instance).next() {
            None => Ok(()),
            Some(violation) => {
                let pointer = violation.instance_path().to_string();
                let at = if pointer.is_empty() {
                    "/".to_owned()
                } else {
                    pointer.clone()
                };
                let described = self.describe(&violation);
                Err(Error::InvalidInput {
                    message: format!(
                        "{at}: {}",
                        described.unwrap_or_else(|| violation.to_string())
                    ),
                    pointer,
                })
            }
        }
    }
}

impl Validator {
    /// A readable account of the violations whose default message says too little: a pattern
    /// (the cron one is 600 characters) is told by the field's description; an enum or a
    /// one-of lists every value it accepts, not "… or 2 other candidates".
    fn describe(&self, violation: &jsonschema::ValidationError<'_>) -> Option<String> {
        use jsonschema::error::ValidationErrorKind as Kind;
        let keyword = violation.schema_path().as_str();
        let got = violation.instance();
        let not_one_of = |values: &[Value]| {
            format!("{got} is not allowed; it must be one of {}", listed(values))
        };
        match violation.kind() {
            Kind::Pattern { .. } => {
                let field = keyword.strip_suffix("/pattern").unwrap_or(keyword);
                // An item of a list is told by the list's description when it has none.
                let described = |at: &str| self.1.pointer(at)?.get("description")?.as_str();
                let what = described(field)
                    .or_else(|| field.strip_suffix("/items").and_then(described))?;
                Some(format!("{got} is not of this form: {what}"))
            }
            Kind::Enum { options } => Some(not_one_of(options.as_array()?)),
            Kind::OneOfNotValid { .. } | Kind::AnyOf { .. } => {
                let alternatives = self.1.pointer(keyword)?.as_array()?;
                let values: Option<Vec<Value>> = alternatives
                    .iter()
                    .map(|alternative| alternative.get("const").cloned())
                    .collect();
                if let Some(values) = values {
                    return Some(not_one_of(&values));
                }
                let forms: Vec<String> = alternatives.iter().map(form).collect();
                Some(format!(
                    "{got} matches none of the accepted forms: {}",
                    forms.join("; or ")
                ))
            }
            _ => None,
        }
    }
}

/// Allowed values as a person reads them: `blog, social, email or landing`.
fn listed(values: &[Value]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    match shown.split_last() {
        None => "nothing".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// One alternative of a one-of, told by its description, else the fields it requires, else its
/// type.
fn form(alternative: &Value) -> String {
    if let Some(description) = alternative.get("description").and_then(Value::as_str) {
        return description.trim_end_matches('.').to_owned();
    }
    if let Some(required) = alternative.get("required").and_then(Value::as_array) {
        let names: Vec<&str> = required.iter().filter_map(Value::as_str).collect();
        return format!("an object with {}", names.join(" and "));
    }
    alternative
        .get("type")
        .map_or_else(|| alternative.to_string(), |t| format!("a {t}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut input = json!({"limit": 13.0, "nested": [2.0, 2.5, "3.0", 1e3], "n": 7});
        assert!(integral_floats_to_integers(&mut input));
        assert_eq!(
            input,
            json!({"limit": 13, "nested": [2, 2.5, "3.0", 1000], "n": 7})
        );
        assert!(
            !integral_floats_to_integers(&mut input),
            "nothing left to change"
        );
        let mut huge = json!(1e300);
        assert!(!integral_floats_to_integers(&mut huge));
    }
}

#[cfg(test)]
mod pattern_messages {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pattern_violation_is_told_by_the_field_description() {
        let schema = json!({"type": "object", "properties": {
            "cron": {"type": "string", "pattern": "^[0-9]+$", "description": "Digits only."},
            "bare": {"type": "string", "pattern": "^a$"},
        }});
        let validator = Validator::compile(&schema).unwrap();
        let Err(Error::InvalidInput { message, pointer }) = validator.check(&json!({"cron": "x"}))
        else {
            panic!("refused");
        };
        assert_eq!(message, "/cron: \"x\" is not of this form: Digits only.");
        assert_eq!(pointer, "/cron");
        let Err(Error::InvalidInput { message, .. }) = validator.check(&json!({"bare": "b"}))
        else {
            panic!("refused");
        };
        assert!(message.contains("^a$"), "{message}");
    }
}

#[cfg(test)]
mod choice_messages {
    use super::*;
    use serde_json::json;

    fn message(schema: Value, input: Value) -> String {
        match Validator::compile(&schema).unwrap().check(&input) {
            Err(Error::InvalidInput { message, .. }) => message,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn an_enum_lists_every_allowed_value() {
        let schema = json!({"type": "object", "properties": {
            "format": {"type": "string", "enum": ["blog", "social", "email", "landing"]},
        }});
        assert_eq!(
            message(schema, json!({"format": "video"})),
            "/format: \"video\" is not allowed; it must be one of blog, social, email or landing"
        );
    }

    #[test]
    fn a_one_of_constants_lists_them() {
        let schema = json!({"type": "object", "properties": {
            "workflow": {"oneOf": [
                {"const": "research", "type": "string", "description": "The briefing."},
                {"const": "digest", "type": "string"},
            ]},
        }});
        assert_eq!(
            message(schema, json!({"workflow": "nope"})),
            "/workflow: \"nope\" is not allowed; it must be one of research or digest"
        );
    }

    #[test]
    fn a_one_of_shapes_tells_each_form() {
        let schema = json!({"anyOf": [
            {"type": "object", "required": ["id"]},
            {"type": "object", "required": ["url", "kind"]},
        ]});
        assert_eq!(
            message(schema, json!({})),
            "/: {} matches none of the accepted forms: an object with id; or an object with url and kind"
        );
    }
}
