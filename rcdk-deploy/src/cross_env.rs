//! References across environments at deploy time.
//!
//! A stack that uses a value of a stack in another account or region cannot import it: exports
//! and SSM parameters are visible only in their own account and region. Synthesis therefore
//! gives the producer a plain output and the consumer a parameter, and records in the manifest
//! which parameter comes from which output. Before the consumer's request is built, the
//! producer's outputs are read (the producer was deployed first: the consumer depends on it)
//! and passed as the parameters' values. Nothing locks the output, and no custom resource runs.
//!
//! An explicit `--parameter Consumer:Key=Value` for such a parameter wins: the producer is not
//! read for it. That is the way to deploy a consumer whose producer the current credentials
//! cannot read (deployed by another team, or from another pipeline).

use std::future::Future;

use crate::assembly::{Assembly, StackEntry};
use crate::errors::{CrossEnvironmentError, Error, Result};
use crate::request::StackParameter;
use crate::session::Session;
use crate::stack_state::describe;

/// A deployed stack's outputs, key and value; `None` when the stack is not deployed.
type Outputs = Option<Vec<(String, String)>>;

/// Where the outputs of deployed producer stacks are read from.
pub(crate) trait OutputSource {
    /// The outputs (key, value) of `producer` as deployed; `None` when it is not deployed (or
    /// holds nothing deployed: a create under review or rolled back).
    fn outputs(&self, producer: &StackEntry) -> impl Future<Output = Result<Outputs>>;
}

impl OutputSource for Session {
    async fn outputs(&self, producer: &StackEntry) -> Result<Outputs> {
        let info = describe(self.cfn(), &producer.stack_name).await?;
        Ok(info
            .filter(|i| {
                !matches!(
                    i.status.as_str(),
                    "REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE"
                )
            })
            .map(|i| i.outputs))
    }
}

/// The deployer reads each producer in the producer's own environment: its account's
/// credentials (or deploy role) and its region, where its outputs live.
impl OutputSource for crate::deploy::Deploy {
    async fn outputs(&self, producer: &StackEntry) -> Result<Outputs> {
        let session = self.session_for(producer).await?;
        session.outputs(producer).await
    }
}

/// Where the value of one cross-environment parameter comes from, and the value when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The consumer's parameter.
    pub parameter: String,
    /// The producer's artifact id.
    pub producer: String,
    /// The producer's output.
    pub output: String,
    /// The value: given on the command line, or read from the deployed producer.
    pub value: Result<String, Missing>,
    /// Whether the value was given with `--parameter` (the producer was not read).
    pub explicit: bool,
}

/// Why a cross-environment value is not available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Missing {
    /// The producer stack is not deployed.
    NotDeployed,
    /// The producer is deployed without the output (deployed from an older assembly).
    NoOutput,
}

/// Resolves every cross-environment parameter of `consumer`: from `given` when the user passed
/// a value for it, else from the producer's deployed outputs read through `source` (one read
/// per producer).
pub(crate) async fn resolve(
    assembly: &Assembly,
    consumer: &StackEntry,
    given: &[StackParameter],
    source: &impl OutputSource,
) -> Result<Vec<Resolved>> {
    // Producers already read: one DescribeStacks per producer, however many values it gives.
    let mut read: Vec<(String, Outputs)> = Vec::new();
    let mut resolved = Vec::new();
    for wire in &consumer.cross_environment {
        let explicit = given.iter().find(|p| {
            (p.stack == consumer.id || p.stack == consumer.stack_name) && p.key == wire.parameter
        });
        if let Some(p) = explicit {
            resolved.push(Resolved {
                parameter: wire.parameter.clone(),
                producer: wire.producer_stack.clone(),
                output: wire.output.clone(),
                value: Ok(p.value.clone()),
                explicit: true,
            });
            continue;
        }
        let Some(producer) = assembly
            .manifest()
            .stacks
            .iter()
            .find(|s| s.id == wire.producer_stack)
        else {
            return Err(Error::Assembly(format!(
                "stack {} takes parameter {} from stack {}, which is not in the assembly; synthesize again",
                consumer.id, wire.parameter, wire.producer_stack
            )));
        };
        let outputs = match read.iter().find(|(id, _)| *id == producer.id) {
            Some((_, outputs)) => outputs.clone(),
            None => {
                let outputs = source.outputs(producer).await?;
                read.push((producer.id.clone(), outputs.clone()));
                outputs
            }
        };
        let value = match outputs {
            None => Err(Missing::NotDeployed),
            Some(outputs) => outputs
                .into_iter()
                .find(|(k, _)| *k == wire.output)
                .map(|(_, v)| v)
                .ok_or(Missing::NoOutput),
        };
        resolved.push(Resolved {
            parameter: wire.parameter.clone(),
            producer: producer.id.clone(),
            output: wire.output.clone(),
            value,
            explicit: false,
        });
    }
    Ok(resolved)
}

