//! Stacks: the unit of deployment. A stack is a construct whose subtree becomes one template.

use std::collections::BTreeMap;
use std::sync::Mutex;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::aspect::Aspect;
use crate::bootstrap::DEFAULT_QUALIFIER;
use crate::cloud_assembly::Environment;
use crate::construct::{Child, ChildId, ChildMut, Construct, Group};
use crate::context::{
    context_key, program_context, ContextProvider, Lookup, LookupError, MissingContext,
};

/// One CloudFormation stack: its settings and the constructs in it.
pub struct Stack {
    pub(crate) id: String,
    pub(crate) stack_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: IndexMap<String, String>,
    pub(crate) termination_protection: bool,
    pub(crate) transforms: Vec<String>,
    pub(crate) metadata: IndexMap<String, serde_json::Value>,
    /// Top-level sections the model does not build (`Rules`, SAM's `Globals`), as written.
    pub(crate) sections: IndexMap<String, serde_json::Value>,
    pub(crate) dependencies: Vec<String>,
    pub(crate) environment: Environment,
    pub(crate) qualifier: Option<String>,
    pub(crate) aspects: Vec<Box<dyn Aspect>>,
    /// Context answers given in code, ahead of the context file.
    context: BTreeMap<String, Value>,
    /// Lookups this synthesis could not answer, for the manifest's `missing` field.
    missing: Mutex<Vec<MissingContext>>,
    children: Group,
}

impl Stack {
    /// A stack with construct id `id`, deployed under the same name unless
    /// [`stack_name`](Stack::stack_name) says otherwise.
    pub fn new(id: impl Into<String>) -> Stack {
        Stack {
            id: id.into(),
            stack_name: None,
            description: None,
            tags: IndexMap::new(),
            termination_protection: false,
            transforms: Vec::new(),
            metadata: IndexMap::new(),
            sections: IndexMap::new(),
            dependencies: Vec::new(),
            environment: Environment::agnostic(),
            qualifier: None,
            aspects: Vec::new(),
            context: BTreeMap::new(),
            missing: Mutex::new(Vec::new()),
            children: Group::new(),
        }
    }

    /// The construct id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The CloudFormation stack name.
    pub fn name(&self) -> &str {
        self.stack_name.as_deref().unwrap_or(&self.id)
    }

