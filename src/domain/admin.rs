//! Who counts as an admin: the admin role on the admin project or the system; a domain admin
//! for the users of their own domain; an unscoped token once rescoped to the admin project.
#[derive(Debug, Clone)]
pub struct AdminPolicy {
    pub role: String,
    pub project: String,
    /// Matched against the project's domain id or name.
    pub project_domain: String,
    /// Roles that make a domain-scoped token an admin of that domain's users.
    pub domain_admin_roles: Vec<String>,
}

/// The scope and roles of a validated Keystone token.
#[derive(Debug, Clone, Default)]
pub struct TokenScope {
    pub roles: Vec<String>,
    pub project: Option<ProjectScope>,
    /// The domain of a domain-scoped token.
    pub domain_id: Option<String>,
    pub system_all: bool,
}

#[derive(Debug, Clone)]
pub struct ProjectScope {
    pub name: String,
    pub domain_id: String,
    pub domain_name: String,
}

/// What the admin API may do with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Any user.
    CloudAdmin,
    /// Only users whose domain is this one.
    DomainAdmin(String),
    /// Unscoped: rescope to the admin project and decide again on the result.
    Rescope,
    Refused,
}

impl TokenScope {
    pub fn is_unscoped(&self) -> bool {
        self.project.is_none() && self.domain_id.is_none() && !self.system_all
    }
}

impl AdminPolicy {
    /// Both the role and the scope must match. A member of the admin project is not an
    /// admin, and an admin of some other project is not either.
    pub fn allows(&self, scope: &TokenScope) -> bool {
        let has_role = scope.roles.iter().any(|role| role == &self.role);
        let admin_scope = scope.system_all
            || scope.project.as_ref().is_some_and(|project| {
                project.name == self.project
                    && (project.domain_id == self.project_domain
                        || project.domain_name == self.project_domain)
            });
        has_role && admin_scope
    }

    pub fn decide(&self, scope: &TokenScope) -> Decision {
        if self.allows(scope) {
            return Decision::CloudAdmin;
        }
        if scope.is_unscoped() {
            return Decision::Rescope;
        }
        match &scope.domain_id {
            Some(domain) if scope.roles.iter().any(|role| self.domain_admin_roles.contains(role)) => {
                Decision::DomainAdmin(domain.clone())
            }
            _ => Decision::Refused,
        }
    }
}

/// Why the admin check turned a caller away (typed; `text::admin` words it in English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    NoToken,
    InvalidToken,
    /// The token has none of the roles that make an admin.
    NotAdmin {
        role: String,
        project: String,
        domain_admin_roles: Vec<String>,
    },
    /// A domain admin asked about a user outside their domain (or one Keystone hides from them).
    OutsideDomain,
    /// Keystone answered 403 to the token's validation.
    ValidationRefused,
    /// Keystone answered 403 to reading the user with the caller's token.
    UserHidden,
    NoSuchUser(crate::domain::UserId),
}

/// Why the admin API refuses a request it understood (typed; `text::admin` words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRefusal {
    /// The record cannot be created or renewed as asked.
    Issue(crate::domain::onboarding::IssueError),
    NoRecord(crate::domain::UserId),
    /// setpass switched the user's MFA rules off and has not yet switched them back on.
    MfaOwed(crate::domain::UserId),
    /// A domain admin asked to list another domain's records.
    OtherDomain {
        own: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> AdminPolicy {
        AdminPolicy {
            role: "admin".into(),
            project: "admin".into(),
            project_domain: "default".into(),
            domain_admin_roles: vec!["admin".into(), "manager".into()],
        }
    }

    fn project(name: &str, domain_id: &str, roles: &[&str]) -> TokenScope {
        TokenScope {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            project: Some(ProjectScope {
                name: name.into(),
                domain_id: domain_id.into(),
                domain_name: "Default".into(),
            }),
            ..TokenScope::default()
        }
    }

    fn domain(id: &str, roles: &[&str]) -> TokenScope {
        TokenScope {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            domain_id: Some(id.into()),
            ..TokenScope::default()
        }
    }

    #[test]
    fn the_admin_role_on_the_admin_project_is_allowed() {
        assert!(policy().allows(&project("admin", "default", &["reader", "member", "admin"])));
    }

    #[test]
    fn a_member_of_the_admin_project_is_refused() {
        assert!(!policy().allows(&project("admin", "default", &["reader", "member"])));
        assert_eq!(policy().decide(&project("admin", "default", &["member"])), Decision::Refused);
    }

    #[test]
    fn the_admin_role_on_another_project_or_domain_is_refused() {
        assert!(!policy().allows(&project("demo", "default", &["admin"])));
        assert!(!policy().allows(&project("admin", "other", &["admin"])));
        assert_eq!(policy().decide(&project("demo", "default", &["admin"])), Decision::Refused);
    }

    #[test]
    fn the_domain_may_be_named_by_name() {
        let by_name = AdminPolicy { project_domain: "Default".into(), ..policy() };
        assert!(by_name.allows(&project("admin", "default", &["admin"])));
    }

    #[test]
    fn a_system_scoped_admin_is_allowed_and_a_system_reader_is_not() {
        let admin = TokenScope { roles: vec!["admin".into()], system_all: true, ..TokenScope::default() };
        assert_eq!(policy().decide(&admin), Decision::CloudAdmin);
        let reader = TokenScope { roles: vec!["reader".into()], system_all: true, ..TokenScope::default() };
        assert_eq!(policy().decide(&reader), Decision::Refused);
    }

    #[test]
    fn an_unscoped_token_is_rescoped_before_anything_is_allowed() {
        let unscoped = TokenScope::default();
        assert!(!policy().allows(&unscoped));
        assert_eq!(policy().decide(&unscoped), Decision::Rescope);
    }

    #[test]
    fn a_domain_admin_or_manager_manages_their_own_domain_only() {
        assert_eq!(policy().decide(&domain("d1", &["manager"])), Decision::DomainAdmin("d1".into()));
        assert_eq!(policy().decide(&domain("d1", &["admin"])), Decision::DomainAdmin("d1".into()));
        assert_eq!(policy().decide(&domain("d1", &["member", "reader"])), Decision::Refused);
        let off = AdminPolicy { domain_admin_roles: vec![], ..policy() };
        assert_eq!(off.decide(&domain("d1", &["admin"])), Decision::Refused);
    }
}
