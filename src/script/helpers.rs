//! The functions rapport gives scripts on top of Rhai's own: date
//! arithmetic on `YYYY-MM-DD` strings, `today()` (the site's today, never
//! the clock), `clamp`, `mean`, `warn`, and `print`/`debug` routed to
//! rapport's console with the script's name and line.
//!
//! Helpers that receive a wrong value fail with a message that says what
//! they expected, so a script error reads like a sentence rather than
//! "function not found: days_between((), string)".

use std::sync::{Arc, Mutex};

use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Map, NativeCallContext};

use crate::date::Date;
use crate::script::convert::Item;
use crate::script::sources::{LineMap, Location};

/// Who is calling: the hook and the item, passed to every call as Rhai's
/// call tag so helpers such as `warn` can say where a message came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallTag {
    /// The hook or function called (`score_commitment`).
    pub function: Arc<str>,
    /// The item the call is about, if any.
    pub item: Option<Item>,
    /// Set on the re-run that locates a limit: prints and warnings were
    /// already given by the first run.
    pub quiet: bool,
}

/// A `warn(...)` call, to become a warning diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub message: String,
    /// Where `warn` was called.
    pub at: Option<Location>,
    pub function: Option<String>,
    pub item: Option<String>,
}

/// What the helpers need from the build.
#[derive(Debug, Clone)]
pub(crate) struct HelperContext {
    pub today: Date,
    pub lines: Arc<LineMap>,
    pub notes: Arc<Mutex<Vec<Note>>>,
}

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Registers every helper on `engine`.
pub(crate) fn register(engine: &mut Engine, context: &HelperContext) {
    let today = context.today.to_string();
    engine.register_fn("today", move || -> ImmutableString { today.as_str().into() });
    // Exact string versions first: Rhai finds them without trying the
    // `Dynamic` fallbacks, which are there for the helpful error messages.
    engine.register_fn(
        "days_between",
        |a: ImmutableString, b: ImmutableString| -> Result<INT> {
            let a = Date::parse(&a).map_err(|reason| format!("days_between(): {reason}"))?;
            let b = Date::parse(&b).map_err(|reason| format!("days_between(): {reason}"))?;
            Ok(a.days_until(b))
        },
    );
    engine.register_fn("days_between", |a: Dynamic, b: Dynamic| -> Result<INT> {
        let a = date_arg("days_between", "first", &a)?;
        let b = date_arg("days_between", "second", &b)?;
        Ok(a.days_until(b))
    });
    engine.register_fn("add_days", |d: Dynamic, n: INT| -> Result<ImmutableString> {
        let date = date_arg("add_days", "first", &d)?;
        match date.add_days(n) {
            Some(moved) => Ok(moved.to_string().into()),
            None => Err(format!("add_days(): {date} plus {n} days is outside the calendar").into()),
        }
    });
    engine.register_fn("add_days", |_: Dynamic, n: Dynamic| -> Result<ImmutableString> {
        Err(format!(
            "add_days() needs a whole number of days as its second argument, got {}",
            describe(&n)
        )
        .into())
    });
    engine.register_fn("month_of", |d: Dynamic| -> Result<ImmutableString> {
        let date = date_arg("month_of", "first", &d)?;
        Ok(date.year_month().to_string().into())
    });
    engine.register_fn("clamp", |x: INT, lo: INT, hi: INT| -> INT { x.max(lo).min(hi) });
    engine.register_fn("clamp", |x: FLOAT, lo: FLOAT, hi: FLOAT| -> FLOAT { x.max(lo).min(hi) });
    engine.register_fn("clamp", |x: FLOAT, lo: INT, hi: INT| -> FLOAT {
        x.max(lo as FLOAT).min(hi as FLOAT)
    });
    engine.register_fn("clamp", |x: INT, lo: FLOAT, hi: FLOAT| -> FLOAT {
        (x as FLOAT).max(lo).min(hi)
    });
    engine.register_fn("clamp", |x: Dynamic, lo: Dynamic, hi: Dynamic| -> Result<FLOAT> {
        let x = number_arg("clamp", "first", &x)?;
        let lo = number_arg("clamp", "second", &lo)?;
        let hi = number_arg("clamp", "third", &hi)?;
        Ok(x.max(lo).min(hi))
    });
    engine.register_fn("mean", |values: Array| -> Result<Dynamic> {
        if values.is_empty() {
            return Ok(Dynamic::UNIT);
        }
        let mut sum = 0.0;
        for (i, value) in values.iter().enumerate() {
            sum += number(value)
                .ok_or_else(|| format!("mean() needs an array of numbers; item {i} is {}", describe(value)))?;
        }
        Ok(Dynamic::from_float(sum / values.len() as FLOAT))
    });
    engine.register_fn("has_word", |text: &str, word: &str| has_word(text, word));
    engine.register_fn("has_word", |text: Dynamic, _: Dynamic| -> Result<bool> {
        if text.is_unit() {
            return Ok(false);
        }
        Err(format!(
            "has_word() needs two strings; its first argument is {}",
            describe(&text)
        )
        .into())
    });
    engine.register_fn("mean", |values: Dynamic| -> Result<Dynamic> {
        Err(format!("mean() needs an array of numbers, got {}", describe(&values)).into())
    });

    let notes = context.notes.clone();
    let lines = context.lines.clone();
    engine.register_fn("warn", move |ctx: NativeCallContext, message: Dynamic| {
        let tag = tag_of(&ctx);
        if tag.as_ref().is_some_and(|t| t.quiet) {
            return;
        }
        let note = Note {
            message: text_of(&message),
            at: location(&ctx, &lines),
            function: tag.as_ref().map(|t| t.function.to_string()),
            item: tag.as_ref().and_then(|t| t.item.as_ref().map(|i| i.path().to_string())),
        };
        if let Ok(mut notes) = notes.lock() {
            notes.push(note);
        }
    });
    register_console(engine, &context.lines);
}

