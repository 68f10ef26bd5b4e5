//! The sandboxed Rhai engine: compiled once per build from every script,
//! shared by all threads, and called under limits.
//!
//! Each script is first compiled on its own, so a syntax error names its
//! file and position and the other scripts still run. The scripts that
//! compile are then joined into one program ([`LineMap`] maps its lines
//! back), imports are resolved from memory ([`crate::script::imports`]),
//! and the top level runs once. Hooks are then called without running the
//! top level again.
//!
//! The sandbox: no file or network functions exist, `eval` is disabled,
//! Rhai's clock functions are not registered (`today()` is the site's
//! today), and every call has an operation limit, a call-depth limit,
//! expression-depth limits and size limits on strings, arrays and maps.
//! When a call hits a limit, Rhai reports where the outermost call began,
//! not where the script was; so the call is run once more on a second
//! engine with a debugger that records each step, which gives the line.
//! Scripts run on a pool of threads with large stacks, so that the
//! call-depth limit is reached before the thread's stack is.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex, OnceLock};

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, BitFieldPackage, CorePackage, LogicPackage,
    MoreStringPackage, Package,
};
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, ParseErrorType, Position, Scope, Stmt};

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::script::docs::{self, FunctionDoc};
use crate::script::helpers::{self, CallTag, HelperContext, Note};
use crate::script::imports::{self, ScriptResolver};
use crate::script::sources::{LineMap, Location, ScriptSource};

/// The sandbox's limits for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations one call may run (`[scripts] max_operations`).
    pub operations: u64,
    /// How deep function calls may nest.
    pub call_levels: usize,
    /// How deep expressions may nest, at the top level and in functions.
    pub expr_depth: usize,
    pub fn_expr_depth: usize,
    /// The total bytes of the strings in one value.
    pub string_bytes: usize,
    /// The total items of the arrays in one value, nested ones included.
    pub array_items: usize,
    /// The total entries of the object maps in one value, nested ones included.
    pub map_entries: usize,
}

impl Limits {
    /// The limits with `operations` per call and the built-in defaults.
    pub fn new(operations: u64) -> Limits {
        Limits {
            operations,
            call_levels: 64,
            expr_depth: 64,
            fn_expr_depth: 64,
            string_bytes: 1 << 20,
            array_items: 10_000,
            map_entries: 10_000,
        }
    }

    /// Raises the size limits to twice the largest array and string rapport
    /// passes to a script, so that content never trips them: a team of
    /// 30,000 commitments or a 2 MB story still fits.
    pub(crate) fn fit(self, array_items: usize, string_bytes: usize) -> Limits {
        Limits {
            array_items: self.array_items.max(array_items.saturating_mul(2)),
            string_bytes: self.string_bytes.max(string_bytes.saturating_mul(2)),
            ..self
        }
    }
}

/// What the engine needs from the build.
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    pub today: Date,
    pub limits: Limits,
}

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FailureKind {
    /// A sandbox limit stopped it.
    Limit,
    /// The script raised an error (a missing function, a wrong type, `throw`).
    Runtime,
}

/// A failed call, located in the scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    /// What went wrong, lowercase, without a position.
    pub message: String,
    pub hint: String,
    /// Where in the scripts, when known.
    pub at: Option<Location>,
}

/// The compiled scripts of a build.
pub struct Scripts {
    engine: Engine,
    /// The same engine with a debugger, to locate limit hits.
    locator: Engine,
    /// The locator with a tenth of the array limit, for arrays that grew
    /// without end: a debugger copies the arguments of every native call,
    /// so each `push` onto a huge array would copy the whole array.
    small_locator: Engine,
    ast: AST,
    lines: Arc<LineMap>,
    functions: Vec<FunctionDoc>,
    notes: Arc<Mutex<Vec<Note>>>,
    limits: Limits,
}

/// A call to run again: the function, its arguments and its tag.
type Rerun<'a> = (&'a str, &'a dyn Fn() -> Vec<Dynamic>, &'a CallTag);

