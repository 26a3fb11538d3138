//! Templates using every intrinsic function and pseudo parameter, and a pair of stacks joined by
//! exports and SSM parameters, pass the pinned cfn-lint in JSON and in YAML (short-form tags,
//! long form where the single argument is itself a function, YAML 1.1 quoting).

use std::path::{Path, PathBuf};

use rcdk_core::kind::{AvailabilityZone, ImageId};
use rcdk_core::{
    fns, App, Condition, CrossStackStrategy, Format, Mapping, Output, Parameter, RawResource,
    Resource, Stack, SynthOptions, Val, Value,
};
use serde_json::json;

fn ssm_parameter(value: impl Into<Value>) -> RawResource {
    RawResource::new("AWS::SSM::Parameter")
        .prop("Type", "String")
        .prop("Value", value)
}

/// One stack using every intrinsic function and every pseudo parameter.
fn every_intrinsic() -> App {
    let env = Parameter::<String>::new()
        .description("Deployment environment")
        .allowed_values(["dev", "prod"])
        .default("dev");
    let image = Parameter::<ImageId>::from_ssm(
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    );
    let sizes = Mapping::new()
        .entry("dev", "Instance", "t3.micro")
        .entry("prod", "Instance", "t3.large");
    let is_prod = Condition::new(fns::equals(env.value(), "prod"));
    let prod_outside_us_east = Condition::new(fns::and([
        is_prod.as_expression(),
        fns::not(fns::equals(fns::region(), "us-east-1")),
    ]));
    let dev_or_us_east = Condition::new(fns::or([
        fns::not(is_prod.as_expression()),
        fns::equals(fns::region(), "us-east-1"),
    ]));

    let vpc = RawResource::new("AWS::EC2::VPC")
        .prop("CidrBlock", "10.0.0.0/16")
        .prop("Tags", json!([{"Key": "Name", "Value": "on"}]));
    let vpc_out = Output::new(vpc.ref_::<String>()).export(fns::sub_plain("${AWS::StackName}-Vpc"));
    let subnet = RawResource::new("AWS::EC2::Subnet")
        .prop("VpcId", vpc.ref_::<String>())
        .prop(
            "CidrBlock",
            fns::select::<String>(0, fns::cidr(vpc.get_att::<String>("CidrBlock"), 4, 8)),
        )
        .prop(
            "AvailabilityZone",
            fns::select::<AvailabilityZone>(0, fns::get_azs_in(fns::region())),
        );
    let script = "#!/bin/bash\necho \"${AWS::Region} ${AWS::StackName}\" > /etc/region\n";
    let data = indexmap_value([
        ("ImageId", image.value().into()),
        (
            "InstanceType",
            sizes.find::<String>(env.value(), "Instance").into(),
        ),
        ("UserData", fns::base64(fns::sub_plain(script)).into()),
        (
            "Monitoring",
            is_prod
                .select::<rcdk_core::kind::Json>(
                    Val::from(json!({"Enabled": true})),
                    fns::no_value::<rcdk_core::kind::Json>(),
                )
                .into(),
        ),
    ]);
    let template = RawResource::new("AWS::EC2::LaunchTemplate").prop("LaunchTemplateData", data);
    let queue = RawResource::new("AWS::SQS::Queue").prop("SqsManagedSseEnabled", true);

    let pseudo = ssm_parameter(fns::join(
        "-",
        [
            fns::account_id(),
            fns::partition(),
            fns::region(),
            fns::url_suffix(),
            fns::stack_name(),
        ],
    ))
    .prop("Description", "12:30 yes")
    .condition(&prod_outside_us_east);
    let stack_id = ssm_parameter(fns::select::<String>(1, fns::split("/", fns::stack_id())));
    let imported = ssm_parameter(fns::import_value("SharedVpcId"));
    let imported_by_sub = ssm_parameter(fns::import_value(fns::sub_plain(
        "${AWS::StackName}-Shared",
    )));
    let sub = ssm_parameter(fns::sub(
        "${Url} ${Arn} ${AWS::Region}",
        [
            ("Url", queue.ref_::<String>()),
            ("Arn", queue.get_att::<String>("Arn")),
        ],
    ));
    let notifications = ssm_parameter(fns::join(",", fns::notification_arns()));
    let chosen = ssm_parameter(dev_or_us_east.select::<String>("=", "<<"));

    let stack = Stack::new("Every")
        .description("Every intrinsic function: quoted where YAML 1.1 would misread")
        .with("Env", env)
        .with("Image", image)
        .with("Sizes", sizes)
        .with("IsProd", is_prod)
        .with("ProdOutsideUsEast", prod_outside_us_east)
        .with("DevOrUsEast", dev_or_us_east)
        .with("Vpc", vpc)
        .with("Subnet", subnet)
        .with("Template", template)
        .with("Queue", queue)
        .with("Pseudo", pseudo)
        .with("StackIdPart", stack_id)
        .with("Imported", imported)
        .with("ImportedBySub", imported_by_sub)
        .with("Sub", sub)
        .with("Notifications", notifications)
        .with("Chosen", chosen)
        .with("VpcOut", vpc_out);
    App::new().with(stack)
}

fn indexmap_value<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// Writes `app` in both formats and returns the template paths.
fn write_both(make: fn() -> App, dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for format in [Format::Json, Format::Yaml] {
        let mut app = make();
        let assembly = app
            .synth_with(&SynthOptions {
                format,
                strict: true,
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let out = dir.join(format.extension());
        assembly.write(&out).unwrap();
        files.extend(assembly.stacks.iter().map(|s| out.join(&s.file_name)));
    }
    files
}

#[test]
fn every_intrinsic_passes_cfn_lint_in_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_both(every_intrinsic, dir.path());
    let yaml = std::fs::read_to_string(&files[1]).unwrap();
    for expected in [
        "Fn::Base64: !Sub |",
        "Fn::GetAZs: !Ref AWS::Region",
        "Fn::ImportValue: !Sub ${AWS::StackName}-Shared",
        "- !Condition IsProd",
        "Value: 'on'",
        "- '='",
    ] {
        assert!(yaml.contains(expected), "{expected} missing in\n{yaml}");
    }
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&files) {
        panic!("{e:?}");
    }
}

/// A network stack and an application stack that reads the VPC through an export, a list
/// through a joined export, and the CIDR block through SSM.
fn two_stacks() -> App {
    let vpc = RawResource::new("AWS::EC2::VPC").prop("CidrBlock", "10.0.0.0/16");
    let group = RawResource::new("AWS::EC2::SecurityGroup")
        .prop("GroupDescription", "App servers")
        .prop("VpcId", vpc.ref_::<String>());
    let cidrs = ssm_parameter(fns::join(
        ",",
        vpc.core()
            .get_att_list::<rcdk_core::kind::List<String>>("CidrBlockAssociations"),
    ));
    let via_ssm = ssm_parameter(
        vpc.get_att::<String>("CidrBlock")
            .cross_stack(CrossStackStrategy::SsmParameter),
    );
    App::new()
        .with(
            Stack::new("App")
                .with("Group", group)
                .with("Cidrs", cidrs)
                .with("ViaSsm", via_ssm),
        )
        .with(Stack::new("Network").with("Vpc", vpc))
}

#[test]
fn cross_stack_references_pass_cfn_lint_in_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_both(two_stacks, dir.path());
    assert_eq!(files.len(), 4);
    assert!(
        files[0].ends_with("json/Network.template.json"),
        "{files:?}"
    );
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&files) {
        panic!("{e:?}");
    }
}
