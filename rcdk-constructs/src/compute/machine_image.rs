//! The AMI an instance boots: Amazon Linux 2023 resolved by CloudFormation from AWS's public SSM
//! parameter (so every deployment takes the current image, and the template never holds a
//! region-specific id), another SSM parameter, or a fixed AMI id.

use std::collections::BTreeMap;

use rcdk_core::context::{ContextFile, ContextProvider, LookupError};
use rcdk_core::kind::ImageId;
use rcdk_core::{Parameter, Stack, Val};

use crate::error::ConstructError;

use super::instance_type::CpuArchitecture;

/// Which AMI [`MachineImage::lookup`] finds: a name pattern (`*` matches anything), the owners
/// (`amazon`, `self`, an account id) and further DescribeImages filters; only available images
/// count, the newest wins. The same query as the AWS CDK's `MachineImage.lookup`, with the
/// same context key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmiLookup {
    name: String,
    owners: Vec<String>,
    filters: BTreeMap<String, Vec<String>>,
}

impl AmiLookup {
    /// Images whose name matches `pattern` (`al2023-ami-2023.*-x86_64`).
    pub fn name(pattern: impl Into<String>) -> AmiLookup {
        AmiLookup {
            name: pattern.into(),
            ..AmiLookup::default()
        }
    }

    /// Only images of this owner (alias or account id); may be given several times.
    pub fn owner(mut self, owner: impl Into<String>) -> AmiLookup {
        self.owners.push(owner.into());
        self
    }

    /// A further DescribeImages filter (`architecture` = `arm64`, ...); several values of one
    /// filter match any of them.
    pub fn filter(mut self, name: impl Into<String>, value: impl Into<String>) -> AmiLookup {
        self.filters
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }
}

/// The public SSM parameter that names the current Amazon Linux 2023 AMI for `architecture`.
pub fn amazon_linux_2023_parameter(architecture: CpuArchitecture) -> String {
    format!(
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{}",
        architecture.as_str()
    )
}

/// Where the AMI comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// Amazon Linux 2023 for the instance type's architecture.
    AmazonLinux2023,
    /// An SSM parameter holding an AMI id.
    SsmParameter(String),
    /// A fixed id, a parameter of the user's or an import.
    Id(Val<ImageId>),
}

/// The image of a [`LaunchTemplate`](super::LaunchTemplate).
///
/// ```
/// use rcdk_constructs::compute::MachineImage;
/// let al2023 = MachineImage::amazon_linux_2023();
/// let own = MachineImage::from_ssm_parameter("/golden-images/app/latest")?;
/// let fixed = MachineImage::id("ami-0abc1234def567890");
/// # let _ = (al2023, own, fixed);
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MachineImage {
    source: Source,
    root_device: String,
}

impl MachineImage {
    /// The current Amazon Linux 2023 AMI (standard kernel) for the instance type's architecture,
    /// read by CloudFormation from
    /// `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<arch>` at each
    /// deployment through a template parameter of type
    /// `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`. It ships the SSM agent that Session
    /// Manager needs. A newer AMI changes the launch template, which rolls the group.
    pub fn amazon_linux_2023() -> MachineImage {
        MachineImage {
            source: Source::AmazonLinux2023,
            root_device: "/dev/xvda".to_string(),
        }
    }

