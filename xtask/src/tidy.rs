//! `cargo xtask tidy`: the project rules that the compiler cannot check.
//!
//! 1. The crate ranks of DESIGN.md hold: each crate's normal and build
//!    dependencies on corio crates are among those its rank allows;
//!    nothing but a dev-dependency points at `corio-benches` or `xtask`, and
//!    at `corio` only those two leaves may point with a normal dependency
//!    (the memory binary of the suite links the facade).
//! 2. No `todo!` or `unimplemented!` macro calls in `crates/`, `xtask/` or `benches/`.
//! 3. Every crate root denies (or forbids) `unsafe_code`, and `unsafe` code
//!    lives only in top-level modules that the root lists with
//!    `#[allow(unsafe_code)]` on their `mod` line, so the root is the
//!    inventory. A listed module without unsafe code is a stale entry.
//! 4. README.md shows `cargo run --release --example tour` and
//!    `cargo test --workspace`.
//! 5. Every `unsafe { .. }` block has a `// SAFETY:` comment above it (above
//!    the block, or above the statement the block is part of).
//!
//! Each rule is a function over text, unit-tested on small inputs below, and
//! the same rules run on this repository as `#[test]`s, so `cargo test`
//! enforces them.

use std::error::Error;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::code::{blank_comments_and_literals, word_positions};
use crate::metadata::{DependencyKind, Metadata};

/// DESIGN.md's rank table: each crate and the corio crates it may use.
const RANKS: &[(&str, usize, &[&str])] = &[
    ("corio-reactor", 0, &[]),
    ("corio-sync", 0, &[]),
    ("corio-macros", 0, &[]),
    ("corio-executor", 1, &["corio-reactor", "corio-sync"]),
    ("corio-time", 2, &["corio-executor", "corio-reactor"]),
    (
        "corio-streams",
        3,
        &[
            "corio-time",
            "corio-executor",
            "corio-reactor",
            "corio-sync",
        ],
    ),
    (
        "corio-subprocess",
        4,
        &[
            "corio-streams",
            "corio-executor",
            "corio-reactor",
            "corio-sync",
        ],
    ),
    (
        "corio",
        5,
        &[
            "corio-reactor",
            "corio-sync",
            "corio-macros",
            "corio-executor",
            "corio-time",
            "corio-streams",
            "corio-subprocess",
        ],
    ),
];

/// Packages at the top: nothing may depend on them except through
/// dev-dependencies, with one exception: the leaves may use the facade.
const TOP: &[&str] = &["corio", "corio-benches", "xtask"];

/// The leaves: they may use any crate, the facade included.
const LEAVES: &[&str] = &["corio-benches", "xtask"];

/// The commands README.md must show.
const README_COMMANDS: &[&str] = &[
    "cargo run --release --example tour",
    "cargo test --workspace",
];

/// One broken rule, at a place a person can open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) path: String,
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
}

