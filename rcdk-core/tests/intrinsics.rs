//! Every intrinsic function and pseudo parameter: its JSON form and its YAML short form, exact.

mod common;

use common::render;
use rcdk_core::kind::{AvailabilityZone, List, SubnetId};
use rcdk_core::{fns, Val, Value};
use serde_json::json;

/// Asserts the JSON form and the exact YAML text of the value `make` builds.
fn check(make: impl FnOnce(&common::Fixture) -> Value, json: serde_json::Value, yaml: &str) {
    let (j, y) = render(make);
    assert_eq!(j, json, "JSON form");
    assert_eq!(y, yaml, "YAML form");
}

#[test]
fn ref_to_resource_and_parameter() {
    check(
        |f| f.target.ref_::<String>().into(),
        json!({"Ref": "Target"}),
        "!Ref Target\n",
    );
    check(
        |f| f.env.value().into(),
        json!({"Ref": "Env"}),
        "!Ref Env\n",
    );
}

#[test]
fn get_att() {
    check(
        |f| f.target.get_att::<String>("Arn").into(),
        json!({"Fn::GetAtt": ["Target", "Arn"]}),
        "!GetAtt Target.Arn\n",
    );
    // A nested attribute keeps its dot in both forms.
    check(
        |f| f.target.get_att::<String>("Endpoint.Address").into(),
        json!({"Fn::GetAtt": ["Target", "Endpoint.Address"]}),
        "!GetAtt Target.Endpoint.Address\n",
    );
}

#[test]
fn sub_without_variables() {
    check(
        |_| fns::sub_plain("${AWS::StackName}-jobs").into(),
        json!({"Fn::Sub": "${AWS::StackName}-jobs"}),
        "!Sub ${AWS::StackName}-jobs\n",
    );
}

#[test]
fn sub_with_variables() {
    check(
        |f| {
            fns::sub(
                "${Url}/${Env}",
                [("Url", f.target.ref_::<String>()), ("Env", f.env.value())],
            )
            .into()
        },
        json!({"Fn::Sub": ["${Url}/${Env}", {"Url": {"Ref": "Target"}, "Env": {"Ref": "Env"}}]}),
        "!Sub\n- ${Url}/${Env}\n- Url: !Ref Target\n  Env: !Ref Env\n",
    );
}

#[test]
fn join() {
    check(
        |f| fns::join(",", [f.target.ref_::<String>(), Val::from("x")]).into(),
        json!({"Fn::Join": [",", [{"Ref": "Target"}, "x"]]}),
        "!Join\n- ','\n- - !Ref Target\n  - x\n",
    );
}

