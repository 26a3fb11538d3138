//! The type table `cargo rcdk migrate` reads, rendered from a small hand-written schema.

use rcdk_codegen::{model, types_table};
use serde_json::{json, Value};

fn schema() -> Value {
    json!({
        "typeName": "AWS::EC2::Subnet",
        "definitions": {
            "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
            "Mode": {"type": "string", "enum": ["on-demand", "*"]},
            "Config": {
                "type": "object",
                "properties": {
                    "Mode": {"$ref": "#/definitions/Mode"},
                    "Type": {"type": "string"},
                    "Sizes": {"type": "array", "items": {"type": "integer"}}
                },
                "required": ["Type"]
            }
        },
        "properties": {
            "VpcId": {"type": "string"},
            "CidrBlock": {"type": "string"},
            "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
            "Config": {"$ref": "#/definitions/Config"},
            "Condition": {"type": "boolean"},
            "SubnetId": {"type": "string"}
        },
        "required": ["CidrBlock", "VpcId"],
        "readOnlyProperties": ["/properties/SubnetId"]
    })
}

#[test]
fn table_describes_the_generated_api() {
    let svc = model::Service {
        name: "EC2".into(),
        module: "ec2".into(),
        resources: vec![model::resource(&schema())],
    };
    let text = types_table::render(std::slice::from_ref(&svc));
    assert_eq!(
        text.lines().count(),
        3,
        "header, one line per resource, closing braces"
    );
    let table: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        table["generated_by"],
        "cargo run -p rcdk-codegen (cfn-lint 1.58.0 schemas); do not edit"
    );
    let subnet = &table["resources"]["AWS::EC2::Subnet"];
    assert_eq!(subnet["service"], "ec2");
    assert_eq!(subnet["name"], "Subnet");
    assert_eq!(subnet["module"], "subnet");
    assert_eq!(subnet["tags"], "List");
    assert_eq!(subnet["ref"], "Id:SubnetId");
    assert_eq!(
        subnet["props"],
        json!([
            ["VpcId", "vpc_id", "Id:VpcId", true],
            ["CidrBlock", "cidr_block", "String", true],
            ["Tags", "tags", "List<Tag>", false],
            ["Config", "config", "Local:Config", false],
            ["Condition", "condition_property", "bool", false]
        ]),
        "schema order, the builder names the emitter writes"
    );
    assert_eq!(
        subnet["new"],
        json!(["CidrBlock", "VpcId"]),
        "`required` order"
    );
    assert!(subnet["attrs"].as_array().unwrap().contains(&json!([
        "SubnetId",
        "attr_subnet_id",
        "Id:SubnetId"
    ])));
    assert_eq!(
        subnet["types"]["Config"],
        json!({
            "props": [
                ["Type", "type_", "String", true],
                ["Mode", "mode", "Local:Mode", false],
                ["Sizes", "sizes", "List<i64>", false]
            ],
            "new": ["Type"]
        })
    );
    assert_eq!(
        subnet["types"]["Mode"],
        json!({"enum": [["OnDemand", "on-demand"], ["All", "*"]]})
    );
    // The emitted code agrees with the table: `new`'s arguments and a builder.
    let code = rcdk_codegen::emit::service(&svc);
    assert!(code.contains(
        "pub fn new(cidr_block: impl Into<Val<String>>, vpc_id: impl Into<Val<VpcId>>) -> Self {"
    ));
    assert!(code.contains("pub fn condition_property(mut self, value: impl Into<Val<bool>>)"));
    assert!(code.contains(
        "\"AWS::EC2::Subnet\" => ::std::boxed::Box::new(Subnet { core: ResourceCore::new(Subnet::TYPE, TagFormat::List) }),"
    ));
}
