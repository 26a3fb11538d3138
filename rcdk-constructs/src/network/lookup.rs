//! Lookups of existing network resources in the stack's account: a VPC with its subnets
//! ([`ImportedVpc::lookup`]) and a Route 53 hosted zone ([`HostedZone::lookup`]). The answers
//! come from `cdk.context.json` (see [`rcdk_core::context`]); synthesis itself never calls AWS.

use std::collections::BTreeMap;

use rcdk_core::context::{ContextProvider, LookupError};
use rcdk_core::kind::{AvailabilityZone, HostedZoneId, VpcId};
use rcdk_core::{Stack, Val};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::ConstructError;
use crate::network::imported_vpc::{ImportedVpc, VpcAttributes};
use crate::network::tier::TierKind;
use crate::network::vpc_trait::{SubnetInfo, TierInfo};

/// Which VPC to look up: the EC2 DescribeVpcs filters, as the AWS CDK's `Vpc.fromLookup`
/// writes them (so their context keys are the same). Every filter must match.
///
/// ```
/// use rcdk_constructs::network::VpcLookup;
/// let prod = VpcLookup::name("prod").tag("team", "payments");
/// # let _ = prod;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcLookup {
    filter: BTreeMap<String, String>,
    subnet_group_name_tag: Option<String>,
}

impl VpcLookup {
    /// The VPC with this id (`vpc-...`).
    pub fn id(vpc_id: impl Into<String>) -> VpcLookup {
        VpcLookup::default().filter("vpc-id", vpc_id)
    }

    /// The VPC whose `Name` tag is `name`.
    pub fn name(name: impl Into<String>) -> VpcLookup {
        VpcLookup::default().filter("tag:Name", name)
    }

    /// The account's default VPC of the region.
    pub fn default_vpc() -> VpcLookup {
        VpcLookup::default().filter("isDefault", "true")
    }

    /// The VPC tagged `key` = `value`.
    pub fn tagged(key: &str, value: impl Into<String>) -> VpcLookup {
        VpcLookup::default().tag(key, value)
    }

    /// Also requires the tag `key` = `value`.
    pub fn tag(self, key: &str, value: impl Into<String>) -> VpcLookup {
        self.filter(format!("tag:{key}"), value)
    }

    /// Also requires the DescribeVpcs filter `name` = `value` (`cidr`, `owner-id`, ...).
    pub fn filter(mut self, name: impl Into<String>, value: impl Into<String>) -> VpcLookup {
        self.filter.insert(name.into(), value.into());
        self
    }

    /// The subnet tag that names the subnets' groups (default `aws-cdk:subnet-name`, which the
    /// AWS CDK and [`TieredVpc`](crate::network::TieredVpc) write); subnets without it are
    /// grouped by kind (`Public`, `Private`, `Isolated`).
    pub fn subnet_group_name_tag(mut self, tag: impl Into<String>) -> VpcLookup {
        self.subnet_group_name_tag = Some(tag.into());
        self
    }

    fn query_props(&self) -> Map<String, Value> {
        let mut props = Map::new();
        props.insert("filter".into(), json!(self.filter));
        props.insert("returnAsymmetricSubnets".into(), Value::Bool(true));
        if let Some(tag) = &self.subnet_group_name_tag {
            props.insert("subnetGroupNameTag".into(), Value::String(tag.clone()));
        }
        props
    }
}

