//! The attributes of `#[derive(Filter)]`, parsed once into typed values that keep their
//! tokens so errors can point at them.

use syn::{LitStr, Type};

use crate::ctxt::Errors;
use crate::keys::{each_key, key_value, unknown_key};
use crate::krate::CratePath;

pub(crate) mod kw {
    syn::custom_keyword!(item);
    syn::custom_keyword!(custom);
    syn::custom_keyword!(field);
    syn::custom_keyword!(column);
    syn::custom_keyword!(eq);
    syn::custom_keyword!(ne);
    syn::custom_keyword!(gt);
    syn::custom_keyword!(gte);
    syn::custom_keyword!(lt);
    syn::custom_keyword!(lte);
    syn::custom_keyword!(between);
    syn::custom_keyword!(contains);
}

/// `#[filter(item = Task, custom = path::to::predicate)]` on the struct.
#[derive(Default)]
pub(crate) struct FilterAttrs {
    pub(crate) item: Option<(kw::item, Type)>,
    pub(crate) custom: Option<(kw::custom, syn::Path)>,
    /// `crate = "path"`: the runtime's path for a user who renamed the dependency.
    pub(crate) krate: Option<(syn::Token![crate], CratePath)>,
}

/// A filter operator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Between,
    Contains,
}

impl Op {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::Between => "between",
            Op::Contains => "contains",
        }
    }
}

/// `#[filter(gte, field = priority, column = "prio")]` on a field.
pub(crate) struct FieldAttrs {
    pub(crate) op: (Op, proc_macro2::Span),
    pub(crate) field: Option<(kw::field, syn::Ident)>,
    pub(crate) column: Option<(kw::column, LitStr)>,
}

const FILTER_KEYS: &str = "`item = Type`, `custom = path::to::function`, `crate = \"path\"`";
const FIELD_KEYS: &str = "an operator (`eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`, `between`, `contains`), `field = item_field`, `column = \"sql_column\"`";

pub(crate) fn filter_attrs(errors: &Errors, attrs: &[syn::Attribute]) -> FilterAttrs {
    let mut out = FilterAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("filter")) {
        each_key(errors, attr, |input, lookahead| {
            if lookahead.peek(kw::item) {
                key_value(input, errors, &mut out.item, "item")?;
            } else if lookahead.peek(kw::custom) {
                key_value(input, errors, &mut out.custom, "custom")?;
            } else if lookahead.peek(syn::Token![crate]) {
                key_value(input, errors, &mut out.krate, "crate")?;
            } else {
                return Err(unknown_key(input, "#[filter(...)]", FILTER_KEYS));
            }
            Ok(())
        });
    }
    out
}

/// Reads `#[filter(...)]` on a field; `None` (reported) when absent or without operator.
pub(crate) fn field_attrs(errors: &Errors, field: &syn::Field) -> Option<FieldAttrs> {
    let mut op: Option<(Op, proc_macro2::Span)> = None;
    let mut target = None;
    let mut column = None;
    let mut seen = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("filter")) {
        seen = true;
        each_key(errors, attr, |input, lookahead| {
            let found = if lookahead.peek(kw::field) {
                key_value(input, errors, &mut target, "field")?;
                None
            } else if lookahead.peek(kw::column) {
                key_value(input, errors, &mut column, "column")?;
                None
            } else if lookahead.peek(syn::Token![in]) {
                Some((Op::In, input.parse::<syn::Token![in]>()?.span))
            } else if lookahead.peek(kw::eq) {
                Some((Op::Eq, input.parse::<kw::eq>()?.span))
            } else if lookahead.peek(kw::ne) {
                Some((Op::Ne, input.parse::<kw::ne>()?.span))
            } else if lookahead.peek(kw::gte) {
                Some((Op::Gte, input.parse::<kw::gte>()?.span))
            } else if lookahead.peek(kw::gt) {
                Some((Op::Gt, input.parse::<kw::gt>()?.span))
            } else if lookahead.peek(kw::lte) {
                Some((Op::Lte, input.parse::<kw::lte>()?.span))
            } else if lookahead.peek(kw::lt) {
                Some((Op::Lt, input.parse::<kw::lt>()?.span))
            } else if lookahead.peek(kw::between) {
                Some((Op::Between, input.parse::<kw::between>()?.span))
            } else if lookahead.peek(kw::contains) {
                Some((Op::Contains, input.parse::<kw::contains>()?.span))
            } else {
                return Err(unknown_key(input, "#[filter(...)]", FIELD_KEYS));
            };
            if let Some((new, span)) = found {
                if let Some((old, _)) = op {
                    errors.push(syn::Error::new(
                        span,
                        format_args!("a filter field has one operator, and this one has `{}` already; declare another field for `{}`", old.name(), new.name()),
                    ));
                } else {
                    op = Some((new, span));
                }
            }
            Ok(())
        });
    }
    let name = field
        .ident
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    match op {
        Some(op) => Some(FieldAttrs {
            op,
            field: target,
            column,
        }),
        None => {
            let message = if seen {
                format!(
                    "say how `{name}` constrains the item: add an operator, e.g. `#[filter(eq)]` or `#[filter(gte, field = priority)]`"
                )
            } else {
                format!(
                    "every filter field constrains an item field: add `#[filter(eq)]` (or another operator: ne, gt, gte, lt, lte, in, between, contains) to `{name}`"
                )
            };
            match &field.ident {
                Some(ident) => errors.error_at(ident, message),
                None => errors.error_at(&field.ty, message),
            }
            None
        }
    }
}
