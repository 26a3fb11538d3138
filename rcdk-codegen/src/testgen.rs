//! The generated test: one resource of every type in the default features, required
//! properties filled with plausible values, synthesized and checked with cfn-lint.

use std::collections::HashMap;
use std::fmt::Write as _;

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::Value as Json;

use crate::model::{Prop, Resource, Service, StructDef, Ty, TypeDef};
use crate::names::lit;
use crate::DEFAULT_SERVICES;

/// Resources per template; CloudFormation allows 500.
const PER_STACK: usize = 400;

/// Types cfn-lint reports (W3697) as belonging to a service in maintenance mode: still typed
/// and generated, so the test allows that one warning for them, with the reason.
const MAINTENANCE_MODE_TYPES: &[&str] = &["AWS::AutoScaling::LaunchConfiguration"];

/// Renders `rcdk-constructs/tests/generated_all_types.rs`.
pub fn render(services: &[Service]) -> String {
    let mut out = String::from(crate::emit::HEADER);
    out.push_str(PRELUDE);
    let cfgs: Vec<String> = DEFAULT_SERVICES
        .iter()
        .map(|s| format!("feature = {}", lit(s)))
        .collect();
    let mut body = String::new();
    let mut stacks = Vec::new();
    let mut maintenance_mode = false;
    for svc in services
        .iter()
        .filter(|s| DEFAULT_SERVICES.contains(&s.module.as_str()))
    {
        for (part, chunk) in svc.resources.chunks(PER_STACK).enumerate() {
            let fname = format!("stack_{}_{}", svc.module, part);
            let _ = writeln!(
                body,
                "\nfn {fname}() -> Stack {{\n    let mut stack = Stack::new({});",
                lit(&format!(
                    "AllTypes{}{}",
                    svc.name.replace(|c: char| !c.is_ascii_alphanumeric(), ""),
                    part
                ))
            );
            body.push_str(ANCHORS);
            body.push_str(
                "    let mut attrs = indexmap::IndexMap::<String, rcdk_core::Value>::new();\n",
            );
            for r in chunk {
                maintenance_mode |= MAINTENANCE_MODE_TYPES.contains(&r.type_name.as_str());
                let mut g = Gen { svc, r, depth: 0 };
                let expr = g.resource();
                let id = format!("T{}", r.rust_name);
                let _ = writeln!(body, "    let r = {expr};");
                for a in &r.attrs {
                    let _ = writeln!(
                        body,
                        "    attrs.insert({}.into(), r.{}().into());",
                        lit(&format!("{id}.{}", a.name)),
                        a.method
                    );
                }
                let _ = writeln!(
                    body,
                    "    attrs.insert({}.into(), r.ref_().into());",
                    lit(&format!("{id}.Ref"))
                );
                let _ = writeln!(body, "    stack.add({}, r);", lit(&id));
            }
            // Every `Ref` and `Fn::GetAtt` method, so that cfn-lint checks the attribute names.
            body.push_str(
                "    stack.add(\"Attributes\", RawResource::untaggable(\"AWS::CloudFormation::WaitConditionHandle\").metadata(\"Attributes\", rcdk_core::Value::Map(attrs)));\n",
            );
            body.push_str("    stack\n}\n");
            stacks.push(fname);
        }
    }
    let _ = writeln!(out, "#![cfg(all(\n    {}\n))]\n", cfgs.join(",\n    "));
    // Inner `rustfmt::skip` is unstable outside the crate root's own file; a module takes the
    // outer attribute.
    out.push_str("#[rustfmt::skip]\nmod generated {\n");
    let mut inner = String::from("use rcdk_constructs::cfn;\nuse rcdk_core::{App, Format, RawResource, Resource, Stack, SynthOptions};\n");
    inner.push_str(&body);
    let _ = writeln!(
        inner,
        "\n#[test]\nfn every_default_type_synthesizes_and_passes_cfn_lint() {{\n    let mut app = App::new();"
    );
    for f in &stacks {
        let _ = writeln!(inner, "    app.add({f}());");
    }
    inner.push_str(CHECK);
    if maintenance_mode {
        inner.push_str(CHECK_ALLOWING_MAINTENANCE_MODE);
    } else {
        inner.push_str(CHECK_ALL);
    }
    for line in inner.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push_str("}\n");
    out
}

