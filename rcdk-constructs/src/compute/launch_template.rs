//! The launch template of an instance fleet: IMDSv2 only, an encrypted gp3 root volume, no key
//! pair (shell access through Session Manager, with the agent's permissions in the instance
//! role), an instance profile, the fleet's security group and the AMI resolved at deployment.

use rcdk_core::kind::{ImageId, RoleArn};
use rcdk_core::{fns, NodeId, Parameter, Resource, Scanner, Val};
use rcdk_macros::Construct;

use super::instance_type::InstanceType;
use super::machine_image::MachineImage;
use super::user_data::UserData;
use super::volume::Gp3Volume;
use crate::cfn::ec2 as cfn;
use crate::cfn::ec2::launch_template as lt;
use crate::cfn::iam as cfn_iam;
use crate::error::ConstructError;
use crate::iam::{CheckedStatement, Grant, Grantee, Role, Statement};
use crate::network::{Connectable, IVpc, Port, SecurityGroup};

/// The service principal EC2 assumes instance roles with.
pub const EC2_PRINCIPAL: &str = "ec2.amazonaws.com";

/// The response hop limit of the metadata service by default: 1, so that only processes on the
/// instance itself get the instance role's credentials, not containers behind a Docker bridge
/// (one more network hop); [`LaunchTemplateBuilder::metadata_hop_limit`] raises it for hosts
/// whose containers use the instance role.
pub const DEFAULT_HOP_LIMIT: u8 = 1;

/// Control Tower's rule that the metadata service's hop limit is 1.
const HOP_LIMIT_RULE: &str = "ec2_launch_template_token_hop_limit_check";

/// Control Tower's rule that launch templates turn on detailed monitoring.
const MONITORING_RULE: &str = "ec2_launch_template_monitoring_enabled_check";

/// What the SSM agent needs for Session Manager, as AWS's
/// `AWSCloud9SSMInstanceProfile` managed policy grants it: registering the instance and the
/// session channels. Not `AmazonSSMManagedInstanceCore`, which would also let the instance
/// read every SSM parameter of the account (`ssm:GetParameter*` on `*`).
pub(crate) fn session_manager_statements() -> [CheckedStatement; 2] {
    let register = Statement::allow([crate::action!("ssm:UpdateInstanceInformation")])
        .on(fns::sub_plain(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*",
        ))
        .wildcards_because(
            "ssm:UpdateInstanceInformation on the instances of this account and region: the \
             instances launched from this template get their ids at launch, so no ARN can name \
             them in advance, and an instance registers only itself with these credentials",
        );
    // The message-gateway actions have no resource type: `*` is all IAM accepts.
    let channels = crate::iam::ssm_session_channels();
    [
        CheckedStatement::trusted(register),
        CheckedStatement::trusted(channels),
    ]
}

/// Builder of a [`LaunchTemplate`]; see [`LaunchTemplate::builder`].
#[derive(Debug, Clone)]
pub struct LaunchTemplateBuilder {
    name: String,
    vpc_id: Val<rcdk_core::kind::VpcId>,
    instance_type: InstanceType,
    image: MachineImage,
    root_volume: Result<Gp3Volume, ConstructError>,
    user_data: Option<UserData>,
    hop_limit: u8,
    unlimited_credits: bool,
    detailed_monitoring: bool,
    https_egress: bool,
    session_manager: bool,
    role: Option<Role>,
}

impl LaunchTemplateBuilder {
    /// The AMI (default [`MachineImage::amazon_linux_2023`]).
    pub fn machine_image(mut self, image: MachineImage) -> Self {
        self.image = image;
        self
    }

    /// The root volume (default: 30 GiB gp3 with the included 3,000 IOPS and 125 MiB/s). It
    /// is always encrypted and deleted with the instance.
    pub fn root_volume(mut self, volume: Gp3Volume) -> Self {
        self.root_volume = Ok(volume);
        self
    }

    /// The script run at first boot.
    pub fn user_data(mut self, script: UserData) -> Self {
        self.user_data = Some(script);
        self
    }

    /// The metadata service's response hop limit, 1-64 (default [`DEFAULT_HOP_LIMIT`], 1, which
    /// keeps the credentials from containers on the host that use bridge networking). 2 lets
    /// such containers use the instance role; above 1 the template records the finding it
    /// causes, with this call as the reason.
    pub fn metadata_hop_limit(mut self, hops: u8) -> Self {
        self.hop_limit = hops;
        self
    }

    /// Lets a burstable (`t`) type spend CPU above its credits, billed per vCPU-hour. Off by
    /// default: a sustained load then shows as throttling, not as an unexpected bill.
    pub fn unlimited_cpu_credits(mut self) -> Self {
        self.unlimited_credits = true;
        self
    }

