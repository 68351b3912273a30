//! What a customer connects: a channel heycmo publishes to, or a Google product it reads from.
//! One table holds both, keyed by this name, and the vault seals each one's credentials under
//! a purpose bound to the customer and the name (`vault::connection_purpose`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::google::Source;
use crate::social::Platform;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Connectable {
    Social(Platform),
    Google(Source),
}

impl Connectable {
    pub fn as_str(self) -> &'static str {
        match self {
            Connectable::Social(platform) => platform.as_str(),
            Connectable::Google(source) => source.as_str(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Connectable::Social(platform) => platform.title(),
            Connectable::Google(source) => source.title(),
        }
    }

    pub fn parse(name: &str) -> Option<Connectable> {
        Platform::parse(name)
            .map(Connectable::Social)
            .or_else(|| Source::parse(name).map(Connectable::Google))
    }
}