const PRELUDE: &str = "\
//! Builds one resource of every type in rcdk-constructs' default features with its required
//! properties filled by plausible sample values (and, where the schema requires one of several
//! properties, the first of them), synthesizes them with rcdk-core and runs cfn-lint. Every
//! `ref_()` and `attr_*()` result is collected in the metadata of a wait-condition handle, so
//! that cfn-lint also checks every attribute name.
//!
//! Any cfn-lint error or warning fails the test (informational findings do not), except W3697
//! for a type of a service in maintenance mode, which is generated like every other.
";

/// Resources that others reference: ids come from real resources rather than literals.
const ANCHORS: &str = "    let vpc = cfn::ec2::Vpc::new().cidr_block(\"10.0.0.0/16\");
    let vpc_id = vpc.ref_();
    let subnet = cfn::ec2::Subnet::new(vpc_id.clone()).cidr_block(\"10.0.0.0/24\");
    let subnet_id = subnet.ref_();
    let sg = cfn::ec2::SecurityGroup::new(\"anchor\").vpc_id(vpc_id.clone());
    let sg_id = sg.attr_group_id();
    let role = cfn::iam::Role::new(serde_json::json!({
        \"Version\": \"2012-10-17\",
        \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]
    }));
    let role_arn = role.attr_arn();
    stack.add(\"AnchorVpc\", vpc);
    stack.add(\"AnchorSubnet\", subnet);
    stack.add(\"AnchorSecurityGroup\", sg);
    stack.add(\"AnchorRole\", role);
    // Keeps the anchors' values used even when no type of this stack needs them.
    let _ = (&vpc_id, &subnet_id, &sg_id, &role_arn);
";

const CHECK: &str =
    "    let options = SynthOptions { format: Format::Json, ..SynthOptions::default() };
    let assembly = app.synth_with(&options).expect(\"synthesis\");
    let dir = tempfile::tempdir().expect(\"temp dir\");
    assembly.write(dir.path()).expect(\"write\");
    let files: Vec<_> = assembly.stacks.iter().map(|s| dir.path().join(&s.file_name)).collect();
";

const CHECK_ALL: &str = "    rcdk_testkit::lint::cfn_lint(&files).unwrap();
}
";

const CHECK_ALLOWING_MAINTENANCE_MODE: &str = "    rcdk_testkit::lint::cfn_lint_allowing(
        &files,
        &[(\"W3697\", \"a type of a service in maintenance mode (AWS::AutoScaling::LaunchConfiguration) is generated like every other\")],
    )
    .unwrap();
}
";

struct Gen<'a> {
    svc: &'a Service,
    r: &'a Resource,
    depth: usize,
}

impl Gen<'_> {
    fn resource(&mut self) -> String {
        let r = self.r;
        let args: Vec<String> = r
            .required
            .iter()
            .map(|&i| self.value(&r.props[i]))
            .collect();
        let mut expr = format!(
            "cfn::{}::{}::new({})",
            self.svc.module,
            r.rust_name,
            args.join(", ")
        );
        for name in &r.pick {
            if let Some(p) = r.props.iter().find(|p| &p.cfn == name && !p.required) {
                let _ = write!(expr, ".{}({})", p.rust, self.value(p));
            }
        }
        if let Some(extra) = overrides(&r.type_name) {
            expr.push_str(extra);
        }
        expr
    }

    fn structure(&mut self, s: &StructDef, min_props: usize) -> String {
        let args: Vec<String> = s
            .props
            .iter()
            .filter(|p| p.required)
            .map(|p| self.value(p))
            .collect();
        let mut expr = format!(
            "cfn::{}::{}::{}::new({})",
            self.svc.module,
            self.r.module,
            s.name,
            args.join(", ")
        );
        for name in &s.pick {
            if let Some(p) = s.props.iter().find(|p| &p.cfn == name && !p.required) {
                let _ = write!(expr, ".{}({})", p.rust, self.value(p));
            }
        }
        // An object that must not be empty (`minProperties`) gets its simplest properties.
        let set = args.len() + s.pick.len();
        let want = min_props.max(1);
        if set < want {
            let mut optional: Vec<&Prop> = s
                .props
                .iter()
                .filter(|p| !p.required && !s.pick.contains(&p.cfn))
                .collect();
            optional.sort_by_key(|p| !matches!(p.ty, Ty::Str | Ty::Int | Ty::Bool));
            for p in optional.into_iter().take(want - set) {
                let _ = write!(expr, ".{}({})", p.rust, self.value(p));
            }
        }
        expr
    }

    fn value(&mut self, p: &Prop) -> String {
        if let Some(v) = prop_override(&self.r.type_name, &p.cfn) {
            return v.to_string();
        }
        // cfn-lint W3010: availability zones are not hard-coded.
        if p.cfn == "AvailabilityZone" && matches!(p.ty, Ty::Str | Ty::Id(_)) {
            return "rcdk_core::fns::select::<rcdk_core::kind::AvailabilityZone>(0, rcdk_core::fns::get_azs())".into();
        }
        self.sample(&p.ty, &p.schema, &p.cfn)
    }

    fn local(&self, name: &str) -> Option<&TypeDef> {
        self.r.types.iter().find(|t| match t {
            TypeDef::Struct(s) => s.name == name,
            TypeDef::Enum(e) => e.name == name,
        })
    }

    fn sample(&mut self, ty: &Ty, schema: &Json, name: &str) -> String {
        match ty {
            Ty::Str => format!("{:?}", sample_string(schema, name)),
            Ty::Int => {
                let min = schema["minimum"]
                    .as_i64()
                    .or(schema["exclusiveMinimum"].as_i64().map(|m| m + 1));
                let max = schema["maximum"].as_i64();
                let v = min.unwrap_or(1).max(if max.is_some_and(|m| m < 1) {
                    i64::MIN
                } else {
                    1
                });
                format!("{}i64", max.map_or(v, |m| v.min(m)))
            }
            Ty::Num => {
                let v = schema["minimum"].as_f64().unwrap_or(1.0);
                format!(
                    "{:?}f64",
                    v.max(if schema["maximum"].as_f64().is_some_and(|m| m < 1.0) {
                        v
                    } else {
                        1.0
                    })
                )
            }
            Ty::Bool => "false".into(),
            Ty::Id(kind) => match *kind {
                "VpcId" => "vpc_id.clone()".into(),
                "SubnetId" => "subnet_id.clone()".into(),
                "SecurityGroupId" => "sg_id.clone()".into(),
                "RoleArn" => "role_arn.clone()".into(),
                other => format!("{:?}", id_literal(other)),
            },
            Ty::Json => json_sample(&self.r.type_name, name),
            Ty::Tag => "rcdk_core::Tag::new(\"key\", \"value\")".into(),
            Ty::List(item) => {
                let items = match &schema["items"] {
                    Json::Object(_) => schema["items"].clone(),
                    _ => Json::Null,
                };
                let items = self.follow(&items);
                let v = self.sample(item, &items, name);
                let n = schema["minItems"].as_u64().unwrap_or(1).clamp(1, 3);
                let elems: Vec<String> = (0..n).map(|_| v.clone()).collect();
                format!("vec![{}]", elems.join(", "))
            }
            Ty::Map(value) => {
                let vs = schema["additionalProperties"].clone();
                let vs = if vs.is_object() {
                    vs
                } else {
                    schema["patternProperties"]
                        .as_object()
                        .and_then(|m| m.values().next().cloned())
                        .unwrap_or(Json::Null)
                };
                let vs = self.follow(&vs);
                let key = schema["patternProperties"]
                    .as_object()
                    .and_then(|m| m.keys().next())
                    .map(|pattern| from_pattern(pattern, 1, 128).unwrap_or_else(|| "key".into()))
                    .unwrap_or_else(|| "key".into());
                let v = self.sample(value, &vs, name);
                format!("vec![({key:?}, {v})]")
            }
            Ty::Local(n) => match self.local(n).cloned() {
                Some(TypeDef::Enum(e)) => {
                    let v = &e.variants[0].0;
                    format!(
                        "cfn::{}::{}::{}::{v}",
                        self.svc.module, self.r.module, e.name
                    )
                }
                Some(TypeDef::Struct(s)) if self.depth < 8 => {
                    self.depth += 1;
                    let min = schema["minProperties"].as_u64().unwrap_or(0) as usize;
                    let v = self.structure(&s, min);
                    self.depth -= 1;
                    v
                }
                _ => format!("cfn::{}::{}::{}::new()", self.svc.module, self.r.module, n),
            },
        }
    }

    /// Resolves a `$ref` against the resource's type list is not possible here; schemas kept in
    /// the model are already dereferenced at the property level, items and map values may not be.
    fn follow(&self, node: &Json) -> Json {
        node.clone()
    }
}

/// Extra builder calls for types whose valid minimum needs more than the schema's `required`.
fn overrides(type_name: &str) -> Option<&'static str> {
    let extra: HashMap<&str, &str> = HashMap::from([
        ("AWS::EC2::VPC", ".cidr_block(\"10.1.0.0/16\")"),
        ("AWS::EC2::Subnet", ".cidr_block(\"10.0.1.0/24\")"),
        // cfn-lint E3639: provisioned tables need ProvisionedThroughput.
        (
            "AWS::DynamoDB::Table",
            ".billing_mode(cfn::dynamodb::table::BillingMode::PayPerRequest)",
        ),
        // cfn-lint E3673: an instance needs an AMI unless a launch template gives one.
        ("AWS::EC2::Instance", ".image_id(\"ami-0123456789abcdef0\")"),
        // cfn-lint E3058: a rule needs an event pattern or a schedule.
        ("AWS::Events::Rule", ".schedule_expression(\"rate(1 day)\")"),
    ]);
    extra.get(type_name).copied()
}

/// Sample values for properties the generic rules get wrong.
fn prop_override(type_name: &str, prop: &str) -> Option<&'static str> {
    let table: HashMap<(&str, &str), &str> = HashMap::from([
        (("AWS::EC2::SecurityGroup", "GroupDescription"), "\"sample group\""),
        // cfn-lint E1152: an AMI id has the shape `ami-...`.
        (
            ("AWS::AutoScaling::LaunchConfiguration", "ImageId"),
            "\"ami-0123456789abcdef0\"",
        ),
        // cfn-lint W3703: the only VPN gateway type is `ipsec.1`.
        (("AWS::EC2::VPNGateway", "Type"), "\"ipsec.1\""),
        (("AWS::ElastiCache::CacheCluster", "CacheNodeType"), "\"cache.t3.micro\""),
        (("AWS::ElastiCache::CacheCluster", "Engine"), "\"redis\""),
        // cfn-lint E3031: a resource policy is on a function ARN (the generic sample does not
        // match the pattern).
        (
            ("AWS::Lambda::ResourcePolicy", "ResourceArn"),
            "\"arn:aws:lambda:us-east-1:123456789012:function:sample\"",
        ),
        // cfn-lint E3680: an application load balancer spans at least two subnets.
        (("AWS::ElasticLoadBalancingV2::LoadBalancer", "Subnets"), "vec![subnet_id.clone(), \"subnet-0fedcba9876543210\".into()]"),
        // cfn-lint E3051: an SSM document's content is validated against the document schema.
        (
            ("AWS::SSM::Document", "Content"),
            "serde_json::json!({\"schemaVersion\": \"2.2\", \"description\": \"sample\", \"mainSteps\": [{\"action\": \"aws:runShellScript\", \"name\": \"run\", \"inputs\": {\"runCommand\": [\"echo hello\"]}}]})",
        ),
    ]);
    table.get(&(type_name, prop)).copied()
}

fn id_literal(kind: &str) -> &'static str {
    match kind {
        "RouteTableId" => "rtb-0123456789abcdef0",
        "InternetGatewayId" => "igw-0123456789abcdef0",
        "NatGatewayId" => "nat-0123456789abcdef0",
        "NetworkAclId" => "acl-0123456789abcdef0",
        "EipAllocationId" => "eipalloc-0123456789abcdef0",
        "VpcEndpointId" => "vpce-0123456789abcdef0",
        "ImageId" => "ami-0123456789abcdef0",
        "InstanceId" => "i-0123456789abcdef0",
        "VolumeId" => "vol-0123456789abcdef0",
        "KeyPairName" => "sample-key",
        "AvailabilityZone" => "us-east-1a",
        "HostedZoneId" => "Z0123456789ABCDEFGHIJ",
        "TargetGroupArn" => "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/sample/0123456789abcdef",
        "LoadBalancerArn" => "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/sample/0123456789abcdef",
        "ListenerArn" => "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/sample/0123456789abcdef/0123456789abcdef",
        "CertificateArn" => "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
        "PolicyArn" => "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "TaskDefinitionArn" => "arn:aws:ecs:us-east-1:123456789012:task-definition/sample:1",
        "LogGroupName" => "sample-log-group",
        "BucketName" => "sample-bucket",
        "DbSubnetGroupName" => "sample-db-subnets",
        "CacheSubnetGroupName" => "sample-cache-subnets",
        _ => "sample",
    }
}

fn json_sample(type_name: &str, name: &str) -> String {
    let identity = type_name.starts_with("AWS::IAM::");
    if name == "AssumeRolePolicyDocument" {
        return "serde_json::json!({\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]})".into();
    }
    if name.contains("Policy") && identity {
        return "serde_json::json!({\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]})".into();
    }
    if name.contains("Policy") {
        let (action, resource) = match type_name.split("::").nth(1).unwrap_or("") {
            "S3" => ("s3:GetObject", "arn:aws:s3:::sample-bucket/*"),
            "SQS" => (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:sample",
            ),
            "SNS" => ("sns:Publish", "arn:aws:sns:us-east-1:123456789012:sample"),
            "KMS" => ("kms:Decrypt", "*"),
            "ECR" => ("ecr:BatchGetImage", "*"),
            _ => ("s3:GetObject", "*"),
        };
        return format!("serde_json::json!({{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"arn:aws:iam::123456789012:root\"}}, \"Action\": \"{action}\", \"Resource\": \"{resource}\"}}]}})");
    }
    "rcdk_core::Val::<rcdk_core::Json>::from(serde_json::json!({}))".into()
}

/// A plausible string for a schema: first enum value, a value matching the pattern, or one
/// chosen by format or property name, within the length limits.
fn sample_string(schema: &Json, name: &str) -> String {
    let values = schema["enum"]
        .as_array()
        .or(schema["enumCaseInsensitive"].as_array());
    if let Some(v) = values.and_then(|e| e.first()).and_then(Json::as_str) {
        return v.to_string();
    }
    if let Some(arn) = arn_for(name) {
        return arn.to_string();
    }
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    let max = schema["maxLength"].as_u64().unwrap_or(256) as usize;
    if let Some(pattern) = schema["pattern"].as_str() {
        if let Some(s) = from_pattern(pattern, min, max) {
            return s;
        }
    }
    let lower = name.to_ascii_lowercase();
    let mut s = match schema["format"].as_str() {
        Some("date-time") | Some("timestamp") => "2030-01-01T00:00:00Z".to_string(),
        Some("ipv4-network") => "10.0.0.0/24".to_string(),
        Some("ipv6-network") => "2001:db8::/64".to_string(),
        Some("uri") => "https://example.com".to_string(),
        _ if lower.ends_with("arn") => "arn:aws:iam::123456789012:role/sample".to_string(),
        _ if lower.contains("cidr") => "10.0.0.0/24".to_string(),
        _ if lower.contains("email") => "user@example.com".to_string(),
        _ if lower.contains("url") || lower.contains("uri") || lower.contains("endpoint") => {
            "https://example.com".to_string()
        }
        _ => "sample".to_string(),
    };
    while s.len() < min {
        s.push('a');
    }
    if s.len() > max {
        s.truncate(max.max(1));
    }
    s
}

/// ARNs of the right service for properties named after them (cfn-lint checks ARN formats).
fn arn_for(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if !(n.ends_with("arn") || n.ends_with("role")) {
        return None;
    }
    Some(if n.contains("role") {
        "arn:aws:iam::123456789012:role/sample"
    } else if n.contains("topic") {
        "arn:aws:sns:us-east-1:123456789012:sample"
    } else if n.contains("certificate") {
        "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    } else if n.contains("kms") || n.contains("key") {
        "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
    } else if n.contains("queue") {
        "arn:aws:sqs:us-east-1:123456789012:sample"
    } else if n.contains("firehose") || n.contains("deliverystream") {
        "arn:aws:firehose:us-east-1:123456789012:deliverystream/sample"
    } else if n.contains("stream") {
        "arn:aws:kinesis:us-east-1:123456789012:stream/sample"
    } else if n.contains("lambda") || n.contains("function") {
        "arn:aws:lambda:us-east-1:123456789012:function:sample"
    } else if n.contains("secret") {
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:sample-AbCdEf"
    } else if n.contains("bucket") {
        "arn:aws:s3:::sample-bucket"
    } else if n.contains("loggroup") || n.contains("log_group") {
        "arn:aws:logs:us-east-1:123456789012:log-group:sample"
    } else {
        return None;
    })
}

/// A string matching `pattern` with length in `min..=max`, when the pattern parses.
fn from_pattern(pattern: &str, min: usize, max: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .build()
        .parse(pattern)
        .ok()?;
    for extra in 0..=64usize {
        let mut out = String::new();
        gen(&hir, extra, &mut out);
        if out.len() >= min && out.len() <= max {
            return Some(out);
        }
        if out.len() > max {
            break;
        }
    }
    None
}

fn gen(h: &Hir, extra: usize, out: &mut String) {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(c)) => {
            let ranges: Vec<(char, char)> =
                c.ranges().iter().map(|r| (r.start(), r.end())).collect();
            let pick = ['a', 'A', '0', '-', '_', '.', '/']
                .into_iter()
                .find(|ch| ranges.iter().any(|(s, e)| s <= ch && ch <= e))
                .or_else(|| {
                    ranges
                        .iter()
                        .map(|(s, _)| *s)
                        .find(|s| s.is_ascii_graphic())
                })
                .or_else(|| ranges.first().map(|(s, _)| *s));
            if let Some(ch) = pick {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            if let Some(r) = c.ranges().first() {
                out.push(r.start() as char);
            }
        }
        HirKind::Repetition(rep) => {
            let want = rep.min as usize + extra;
            let n = match rep.max {
                Some(m) => want.min(m as usize),
                None => want,
            };
            for _ in 0..n {
                gen(&rep.sub, extra, out);
            }
        }
        HirKind::Capture(c) => gen(&c.sub, extra, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| gen(p, extra, out)),
        HirKind::Alternation(alts) => {
            if let Some(first) = alts.first() {
                gen(first, extra, out);
            }
        }
    }
}
