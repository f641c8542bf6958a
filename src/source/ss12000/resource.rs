//! The typed datasets an SS12000 source offers: which endpoint each is read from and the
//! columns it has. The columns are fixed, so mappings are checked without asking the server.

/// One dataset kind. Some are rows of a list nested in another resource (a group's
/// memberships, a person's enrolments, a duty's assignment roles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Organisations,
    Persons,
    Enrolments,
    Groups,
    GroupMemberships,
    Placements,
    Duties,
    AssignmentRoles,
}

/// The endpoints read; several datasets can come from one endpoint. Persons sort first:
/// they are read first, so that every other endpoint is read knowing who is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Persons,
    Organisations,
    Groups,
    Placements,
    Duties,
}

impl Endpoint {
    pub const ALL: [Endpoint; 5] = [
        Endpoint::Persons,
        Endpoint::Organisations,
        Endpoint::Groups,
        Endpoint::Placements,
        Endpoint::Duties,
    ];

    /// The endpoint of `name` (its path without the `/`).
    pub fn parse(name: &str) -> Option<Endpoint> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    pub fn name(self) -> &'static str {
        &self.path()[1..]
    }

    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Organisations => "/organisations",
            Endpoint::Persons => "/persons",
            Endpoint::Groups => "/groups",
            Endpoint::Placements => "/placements",
            Endpoint::Duties => "/duties",
        }
    }

    /// The endpoint's object type (`Code_ObjectType`), as `/deletedEntities?entities=` names it.
    pub fn object_type(self) -> &'static str {
        match self {
            Endpoint::Organisations => "Organisation",
            Endpoint::Persons => "Person",
            Endpoint::Groups => "Group",
            Endpoint::Placements => "Placement",
            Endpoint::Duties => "Duty",
        }
    }
}

impl Resource {
    pub const ALL: &'static [Resource] = &[
        Resource::Organisations,
        Resource::Persons,
        Resource::Enrolments,
        Resource::Groups,
        Resource::GroupMemberships,
        Resource::Placements,
        Resource::Duties,
        Resource::AssignmentRoles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Resource::Organisations => "organisations",
            Resource::Persons => "persons",
            Resource::Enrolments => "enrolments",
            Resource::Groups => "groups",
            Resource::GroupMemberships => "groupMemberships",
            Resource::Placements => "placements",
            Resource::Duties => "duties",
            Resource::AssignmentRoles => "assignmentRoles",
        }
    }

    pub fn parse(text: &str) -> Option<Resource> {
        Self::ALL.iter().copied().find(|r| r.name() == text)
    }

    pub fn names() -> impl Iterator<Item = &'static str> + Clone {
        Self::ALL.iter().map(|r| r.name())
    }

    pub fn endpoint(self) -> Endpoint {
        match self {
            Resource::Organisations => Endpoint::Organisations,
            Resource::Persons | Resource::Enrolments => Endpoint::Persons,
            Resource::Groups | Resource::GroupMemberships => Endpoint::Groups,
            Resource::Placements => Endpoint::Placements,
            Resource::Duties | Resource::AssignmentRoles => Endpoint::Duties,
        }
    }

    /// The endpoint's URL, and the list in it when the rows come from a nested list.
    pub fn display(self, base: &str) -> String {
        let path = self.endpoint().path();
        let url = format!("{}{path}", base.trim_end_matches('/'));
        if path[1..] == *self.name() {
            url
        } else {
            format!("{url} ({})", self.name())
        }
    }

    /// The rows name persons by id (so protected persons' rows must be dropped).
    pub fn refers_to_persons(self) -> bool {
        !matches!(self, Resource::Organisations | Resource::Groups)
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Resource::Organisations => &[
                "id",
                "displayName",
                "organisationCode",
                "organisationType",
                "organisationNumber",
                "parentOrganisation",
                "schoolUnitCode",
                "schoolTypes",
                "municipalityCode",
                "email",
                "startDate",
                "endDate",
                "modified",
            ],
            Resource::Persons => &[
                "id",
                "givenName",
                "middleName",
                "familyName",
                "civicNo",
                "birthDate",
                "sex",
                "personStatus",
                "email",
                "emails",
                "eduPersonPrincipalName",
                "externalIdentifier",
                "enroledAt",
                "schoolType",
                "schoolYear",
                "modified",
            ],
            Resource::Enrolments => &[
                "person",
                "enroledAt",
                "schoolType",
                "schoolYear",
                "startDate",
                "endDate",
                "cancelled",
                "educationCode",
                "programme",
            ],
            Resource::Groups => &[
                "id",
                "displayName",
                "groupType",
                "schoolType",
                "organisation",
                "startDate",
                "endDate",
                "modified",
            ],
            Resource::GroupMemberships => &["group", "person", "startDate", "endDate"],
            Resource::Placements => &[
                "id",
                "child",
                "placedAt",
                "group",
                "schoolType",
                "startDate",
                "endDate",
                "reason",
                "owners",
                "modified",
            ],
            Resource::Duties => &[
                "id",
                "person",
                "dutyAt",
                "dutyRole",
                "signature",
                "dutyPercent",
                "startDate",
                "endDate",
                "modified",
            ],
            Resource::AssignmentRoles => &[
                "duty",
                "person",
                "group",
                "assignmentRoleType",
                "startDate",
                "endDate",
            ],
        }
    }
}