thread_local! {
    /// The last position the locator's debugger stepped on, and the
    /// imported script it was in, if any.
    static LAST_STEP: RefCell<(Position, Option<String>)> = const { RefCell::new((Position::NONE, None)) };
    /// When the locator's rerun gives up. Stepping with the debugger can be
    /// far slower than the run it retraces (it copies the arguments of every
    /// native call), so an endless loop is located where it is after this
    /// much time rather than where it ran out of operations.
    static LOCATE_UNTIL: RefCell<Option<std::time::Instant>> = const { RefCell::new(None) };
}

/// How long locating a limit may take.
const LOCATE_FOR: std::time::Duration = std::time::Duration::from_millis(200);

/// How long one call may run, whatever its operation count: a safety net
/// for loops whose steps are each costly (a native call on a large array
/// checks the array's size every time).
pub(crate) const CALL_TIME: std::time::Duration = std::time::Duration::from_secs(1);

thread_local! {
    /// When the call running on this thread is out of time.
    static CALL_UNTIL: RefCell<Option<std::time::Instant>> = const { RefCell::new(None) };
}

/// The token a call out of time is terminated with.
const OUT_OF_TIME: &str = "out of time";

thread_local! {
    /// Set when the call running on this thread ran out of time: from then
    /// on every variable it reads fails with [`OutOfTime`].
    static CALL_LATE: Cell<bool> = const { Cell::new(false) };
}

/// The error a call out of time gets at the next variable it reads. Rhai
/// gives the error of a variable resolver the variable's position and keeps
/// it through every function the error leaves, where it overwrites the
/// position of a termination (a system error) with the call's. So this
/// error says where the call was: in the loop that ran too long. A script
/// cannot make a value of this type, so a `throw` cannot pass for it.
#[derive(Debug, Clone, Copy)]
struct OutOfTime;

/// How many operations a call out of time may still run before it is
/// terminated anyway (a loop that reads no variable, or one that catches
/// the error).
const LATE_OPERATIONS: u64 = 4096;

impl Scripts {
    /// Compiles `sources` into one program. Scripts with errors are left
    /// out, each error a diagnostic; `None` when no script compiled.
    pub fn compile(sources: &[ScriptSource], options: &EngineOptions) -> (Option<Scripts>, Vec<Diagnostic>) {
        install(|| compile(sources, options))
    }

    /// Every function the scripts define, in script order.
    pub(crate) fn functions(&self) -> &[FunctionDoc] {
        &self.functions
    }

    /// The function `name` taking `arity` parameters.
    pub(crate) fn function(&self, name: &str, arity: usize) -> Option<&FunctionDoc> {
        self.functions.iter().find(|f| f.name == name && f.arity == arity)
    }

    /// The first function called `name`, whatever its parameters.
    pub(crate) fn function_named(&self, name: &str) -> Option<&FunctionDoc> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// Takes the `warn(...)` calls made so far.
    pub(crate) fn take_notes(&self) -> Vec<Note> {
        self.notes
            .lock()
            .map(|mut notes| std::mem::take(&mut *notes))
            .unwrap_or_default()
    }

    /// Calls `name` with the values `args` makes. `args` may be called a
    /// second time, to locate a limit hit.
    pub(crate) fn call(&self, name: &str, args: &dyn Fn() -> Vec<Dynamic>, tag: &CallTag) -> Result<Dynamic, Failure> {
        let options = CallFnOptions::new()
            .eval_ast(false)
            .rewind_scope(false)
            .with_tag(Dynamic::from(tag.clone()));
        let until = std::time::Instant::now() + CALL_TIME;
        let outer = CALL_UNTIL.with(|cell| cell.borrow_mut().replace(until));
        let outer_late = CALL_LATE.with(|late| late.replace(false));
        let result = self
            .engine
            .call_fn_with_options::<Dynamic>(options, &mut Scope::new(), &self.ast, name, args());
        let late = CALL_LATE.with(|late| late.replace(outer_late));
        CALL_UNTIL.with(|cell| *cell.borrow_mut() = outer);
        let result = match result {
            // It ran out of time and caught the error: still out of time.
            Ok(_) if late => Err(Box::new(EvalAltResult::ErrorTerminated(
                Dynamic::from(OUT_OF_TIME),
                Position::NONE,
            ))),
            other => other,
        };
        result.map_err(|err| self.failure(&err, Some((name, args, tag))))
    }