    /// The environment the stack is deployed to (`aws://unknown-account/unknown-region`, decided
    /// by the credentials at deploy time, unless [`env`](Stack::env) fixed it).
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The bootstrap qualifier (the AWS CDK's default `hnb659fds` unless
    /// [`qualifier`](Stack::qualifier) changed it).
    pub fn bootstrap_qualifier(&self) -> &str {
        self.qualifier.as_deref().unwrap_or(DEFAULT_QUALIFIER)
    }

    /// Adds a construct under `id`.
    pub fn add(
        &mut self,
        id: impl Into<ChildId>,
        construct: impl Construct + 'static,
    ) -> &mut Self {
        self.children.add(id, construct);
        self
    }

    /// Adds a construct under `id`, builder style.
    pub fn with(mut self, id: impl Into<ChildId>, construct: impl Construct + 'static) -> Self {
        self.add(id, construct);
        self
    }

    /// Deploys under another CloudFormation stack name.
    pub fn stack_name(mut self, name: impl Into<String>) -> Self {
        self.stack_name = Some(name.into());
        self
    }

    /// Deploys to this account and region only: a deployment with credentials of another account
    /// is refused. Without it the stack is environment-agnostic.
    ///
    /// ```
    /// use rcdk_core::Stack;
    /// let stack = Stack::new("Prod").env("123456789012", "eu-west-1");
    /// assert_eq!(stack.environment().to_string(), "aws://123456789012/eu-west-1");
    /// ```
    pub fn env(mut self, account: impl Into<String>, region: impl Into<String>) -> Self {
        self.environment = Environment {
            account: Some(account.into()),
            region: Some(region.into()),
        };
        self
    }

    /// Uses the bootstrap resources of another qualifier (`cdk bootstrap --qualifier` /
    /// `cargo rcdk bootstrap --qualifier`): its staging bucket and version parameter. Checked at
    /// synthesis: 1-10 lower-case letters and digits.
    pub fn qualifier(mut self, qualifier: impl Into<String>) -> Self {
        self.qualifier = Some(qualifier.into());
        self
    }

    /// The template's `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// A stack tag (CloudFormation propagates stack tags to the resources it creates).
    ///
    /// Literal strings only: stack tags are passed to the CreateStack call, outside the template,
    /// where nothing evaluates functions or parameters. For a value computed at deploy time, tag
    /// the resources with the [`Tags`](crate::Tags) aspect instead.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Turns termination protection on.
    pub fn termination_protection(mut self) -> Self {
        self.termination_protection = true;
        self
    }

    /// Adds a `Transform` (e.g. `AWS::Serverless-2016-10-31`).
    pub fn transform(mut self, name: impl Into<String>) -> Self {
        self.transforms.push(name.into());
        self
    }

    /// One entry of the template's `Metadata`.
    pub fn metadata(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }

    /// A top-level template section that constructs do not build, written as given: `Rules`
    /// (parameter checks), `Hooks`, or SAM's `Globals` beside its transform. The standard
    /// sections are refused here: they are built from the tree.
    pub fn section(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.sections.insert(name.into(), value);
        self
    }

    /// Deploys this stack after the stack with construct id `stack_id`.
    pub fn depends_on(mut self, stack_id: impl Into<String>) -> Self {
        self.dependencies.push(stack_id.into());
        self
    }

    /// Answers the context query `key` with `value` for this stack, ahead of the context file
    /// (to pin a value in code, or in tests).
    pub fn context(mut self, key: impl Into<String>, value: Value) -> Self {
        self.context.insert(key.into(), value);
        self
    }

    /// Looks up the answer to a context query of `provider` with `props` (the provider's own
    /// properties; the stack's account and region are added), for the construct at `id` in
    /// this stack. An answer of `None` means it is not known yet: the caller goes on with a dummy
    /// value, and the query is recorded for the manifest's `missing` field, to be looked up by
    /// `cargo rcdk context` before synthesizing again. `what` says what is looked up, for
    /// messages ("a VPC").
    ///
    /// The stack needs an explicit account and region ([`env`](Stack::env)).
    pub fn lookup(
        &self,
        id: &str,
        what: &str,
        provider: ContextProvider,
        props: Map<String, Value>,
    ) -> Result<Lookup, LookupError> {
        let path = format!("{}/{id}", self.id);
        let (Some(account), Some(region)) = (&self.environment.account, &self.environment.region)
        else {
            return Err(LookupError::AgnosticStack {
                path,
                stack: self.id.clone(),
                what: what.to_string(),
            });
        };
        let mut query = Map::new();
        query.insert("account".into(), Value::String(account.clone()));
        query.insert("region".into(), Value::String(region.clone()));
        query.extend(props);
        let key = context_key(provider, &query);
        if let Some(value) = self.context.get(&key) {
            let value = Some(value.clone());
            return Ok(Lookup { key, value });
        }
        let file = program_context().map_err(|source| LookupError::Context {
            path: path.clone(),
            source,
        })?;
        if let Some(value) = file.get(&key) {
            let value = Some(value.clone());
            return Ok(Lookup { key, value });
        }
        let mut missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
        if !missing.iter().any(|m| m.key == key) {
            missing.push(MissingContext {
                key: key.clone(),
                provider,
                props: query,
            });
        }
        Ok(Lookup { key, value: None })
    }

    /// The lookups of this stack that the context did not answer.
    pub fn missing_context(&self) -> Vec<MissingContext> {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `aspect` over this stack's constructs before synthesis.
    pub fn aspect(mut self, aspect: impl Aspect + 'static) -> Self {
        self.aspects.push(Box::new(aspect));
        self
    }
}

impl Construct for Stack {
    fn construct_type(&self) -> &str {
        "Stack"
    }
    fn children(&self) -> Vec<Child<'_>> {
        self.children.children()
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        self.children.children_mut()
    }
}
