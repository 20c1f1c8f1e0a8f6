//! Defender's role-based access for delegated users: device groups defined by rules on
//! device name, domain, OS and tags (a device belongs to the best-ranked group whose rules
//! it matches), and roles that give user groups a permission (View Data) over device
//! groups. A user's queries see only rows of devices in their groups: the filter is a
//! `RowFilter` applied by the store below the query, on every table with a `DeviceId`.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::logical_expr::Expr;
use datafusion::prelude::{ident, lit};
use quarry_store::RowFilter;
use quarry_store::schema::StoredTable;

use crate::config::{DeviceGroupConfig, DeviceRules, TenantSection};

/// The group of devices no group's rules match.
pub const UNGROUPED: &str = "Ungrouped devices (default)";

/// What is known of a device for group rules.
#[derive(Debug, Clone, Default)]
pub struct DeviceFacts {
    pub id: String,
    pub name: String,
    pub os: String,
    pub tags: Vec<String>,
}

impl DeviceFacts {
    /// The DNS domain: the device name after its first dot.
    pub fn domain(&self) -> &str {
        self.name.split_once('.').map(|(_, d)| d).unwrap_or("")
    }
}

fn any_eq(values: &[String], v: &str) -> bool {
    values.iter().any(|x| x.eq_ignore_ascii_case(v))
}

fn rules_match(rules: &DeviceRules, d: &DeviceFacts) -> bool {
    let name = d.name.to_ascii_lowercase();
    (rules.name_starts_with.is_empty()
        || rules
            .name_starts_with
            .iter()
            .any(|p| name.starts_with(&p.to_ascii_lowercase())))
        && (rules.name_contains.is_empty()
            || rules
                .name_contains
                .iter()
                .any(|p| name.contains(&p.to_ascii_lowercase())))
        && (rules.domain.is_empty() || any_eq(&rules.domain, d.domain()))
        && (rules.os.is_empty() || any_eq(&rules.os, &d.os))
        && (rules.tag.is_empty() || d.tags.iter().any(|t| any_eq(&rules.tag, t)))
}

/// The device's group: the best-ranked (lowest rank number) whose rules match.
pub fn group_of<'a>(groups: &'a [DeviceGroupConfig], d: &DeviceFacts) -> &'a str {
    groups
        .iter()
        .filter(|g| rules_match(&g.rules, d))
        .min_by_key(|g| g.rank)
        .map(|g| g.name.as_str())
        .unwrap_or(UNGROUPED)
}

/// What a principal may see.
#[derive(Debug, Clone)]
pub enum DeviceScope {
    /// Application tokens and users with an all-devices role.
    AllDevices,
    /// These device groups only.
    Groups(HashSet<String>),
}

/// The device scope of a user in `groups`, from the tenant's roles. A user without any
/// role carrying View Data may not query at all.
pub fn user_scope(tenant: &TenantSection, user_groups: &[String]) -> Result<DeviceScope, String> {
    let roles: Vec<_> = tenant
        .roles
        .iter()
        .filter(|r| {
            r.permissions
                .iter()
                .any(|p| p.eq_ignore_ascii_case("ViewData"))
        })
        .filter(|r| r.user_groups.iter().any(|g| user_groups.contains(g)))
        .collect();
    if roles.is_empty() {
        return Err("the user has no role with the View Data permission".into());
    }
    if roles
        .iter()
        .any(|r| r.device_groups.iter().any(|g| g == "*"))
    {
        return Ok(DeviceScope::AllDevices);
    }
    Ok(DeviceScope::Groups(
        roles
            .iter()
            .flat_map(|r| r.device_groups.iter().cloned())
            .collect(),
    ))
}

/// Device ids a scope allows, given the tenant's devices.
pub fn allowed_devices(
    tenant: &TenantSection,
    devices: &[DeviceFacts],
    groups: &HashSet<String>,
) -> HashSet<String> {
    devices
        .iter()
        .filter(|d| groups.contains(group_of(&tenant.device_groups, d)))
        .map(|d| d.id.clone())
        .collect()
}