    /// Turns an error into a located failure; `rerun` is the call to run
    /// again on the locator when a limit stopped it.
    fn failure(&self, err: &EvalAltResult, rerun: Option<Rerun<'_>>) -> Failure {
        if let Some(limit) = limit_of(err) {
            // Out of time, the call stopped at a variable it was reading
            // (see `OutOfTime`): in the loop that ran. Stepping through the
            // call again would stop much earlier (the debugger copies the
            // arguments of every call), in whatever set the loop up.
            let own = (limit == Limit::Time)
                .then(|| {
                    let (inner, module) = innermost(err, None);
                    self.location(inner.position(), module.as_deref())
                })
                .flatten();
            let at = match (own, rerun) {
                (Some(at), _) => Some(at),
                (None, Some((name, args, tag))) => self.locate_limit(&limit, name, args, tag),
                (None, None) => None,
            };
            let (message, hint) = describe_limit(limit, &self.limits);
            return Failure {
                kind: FailureKind::Limit,
                message,
                hint,
                at,
            };
        }
        let (inner, module) = innermost(err, None);
        let at = self.location(inner.position(), module.as_deref());
        Failure {
            kind: FailureKind::Runtime,
            message: plain_message(inner),
            hint: runtime_hint(inner).to_string(),
            at,
        }
    }

    /// Runs a call that hit `limit` again, stepping through it, and
    /// returns the last place it reached. An array that grew too large is
    /// first run against a smaller array limit, which stops at the same
    /// place sooner; if that run stops for another reason, the full one
    /// decides.
    fn locate_limit(
        &self,
        limit: &Limit,
        name: &str,
        args: &dyn Fn() -> Vec<Dynamic>,
        tag: &CallTag,
    ) -> Option<Location> {
        let quiet = CallTag {
            quiet: true,
            ..tag.clone()
        };
        let rerun = |engine: &Engine| {
            LAST_STEP.with(|last| *last.borrow_mut() = (Position::NONE, None));
            LOCATE_UNTIL.with(|until| *until.borrow_mut() = Some(std::time::Instant::now() + LOCATE_FOR));
            let options = CallFnOptions::new()
                .eval_ast(false)
                .rewind_scope(false)
                .with_tag(Dynamic::from(quiet.clone()));
            let result = engine.call_fn_with_options::<Dynamic>(options, &mut Scope::new(), &self.ast, name, args());
            let stopped = result.err().and_then(|err| limit_of(&err));
            LOCATE_UNTIL.with(|until| *until.borrow_mut() = None);
            let (pos, module) = LAST_STEP.with(|last| last.borrow().clone());
            (stopped, self.location(pos, module.as_deref()))
        };
        if matches!(limit, Limit::Size(what) if what.contains("array")) {
            let (stopped, at) = rerun(&self.small_locator);
            if stopped.as_ref() == Some(limit) {
                return at;
            }
        }
        let (stopped, at) = rerun(&self.locator);
        match stopped {
            // Out of time: an endless loop is in its loop wherever it is,
            // but a size or depth limit may be elsewhere.
            Some(Limit::Stopped) if !matches!(limit, Limit::Operations | Limit::Time) => None,
            _ => at,
        }
    }

    /// A position of the program (or of the imported script `module`) as a
    /// script location.
    fn location(&self, pos: Position, module: Option<&str>) -> Option<Location> {
        let line = pos.line()?;
        let column = pos.position().unwrap_or(1);
        match module {
            Some(path) => Some(Location {
                path: path.to_string(),
                line,
                column,
            }),
            None => self.lines.locate(line, column),
        }
    }

    /// Where function `name` of `arity` parameters is defined, for
    /// diagnostics about what it returned.
    pub(crate) fn definition(&self, name: &str, arity: usize) -> Option<Location> {
        let f = self.function(name, arity)?;
        Some(Location {
            path: f.path.clone(),
            line: f.line,
            column: 1,
        })
    }
}

