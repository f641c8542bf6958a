//! The PIFU-IMS elements, in the order and shape the schema requires: `<person>`, `<group>`
//! for organisations and for groups, and `<membership>` with its members.

use super::limits::{EmailRule, admin_period, cut, fit};
use super::xml::{Xml, XmlResult};
use crate::model::{EntityKind, FieldsRef};
use crate::target::options::PifuOptions;

/// One record as an element sees it: key, values in schema order, and what the receiver
/// should do with it (`recstatus`; none in a full document).
pub struct Item<'a> {
    pub key: &'a str,
    pub old_key: Option<&'a str>,
    pub fields: Option<FieldsRef<'a>>,
    pub recstatus: Option<u8>,
}

impl Item<'_> {
    fn get(&self, kind: EntityKind, field: &str) -> Option<&str> {
        crate::model::field_value(kind, self.fields?, field)
    }
}

/// One member of a group: a person, their role code and the dates of the membership.
pub struct Member<'a> {
    pub person: &'a str,
    pub roletype: &'static str,
    pub begin: Option<&'a str>,
    pub end: Option<&'a str>,
    pub recstatus: Option<u8>,
}

/// Writes the elements of one document.
pub struct Elements<'o> {
    pub xml: Xml,
    pub options: &'o PifuOptions,
    pub email: EmailRule,
}

