//! Themes: minijinja templates with autoescaping, built in and overridable.
//!
//! The default theme is compiled into the binary; a site's
//! `themes/<theme>/templates/x.html` replaces the built-in `x.html`. Every
//! template is compiled once per build. Syntax errors and rendering errors
//! become diagnostics that name the template file and line. Values are
//! HTML-escaped unless a template marks them `safe` (only rendered Markdown
//! is, and it has been sanitised on the way).

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::date::{Date, YearMonth};
use crate::diagnostic::Diagnostic;
use crate::embedded;
use crate::load::TextFile;
use crate::score::ScriptCall;

/// The compiled templates of a build.
pub struct Theme {
    env: Environment<'static>,
    /// Template name -> the path shown in diagnostics.
    origins: HashMap<String, String>,
    /// Template name -> source, for snippets.
    sources: HashMap<String, Arc<str>>,
}

impl Theme {
    /// Compiles the built-in templates, then the site's overrides from
    /// `theme_name`'s folder. A broken override is reported and the built-in
    /// template is kept, so one bad edit does not take every page down.
    pub(crate) fn new(
        overrides: &[TextFile],
        theme_name: &str,
        script: Option<ScriptCall>,
    ) -> (Theme, Vec<Diagnostic>) {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_recursion_limit(200);
        env.set_formatter(escape_formatter);
        register_filters(&mut env);
        match script {
            Some(call) => env.add_function("script", move |name: String, args: minijinja::value::Rest<Value>| {
                call(&name, args.0).map_err(|message| Error::new(ErrorKind::InvalidOperation, message))
            }),
            None => env.add_function(
                "script",
                |name: String, _args: minijinja::value::Rest<Value>| -> Result<Value, Error> {
                    Err(Error::new(
                        ErrorKind::InvalidOperation,
                        format!("no script function `{name}`: scripts are not loaded"),
                    ))
                },
            ),
        }
        let mut theme = Theme {
            env,
            origins: HashMap::new(),
            sources: HashMap::new(),
        };
        let mut diagnostics = Vec::new();
        for (name, source) in embedded::theme_templates() {
            let path = format!("themes/default/templates/{name}");
            if let Err(err) = theme.add(name, source, &path) {
                // The built-in theme is tested; this only happens while it is edited.
                diagnostics.push(theme.diagnostic(&err));
            }
        }
        let prefix = format!("themes/{theme_name}/templates/");
        for file in overrides {
            let Some(name) = file.path.strip_prefix(&prefix) else {
                continue;
            };
            let previous = theme.env.get_template(name).ok().map(|t| t.source().to_string());
            if let Err(err) = theme.add(name, &file.text, &file.path) {
                diagnostics.push(theme.diagnostic(&err));
                if let Some(previous) = previous {
                    let builtin = format!("themes/default/templates/{name}");
                    let _ = theme.add(name, &previous, &builtin);
                }
            }
        }
        (theme, diagnostics)
    }

    fn add(&mut self, name: &str, source: &str, path: &str) -> Result<(), Error> {
        self.origins.insert(name.to_string(), path.to_string());
        self.sources.insert(name.to_string(), Arc::from(source));
        self.env.add_template_owned(name.to_string(), source.to_string())
    }

    /// Renders template `name` with `context`.
    pub(crate) fn render(&self, name: &str, context: Value) -> Result<String, Diagnostic> {
        let template = self.env.get_template(name).map_err(|err| self.diagnostic(&err))?;
        template.render(context).map_err(|err| self.diagnostic(&err))
    }

    /// Renders template `name` with `context` into `out`, for a page whose
    /// HTML is not kept (`rapport check` finds template errors this way
    /// without holding a string per page).
    pub(crate) fn render_to(&self, name: &str, context: Value, out: impl std::io::Write) -> Result<(), Diagnostic> {
        let template = self.env.get_template(name).map_err(|err| self.diagnostic(&err))?;
        template
            .render_captured_to(context, out)
            .map(|_| ())
            .map_err(|err| self.diagnostic(&err))
    }