impl Violation {
    fn new(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Violation {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Runs every rule on the repository at `root` and prints what is broken.
pub(crate) fn run(root: &Path) -> Result<(), Box<dyn Error>> {
    let metadata = Metadata::load(root)?;
    let tree = Tree::read(root)?;
    let mut violations = check_ranks(&metadata);
    violations.extend(tree.check_todo());
    violations.extend(tree.check_unsafe_inventory());
    violations.extend(check_readme(tree.readme.as_deref()));
    violations.extend(tree.check_safety_comments());
    if violations.is_empty() {
        println!(
            "tidy: all rules hold ({} packages, {} Rust files)",
            metadata.packages.len(),
            tree.files.len()
        );
        return Ok(());
    }
    for violation in &violations {
        eprintln!("{violation}");
    }
    Err(format!("tidy: {} rule violation(s)", violations.len()).into())
}

/// Rule 1: dependency edges follow DESIGN.md's ranks.
pub(crate) fn check_ranks(metadata: &Metadata) -> Vec<Violation> {
    let rank_of = |name: &str| RANKS.iter().find(|(crate_name, ..)| *crate_name == name);
    let is_ours = |name: &str| rank_of(name).is_some() || TOP.contains(&name);
    let mut violations = Vec::new();
    for package in &metadata.packages {
        let place = format!("{} (Cargo.toml)", package.name);
        let own_rank = rank_of(&package.name);
        if own_rank.is_none() && !TOP.contains(&package.name.as_str()) {
            violations.push(Violation::new(
                &place,
                None,
                format!(
                    "`{}` is not in DESIGN.md's rank table; add it there and to xtask's RANKS",
                    package.name
                ),
            ));
            continue;
        }
        for dep in &package.dependencies {
            if dep.kind == DependencyKind::Dev || !is_ours(&dep.name) {
                continue;
            }
            let leaf_uses_facade = LEAVES.contains(&package.name.as_str()) && dep.name == "corio";
            if TOP.contains(&dep.name.as_str()) && !leaf_uses_facade {
                violations.push(Violation::new(
                    &place,
                    None,
                    format!(
                        "`{}` depends on `{}`; nothing may, except as a dev-dependency",
                        package.name, dep.name
                    ),
                ));
                continue;
            }
            if let Some((_, rank, allowed)) = own_rank {
                if !allowed.contains(&dep.name.as_str()) {
                    let dep_rank = rank_of(&dep.name).map_or(0, |(_, rank, _)| *rank);
                    let allowed = if allowed.is_empty() {
                        "no corio crate".to_owned()
                    } else {
                        allowed.join(", ")
                    };
                    violations.push(Violation::new(
                        &place,
                        None,
                        format!(
                            "`{}` (rank {rank}) may not depend on `{}` (rank {dep_rank}); \
                             DESIGN.md allows: {allowed}",
                            package.name, dep.name
                        ),
                    ));
                }
            }
        }
    }
    violations
}

/// Rule 2: no placeholder macros in one file.
pub(crate) fn check_todo(path: &str, source: &str) -> Vec<Violation> {
    let code = blank_comments_and_literals(source);
    let mut violations = Vec::new();
    for (index, line) in code.lines().enumerate() {
        for name in ["todo", "unimplemented"] {
            for at in word_positions(line, name) {
                let rest = line[at + name.len()..].trim_start();
                if let Some(after_bang) = rest.strip_prefix('!') {
                    if after_bang.trim_start().starts_with(['(', '[', '{']) {
                        violations.push(Violation::new(
                            path,
                            Some(index + 1),
                            format!("`{name}!` left in the code; finish it or return an error"),
                        ));
                    }
                }
            }
        }
    }
    violations
}

/// Rule 3, first half: the crate root denies or forbids `unsafe_code`.
pub(crate) fn check_root_denies_unsafe(path: &str, root_source: &str) -> Vec<Violation> {
    let code = blank_comments_and_literals(root_source);
    let denies = inner_attributes(&code).iter().any(|attr| {
        (attr.starts_with("deny(") || attr.starts_with("forbid("))
            && word_positions(attr, "unsafe_code").next().is_some()
    });
    if denies {
        Vec::new()
    } else {
        vec![Violation::new(
            path,
            None,
            "the crate root must say `#![deny(unsafe_code)]` or `#![forbid(unsafe_code)]`",
        )]
    }
}

/// Rule 3, second half: unsafe code only in modules the root lists with
/// `#[allow(unsafe_code)]`. `modules` holds `(module, path, source)` for
/// every file below the root, `module` being the top-level module it
/// belongs to.
pub(crate) fn check_unsafe_modules(
    root_path: &str,
    root_source: &str,
    modules: &[(String, String, String)],
) -> Vec<Violation> {
    let mut violations = Vec::new();
    let declared = module_declarations(&blank_comments_and_literals(root_source));
    if let Some(line) = first_unsafe_line(root_source) {
        violations.push(Violation::new(
            root_path,
            Some(line),
            "unsafe code in the crate root; move it to a module listed with `#[allow(unsafe_code)]`",
        ));
    }
    let mut unsafe_modules: Vec<&str> = Vec::new();
    for (module, path, source) in modules {
        let Some(line) = first_unsafe_line(source) else {
            continue;
        };
        unsafe_modules.push(module);
        let listed = declared
            .iter()
            .any(|(name, allows)| name == module && *allows);
        if !listed {
            violations.push(Violation::new(
                path,
                Some(line),
                format!(
                    "unsafe code in module `{module}`, which {root_path} does not list with \
                     `#[allow(unsafe_code)]` on its `mod` line"
                ),
            ));
        }
    }
    for (name, allows) in &declared {
        if *allows && !unsafe_modules.contains(&name.as_str()) {
            violations.push(Violation::new(
                root_path,
                None,
                format!(
                    "module `{name}` is listed with `#[allow(unsafe_code)]` but has no unsafe \
                     code; remove the allow"
                ),
            ));
        }
    }
    violations
}

/// Rule 4: README.md shows the two commands.
pub(crate) fn check_readme(readme: Option<&str>) -> Vec<Violation> {
    let Some(readme) = readme else {
        return vec![Violation::new("README.md", None, "README.md is missing")];
    };
    README_COMMANDS
        .iter()
        .filter(|command| !readme.contains(*command))
        .map(|command| {
            Violation::new(
                "README.md",
                None,
                format!("README.md must show `{command}`"),
            )
        })
        .collect()
}

/// Rule 5: each `unsafe { .. }` block carries a `// SAFETY:` comment.
pub(crate) fn check_safety_comments(path: &str, source: &str) -> Vec<Violation> {
    let code = blank_comments_and_literals(source);
    let code_lines: Vec<&str> = code.lines().collect();
    let source_lines: Vec<&str> = source.lines().collect();
    let mut violations = Vec::new();
    let mut offset = 0;
    for (index, line) in code_lines.iter().enumerate() {
        for at in word_positions(line, "unsafe") {
            let after = &code[offset + at + "unsafe".len()..];
            if !after.trim_start().starts_with('{') {
                continue;
            }
            if !has_safety_comment(&source_lines, &code_lines, index, at) {
                violations.push(Violation::new(
                    path,
                    Some(index + 1),
                    "`unsafe` block without a `// SAFETY:` comment above it",
                ));
            }
        }
        offset += line.len() + 1;
    }
    violations
}

/// Looks for `SAFETY:` before the block on its own line (`/* SAFETY: .. */`)
/// or in the comment lines above it, walking up through the lines of the
/// same statement (a line ending in `;`, `{` or `}` ends the walk).
fn has_safety_comment(source: &[&str], code: &[&str], line: usize, column: usize) -> bool {
    if source[line]
        .get(..column)
        .is_some_and(|before| before.contains("SAFETY:"))
    {
        return true;
    }
    for above in (0..line).rev() {
        let text = source[above].trim();
        if text.starts_with("//") {
            if text.contains("SAFETY:") {
                return true;
            }
            continue;
        }
        if text.is_empty() {
            return false;
        }
        if text.starts_with("#[") {
            continue;
        }
        let code = code[above].trim_end();
        if code.ends_with([';', '{', '}']) {
            return false;
        }
    }
    false
}

fn first_unsafe_line(source: &str) -> Option<usize> {
    blank_comments_and_literals(source)
        .lines()
        .position(|line| word_positions(line, "unsafe").next().is_some())
        .map(|index| index + 1)
}

/// The `#![...]` attributes of a (blanked) file, whitespace removed.
fn inner_attributes(code: &str) -> Vec<String> {
    let mut attributes = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find("#![") {
        let body = &rest[start + 3..];
        let end = matching_close(body).unwrap_or(body.len());
        attributes.push(body[..end].split_whitespace().collect());
        rest = &body[end..];
    }
    attributes
}

/// The offset of the `]` closing a bracket opened just before `text`.
fn matching_close(text: &str) -> Option<usize> {
    let mut depth = 1;
    for (at, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// Each `mod name;` / `mod name { .. }` in a (blanked) crate root, and
/// whether the outer attributes right above it include `allow(unsafe_code)`.
fn module_declarations(code: &str) -> Vec<(String, bool)> {
    let mut modules = Vec::new();
    for at in word_positions(code, "mod") {
        let after = code[at + 3..].trim_start();
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || !after[name.len()..].trim_start().starts_with([';', '{']) {
            continue;
        }
        let attributes = outer_attributes_before(&code[..at]);
        let allows = attributes.iter().any(|attr| {
            attr.starts_with("allow(") && word_positions(attr, "unsafe_code").next().is_some()
        });
        modules.push((name, allows));
    }
    modules
}

/// The outer attributes that end right before an item, skipping its
/// visibility, whitespace removed.
fn outer_attributes_before(before: &str) -> Vec<String> {
    let mut rest = before.trim_end();
    // Skip `pub`, `pub(crate)`, `pub(in path)`.
    if let Some(stripped) = rest.strip_suffix(')') {
        if let Some(open) = stripped.rfind('(') {
            if stripped[..open].trim_end().ends_with("pub") {
                rest = stripped[..open].trim_end();
            }
        }
    }
    if let Some(stripped) = rest.strip_suffix("pub") {
        rest = stripped.trim_end();
    }
    let mut attributes = Vec::new();
    while let Some(inside) = rest.strip_suffix(']') {
        let mut depth = 1;
        let mut open = None;
        for (at, c) in inside.char_indices().rev() {
            match c {
                ']' => depth += 1,
                '[' => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(at);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(open) = open else { break };
        let head = inside[..open].trim_end();
        // `#![..]` belongs to the crate, not to the item below it.
        let Some(head) = head.strip_suffix('#').filter(|h| !h.ends_with('!')) else {
            break;
        };
        attributes.push(inside[open + 1..].split_whitespace().collect());
        rest = head.trim_end();
    }
    attributes
}

/// The Rust files of the repository that the rules read.
#[derive(Debug)]
struct Tree {
    /// `(path relative to the root, source)` of every `.rs` file under
    /// `crates/`, `xtask/` and `benches/`.
    files: Vec<(String, String)>,
    /// Crate roots whose unsafe inventory is checked: `(dir, root file)`,
    /// relative paths such as `("crates/corio-sync/src", "lib.rs")`.
    crate_roots: Vec<(String, String)>,
    readme: Option<String>,
}

impl Tree {
    fn read(root: &Path) -> Result<Tree, Box<dyn Error>> {
        let mut paths = Vec::new();
        for dir in ["crates", "xtask", "benches"] {
            collect_rust_files(&root.join(dir), &mut paths)?;
        }
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let source = fs::read_to_string(&path)?;
            files.push((relative(root, &path), source));
        }
        let mut crate_roots = Vec::new();
        let mut crate_dirs: Vec<PathBuf> = match fs::read_dir(root.join("crates")) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.join("Cargo.toml").is_file())
                .collect(),
            Err(_) => Vec::new(),
        };
        crate_dirs.sort();
        crate_dirs.push(root.join("xtask"));
        for dir in crate_dirs {
            let src = dir.join("src");
            for root_file in ["lib.rs", "main.rs"] {
                if src.join(root_file).is_file() {
                    crate_roots.push((relative(root, &src), root_file.to_owned()));
                    break;
                }
            }
        }
        let readme = fs::read_to_string(root.join("README.md")).ok();
        Ok(Tree {
            files,
            crate_roots,
            readme,
        })
    }

    fn check_todo(&self) -> Vec<Violation> {
        self.files
            .iter()
            .flat_map(|(path, source)| check_todo(path, source))
            .collect()
    }

    fn check_safety_comments(&self) -> Vec<Violation> {
        self.files
            .iter()
            .flat_map(|(path, source)| check_safety_comments(path, source))
            .collect()
    }

    fn check_unsafe_inventory(&self) -> Vec<Violation> {
        let mut violations = Vec::new();
        for (src, root_file) in &self.crate_roots {
            let root_path = format!("{src}/{root_file}");
            let Some(root_source) = self.source(&root_path) else {
                continue;
            };
            violations.extend(check_root_denies_unsafe(&root_path, root_source));
            let prefix = format!("{src}/");
            let modules: Vec<(String, String, String)> = self
                .files
                .iter()
                .filter_map(|(path, source)| {
                    let inside = path.strip_prefix(&prefix)?;
                    // Other binaries of the package are separate crates.
                    if inside == root_file || inside.starts_with("bin/") {
                        return None;
                    }
                    let first = inside.split('/').next()?;
                    let module = first.strip_suffix(".rs").unwrap_or(first);
                    Some((module.to_owned(), path.clone(), source.clone()))
                })
                .collect();
            violations.extend(check_unsafe_modules(&root_path, root_source, &modules));
        }
        violations
    }

    fn source(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, source)| source.as_str())
    }
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Box<dyn Error>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // A crate that does not exist yet has nothing to check.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(format!("cannot read {}: {error}", dir.display()).into()),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect_rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{Dependency, Package};

    fn package(name: &str, deps: &[(&str, DependencyKind)]) -> Package {
        Package {
            name: name.to_owned(),
            dependencies: deps
                .iter()
                .map(|(name, kind)| Dependency {
                    name: (*name).to_owned(),
                    kind: *kind,
                })
                .collect(),
            targets: Vec::new(),
        }
    }

    fn metadata(packages: Vec<Package>) -> Metadata {
        Metadata {
            packages,
            target_directory: PathBuf::from("target"),
        }
    }

    fn messages(violations: &[Violation]) -> Vec<String> {
        violations.iter().map(ToString::to_string).collect()
    }

    use DependencyKind::{Build, Dev, Normal};

    #[test]
    fn ranks_accept_the_design() {
        let workspace = metadata(vec![
            package("corio-reactor", &[("polling", Normal), ("corio", Dev)]),
            package("corio-sync", &[("event-listener", Normal), ("tokio", Dev)]),
            package(
                "corio-executor",
                &[("corio-reactor", Normal), ("corio-sync", Normal)],
            ),
            package(
                "corio-time",
                &[("corio-executor", Normal), ("corio-reactor", Normal)],
            ),
            package(
                "corio",
                &[
                    ("corio-time", Normal),
                    ("corio-macros", Normal),
                    ("corio-sync", Normal),
                ],
            ),
            package("corio-benches", &[("corio", Normal), ("tokio", Normal)]),
            package("xtask", &[]),
        ]);
        assert_eq!(messages(&check_ranks(&workspace)), Vec::<String>::new());
    }

    #[test]
    fn ranks_reject_upward_and_sideways_edges() {
        let workspace = metadata(vec![
            package("corio-reactor", &[("corio-executor", Normal)]),
            package("corio-sync", &[("corio-reactor", Build)]),
            package("corio-time", &[("corio-sync", Normal)]),
        ]);
        let found = messages(&check_ranks(&workspace));
        assert_eq!(
            found,
            [
                "corio-reactor (Cargo.toml): `corio-reactor` (rank 0) may not depend on \
                 `corio-executor` (rank 1); DESIGN.md allows: no corio crate",
                "corio-sync (Cargo.toml): `corio-sync` (rank 0) may not depend on \
                 `corio-reactor` (rank 0); DESIGN.md allows: no corio crate",
                "corio-time (Cargo.toml): `corio-time` (rank 2) may not depend on \
                 `corio-sync` (rank 0); DESIGN.md allows: corio-executor, corio-reactor",
            ]
        );
    }

    #[test]
    fn nothing_depends_on_the_top_except_dev_dependencies() {
        let workspace = metadata(vec![
            package("corio-executor", &[("corio", Normal), ("xtask", Dev)]),
            package("corio-benches", &[("xtask", Normal), ("corio", Normal)]),
            package("xtask", &[("corio-benches", Build)]),
        ]);
        let found = messages(&check_ranks(&workspace));
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("`corio-executor` depends on `corio`; nothing may"));
        assert!(found[1].contains("`corio-benches` depends on `xtask`"));
        assert!(found[2].contains("`xtask` depends on `corio-benches`"));
    }

    #[test]
    fn unknown_workspace_crates_must_join_the_table() {
        let workspace = metadata(vec![package("corio-fs", &[])]);
        let found = messages(&check_ranks(&workspace));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("`corio-fs` is not in DESIGN.md's rank table"));
    }