/// Runs `f` on the script pool: threads with stacks deep enough for the
/// call-depth limit even in debug builds.
pub(crate) fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .stack_size(16 << 20)
            .thread_name(|i| format!("rapport-script-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

fn compile(sources: &[ScriptSource], options: &EngineOptions) -> (Option<Scripts>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let resolver = ScriptResolver::new(sources);
    let checker = base_engine(&options.limits);
    let mut included: Vec<&ScriptSource> = Vec::new();
    for script in sources {
        match checker.compile(&*script.text) {
            Ok(ast) => {
                let refused = imports::refused(&ast, &resolver);
                for (target, pos) in &refused {
                    diagnostics.push(
                        Diagnostic::error(&script.path, format!("import of `{target}` refused: scripts can only import other scripts in `scripts/`"))
                            .at(pos.line().unwrap_or(1), pos.position().unwrap_or(1))
                            .hint("write `import \"helpers\" as h;` to use `scripts/helpers.rhai`; this script is left out of the build"),
                    );
                }
                if refused.is_empty() {
                    included.push(script);
                }
            }
            Err(err) => diagnostics.push(syntax_error(&script.path, &err.0, err.1, None)),
        }
    }
    // Join what compiled; an error only the whole program shows (the same
    // function in two scripts, a broken import) leaves out its script.
    loop {
        if included.is_empty() {
            return (None, diagnostics);
        }
        let (program, lines) = LineMap::join(&included);
        // Rhai counts lines in 16 bits: past that, positions are wrong.
        if program.lines().count() > usize::from(u16::MAX) {
            diagnostics.push(
                Diagnostic::warning(
                    "scripts",
                    "the scripts have more than 65535 lines together; positions in messages may be wrong",
                )
                .hint("remove functions nothing calls, or shorten the scripts"),
            );
        }
        let lines = Arc::new(lines);
        let notes = Arc::new(Mutex::new(Vec::new()));
        let context = HelperContext {
            today: options.today,
            lines: lines.clone(),
            notes: notes.clone(),
        };
        let engine = full_engine(&options.limits, &context, &resolver, false);
        let located = |pos: Position, module: Option<&str>| match module {
            Some(path) => Some(Location {
                path: path.to_string(),
                line: pos.line().unwrap_or(1),
                column: pos.position().unwrap_or(1),
            }),
            None => lines.locate(pos.line()?, pos.position().unwrap_or(1)),
        };
        let mut ast = match engine.compile_into_self_contained(&Scope::new(), &program) {
            Ok(ast) => ast,
            Err(err) => {
                let (inner, module) = innermost(&err, None);
                let at = located(inner.position(), module.as_deref());
                let culprit = at.as_ref().map(|l| l.path.clone());
                diagnostics.push(program_error(inner, at, module.as_deref()));
                let before = included.len();
                included.retain(|s| Some(&s.path) != culprit.as_ref() && module.as_deref() != Some(s.path.as_str()));
                if included.len() == before {
                    return (None, diagnostics);
                }
                continue;
            }
        };
        // The top level runs once per build; hooks do not see it.
        for stmt in ast.statements() {
            if let Stmt::Import(_, pos) = stmt
                && let Some(at) = located(*pos, None)
            {
                diagnostics.push(
                    Diagnostic::warning(&at.path, "a top-level `import` is not visible inside functions")
                        .at(at.line, at.column)
                        .hint("rapport calls hooks without running the top level again; move the `import` into the function that uses it"),
                );
            }
        }
        if let Err(err) = engine.run_ast_with_scope(&mut Scope::new(), &ast) {
            let (inner, module) = innermost(&err, None);
            let at = located(inner.position(), module.as_deref());
            let message = match limit_of(&err) {
                Some(limit) => describe_limit(limit, &options.limits).0,
                None => plain_message(inner),
            };
            let path = at.as_ref().map_or("scripts", |l| l.path.as_str()).to_string();
            diagnostics.push(
                Diagnostic::error(path, format!("the top level of the script failed: {message}"))
                    .at(at.as_ref().map_or(0, |l| l.line), at.as_ref().map_or(0, |l| l.column))
                    .hint("statements outside functions run once when the build starts; keep them to constants, or move them into a function"),
            );
        }
        ast.clear_statements();
        let functions = function_docs(&ast, &included);
        let locator = full_engine(&options.limits, &context, &resolver, true);
        let small = Limits {
            array_items: (options.limits.array_items / 10).max(100),
            ..options.limits
        };
        let small_locator = full_engine(&small, &context, &resolver, true);
        let scripts = Scripts {
            engine,
            locator,
            small_locator,
            ast,
            lines,
            functions,
            notes,
            limits: options.limits,
        };
        return (Some(scripts), diagnostics);
    }
}

/// The defined functions with their scripts, lines and doc comments.
fn function_docs(ast: &AST, included: &[&ScriptSource]) -> Vec<FunctionDoc> {
    let scanned: Vec<FunctionDoc> = included.iter().flat_map(|s| docs::functions(s)).collect();
    let mut out: Vec<FunctionDoc> = ast
        .iter_functions()
        .map(|f| {
            let arity = f.params.len();
            let private = matches!(f.access, rhai::FnAccess::Private);
            scanned
                .iter()
                .find(|d| d.name == f.name && d.arity == arity)
                .cloned()
                .unwrap_or_else(|| FunctionDoc {
                    name: f.name.to_string(),
                    arity,
                    private,
                    path: included
                        .first()
                        .map_or_else(|| "scripts".to_string(), |s| s.path.clone()),
                    line: 0,
                    doc: String::new(),
                })
        })
        .collect();
    out.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    out
}

/// An engine with Rhai's safe packages, the limits and `eval` disabled:
/// enough to check syntax.
fn base_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    // Everything of Rhai's standard package except the time functions,
    // which read the clock.
    engine.register_global_module(CorePackage::new().as_shared_module());
    engine.register_global_module(BitFieldPackage::new().as_shared_module());
    engine.register_global_module(LogicPackage::new().as_shared_module());
    engine.register_global_module(BasicMathPackage::new().as_shared_module());
    engine.register_global_module(BasicArrayPackage::new().as_shared_module());
    engine.register_global_module(BasicMapPackage::new().as_shared_module());
    engine.register_global_module(MoreStringPackage::new().as_shared_module());
    engine.disable_symbol("eval");
    engine.set_max_operations(limits.operations);
    engine.set_max_call_levels(limits.call_levels);
    engine.set_max_expr_depths(limits.expr_depth, limits.fn_expr_depth);
    engine.set_max_string_size(limits.string_bytes);
    engine.set_max_array_size(limits.array_items);
    engine.set_max_map_size(limits.map_entries);
    engine.set_max_modules(32);
    engine
}

/// The engine hooks run on: the base engine, the helpers and the import
/// resolver; with `locator`, a debugger that records every step.
fn full_engine(limits: &Limits, context: &HelperContext, resolver: &ScriptResolver, locator: bool) -> Engine {
    let mut engine = base_engine(limits);
    helpers::register(&mut engine, context);
    crate::script::convert::register(&mut engine);
    engine.set_module_resolver(resolver.clone());
    if locator {
        #[allow(deprecated)] // Rhai marks the debugger API as volatile, not as going away.
        engine.register_debugger(
            |_, debugger| debugger,
            |_, event, _, source, pos| {
                // Exits report the end of the function; only steps say
                // where the script was.
                if matches!(event, rhai::debugger::DebuggerEvent::Step) && !pos.is_none() {
                    LAST_STEP.with(|last| {
                        let mut last = last.borrow_mut();
                        last.0 = pos;
                        last.1 = source.filter(|s| s.starts_with("scripts/")).map(str::to_string);
                    });
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
        engine.on_progress(|operations| {
            if operations % 256 != 0 {
                return None;
            }
            let late = LOCATE_UNTIL.with(|until| until.borrow().is_some_and(|t| std::time::Instant::now() > t));
            late.then(|| Dynamic::from("out of time to locate"))
        });
    } else {
        // Out of time, a call first fails at the next variable it reads,
        // which says where it was; if it goes on, it is terminated.
        engine.on_progress(|operations| {
            if operations % 1024 != 0 {
                return None;
            }
            if CALL_LATE.with(Cell::get) {
                return (operations % LATE_OPERATIONS == 0).then(|| Dynamic::from(OUT_OF_TIME));
            }
            let late = CALL_UNTIL.with(|until| until.borrow().is_some_and(|t| std::time::Instant::now() > t));
            if late {
                CALL_LATE.with(|cell| cell.set(true));
            }
            None
        });
        #[allow(deprecated)] // Rhai marks the resolver API as volatile, not as going away.
        engine.on_var(|_, _, _| {
            if CALL_LATE.with(Cell::get) {
                Err(Box::new(EvalAltResult::ErrorRuntime(
                    Dynamic::from(OutOfTime),
                    Position::NONE,
                )))
            } else {
                Ok(None)
            }
        });
    }
    engine
}

/// The sandbox limits Rhai enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Limit {
    Operations,
    CallDepth,
    /// Rhai's name of what grew too large ("Length of string").
    Size(String),
    Modules,
    Variables,
    /// [`CALL_TIME`] passed.
    Time,
    Stopped,
}

fn limit_of(err: &EvalAltResult) -> Option<Limit> {
    match err {
        EvalAltResult::ErrorTooManyOperations(_) => Some(Limit::Operations),
        EvalAltResult::ErrorStackOverflow(_) => Some(Limit::CallDepth),
        EvalAltResult::ErrorDataTooLarge(what, _) => Some(Limit::Size(what.clone())),
        EvalAltResult::ErrorTooManyModules(_) => Some(Limit::Modules),
        EvalAltResult::ErrorTooManyVariables(_) => Some(Limit::Variables),
        EvalAltResult::ErrorTerminated(token, _) if token.clone().into_string().is_ok_and(|t| t == OUT_OF_TIME) => {
            Some(Limit::Time)
        }
        EvalAltResult::ErrorTerminated(..) => Some(Limit::Stopped),
        EvalAltResult::ErrorRuntime(token, _) if token.is::<OutOfTime>() => Some(Limit::Time),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) | EvalAltResult::ErrorInModule(_, inner, _) => {
            limit_of(inner)
        }
        _ => None,
    }
}

fn describe_limit(limit: Limit, limits: &Limits) -> (String, String) {
    match limit {
        Limit::Operations => (
            format!("it ran more than {} operations (an endless loop?)", limits.operations),
            "check the loop's end condition; raise `max_operations` under `[scripts]` in rapport.toml only if the script really needs more".to_string(),
        ),
        Limit::CallDepth => (
            format!("functions called each other more than {} levels deep (endless recursion?)", limits.call_levels),
            "check the recursion's end condition, or write it as a loop".to_string(),
        ),
        Limit::Size(what) => {
            let message = if what.contains("string") {
                format!("it built a string longer than the limit of {} bytes", limits.string_bytes)
            } else if what.contains("array") {
                format!("it built an array of more than {} items (nested arrays count too)", limits.array_items)
            } else {
                format!("it built an object map of more than {} entries (nested maps count too)", limits.map_entries)
            };
            (message, "a value grew without end; check the loop that builds it".to_string())
        }
        Limit::Modules => (
            "it imported too many scripts (an import cycle?)".to_string(),
            "check which scripts import each other".to_string(),
        ),
        Limit::Variables => (
            "it defined too many variables".to_string(),
            "check the loop that defines them".to_string(),
        ),
        Limit::Time => (
            format!("it ran for more than {} s (an endless loop?)", CALL_TIME.as_secs()),
            "check the loop's end condition; a loop that calls a function on a large array each time is slow, as each call checks the array's size".to_string(),
        ),
        Limit::Stopped => ("it was stopped".to_string(), "see docs/scripting.md".to_string()),
    }
}

/// The error inside function-call and module wrappers, and the imported
/// script it happened in, if any.
fn innermost(err: &EvalAltResult, module: Option<String>) -> (&EvalAltResult, Option<String>) {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, source, inner, _) => {
            let module = if source.starts_with("scripts/") {
                Some(source.clone())
            } else {
                module
            };
            innermost(inner, module)
        }
        EvalAltResult::ErrorInModule(path, inner, _) => {
            let module = if path.starts_with("scripts/") {
                Some(path.clone())
            } else {
                module
            };
            innermost(inner, module)
        }
        other => (other, module),
    }
}

