//! The generator on small hand-written schemas: model, rendered code, features, check mode.

use std::path::PathBuf;

use rcdk_codegen::model::{self, Ty, TypeDef};
use serde_json::json;

fn subnet_schema() -> serde_json::Value {
    json!({
        "typeName": "AWS::EC2::Subnet",
        "description": "A subnet. See [docs](https://example.com/x) <b>now</b>.",
        "definitions": {
            "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
            "Mode": {"type": "string", "enum": ["on-demand", "t2.micro", "*"]},
            "Config": {
                "type": "object",
                "properties": {
                    "Mode": {"$ref": "#/definitions/Mode"},
                    "Type": {"type": "string"},
                    "Nested": {"type": "object", "properties": {"Deep": {"type": "integer"}}, "required": ["Deep"]}
                },
                "required": ["Type"]
            }
        },
        "properties": {
            "VpcId": {"type": "string", "description": "The VPC."},
            "CidrBlock": {"type": "string"},
            "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
            "Config": {"$ref": "#/definitions/Config"},
            "Policy": {"type": ["object", "string"]},
            "Labels": {"type": "object", "patternProperties": {"^.+$": {"type": "string"}}},
            "Condition": {"type": "boolean"},
            "SubnetId": {"type": "string"},
            "Arn": {"type": "string"}
        },
        "required": ["CidrBlock", "VpcId"],
        "requiredXor": ["CidrBlock", "Ipv4IpamPoolId"],
        "readOnlyProperties": ["/properties/SubnetId", "/properties/Arn"]
    })
}

#[test]
fn model_types_properties_from_the_schema() {
    let r = model::resource(&subnet_schema());
    assert_eq!(r.rust_name, "Subnet");
    assert_eq!(r.module, "subnet");
    assert_eq!(r.tag_format, "List");
    let required: Vec<&str> = r
        .required
        .iter()
        .map(|&i| r.props[i].cfn.as_str())
        .collect();
    assert_eq!(required, ["CidrBlock", "VpcId"], "schema `required` order");
    let ty = |name: &str| r.props.iter().find(|p| p.cfn == name).map(|p| p.ty.clone());
    assert_eq!(ty("VpcId"), Some(Ty::Id("VpcId")));
    assert_eq!(ty("Tags"), Some(Ty::List(Box::new(Ty::Tag))));
    assert_eq!(ty("Policy"), Some(Ty::Json));
    assert_eq!(ty("Labels"), Some(Ty::Map(Box::new(Ty::Str))));
    assert_eq!(ty("Config"), Some(Ty::Local("Config".into())));
    assert_eq!(
        ty("SubnetId"),
        None,
        "read-only properties are attributes, not setters"
    );
    let cond = r
        .props
        .iter()
        .find(|p| p.cfn == "Condition")
        .map(|p| p.rust.as_str());
    assert_eq!(
        cond,
        Some("condition_property"),
        "clashes with Resource::condition"
    );
    // `AWS::EC2::Subnet` is one of the types whose every property is an attribute (objects
    // expanded to their leaves), as cfn-lint has it.
    let attr = |m: &str| r.attrs.iter().find(|a| a.method == m).map(|a| a.ty.clone());
    assert_eq!(attr("attr_subnet_id"), Some(Ty::Id("SubnetId")));
    assert_eq!(attr("attr_arn"), Some(Ty::Id("Arn")));
    assert_eq!(attr("attr_vpc_id"), Some(Ty::Id("VpcId")));
    assert_eq!(attr("attr_config_nested_deep"), Some(Ty::Int));
    assert_eq!(
        attr("attr_config"),
        None,
        "objects are not attributes themselves"
    );
    let mut other = subnet_schema();
    other["typeName"] = json!("AWS::Demo::Thing");
    let methods: Vec<String> = model::resource(&other)
        .attrs
        .into_iter()
        .map(|a| a.method)
        .collect();
    assert_eq!(
        methods,
        ["attr_subnet_id", "attr_arn"],
        "read-only properties only"
    );
    assert_eq!(r.ref_ty, Ty::Id("SubnetId"));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("Exactly one of `CidrBlock`, `Ipv4IpamPoolId`")));
    let config = r.types.iter().find_map(|t| match t {
        TypeDef::Struct(s) if s.name == "Config" => Some(s),
        _ => None,
    });
    let config = config.expect("Config struct");
    assert_eq!(config.props[0].cfn, "Type", "required first");
    assert_eq!(
        config.props[0].rust, "type_",
        "keywords get a trailing underscore"
    );
    let mode = r.types.iter().find_map(|t| match t {
        TypeDef::Enum(e) if e.name == "Mode" => Some(e),
        _ => None,
    });
    let variants: Vec<(&str, &str)> = mode
        .expect("Mode enum")
        .variants
        .iter()
        .map(|(v, s)| (v.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        variants,
        [
            ("OnDemand", "on-demand"),
            ("T2Micro", "t2.micro"),
            ("All", "*")
        ]
    );
    assert!(r
        .types
        .iter()
        .any(|t| matches!(t, TypeDef::Struct(s) if s.name == "ConfigNested")));
}