/// The parameters to build `consumer`'s request with: `given`, plus the value of each of its
/// cross-environment parameters read from the producer's outputs. A producer that is not
/// deployed, or lacks the output, is an error naming both stacks, the output and the
/// producer's environment.
pub(crate) async fn parameters(
    assembly: &Assembly,
    consumer: &StackEntry,
    given: &[StackParameter],
    source: &impl OutputSource,
) -> Result<Vec<StackParameter>> {
    let mut all = given.to_vec();
    for r in resolve(assembly, consumer, given, source).await? {
        if r.explicit {
            continue;
        }
        let producer = assembly.manifest().stack(&r.producer);
        let environment = producer
            .map(|p| p.environment.to_string())
            .unwrap_or_default();
        let producer_name = producer.map(|p| p.stack_name.as_str()).unwrap_or("");
        match r.value {
            Ok(value) => all.push(StackParameter {
                stack: consumer.id.clone(),
                key: r.parameter,
                value,
            }),
            Err(missing) => {
                let (reason, advice) = match missing {
                    Missing::NotDeployed => (
                        format!("stack {producer_name} is not deployed there"),
                        format!(
                            "deploy {} first (it is deployed before {} when both are selected), or pass --parameter {}:{}=VALUE",
                            r.producer, consumer.id, consumer.id, r.parameter
                        ),
                    ),
                    Missing::NoOutput => (
                        format!("the deployed stack {producer_name} has no output {}", r.output),
                        format!(
                            "deploy {} again from this assembly so that it has the output, or pass --parameter {}:{}=VALUE",
                            r.producer, consumer.id, r.parameter
                        ),
                    ),
                };
                return Err(Error::CrossEnvironment(Box::new(CrossEnvironmentError {
                    consumer: consumer.id.clone(),
                    parameter: r.parameter,
                    producer: r.producer,
                    output: r.output,
                    environment,
                    reason,
                    advice,
                })));
            }
        }
    }
    Ok(all)
}