    /// A template error as a diagnostic at the template's file and line.
    pub(crate) fn diagnostic(&self, err: &Error) -> Diagnostic {
        let name = err.name().unwrap_or("template");
        let path = self
            .origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("themes/default/templates/{name}"));
        let detail = err
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| err.kind().to_string());
        let message = format!("template error: {detail}");
        let hint = match err.kind() {
            ErrorKind::SyntaxError => "fix the template syntax; tags are `{{ ... }}`, `{% ... %}` and `{# ... #}`",
            ErrorKind::UndefinedError => {
                "a variable or field that this template uses does not exist; see docs/themes.md for what each template receives"
            }
            ErrorKind::UnknownFilter | ErrorKind::UnknownFunction | ErrorKind::UnknownTest => {
                "see docs/themes.md for the filters and functions rapport provides"
            }
            ErrorKind::TemplateNotFound => "add the template to the theme, or use one of the built-in template names",
            _ => "see docs/themes.md",
        };
        let column = err
            .range()
            .and_then(|range| {
                let source = self.sources.get(name)?;
                let before = source.get(..range.start)?;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                Some(before[line_start..].chars().count() + 1)
            })
            .unwrap_or(0);
        Diagnostic::error(path, message)
            .at(err.line().unwrap_or(0), column)
            .hint(hint)
    }
}

/// HTML-escapes `&`, `<`, `>`, `"` and `'` in unsafe strings; unlike
/// minijinja's default it leaves `/` alone, so URLs stay readable in the
/// output (`/` cannot end an attribute or start a tag on its own).
fn escape_formatter(out: &mut minijinja::Output, state: &mut minijinja::State, value: &Value) -> Result<(), Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(text) if html && !value.is_safe() => write_escaped(out, text).map_err(Error::from),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    let _ = write_escaped(&mut escaped, text);
    escaped
}

/// Writes `text` HTML-escaped: the runs between the five characters that
/// need it go out whole.
fn write_escaped(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The five are ASCII, so `i` is on a character boundary.
        out.write_str(&text[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&text[start..])
}

/// Plain text with Markdown code spans (`` `reason` ``) as `<code>`, and
/// everything else escaped: for text written in a Markdown habit that is not
/// a Markdown body, such as the scripts' doc comments. A span closes at the
/// next run of as many backticks; a run that never closes stays as it is.
fn code_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&escape_html(&rest[..start]));
        let run = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let after = &rest[start + run..];
        let fence = &rest[start..start + run];
        // The closing run: exactly `run` backticks, not part of a longer run.
        let mut from = 0;
        let close = loop {
            let Some(i) = after[from..].find(fence).map(|i| i + from) else {
                break None;
            };
            let longer = after[i + run..].starts_with('`') || (i > 0 && after[..i].ends_with('`'));
            if !longer {
                break Some(i);
            }
            from = i + after[i..].len() - after[i..].trim_start_matches('`').len();
        };
        match close {
            Some(end) if end > 0 => {
                let code = &after[..end];
                let code = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                    Some(inner) if !inner.trim().is_empty() => inner,
                    _ => code,
                };
                out.push_str("<code>");
                out.push_str(&escape_html(code));
                out.push_str("</code>");
                rest = &after[end + run..];
            }
            _ => {
                out.push_str(fence);
                rest = after;
            }
        }
    }
    out.push_str(&escape_html(rest));
    out
}

