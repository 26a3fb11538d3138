//! Context lookups: answers the queries that a synthesized assembly lists as missing (its
//! manifest's `missing` field) through the AWS APIs and stores the answers in the program's
//! context file (`cdk.context.json`), in the AWS CDK's formats, so that the next synthesis
//! needs no AWS call.
//!
//! | provider | calls | answer |
//! |---|---|---|
//! | `vpc-provider` | EC2 DescribeVpcs, DescribeSubnets, DescribeRouteTables | the VPC, its subnets grouped |
//! | `ami` | EC2 DescribeImages | the newest matching image id |
//! | `ssm` | SSM GetParameter | the parameter's value |
//! | `hosted-zone` | Route 53 ListHostedZonesByName (GetHostedZone for a VPC) | `{Id, Name}` |
//!
//! A query that finds nothing is an error naming the query and the environment, never a dummy
//! answer. Every query runs in its own account and region: the credentials must be for that
//! account (checked with STS), the region is the query's.

use std::collections::BTreeMap;
use std::path::Path;

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use rcdk_core::cloud_assembly::{AssemblyManifest, MANIFEST_FILE};
use rcdk_core::context::{ContextFile, ContextProvider, MissingContext};
use serde_json::{json, Map, Value};

/// The configuration lookups use: `options`' profile and endpoint (or the standard chain);
/// the region is each query's own.
pub use crate::client::sdk_config;
use crate::client::FailFastOnRefused;
use crate::errors::{describe_sdk_error, error_code, Error, Result};

/// The queries the manifest in `assembly_dir` lists as missing.
pub fn missing_context(assembly_dir: &Path) -> Result<Vec<MissingContext>> {
    let path = assembly_dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Assembly(format!("cannot read {}: {e}", path.display())))?;
    let manifest: AssemblyManifest = serde_json::from_str(&text).map_err(|e| {
        Error::Assembly(format!(
            "{} is not a cloud assembly manifest: {e}",
            path.display()
        ))
    })?;
    Ok(manifest.missing)
}

/// The clients of one environment (account and region) for lookups.
struct LookupClients {
    ec2: aws_sdk_ec2::Client,
    route53: aws_sdk_route53::Client,
    ssm: aws_sdk_ssm::Client,
    sts: aws_sdk_sts::Client,
}

impl LookupClients {
    /// `sdk`'s credentials and endpoint, in `region`.
    fn new(sdk: &SdkConfig, region: &str) -> LookupClients {
        let region = Region::new(region.to_string());
        LookupClients {
            ec2: aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(sdk)
                    .region(region.clone())
                    .retry_classifier(FailFastOnRefused)
                    .build(),
            ),
            route53: aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(sdk)
                    .region(region.clone())
                    .retry_classifier(FailFastOnRefused)
                    .build(),
            ),
            ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(sdk)
                    .region(region.clone())
                    .retry_classifier(FailFastOnRefused)
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(sdk)
                    .region(region)
                    .retry_classifier(FailFastOnRefused)
                    .build(),
            ),
        }
    }
}

/// `aws://ACCOUNT/REGION` of a query.
fn environment(m: &MissingContext) -> String {
    format!("aws://{}/{}", m.account(), m.region())
}

fn failed(m: &MissingContext, reason: impl Into<String>) -> Error {
    Error::Lookup {
        key: m.key.clone(),
        reason: reason.into(),
    }
}

fn call_failed<E, R>(m: &MissingContext, operation: &str, err: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    failed(
        m,
        format!(
            "{operation} in {} failed: {}",
            environment(m),
            describe_sdk_error(&err)
        ),
    )
}

/// Answers every query in `missing` with `sdk`'s credentials (and endpoint), each in its own
/// region; returns `(key, answer)` pairs in the order given. Stops at the first query that
/// fails.
pub async fn look_up(sdk: &SdkConfig, missing: &[MissingContext]) -> Result<Vec<(String, Value)>> {
    let mut environments: BTreeMap<(String, String), LookupClients> = BTreeMap::new();
    let mut answers = Vec::new();
    for m in missing {
        if m.account().is_empty() || m.region().is_empty() {
            return Err(failed(
                m,
                "the query names no account or region; give the stack `.env(ACCOUNT, REGION)`",
            ));
        }
        let env_key = (m.account().to_string(), m.region().to_string());
        if !environments.contains_key(&env_key) {
            let clients = LookupClients::new(sdk, m.region());
            check_account(&clients, m).await?;
            environments.insert(env_key.clone(), clients);
        }
        let clients = &environments[&env_key];
        let answer = match m.provider {
            ContextProvider::Vpc => vpc(clients, m).await?,
            ContextProvider::Ami => ami(clients, m).await?,
            ContextProvider::Ssm => ssm(clients, m).await?,
            ContextProvider::HostedZone => hosted_zone(clients, m).await?,
        };
        answers.push((m.key.clone(), answer));
    }
    Ok(answers)
}

