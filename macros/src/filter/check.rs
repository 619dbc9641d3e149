//! Rules of a filter: field shapes per operator, unknown fields refused, an item named.

use quote::ToTokens;

use super::ast::{Filter, option_inner, pair, vec_inner};
use super::attr::Op;
use crate::ctxt::Errors;

pub(crate) fn check(errors: &Errors, filter: &Filter<'_>) {
    let input = filter.input;
    if !input.generics.params.is_empty() {
        errors.error_at(
            &input.generics,
            "a filter cannot be generic: it constrains one item type",
        );
    }
    if filter.attrs.item.is_none() {
        errors.error_at(
            &input.ident,
            "name the items this filter selects: add `#[filter(item = MyItem)]` to the struct",
        );
    }
    if !denies_unknown_fields(input) {
        errors.error_at(
            &input.ident,
            "a filter must refuse unknown fields, or a misspelled constraint would silently widen the subscription: add `#[serde(deny_unknown_fields)]`",
        );
    }
    for field in &filter.fields {
        let name = field.ident;
        let Some(inner) = option_inner(field.ty) else {
            errors.error_at(
                field.ty,
                format_args!(
                    "filter fields are optional (a client leaves out what it does not constrain): write `{name}: Option<{}>`",
                    field.ty.to_token_stream()
                ),
            );
            continue;
        };
        match field.op {
            Op::In if vec_inner(inner).is_none() => errors.error_at(
                inner,
                format_args!("`in` takes a list of values: write `{name}: Option<Vec<{}>>`", inner.to_token_stream()),
            ),
            Op::Between if pair(inner).is_none() => errors.error_at(
                inner,
                format_args!(
                    "`between` takes the low and the high bound (both included): write `{name}: Option<({0}, {0})>`",
                    inner.to_token_stream()
                ),
            ),
            Op::Contains if !is_string(inner) => errors.error_at(
                inner,
                format_args!("`contains` searches text: write `{name}: Option<String>` (and point it at a `String` field of the item)"),
            ),
            _ => {}
        }
    }
}

/// Whether serde reads `#[serde(deny_unknown_fields)]` on the struct. Attributes serde
/// cannot read are serde's to report, so they raise nothing here.
fn denies_unknown_fields(input: &syn::DeriveInput) -> bool {
    crate::serde_ast::read(input).is_none_or(|container| container.attrs.deny_unknown_fields())
}

/// Whether `ty` is written `String` (or a path ending in it).
fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}
