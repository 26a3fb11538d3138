//! Names of what `bootstrap` creates in an environment, shared by synthesis (which writes them
//! into templates and asset manifests) and the deploy side (which creates and reads them).
//!
//! They are the AWS CDK's default names, so that an environment the AWS CDK has bootstrapped needs
//! nothing new, and an environment bootstrapped here serves AWS CDK apps that need no more than
//! what it holds.

/// The AWS CDK's default qualifier: the part of every bootstrap name that lets several bootstrap
/// stacks live in one environment.
pub const DEFAULT_QUALIFIER: &str = "hnb659fds";

/// Name of the bootstrap stack.
pub const DEFAULT_TOOLKIT_STACK_NAME: &str = "CDKToolkit";

/// Bootstrap version that the bootstrap stack made here writes to its version parameter; stacks
/// synthesized here require at least [`REQUIRED_BOOTSTRAP_VERSION`].
///
/// Version 7 added the deploy role and the CloudFormation execution role. It is above the 6 that
/// earlier bootstrap stacks of this tool wrote so that an older `cargo rcdk bootstrap` sees a
/// newer bootstrap and leaves it alone instead of replacing it with a template without the
/// roles (which would cut off the accounts it trusts).
pub const BOOTSTRAP_VERSION: u32 = 7;

/// Version a synthesized stack requires: the staging bucket and the version parameter (what the
/// AWS CDK's own synthesizer asks of a bootstrap for file assets). It stays at 6: deploying into
/// the credentials' own account uses neither role, and deploying into another account fails
/// with its own message when the deploy role is missing.
pub const REQUIRED_BOOTSTRAP_VERSION: u32 = 6;

/// Checks a qualifier as the AWS CDK does: 1-10 lower-case letters and digits (it becomes part of
/// bucket and repository names).
pub fn check_qualifier(qualifier: &str) -> Result<(), String> {
    let ok = !qualifier.is_empty()
        && qualifier.len() <= 10
        && qualifier
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "qualifier {qualifier:?} must be 1-10 lower-case letters or digits (it is part of bucket and repository names)"
        ))
    }
}

/// The SSM parameter holding the bootstrap version: `/cdk-bootstrap/QUALIFIER/version`.
pub fn version_parameter(qualifier: &str) -> String {
    format!("/cdk-bootstrap/{qualifier}/version")
}

/// The staging bucket for file assets and large templates: `cdk-QUALIFIER-assets-ACCOUNT-REGION`.
/// Pass `${AWS::AccountId}` / `${AWS::Region}` for the form that templates and asset manifests
/// hold before the environment is known.
pub fn staging_bucket_name(qualifier: &str, account: &str, region: &str) -> String {
    format!("cdk-{qualifier}-assets-{account}-{region}")
}

/// The ECR repository for container-image assets: `cdk-QUALIFIER-container-assets-ACCOUNT-REGION`.
pub fn container_assets_repository_name(qualifier: &str, account: &str, region: &str) -> String {
    format!("cdk-{qualifier}-container-assets-{account}-{region}")
}

/// The role other accounts assume to deploy into this environment:
/// `cdk-QUALIFIER-deploy-role-ACCOUNT-REGION`.
pub fn deploy_role_name(qualifier: &str, account: &str, region: &str) -> String {
    format!("cdk-{qualifier}-deploy-role-{account}-{region}")
}

/// The role CloudFormation assumes to change stacks deployed through the deploy role:
/// `cdk-QUALIFIER-cfn-exec-role-ACCOUNT-REGION`.
pub fn cfn_exec_role_name(qualifier: &str, account: &str, region: &str) -> String {
    format!("cdk-{qualifier}-cfn-exec-role-{account}-{region}")
}

/// `aws`, `aws-cn` or `aws-us-gov`: the partition of a region, for ARNs built before a
/// template resolves `${AWS::Partition}`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The ARN of role `name` in `account`, in the partition of `region`.
pub fn role_arn(name: &str, account: &str, region: &str) -> String {
    format!("arn:{}:iam::{account}:role/{name}", partition(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_aws_cdk_defaults() {
        assert_eq!(
            version_parameter(DEFAULT_QUALIFIER),
            "/cdk-bootstrap/hnb659fds/version"
        );
        assert_eq!(
            staging_bucket_name(DEFAULT_QUALIFIER, "123456789012", "eu-west-1"),
            "cdk-hnb659fds-assets-123456789012-eu-west-1"
        );
        assert_eq!(
            container_assets_repository_name(DEFAULT_QUALIFIER, "123456789012", "eu-west-1"),
            "cdk-hnb659fds-container-assets-123456789012-eu-west-1"
        );
        assert_eq!(
            deploy_role_name(DEFAULT_QUALIFIER, "123456789012", "eu-west-1"),
            "cdk-hnb659fds-deploy-role-123456789012-eu-west-1"
        );
        assert_eq!(
            cfn_exec_role_name(DEFAULT_QUALIFIER, "123456789012", "eu-west-1"),
            "cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1"
        );
        assert_eq!(
            role_arn("r", "123456789012", "cn-north-1"),
            "arn:aws-cn:iam::123456789012:role/r"
        );
        assert_eq!(
            role_arn("r", "123456789012", "eu-west-1"),
            "arn:aws:iam::123456789012:role/r"
        );
    }

    #[test]
    fn qualifiers_are_checked() {
        assert!(check_qualifier(DEFAULT_QUALIFIER).is_ok());
        assert!(check_qualifier("team2").is_ok());
        for bad in ["", "UPPER", "has-dash", "elevenchars"] {
            assert!(check_qualifier(bad).is_err(), "{bad}");
        }
    }
}
