//! DynamoDB tables: on-demand, encrypted with the AWS managed key, point-in-time recovery and
//! deletion protection on, with typed item read / write grants.

use cdk_core::{RemovalPolicy, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::dynamodb as cfn;
use crate::error::ConstructError;
use crate::iam::value::{list, obj, raw, s};
use crate::iam::{actions, grant_all, Grant, Grantee, Statement};

const READ: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
const WRITE: &[&str] = &[
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

/// Type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// `S`
    String,
    /// `N`
    Number,
    /// `B`
    Binary,
}

impl AttributeType {
    fn code(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }
}

/// A key attribute: name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttribute {
    name: String,
    kind: AttributeType,
}

impl KeyAttribute {
    /// A key attribute `name` of type `kind` (1-255 characters).
    pub fn new(name: &str, kind: AttributeType) -> Result<KeyAttribute, ConstructError> {
        if name.is_empty() || name.len() > 255 {
            return Err(ConstructError::InvalidInput {
                construct: "Table".to_string(),
                message: format!("key attribute name `{name}` must be 1 to 255 characters"),
            });
        }
        Ok(KeyAttribute {
            name: name.to_string(),
            kind,
        })
    }
}

/// A table keyed by a partition key and an optional sort key, billed per request.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Table")]
pub struct Table {
    resource: cfn::Table,
}

impl Table {
    /// A table with `partition_key` and optionally `sort_key`.
    pub fn new(partition_key: KeyAttribute, sort_key: Option<KeyAttribute>) -> Table {
        let keys: Vec<(KeyAttribute, &str)> = std::iter::once((partition_key, "HASH"))
            .chain(sort_key.map(|k| (k, "RANGE")))
            .collect();
        let key_schema = list(
            keys.iter()
                .map(|(k, role)| obj([("AttributeName", s(&k.name)), ("KeyType", s(*role))])),
        );
        let definitions = list(keys.iter().map(|(k, _)| {
            obj([
                ("AttributeName", s(&k.name)),
                ("AttributeType", s(k.kind.code())),
            ])
        }));
        let mut resource = cfn::Table::new(raw::<cdk_core::kind::Json>(key_schema))
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(
                "CKV_AWS_119",
                "Encrypted at rest with the AWS managed KMS key (SSEEnabled, aws/dynamodb); a \
                 customer-managed key would add a key, its cost and KMS permissions for every \
                 reader and writer.",
            );
        let core = resource.core_mut();
        core.set("AttributeDefinitions", definitions);
        core.set("BillingMode", s("PAY_PER_REQUEST"));
        core.set("SSESpecification", obj([("SSEEnabled", Value::Bool(true))]));
        core.set(
            "PointInTimeRecoverySpecification",
            obj([("PointInTimeRecoveryEnabled", Value::Bool(true))]),
        );
        core.set("DeletionProtectionEnabled", Value::Bool(true));
        Table { resource }
    }

    /// A fixed table name.
    pub fn named(mut self, name: impl Into<Val<String>>) -> Table {
        self.resource.core_mut().set("TableName", name.into());
        self
    }

    /// Turns deletion protection off (it is on by default).
    pub fn without_deletion_protection_explicitly(mut self) -> Table {
        self.resource
            .core_mut()
            .set("DeletionProtectionEnabled", Value::Bool(false));
        self
    }

    /// What happens to the table when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Table {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The table name (`Ref`).
    pub fn table_name(&self) -> Val<String> {
        raw(self.resource.ref_())
    }

    /// The table ARN.
    pub fn arn(&self) -> Val<String> {
        raw(self.resource.attr_arn())
    }

    /// Item reads: `GetItem`, `BatchGetItem`, `Query`, `Scan`, `ConditionCheckItem`,
    /// `DescribeTable` on this table.
    pub fn grant_read_items(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(grantee, Statement::allow(actions(READ)).on(self.arn()), [])
    }

    /// Item writes: `PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem` on this table.
    pub fn grant_write_items(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(grantee, Statement::allow(actions(WRITE)).on(self.arn()), [])
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Table {
        &self.resource
    }
}