#[test]
fn select_split_get_azs() {
    check(
        |_| fns::select(1, fns::split("/", fns::stack_id())).into(),
        json!({"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}),
        "!Select\n- 1\n- !Split\n  - /\n  - !Ref AWS::StackId\n",
    );
    check(
        |_| fns::select::<AvailabilityZone>(0, fns::get_azs()).into(),
        json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        "!Select\n- 0\n- !GetAZs ''\n",
    );
    // The single argument is itself a function: the outer one takes the long form.
    check(
        |_| fns::get_azs_in(fns::region()).into(),
        json!({"Fn::GetAZs": {"Ref": "AWS::Region"}}),
        "Fn::GetAZs: !Ref AWS::Region\n",
    );
    check(
        |_| fns::get_azs_in("eu-west-1").into(),
        json!({"Fn::GetAZs": "eu-west-1"}),
        "!GetAZs eu-west-1\n",
    );
}

#[test]
fn import_value() {
    check(
        |_| fns::import_value("Shared:VpcId").into(),
        json!({"Fn::ImportValue": "Shared:VpcId"}),
        "!ImportValue Shared:VpcId\n",
    );
    check(
        |_| fns::import_value(fns::sub_plain("${AWS::StackName}-Vpc")).into(),
        json!({"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-Vpc"}}),
        "Fn::ImportValue: !Sub ${AWS::StackName}-Vpc\n",
    );
    // Typed import: a subnet id import is accepted where a subnet id is asked for.
    let subnet: Val<SubnetId> = Val::import("Net:Subnet");
    check(
        move |_| subnet.into(),
        json!({"Fn::ImportValue": "Net:Subnet"}),
        "!ImportValue Net:Subnet\n",
    );
}

#[test]
fn if_and_no_value() {
    check(
        |f| f.is_prod.select::<i64>(10, 1).into(),
        json!({"Fn::If": ["IsProd", 10, 1]}),
        "!If\n- IsProd\n- 10\n- 1\n",
    );
    check(
        |f| {
            f.is_prod
                .select::<String>("big", fns::no_value::<String>())
                .into()
        },
        json!({"Fn::If": ["IsProd", "big", {"Ref": "AWS::NoValue"}]}),
        "!If\n- IsProd\n- big\n- !Ref AWS::NoValue\n",
    );
}

#[test]
fn condition_functions() {
    check(
        |f| fns::equals(f.env.value(), "prod").into(),
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        "!Equals\n- !Ref Env\n- prod\n",
    );
    check(
        |f| {
            fns::and([
                f.is_prod.as_expression(),
                fns::not(fns::equals(fns::region(), "us-east-1")),
            ])
            .into()
        },
        json!({"Fn::And": [
            {"Condition": "IsProd"},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]}
        ]}),
        "!And\n- !Condition IsProd\n- !Not\n  - !Equals\n    - !Ref AWS::Region\n    - us-east-1\n",
    );
    check(
        |f| fns::or([f.is_prod.as_expression(), fns::equals(f.env.value(), "dev")]).into(),
        json!({"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Env"}, "dev"]}]}),
        "!Or\n- !Condition IsProd\n- !Equals\n  - !Ref Env\n  - dev\n",
    );
    check(
        |f| f.is_prod.as_expression().into(),
        json!({"Condition": "IsProd"}),
        "!Condition IsProd\n",
    );
}

#[test]
fn find_in_map() {
    check(
        |f| f.map.find::<i64>(f.env.value(), "Size").into(),
        json!({"Fn::FindInMap": ["RegionMap", {"Ref": "Env"}, "Size"]}),
        "!FindInMap\n- RegionMap\n- !Ref Env\n- Size\n",
    );
}

#[test]
fn base64() {
    check(
        |_| fns::base64("#!/bin/sh").into(),
        json!({"Fn::Base64": "#!/bin/sh"}),
        "!Base64 '#!/bin/sh'\n",
    );
    // `!Base64 !Sub ...` is not YAML (one tag per node): the outer function is long form.
    check(
        |_| fns::base64(fns::sub_plain("echo ${AWS::Region}")).into(),
        json!({"Fn::Base64": {"Fn::Sub": "echo ${AWS::Region}"}}),
        "Fn::Base64: !Sub echo ${AWS::Region}\n",
    );
}

#[test]
fn cidr() {
    check(
        |f| {
            let blocks: Val<List<String>> =
                fns::cidr(f.target.get_att::<String>("CidrBlock"), 4, 8);
            blocks.into()
        },
        json!({"Fn::Cidr": [{"Fn::GetAtt": ["Target", "CidrBlock"]}, 4, 8]}),
        "!Cidr\n- !GetAtt Target.CidrBlock\n- 4\n- 8\n",
    );
}

#[test]
fn every_pseudo_parameter() {
    type Make = fn() -> Value;
    // `AWS::NoValue` as a whole property removes it; inside a list it is written as is.
    let cases: [(Make, &str); 8] = [
        (|| fns::account_id().into(), "AWS::AccountId"),
        (|| fns::notification_arns().into(), "AWS::NotificationARNs"),
        (
            || Value::List(vec![fns::no_value::<String>().into()]),
            "AWS::NoValue",
        ),
        (|| fns::partition().into(), "AWS::Partition"),
        (|| fns::region().into(), "AWS::Region"),
        (|| fns::stack_id().into(), "AWS::StackId"),
        (|| fns::stack_name().into(), "AWS::StackName"),
        (|| fns::url_suffix().into(), "AWS::URLSuffix"),
    ];
    for (make, name) in cases {
        if name == "AWS::NoValue" {
            check(
                |_| make(),
                json!([{ "Ref": name }]),
                &format!("- !Ref {name}\n"),
            );
            continue;
        }
        check(
            |_| make(),
            json!({ "Ref": name }),
            &format!("!Ref {name}\n"),
        );
    }
}

