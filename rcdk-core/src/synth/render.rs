//! Resolution of values: node references become logical ids, and references to another stack
//! become exports/imports or SSM parameters, recording the dependency between the stacks.
//!
//! A reference to a stack in another environment (another account or region, both known) can
//! use neither: exports and SSM parameters are visible only in their own account and region.
//! The producer then declares the value as a plain output (no export, so nothing locks it) and
//! the consumer as a parameter; deployment reads the output and passes it (no custom resource).

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::cloud_assembly::Environment;
use crate::element::Element;
use crate::error::SynthError;
use crate::synth::logical_id;
use crate::synth::tree::Walk;
use crate::template::{map_parts, Use};
use crate::value::{CrossStackStrategy, Intrinsic, Target, Value};

/// What a producer stack must add for a reference from another stack.
#[derive(Debug, Clone)]
pub enum Provision {
    /// An output with an export.
    Export {
        output_id: String,
        export_name: String,
        value: Value,
    },
    /// An SSM parameter resource holding the value.
    Ssm {
        resource_id: String,
        parameter_name: String,
        value: Value,
        list: bool,
    },
    /// A plain output (no export) read at deploy time for a consumer in another environment.
    Output { output_id: String, value: Value },
}

/// What a consumer stack must add for a value of a stack in another environment: a parameter
/// whose value deployment reads from the producer's output.
#[derive(Debug, Clone)]
pub struct CrossEnvImport {
    /// Logical id of the parameter in the consumer.
    pub parameter_id: String,
    /// Index of the producer stack.
    pub producer: usize,
    /// Logical id of the producer's output.
    pub output_id: String,
    /// Whether the value is a list (a `CommaDelimitedList` parameter).
    pub list: bool,
}

/// What a consumer stack must add to read an SSM-carried value.
#[derive(Debug, Clone)]
pub struct SsmImport {
    /// Logical id of the parameter in the consumer.
    pub parameter_id: String,
    /// SSM parameter name (the default value).
    pub parameter_name: String,
    /// Whether the value is a list.
    pub list: bool,
}

/// A dependency between stacks and the path that caused it (for cycle messages).
#[derive(Debug, Clone)]
pub struct Dependency {
    /// Path of the referencing element.
    pub from_path: String,
    /// Path of the referenced element (or the stack, for explicit dependencies).
    pub to_path: String,
}

/// Resolution state shared by all stacks of one synthesis.
pub struct Resolver<'w, 'a> {
    walk: &'w Walk<'a>,
    stack_names: Vec<String>,
    /// Bootstrap qualifier of each stack (names the staging bucket of its file assets).
    qualifiers: Vec<String>,
    /// Environment of each stack.
    environments: Vec<Environment>,
    default_strategy: CrossStackStrategy,
    /// Per producer stack: key -> provision, in first-use order.
    pub provisions: Vec<IndexMap<String, Provision>>,
    /// Per consumer stack: key -> SSM import.
    pub ssm_imports: Vec<IndexMap<String, SsmImport>>,
    /// Per consumer stack: key -> parameter fed by a stack in another environment.
    pub cross_env_imports: Vec<IndexMap<String, CrossEnvImport>>,
    /// (consumer, producer) -> first reference that caused it.
    pub dependencies: BTreeMap<(usize, usize), Dependency>,
    /// Problems found.
    pub errors: Vec<SynthError>,
}

impl<'w, 'a> Resolver<'w, 'a> {
    /// A resolver over a walked tree.
    pub fn new(
        walk: &'w Walk<'a>,
        stack_names: Vec<String>,
        qualifiers: Vec<String>,
        environments: Vec<Environment>,
        default_strategy: CrossStackStrategy,
    ) -> Self {
        let n = stack_names.len();
        Resolver {
            walk,
            stack_names,
            qualifiers,
            environments,
            default_strategy,
            provisions: vec![IndexMap::new(); n],
            ssm_imports: vec![IndexMap::new(); n],
            cross_env_imports: vec![IndexMap::new(); n],
            dependencies: BTreeMap::new(),
            errors: Vec::new(),
        }
    }

    /// Resolves `value` used by the element at `at` in stack `stack`.
    pub fn render(&mut self, value: &Value, stack: usize, at: &str) -> Value {
        self.render_with(value, stack, at, None)
    }

    /// Resolves a map (a resource's properties or metadata) read in place: the same as
    /// rendering `Value::Map(map.clone())`, without copying the map first.
    pub fn render_map(&mut self, map: &IndexMap<String, Value>, stack: usize, at: &str) -> Value {
        self.render_entries(map, stack, at, None)
    }