/// `print` and `debug` for every type Rhai has its own versions for, so
/// that ours always win: they write `scripts/x.rhai:12: text` to stderr.
fn register_console(engine: &mut Engine, lines: &Arc<LineMap>) {
    macro_rules! console {
        ($name:literal, $format:expr, $($ty:ty),*) => {
            $(
                let at = lines.clone();
                engine.register_fn($name, move |ctx: NativeCallContext, value: $ty| {
                    let value = Dynamic::from(value);
                    emit(&ctx, &at, &$format(&value));
                });
            )*
            let at = lines.clone();
            engine.register_fn($name, move |ctx: NativeCallContext| emit(&ctx, &at, ""));
        };
    }
    console!(
        "print",
        text_of,
        Dynamic,
        ImmutableString,
        INT,
        FLOAT,
        bool,
        char,
        (),
        Array,
        Map
    );
    console!(
        "debug",
        debug_of,
        Dynamic,
        ImmutableString,
        INT,
        FLOAT,
        bool,
        char,
        (),
        Array,
        Map
    );
}

fn emit(ctx: &NativeCallContext, lines: &LineMap, text: &str) {
    if tag_of(ctx).is_some_and(|t| t.quiet) {
        return;
    }
    match location(ctx, lines) {
        Some(at) => eprintln!("{}:{}: {text}", at.path, at.line),
        None => eprintln!("script: {text}"),
    }
}

/// The call tag of the current call, if rapport set one.
pub(crate) fn tag_of(ctx: &NativeCallContext) -> Option<CallTag> {
    ctx.tag().and_then(|tag| tag.clone().try_cast::<CallTag>())
}

/// Where a native function was called from, in script terms.
fn location(ctx: &NativeCallContext, lines: &LineMap) -> Option<Location> {
    let pos = ctx.call_position();
    let line = pos.line()?;
    let column = pos.position().unwrap_or(0);
    match ctx.call_source() {
        // Inside an imported script, positions are that script's own.
        Some(source) if source.starts_with("scripts/") => Some(Location {
            path: source.to_string(),
            line,
            column,
        }),
        _ => lines.locate(line, column),
    }
}

/// A string as itself, an item as its map, anything else as Rhai prints it.
fn text_of(value: &Dynamic) -> String {
    if let Some(item) = value.read_lock::<Item>() {
        return Dynamic::from_map(item.to_map()).to_string();
    }
    match value.clone().into_immutable_string() {
        Ok(text) => text.to_string(),
        Err(_) => value.to_string(),
    }
}

/// Rhai's debug form, an item as its map.
fn debug_of(value: &Dynamic) -> String {
    match value.read_lock::<Item>() {
        Some(item) => format!("{:?}", Dynamic::from_map(item.to_map())),
        None => format!("{value:?}"),
    }
}

/// A value's kind and value, for messages: "() (nothing)", "text \"x\"".
pub(crate) fn describe(value: &Dynamic) -> String {
    if value.is_unit() {
        "() (nothing)".to_string()
    } else if value.is_string() {
        format!("the text {value:?}")
    } else if value.is_array() {
        "an array".to_string()
    } else if value.is_map() {
        "an object map".to_string()
    } else {
        format!("{} {value}", value.type_name())
    }
}

