//! Literal ids are checked against their kind's shape: at synthesis for conversions at run
//! time (`"subnet-..."` where a `VpcId` goes fails naming the path and the property), and at
//! compile time through `id!`.

use rcdk_core::kind::{
    Arn, CertificateArn, ImageId, KmsKeyId, PolicyArn, RoleArn, SecretArn, SecurityGroupId,
    SubnetId, TaskDefinitionArn, VpcId,
};
use rcdk_core::{id, App, List, RawResource, Resource, Stack, Val, Value};
use serde_json::json;

/// A resource with one property of kind `K`.
fn resource_with<K: ?Sized>(name: &str, value: Val<K>) -> RawResource {
    RawResource::new("AWS::EC2::SecurityGroup").prop(name, value)
}

fn synth_errors(stack: Stack) -> rcdk_core::SynthErrors {
    App::new().with(stack).synth().unwrap_err()
}

#[test]
fn a_subnet_id_where_a_vpc_id_goes_fails_naming_path_and_property() {
    let sg = resource_with("VpcId", Val::<VpcId>::from("subnet-0abc1234"));
    let e = synth_errors(Stack::new("Net").with("Web", sg));
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "Net/Web");
    assert_eq!(
        e.0[0].message,
        "Properties.VpcId: 'subnet-0abc1234' is not a VpcId: expected `vpc-` followed by 8 or 17 hex digits, e.g. `vpc-0abc1234`"
    );
    assert!(e.0[0]
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("cast::<VpcId>()"));
}

#[test]
fn well_formed_literals_synthesize_as_strings() {
    let subnets: Val<List<SubnetId>> = vec!["subnet-0abc1234", "subnet-0123456789abcdef0"].into();
    let sg = RawResource::new("AWS::EC2::SecurityGroup")
        .override_logical_id("Web")
        .prop("VpcId", Val::<VpcId>::from("vpc-0abc1234"))
        .prop("SubnetIds", subnets)
        .prop(
            "Role",
            Val::<RoleArn>::from("arn:aws:iam::123456789012:role/web"),
        );
    let mut app = App::new().with(Stack::new("Net").with("Web", sg));
    let t = app.synth().unwrap().stacks[0].template_json();
    assert_eq!(
        t["Resources"]["Web"]["Properties"],
        json!({
            "VpcId": "vpc-0abc1234",
            "SubnetIds": ["subnet-0abc1234", "subnet-0123456789abcdef0"],
            "Role": "arn:aws:iam::123456789012:role/web"
        })
    );
}

#[test]
fn list_items_and_values_inside_functions_are_checked() {
    let subnets: Val<List<SubnetId>> = vec!["subnet-0abc1234", "sg-0abc1234"].into();
    let joined = rcdk_core::fns::join(",", Val::<List<String>>::from(subnets.clone()));
    let r = RawResource::new("AWS::EC2::SecurityGroup")
        .prop("SubnetIds", subnets)
        .prop("Joined", joined);
    let e = synth_errors(Stack::new("Net").with("R", r));
    let messages: Vec<&str> = e.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Properties.SubnetIds.1: 'sg-0abc1234' is not a SubnetId: expected `subnet-` followed by 8 or 17 hex digits, e.g. `subnet-0abc1234`",
            "Properties.Joined: 'sg-0abc1234' is not a SubnetId: expected `subnet-` followed by 8 or 17 hex digits, e.g. `subnet-0abc1234`",
        ]
    );
}

#[test]
fn overrides_and_outputs_are_checked_too() {
    let r = RawResource::new("AWS::EC2::SecurityGroup")
        .add_override("Properties.GroupId", Val::<SecurityGroupId>::from("sg-12"));
    let out = rcdk_core::Output::new(Val::<VpcId>::from("vpc-xyz"));
    let e = synth_errors(Stack::new("Net").with("R", r).with("Out", out));
    let found: Vec<(&str, &str)> =
        e.0.iter()
            .map(|e| (e.path.as_str(), e.message.split(':').next().unwrap_or("")))
            .collect();
    assert_eq!(
        found,
        [("Net/R", "Properties.GroupId"), ("Net/Out", "Value")]
    );
}

#[test]
fn an_explicit_cast_keeps_an_unusual_literal() {
    let v: Val<VpcId> = Val::<String>::from("vpc-legacy").cast();
    assert_eq!(v.value(), &Value::str("vpc-legacy"));
}

