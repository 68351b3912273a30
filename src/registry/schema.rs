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
                let pointer = violation.instance_path.to_string();
                let at = if pointer.is_empty() {
                    "/".to_owned()
                } else {
                    pointer.clone()
                };
                // A pattern says nothing to a person (the cron one is 600 characters); the
                // field's description says what the value should be.
                let described = match &violation.kind {
                    jsonschema::error::ValidationErrorKind::Pattern { .. } => {
                        let keyword = violation.schema_path.as_str();
                        let field = keyword.strip_suffix("/pattern").unwrap_or(keyword);
                        self.1
                            .pointer(field)
                            .and_then(|f| f.get("description"))
                            .and_then(Value::as_str)
                            .map(|what| {
                                format!("{} is not of this form: {what}", violation.instance)
                            })
                    }
                    _ => None,
                };
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