    fn render_entries(
        &mut self,
        map: &IndexMap<String, Value>,
        stack: usize,
        at: &str,
        strategy: Option<CrossStackStrategy>,
    ) -> Value {
        let mut out = IndexMap::with_capacity(map.len());
        for (k, v) in map {
            out.insert(k.clone(), self.render_with(v, stack, at, strategy));
        }
        // An IAM statement lists each resource once: two references that differ before
        // rendering (the container-assets repository of two image assets) can be one text after.
        if out.contains_key("Effect") {
            for key in ["Resource", "NotResource"] {
                if let Some(Value::List(items)) = out.get_mut(key) {
                    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
                    for item in items.drain(..) {
                        if !kept.contains(&item) {
                            kept.push(item);
                        }
                    }
                    *items = kept;
                }
            }
        }
        Value::Map(out)
    }

    /// Resolves the target of a `DependsOn`: returns the logical id when the resource is in the
    /// same stack; a resource of another stack records a stack dependency and returns `None`.
    pub fn depends_on_name(&mut self, target: &Target, stack: usize, at: &str) -> Option<String> {
        let what = "resource";
        match target {
            Target::Name(n) => Some(n.clone()),
            Target::Pseudo(p) => Some(p.name().to_string()),
            Target::Node(node) => {
                let Some(&i) = self.walk.elements.get(node) else {
                    self.errors.push(not_in_app(at, what));
                    return None;
                };
                let rec = &self.walk.nodes[i];
                if !matches!(rec.construct.element(), Some(Element::Resource(_))) {
                    self.errors.push(
                        SynthError::new(
                            at,
                            format!("depends on {}, which is not a resource", rec.path_string()),
                        )
                        .hint("DependsOn can only name resources; remove this dependency"),
                    );
                    return None;
                }
                if rec.stack == stack {
                    return self.walk.logical_ids.get(node).cloned();
                }
                self.dependencies
                    .entry((stack, rec.stack))
                    .or_insert_with(|| Dependency {
                        from_path: at.to_string(),
                        to_path: rec.path_string(),
                    });
                None
            }
        }
    }