fn register_filters(env: &mut Environment<'static>) {
    // "2026-03-12" -> "12 March 2026"
    env.add_filter("long_date", |value: Value| -> String { long_date(value.to_string()) });
    // "2026-03" -> "Mar 2026"
    env.add_filter("month_label", |value: Value| -> String {
        let text = value.to_string();
        YearMonth::parse(&text).map(YearMonth::short_label).unwrap_or(text)
    });
    // 87.456 -> "87"
    env.add_filter("score", |value: Value| -> String {
        match f64::try_from(value.clone()) {
            Ok(n) => format!("{}", n.round() as i64),
            Err(_) => "–".to_string(),
        }
    });
    // "its `reason`" -> "its <code>reason</code>", the rest escaped
    env.add_filter("code_spans", |value: Value| -> Value {
        Value::from_safe_string(code_spans(&value.to_string()))
    });
    // 1 -> "", 2 -> "s"
    env.add_filter("plural", |n: i64| -> &'static str {
        if n == 1 { "" } else { "s" }
    });
    // "2026-03-12" -> <time datetime="2026-03-12">12 March 2026</time>
    env.add_filter("date_tag", |value: Value| -> Result<Value, Error> {
        let text = printed("date_tag", &value)?;
        let long = long_date(text.clone());
        let mut html = String::with_capacity(48);
        html.push_str("<time datetime=\"");
        push_escaped(&mut html, &value, &text);
        html.push_str("\">");
        let _ = write_escaped(&mut html, &long);
        html.push_str("</time>");
        Ok(Value::from_safe_string(html))
    });
    // A team link (`slug`, `title`, `short`, `url`, `color`, `ink`) -> its
    // badge, with its short name or (`team_badge(true)`) its full name.
    env.add_filter(
        "team_badge",
        |team: Value, full: Option<bool>| -> Result<Value, Error> {
            let mut html = String::with_capacity(160);
            let field = |html: &mut String, name: &str| -> Result<(), Error> {
                let value = team.get_attr(name)?;
                let text = printed("team_badge", &value)?;
                push_escaped(html, &value, &text);
                Ok(())
            };
            html.push_str("<a class=\"team-badge\" href=\"");
            field(&mut html, "url")?;
            html.push_str("\" style=\"--team: ");
            field(&mut html, "color")?;
            html.push_str("; --ink: ");
            field(&mut html, "ink")?;
            html.push_str("\" title=\"");
            field(&mut html, "title")?;
            html.push_str("\">");
            field(&mut html, if full.unwrap_or(false) { "title" } else { "short" })?;
            html.push_str("</a>");
            Ok(Value::from_safe_string(html))
        },
    );
}

/// "2026-03-12" -> "12 March 2026"; other text as it is.
fn long_date(text: String) -> String {
    Date::parse(&text).map(Date::long).unwrap_or(text)
}

/// The text `{{ value }}` prints; printing an undefined value is an
/// error, as it is in a template (`filter` names the filter given it).
fn printed(filter: &str, value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("`{filter}` was given an undefined value"),
        ));
    }
    Ok(value.to_string())
}