#[test]
fn shapes_of_each_checked_kind() {
    let ok = |checks: &[Result<(), &str>]| checks.iter().all(Result::is_ok);
    assert!(ok(&[
        VpcId::check("vpc-0abc1234"),
        VpcId::check("vpc-0123456789abcdef0"),
        SubnetId::check("subnet-0abc1234"),
        SecurityGroupId::check("sg-0abc1234"),
        rcdk_core::kind::RouteTableId::check("rtb-0abc1234"),
        rcdk_core::kind::InternetGatewayId::check("igw-0abc1234"),
        rcdk_core::kind::NatGatewayId::check("nat-0123456789abcdef0"),
        rcdk_core::kind::NetworkAclId::check("acl-0abc1234"),
        rcdk_core::kind::EipAllocationId::check("eipalloc-0abc1234"),
        rcdk_core::kind::VpcEndpointId::check("vpce-0abc1234"),
        rcdk_core::kind::InstanceId::check("i-0abc1234"),
        rcdk_core::kind::VolumeId::check("vol-0abc1234"),
        ImageId::check("ami-0abc1234"),
        ImageId::check(
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        ),
        VpcId::check("{{resolve:ssm:/network/vpc-id}}"),
        KmsKeyId::check("1234abcd-12ab-34cd-56ef-1234567890ab"),
        KmsKeyId::check("mrk-1234abcd12ab34cd56ef1234567890ab"),
        KmsKeyId::check("alias/app"),
        KmsKeyId::check(
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ),
        Arn::check("arn:aws:sqs:us-east-1:123456789012:queue"),
        Arn::check("arn:aws-cn:s3:::bucket"),
        RoleArn::check("arn:aws:iam::123456789012:role/web"),
        PolicyArn::check("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        CertificateArn::check("arn:aws:acm:us-east-1:123456789012:certificate/abc"),
        CertificateArn::check("arn:aws:iam::123456789012:server-certificate/legacy"),
        SecretArn::check("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"),
        TaskDefinitionArn::check("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"),
        TaskDefinitionArn::check("web:3"),
        TaskDefinitionArn::check("web"),
        rcdk_core::kind::SecurityGroupName::check("anything at all"),
        rcdk_core::kind::AvailabilityZone::check("us-east-1a"),
    ]));
    let refused = [
        VpcId::check("vpc-123"),
        VpcId::check("vpc-0ABC1234"),
        VpcId::check("subnet-0abc1234"),
        VpcId::check("vpc-0abc12345"),
        SubnetId::check("subnet-"),
        SecurityGroupId::check("sg-0abc123g"),
        ImageId::check("ami-latest"),
        KmsKeyId::check("1234abcd"),
        KmsKeyId::check("mrk-1234"),
        Arn::check("arn:aws:sqs"),
        Arn::check("not-an-arn"),
        RoleArn::check("arn:aws:sts::123456789012:assumed-role/web/x"),
        PolicyArn::check("ReadOnlyAccess"),
        SecretArn::check("arn:aws:ssm:us-east-1:123456789012:parameter/db"),
        TaskDefinitionArn::check("arn:aws:iam::123456789012:role/web"),
        TaskDefinitionArn::check("web:latest"),
    ];
    for (i, r) in refused.iter().enumerate() {
        assert!(r.is_err(), "case {i} is refused");
    }
    assert_eq!(
        RoleArn::check("role/web"),
        Err("not a RoleArn literal: expected an IAM ARN, `arn:aws:iam::ACCOUNT:role/NAME`")
    );
}

#[test]
fn id_macro_checks_at_compile_time_and_builds_a_literal() {
    let vpc: Val<VpcId> = id!(VpcId, "vpc-0abc1234");
    let role = id!(RoleArn, "arn:aws:iam::123456789012:role/web");
    let sg = id!(rcdk_core::kind::SecurityGroupId, "sg-0123456789abcdef0");
    assert_eq!(vpc.value(), &Value::str("vpc-0abc1234"));
    assert_eq!(
        role.value(),
        &Value::str("arn:aws:iam::123456789012:role/web")
    );
    assert_eq!(sg.value(), &Value::str("sg-0123456789abcdef0"));
}

#[test]
fn id_kinds_without_a_fixed_shape_accept_any_literal() {
    let name: Val<rcdk_core::kind::BucketName> = "My Odd Name".into();
    assert_eq!(name.value(), &Value::str("My Odd Name"));
}