    /// The AMI named by the SSM parameter `name` (a path such as `/golden-images/app`),
    /// resolved by CloudFormation at each deployment. The root device is taken to be
    /// `/dev/xvda` (see [`MachineImage::root_device`]).
    pub fn from_ssm_parameter(name: &str) -> Result<MachineImage, crate::error::ConstructError> {
        let valid = !name.is_empty()
            && name.len() <= 2048
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | '-'));
        if !valid {
            return Err(crate::error::ConstructError::InvalidName {
                construct: "MachineImage",
                what: "SSM parameter name",
                name: name.to_string(),
                rule: "it must be 1-2048 letters, digits, `/`, `_`, `.` or `-`",
            });
        }
        Ok(MachineImage {
            source: Source::SsmParameter(name.to_string()),
            root_device: "/dev/xvda".to_string(),
        })
    }

    /// A fixed AMI (`ami-...`), a template parameter's value or an import. Prefer a parameter:
    /// AMI ids differ by region.
    pub fn id(image: impl Into<Val<ImageId>>) -> MachineImage {
        MachineImage {
            source: Source::Id(image.into()),
            root_device: "/dev/xvda".to_string(),
        }
    }

    /// The newest available AMI that `query` finds in the stack's account and region (EC2
    /// DescribeImages), read at synthesis from `cdk.context.json`: the command line looks it
    /// up when missing (`ami-12345678` stands in until then), and the id then stays fixed until
    /// the entry is removed from the context file. The stack needs [`Stack::env`].
    ///
    /// ```
    /// use rcdk_constructs::compute::{AmiLookup, MachineImage};
    /// use rcdk_core::Stack;
    /// let stack = Stack::new("App").env("111111111111", "eu-west-1");
    /// let image = MachineImage::lookup(&stack, "Image", &AmiLookup::name("al2023-ami-*").owner("amazon"))?;
    /// # let _ = image;
    /// # Ok::<(), rcdk_constructs::error::ConstructError>(())
    /// ```
    pub fn lookup(
        stack: &Stack,
        id: &str,
        query: &AmiLookup,
    ) -> Result<MachineImage, ConstructError> {
        let mut filters: BTreeMap<String, Vec<String>> = query.filters.clone();
        filters.insert("name".into(), vec![query.name.clone()]);
        filters.insert("state".into(), vec!["available".into()]);
        let mut props = serde_json::Map::new();
        if !query.owners.is_empty() {
            props.insert("owners".into(), serde_json::json!(query.owners));
        }
        props.insert("filters".into(), serde_json::json!(filters));
        let found = stack.lookup(id, "an AMI", ContextProvider::Ami, props)?;
        let image = match found.value {
            None => "ami-12345678".to_string(),
            Some(serde_json::Value::String(image)) => image,
            Some(other) => {
                return Err(ConstructError::Lookup(LookupError::BadAnswer {
                    path: format!("{}/{id}", stack.id()),
                    key: found.key,
                    file: ContextFile::default_path().display().to_string(),
                    reason: format!("expected an AMI id as a string, found {other}"),
                }))
            }
        };
        Ok(MachineImage::id(Val::<ImageId>::from(image.as_str())))
    }

    /// The AMI id when it is fixed at synthesis ([`MachineImage::id`], [`MachineImage::lookup`]);
    /// `None` for an image CloudFormation reads from an SSM parameter at deployment.
    pub fn image_id(&self) -> Option<Val<ImageId>> {
        match &self.source {
            Source::Id(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// The device name of the image's root volume (default `/dev/xvda`, Amazon Linux's; Ubuntu
    /// images use `/dev/sda1`): the root volume settings apply to it.
    pub fn root_device(mut self, device: &str) -> MachineImage {
        self.root_device = device.to_string();
        self
    }

    /// The root device name.
    pub fn root_device_name(&self) -> &str {
        &self.root_device
    }

    /// The SSM parameter CloudFormation reads, if the image comes from one.
    pub fn ssm_parameter(&self, architecture: CpuArchitecture) -> Option<String> {
        match &self.source {
            Source::AmazonLinux2023 => Some(amazon_linux_2023_parameter(architecture)),
            Source::SsmParameter(name) => Some(name.clone()),
            Source::Id(_) => None,
        }
    }

    /// The template parameter that resolves the image (for an image from SSM), and the value
    /// the launch template uses.
    pub(crate) fn resolve(
        &self,
        architecture: CpuArchitecture,
        fleet: &str,
    ) -> (Option<Parameter<ImageId>>, Val<ImageId>) {
        let name = match &self.source {
            Source::Id(id) => return (None, id.clone()),
            Source::AmazonLinux2023 => amazon_linux_2023_parameter(architecture),
            Source::SsmParameter(name) => name.clone(),
        };
        let parameter = Parameter::<ImageId>::from_ssm(name.clone()).description(format!(
            "The AMI of {fleet}, read from SSM parameter {name}"
        ));
        let value = parameter.value();
        (Some(parameter), value)
    }

    /// The smallest root volume the image boots from, when known (Amazon Linux 2023's snapshot
    /// is 8 GiB).
    pub(crate) fn minimum_root_gib(&self) -> Option<u32> {
        match self.source {
            Source::AmazonLinux2023 => Some(8),
            _ => None,
        }
    }
}