/// Appends `text`, the printed `value`, as `{{ value }}` would: escaped
/// unless it is a safe string.
fn push_escaped(html: &mut String, value: &Value, text: &str) {
    if value.is_safe() {
        html.push_str(text);
    } else {
        let _ = write_escaped(html, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> TextFile {
        TextFile {
            path: path.to_string(),
            text: Arc::from(text),
        }
    }

    #[test]
    fn code_spans_become_code_and_everything_else_is_escaped() {
        assert_eq!(
            code_spans("its `reason`, or `()` <b>&"),
            "its <code>reason</code>, or <code>()</code> &lt;b&gt;&amp;"
        );
        assert_eq!(code_spans("`<script>`"), "<code>&lt;script&gt;</code>");
        // A double fence holds a backtick; its padding spaces go.
        assert_eq!(code_spans("``a ` b``"), "<code>a ` b</code>");
        assert_eq!(code_spans("`` `x` ``"), "<code>`x`</code>");
        // Unclosed and empty runs stay as written.
        assert_eq!(code_spans("it's ` open"), "it&#39;s ` open");
        assert_eq!(code_spans("``` no"), "``` no");
        assert_eq!(code_spans("a `` b"), "a `` b");
        assert_eq!(code_spans("no code"), "no code");
        assert_eq!(code_spans("é `ü`"), "é <code>ü</code>");
    }

    #[test]
    fn overrides_replace_builtins_and_escape() {
        let (theme, diags) = Theme::new(
            &[file("themes/default/templates/page.html", "<p>{{ page.title }}</p>")],
            "default",
            None,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let html = theme
            .render(
                "page.html",
                minijinja::context! { page => minijinja::context! { title => "<b>x</b>" } },
            )
            .unwrap();
        assert_eq!(html, "<p>&lt;b&gt;x&lt;/b&gt;</p>");
    }

    #[test]
    fn badge_and_date_filters_print_what_their_macros_print() {
        // The macros as they were before the filters: the filters must
        // give the same bytes, escaping included.
        let page = r#"{% macro badge(team, full=false) -%}
<a class="team-badge" href="{{ team.url }}" style="--team: {{ team.color }}; --ink: {{ team.ink }}" title="{{ team.title }}">{{ team.title if full else team.short }}</a>
{%- endmacro %}{% macro date(d) -%}
<time datetime="{{ d }}">{{ d | long_date }}</time>
{%- endmacro %}{{ badge(t) }}|{{ t | team_badge }}|{{ badge(t, true) }}|{{ t | team_badge(true) }}|{{ date(d) }}|{{ d | date_tag }}|{{ date(x) }}|{{ x | date_tag }}"#;
        let (theme, diags) = Theme::new(&[file("themes/default/templates/page.html", page)], "default", None);
        assert!(diags.is_empty(), "{diags:?}");
        let team = minijinja::context! {
            url => "/teams/r&d/", color => "#123456", ink => "#fff",
            title => "R&D <\"Labs\">", short => "R'D",
        };
        let html = theme
            .render(
                "page.html",
                minijinja::context! { t => team, d => "2026-03-12", x => "soon <b>" },
            )
            .unwrap();
        let parts: Vec<&str> = html.split('|').collect();
        assert_eq!(parts.len(), 8, "{html}");
        for pair in parts.chunks(2) {
            assert_eq!(pair[0], pair[1]);
        }
        assert!(
            parts[0].contains("title=\"R&amp;D &lt;&quot;Labs&quot;&gt;\">R&#39;D</a>"),
            "{}",
            parts[0]
        );
        assert_eq!(parts[4], r#"<time datetime="2026-03-12">12 March 2026</time>"#);

        // An undefined value is an error, as printing it is.
        let (theme, _) = Theme::new(
            &[file("themes/default/templates/page.html", "{{ nothing | date_tag }}")],
            "default",
            None,
        );
        let err = theme
            .render("page.html", minijinja::context! {})
            .expect_err("undefined");
        assert_eq!(err.path, "themes/default/templates/page.html");
        assert_eq!(err.line, 1);
        assert!(
            err.message.contains("`date_tag` was given an undefined value"),
            "{err:?}"
        );
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let (theme, diags) = Theme::new(
            &[file("themes/default/templates/page.html", "a\n{% if %}\n")],
            "default",
            None,
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].path, "themes/default/templates/page.html");
        assert_eq!(diags[0].line, 2);
        // The built-in template is kept: rendering page.html goes on to the
        // built-in base.html it extends (and stops there for want of `site`).
        let err = theme
            .render("page.html", minijinja::context! {})
            .expect_err("no context");
        assert_eq!(err.path, "themes/default/templates/base.html", "{err:?}");
    }

    #[test]
    fn render_errors_name_file_and_line() {
        let (theme, _) = Theme::new(
            &[file("themes/default/templates/page.html", "ok\n{{ nope.field }}\n")],
            "default",
            None,
        );
        let err = theme.render("page.html", minijinja::context! {}).unwrap_err();
        assert_eq!(err.path, "themes/default/templates/page.html");
        assert_eq!(err.line, 2);
    }
}