/// Reads YAML back, turning short-form tags into the long form, to compare with the JSON form.
fn long_form(y: serde_norway::Value) -> serde_json::Value {
    use serde_norway::Value as Y;
    match y {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => b.into(),
        Y::Number(n) => serde_json::to_value(&n).unwrap(),
        Y::String(s) => s.into(),
        Y::Sequence(items) => items.into_iter().map(long_form).collect(),
        Y::Mapping(m) => m
            .into_iter()
            .map(|(k, v)| (k.as_str().unwrap().to_string(), long_form(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let short = tag.trim_start_matches('!');
            let name = match short {
                "Ref" | "Condition" => short.to_string(),
                other => format!("Fn::{other}"),
            };
            let arg = match (short, t.value) {
                ("GetAtt", Y::String(s)) => {
                    let (resource, attribute) = s.split_once('.').unwrap();
                    json!([resource, attribute])
                }
                (_, v) => long_form(v),
            };
            json!({ name: arg })
        }
    }
}

#[test]
fn whole_yaml_template_reads_back_as_the_json_template() {
    use rcdk_core::{App, Condition, Mapping, Output, Parameter, RawResource, Resource, Stack};
    let env = Parameter::<String>::new()
        .allowed_values(["dev", "prod", "on"])
        .default("dev");
    let is_prod = Condition::new(fns::equals(env.value(), "prod"));
    let map = Mapping::new()
        .entry("dev", "Size", 1)
        .entry("prod", "Size", 3);
    let vpc = RawResource::new("AWS::EC2::VPC").prop("CidrBlock", "10.0.0.0/16");
    let user_data = "#!/bin/bash\necho \"${AWS::Region}\" > /tmp/region\n\n  indented: yes\n";
    let subnet = RawResource::new("AWS::EC2::Subnet")
        .prop("VpcId", vpc.ref_::<String>())
        .prop(
            "CidrBlock",
            fns::select::<String>(0, fns::cidr(vpc.get_att::<String>("CidrBlock"), 4, 8)),
        )
        .prop(
            "AvailabilityZone",
            fns::select::<AvailabilityZone>(0, fns::get_azs_in(fns::region())),
        )
        .prop("Script", fns::base64(fns::sub_plain(user_data)))
        .prop("Size", map.find::<i64>(env.value(), "Size"))
        .prop(
            "Big",
            is_prod.select::<String>("12:30", fns::no_value::<String>()),
        )
        .prop(
            "Words",
            vec!["yes", "no", "on", "off", "=", "~", "0755", "1e3", "it's"],
        )
        .prop(
            "Joined",
            fns::join(
                "-",
                [
                    fns::account_id(),
                    fns::partition(),
                    fns::url_suffix(),
                    fns::stack_name(),
                ],
            ),
        )
        .prop(
            "Imported",
            fns::import_value(fns::sub("${S}-x", [("S", fns::stack_name())])),
        )
        .prop("Empty", Value::Map(Default::default()))
        .prop("Nothing", Value::List(Vec::new()))
        .prop("Float", serde_json::json!(1.5))
        .depends_on(&vpc)
        .condition(&is_prod);
    let both = Condition::new(fns::or([
        fns::and([
            is_prod.as_expression(),
            fns::not(fns::equals(fns::region(), "x")),
        ]),
        fns::equals(env.value(), "dev"),
    ]));
    let mut app = App::new().with(
        Stack::new("S")
            .description("Every form: quoted: 'yes'")
            .with("Env", env)
            .with("IsProd", is_prod)
            .with("Both", both)
            .with("Map", map)
            .with("Vpc", vpc)
            .with("Subnet", subnet)
            .with("Out", Output::new(fns::stack_id()).export("S-Id")),
    );
    let assembly = common::synth_yaml(&mut app);
    let stack = &assembly.stacks[0];
    let read: serde_norway::Value = serde_norway::from_str(&stack.text).unwrap();
    assert_eq!(long_form(read), stack.template_json(), "{}", stack.text);
    // The multi-line script is a literal block under the long-form Base64.
    assert!(
        stack
            .text
            .contains("      Script:\n        Fn::Base64: !Sub |\n          #!/bin/bash\n"),
        "{}",
        stack.text
    );
}
