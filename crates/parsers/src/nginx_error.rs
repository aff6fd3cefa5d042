//! The nginx error log. (Stub: being written; see the helper's task.)

use model::Event;

use crate::{Error, Result};

pub(crate) fn parse(_line: &str, _default_offset: i32) -> Result<Event<'_>> {
    Err(Error::NotThisFormat { format: "nginx error log", reason: "not yet supported" })
}