impl Elements<'_> {
    pub fn properties(&mut self, today: &str) -> XmlResult {
        let x = &mut self.xml;
        x.open("properties", &[("lang", "no")])?;
        x.leaf("datasource", &[], &self.options.source)?;
        x.leaf("type", &[], self.options.document.name())?;
        x.leaf("datetime", &[], today)?;
        x.close("properties")
    }

    fn sourcedid(&mut self, id: &str, kind: Option<&str>) -> XmlResult {
        let attrs: Vec<(&str, &str)> = kind.map(|k| ("sourcedidtype", k)).into_iter().collect();
        self.xml.open("sourcedid", &attrs)?;
        self.xml.leaf("source", &[], &self.options.source)?;
        self.xml.leaf("id", &[], fit(id, 256, "the id", id)?)?;
        self.xml.close("sourcedid")
    }

    fn open_record(&mut self, name: &str, item: &Item) -> XmlResult {
        let status = item.recstatus.map(|s| s.to_string());
        let attrs: Vec<(&str, &str)> = status
            .as_deref()
            .map(|s| ("recstatus", s))
            .into_iter()
            .collect();
        self.xml.open(name, &attrs)?;
        match item.old_key {
            Some(old) => {
                self.sourcedid(old, Some("Old"))?;
                self.sourcedid(item.key, Some("New"))
            }
            None => self.sourcedid(item.key, None),
        }
    }

    fn sends(&self, field: &str) -> bool {
        self.options.send.iter().any(|f| f == field)
    }

    pub fn person(&mut self, item: &Item) -> XmlResult {
        let k = EntityKind::Person;
        let key = item.key;
        let given = fit(
            item.get(k, "givenName").unwrap_or(""),
            256,
            "the given name",
            key,
        )?;
        let family = fit(
            item.get(k, "familyName").unwrap_or(""),
            256,
            "the family name",
            key,
        )?;
        let full = format!("{given} {family}");
        self.open_record("person", item)?;
        if self.sends("civicNo")
            && let Some(nin) = item.get(k, "civicNo")
        {
            self.xml.leaf(
                "userid",
                &[("useridtype", "personNIN")],
                fit(nin, 256, "civicNo", key)?,
            )?;
        }
        if let Some(user) = item.get(k, "username") {
            self.xml.leaf(
                "userid",
                &[("useridtype", "username")],
                fit(user, 256, "the username", key)?,
            )?;
        }
        self.xml.open("name", &[])?;
        self.xml
            .leaf("fn", &[], fit(full.trim(), 256, "the full name", key)?)?;
        self.xml.open("n", &[])?;
        self.xml.leaf("family", &[], family)?;
        self.xml.leaf("given", &[], given)?;
        self.xml.close("n")?;
        self.xml.close("name")?;
        if self.sends("birthDate")
            && let Some(day) = item.get(k, "birthDate")
        {
            self.xml.open("demographics", &[])?;
            self.xml.leaf("bday", &[], date(day, "birthDate", key)?)?;
            self.xml.close("demographics")?;
        }
        if let Some(mail) = item.get(k, "email") {
            if !self.email.accepts(mail) {
                return Err(format!(
                    "person `{key}` has e-mail `{mail}`, which PIFU-IMS does not accept (it needs name@domain.tld)"
                ));
            }
            self.xml
                .leaf("email", &[], fit(mail, 256, "the e-mail", key)?)?;
        }
        self.xml.close("person")
    }

    /// An organisation: `skoleeier` (owner) or `skole` (school unit), under its parent.
    pub fn organisation(&mut self, item: &Item, parent: Option<(&str, &str)>) -> XmlResult {
        let k = EntityKind::Organisation;
        let name = item.get(k, "name").unwrap_or(item.key);
        let (level, value) = match item.get(k, "type") {
            Some("owner") => ("1", "skoleeier"),
            _ => ("2", "skole"),
        };
        self.open_record("group", item)?;
        self.grouptype("pifu-ims-go-org", level, value)?;
        self.description(name, item.key)?;
        let (parent_key, parent_name) = parent.unwrap_or((item.key, name));
        self.relationship(parent_key, parent_name)?;
        self.xml.close("group")
    }

    /// A class (`basisgruppe`) or teaching group (`undervisningsgruppe`) under its school.
    pub fn group(&mut self, item: &Item, school_name: &str) -> XmlResult {
        let k = EntityKind::Group;
        let key = item.key;
        let name = item.get(k, "name").unwrap_or(key);
        let (level, value) = match item.get(k, "type") {
            Some("class") => ("1", "basisgruppe"),
            _ => ("2", "undervisningsgruppe"),
        };
        self.open_record("group", item)?;
        self.grouptype("pifu-ims-go-grp", level, value)?;
        self.description(name, key)?;
        let begin = item.get(k, "start");
        let end = item.get(k, "end");
        let period = item.get(k, "schoolYear").and_then(admin_period);
        if begin.is_some() || end.is_some() || period.is_some() {
            self.xml.open("timeframe", &[])?;
            if let Some(day) = begin {
                self.xml
                    .leaf("begin", &[("restrict", "0")], date(day, "start", key)?)?;
            }
            if let Some(day) = end {
                self.xml
                    .leaf("end", &[("restrict", "0")], date(day, "end", key)?)?;
            }
            if let Some(p) = &period {
                self.xml.leaf("adminperiod", &[], p)?;
            }
            self.xml.close("timeframe")?;
        }
        let school = item.get(k, "school").unwrap_or("");
        self.relationship(school, school_name)?;
        self.xml.close("group")
    }

    /// `<membership>` of one group with its members.
    pub fn membership(&mut self, group: &str, members: &[Member]) -> XmlResult {
        self.xml.open("membership", &[])?;
        self.sourcedid(group, None)?;
        for m in members {
            self.member(m)?;
        }
        self.xml.close("membership")
    }

    fn member(&mut self, m: &Member) -> XmlResult {
        self.xml.open("member", &[])?;
        self.sourcedid(m.person, None)?;
        self.xml.leaf("idtype", &[], "1")?;
        let status = m.recstatus.map(|s| s.to_string());
        let mut attrs = vec![("roletype", m.roletype)];
        if let Some(s) = status.as_deref() {
            attrs.insert(0, ("recstatus", s));
        }
        self.xml.open("role", &attrs)?;
        let active = if m.recstatus == Some(3) { "0" } else { "1" };
        self.xml.leaf("status", &[], active)?;
        if m.begin.is_some() || m.end.is_some() {
            self.xml.open("timeframe", &[])?;
            if let Some(day) = m.begin {
                self.xml.leaf("begin", &[], date(day, "start", m.person)?)?;
            }
            if let Some(day) = m.end {
                self.xml.leaf("end", &[], date(day, "end", m.person)?)?;
            }
            self.xml.close("timeframe")?;
        }
        self.xml.close("role")?;
        self.xml.close("member")
    }

    fn grouptype(&mut self, scheme: &str, level: &str, value: &str) -> XmlResult {
        self.xml.open("grouptype", &[])?;
        self.xml.leaf("scheme", &[], scheme)?;
        self.xml.leaf("typevalue", &[("level", level)], value)?;
        self.xml.close("grouptype")
    }

    fn description(&mut self, name: &str, key: &str) -> XmlResult {
        self.xml.open("description", &[])?;
        self.xml.leaf("short", &[], &cut(name, 60))?;
        self.xml
            .leaf("long", &[], fit(name, 256, "the name", key)?)?;
        self.xml.close("description")
    }

    fn relationship(&mut self, parent: &str, label: &str) -> XmlResult {
        self.xml.open("relationship", &[("relation", "1")])?;
        self.sourcedid(parent, None)?;
        self.xml.leaf("label", &[], &cut(label, 128))?;
        self.xml.close("relationship")
    }
}

/// A date as the schema's `xs:date`; an error names the record and field.
fn date<'d>(text: &'d str, field: &str, key: &str) -> Result<&'d str, String> {
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(_) => Ok(text),
        // A birth date is personal data: it is never repeated in a message.
        Err(_) if field == "birthDate" => Err(format!(
            "`birthDate` of `{key}` is not a date like 2026-08-17 (PIFU-IMS needs ISO dates)"
        )),
        Err(_) => Err(format!(
            "`{field}` of `{key}` is `{text}`, not a date like 2026-08-17 (PIFU-IMS needs ISO dates)"
        )),
    }
}

/// IMS role codes: 01 Learner for pupils, 02 Instructor for staff.
pub fn roletype(role: Option<&str>) -> &'static str {
    match role {
        Some("pupil") => "01",
        _ => "02",
    }
}
