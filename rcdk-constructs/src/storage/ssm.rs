//! SSM Parameter Store parameters and parameter paths, with typed read grants.

use rcdk_core::context::{ContextFile, ContextProvider, LookupError};
use rcdk_core::kind::{ParameterArn, ParameterName};
use rcdk_core::{fns, Stack, Val, Value};
use rcdk_macros::Construct;

use crate::cfn::ssm as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};

/// ARN of the parameter named `name`. Parameter names with a path start with `/`, which the
/// ARN's `parameter` prefix already ends with; a literal name without it gets one. A name only
/// known at deploy time is assumed to start with `/` (as hierarchical names do).
fn parameter_arn(name: &Val<String>) -> Val<ParameterArn> {
    match name.value() {
        Value::String(text) => {
            let path = if text.starts_with('/') {
                text.clone()
            } else {
                format!("/{text}")
            };
            fns::sub_plain(format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{path}"
            ))
            .cast()
        }
        _ => fns::sub(
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Name}",
            [("Name", name.clone())],
        )
        .cast(),
    }
}

/// What other constructs need of a parameter: its name and ARN, and the grants built on them
/// (the principal's policy only, so they work on imported parameters too).
pub trait IParameter {
    /// The parameter's name.
    fn parameter_name(&self) -> Val<ParameterName>;
    /// The parameter's ARN.
    fn parameter_arn(&self) -> Val<ParameterArn>;

    /// Lets `grantee` read the parameter (`ssm:GetParameter`, `ssm:GetParameters`).
    fn grant_read(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["ssm:GetParameter", "ssm:GetParameters"])
                .on(self.parameter_arn()),
            [],
        )
    }

    /// Lets `grantee` change the value (`ssm:PutParameter`), e.g. a build that records the
    /// image it pushed.
    fn grant_write(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["ssm:PutParameter"]).on(self.parameter_arn()),
            [],
        )
    }
}

/// A `String` parameter (`SecureString` cannot be created by CloudFormation; store secrets in
/// [`super::Secret`]).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::SsmParameter")]
pub struct SsmParameter {
    resource: cfn::Parameter,
    #[construct(skip)]
    name: Val<String>,
}

impl SsmParameter {
    /// A `String` parameter `name` holding `value`.
    pub fn string(name: impl Into<Val<String>>, value: impl Into<Val<String>>) -> SsmParameter {
        let name = name.into();
        let resource =
            cfn::Parameter::new(value.into(), cfn::parameter::Type::String).name(name.clone());
        SsmParameter { resource, name }
    }

    /// A parameter that exists already, by name (`/team/setting`).
    pub fn from_name(name: impl Into<Val<ParameterName>>) -> ImportedParameter {
        ImportedParameter { name: name.into() }
    }

    /// The value of the existing `String` parameter `name` in the stack's account and region,
    /// read at synthesis from `cdk.context.json` (the command line looks it up when missing;
    /// `dummy-value-for-NAME` stands in until then). The value is then fixed in the templates
    /// until the entry is removed from the context file; [`SsmParameter::from_name`] reads
    /// the parameter at each deployment instead. The stack needs [`Stack::env`].
    ///
    /// ```
    /// use rcdk_constructs::storage::SsmParameter;
    /// use rcdk_core::Stack;
    /// let stack = Stack::new("App").env("111111111111", "eu-west-1");
    /// let version = SsmParameter::value_from_lookup(&stack, "Version", "/app/version")?;
    /// assert_eq!(version, "dummy-value-for-/app/version");
    /// # Ok::<(), rcdk_constructs::error::ConstructError>(())
    /// ```
    pub fn value_from_lookup(
        stack: &Stack,
        id: &str,
        name: &str,
    ) -> Result<String, ConstructError> {
        if name.is_empty() {
            return Err(ConstructError::Lookup(LookupError::InvalidQuery {
                path: format!("{}/{id}", stack.id()),
                reason: "an SSM parameter lookup needs the parameter's name, e.g. `/app/version`"
                    .into(),
            }));
        }
        let mut props = serde_json::Map::new();
        props.insert(
            "parameterName".into(),
            serde_json::Value::String(name.to_string()),
        );
        let found = stack.lookup(id, "an SSM parameter", ContextProvider::Ssm, props)?;
        match found.value {
            None => Ok(format!("dummy-value-for-{name}")),
            Some(serde_json::Value::String(value)) => Ok(value),
            Some(other) => Err(ConstructError::Lookup(LookupError::BadAnswer {
                path: format!("{}/{id}", stack.id()),
                key: found.key,
                file: ContextFile::default_path().display().to_string(),
                reason: format!("expected the parameter's value as a string, found {other}"),
            })),
        }
    }

    /// `Description`.
    pub fn description(mut self, text: impl Into<Val<String>>) -> SsmParameter {
        self.resource.set_description(text);
        self
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Parameter {
        &self.resource
    }

    /// The resource, mutably (tags, properties this type does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Parameter {
        &mut self.resource
    }
}

impl IParameter for SsmParameter {
    fn parameter_name(&self) -> Val<ParameterName> {
        self.resource.ref_()
    }

    fn parameter_arn(&self) -> Val<ParameterArn> {
        // A literal name is written out (readable, no cross-stack export); otherwise the ARN is
        // built from the `Ref`, which gives the name.
        if self.name.value().as_str().is_some() {
            parameter_arn(&self.name)
        } else {
            parameter_arn(&self.parameter_name().into())
        }
    }
}

/// A parameter made outside this app ([`SsmParameter::from_name`]).
#[derive(Debug, Clone)]
pub struct ImportedParameter {
    name: Val<ParameterName>,
}

impl IParameter for ImportedParameter {
    fn parameter_name(&self) -> Val<ParameterName> {
        self.name.clone()
    }
    fn parameter_arn(&self) -> Val<ParameterArn> {
        parameter_arn(&self.name.clone().into())
    }
}

/// A parameter hierarchy such as `/orders/`: read grants on every parameter below it, for
/// services that load their configuration by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterPath(String);

impl ParameterPath {
    /// The path `path` (starting with `/`, letters, digits and `_ . - /`; no wildcard).
    pub fn new(path: &str) -> Result<ParameterPath, ConstructError> {
        let trimmed = path.trim_end_matches('/');
        let valid = trimmed.starts_with('/')
            && trimmed.len() > 1
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'));
        if !valid {
            return Err(ConstructError::InvalidName {
                construct: "ParameterPath",
                what: "parameter path",
                name: path.to_string(),
                rule: "write it as `/team/service` (letters, digits, `_ . - /`, starting with `/`)",
            });
        }
        Ok(ParameterPath(trimmed.to_string()))
    }

    /// The path, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// ARN of every parameter below the path.
    pub fn arn_below(&self) -> Val<String> {
        fns::sub_plain(format!(
            "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{}/*",
            self.0
        ))
    }

    /// Lets `grantee` read every parameter below the path, one by one or with
    /// `GetParametersByPath` (which IAM checks against the path itself).
    pub fn grant_read(&self, grantee: &mut dyn Grantee) -> Grant {
        let path_arn = fns::sub_plain(format!(
            "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{}",
            self.0
        ));
        grant_all(
            grantee,
            Statement::allow(crate::actions!["ssm:GetParameter", "ssm:GetParameters"])
                .on(self.arn_below())
                .wildcards_because(format!(
                    "reads of the parameters below the path `{}` (`parameter{}/*`): the grant \
                     is for the path, including parameters created under it later",
                    self.0, self.0
                )),
            [Statement::allow(crate::actions!["ssm:GetParametersByPath"]).on(path_arn)],
        )
    }
}