/// Looks up what the manifest in `assembly_dir` lists as missing and merges the answers into
/// `context_file` (written once, after every query succeeded). Returns the keys stored.
pub async fn resolve_into(
    sdk: &SdkConfig,
    assembly_dir: &Path,
    context_file: &Path,
) -> Result<Vec<String>> {
    let missing = missing_context(assembly_dir)?;
    // Read first: a context file that cannot be read is reported before any AWS call.
    let mut file = ContextFile::load(context_file).map_err(|e| Error::Config(e.to_string()))?;
    let answers = look_up(sdk, &missing).await?;
    let keys = answers.iter().map(|(k, _)| k.clone()).collect();
    for (key, value) in answers {
        file.set(key, value);
    }
    file.save().map_err(|e| Error::Config(e.to_string()))?;
    Ok(keys)
}

/// The credentials must be for the query's account: answers from another account would be
/// stored under this account's key.
async fn check_account(clients: &LookupClients, m: &MissingContext) -> Result<()> {
    let identity = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| call_failed(m, "STS GetCallerIdentity", e))?;
    let account = identity.account().unwrap_or_default();
    if account != m.account() {
        return Err(failed(
            m,
            format!(
                "the stack's environment is {}, but the credentials are for account {account}; use credentials (a profile) of account {}",
                environment(m),
                m.account()
            ),
        ));
    }
    Ok(())
}

fn string_prop<'a>(m: &'a MissingContext, name: &str) -> Result<&'a str> {
    m.props
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| failed(m, format!("the query has no `{name}`")))
}

fn ec2_filter(name: &str, values: Vec<String>) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .set_values(Some(values))
        .build()
}