fn runtime_hint(err: &EvalAltResult) -> &'static str {
    match err {
        EvalAltResult::ErrorFunctionNotFound(..) => {
            "no function takes these arguments; check the name and the types (a missing field is `()`), and see docs/scripting.md for the helpers"
        }
        EvalAltResult::ErrorVariableNotFound(..) => {
            "functions see only their parameters and their own variables; pass the value in"
        }
        EvalAltResult::ErrorDotExpr(message, _) if message.contains("writable") || message.contains("setter") => {
            "items are read-only; change a copy instead: `let m = c.to_map(); m.title = \"...\";`"
        }
        EvalAltResult::ErrorPropertyNotFound(..) | EvalAltResult::ErrorDotExpr(..) => {
            "check the field name against docs/scripting.md; a missing field reads as `()`"
        }
        EvalAltResult::ErrorMismatchDataType(..) | EvalAltResult::ErrorMismatchOutputType(..) => {
            "a value has another type than the script expects; a missing field is `()`"
        }
        EvalAltResult::ErrorModuleNotFound(..) => "scripts can only import other scripts in `scripts/`, by name",
        EvalAltResult::ErrorAssignmentToConstant(..) | EvalAltResult::ErrorNonPureMethodCallOnConstant(..) => {
            "copy the value into a variable before changing it"
        }
        _ => "fix the script, or guard the case it did not expect; see docs/scripting.md",
    }
}