    #[test]
    fn todo_and_unimplemented_are_found_in_code_only() {
        let bad = format!(
            "fn a() {{\n    {}(\"later\")\n}}\nfn b() {{ {} ! () }}\n",
            "todo!", "unimplemented"
        );
        let found = check_todo("x.rs", &bad);
        assert_eq!(
            found.iter().map(|v| v.line).collect::<Vec<_>>(),
            [Some(2), Some(4)]
        );
        assert!(found[0].message.contains("`todo!` left in the code"));
        let fine = format!(
            "// {}() in a comment\nlet s = \"{}()\";\nfn my_todo() {{}}\nmy_todo();\n",
            "todo!", "unimplemented!"
        );
        assert_eq!(check_todo("x.rs", &fine), []);
    }

    #[test]
    fn crate_roots_must_deny_unsafe_code() {
        assert_eq!(
            check_root_denies_unsafe("lib.rs", "#![deny(unsafe_code)]\nmod a;"),
            []
        );
        assert_eq!(
            check_root_denies_unsafe("lib.rs", "//! Docs.\n#![forbid( unsafe_code )]"),
            []
        );
        assert_eq!(
            check_root_denies_unsafe("lib.rs", "#![deny(missing_docs, unsafe_code)]"),
            []
        );
        for missing in [
            "mod a;",
            "// #![deny(unsafe_code)]\nmod a;",
            "#![warn(unsafe_code)]",
            "#![deny(unsafe_op_in_unsafe_fn)]",
        ] {
            let found = check_root_denies_unsafe("lib.rs", missing);
            assert_eq!(found.len(), 1, "accepted {missing:?}");
            assert!(found[0].message.contains("#![deny(unsafe_code)]"));
        }
    }

