//! JSON-lines access logs and app login events, read through a field mapping.
//! (Stub: being written; see the helper's task.)

use model::Event;
use serde::{Deserialize, Serialize};

use crate::{CompileError, Error, Result};

/// Which JSON field holds which event property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonMapping {
    /// The mapping's name, for reports (`nginx`, `caddy`, `login`...).
    pub name: String,
}

impl JsonMapping {
    /// A named preset (stub until the real presets land).
    pub fn preset(name: &str) -> Option<JsonMapping> {
        Some(JsonMapping { name: name.to_owned() })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct JsonParser {
    mapping: JsonMapping,
}

impl JsonParser {
    pub(crate) fn compile(mapping: JsonMapping) -> Result<JsonParser, CompileError> {
        Ok(JsonParser { mapping })
    }

    pub(crate) fn parse<'a>(&self, _line: &'a str, _default_offset: i32) -> Result<Event<'a>> {
        Err(Error::NotThisFormat { format: "json", reason: "not yet supported" }).map_err(|error| {
            let _ = &self.mapping;
            error
        })
    }
}