/// `name=value, name=value` of a VPC query's filter, for messages.
fn show_filter(filter: &Map<String, Value>) -> String {
    filter
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kinds of subnet group, in the order the answer lists them.
const GROUP_TYPES: [&str; 3] = ["Public", "Private", "Isolated"];

async fn vpc(c: &LookupClients, m: &MissingContext) -> Result<Value> {
    let filter = m
        .props
        .get("filter")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let filters: Vec<_> = filter
        .iter()
        .map(|(k, v)| {
            // The AWS CDK writes `isDefault`; EC2 documents the filter as `is-default`.
            let name = if k == "isDefault" { "is-default" } else { k };
            ec2_filter(name, vec![v.as_str().unwrap_or_default().to_string()])
        })
        .collect();
    let vpcs = c
        .ec2
        .describe_vpcs()
        .set_filters(Some(filters))
        .send()
        .await
        .map_err(|e| call_failed(m, "EC2 DescribeVpcs", e))?;
    let vpc = match vpcs.vpcs() {
        [one] => one,
        [] => {
            return Err(failed(
                m,
                format!(
                    "no VPC matches the filter {} in {}; check the filter (tags are case-sensitive) and the stack's account and region",
                    show_filter(&filter),
                    environment(m)
                ),
            ))
        }
        many => {
            let ids: Vec<&str> = many.iter().filter_map(|v| v.vpc_id()).collect();
            return Err(failed(
                m,
                format!(
                    "{} VPCs match the filter {} in {} ({}); add a filter that tells them apart",
                    many.len(),
                    show_filter(&filter),
                    environment(m),
                    ids.join(", ")
                ),
            ));
        }
    };
    let vpc_id = vpc.vpc_id().unwrap_or_default().to_string();
    let name_tag = m
        .props
        .get("subnetGroupNameTag")
        .and_then(Value::as_str)
        .unwrap_or("aws-cdk:subnet-name");

    let mut subnets = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .ec2
            .describe_subnets()
            .filters(ec2_filter("vpc-id", vec![vpc_id.clone()]))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| call_failed(m, "EC2 DescribeSubnets", e))?;
        subnets.extend(page.subnets().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut tables = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .ec2
            .describe_route_tables()
            .filters(ec2_filter("vpc-id", vec![vpc_id.clone()]))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| call_failed(m, "EC2 DescribeRouteTables", e))?;
        tables.extend(page.route_tables().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let main_table = tables
        .iter()
        .find(|t| t.associations().iter().any(|a| a.main().unwrap_or(false)));
    // (type, name) -> subnets
    let mut groups: BTreeMap<(usize, String), Vec<Value>> = BTreeMap::new();
    for s in &subnets {
        let subnet_id = s.subnet_id().unwrap_or_default();
        let tag = |key: &str| {
            s.tags()
                .iter()
                .find(|t| t.key() == Some(key))
                .and_then(|t| t.value())
                .map(str::to_string)
        };
        let table = tables
            .iter()
            .find(|t| {
                t.associations()
                    .iter()
                    .any(|a| a.subnet_id() == Some(subnet_id))
            })
            .or(main_table);
        let kind = match tag("aws-cdk:subnet-type").as_deref() {
            Some(t) if GROUP_TYPES.contains(&t) => t.to_string(),
            _ => subnet_type(s.map_public_ip_on_launch().unwrap_or(false), table).to_string(),
        };
        let name = tag(name_tag).unwrap_or_else(|| kind.clone());
        let order = GROUP_TYPES.iter().position(|t| *t == kind).unwrap_or(0);
        let mut entry = json!({
            "subnetId": subnet_id,
            "cidr": s.cidr_block().unwrap_or_default(),
            "availabilityZone": s.availability_zone().unwrap_or_default(),
        });
        if let Some(id) = table.and_then(|t| t.route_table_id()) {
            entry["routeTableId"] = Value::String(id.to_string());
        }
        groups.entry((order, name)).or_default().push(entry);
    }
    let subnet_groups: Vec<Value> = groups
        .into_iter()
        .map(|((order, name), mut subnets)| {
            subnets.sort_by(|a, b| {
                (a["availabilityZone"].as_str(), a["subnetId"].as_str())
                    .cmp(&(b["availabilityZone"].as_str(), b["subnetId"].as_str()))
            });
            json!({"name": name, "type": GROUP_TYPES[order], "subnets": subnets})
        })
        .collect();
    let mut answer = json!({
        "vpcId": vpc_id,
        "vpcCidrBlock": vpc.cidr_block().unwrap_or_default(),
        // With `returnAsymmetricSubnets` the AWS CDK leaves this empty: the AZs are the
        // subnets'.
        "availabilityZones": [],
        "subnetGroups": subnet_groups,
    });
    if let Some(owner) = vpc.owner_id() {
        answer["ownerAccountId"] = Value::String(owner.to_string());
    }
    Ok(answer)
}

/// A subnet's kind from its routes: `Public` when it gives public addresses or routes to an
/// internet gateway, `Private` when another route leaves the VPC (NAT, transit gateway,
/// peering, an instance), `Isolated` otherwise.
fn subnet_type(
    maps_public_ip: bool,
    table: Option<&aws_sdk_ec2::types::RouteTable>,
) -> &'static str {
    let routes = table.map(|t| t.routes()).unwrap_or_default();
    let to_igw = routes
        .iter()
        .any(|r| r.gateway_id().is_some_and(|g| g.starts_with("igw-")));
    if maps_public_ip || to_igw {
        return "Public";
    }
    let leaves = routes.iter().any(|r| {
        r.nat_gateway_id().is_some()
            || r.transit_gateway_id().is_some()
            || r.vpc_peering_connection_id().is_some()
            || r.instance_id().is_some()
            || r.egress_only_internet_gateway_id().is_some()
            || r.gateway_id()
                .is_some_and(|g| g != "local" && !g.starts_with("vpce-"))
    });
    if leaves {
        "Private"
    } else {
        "Isolated"
    }
}

