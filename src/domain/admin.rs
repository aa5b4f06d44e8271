//! Who counts as an admin: the admin role on the admin project, or on the whole system.
#[derive(Debug, Clone)]
pub struct AdminPolicy {
    pub role: String,
    pub project: String,
    /// Matched against the project's domain id or name.
    pub project_domain: String,
}

/// The scope and roles of a validated Keystone token.
#[derive(Debug, Clone, Default)]
pub struct TokenScope {
    pub roles: Vec<String>,
    pub project: Option<ProjectScope>,
    pub system_all: bool,
}

#[derive(Debug, Clone)]
pub struct ProjectScope {
    pub name: String,
    pub domain_id: String,
    pub domain_name: String,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> AdminPolicy {
        AdminPolicy { role: "admin".into(), project: "admin".into(), project_domain: "default".into() }
    }

    fn project(name: &str, domain_id: &str, roles: &[&str]) -> TokenScope {
        TokenScope {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            project: Some(ProjectScope {
                name: name.into(),
                domain_id: domain_id.into(),
                domain_name: "Default".into(),
            }),
            system_all: false,
        }
    }

    #[test]
    fn the_admin_role_on_the_admin_project_is_allowed() {
        assert!(policy().allows(&project("admin", "default", &["reader", "member", "admin"])));
    }

    #[test]
    fn a_member_of_the_admin_project_is_refused() {
        assert!(!policy().allows(&project("admin", "default", &["reader", "member"])));
    }

    #[test]
    fn the_admin_role_on_another_project_or_domain_is_refused() {
        assert!(!policy().allows(&project("demo", "default", &["admin"])));
        assert!(!policy().allows(&project("admin", "other", &["admin"])));
    }

    #[test]
    fn the_domain_may_be_named_by_name() {
        let by_name = AdminPolicy { project_domain: "Default".into(), ..policy() };
        assert!(by_name.allows(&project("admin", "default", &["admin"])));
    }

    #[test]
    fn a_system_scoped_admin_is_allowed_and_a_system_reader_is_not() {
        let admin = TokenScope { roles: vec!["admin".into()], project: None, system_all: true };
        assert!(policy().allows(&admin));
        let reader = TokenScope { roles: vec!["reader".into()], project: None, system_all: true };
        assert!(!policy().allows(&reader));
    }

    #[test]
    fn an_unscoped_token_is_refused() {
        let unscoped = TokenScope { roles: vec![], project: None, system_all: false };
        assert!(!policy().allows(&unscoped));
    }
}
