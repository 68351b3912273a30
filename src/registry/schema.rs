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

/// A compiled schema.
pub struct Validator(jsonschema::Validator);

impl Validator {
    pub fn compile(schema: &Value) -> Result<Validator, String> {
        // Formats (email, date-time) are checked too: the published schema is the contract, and
        // a value that breaks it should be refused with its pointer, not fail later in serde.
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema)
            .map(Validator)
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
                Err(Error::InvalidInput {
                    message: format!("{at}: {violation}"),
                    pointer,
                })
            }
        }
    }
}
