//! The canonical roster model, close to SS12000: organisations, persons, groups, memberships.
//! Mappings assign these fields; targets render them.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Organisation,
    Person,
    Group,
    Membership,
}

pub struct FieldDef {
    pub name: &'static str,
    /// Every mapping of this entity must assign it.
    pub required: bool,
    /// Personal data that plan output masks unless asked (`--show-sensitive`).
    pub sensitive: bool,
    /// The values allowed, when the field is an enumeration.
    pub allowed: Option<&'static [&'static str]>,
    pub doc: &'static str,
}

const fn field(name: &'static str, required: bool, doc: &'static str) -> FieldDef {
    FieldDef {
        name,
        required,
        sensitive: false,
        allowed: None,
        doc,
    }
}

const fn choice(
    name: &'static str,
    allowed: &'static [&'static str],
    doc: &'static str,
) -> FieldDef {
    FieldDef {
        name,
        required: true,
        sensitive: false,
        allowed: Some(allowed),
        doc,
    }
}

const fn sensitive(name: &'static str, doc: &'static str) -> FieldDef {
    FieldDef {
        name,
        required: false,
        sensitive: true,
        allowed: None,
        doc,
    }
}

pub const PERSON_ROLES: &[&str] = &["pupil", "teacher", "principal", "staff"];
pub const GROUP_TYPES: &[&str] = &["class", "teaching"];
pub const ORG_TYPES: &[&str] = &["owner", "school"];
pub const MEMBER_ROLES: &[&str] = &["pupil", "teacher"];

const ORGANISATION: &[FieldDef] = &[
    field("name", true, "display name"),
    choice(
        "type",
        ORG_TYPES,
        "`owner` (huvudman / school owner) or `school` (skolenhet)",
    ),
    field("code", false, "school unit code (skolenhetskod)"),
    field("parent", false, "key of the owning organisation"),
];

const PERSON: &[FieldDef] = &[
    field("givenName", true, "first name"),
    field("familyName", true, "last name"),
    choice(
        "role",
        PERSON_ROLES,
        "`pupil`, `teacher`, `principal` or `staff`",
    ),
    field("email", false, "e-mail address"),
    field("username", false, "login name, e.g. sAMAccountName"),
    field(
        "school",
        false,
        "key of the person's school unit (organisation)",
    ),
    field("grade", false, "årskurs for pupils"),
    sensitive(
        "civicNo",
        "personnummer; sent on only when a target needs it",
    ),
    sensitive("birthDate", "date of birth"),
];

const GROUP: &[FieldDef] = &[
    field("name", true, "display name"),
    choice(
        "type",
        GROUP_TYPES,
        "`class` (klass) or `teaching` (undervisningsgrupp)",
    ),
    field("school", true, "key of the school unit (organisation)"),
    field("schoolYear", false, "läsår, e.g. `2026/27`"),
    field("start", false, "first day, YYYY-MM-DD"),
    field("end", false, "last day, YYYY-MM-DD"),
];

const MEMBERSHIP: &[FieldDef] = &[
    field("person", true, "key of the person"),
    field("group", true, "key of the group"),
    choice("role", MEMBER_ROLES, "`pupil` or `teacher`"),
    field("start", false, "first day, YYYY-MM-DD"),
    field("end", false, "last day, YYYY-MM-DD"),
];

impl EntityKind {
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Organisation,
        EntityKind::Person,
        EntityKind::Group,
        EntityKind::Membership,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Organisation => "organisation",
            EntityKind::Person => "person",
            EntityKind::Group => "group",
            EntityKind::Membership => "membership",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    pub fn fields(self) -> &'static [FieldDef] {
        match self {
            EntityKind::Organisation => ORGANISATION,
            EntityKind::Person => PERSON,
            EntityKind::Group => GROUP,
            EntityKind::Membership => MEMBERSHIP,
        }
    }

    pub fn field_index(self, name: &str) -> Option<usize> {
        self.fields().iter().position(|f| f.name == name)
    }
}
