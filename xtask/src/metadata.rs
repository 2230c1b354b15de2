//! The workspace as `cargo metadata --format-version 1 --no-deps` describes
//! it: packages, their dependency edges and targets, and the target directory.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::json::Json;

/// The parts of `cargo metadata` that tidy and bench use.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Metadata {
    pub(crate) packages: Vec<Package>,
    pub(crate) target_directory: PathBuf,
}

/// One workspace member.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) dependencies: Vec<Dependency>,
    /// `(kind, name)` of each target: `("lib", "corio")`, `("bench", "executor")`.
    pub(crate) targets: Vec<(String, String)>,
}

/// One dependency edge of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependency {
    /// The package depended on (not the name it is renamed to).
    pub(crate) name: String,
    pub(crate) kind: DependencyKind,
}

/// The section a dependency is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DependencyKind {
    Normal,
    Build,
    Dev,
}

impl Metadata {
    /// Runs `cargo metadata` in `root`.
    pub(crate) fn load(root: &Path) -> Result<Metadata, Box<dyn Error>> {
        let output = Command::new(crate::cargo())
            .current_dir(root)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .map_err(|e| format!("could not run `cargo metadata`: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo metadata` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into());
        }
        Metadata::parse(&String::from_utf8(output.stdout)?)
    }

    /// Reads the JSON that `cargo metadata --format-version 1` prints.
    pub(crate) fn parse(text: &str) -> Result<Metadata, Box<dyn Error>> {
        let doc = Json::parse(text)?;
        let target_directory = doc
            .get("target_directory")
            .and_then(Json::as_str)
            .ok_or("`cargo metadata` has no target_directory")?
            .into();
        let mut packages = Vec::new();
        for package in doc.get("packages").map(Json::as_array).unwrap_or_default() {
            let name = package
                .get("name")
                .and_then(Json::as_str)
                .ok_or("a package in `cargo metadata` has no name")?
                .to_owned();
            let dependencies = package
                .get("dependencies")
                .map(Json::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|dep| {
                    let kind = match dep.get("kind").and_then(Json::as_str) {
                        None => DependencyKind::Normal,
                        Some("build") => DependencyKind::Build,
                        Some(_) => DependencyKind::Dev,
                    };
                    Some(Dependency {
                        name: dep.get("name")?.as_str()?.to_owned(),
                        kind,
                    })
                })
                .collect();
            let targets =
                package
                    .get("targets")
                    .map(Json::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|target| {
                        let name = target.get("name")?.as_str()?;
                        let kinds = target.get("kind")?.as_array();
                        Some(kinds.iter().filter_map(move |kind| {
                            Some((kind.as_str()?.to_owned(), name.to_owned()))
                        }))
                    })
                    .flatten()
                    .collect();
            packages.push(Package {
                name,
                dependencies,
                targets,
            });
        }
        Ok(Metadata {
            packages,
            target_directory,
        })
    }

    pub(crate) fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}

impl Package {
    /// Names of the targets of one kind (`"bench"`, `"bin"`), in manifest order.
    pub(crate) fn targets_of(&self, kind: &str) -> Vec<&str> {
        self.targets
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, name)| name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_edges_and_targets() {
        let text = r#"{
            "packages": [{
                "name": "corio-benches",
                "dependencies": [
                    {"name": "corio", "kind": null, "rename": null},
                    {"name": "criterion", "kind": "dev"},
                    {"name": "cc", "kind": "build"}
                ],
                "targets": [
                    {"name": "corio_benches", "kind": ["lib"]},
                    {"name": "executor", "kind": ["bench"]},
                    {"name": "memory", "kind": ["bin"]}
                ]
            }],
            "target_directory": "/tmp/t",
            "version": 1
        }"#;
        let metadata = Metadata::parse(text).unwrap();
        assert_eq!(metadata.target_directory, PathBuf::from("/tmp/t"));
        let benches = metadata.package("corio-benches").unwrap();
        let kinds: Vec<_> = benches.dependencies.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                DependencyKind::Normal,
                DependencyKind::Dev,
                DependencyKind::Build
            ]
        );
        assert_eq!(benches.targets_of("bench"), ["executor"]);
        assert_eq!(benches.targets_of("bin"), ["memory"]);
        assert!(metadata.package("tokio").is_none());
    }

    #[test]
    fn reads_this_workspace() {
        let root = crate::project_root();
        let metadata = Metadata::load(&root).unwrap();
        assert!(metadata.package("xtask").is_some());
        assert!(metadata.package("corio-macros").is_some());
    }
}
