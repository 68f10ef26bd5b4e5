//! `import` in scripts: only other scripts of `scripts/`, from memory.
//!
//! Rhai's default resolver reads any file the process can reach; rapport's
//! resolves a name (`import "helpers" as h;`) to the text of
//! `scripts/helpers.rhai` that the build already loaded, and refuses
//! everything else. That keeps scripts away from the file system and keeps
//! the build a function of the files it read.

use std::cell::Cell;
use std::collections::HashMap;

use rhai::{AST, ASTNode, Engine, EvalAltResult, Expr, Module, ModuleResolver, Position, Scope, Shared, Stmt};

use crate::script::sources::ScriptSource;

/// Imports may nest this deep (a cycle would nest forever).
const MAX_NESTING: usize = 8;

thread_local! {
    static NESTING: Cell<usize> = const { Cell::new(0) };
}

/// Resolves `import` paths to the site's scripts.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScriptResolver {
    /// Name (`helpers`, `lib/dates`) -> script.
    scripts: HashMap<String, ScriptSource>,
}

impl ScriptResolver {
    pub(crate) fn new(scripts: &[ScriptSource]) -> ScriptResolver {
        let scripts = scripts
            .iter()
            .filter_map(|s| Some((name_of(&s.path)?, s.clone())))
            .collect();
        ScriptResolver { scripts }
    }

    /// The script an import path names, if it is one of the site's scripts.
    pub(crate) fn lookup(&self, path: &str) -> Option<&ScriptSource> {
        self.scripts.get(&name_of(path)?)
    }
}

/// `helpers`, `./helpers.rhai` and `scripts/helpers.rhai` all name
/// `scripts/helpers.rhai`; absolute paths and `..` name nothing.
fn name_of(path: &str) -> Option<String> {
    let path = path.trim();
    let path = path.strip_prefix("./").unwrap_or(path);
    let path = path.strip_prefix("scripts/").unwrap_or(path);
    let path = path.strip_suffix(".rhai").unwrap_or(path);
    let refused = path.is_empty()
        || path.starts_with('/')
        || path.contains(['\\', ':'])
        || path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    (!refused).then(|| path.to_string())
}

impl ModuleResolver for ScriptResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let Some(script) = self.lookup(path) else {
            return Err(EvalAltResult::ErrorModuleNotFound(path.to_string(), pos).into());
        };
        let depth = NESTING.with(Cell::get);
        if depth >= MAX_NESTING {
            return Err(EvalAltResult::ErrorTooManyModules(pos).into());
        }
        NESTING.with(|n| n.set(depth + 1));
        let module = (|| {
            let mut ast = engine.compile(&*script.text).map_err(|err| {
                let pos = err.1;
                EvalAltResult::ErrorParsing(*err.0, pos)
            })?;
            ast.set_source(script.path.as_str());
            let mut module = Module::eval_ast_as_new(Scope::new(), &ast, engine)?;
            module.set_id(script.path.as_str());
            Ok::<_, Box<EvalAltResult>>(module)
        })();
        NESTING.with(|n| n.set(depth));
        module
            .map(Shared::new)
            .map_err(|err| EvalAltResult::ErrorInModule(script.path.clone(), err, pos).into())
    }
}

/// The imports in `ast` with a constant path that names no script of the
/// site, with their positions.
pub(crate) fn refused(ast: &AST, resolver: &ScriptResolver) -> Vec<(String, Position)> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Stmt(Stmt::Import(import, pos))) = path.last()
            && let Expr::StringConstant(target, _) = &import.0
            && resolver.lookup(target).is_none()
        {
            out.push((target.to_string(), *pos));
        }
        true
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_scripts() {
        let cases = [
            ("helpers", Some("helpers")),
            ("./helpers.rhai", Some("helpers")),
            ("scripts/helpers.rhai", Some("helpers")),
            ("lib/dates", Some("lib/dates")),
            ("../secrets", None),
            ("/etc/passwd", None),
            ("lib/../../x", None),
            ("C:\\x", None),
            ("", None),
        ];
        for (path, name) in cases {
            assert_eq!(name_of(path).as_deref(), name, "{path}");
        }
    }
}
