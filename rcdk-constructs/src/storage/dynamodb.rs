//! DynamoDB tables: on-demand, encrypted with the AWS managed key, point-in-time recovery and
//! deletion protection on, with typed item read / write grants; [`ITable`] for tables made here
//! or elsewhere.

use rcdk_core::kind::{TableArn, TableName};
use rcdk_core::{fns, RemovalPolicy, Resource, Val, Value};
use rcdk_macros::Construct;

use crate::cfn::dynamodb as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};

use cfn::table::{
    AttributeDefinition, AttributeDefinitionAttributeType as Code, BillingMode, KeySchema,
    PointInTimeRecoverySpecification, SseSpecification,
};

/// What other constructs need of a table: its name and ARN, and the grants built on them (the
/// principal's policy only, so they work on imported tables too).
pub trait ITable {
    /// The table name.
    fn table_name(&self) -> Val<TableName>;
    /// The table ARN.
    fn table_arn(&self) -> Val<TableArn>;

    /// The ARN of every index of the table (`<table ARN>/index/*`): `Query` and `Scan` on an
    /// index are authorized against it.
    fn indexes_arn(&self) -> Val<String> {
        fns::join(
            "",
            vec![Val::<String>::from(self.table_arn()), Val::from("/index/*")],
        )
    }

    /// Item reads: `GetItem`, `BatchGetItem`, `Query`, `Scan`, `ConditionCheckItem`,
    /// `DescribeTable` on this table and its indexes.
    fn grant_read_items(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "dynamodb:BatchGetItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeTable",
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:Scan"
            ])
            .on(self.table_arn())
            .on(self.indexes_arn())
            .wildcards_because(
                "queries and scans on the indexes of this one table (`<table ARN>/index/*`), \
                 the ARN form DynamoDB authorizes index reads against",
            ),
            [],
        )
    }

    /// Item writes: `PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem` on this table.
    fn grant_write_items(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "dynamodb:BatchWriteItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem"
            ])
            .on(self.table_arn()),
            [],
        )
    }
}

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
    fn code(self) -> Code {
        match self {
            AttributeType::String => Code::S,
            AttributeType::Number => Code::N,
            AttributeType::Binary => Code::B,
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
            return Err(ConstructError::InvalidName {
                construct: "Table",
                what: "key attribute name",
                name: name.to_string(),
                rule: "it must be 1 to 255 characters",
            });
        }
        Ok(KeyAttribute {
            name: name.to_string(),
            kind,
        })
    }
}

/// A table keyed by a partition key and an optional sort key, billed per request.
///
/// ```
/// use rcdk_constructs::storage::{AttributeType, ITable, KeyAttribute, Table};
/// let orders = Table::new(KeyAttribute::new("customer", AttributeType::String)?)
///     .sort_key(KeyAttribute::new("order", AttributeType::String)?);
/// let _arn = orders.table_arn();
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Table")]
pub struct Table {
    resource: cfn::Table,
    #[construct(skip)]
    keys: Vec<KeyAttribute>,
}

impl Table {
    /// A table with `partition_key` (add a sort key with [`Table::sort_key`]).
    pub fn new(partition_key: KeyAttribute) -> Table {
        // The keys are written by `write_keys`; the empty values fix the properties' order.
        let resource = cfn::Table::new(Value::List(Vec::new()))
            .attribute_definitions(Vec::<AttributeDefinition>::new())
            .billing_mode(BillingMode::PayPerRequest)
            .sse_specification(SseSpecification::new(true))
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::new().point_in_time_recovery_enabled(true),
            )
            .deletion_protection_enabled(true)
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(
                "CKV_AWS_119",
                "Encrypted at rest with the AWS managed KMS key (SSEEnabled, aws/dynamodb); a \
                 customer-managed key would add a key, its cost and KMS permissions for every \
                 reader and writer.",
            );
        let mut table = Table {
            resource,
            keys: vec![partition_key],
        };
        table.write_keys();
        table
    }

    /// A table that exists already, by name (its ARN is in this stack's account and region).
    pub fn from_name(name: impl Into<Val<TableName>>) -> ImportedTable {
        ImportedTable { name: name.into() }
    }

    /// Adds the sort key (the table's second key; a second call replaces it).
    pub fn sort_key(mut self, key: KeyAttribute) -> Table {
        self.keys.truncate(1);
        self.keys.push(key);
        self.write_keys();
        self
    }

    /// `KeySchema` and `AttributeDefinitions` from the keys: partition key `HASH`, sort key
    /// `RANGE`.
    fn write_keys(&mut self) {
        let schema: Vec<Value> = self
            .keys
            .iter()
            .zip(["HASH", "RANGE"])
            .map(|(k, role)| KeySchema::new(role, k.name.as_str()).into())
            .collect();
        let definitions: Vec<AttributeDefinition> = self
            .keys
            .iter()
            .map(|k| AttributeDefinition::new(k.name.as_str(), k.kind.code()))
            .collect();
        self.resource.set_key_schema(Value::List(schema));
        self.resource.set_attribute_definitions(definitions);
    }

    /// A fixed table name.
    pub fn named(mut self, name: impl Into<Val<String>>) -> Table {
        self.resource.set_table_name(name);
        self
    }

    /// Deletion protection (on by default).
    pub fn deletion_protection(mut self, on: bool) -> Table {
        self.resource.set_deletion_protection_enabled(on);
        self
    }

    /// What happens to the table when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Table {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Table {
        &self.resource
    }

    /// The resource, mutably (indexes, streams, properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Table {
        &mut self.resource
    }
}

impl ITable for Table {
    fn table_name(&self) -> Val<TableName> {
        self.resource.ref_()
    }
    fn table_arn(&self) -> Val<TableArn> {
        self.resource.attr_arn()
    }
}

/// A table made outside this app ([`Table::from_name`]).
#[derive(Debug, Clone)]
pub struct ImportedTable {
    name: Val<TableName>,
}

impl ITable for ImportedTable {
    fn table_name(&self) -> Val<TableName> {
        self.name.clone()
    }
    fn table_arn(&self) -> Val<TableArn> {
        crate::arn::from_name(
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
            self.name.clone(),
        )
    }
}
