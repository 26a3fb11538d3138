//! Atomic writing of an assembly: everything goes into a temporary sibling directory, which then
//! replaces the output directory, so that an error never leaves a half-written output.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::cloud_assembly::{MANIFEST_FILE, TREE_FILE};
use crate::error::SynthError;
use crate::synth::Assembly;

fn err(dir: &Path, what: &str, e: std::io::Error) -> SynthError {
    SynthError::new(dir.display().to_string(), format!("cannot {what}: {e}"))
        .hint("check that the output directory's parent exists and is writable")
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cdk.out".into());
    dir.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `assembly` into `dir`.
pub fn write_assembly(assembly: &Assembly, dir: &Path) -> Result<(), SynthError> {
    let tmp = sibling(dir, "tmp");
    let result = fill(assembly, &tmp, dir).and_then(|()| swap(&tmp, dir));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Writes `value` to `path` as pretty JSON and a newline, through a buffer: the largest files
/// (`tree.json`, `manifest.json`) are never held whole in memory, which would cost the copies
/// of a growing text and fresh pages for each of its sizes.
fn write_json(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn fill(assembly: &Assembly, tmp: &Path, dir: &Path) -> Result<(), SynthError> {
    if tmp.exists() {
        fs::remove_dir_all(tmp).map_err(|e| err(tmp, "clear the temporary directory", e))?;
    }
    fs::create_dir_all(tmp).map_err(|e| err(tmp, "create the temporary directory", e))?;
    // Staged copies of the previous output are linked, not copied again.
    let previous = dir.is_dir().then_some(dir);
    let mut template_hashes = Vec::with_capacity(assembly.stacks.len());
    for stack in &assembly.stacks {
        let template_hash = stack.template_hash();
        fs::write(tmp.join(&stack.file_name), &stack.text)
            .map_err(|e| err(tmp, "write a template", e))?;
        for (path, asset) in &stack.assets {
            asset.stage(tmp, previous).map_err(|e| {
                SynthError::new(path, format!("cannot stage the asset: {e}")).hint(
                    "check that the asset's source is readable and the output directory writable",
                )
            })?;
        }
        for (path, image) in &stack.images {
            image.stage(tmp, previous).map_err(|e| {
                SynthError::new(path, format!("cannot stage the image's source: {e}")).hint(
                    "check that the image's source is readable and the output directory writable",
                )
            })?;
        }
        write_json(
            &tmp.join(stack.asset_manifest_file()),
            &stack.asset_manifest_with(&template_hash),
        )
        .map_err(|e| err(tmp, "write an asset manifest", e))?;
        template_hashes.push(template_hash);
    }
    write_json(
        &tmp.join(MANIFEST_FILE),
        &assembly.manifest_with(&template_hashes),
    )
    .map_err(|e| err(tmp, "write manifest.json", e))?;
    write_json(&tmp.join(TREE_FILE), &crate::synth::CdkTree(assembly))
        .map_err(|e| err(tmp, "write tree.json", e))?;
    Ok(())
}

fn swap(tmp: &Path, dir: &Path) -> Result<(), SynthError> {
    if dir.exists() {
        let old = sibling(dir, "old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(|e| err(&old, "remove an old output directory", e))?;
        }
        fs::rename(dir, &old).map_err(|e| err(dir, "move the previous output aside", e))?;
        if let Err(e) = fs::rename(tmp, dir) {
            // Put the previous output back: the user keeps a consistent directory.
            let _ = fs::rename(&old, dir);
            return Err(err(dir, "move the new output into place", e));
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| err(dir, "create the parent directory", e))?;
        }
        fs::rename(tmp, dir).map_err(|e| err(dir, "move the new output into place", e))?;
    }
    Ok(())
}