/// Whether `text` contains `word` as a whole word, ignoring case: the
/// characters around it are not letters or digits ("we" is in "We did",
/// "we're" and "**we**", not in "were" or "answer").
pub(crate) fn has_word(text: &str, word: &str) -> bool {
    let word = word.trim();
    if word.is_empty() {
        return false;
    }
    // Lowercasing a whole body costs more than the search; plain ASCII
    // words, the common case, compare without it.
    let (text, word) = if word.is_ascii() {
        (std::borrow::Cow::Borrowed(text), std::borrow::Cow::Borrowed(word))
    } else {
        (text.to_lowercase().into(), word.to_lowercase().into())
    };
    let (haystack, needle) = (text.as_bytes(), word.as_bytes());
    let outside = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        let candidate = &haystack[at..at + needle.len()];
        if candidate.eq_ignore_ascii_case(needle)
            && text.is_char_boundary(at)
            && text.is_char_boundary(at + needle.len())
        {
            let before = text[..at].chars().next_back();
            let after = text[at + needle.len()..].chars().next();
            if outside(before) && outside(after) {
                return true;
            }
        }
        at += 1;
    }
    false
}

fn date_arg(function: &str, which: &str, value: &Dynamic) -> Result<Date> {
    let text = value.clone().into_immutable_string().map_err(|_| {
        format!(
            "{function}() needs dates written YYYY-MM-DD; its {which} argument is {}{}",
            describe(value),
            if value.is_unit() {
                "; check the field for `()` first, as in `if c.delivered != () { ... }`"
            } else {
                ""
            }
        )
    })?;
    Date::parse(&text).map_err(|reason| format!("{function}(): {reason}").into())
}

fn number(value: &Dynamic) -> Option<FLOAT> {
    value
        .as_int()
        .map(|n| n as FLOAT)
        .ok()
        .or_else(|| value.as_float().ok())
}

fn number_arg(function: &str, which: &str, value: &Dynamic) -> Result<FLOAT> {
    number(value).ok_or_else(|| {
        format!(
            "{function}() needs numbers; its {which} argument is {}",
            describe(value)
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(notes: &Arc<Mutex<Vec<Note>>>) -> Engine {
        let mut engine = Engine::new();
        let context = HelperContext {
            today: Date::parse("2026-06-15").unwrap(),
            lines: Arc::new(LineMap::default()),
            notes: notes.clone(),
        };
        register(&mut engine, &context);
        engine
    }

    #[test]
    fn helpers_compute_what_the_docs_say() {
        let notes = Arc::new(Mutex::new(Vec::new()));
        let engine = engine(&notes);
        let cases: [(&str, Dynamic); 10] = [
            ("today()", "2026-06-15".into()),
            ("days_between(\"2026-01-30\", \"2026-03-01\")", Dynamic::from_int(30)),
            ("days_between(\"2026-03-01\", \"2026-01-30\")", Dynamic::from_int(-30)),
            ("add_days(\"2026-12-30\", 3)", "2027-01-02".into()),
            ("month_of(\"2026-02-28\")", "2026-02".into()),
            ("clamp(150, 0, 100)", Dynamic::from_int(100)),
            ("clamp(-2.5, 0.0, 100.0)", Dynamic::from_float(0.0)),
            ("clamp(50.5, 0, 100)", Dynamic::from_float(50.5)),
            ("mean([1, 2, 4.5])", Dynamic::from_float(2.5)),
            ("mean([])", Dynamic::UNIT),
        ];
        for (script, expected) in cases {
            let got: Dynamic = engine.eval(script).unwrap_or_else(|e| panic!("{script}: {e}"));
            assert_eq!(got.to_string(), expected.to_string(), "{script}");
            assert_eq!(got.type_name(), expected.type_name(), "{script}");
        }
    }

    #[test]
    fn wrong_arguments_say_what_was_expected() {
        let notes = Arc::new(Mutex::new(Vec::new()));
        let engine = engine(&notes);
        let cases = [
            (
                "days_between((), \"2026-01-01\")",
                "days_between() needs dates written YYYY-MM-DD; its first argument is () (nothing)",
            ),
            (
                "days_between(\"2026-01-01\", \"soon\")",
                "days_between(): `soon` is not a date",
            ),
            (
                "mean([1, \"x\"])",
                "mean() needs an array of numbers; item 1 is the text \"x\"",
            ),
            (
                "clamp(\"a\", 0, 1)",
                "clamp() needs numbers; its first argument is the text \"a\"",
            ),
            (
                "add_days(\"2026-01-01\", 1.5)",
                "add_days() needs a whole number of days",
            ),
        ];
        for (script, expected) in cases {
            let err = engine.eval::<Dynamic>(script).unwrap_err().to_string();
            assert!(err.contains(expected), "{script}: {err}");
        }
    }

    #[test]
    fn whole_words_only() {
        assert!(has_word("We did it.", "we"));
        assert!(has_word("so **we** did", "We"));
        assert!(has_word("we're done", "we"));
        assert!(!has_word("They were there; answer: no", "we"));
        assert!(!has_word("", "we"));
        assert!(has_word("café au lait", "café"));
    }

    #[test]
    fn warn_records_a_note() {
        let notes = Arc::new(Mutex::new(Vec::new()));
        let engine = engine(&notes);
        engine.run("warn(\"check this\");").unwrap();
        let notes = notes.lock().unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].message, "check this");
    }
}