    /// CloudWatch metrics every minute instead of every five (default: on, so that CPU scaling
    /// and alarms react within a minute; billed per metric, about 2 USD a month per instance).
    /// `false` records the finding it causes, with this call as the reason.
    pub fn detailed_monitoring(mut self, on: bool) -> Self {
        self.detailed_monitoring = on;
        self
    }

    /// HTTPS (443) egress to anywhere (default: on), for the SSM agent, ECR, S3 and the package
    /// repositories. Turn it off only in a VPC whose interface endpoints cover what the
    /// instances call.
    pub fn internet_https_egress(mut self, on: bool) -> Self {
        self.https_egress = on;
        self
    }

    /// Leaves out the Session Manager permissions of the instance role (default: granted).
    /// There is no other way in: no key pair, no port 22.
    pub fn without_session_manager(mut self) -> Self {
        self.session_manager = false;
        self
    }

    /// Uses `role` (e.g. with a fixed name) as the instance role; it must trust
    /// `ec2.amazonaws.com`.
    pub fn role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }

    /// Builds the launch template.
    pub fn build(self) -> Result<LaunchTemplate, ConstructError> {
        LaunchTemplate::check_name("LaunchTemplate", &self.name)?;
        let construct = format!("LaunchTemplate `{}`", self.name);
        let conflict = |problem: String| ConstructError::Conflict {
            construct: construct.clone(),
            problem,
        };
        let root = self.root_volume?;
        if !(1..=64).contains(&self.hop_limit) {
            return Err(ConstructError::OutOfRange {
                construct: "LaunchTemplate",
                setting: "metadata hop limit",
                value: i64::from(self.hop_limit),
                allowed: "1-64",
            });
        }
        if let Some(min) = self.image.minimum_root_gib() {
            if root.size_gib() < min {
                return Err(conflict(format!(
                    "the root volume of {} GiB is smaller than the image's {min} GiB snapshot: \
                     give at least {min} GiB",
                    root.size_gib()
                )));
            }
        }
        if self.unlimited_credits && !self.instance_type.is_burstable() {
            return Err(conflict(format!(
                "unlimited CPU credits apply to burstable types only, and {} is not one: \
                 remove .unlimited_cpu_credits()",
                self.instance_type
            )));
        }
        if let Some(script) = &self.user_data {
            script.check()?;
        }

        let mut role = self.role.unwrap_or_else(|| {
            Role::assumed_by_service(EC2_PRINCIPAL)
                .description(format!("Instances of {}", self.name))
        });
        if self.session_manager {
            for statement in session_manager_statements() {
                role.grant(statement);
            }
        }
        let instance_profile = cfn_iam::InstanceProfile::new(vec![role.role_name()]);

        let mut security_group = SecurityGroup::new(
            self.vpc_id,
            &self.name,
            &format!(
                "Instances of {}: no SSH, reached through Session Manager",
                self.name
            ),
        );
        if self.https_egress {
            security_group.allow_to_any_ipv4(Port::tcp(443));
        }

        let (image_parameter, image_id) = self
            .image
            .resolve(self.instance_type.architecture(), &self.name);

        let mut data = lt::LaunchTemplateData::new()
            .image_id(image_id)
            .instance_type(self.instance_type.name())
            .iam_instance_profile(lt::IamInstanceProfile::new().arn(instance_profile.attr_arn()))
            .security_group_ids(vec![security_group.group_id()])
            .metadata_options(
                lt::MetadataOptions::new()
                    .http_endpoint(lt::MetadataOptionsHttpEndpoint::Enabled)
                    .http_tokens(lt::MetadataOptionsHttpTokens::Required)
                    .http_put_response_hop_limit(i64::from(self.hop_limit))
                    .instance_metadata_tags(lt::MetadataOptionsInstanceMetadataTags::Disabled),
            )
            .block_device_mappings(vec![root.mapping(self.image.root_device_name())])
            .monitoring(lt::Monitoring::new().enabled(self.detailed_monitoring));
        if self.instance_type.is_burstable() {
            data.set_credit_specification(lt::CreditSpecification::new().cpu_credits(
                if self.unlimited_credits {
                    "unlimited"
                } else {
                    "standard"
                },
            ));
        }
        if let Some(script) = &self.user_data {
            data.set_user_data(script.encoded());
        }
        let mut resource = cfn::LaunchTemplate::new(data);
        if self.hop_limit > 1 {
            resource.core_mut().suppress(
                Scanner::Guard,
                HOP_LIMIT_RULE,
                format!(
                    "The metadata hop limit was raised to {} explicitly with \
                     LaunchTemplateBuilder::metadata_hop_limit, so that containers on the host \
                     behind Docker's bridge network (one more hop) can use the instance role; \
                     IMDSv2 session tokens stay required.",
                    self.hop_limit
                ),
            );
        }
        if !self.detailed_monitoring {
            resource.core_mut().suppress(
                Scanner::Guard,
                MONITORING_RULE,
                "Detailed monitoring was turned off explicitly with \
                 LaunchTemplateBuilder::detailed_monitoring(false), to save its per-instance \
                 charge: the instances report CloudWatch metrics every five minutes.",
            );
        }
        Ok(LaunchTemplate {
            role,
            instance_profile,
            security_group,
            image: image_parameter,
            resource,
            name: self.name,
            instance_type: self.instance_type,
            root_volume: root,
            detailed_monitoring: self.detailed_monitoring,
        })
    }
}

