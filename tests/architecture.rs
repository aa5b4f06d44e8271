//! The module import graph, read from the source: no cycle between the top-level modules of
//! `src/`, and each layer imports only the layers below it (ARCHITECTURE.md). Test code (`tests`
//! modules and files, the fake Keystone, property tests) is left out: it may reach anywhere.
//!
//! `scripts/module-graph.sh` prints the graph (this test with `--nocapture`).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may import (besides itself). Everything not listed is refused.
const ALLOWED: &[(&str, &[&str])] = &[
    ("cause", &[]),
    ("clock", &[]),
    ("request_id", &[]),
    ("metrics", &[]),
    ("crypto", &["cause"]),
    ("domain", &["crypto", "cause"]),
    ("text", &["domain"]),
    ("config", &["domain", "crypto", "cause"]),
    ("store", &["domain", "crypto", "cause", "clock"]),
    ("keystone", &["domain", "config", "cause", "request_id"]),
    ("notify", &["domain", "config", "text", "cause"]),
    // The use cases: never the config file, HTTP, pages or wiring.
    ("access", &["keystone", "domain", "crypto", "clock", "cause"]),
    ("onboarding", &["store", "keystone", "notify", "domain", "crypto", "clock", "metrics", "cause"]),
    // Pages render what the use cases answer.
    ("views", &["onboarding", "domain", "text"]),
    (
        "web",
        &[
            "onboarding",
            "access",
            "views",
            "text",
            "store",
            "keystone",
            "notify",
            "domain",
            "config",
            "metrics",
            "request_id",
            "cause",
            "clock",
        ],
    ),
    (
        "startup",
        &[
            "web",
            "onboarding",
            "access",
            "store",
            "keystone",
            "notify",
            "domain",
            "crypto",
            "config",
            "metrics",
            "clock",
            "cause",
        ],
    ),
    // The operator's command-line tools: Keystone and the service's own HTTP API, never the web layer.
    ("operator", &["keystone", "domain", "config", "crypto", "cause"]),
    ("doctor", &["store", "keystone", "notify", "domain", "crypto", "config", "metrics", "clock", "cause"]),
];

/// Crates only the web layer (and the wiring above it, and the pages) may use.
const WEB_ONLY_CRATES: &[(&str, &[&str])] =
    &[("actix_web", &["web", "startup"]), ("maud", &["views", "web"])];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Files of test code: not part of the graph.
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "tests.rs" | "props.rs" | "fake.rs")
        || path.components().any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "fake" | "contract")))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") && !is_test_file(&path) {
            found.push(path);
        }
    }
}

/// The file's code without comments and without its trailing `#[cfg(test)] mod tests { ... }`.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod ") && next.ends_with('{'))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let line = match line.find(" // ") {
            Some(at) => &line[..at],
            None => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The top-level modules `code` names as `crate::x` (also inside `use crate::{x, y::z}`).
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `setpass_crate::`, say
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Only each item's first segment counts: `d::E` and `f::{g, h}` name `d` and `f`.
            let (mut depth, mut name, mut first) = (1, String::new(), true);
            for c in group.chars() {
                if first && depth == 1 && (c.is_alphanumeric() || c == '_') {
                    name.push(c);
                    continue;
                }
                if !name.is_empty() {
                    found.insert(std::mem::take(&mut name));
                    first = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => first = true,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Top-level module → the top-level modules it imports; and where each crate is used.
fn graph() -> (BTreeMap<String, BTreeSet<String>>, BTreeMap<String, BTreeSet<String>>) {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut crates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_str().unwrap();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let imported = imports(&code);
        let entry = edges.entry(module.clone()).or_default();
        entry.extend(imported.into_iter().filter(|m| *m != module));
        for (krate, _) in WEB_ONLY_CRATES {
            if code.contains(&format!("{krate}::")) || code.contains(&format!("use {krate}")) {
                crates.entry((*krate).to_owned()).or_default().insert(module.clone());
            }
        }
    }
    // `lib.rs` declares each module: every module is a node even if it imports nothing.
    (edges, crates)
}

/// A cycle, if the graph has one (as the path of modules around it).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_module_graph_has_no_cycle_and_every_import_points_down() {
    let (edges, crates) = graph();
    println!("module import graph (src/, test code left out):");
    for (module, imported) in &edges {
        println!("  {module} -> {}", imported.iter().cloned().collect::<Vec<_>>().join(", "));
    }
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
    println!("no cycle");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, imported) in &edges {
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!("{module} is not in ALLOWED: say which layer it is"));
            continue;
        };
        for target in imported.iter().filter(|t| !may.contains(&t.as_str())) {
            wrong.push(format!("{module} imports {target}"));
        }
    }
    for (krate, may) in WEB_ONLY_CRATES {
        for module in crates.get(*krate).into_iter().flatten().filter(|m| !may.contains(&m.as_str())) {
            wrong.push(format!("{module} uses {krate}, which only {may:?} may"));
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n  {}", wrong.join("\n  "));
}

#[test]
fn the_import_reader_sees_every_form_of_a_crate_path() {
    let code = code_of(
        "use crate::a::B;\nuse crate::{c, d::E, f::{g, h}};\n// crate::commented\nlet x = crate::i::j(); // crate::k\n#[cfg(test)]\nmod tests {\n    use crate::l;\n}\n",
    );
    let found: Vec<String> = imports(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "f", "i"]);
}
