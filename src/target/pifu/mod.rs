//! IMS Enterprise 1.1 in the Norwegian PIFU-IMS profile (itslearning and others): one XML
//! document per apply, `full` (everything the target holds) or `delta` (this run's changes
//! with `recstatus` 1 add, 2 update, 3 delete). Every document validates against
//! `PIFU-IMS_SAS.xsd` (tests/fixtures/pifu-ims/).
//!
//! | roster-etl | PIFU-IMS |
//! |---|---|
//! | organisation `owner` / `school` | `<group>` scheme `pifu-ims-go-org`, `skoleeier` / `skole` |
//! | group `class` / `teaching` | `<group>` scheme `pifu-ims-go-grp`, `basisgruppe` / `undervisningsgruppe` |
//! | person | `<person>`, and a member of their school |
//! | membership | `<member>` of the group's `<membership>`, roletype 01 pupil, 02 teacher |
//! | re-key | `<sourcedid sourcedidtype="Old">` and `"New"` |
//! | trash, delete | left out of a full document; `recstatus="3"` in a delta |

mod delta;
mod elements;
mod full;
mod limits;
mod xml;

use crate::model::EntityKind;
use crate::target::RenderInput as Input;
use crate::target::folder::Staged;
use crate::target::options::{Document, PifuOptions};
use std::collections::BTreeMap;

pub fn render(input: &Input, options: &PifuOptions, out: &mut Staged) -> Result<(), String> {
    let (name, bytes) = match options.document {
        Document::Full => ("enterprise.xml".to_string(), full::render(input, options)?),
        Document::Delta => (
            format!("delta-{:06}.xml", input.serial),
            delta::render(input, options)?,
        ),
    };
    out.put(&name, &bytes)
        .map_err(|e| format!("cannot write {name}: {e}"))
}

/// The opening of every document: `<enterprise>` in the PIFU-IMS namespace and its properties.
fn start<'o>(options: &'o PifuOptions, today: &str) -> Result<elements::Elements<'o>, String> {
    let mut e = elements::Elements {
        xml: xml::Xml::new()?,
        options,
        email: limits::EmailRule::new(),
    };
    e.xml.open(
        "enterprise",
        &[
            ("xmlns", "http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1 PIFU-IMS_SAS.xsd",
            ),
        ],
    )?;
    e.properties(today)?;
    Ok(e)
}

/// Organisation names by key, for relationship labels.
fn org_names<'s>(input: &Input<'s>) -> BTreeMap<&'s str, &'s str> {
    input
        .held
        .records(EntityKind::Organisation)
        .map(|(key, r)| {
            let name = r.get(EntityKind::Organisation, "name").unwrap_or(key);
            (key, name)
        })
        .collect()
}

fn finish(mut e: elements::Elements) -> Result<Vec<u8>, String> {
    e.xml.close("enterprise")?;
    Ok(e.xml.finish())
}
