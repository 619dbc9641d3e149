//! `#[payload]`'s check for integers JavaScript cannot hold: a field typed `u64`, `i64`,
//! `usize`, `isize`, `u128` or `i128` without bounds inside ±(2^53 − 1) is refused where the
//! user wrote it, rather than first by the TypeScript generator (which still checks what a
//! type alias hides from this syntactic check).

use serde_derive_internals::ast;
use syn::{Expr, GenericArgument, PathArguments, Type};

use crate::ctxt::Errors;
use crate::validate::attr::{RuleKind, field_rules};

/// 2^53 − 1, the largest integer a JavaScript `number` holds exactly.
const MAX_SAFE: i128 = 9_007_199_254_740_991;

const WIDE: &[&str] = &["u64", "i64", "usize", "isize", "u128", "i128"];

/// Reports every field of `input` whose type holds an unbounded wide integer. The fields
/// and the attributes that change their wire form are read as serde reads them.
pub(crate) fn check(errors: &Errors, input: &syn::DeriveInput) {
    // serde reports attributes it cannot read.
    let Some(container) = crate::serde_ast::read(input) else {
        return;
    };
    // `#[serde(from/try_from/into = "...")]` puts another type on the wire.
    let attrs = &container.attrs;
    if attrs.type_from().is_some() || attrs.type_try_from().is_some() || attrs.type_into().is_some()
    {
        return;
    }
    let fields: Vec<&ast::Field<'_>> = match &container.data {
        ast::Data::Struct(_, fields) => fields.iter().collect(),
        ast::Data::Enum(variants) => variants
            .iter()
            .filter(|v| v.attrs.serialize_with().is_none() && v.attrs.deserialize_with().is_none())
            .flat_map(|v| v.fields.iter())
            .collect(),
    };
    for field in fields {
        if has_wire_override(field) {
            continue;
        }
        let field = field.original;
        let Some((wide, nested)) = find_wide(&field.ty, false) else {
            continue;
        };
        if !nested && bounded(&field.attrs, wide.starts_with('u')) {
            continue;
        }
        let string = if wide.starts_with('u') { "U64" } else { "I64" };
        let bound = if nested {
            String::new()
        } else if wide.starts_with('u') {
            ", or bound it with `#[validate(range(max = 9007199254740991))]`".to_owned()
        } else {
            ", or bound it with `#[validate(range(min = -9007199254740991, max = 9007199254740991))]`"
                .to_owned()
        };
        errors.error_at(
            &field.ty,
            format_args!(
                "`{wide}` can exceed 2^53 - 1, which a JavaScript number cannot hold exactly; \
                 use a 32-bit type, send it as a decimal string with `eventwire::wire::{string}`{bound}"
            ),
        );
    }
}

/// The first wide integer in `ty`, and whether it sits inside another type (`Vec<u64>`),
/// where a field's `range` rule does not reach it. `Option<u64>` counts as the field itself.
fn find_wide(ty: &Type, nested: bool) -> Option<(String, bool)> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            let name = last.ident.to_string();
            if path.path.segments.len() == 1 && WIDE.contains(&name.as_str()) {
                return Some((name, nested));
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            let inner_nested = nested || name != "Option";
            args.args.iter().find_map(|arg| match arg {
                GenericArgument::Type(ty) => find_wide(ty, inner_nested),
                _ => None,
            })
        }
        Type::Array(array) => find_wide(&array.elem, true),
        Type::Slice(slice) => find_wide(&slice.elem, true),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(|ty| find_wide(ty, true)),
        Type::Paren(inner) => find_wide(&inner.elem, nested),
        Type::Group(inner) => find_wide(&inner.elem, nested),
        Type::Reference(reference) => find_wide(&reference.elem, nested),
        _ => None,
    }
}

/// Whether the field's `range` keeps it inside ±(2^53 − 1). A bound that is not a literal
/// (a constant's name) cannot be read here; it is trusted, and the generator checks it.
fn bounded(attrs: &[syn::Attribute], unsigned: bool) -> bool {
    // Malformed rules are the `Validate` derive's to report.
    let quiet = Errors::new();
    let rules = field_rules(&quiet, attrs);
    let _ = quiet.finish();
    rules.iter().any(|rule| match &rule.kind {
        RuleKind::Range { min, max } => {
            let max_ok = max
                .as_ref()
                .is_some_and(|max| value(max).is_none_or(|v| v <= MAX_SAFE));
            let min_ok = match min {
                Some(min) => value(min).is_none_or(|v| v >= -MAX_SAFE),
                None => unsigned,
            };
            max_ok && min_ok
        }
        _ => false,
    })
}

/// An integer literal's value (`9_007_199_254_740_991u64`, `-5`); `None` for anything else.
fn value(expr: &Expr) -> Option<i128> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse::<i128>().ok(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => value(expr).map(|v| -v),
        Expr::Paren(inner) => value(&inner.expr),
        Expr::Group(inner) => value(&inner.expr),
        _ => None,
    }
}

/// `#[serde(with)]`, `#[serde(skip)]` and `#[schemars(with)]` change or remove the wire form,
/// so the Rust type says nothing about what JavaScript receives.
fn has_wire_override(field: &ast::Field<'_>) -> bool {
    let attrs = &field.attrs;
    attrs.serialize_with().is_some()
        || attrs.deserialize_with().is_some()
        || (attrs.skip_serializing() && attrs.skip_deserializing())
        || crate::payload::has_schema_override(&field.original.attrs)
}
