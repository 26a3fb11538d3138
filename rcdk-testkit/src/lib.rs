//! Test support shared by the workspace's tests: finds the pinned Python tools that
//! `scripts/python-tools.sh` installs, runs `cfn-lint` and `checkov` on templates, and starts
//! `moto` in server mode on a free loopback port; finds the pinned Node tools that
//! `scripts/node-tools.sh` installs (the cloud-assembly schemas and the official AWS CDK CLI);
//! starts a local OCI registry (`docker-registry`), checks images with `skopeo` and pushes a tiny
//! base image to it (the Debian packages that `scripts/debian-tools.sh` installs).
//!
//! Runs programs with fake AWS credentials only.
//!
//! Tests fail loudly when a tool is missing; nothing here skips.

#![warn(missing_docs)]

pub mod command;
pub mod lint;
pub mod moto;
pub mod nodetools;
pub mod oci_fixture;
pub mod pytools;
pub mod registry;
pub mod rulepacks;
pub mod skopeo;
