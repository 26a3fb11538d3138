//! Stacks: the unit of deployment. A stack is a construct whose subtree becomes one template.

use indexmap::IndexMap;

use crate::aspect::Aspect;
use crate::bootstrap::DEFAULT_QUALIFIER;
use crate::cloud_assembly::Environment;
use crate::construct::{Child, ChildId, ChildMut, Construct, Group};

/// One CloudFormation stack: its settings and the constructs in it.
pub struct Stack {
    pub(crate) id: String,
    pub(crate) stack_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: IndexMap<String, String>,
    pub(crate) termination_protection: bool,
    pub(crate) transforms: Vec<String>,
    pub(crate) metadata: IndexMap<String, serde_json::Value>,
    pub(crate) dependencies: Vec<String>,
    pub(crate) environment: Environment,
    pub(crate) qualifier: Option<String>,
    pub(crate) aspects: Vec<Box<dyn Aspect>>,
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
            dependencies: Vec::new(),
            environment: Environment::agnostic(),
            qualifier: None,
            aspects: Vec::new(),
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

    /// Deploys this stack after the stack with construct id `stack_id`.
    pub fn depends_on(mut self, stack_id: impl Into<String>) -> Self {
        self.dependencies.push(stack_id.into());
        self
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