fn syntax_error(path: &str, kind: &ParseErrorType, pos: Position, module: Option<&str>) -> Diagnostic {
    let message = lowercase_first(&kind.to_string());
    let hint = match kind {
        ParseErrorType::ExprTooDeep => "expressions may nest 64 levels deep; split this one with `let`",
        ParseErrorType::FnDuplicatedDefinition(..) => {
            "every script shares one set of functions: rename one of the two, or give them different numbers of parameters"
        }
        _ if message.contains("eval") => "`eval` is disabled in rapport scripts: write the code itself",
        _ => "Rhai's syntax is close to Rust and JavaScript; see docs/scripting.md and https://rhai.rs/book/",
    };
    let path = module.unwrap_or(path);
    Diagnostic::error(path, format!("syntax error in script: {message}"))
        .at(pos.line().unwrap_or(1), pos.position().unwrap_or(1))
        .hint(hint)
}

/// An error of the joined program, at its script.
fn program_error(err: &EvalAltResult, at: Option<Location>, module: Option<&str>) -> Diagnostic {
    let (path, line, column) = at.map_or(("scripts".to_string(), 0, 0), |l| (l.path, l.line, l.column));
    match err {
        EvalAltResult::ErrorParsing(kind, _) => syntax_error(&path, kind, Position::NONE, module).at(line, column),
        EvalAltResult::ErrorModuleNotFound(target, _) => Diagnostic::error(
            path,
            format!("import of `{target}` refused: scripts can only import other scripts in `scripts/`"),
        )
        .at(line, column)
        .hint("write `import \"helpers\" as h;` to use `scripts/helpers.rhai`; this script is left out of the build"),
        other => Diagnostic::error(path, format!("script error: {}", plain_message(other)))
            .at(line, column)
            .hint("this script is left out of the build"),
    }
}

