//! ECR credentials (GetAuthorizationToken) and the test override of the registry endpoint.

use oci_client::secrets::RegistryAuth;

use super::error::{ImageError, Result};
use super::registry::is_loopback_host;

/// The environment variable that sends registry traffic to a local registry instead of
/// `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (tests; loopback HTTP only).
pub const REGISTRY_ENDPOINT_ENV: &str = "RCDK_ECR_REGISTRY_ENDPOINT";

/// An ECR login: the registry host and its credentials.
#[derive(Clone)]
pub struct EcrLogin {
    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (from the token's proxy endpoint).
    pub host: String,
    /// Basic credentials (`AWS` and a 12-hour password).
    pub auth: RegistryAuth,
}

impl std::fmt::Debug for EcrLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcrLogin")
            .field("host", &self.host)
            .finish()
    }
}

/// Checks a registry endpoint override: `http://HOST:PORT` (or `https://`) with a loopback
/// host; returns `HOST:PORT` as image references write it.
pub fn parse_registry_endpoint(value: &str) -> Result<String> {
    let refuse = |reason: &str| ImageError::RegistryEndpoint {
        value: value.to_string(),
        reason: reason.to_string(),
    };
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(|| refuse("it must start with http://"))?;
    let host = rest.trim_end_matches('/');
    if host.is_empty() || host.contains('/') || host.contains('@') {
        return Err(refuse("it must be http://HOST:PORT without a path or user"));
    }
    if !is_loopback_host(host) {
        return Err(refuse(&format!(
            "{host} is not a loopback address (127.0.0.1, localhost, [::1]); images for AWS go to the account's ECR registry"
        )));
    }
    Ok(host.to_string())
}

/// GetAuthorizationToken: the registry of the credentials' account and region and a password
/// for it.
pub async fn login(client: &aws_sdk_ecr::Client) -> Result<EcrLogin> {
    let out = client
        .get_authorization_token()
        .send()
        .await
        .map_err(|e| ImageError::Ecr(crate::errors::describe_sdk_error(&e)))?;
    let data = out
        .authorization_data()
        .first()
        .ok_or_else(|| ImageError::Ecr("the answer holds no authorization data".into()))?;
    let token = data
        .authorization_token()
        .ok_or_else(|| ImageError::Ecr("the answer holds no token".into()))?;
    let decoded = aws_smithy_types::base64::decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ImageError::Ecr("the token is not base64 text".into()))?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or_else(|| ImageError::Ecr("the token is not USER:PASSWORD".into()))?;
    let endpoint = data.proxy_endpoint().unwrap_or_default();
    let host = endpoint
        .strip_prefix("https://")
        .unwrap_or(endpoint)
        .trim_end_matches('/')
        .to_string();
    if host.is_empty() {
        return Err(ImageError::Ecr(
            "the answer names no registry endpoint".into(),
        ));
    }
    Ok(EcrLogin {
        host,
        auth: RegistryAuth::Basic(user.to_string(), password.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_endpoints_are_accepted() {
        assert_eq!(
            parse_registry_endpoint("http://127.0.0.1:5000").unwrap(),
            "127.0.0.1:5000"
        );
        assert_eq!(
            parse_registry_endpoint("http://localhost:5000/").unwrap(),
            "localhost:5000"
        );
        for bad in [
            "http://registry.example.com:5000",
            "http://10.1.2.3:5000",
            "127.0.0.1:5000",
            "http://127.0.0.1:5000/v2",
            "http://user@127.0.0.1:5000",
        ] {
            let e = parse_registry_endpoint(bad).unwrap_err().to_string();
            assert!(e.contains("RCDK_ECR_REGISTRY_ENDPOINT"), "{e}");
        }
    }
}
