//! Each stack's environment and the session that reaches it.
//!
//! A stack goes to the account and region of its Cloud Assembly environment; an agnostic
//! account is the credentials' own (STS GetCallerIdentity), an agnostic region the configured
//! one. In the credentials' own account the credentials are used as they are, with the stack's
//! region. In another account the environment's bootstrap deploy role
//! (`cdk-QUALIFIER-deploy-role-ACCOUNT-REGION`) is assumed from them with STS, as the AWS CDK
//! does, and CloudFormation is handed the environment's execution role
//! (`cdk-QUALIFIER-cfn-exec-role-ACCOUNT-REGION`) as `RoleARN`. One session per environment is
//! made on first use and kept for the whole operation.

use std::collections::HashMap;
use std::sync::Arc;

use rcdk_core::bootstrap::{cfn_exec_role_name, deploy_role_name, role_arn};

use crate::assembly::{stack_environment, StackEntry};
use crate::deploy::Deploy;
use crate::environment::{qualifier_flag, Target};
use crate::errors::{Error, Result};
use crate::session::Session;

/// The STS session name of an assumed deploy role: what CloudTrail shows for our calls.
pub(crate) const ROLE_SESSION_NAME: &str = "rcdk-deploy";

/// Where a session goes: the credentials' own account (`account: None`) or another one, in a
/// region; another account's role also depends on the bootstrap qualifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    account: Option<String>,
    region: String,
    qualifier: String,
}

/// The credentials' account, once asked, and the sessions made so far.
#[derive(Debug, Default)]
pub(crate) struct Environments {
    caller: tokio::sync::OnceCell<String>,
    sessions: tokio::sync::Mutex<HashMap<Key, Arc<Session>>>,
}

impl Deploy {
    /// The account of the credentials (STS GetCallerIdentity, asked once).
    pub(crate) async fn caller_account(&self) -> Result<String> {
        self.environments
            .caller
            .get_or_try_init(|| async {
                self.session
                    .clients
                    .target()
                    .await
                    .map(|target| target.account)
            })
            .await
            .cloned()
    }

    /// The environment `stack` goes to, its agnostic parts filled in.
    pub(crate) async fn target_of(&self, stack: &StackEntry) -> Result<Target> {
        let env = stack_environment(stack);
        let account = match env.account {
            Some(account) => account,
            None => self.caller_account().await?,
        };
        Ok(Target {
            account,
            region: env
                .region
                .unwrap_or_else(|| self.session.clients.region.clone()),
        })
    }

    /// The session that reaches `stack`'s environment. A stack without an account of its own,
    /// in the configured region, gets the deployer's own session without any call to AWS.
    pub(crate) async fn session_for(&self, stack: &StackEntry) -> Result<Arc<Session>> {
        let env = stack_environment(stack);
        let region = env
            .region
            .clone()
            .unwrap_or_else(|| self.session.clients.region.clone());
        let account = match env.account {
            Some(account) if account != self.caller_account().await? => Some(account),
            _ => None,
        };
        let key = Key {
            qualifier: if account.is_some() {
                env.qualifier
            } else {
                String::new()
            },
            account,
            region,
        };
        // Held while a session is made: concurrent stacks of one environment assume its role
        // once.
        let mut sessions = self.environments.sessions.lock().await;
        if let Some(session) = sessions.get(&key) {
            return Ok(session.clone());
        }
        let session = Arc::new(self.make_session(stack, &key).await?);
        sessions.insert(key, session.clone());
        Ok(session)
    }

    async fn make_session(&self, stack: &StackEntry, key: &Key) -> Result<Session> {
        let base = &self.session;
        let Some(account) = &key.account else {
            let clients = if key.region == base.clients.region {
                // The deployer's own clients, as given (tests add interceptors to them).
                base.clients.clone()
            } else {
                base.clients.in_region(&key.region)?
            };
            return Ok(base.for_environment(clients, None));
        };
        let region = &key.region;
        let caller = self.caller_account().await?;
        let role = role_arn(
            &deploy_role_name(&key.qualifier, account, region),
            account,
            region,
        );
        let clients = base
            .clients
            .assuming(&role, ROLE_SESSION_NAME, region)
            .await
            .map_err(|message| {
                let environment = Target {
                    account: account.clone(),
                    region: region.clone(),
                };
                Error::EnvironmentUnreachable {
                    stack: stack.id.clone(),
                    advice: format!(
                        "Either bootstrap {environment} to trust account {caller} (with credentials of account {account}: `cargo rcdk bootstrap {environment} --trust {caller} --cloudformation-execution-policies POLICY_ARN{}`), or deploy with credentials of account {account} (e.g. --profile)",
                        qualifier_flag(&key.qualifier)
                    ),
                    environment: environment.to_string(),
                    role: role.clone(),
                    message,
                }
            })?;
        let execution_role = role_arn(
            &cfn_exec_role_name(&key.qualifier, account, region),
            account,
            region,
        );
        base.output.line(format!(
            "aws://{account}/{region}: using role {role} (CloudFormation acts as {execution_role})"
        ));
        Ok(base.for_environment(clients, Some(execution_role)))
    }
}