/// Rhai's message for `err` without the position it appends, lowercase.
fn plain_message(err: &EvalAltResult) -> String {
    // A helper's error or a `throw` is the message itself.
    if let EvalAltResult::ErrorRuntime(value, _) = err {
        return match value.clone().into_immutable_string() {
            Ok(text) => text.to_string(),
            Err(_) => format!("the script threw {value}"),
        };
    }
    let text = err.to_string();
    let pos = err.position();
    let text = if pos.is_none() {
        text.as_str()
    } else {
        text.strip_suffix(&format!(" ({pos})")).unwrap_or(&text)
    };
    lowercase_first(text)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> ScriptSource {
        ScriptSource {
            path: path.to_string(),
            text: Arc::from(text),
        }
    }

    fn options() -> EngineOptions {
        EngineOptions {
            today: Date::parse("2026-06-15").unwrap(),
            limits: Limits::new(100_000),
        }
    }

    fn tag() -> CallTag {
        CallTag {
            function: Arc::from("f"),
            item: None,
            quiet: false,
        }
    }

    #[test]
    fn scripts_share_one_program_and_keep_their_positions() {
        let sources = [
            source("scripts/a.rhai", "fn a(x) { b(x) + 1 }\n"),
            source("scripts/b.rhai", "\n\nfn b(x) {\n  x.nope()\n}\n"),
        ];
        let (scripts, diags) = Scripts::compile(&sources, &options());
        assert!(diags.is_empty(), "{diags:?}");
        let scripts = scripts.unwrap();
        let ok = scripts.call("a", &|| vec![Dynamic::from_int(1)], &tag());
        let failure = ok.unwrap_err();
        assert_eq!(failure.kind, FailureKind::Runtime);
        let at = failure.at.unwrap();
        assert_eq!((at.path.as_str(), at.line), ("scripts/b.rhai", 4));
        assert!(failure.message.starts_with("function not found"), "{}", failure.message);
    }

    #[test]
    fn a_limit_hit_is_located_by_the_rerun() {
        let sources = [source(
            "scripts/loop.rhai",
            "fn spin() {\n  let n = 0;\n  loop {\n    n += 1;\n  }\n}\n",
        )];
        let (scripts, _) = Scripts::compile(&sources, &options());
        let failure = scripts.unwrap().call("spin", &Vec::new, &tag()).unwrap_err();
        assert_eq!(failure.kind, FailureKind::Limit);
        assert!(failure.message.contains("100000 operations"), "{}", failure.message);
        let at = failure.at.unwrap();
        assert_eq!(at.path, "scripts/loop.rhai");
        assert!((3..=5).contains(&at.line), "{at:?}");
    }

    #[test]
    fn a_broken_script_is_left_out_and_the_others_run() {
        let sources = [
            source("scripts/good.rhai", "fn good() { 1 }\n"),
            source("scripts/bad.rhai", "fn bad() {\n  let x = ;\n}\n"),
        ];
        let (scripts, diags) = Scripts::compile(&sources, &options());
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].path.as_str(), diags[0].line), ("scripts/bad.rhai", 2));
        let scripts = scripts.unwrap();
        assert!(scripts.function("good", 0).is_some());
        assert!(scripts.function("bad", 0).is_none());
    }

    #[test]
    fn the_same_function_in_two_scripts_is_reported_at_the_second() {
        let sources = [
            source("scripts/a.rhai", "fn f(x) { 1 }\n"),
            source("scripts/b.rhai", "// b\nfn f(y) { 2 }\n"),
        ];
        let (scripts, diags) = Scripts::compile(&sources, &options());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!((diags[0].path.as_str(), diags[0].line), ("scripts/b.rhai", 2));
        assert!(scripts.unwrap().function("f", 1).is_some());
    }

    #[test]
    fn eval_and_the_clock_are_not_available() {
        let sources = [
            source("scripts/e.rhai", "fn e() { eval(\"1\") }\n"),
            source("scripts/t.rhai", "fn t() { timestamp() }\n"),
        ];
        let (scripts, diags) = Scripts::compile(&sources, &options());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].path, "scripts/e.rhai");
        let failure = scripts.unwrap().call("t", &Vec::new, &tag()).unwrap_err();
        assert!(failure.message.contains("function not found"), "{}", failure.message);
    }

    #[test]
    fn imports_resolve_to_scripts_only() {
        let sources = [
            source("scripts/helpers.rhai", "fn double(x) { x * 2 }\n"),
            source(
                "scripts/main.rhai",
                "fn f(x) {\n  import \"helpers\" as h;\n  h::double(x)\n}\n",
            ),
            source(
                "scripts/sneaky.rhai",
                "fn g() {\n  import \"../rapport\" as r;\n  1\n}\n",
            ),
        ];
        let (scripts, diags) = Scripts::compile(&sources, &options());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!((diags[0].path.as_str(), diags[0].line), ("scripts/sneaky.rhai", 2));
        assert!(
            diags[0].message.contains("`../rapport` refused"),
            "{}",
            diags[0].message
        );
        let value = scripts
            .unwrap()
            .call("f", &|| vec![Dynamic::from_int(21)], &tag())
            .unwrap();
        assert_eq!(value.as_int(), Ok(42));
    }

    #[test]
    fn limits_grow_to_fit_the_content() {
        let limits = Limits::new(1).fit(30_000, 10);
        assert_eq!(limits.array_items, 60_000);
        assert_eq!(limits.string_bytes, 1 << 20);
    }
}