/// The VPC provider's answer (the AWS CDK's `VpcContextResponse`, the fields used here).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VpcAnswer {
    vpc_id: String,
    vpc_cidr_block: String,
    #[serde(default)]
    availability_zones: Vec<String>,
    #[serde(default)]
    subnet_groups: Vec<GroupAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupAnswer {
    name: String,
    r#type: String,
    subnets: Vec<SubnetAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubnetAnswer {
    subnet_id: String,
    availability_zone: String,
    #[serde(default)]
    route_table_id: Option<String>,
}

/// What stands in for a VPC not looked up yet: two AZs, a public, a private and an isolated
/// group, so that selections by kind work on the first synthesis.
fn dummy_vpc() -> Value {
    let group = |name: &str, digit: char| {
        json!({
            "name": name,
            "type": name,
            "subnets": [
                {"subnetId": format!("subnet-{}", digit.to_string().repeat(8)), "cidr": "10.0.0.0/24",
                 "availabilityZone": "dummy1a", "routeTableId": format!("rtb-{}", digit.to_string().repeat(8))},
                {"subnetId": format!("subnet-{}a", digit.to_string().repeat(7)), "cidr": "10.0.1.0/24",
                 "availabilityZone": "dummy1b", "routeTableId": format!("rtb-{}a", digit.to_string().repeat(7))},
            ],
        })
    };
    json!({
        "vpcId": "vpc-12345678",
        "vpcCidrBlock": "10.0.0.0/16",
        "availabilityZones": [],
        "subnetGroups": [group("Public", '1'), group("Private", '2'), group("Isolated", '3')],
    })
}

/// Tier names are letters and digits: other characters of a group's name are dropped
/// (`app-private` becomes `appprivate`).
fn tier_name(group: &str) -> String {
    group.chars().filter(char::is_ascii_alphanumeric).collect()
}

pub(crate) fn bad_answer(stack: &Stack, id: &str, key: &str, reason: String) -> ConstructError {
    ConstructError::Lookup(LookupError::BadAnswer {
        path: format!("{}/{id}", stack.id()),
        key: key.to_string(),
        file: rcdk_core::context::ContextFile::default_path()
            .display()
            .to_string(),
        reason,
    })
}

impl ImportedVpc {
    /// The VPC `query` finds in the stack's account and region, with its subnets grouped into
    /// tiers (by the subnets' `aws-cdk:subnet-name` tag, else by kind: a route to an internet
    /// gateway makes a subnet public, another route out of the VPC private with egress, none
    /// isolated), their AZs and route tables. `id` names the lookup in messages.
    ///
    /// The answer comes from `cdk.context.json`; until it is there a dummy VPC stands in and
    /// the command line looks it up (`cargo run -- synth`). The stack needs
    /// [`Stack::env`]. Every group must have one subnet in each of the VPC's AZs.
    ///
    /// ```
    /// use rcdk_constructs::network::{IVpc, ImportedVpc, SubnetSelection, TierKind, VpcLookup};
    /// use rcdk_core::Stack;
    /// let stack = Stack::new("App").env("111111111111", "eu-west-1");
    /// let vpc = ImportedVpc::lookup(&stack, "Vpc", &VpcLookup::name("prod"))?;
    /// let private = vpc.select(&SubnetSelection::Kind(TierKind::PrivateWithEgress))?;
    /// # let _ = private;
    /// # Ok::<(), rcdk_constructs::error::ConstructError>(())
    /// ```
    pub fn lookup(
        stack: &Stack,
        id: &str,
        query: &VpcLookup,
    ) -> Result<ImportedVpc, ConstructError> {
        if query.filter.is_empty() {
            return Err(ConstructError::Lookup(LookupError::InvalidQuery {
                path: format!("{}/{id}", stack.id()),
                reason: "a VPC lookup needs at least one filter: `VpcLookup::name`, `VpcLookup::id`, `VpcLookup::tagged` or `VpcLookup::default_vpc`".into(),
            }));
        }
        let found = stack.lookup(id, "a VPC", ContextProvider::Vpc, query.query_props())?;
        let key = found.key.as_str();
        let answer: VpcAnswer =
            serde_json::from_value(found.value.clone().unwrap_or_else(dummy_vpc))
                .map_err(|e| bad_answer(stack, id, key, e.to_string()))?;
        let mut azs: Vec<String> = answer.availability_zones.clone();
        for group in &answer.subnet_groups {
            for s in &group.subnets {
                if !azs.contains(&s.availability_zone) {
                    azs.push(s.availability_zone.clone());
                }
            }
        }
        azs.sort();
        let mut tiers = Vec::new();
        for group in &answer.subnet_groups {
            let kind = match group.r#type.as_str() {
                "Public" => TierKind::Public,
                "Private" => TierKind::PrivateWithEgress,
                "Isolated" => TierKind::Isolated,
                other => {
                    return Err(bad_answer(
                        stack,
                        id,
                        key,
                        format!("subnet group '{}' has unknown type '{other}'", group.name),
                    ))
                }
            };
            let mut subnets: Vec<&SubnetAnswer> = group.subnets.iter().collect();
            subnets.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
            let subnets = subnets.into_iter().map(|s| {
                let info = SubnetInfo::new(
                    Val::from(s.subnet_id.as_str()),
                    Val::<AvailabilityZone>::from(s.availability_zone.as_str()),
                );
                match &s.route_table_id {
                    Some(rtb) => info.route_table(Val::from(rtb.as_str())),
                    None => info,
                }
            });
            tiers.push(TierInfo::new(tier_name(&group.name), kind, subnets));
        }
        ImportedVpc::from_attributes(VpcAttributes {
            vpc_id: Val::<VpcId>::from(answer.vpc_id.as_str()),
            cidr_block: Val::from(answer.vpc_cidr_block.as_str()),
            availability_zones: azs.iter().map(|az| Val::from(az.as_str())).collect(),
            tiers,
        })
        .map_err(|e| {
            bad_answer(
                stack,
                id,
                key,
                format!(
                    "the VPC {} cannot be used as an ImportedVpc: {e}",
                    answer.vpc_id
                ),
            )
        })
    }
}