#[test]
fn rendered_module_has_typed_builders_and_escaped_docs() {
    let svc = model::Service {
        name: "EC2".into(),
        module: "ec2".into(),
        resources: vec![model::resource(&subnet_schema())],
    };
    let code = rcdk_codegen::emit::service(&svc);
    assert!(code.starts_with(rcdk_codegen::emit::HEADER));
    assert!(code.contains(
        "pub fn new(cidr_block: impl Into<Val<String>>, vpc_id: impl Into<Val<VpcId>>) -> Self {"
    ));
    assert!(code.contains("pub fn tags(mut self, value: impl Into<Val<List<Tag>>>) -> Self {"));
    assert!(
        code.contains("pub fn config(mut self, value: impl Into<Val<subnet::Config>>) -> Self {")
    );
    // Every property, required ones too, can be changed in place and read back, typed.
    assert!(code
        .contains("pub fn set_tags(&mut self, value: impl Into<Val<List<Tag>>>) -> &mut Self {"));
    assert!(code.contains(
        "pub fn set_cidr_block(&mut self, value: impl Into<Val<String>>) -> &mut Self {"
    ));
    assert!(
        code.contains("pub fn get_config(&self) -> ::std::option::Option<Val<subnet::Config>> {")
    );
    assert!(!code.contains("pub fn cidr_block(mut self"));
    assert!(code.contains("pub fn ref_(&self) -> Val<SubnetId> {"));
    assert!(code.contains("docs (<https://example.com/x>) &lt;b&gt;now&lt;/b&gt;."));
    assert!(code.contains("OnDemand => \"on-demand\","));
    // Rendering is deterministic.
    assert_eq!(code, rcdk_codegen::emit::service(&svc));
}

#[test]
fn features_are_written_between_the_markers() {
    let svc = model::Service {
        name: "SQS".into(),
        module: "sqs".into(),
        resources: vec![],
    };
    let toml = "[package]\nname = \"x\"\n\n# BEGIN GENERATED FEATURES\nold = []\n# END GENERATED FEATURES\n";
    let out = rcdk_codegen::features(&[svc], toml).expect("markers present");
    assert!(out.contains("full = [\n    \"sqs\",\n]\nsqs = []\n# END GENERATED FEATURES\n"));
    assert!(!out.contains("old = []"));
    assert!(rcdk_codegen::features(&[], "[package]\n").is_none());
}

#[test]
fn check_mode_names_differing_and_stale_files_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let cfn = dir.path().join("rcdk-constructs/src/cfn");
    std::fs::create_dir_all(&cfn).unwrap();
    std::fs::write(cfn.join("mod.rs"), "same").unwrap();
    std::fs::write(cfn.join("sqs.rs"), "edited by hand").unwrap();
    std::fs::write(cfn.join("gone.rs"), "no schema any more").unwrap();
    let files = vec![
        (
            PathBuf::from("rcdk-constructs/src/cfn/mod.rs"),
            "same".to_string(),
        ),
        (
            PathBuf::from("rcdk-constructs/src/cfn/sqs.rs"),
            "generated".to_string(),
        ),
    ];
    let differ = rcdk_codegen::apply(dir.path(), &files, true).unwrap();
    assert_eq!(
        differ,
        [
            PathBuf::from("rcdk-constructs/src/cfn/sqs.rs"),
            PathBuf::from("rcdk-constructs/src/cfn/gone.rs")
        ]
    );
    assert_eq!(
        std::fs::read_to_string(cfn.join("sqs.rs")).unwrap(),
        "edited by hand"
    );
    rcdk_codegen::apply(dir.path(), &files, false).unwrap();
    assert_eq!(
        std::fs::read_to_string(cfn.join("sqs.rs")).unwrap(),
        "generated"
    );
    assert!(!cfn.join("gone.rs").exists());
    assert!(rcdk_codegen::apply(dir.path(), &files, true)
        .unwrap()
        .is_empty());
}