/// An EC2 launch template with its instance role (child `Role`), instance profile, security
/// group and, for an image from SSM, the template parameter that resolves it (child `Image`).
/// Permissions granted to it go to the instance role; it is [`Connectable`] through its group.
///
/// ```
/// use rcdk_constructs::compute::{Gp3Volume, InstanceType, LaunchTemplate, UserData};
/// use rcdk_constructs::network::TieredVpc;
/// let vpc = TieredVpc::builder().build()?;
/// let template = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
///     .root_volume(Gp3Volume::gib(20)?)
///     .user_data(UserData::shell().command("dnf install -y docker"))
///     .build()?;
/// assert_eq!(template.instance_type().name(), "t3.small");
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "compute::LaunchTemplate")]
pub struct LaunchTemplate {
    role: Role,
    instance_profile: cfn_iam::InstanceProfile,
    security_group: SecurityGroup,
    image: Option<Parameter<ImageId>>,
    resource: cfn::LaunchTemplate,
    #[construct(skip)]
    name: String,
    #[construct(skip)]
    instance_type: InstanceType,
    #[construct(skip)]
    root_volume: Gp3Volume,
    #[construct(skip)]
    detailed_monitoring: bool,
}

impl LaunchTemplate {
    /// A launch template `name` (letters, digits, `-`, `_`: it labels the security group and
    /// the instances) for `instance_type` in `vpc`, with Amazon Linux 2023 and a 30 GiB root
    /// volume unless told otherwise.
    pub fn builder(
        name: &str,
        vpc: &dyn IVpc,
        instance_type: InstanceType,
    ) -> LaunchTemplateBuilder {
        LaunchTemplateBuilder {
            name: name.to_string(),
            vpc_id: vpc.vpc_id(),
            instance_type,
            image: MachineImage::amazon_linux_2023(),
            root_volume: Gp3Volume::gib(30),
            user_data: None,
            hop_limit: DEFAULT_HOP_LIMIT,
            unlimited_credits: false,
            detailed_monitoring: true,
            https_egress: true,
            session_manager: true,
            role: None,
        }
    }

    /// Checks a name given to [`LaunchTemplate::builder`] or an auto scaling group.
    pub(crate) fn check_name(construct: &'static str, name: &str) -> Result<(), ConstructError> {
        let valid = !name.is_empty()
            && name.len() <= 128
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(())
        } else {
            Err(ConstructError::InvalidName {
                construct,
                what: "name",
                name: name.to_string(),
                rule: "it must be 1-128 letters, digits, `-` or `_`",
            })
        }
    }

    /// The name given to the builder.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instance type.
    pub fn instance_type(&self) -> &InstanceType {
        &self.instance_type
    }

    /// The root volume.
    pub fn root_volume(&self) -> &Gp3Volume {
        &self.root_volume
    }

    /// Whether the instances report metrics every minute (a charge per instance).
    pub fn has_detailed_monitoring(&self) -> bool {
        self.detailed_monitoring
    }

    /// The instance role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The instance role's ARN.
    pub fn role_arn(&self) -> Val<RoleArn> {
        self.role.arn()
    }

    /// The launch template id (`Ref`).
    pub fn launch_template_id(&self) -> Val<String> {
        self.resource.ref_()
    }

    /// The latest version number (what an auto scaling group launches).
    pub fn latest_version(&self) -> Val<String> {
        self.resource.attr_latest_version_number()
    }

    /// The launch template resource.
    pub fn resource(&self) -> &cfn::LaunchTemplate {
        &self.resource
    }

    /// The launch template resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::LaunchTemplate {
        &mut self.resource
    }

    /// The node of the instance role's inline policy: what a fleet waits for.
    pub(crate) fn policy_node(&self) -> Option<NodeId> {
        self.role.policy_node()
    }
}

impl Grantee for LaunchTemplate {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        self.role.grant(statement)
    }
}

impl Connectable for LaunchTemplate {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
