//! The `#[validate(...)]` vocabulary, parsed once into typed rules.
//!
//! The keywords are the `validator` crate's, which schemars also reads into JSON Schema, so
//! one attribute drives the Rust check, the schema and the TypeScript JSDoc.

use syn::spanned::Spanned;
use syn::{Expr, LitStr, Path};

use crate::ctxt::Errors;
use crate::krate::{CratePath, Krate};

/// The rules accepted on a field, listed in error messages.
const FIELD_RULES: &str = "length, range, email, url, regex, contains, required, nested, custom";

/// One constraint on a field, with the span of its keyword for error messages.
pub(crate) struct Rule {
    pub(crate) span: proc_macro2::Span,
    pub(crate) kind: RuleKind,
}

pub(crate) enum RuleKind {
    Length {
        min: Option<Expr>,
        max: Option<Expr>,
        equal: Option<Expr>,
    },
    Range {
        min: Option<Expr>,
        max: Option<Expr>,
    },
    Email,
    Url,
    Regex {
        path: Expr,
    },
    Contains {
        pattern: LitStr,
    },
    Required,
    Nested,
    Custom {
        function: Path,
    },
}

/// Parses every `#[validate(...)]` on a field. Problems go to `errors`; what parsed is kept.
pub(crate) fn field_rules(errors: &Errors, attrs: &[syn::Attribute]) -> Vec<Rule> {
    let mut rules = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let kind = match key.as_str() {
                "length" => {
                    let [min, max, equal] = bounds(&meta, ["min", "max", "equal"])?;
                    if min.is_none() && max.is_none() && equal.is_none() {
                        return Err(meta.error("`length` needs `min`, `max` or `equal`, e.g. `length(min = 1, max = 32)`"));
                    }
                    RuleKind::Length { min, max, equal }
                }
                "range" => {
                    // No `exclusive_min`/`exclusive_max`: schemars cannot carry them into the
                    // schema, and a bound that reaches only one side would break the contract.
                    let [min, max] = bounds(&meta, ["min", "max"])?;
                    if min.is_none() && max.is_none() {
                        return Err(meta.error("`range` needs `min` or `max`, e.g. `range(min = 1, max = 100)`"));
                    }
                    RuleKind::Range { min, max }
                }
                "email" => RuleKind::Email,
                "url" => RuleKind::Url,
                "required" => RuleKind::Required,
                "nested" => RuleKind::Nested,
                "regex" => {
                    let mut path = None;
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("path") {
                            path = Some(expr_or_string(&inner)?);
                            Ok(())
                        } else {
                            Err(inner.error("unknown key in `regex`; write `regex(path = *MY_REGEX)` naming a `LazyLock<Regex>`"))
                        }
                    })?;
                    let path = path.ok_or_else(|| meta.error("`regex` needs `path`, e.g. `regex(path = *ROOM_NAME)`"))?;
                    RuleKind::Regex { path }
                }
                "contains" => {
                    let mut pattern = None;
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("pattern") {
                            pattern = Some(inner.value()?.parse::<LitStr>()?);
                            Ok(())
                        } else {
                            Err(inner.error("unknown key in `contains`; write `contains(pattern = \"text\")`"))
                        }
                    })?;
                    let pattern = pattern.ok_or_else(|| meta.error("`contains` needs `pattern`, e.g. `contains(pattern = \"@\")`"))?;
                    RuleKind::Contains { pattern }
                }
                "custom" => RuleKind::Custom { function: custom_function(&meta)? },
                _ => {
                    // Keys only schemars reads (e.g. `message`, `code`) would be silently
                    // ignored by the Rust check, so they are refused rather than half-applied.
                    return Err(meta.error(format_args!(
                        "unknown validation rule `{key}`; eventwire supports: {FIELD_RULES}"
                    )));
                }
            };
            rules.push(Rule { span, kind });
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    rules
}

/// Parses a container-level `#[validate(custom(function = path))]`, a check of the whole
/// value; `crate = "path"` is read by [`container_crate`].
pub(crate) fn container_rules(errors: &Errors, attrs: &[syn::Attribute]) -> Vec<Path> {
    let mut functions = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("custom") {
                functions.push(custom_function(&meta)?);
                Ok(())
            } else if meta.path.is_ident("crate") {
                meta.value()?.parse::<CratePath>()?;
                Ok(())
            } else {
                Err(meta.error("on a type, `#[validate(...)]` accepts `custom(function = path)` and `crate = \"path\"`; put field rules on the fields"))
            }
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    functions
}

/// The runtime's path: `#[validate(crate = "path")]` on the type, else `::eventwire`. A
/// malformed one is reported by [`container_rules`].
pub(crate) fn container_crate(attrs: &[syn::Attribute]) -> Krate {
    let mut given = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                given = Some(meta.value()?.parse::<CratePath>()?);
            } else if meta.input.peek(syn::token::Paren) {
                // Skip another key's list (`custom(...)`).
                meta.input.parse::<proc_macro2::TokenTree>()?;
            }
            Ok(())
        });
    }
    Krate::new(given.as_ref())
}

fn custom_function(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Path> {
    let mut function = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("function") {
            let value = expr_or_string(&inner)?;
            function = Some(match value {
                Expr::Path(p) => p.path,
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "`function` must name a function, e.g. `custom(function = check_room)`",
                    ));
                }
            });
            Ok(())
        } else {
            Err(inner.error("unknown key in `custom`; write `custom(function = my_check)`"))
        }
    })?;
    function.ok_or_else(|| {
        meta.error("`custom` needs `function`, e.g. `custom(function = check_room)`")
    })
}

/// Reads `key = expr` pairs from a rule like `length(min = 1, max = 32)`.
fn bounds<const N: usize>(
    meta: &syn::meta::ParseNestedMeta<'_>,
    keys: [&str; N],
) -> syn::Result<[Option<Expr>; N]> {
    let mut values: [Option<Expr>; N] = std::array::from_fn(|_| None);
    meta.parse_nested_meta(|inner| {
        let Some(index) = keys.iter().position(|k| inner.path.is_ident(k)) else {
            return Err(inner.error(format_args!(
                "unknown key; expected one of: {}",
                keys.join(", ")
            )));
        };
        if values[index].is_some() {
            return Err(inner.error(format_args!("`{}` is given twice", keys[index])));
        }
        values[index] = Some(expr_or_string(&inner)?);
        Ok(())
    })?;
    Ok(values)
}

/// Accepts `key = expr` and, as `validator` does, `key = "expr"`.
fn expr_or_string(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Expr> {
    let expr: Expr = meta.value()?.parse()?;
    match &expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.parse(),
        _ => Ok(expr),
    }
}
