//! The floors of docs/ARCHITECTURE.md hold: no library module imports from a floor above its
//! own (test code inside a module, after `#[cfg(test)]`, and test files are exempt), and
//! the library does not reach into the binary's `cli`.

use std::path::Path;

/// Library modules by floor (docs/ARCHITECTURE.md).
const FLOORS: &[(&str, u32)] = &[
    ("error", 0),
    ("rng", 0),
    ("stats", 0),
    ("json", 0),
    ("atomic", 0),
    ("memory", 0),
    ("data", 1),
    ("factors", 2),
    ("expr", 2),
    ("clean", 2),
    ("plot", 2),
    ("model", 3),
    ("screen", 3),
    ("engine", 4),
    ("artifacts", 5),
    ("sweep", 6),
    ("predict", 6),
    ("backtest", 6),
    ("config", 7),
    ("report", 8),
    ("study", 9),
];

fn floor(module: &str) -> Option<u32> {
    FLOORS.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

/// Every `crate::<module>` a file's non-test code names.
fn imports(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = vec![];
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
        // Doc-comment links are prose, not imports.
        let line_start = code[..i].rfind('\n').map_or(0, |p| p + 1);
        if code[line_start..i].trim_start().starts_with("//") {
            continue;
        }
        out.push(name);
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            visit(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
}

#[test]
fn no_library_module_imports_from_a_higher_floor() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    visit(&src, &mut files);
    let mut bad = vec![];
    let mut checked = 0;
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        let name = rel.file_name().unwrap().to_string_lossy();
        if matches!(top.as_str(), "main" | "lib" | "cli") || name.starts_with("tests") {
            continue;
        }
        let own = floor(&top)
            .unwrap_or_else(|| panic!("{} is not on a floor: add it to docs/ARCHITECTURE.md and FLOORS", rel.display()));
        for m in imports(&std::fs::read_to_string(&f).unwrap()) {
            if m == "cli" {
                bad.push(format!("{}: imports the binary's cli", rel.display()));
            } else if let Some(other) = floor(&m)
                && other > own
            {
                bad.push(format!("{} (floor {own}) imports crate::{m} (floor {other})", rel.display()));
            }
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} files read");
    assert!(bad.is_empty(), "imports that go up a floor:\n{}", bad.join("\n"));
}