/// Keeps rows whose `DeviceId` is one of the allowed devices (rows without a device, such
/// as email or identity events, stay).
#[derive(Debug)]
pub struct DeviceFilter {
    allowed: Arc<Vec<String>>,
}

impl DeviceFilter {
    pub fn new(allowed: HashSet<String>) -> Self {
        let mut v: Vec<String> = allowed.into_iter().collect();
        v.sort();
        DeviceFilter {
            allowed: Arc::new(v),
        }
    }
}

impl RowFilter for DeviceFilter {
    fn predicate(&self, table: &StoredTable) -> Option<Expr> {
        table.column_index("DeviceId")?;
        let device = ident("DeviceId");
        let list: Vec<Expr> = self.allowed.iter().map(|d| lit(d.as_str())).collect();
        let allowed = if list.is_empty() {
            lit(false)
        } else {
            device.clone().in_list(list, false)
        };
        Some(device.is_null().or(allowed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, RoleConfig};

    fn tenant() -> TenantSection {
        let c = Config::parse(crate::config::EMBEDDED_DEFAULT, std::path::Path::new("d"))
            .expect("config");
        c.tenants[0].clone()
    }

    fn device(id: &str, name: &str, os: &str) -> DeviceFacts {
        DeviceFacts {
            id: id.into(),
            name: name.into(),
            os: os.into(),
            tags: vec![],
        }
    }

    #[test]
    fn the_best_ranked_matching_group_wins() {
        let t = tenant();
        assert_eq!(
            group_of(
                &t.device_groups,
                &device("1", "dc01.contoso.local", "WindowsServer2022")
            ),
            "Domain controllers"
        );
        assert_eq!(
            group_of(
                &t.device_groups,
                &device("2", "sql01.contoso.local", "WindowsServer2022")
            ),
            "Servers"
        );
        assert_eq!(
            group_of(
                &t.device_groups,
                &device("3", "ws-1.contoso.local", "Windows11")
            ),
            "Workstations"
        );
        assert_eq!(
            group_of(&t.device_groups, &device("4", "printer", "Unknown")),
            UNGROUPED
        );
    }

    #[test]
    fn roles_give_user_groups_device_groups() {
        let mut t = tenant();
        let scope = user_scope(&t, &["Workstation analysts".into()]).expect("scope");
        let DeviceScope::Groups(g) = scope else {
            panic!("groups")
        };
        assert!(g.contains("Workstations") && g.len() == 1);
        assert!(matches!(
            user_scope(&t, &["Security administrators".into()]),
            Ok(DeviceScope::AllDevices)
        ));
        assert!(user_scope(&t, &["Nobody".into()]).is_err());
        t.roles.push(RoleConfig {
            name: "no data".into(),
            permissions: vec!["ManageSettings".into()],
            user_groups: vec!["Admins".into()],
            device_groups: vec!["*".into()],
        });
        assert!(
            user_scope(&t, &["Admins".into()]).is_err(),
            "a role without View Data gives no access"
        );
        let devices = vec![
            device("a", "ws-1", "Windows10"),
            device("b", "srv", "WindowsServer2019"),
        ];
        let allowed = allowed_devices(
            &t,
            &devices,
            &["Workstations".to_string()].into_iter().collect(),
        );
        assert_eq!(allowed, ["a".to_string()].into_iter().collect());
    }

    #[test]
    fn the_filter_applies_only_to_tables_with_a_device_id() {
        let f = DeviceFilter::new(["a".to_string()].into_iter().collect());
        let procs = quarry_store::schema::table("DeviceProcessEvents").expect("table");
        let email = quarry_store::schema::table("EmailEvents").expect("table");
        assert!(f.predicate(procs).is_some());
        assert!(f.predicate(email).is_none());
    }
}
