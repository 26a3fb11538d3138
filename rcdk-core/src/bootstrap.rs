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
pub const BOOTSTRAP_VERSION: u32 = 6;

/// Version a synthesized stack requires: the staging bucket and the version parameter (what the
/// AWS CDK's own synthesizer asks of a bootstrap for file assets).
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