/// An existing Route 53 hosted zone: its id and domain name, looked up by name.
#[derive(Debug, Clone, PartialEq)]
pub struct HostedZone {
    id: Val<HostedZoneId>,
    name: String,
}

#[derive(Debug, Deserialize)]
struct ZoneAnswer {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Name")]
    name: String,
}

impl HostedZone {
    /// The public hosted zone of `domain` (`example.com`) in the stack's account, from
    /// `cdk.context.json` (looked up by the command line when missing; a dummy id stands in
    /// until then). The stack needs [`Stack::env`].
    ///
    /// ```
    /// use rcdk_constructs::network::HostedZone;
    /// use rcdk_core::Stack;
    /// let stack = Stack::new("App").env("111111111111", "eu-west-1");
    /// let zone = HostedZone::lookup(&stack, "Zone", "example.com")?;
    /// assert_eq!(zone.name(), "example.com");
    /// # Ok::<(), rcdk_constructs::error::ConstructError>(())
    /// ```
    pub fn lookup(stack: &Stack, id: &str, domain: &str) -> Result<HostedZone, ConstructError> {
        HostedZone::query(stack, id, domain, None)
    }

    /// The private hosted zone of `domain` associated with the VPC `vpc_id`.
    pub fn lookup_private(
        stack: &Stack,
        id: &str,
        domain: &str,
        vpc_id: &str,
    ) -> Result<HostedZone, ConstructError> {
        HostedZone::query(stack, id, domain, Some(vpc_id))
    }

    fn query(
        stack: &Stack,
        id: &str,
        domain: &str,
        vpc_id: Option<&str>,
    ) -> Result<HostedZone, ConstructError> {
        let domain = domain.trim_end_matches('.');
        if domain.is_empty() {
            return Err(ConstructError::Lookup(LookupError::InvalidQuery {
                path: format!("{}/{id}", stack.id()),
                reason: "a hosted zone lookup needs a domain name, e.g. `example.com`".into(),
            }));
        }
        let mut props = Map::new();
        props.insert("domainName".into(), Value::String(domain.to_string()));
        if let Some(vpc) = vpc_id {
            props.insert("privateZone".into(), Value::Bool(true));
            props.insert("vpcId".into(), Value::String(vpc.to_string()));
        }
        let found = stack.lookup(id, "a hosted zone", ContextProvider::HostedZone, props)?;
        let answer = found
            .value
            .unwrap_or_else(|| json!({"Id": "/hostedzone/DUMMY", "Name": format!("{domain}.")}));
        let answer: ZoneAnswer = serde_json::from_value(answer)
            .map_err(|e| bad_answer(stack, id, &found.key, e.to_string()))?;
        let zone_id = answer
            .id
            .strip_prefix("/hostedzone/")
            .unwrap_or(&answer.id)
            .to_string();
        Ok(HostedZone {
            id: Val::from(zone_id.as_str()),
            name: answer.name.trim_end_matches('.').to_string(),
        })
    }

    /// The zone id (`Z0123456789ABCDEFGHIJ`, without `/hostedzone/`).
    pub fn zone_id(&self) -> Val<HostedZoneId> {
        self.id.clone()
    }