async fn ami(c: &LookupClients, m: &MissingContext) -> Result<Value> {
    let filters = m
        .props
        .get("filters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let owners: Vec<String> = m
        .props
        .get("owners")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let ec2_filters: Vec<_> = filters
        .iter()
        .map(|(k, v)| {
            let values = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            ec2_filter(k, values)
        })
        .collect();
    let images = c
        .ec2
        .describe_images()
        .set_owners((!owners.is_empty()).then_some(owners.clone()))
        .set_filters(Some(ec2_filters))
        .send()
        .await
        .map_err(|e| call_failed(m, "EC2 DescribeImages", e))?;
    let newest = images
        .images()
        .iter()
        .filter(|i| i.image_id().is_some())
        .max_by(|a, b| (a.creation_date(), a.image_id()).cmp(&(b.creation_date(), b.image_id())));
    match newest.and_then(|i| i.image_id()) {
        Some(id) => Ok(Value::String(id.to_string())),
        None => {
            let shown: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Err(failed(
                m,
                format!(
                    "no AMI matches the filters {}{} in {}",
                    shown.join(", "),
                    if owners.is_empty() {
                        String::new()
                    } else {
                        format!(" of owners {}", owners.join(", "))
                    },
                    environment(m)
                ),
            ))
        }
    }
}

async fn ssm(c: &LookupClients, m: &MissingContext) -> Result<Value> {
    let name = string_prop(m, "parameterName")?;
    match c.ssm.get_parameter().name(name).send().await {
        Ok(out) => {
            let parameter = out.parameter();
            if parameter.and_then(|p| p.r#type())
                == Some(&aws_sdk_ssm::types::ParameterType::SecureString)
            {
                // Its value would be committed with the context file.
                return Err(failed(
                    m,
                    format!(
                        "the SSM parameter {name} in {} is a SecureString, whose value must not be stored in the context file; read it at deployment instead (`SsmParameter::from_name`, or a secret)",
                        environment(m)
                    ),
                ));
            }
            Ok(Value::String(
                parameter
                    .and_then(|p| p.value())
                    .unwrap_or_default()
                    .to_string(),
            ))
        }
        Err(e) if error_code(&e) == Some("ParameterNotFound") => Err(failed(
            m,
            format!("there is no SSM parameter {name} in {}", environment(m)),
        )),
        Err(e) => Err(call_failed(m, "SSM GetParameter", e)),
    }
}

async fn hosted_zone(c: &LookupClients, m: &MissingContext) -> Result<Value> {
    let domain = string_prop(m, "domainName")?.trim_end_matches('.');
    let private = m
        .props
        .get("privateZone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let vpc_id = m.props.get("vpcId").and_then(Value::as_str);
    let out = c
        .route53
        .list_hosted_zones_by_name()
        .dns_name(domain)
        .send()
        .await
        .map_err(|e| call_failed(m, "Route 53 ListHostedZonesByName", e))?;
    let wanted = format!("{domain}.");
    let mut found = Vec::new();
    for zone in out.hosted_zones() {
        let is_private = zone.config().is_some_and(|cfg| cfg.private_zone());
        if zone.name() != wanted || is_private != private {
            continue;
        }
        if let Some(vpc) = vpc_id {
            let detail = c
                .route53
                .get_hosted_zone()
                .id(zone.id())
                .send()
                .await
                .map_err(|e| call_failed(m, "Route 53 GetHostedZone", e))?;
            if !detail.vpcs().iter().any(|v| v.vpc_id() == Some(vpc)) {
                continue;
            }
        }
        found.push(zone);
    }
    let kind = if private { "private" } else { "public" };
    match found.as_slice() {
        [zone] => Ok(json!({"Id": zone.id(), "Name": zone.name()})),
        [] => Err(failed(
            m,
            format!(
                "no {kind} hosted zone named {domain}{} in {}",
                vpc_id
                    .map(|v| format!(" associated with {v}"))
                    .unwrap_or_default(),
                environment(m)
            ),
        )),
        many => Err(failed(
            m,
            format!(
                "{} {kind} hosted zones are named {domain} in {}; look up a private zone by its VPC",
                many.len(),
                environment(m)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Route, RouteTable};

    fn table(routes: Vec<Route>) -> RouteTable {
        RouteTable::builder().set_routes(Some(routes)).build()
    }

    #[test]
    fn subnets_are_classified_by_their_routes() {
        let local = Route::builder().gateway_id("local").build();
        let igw = Route::builder().gateway_id("igw-0123").build();
        let nat = Route::builder().nat_gateway_id("nat-0123").build();
        let endpoint = Route::builder().gateway_id("vpce-0123").build();
        assert_eq!(
            subnet_type(false, Some(&table(vec![local.clone(), igw]))),
            "Public"
        );
        assert_eq!(
            subnet_type(false, Some(&table(vec![local.clone(), nat]))),
            "Private"
        );
        assert_eq!(
            subnet_type(false, Some(&table(vec![local.clone(), endpoint]))),
            "Isolated"
        );
        assert_eq!(subnet_type(true, Some(&table(vec![local]))), "Public");
        assert_eq!(subnet_type(false, None), "Isolated");
    }
}