    fn module(name: &str, source: &str) -> (String, String, String) {
        (name.to_owned(), format!("src/{name}.rs"), source.to_owned())
    }

    const UNSAFE_FILE: &str =
        "fn f(p: *const u8) -> u8 {\n    // SAFETY: p is valid.\n    unsafe { *p }\n}\n";

    #[test]
    fn unsafe_modules_listed_in_the_root_pass() {
        let root = "#![deny(unsafe_code)]\n\n#[allow(unsafe_code)] // raw pointers\nmod raw;\n\
                    #[allow(unsafe_code, reason = \"ffi\")]\n#[cfg(unix)]\npub(crate) mod sys;\n\
                    mod safe;\n";
        let modules = [
            module("raw", UNSAFE_FILE),
            module("sys", "unsafe impl Send for X {}"),
            module("safe", "fn g() { let unsafe_code = 1; } // unsafe"),
        ];
        assert_eq!(
            messages(&check_unsafe_modules("src/lib.rs", root, &modules)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn unsafe_in_an_unlisted_module_is_reported() {
        let root = "#![deny(unsafe_code)]\n/// Raw things.\nmod raw;\n// #[allow(unsafe_code)]\nmod other;\n";
        let modules = [
            module("raw", UNSAFE_FILE),
            module("other", "unsafe fn f() {}"),
        ];
        let found = check_unsafe_modules("src/lib.rs", root, &modules);
        assert_eq!(
            messages(&found),
            [
                "src/raw.rs:3: unsafe code in module `raw`, which src/lib.rs does not list with \
                 `#[allow(unsafe_code)]` on its `mod` line",
                "src/other.rs:1: unsafe code in module `other`, which src/lib.rs does not list \
                 with `#[allow(unsafe_code)]` on its `mod` line",
            ]
        );
    }

    #[test]
    fn an_allow_above_another_item_does_not_count() {
        let root = "#![deny(unsafe_code)]\n#[allow(unsafe_code)]\nfn helper() {}\nmod raw;\n";
        let found = check_unsafe_modules("src/lib.rs", root, &[module("raw", UNSAFE_FILE)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("module `raw`"));
    }

    #[test]
    fn stale_listings_and_unsafe_in_the_root_are_reported() {
        let root = "#![deny(unsafe_code)]\n#[allow(unsafe_code)]\nmod now_safe;\nunsafe impl Send for X {}\n";
        let found = messages(&check_unsafe_modules(
            "src/lib.rs",
            root,
            &[module("now_safe", "fn f() {}")],
        ));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("src/lib.rs:4: unsafe code in the crate root"));
        assert!(found[1].contains(
            "module `now_safe` is listed with `#[allow(unsafe_code)]` but has no unsafe code"
        ));
    }

    #[test]
    fn readme_must_show_both_commands() {
        assert_eq!(
            messages(&check_readme(None)),
            ["README.md: README.md is missing"]
        );
        let found = check_readme(Some("Run `cargo test --workspace`."));
        assert_eq!(
            messages(&found),
            ["README.md: README.md must show `cargo run --release --example tour`"]
        );
        let both = "```sh\ncargo run --release --example tour\ncargo test --workspace\n```";
        assert_eq!(check_readme(Some(both)), []);
    }

    #[test]
    fn unsafe_blocks_need_a_safety_comment() {
        let good = "fn f(p: *const u8) -> u8 {\n    // SAFETY: p points to a live u8.\n    unsafe { *p }\n}\n\
                    fn g(p: *const u8) -> u8 {\n    // SAFETY: the caller keeps p alive;\n    // more words.\n    \
                    let v =\n        unsafe { *p };\n    v\n}\n\
                    fn h(p: *const u8) -> u8 {\n    /* SAFETY: as above */ unsafe { *p }\n}\n\
                    unsafe fn k() {}\nunsafe impl Send for X {}\n";
        assert_eq!(check_safety_comments("x.rs", good), []);
        let bad = "fn f(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n\
                   fn g(p: *const u8) -> u8 {\n    // Safety: lower case is not the marker.\n    unsafe { *p }\n}\n\
                   // SAFETY: this belongs to nothing.\n\nfn h(p: *const u8) -> u8 { unsafe { *p } }\n\
                   fn i(p: *const u8) -> u8 {\n    // SAFETY: for the statement above.\n    let a = 1;\n    unsafe { *p }\n}\n";
        let lines: Vec<_> = check_safety_comments("x.rs", bad)
            .into_iter()
            .map(|v| v.line)
            .collect();
        assert_eq!(lines, [Some(2), Some(6), Some(10), Some(14)]);
    }

    fn this_repository() -> (Metadata, Tree) {
        let root = crate::project_root();
        let metadata = Metadata::load(&root).expect("cargo metadata runs");
        let tree = Tree::read(&root).expect("the repository is readable");
        (metadata, tree)
    }

    fn assert_none(violations: Vec<Violation>) {
        assert!(
            violations.is_empty(),
            "tidy found:\n{}",
            messages(&violations).join("\n")
        );
    }

    #[test]
    fn this_repository_keeps_the_crate_ranks() {
        let (metadata, _) = this_repository();
        assert!(metadata.package("corio-macros").is_some());
        assert_none(check_ranks(&metadata));
    }

    #[test]
    fn this_repository_has_no_todo() {
        let (_, tree) = this_repository();
        assert!(
            tree.files
                .iter()
                .any(|(path, _)| path == "xtask/src/tidy.rs")
        );
        assert_none(tree.check_todo());
    }

    #[test]
    fn this_repository_lists_its_unsafe_modules() {
        let (_, tree) = this_repository();
        assert!(
            tree.crate_roots
                .contains(&("crates/corio-macros/src".to_owned(), "lib.rs".to_owned()))
        );
        assert_none(tree.check_unsafe_inventory());
    }

    #[test]
    fn this_repository_readme_shows_the_commands() {
        let (_, tree) = this_repository();
        assert_none(check_readme(tree.readme.as_deref()));
    }

    #[test]
    fn this_repository_documents_every_unsafe_block() {
        let (_, tree) = this_repository();
        assert_none(tree.check_safety_comments());
    }
}