    /// The domain name, without the final dot.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{IVpc, SubnetSelection};

    fn stack() -> Stack {
        Stack::new("App").env("111111111111", "eu-west-1")
    }

    const VPC_KEY: &str = "vpc-provider:account=111111111111:filter.tag:Name=prod:region=eu-west-1:returnAsymmetricSubnets=true";

    #[test]
    fn a_missing_vpc_is_a_dummy_and_recorded_with_the_aws_cdk_key() {
        let s = stack();
        let vpc = ImportedVpc::lookup(&s, "Vpc", &VpcLookup::name("prod")).unwrap();
        assert_eq!(vpc.vpc_id(), Val::from("vpc-12345678"));
        let missing = s.missing_context();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].key, VPC_KEY);
        assert_eq!(missing[0].props["filter"], json!({"tag:Name": "prod"}));
        assert_eq!(missing[0].account(), "111111111111");
    }

    #[test]
    fn a_stored_vpc_gives_its_tiers_in_az_order() {
        let answer = json!({
            "vpcId": "vpc-0123456789abcdef0",
            "vpcCidrBlock": "10.1.0.0/16",
            "availabilityZones": [],
            "subnetGroups": [
                {"name": "web-tier", "type": "Public", "subnets": [
                    {"subnetId": "subnet-0000000b", "cidr": "10.1.1.0/24", "availabilityZone": "eu-west-1b", "routeTableId": "rtb-0000000b"},
                    {"subnetId": "subnet-0000000a", "cidr": "10.1.0.0/24", "availabilityZone": "eu-west-1a", "routeTableId": "rtb-0000000a"}]},
                {"name": "Isolated", "type": "Isolated", "subnets": [
                    {"subnetId": "subnet-0000001a", "cidr": "10.1.2.0/24", "availabilityZone": "eu-west-1a", "routeTableId": "rtb-0000001a"},
                    {"subnetId": "subnet-0000001b", "cidr": "10.1.3.0/24", "availabilityZone": "eu-west-1b", "routeTableId": "rtb-0000001b"}]}
            ]
        });
        let s = stack().context(VPC_KEY, answer);
        let vpc = ImportedVpc::lookup(&s, "Vpc", &VpcLookup::name("prod")).unwrap();
        assert!(s.missing_context().is_empty());
        assert_eq!(vpc.vpc_id(), Val::from("vpc-0123456789abcdef0"));
        assert_eq!(
            vpc.select(&SubnetSelection::tier("webtier")).unwrap(),
            vec![Val::from("subnet-0000000a"), Val::from("subnet-0000000b")]
        );
        assert_eq!(
            vpc.subnet_ids(TierKind::Isolated),
            vec![Val::from("subnet-0000001a"), Val::from("subnet-0000001b")]
        );
        assert_eq!(
            vpc.tier("webtier").unwrap().subnets[0].route_table_id,
            Some(Val::from("rtb-0000000a"))
        );
    }

    #[test]
    fn a_lookup_in_an_agnostic_stack_names_the_path_and_env() {
        let err = ImportedVpc::lookup(&Stack::new("Net"), "Vpc", &VpcLookup::name("prod"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Net/Vpc: "), "{err}");
        assert!(err.contains(".env(ACCOUNT, REGION)"), "{err}");
    }

    #[test]
    fn an_empty_filter_is_refused() {
        let err = ImportedVpc::lookup(&stack(), "Vpc", &VpcLookup::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least one filter"), "{err}");
    }

    #[test]
    fn hosted_zones_lose_their_prefix_and_final_dot() {
        let key = "hosted-zone:account=111111111111:domainName=example.com:region=eu-west-1";
        let s = stack().context(
            key,
            json!({"Id": "/hostedzone/Z0ABC", "Name": "example.com."}),
        );
        let zone = HostedZone::lookup(&s, "Zone", "example.com").unwrap();
        assert_eq!(zone.zone_id(), Val::from("Z0ABC"));
        assert_eq!(zone.name(), "example.com");
        assert!(s.missing_context().is_empty());
        let fresh = stack();
        HostedZone::lookup(&fresh, "Zone", "example.com").unwrap();
        assert_eq!(fresh.missing_context()[0].key, key);
    }
}