    fn render_with(
        &mut self,
        value: &Value,
        stack: usize,
        at: &str,
        strategy: Option<CrossStackStrategy>,
    ) -> Value {
        match value {
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| self.render_with(v, stack, at, strategy))
                    .collect(),
            ),
            Value::Map(map) => self.render_entries(map, stack, at, strategy),
            Value::Fn(f) => self.render_fn(f, stack, at, strategy),
            other => other.clone(),
        }
    }

    fn render_fn(
        &mut self,
        f: &Intrinsic,
        stack: usize,
        at: &str,
        strategy: Option<CrossStackStrategy>,
    ) -> Value {
        match f {
            Intrinsic::Ref { target, list } => {
                self.reference(target, None, *list, stack, at, strategy)
            }
            Intrinsic::GetAtt {
                target,
                attribute,
                list,
            } => self.reference(target, Some(attribute), *list, stack, at, strategy),
            Intrinsic::CrossStack { value, strategy: s } => {
                self.render_with(value, stack, at, Some(*s))
            }
            // Reported by validation with the property's path; nothing to resolve.
            Intrinsic::InvalidLiteral { .. } => Value::func(f.clone()),
            _ => Value::func(map_parts(
                f,
                self,
                &mut |s, v| s.render_with(v, stack, at, strategy),
                &mut |s, use_, t| match use_ {
                    Use::Condition => s.condition_name(t, stack, at),
                    Use::Mapping => s.same_stack_only(t, stack, at, "mapping"),
                    // Rendered by the arms above, never reached here.
                    Use::Ref | Use::GetAtt => t.clone(),
                },
            )),
        }
    }

    /// Resolves the target of a `Condition` attribute (of a resource or an output). A condition
    /// exists only in its own stack: one of another stack is an error, never silently dropped.
    pub fn condition_attribute(&mut self, t: &Target, stack: usize, at: &str) -> Option<String> {
        let before = self.errors.len();
        match self.condition_name(t, stack, at) {
            Target::Name(n) if self.errors.len() == before => Some(n),
            _ => None,
        }
    }

    fn condition_name(&mut self, t: &Target, stack: usize, at: &str) -> Target {
        self.same_stack_only(t, stack, at, "condition")
    }

    fn same_stack_only(&mut self, t: &Target, stack: usize, at: &str, what: &str) -> Target {
        let Target::Node(node) = t else {
            return t.clone();
        };
        match self.walk.elements.get(node) {
            None => {
                self.errors.push(not_in_app(at, what));
                Target::Name("Missing".into())
            }
            Some(&i) if self.walk.nodes[i].stack != stack => {
                self.errors.push(
                    SynthError::new(
                        at,
                        format!(
                            "uses the {what} at {}, which is in another stack",
                            self.walk.nodes[i].path_string()
                        ),
                    )
                    .hint(format!(
                        "a {what} can only be used in its own stack; declare it in this stack too"
                    )),
                );
                Target::Name("Missing".into())
            }
            Some(_) => Target::Name(self.walk.logical_ids[node].clone()),
        }
    }

    fn reference(
        &mut self,
        target: &Target,
        attribute: Option<&String>,
        list: bool,
        stack: usize,
        at: &str,
        strategy: Option<CrossStackStrategy>,
    ) -> Value {
        let make = |name: String| match attribute {
            None => Value::func(Intrinsic::Ref {
                target: Target::Name(name),
                list,
            }),
            Some(a) => Value::func(Intrinsic::GetAtt {
                target: Target::Name(name),
                attribute: a.clone(),
                list,
            }),
        };
        let node = match target {
            Target::Node(node) => *node,
            other => {
                return match attribute {
                    None => Value::func(Intrinsic::Ref {
                        target: other.clone(),
                        list,
                    }),
                    Some(a) => Value::func(Intrinsic::GetAtt {
                        target: other.clone(),
                        attribute: a.clone(),
                        list,
                    }),
                }
            }
        };
        let Some(&i) = self.walk.elements.get(&node) else {
            self.errors.push(not_in_app(at, "resource"));
            return make("Missing".into());
        };
        let rec = &self.walk.nodes[i];
        let logical = self.walk.logical_ids[&node].clone();
        match rec.construct.element() {
            Some(Element::Resource(_)) | Some(Element::Parameter(_)) => {}
            // A file asset's value is the staging bucket of its stack's environment: the same
            // text in every stack of that environment, so nothing crosses stacks.
            Some(Element::FileAsset(_)) if attribute.is_none() => {
                let bucket = crate::bootstrap::staging_bucket_name(
                    &self.qualifiers[rec.stack],
                    crate::cloud_assembly::ACCOUNT_PLACEHOLDER,
                    crate::cloud_assembly::REGION_PLACEHOLDER,
                );
                return Value::func(Intrinsic::Sub {
                    template: bucket,
                    variables: IndexMap::new(),
                });
            }
            // An image asset's values (its URI, its repository's name and ARN) are likewise
            // texts of its stack's environment and qualifier.
            Some(Element::ImageAsset(image)) => {
                if let Some(text) = image_value(
                    &self.qualifiers[rec.stack],
                    &image.hash,
                    attribute.map(String::as_str),
                ) {
                    return Value::func(Intrinsic::Sub {
                        template: text,
                        variables: IndexMap::new(),
                    });
                }
                self.errors.push(
                    SynthError::new(
                        at,
                        format!(
                            "references attribute {} of image asset {}, which has only {} and {}",
                            attribute.map(String::as_str).unwrap_or(""),
                            rec.path_string(),
                            crate::image::REPOSITORY_ARN_ATTRIBUTE,
                            crate::image::REPOSITORY_NAME_ATTRIBUTE
                        ),
                    )
                    .hint("use ImageAsset::image_uri, repository_arn or repository_name"),
                );
                return make(logical);
            }
            Some(Element::Output(_))
            | Some(Element::FileAsset(_))
            | Some(Element::Condition(_))
            | Some(Element::Mapping(_))
            | None => {
                self.errors.push(
                    SynthError::new(at, format!("references {}, which cannot be referenced", rec.path_string()))
                        .hint("only resources and parameters have a value; use the output's value instead"),
                );
                return make(logical);
            }
        }
        if rec.stack == stack {
            return make(logical);
        }
        // Crosses stacks.
        let producer = rec.stack;
        self.dependencies
            .entry((stack, producer))
            .or_insert_with(|| Dependency {
                from_path: at.to_string(),
                to_path: rec.path_string(),
            });
        let producer_name = self.stack_names[producer].clone();
        let (consumer_env, producer_env) =
            (&self.environments[stack], &self.environments[producer]);
        let cross_environment = consumer_env != producer_env;
        if cross_environment && !(is_known(consumer_env) && is_known(producer_env)) {
            let describe = |env: &Environment| {
                if is_known(env) {
                    env.to_string()
                } else {
                    "environment-agnostic".to_string()
                }
            };
            self.errors.push(
                SynthError::new(
                    at,
                    format!(
                        "references {} of stack {producer_name} ({}) from stack {} ({}): a reference between these environments cannot be resolved",
                        rec.path_string(),
                        describe(producer_env),
                        self.stack_names[stack],
                        describe(consumer_env),
                    ),
                )
                .hint(format!(
                    "give both stacks an environment with `.env(account, region)` (the same one for a reference within one environment, different ones to pass the value at deploy time), or neither, to deploy {producer_name} and {} with the same credentials",
                    self.stack_names[stack]
                )),
            );
            return make(logical);
        }
        let attr_part = attribute.map(|a| a.replace('.', "-"));
        let body = format!(
            "{logical}{}",
            logical_id::sanitize(attr_part.as_deref().unwrap_or(""))
        );
        if cross_environment {
            // Neither an export nor an SSM parameter is visible from another account or region.
            let produced = make(logical.clone());
            let produced = if list {
                Value::func(Intrinsic::Join {
                    delimiter: ",".into(),
                    values: produced,
                })
            } else {
                produced
            };
            let output_id = logical_id::bounded("CrossEnv", &body);
            let key = format!(
                "{logical}/{}/CrossEnv",
                attr_part.as_deref().unwrap_or("Ref")
            );
            self.provisions[producer]
                .entry(key.clone())
                .or_insert_with(|| Provision::Output {
                    output_id: output_id.clone(),
                    value: produced,
                });
            let import = self.cross_env_imports[stack]
                .entry(format!("{producer}/{key}"))
                .or_insert_with(|| CrossEnvImport {
                    parameter_id: logical_id::bounded(
                        "CrossEnv",
                        &format!("{}{body}", logical_id::sanitize(&producer_name)),
                    ),
                    producer,
                    output_id,
                    list,
                });
            // A list travels as its comma-joined text and comes back as a list.
            return Value::func(Intrinsic::Ref {
                target: Target::Name(import.parameter_id.clone()),
                list,
            });
        }
        let strategy = strategy.unwrap_or(self.default_strategy);
        let produced = make(logical.clone());
        let produced = if list {
            Value::func(Intrinsic::Join {
                delimiter: ",".into(),
                values: produced,
            })
        } else {
            produced
        };
        let key = format!(
            "{logical}/{}/{strategy:?}",
            attr_part.as_deref().unwrap_or("Ref")
        );
        let imported = match strategy {
            CrossStackStrategy::Export => {
                let export_name = match &attr_part {
                    None => format!("{producer_name}:{logical}"),
                    Some(a) => format!("{producer_name}:{logical}-{a}"),
                };
                self.provisions[producer]
                    .entry(key)
                    .or_insert_with(|| Provision::Export {
                        output_id: logical_id::bounded("Export", &body),
                        export_name: export_name.clone(),
                        value: produced,
                    });
                Value::func(Intrinsic::ImportValue {
                    name: Value::String(export_name),
                })
            }
            CrossStackStrategy::SsmParameter => {
                let parameter_name = format!(
                    "/cdk/{producer_name}/{logical}/{}",
                    attr_part.as_deref().unwrap_or("Ref")
                );
                self.provisions[producer]
                    .entry(key.clone())
                    .or_insert_with(|| Provision::Ssm {
                        resource_id: logical_id::bounded("SsmExport", &body),
                        parameter_name: parameter_name.clone(),
                        value: produced,
                        list,
                    });
                let import = self.ssm_imports[stack]
                    .entry(key)
                    .or_insert_with(|| SsmImport {
                        parameter_id: logical_id::bounded(
                            "SsmImport",
                            &format!("{}{body}", logical_id::sanitize(&producer_name)),
                        ),
                        parameter_name,
                        list,
                    });
                // A list travels as a StringList parameter and comes back as a list.
                return Value::func(Intrinsic::Ref {
                    target: Target::Name(import.parameter_id.clone()),
                    list,
                });
            }
        };
        if list {
            Value::func(Intrinsic::Split {
                delimiter: ",".into(),
                source: imported,
            })
        } else {
            imported
        }
    }
}

/// Whether both the account and the region of `env` are fixed.
fn is_known(env: &Environment) -> bool {
    env.account.is_some() && env.region.is_some()
}

fn not_in_app(at: &str, what: &str) -> SynthError {
    SynthError::new(
        at,
        format!("references a {what} that is not part of the app"),
    )
    .hint("add the referenced construct to a stack of this app (it was created but never added)")
}

/// The `Fn::Sub` text of an image asset's URI (no attribute) or repository attribute, in an
/// environment bootstrapped with `qualifier`.
fn image_value(qualifier: &str, hash: &str, attribute: Option<&str>) -> Option<String> {
    let repository = crate::bootstrap::container_assets_repository_name(
        qualifier,
        crate::cloud_assembly::ACCOUNT_PLACEHOLDER,
        crate::cloud_assembly::REGION_PLACEHOLDER,
    );
    match attribute {
        None => Some(format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repository}:{hash}"
        )),
        Some(crate::image::REPOSITORY_ARN_ATTRIBUTE) => Some(format!(
            "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"
        )),
        Some(crate::image::REPOSITORY_NAME_ATTRIBUTE) => Some(repository),
        Some(_) => None,
    }
}
