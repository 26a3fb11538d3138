//! Constructs needed once per stack ([`StackSingleton`]): each node of a stack may ask for some;
//! each id asked for is added once directly below that stack, before aspects and the main walk
//! see the tree.

use crate::app::App;
use crate::construct::{ChildId, Construct, StackSingleton};

/// Adds to every stack the singletons its nodes ask for and it does not have yet. Running it
/// again changes nothing, so an app synthesizes the same every time.
pub(crate) fn add_stack_singletons(app: &mut App) {
    let (stacks, _) = app.stacks_and_aspects_mut();
    for stack in stacks.iter_mut() {
        let mut wanted: Vec<StackSingleton> = Vec::new();
        collect(&*stack, &mut wanted);
        let present: Vec<String> = stack
            .children()
            .into_iter()
            .filter_map(|c| match c.id {
                ChildId::Named(id) => Some(id),
                ChildId::Peer { .. } => None,
            })
            .collect();
        for singleton in wanted {
            if !present.iter().any(|id| id == singleton.id) {
                stack.add(singleton.id, (singleton.make)());
            }
        }
    }
}

/// The singletons `node` and its subtree ask for, each id once, in the order first asked.
fn collect(node: &dyn Construct, out: &mut Vec<StackSingleton>) {
    for singleton in node.stack_singletons() {
        if !out.iter().any(|s| s.id == singleton.id) {
            out.push(singleton);
        }
    }
    for child in node.children() {
        collect(child.node, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::construct::{Child, Group};
    use crate::resource::RawResource;
    use crate::stack::Stack;

    /// A construct that needs the shared `Shared` resource in its stack.
    struct Needy;

    fn shared() -> Box<dyn Construct> {
        Box::new(RawResource::new("AWS::SNS::Topic"))
    }

    impl Construct for Needy {
        fn construct_type(&self) -> &str {
            "Needy"
        }
        fn children(&self) -> Vec<Child<'_>> {
            Vec::new()
        }
        fn stack_singletons(&self) -> Vec<StackSingleton> {
            vec![StackSingleton {
                id: "Shared",
                make: shared,
            }]
        }
    }

    fn resource_types(app: &mut App, stack: &str) -> Vec<String> {
        let assembly = app.synth().unwrap();
        let template = assembly.stack(stack).unwrap().template_json();
        template["Resources"]
            .as_object()
            .map(|r| {
                r.values()
                    .map(|v| v["Type"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_singleton_is_added_once_per_stack_that_asks_for_it() {
        let mut app = App::new()
            .with(
                Stack::new("A")
                    .with("One", Needy)
                    .with("Nested", Group::new().with("Two", Needy)),
            )
            .with(Stack::new("B").with("Queue", RawResource::new("AWS::SQS::Queue")));
        assert_eq!(resource_types(&mut app, "A"), ["AWS::SNS::Topic"]);
        assert_eq!(resource_types(&mut app, "B"), ["AWS::SQS::Queue"]);
        // A second synthesis finds the singleton in place and adds no other.
        assert_eq!(resource_types(&mut app, "A"), ["AWS::SNS::Topic"]);
    }

    #[test]
    fn a_stack_child_with_the_singletons_id_is_kept() {
        let mut app = App::new().with(
            Stack::new("A")
                .with("One", Needy)
                .with("Shared", RawResource::new("AWS::SQS::Queue")),
        );
        assert_eq!(resource_types(&mut app, "A"), ["AWS::SQS::Queue"]);
    }
}