/// One line per cross-environment parameter of `consumer`, for `diff`: where its value comes
/// from and the value when the producer is deployed.
pub(crate) fn describe_for_diff(resolved: &[Resolved]) -> Vec<String> {
    resolved
        .iter()
        .map(|r| {
            let from = format!("output {} of stack {}", r.output, r.producer);
            match &r.value {
                Ok(v) if r.explicit => {
                    format!("  parameter {} = {v} (given; {from} not read)", r.parameter)
                }
                Ok(v) => format!("  parameter {} = {v} ({from})", r.parameter),
                Err(Missing::NotDeployed) => format!(
                    "  parameter {}: from {from}, which is not deployed yet",
                    r.parameter
                ),
                Err(Missing::NoOutput) => format!(
                    "  parameter {}: from {from}, which the deployed stack does not have yet",
                    r.parameter
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    use indexmap::IndexMap;
    use rcdk_core::cloud_assembly::{
        ArtifactManifest, ArtifactProperties, ArtifactType, AssemblyManifest, Environment,
        StackProperties, CROSS_ENVIRONMENT_PARAMETER, MANIFEST_FILE, MANIFEST_VERSION,
    };
    use serde_json::json;

    /// Outputs by stack name; records which stacks were read.
    struct Fake {
        deployed: Vec<(&'static str, Vec<(String, String)>)>,
        reads: RefCell<Vec<String>>,
    }

    impl OutputSource for Fake {
        async fn outputs(&self, producer: &StackEntry) -> Result<Option<Vec<(String, String)>>> {
            self.reads.borrow_mut().push(producer.stack_name.clone());
            Ok(self
                .deployed
                .iter()
                .find(|(n, _)| *n == producer.stack_name)
                .map(|(_, o)| o.clone()))
        }
    }

    fn fake(deployed: Vec<(&'static str, Vec<(&str, &str)>)>) -> Fake {
        Fake {
            deployed: deployed
                .into_iter()
                .map(|(n, o)| {
                    (
                        n,
                        o.into_iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    )
                })
                .collect(),
            reads: RefCell::new(Vec::new()),
        }
    }

    /// `Primary` (eu-west-1) and `Recovery` (eu-central-1); `Recovery` takes two parameters
    /// from two outputs of `Primary`.
    fn assembly() -> (tempfile::TempDir, Assembly) {
        let dir = tempfile::tempdir().unwrap();
        let mut artifacts = IndexMap::new();
        for (id, region) in [("Primary", "eu-west-1"), ("Recovery", "eu-central-1")] {
            let file = format!("{id}.template.json");
            std::fs::write(dir.path().join(&file), r#"{"Resources": {}}"#).unwrap();
            let consumer = id == "Recovery";
            let wire = |parameter: &str, output: &str| {
                json!({"type": CROSS_ENVIRONMENT_PARAMETER, "data": {
                    "parameter": parameter, "producerStack": "Primary", "output": output}})
            };
            artifacts.insert(
                id.to_string(),
                ArtifactManifest {
                    r#type: ArtifactType::Stack,
                    environment: Some(Environment {
                        account: Some("111111111111".into()),
                        region: Some(region.into()),
                    }),
                    dependencies: if consumer {
                        vec!["Primary".into()]
                    } else {
                        Vec::new()
                    },
                    properties: Some(ArtifactProperties::Stack(StackProperties {
                        template_file: file,
                        stack_name: Some(format!("app-{id}")),
                        tags: IndexMap::new(),
                        termination_protection: false,
                        parameters: IndexMap::new(),
                        stack_template_asset_object_url: None,
                        requires_bootstrap_stack_version: None,
                        bootstrap_stack_version_ssm_parameter: None,
                    })),
                    display_name: None,
                    metadata: consumer.then(|| {
                        IndexMap::from([(
                            "/Recovery".to_string(),
                            vec![
                                wire("CrossEnvPrimaryKeyArn", "CrossEnvKeyArn"),
                                wire("CrossEnvPrimaryBucket", "CrossEnvBucket"),
                            ],
                        )])
                    }),
                },
            );
        }
        let manifest = AssemblyManifest {
            version: MANIFEST_VERSION.to_string(),
            artifacts,
            runtime: None,
            missing: Vec::new(),
        };
        std::fs::write(
            dir.path().join(MANIFEST_FILE),
            serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap();
        let assembly = Assembly::load(dir.path()).unwrap();
        (dir, assembly)
    }

    fn pairs(params: &[StackParameter]) -> Vec<(&str, &str, &str)> {
        params
            .iter()
            .map(|p| (p.stack.as_str(), p.key.as_str(), p.value.as_str()))
            .collect()
    }

    #[tokio::test]
    async fn outputs_become_the_consumers_parameters() {
        let (_dir, assembly) = assembly();
        let consumer = assembly.manifest().stack("Recovery").unwrap();
        let source = fake(vec![(
            "app-Primary",
            vec![
                ("CrossEnvBucket", "primary-data"),
                ("Other", "x"),
                ("CrossEnvKeyArn", "arn:key"),
            ],
        )]);
        let given: Vec<StackParameter> = vec!["Recovery:Env=prod".parse().unwrap()];
        let params = parameters(&assembly, consumer, &given, &source)
            .await
            .unwrap();
        assert_eq!(
            pairs(&params),
            [
                ("Recovery", "Env", "prod"),
                ("Recovery", "CrossEnvPrimaryKeyArn", "arn:key"),
                ("Recovery", "CrossEnvPrimaryBucket", "primary-data"),
            ]
        );
        // One read for the two values of one producer.
        assert_eq!(*source.reads.borrow(), ["app-Primary"]);
        // The producer itself takes nothing from anywhere.
        let producer = assembly.manifest().stack("Primary").unwrap();
        assert!(parameters(&assembly, producer, &[], &source)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn an_explicit_value_wins_and_is_not_read() {
        let (_dir, assembly) = assembly();
        let consumer = assembly.manifest().stack("Recovery").unwrap();
        let source = fake(vec![]);
        let given: Vec<StackParameter> = vec![
            "app-Recovery:CrossEnvPrimaryKeyArn=arn:given"
                .parse()
                .unwrap(),
            "Recovery:CrossEnvPrimaryBucket=given-bucket"
                .parse()
                .unwrap(),
        ];
        let params = parameters(&assembly, consumer, &given, &source)
            .await
            .unwrap();
        assert_eq!(pairs(&params), pairs(&given));
        assert!(source.reads.borrow().is_empty());
        let lines =
            describe_for_diff(&resolve(&assembly, consumer, &given, &source).await.unwrap());
        assert_eq!(
            lines[0],
            "  parameter CrossEnvPrimaryKeyArn = arn:given (given; output CrossEnvKeyArn of stack Primary not read)"
        );
    }

    #[tokio::test]
    async fn a_missing_producer_or_output_names_both_stacks_the_output_and_the_environment() {
        let (_dir, assembly) = assembly();
        let consumer = assembly.manifest().stack("Recovery").unwrap();
        let e = parameters(&assembly, consumer, &[], &fake(vec![]))
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "stack Recovery takes parameter CrossEnvPrimaryKeyArn from output CrossEnvKeyArn of stack Primary (aws://111111111111/eu-west-1), but stack app-Primary is not deployed there; deploy Primary first (it is deployed before Recovery when both are selected), or pass --parameter Recovery:CrossEnvPrimaryKeyArn=VALUE"
        );
        let source = fake(vec![("app-Primary", vec![("CrossEnvKeyArn", "arn:key")])]);
        let e = parameters(&assembly, consumer, &[], &source)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "from output CrossEnvBucket of stack Primary (aws://111111111111/eu-west-1)"
            ),
            "{e}"
        );
        assert!(
            e.contains("the deployed stack app-Primary has no output CrossEnvBucket"),
            "{e}"
        );
        let lines = describe_for_diff(&resolve(&assembly, consumer, &[], &source).await.unwrap());
        assert_eq!(
            lines,
            [
                "  parameter CrossEnvPrimaryKeyArn = arn:key (output CrossEnvKeyArn of stack Primary)",
                "  parameter CrossEnvPrimaryBucket: from output CrossEnvBucket of stack Primary, which the deployed stack does not have yet",
            ]
        );
    }
}
