//! `cargo rcdk migrate`: a new cargo package whose program builds an existing template (a file,
//! or a deployed stack's template read with `GetTemplate`) with the generated typed resources,
//! as the AWS CDK's `cdk migrate` does for TypeScript. Every logical id is kept; values that do
//! not fit their generated type are written as in the template, with a comment saying so.

pub mod cli;
mod program;
mod rust;
mod table;

use std::path::{Path, PathBuf};

use rcdk_core::template::{TemplateDoc, TemplateError};

/// Where the generated package gets the rcdk crates from.
#[derive(Debug, Clone)]
pub enum Source {
    /// crates.io, this version requirement.
    Registry(String),
    /// A checkout of the rcdk workspace (its root directory).
    Path(PathBuf),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Cargo package name.
    pub package: String,
    /// Construct id (and stack name) of the stack.
    pub stack_id: String,
    /// Where the rcdk crates come from.
    pub source: Source,
}

/// Why a template could not be migrated.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The template could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The template is not valid.
    #[error("{source_name}: {error}")]
    Template {
        /// Where it came from.
        source_name: String,
        /// Where in it and what.
        error: TemplateError,
    },
    /// The output directory exists and is not empty.
    #[error("{0} already exists and is not empty; choose a new directory with --output")]
    OutputExists(PathBuf),
    /// Writing the package failed (nothing is left behind).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading the deployed stack failed.
    #[error("cannot read the template of stack {stack}: {message}")]
    Stack {
        /// The stack name.
        stack: String,
        /// What went wrong.
        message: String,
    },
}

/// A generated package, before it is written.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// `Cargo.toml`.
    pub cargo_toml: String,
    /// `src/main.rs`.
    pub main_rs: String,
    /// Resources written as generated types.
    pub typed: usize,
    /// Resources kept as `RawResource` (custom, registry and transform types).
    pub untyped: usize,
    /// Values written as in the template because they did not fit their generated type.
    pub fallbacks: usize,
}

/// Generates the package for template `text`; `source_name` says where it came from.
pub fn migrate(
    text: &str,
    source_name: &str,
    options: &MigrateOptions,
) -> Result<Migrated, MigrateError> {
    let doc = TemplateDoc::parse(text).map_err(|error| MigrateError::Template {
        source_name: source_name.to_string(),
        error,
    })?;
    let p = program::program(&doc, &options.stack_id, source_name);
    let features: Vec<String> = p.services.iter().map(|s| format!("{s:?}")).collect();
    let (rcdk, constructs) = match &options.source {
        Source::Registry(v) => (
            format!("rcdk = {{ version = {v:?} }}"),
            format!("rcdk-constructs = {{ version = {v:?}, default-features = false, features = [{}] }}", features.join(", ")),
        ),
        Source::Path(root) => (
            format!("rcdk = {{ path = {:?} }}", root.join("rcdk").display().to_string()),
            format!(
                "rcdk-constructs = {{ path = {:?}, default-features = false, features = [{}] }}",
                root.join("rcdk-constructs").display().to_string(),
                features.join(", ")
            ),
        ),
    };
    let cargo_toml = format!(
        "[package]\nname = {:?}\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\ndescription = \"Migrated from {} by cargo rcdk migrate\"\n\n[dependencies]\n{rcdk}\n# The services of the template's resource types (the generated types are one feature each).\n{constructs}\nserde_json = \"1\"\n",
        options.package,
        source_name.replace('\\', "/").replace('"', "'"),
    );
    Ok(Migrated {
        cargo_toml,
        main_rs: p.main_rs,
        typed: p.typed,
        untyped: p.untyped,
        fallbacks: p.fallbacks,
    })
}

/// Reads template file `path` and generates its package.
pub fn migrate_file(path: &Path, options: &MigrateOptions) -> Result<Migrated, MigrateError> {
    let text = std::fs::read_to_string(path).map_err(|source| MigrateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    migrate(&text, &path.display().to_string(), options)
}

impl Migrated {
    /// Writes the package into `dir`, which must not exist or be empty. The files are written
    /// beside it first and moved into place at the end, so a failure leaves nothing behind.
    /// `main.rs` is formatted with `rustfmt` when one is installed.
    pub fn write(&self, dir: &Path) -> Result<(), MigrateError> {
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| MigrateError::Write { path, source }
        };
        if dir.exists() {
            let empty = std::fs::read_dir(dir)
                .map_err(write_err(dir))?
                .next()
                .is_none();
            if !empty {
                return Err(MigrateError::OutputExists(dir.to_path_buf()));
            }
            std::fs::remove_dir(dir).map_err(write_err(dir))?;
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("migrated");
        let staging = parent.join(format!(".{name}.migrating"));
        let _ = std::fs::remove_dir_all(&staging);
        let result = (|| {
            std::fs::create_dir_all(staging.join("src")).map_err(write_err(&staging))?;
            let toml = staging.join("Cargo.toml");
            std::fs::write(&toml, &self.cargo_toml).map_err(write_err(&toml))?;
            let main = staging.join("src/main.rs");
            std::fs::write(&main, &self.main_rs).map_err(write_err(&main))?;
            // Formatting is a courtesy: without rustfmt the code is still indented and valid.
            let _ = std::process::Command::new("rustfmt")
                .args(["--edition", "2021"])
                .arg(&main)
                .stderr(std::process::Stdio::null())
                .status();
            std::fs::rename(&staging, dir).map_err(write_err(dir))
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }
}
