//! The app: the root of the construct tree, holding the stacks.

use crate::aspect::Aspect;
use crate::construct::Construct;
use crate::error::SynthErrors;
use crate::stack::Stack;
use crate::synth::{Assembly, SynthOptions};
use crate::value::CrossStackStrategy;

/// The root of a CDK program: stacks, app-wide aspects and settings.
///
/// ```
/// use rcdk_core::{App, Stack, RawResource};
/// let mut app = App::new();
/// app.add(Stack::new("Demo").with("Queue", RawResource::new("AWS::SQS::Queue")));
/// let assembly = app.synth().unwrap();
/// assert_eq!(assembly.stacks.len(), 1);
/// ```
#[derive(Default)]
pub struct App {
    stacks: Vec<Stack>,
    aspects: Vec<Box<dyn Aspect>>,
    strategy: CrossStackStrategy,
}

impl App {
    /// An empty app.
    pub fn new() -> App {
        App::default()
    }

    /// Adds a stack.
    pub fn add(&mut self, stack: Stack) -> &mut Self {
        self.stacks.push(stack);
        self
    }

    /// Adds a stack, builder style.
    pub fn with(mut self, stack: Stack) -> Self {
        self.stacks.push(stack);
        self
    }

    /// Runs `aspect` over every stack before synthesis.
    pub fn aspect(&mut self, aspect: impl Aspect + 'static) -> &mut Self {
        self.aspects.push(Box::new(aspect));
        self
    }

    /// How references between stacks are carried unless a reference asks otherwise.
    pub fn set_cross_stack_strategy(&mut self, strategy: CrossStackStrategy) -> &mut Self {
        self.strategy = strategy;
        self
    }

    /// The default cross-stack strategy.
    pub fn cross_stack_strategy(&self) -> CrossStackStrategy {
        self.strategy
    }

    /// The stacks, in the order added.
    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Synthesizes with default options (JSON).
    pub fn synth(&mut self) -> Result<Assembly, SynthErrors> {
        crate::synth::synthesize(self, &SynthOptions::default())
    }

    /// Synthesizes with `options`.
    pub fn synth_with(&mut self, options: &SynthOptions) -> Result<Assembly, SynthErrors> {
        crate::synth::synthesize(self, options)
    }

    pub(crate) fn stack_refs(&self) -> Vec<(&str, &dyn Construct)> {
        self.stacks
            .iter()
            .map(|s| (s.id(), s as &dyn Construct))
            .collect()
    }

    pub(crate) fn stacks_and_aspects_mut(&mut self) -> (&mut [Stack], &mut [Box<dyn Aspect>]) {
        (&mut self.stacks, &mut self.aspects)
    }
}
