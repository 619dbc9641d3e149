//! The typed model of a filter: the struct, its item type and each field's constraint.

use syn::{Ident, Type};

use super::attr::{self, FilterAttrs, Op};
use crate::ctxt::Errors;
use crate::krate::Krate;

pub(crate) struct Filter<'a> {
    pub(crate) input: &'a syn::DeriveInput,
    pub(crate) attrs: FilterAttrs,
    pub(crate) fields: Vec<Field<'a>>,
    /// The runtime's path in the generated code.
    pub(crate) krate: Krate,
}

pub(crate) struct Field<'a> {
    /// The filter's field.
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) op: Op,
    pub(crate) op_span: proc_macro2::Span,
    /// The item field it constrains, spanned where the user named it.
    pub(crate) target: Ident,
    /// The SQL column: `column = "..."`, else the item field's name.
    pub(crate) column: String,
}

impl<'a> Filter<'a> {
    pub(crate) fn from_ast(errors: &Errors, input: &'a syn::DeriveInput) -> Option<Self> {
        let syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) = &input.data
        else {
            errors.error_at(
                &input.ident,
                "`Filter` is derived on a struct with named `Option` fields, e.g. `struct TaskFilter { #[filter(eq)] status: Option<Status> }`",
            );
            return None;
        };
        let attrs = attr::filter_attrs(errors, &input.attrs);
        let fields = named
            .named
            .iter()
            .filter_map(|field| {
                let attrs = attr::field_attrs(errors, field)?;
                let ident = field.ident.as_ref()?;
                let target = match &attrs.field {
                    Some((_, target)) => target.clone(),
                    None => ident.clone(),
                };
                let column = match &attrs.column {
                    Some((_, lit)) => lit.value(),
                    None => target.to_string().trim_start_matches("r#").to_owned(),
                };
                Some(Field {
                    ident,
                    ty: &field.ty,
                    op: attrs.op.0,
                    op_span: attrs.op.1,
                    target,
                    column,
                })
            })
            .collect();
        let krate = Krate::new(attrs.krate.as_ref().map(|(_, path)| path));
        Some(Filter {
            input,
            attrs,
            fields,
            krate,
        })
    }
}

/// `T` of `Option<T>` (written `Option`, `std::option::Option` or `core::option::Option`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

/// `T` of `Vec<T>`.
pub(crate) fn vec_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Vec")
}

fn generic_arg<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// `(A, B)`'s two types.
pub(crate) fn pair(ty: &Type) -> Option<(&Type, &Type)> {
    match ty {
        Type::Tuple(tuple) if tuple.elems.len() == 2 => Some((&tuple.elems[0], &tuple.elems[1])),
        Type::Paren(inner) => pair(&inner.elem),
        _ => None,
    }
}
