//! What `#[feed]` variants add to `#[derive(Contract)]`'s output: handler methods, the
//! subscribe and unsubscribe dispatch, the name constructors and the descriptions.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Contract, Feed};

fn error_type(feed: &Feed<'_>) -> TokenStream {
    match &feed.error {
        Some(error) => quote!(#error),
        None => quote!(::eventwire::feed::NoError),
    }
}

/// The handler trait's `subscribe_<feed>` (and `check_<feed>`) methods.
pub(crate) fn trait_methods(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let subscribe = feed.subscribe_name();
            let (item, filter) = (&feed.item, &feed.filter);
            let error = error_type(feed);
            let name = &feed.name;
            let doc = format!(
                "Authorizes a subscription to the `{name}` feed and returns its snapshot: the items \
                 the filter selects now{}. The filter is the client's, validated; set or overwrite \
                 its fields to force what the client may see (e.g. its workspace, from \
                 `cx.identity()`). Refuse with `Err(Forbidden::new(..).into())` (a `forbidden` \
                 fault) or `Err(Refused::App(error))`. Changes published while it runs are not \
                 lost: they follow the snapshot.",
                if feed.notify { " (a notify feed may return none: only keys are sent)" } else { "" }
            );
            let check = feed.check.then(|| {
                let check = feed.check_name();
                let doc = format!(
                    "Whether this subscriber may see `item`, asked before every push of the `{name}` \
                     feed; an item it may no longer see is sent as removed."
                );
                quote! {
                    #[doc = #doc]
                    fn #check(&self, cx: &::eventwire::Cx<#ident>, item: &#item) -> bool;
                }
            });
            quote_spanned! {feed.variant.span()=>
                #[doc = #doc]
                fn #subscribe(
                    &self,
                    cx: &::eventwire::Cx<#ident>,
                    filter: &mut #filter,
                ) -> impl ::core::future::Future<Output = ::core::result::Result<::std::vec::Vec<#item>, ::eventwire::feed::Refused<#error>>> + ::core::marker::Send;

                #check
            }
        })
        .collect()
}

/// The events of the feed exchange, which the dispatch numbers after the client events.
pub(crate) fn event_names(contract: &Contract<'_>) -> impl Iterator<Item = String> {
    let names = ["eventwire:subscribe", "eventwire:unsubscribe"];
    let feeds = !contract.feeds.is_empty();
    names.into_iter().filter(move |_| feeds).map(str::to_owned)
}

/// The arms of the generated dispatch for the feed events; `first` is the number of the
/// first in `CLIENT_EVENTS` (see [`event_names`]).
pub(crate) fn dispatch_arms(
    contract: &Contract<'_>,
    trait_ident: &syn::Ident,
    first: usize,
) -> TokenStream {
    if contract.feeds.is_empty() {
        return TokenStream::new();
    }
    let (subscribe_index, unsubscribe_index) = (first, first + 1);
    let private = quote!(::eventwire::__private);
    let feeds = contract.feeds.iter().map(|feed| {
        let name = &feed.name;
        let constructor = feed.method_name();
        let subscribe = feed.subscribe_name();
        let check = if feed.check {
            let check = feed.check_name();
            quote!(#private::feed::check(handlers.clone(), cx.clone(), <__H as #trait_ident>::#check))
        } else {
            quote!(::core::option::Option::None)
        };
        quote! {
            #name => {
                let mut pending = match #private::feed::Pending::start(cx, request, Self::#constructor()) {
                    ::core::result::Result::Ok(pending) => pending,
                    ::core::result::Result::Err(fault) => return reply.fault(fault),
                };
                let reply = reply.handling();
                let result = <__H as #trait_ident>::#subscribe(handlers, cx, pending.filter()).await;
                reply.finished(pending.finish(result, #check).await)
            }
        }
    });
    quote! {
        "eventwire:subscribe" => {
            let reply = reply.event(#subscribe_index);
            let request = match #private::feed::SubscribeRequest::decode(&mut incoming) {
                ::core::result::Result::Ok(request) => request,
                ::core::result::Result::Err(fault) => return reply.fault(fault),
            };
            let feed = ::std::string::ToString::to_string(request.feed());
            match feed.as_str() {
                #(#feeds)*
                other => reply.fault(#private::feed::unknown_feed(other)),
            }
        }
        "eventwire:unsubscribe" => {
            let reply = reply.event(#unsubscribe_index);
            match #private::feed::unsubscribe(cx, &mut incoming) {
                ::core::result::Result::Ok(()) => reply.none(()),
                ::core::result::Result::Err(fault) => reply.fault(fault),
            }
        }
    }
}

/// Frees the socket's subscriptions when it disconnects.
pub(crate) fn release(contract: &Contract<'_>) -> TokenStream {
    if contract.feeds.is_empty() {
        return TokenStream::new();
    }
    quote!(::eventwire::__private::feed::release(&cx);)
}

/// `Board::tasks()`: the typed name of each feed, for publishing.
pub(crate) fn constructors(contract: &Contract<'_>) -> TokenStream {
    let vis = &contract.input.vis;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let method = feed.method_name();
            let (name, item, filter, key) = (&feed.name, &feed.item, &feed.filter, &feed.key);
            let mode = if feed.notify {
                quote!(::eventwire::feed::Mode::Notify)
            } else {
                quote!(::eventwire::feed::Mode::Data)
            };
            let header = format!(
                "The `{name}` feed, to publish to: `cx.feed(Self::{method}()).created(item)`."
            );
            let docs = feed.variant.attrs.iter().filter(|a| a.path().is_ident("doc"));
            // Spanned at the key the user wrote: a key that is not a field of the item is
            // reported there, with rustc's list of the item's fields.
            let key_access = quote_spanned!(key.span()=> &item.#key);
            quote! {
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                #vis fn #method() -> ::eventwire::FeedRef<Self, #item, #filter> {
                    ::eventwire::FeedRef::new(#name, #mode, |item: &#item| ::eventwire::__private::feed::key_json(#key_access))
                }
            }
        })
        .collect()
}

/// The feeds' descriptions, for code generation.
pub(crate) fn descriptions(
    contract: &Contract<'_>,
    docs: impl Fn(&[syn::Attribute]) -> String,
) -> Vec<TokenStream> {
    contract
        .feeds
        .iter()
        .map(|feed| {
            let (name, item, filter, key) = (&feed.name, &feed.item, &feed.filter, &feed.key);
            let variant = feed.variant.ident.to_string();
            let docs = docs(&feed.variant.attrs);
            let notify = feed.notify;
            let error = match &feed.error {
                Some(error) => quote!(::core::option::Option::Some(describer.outgoing::<#error>())),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::eventwire::describe::FeedDescription {
                    name: #name,
                    variant: #variant,
                    docs: #docs,
                    notify: #notify,
                    item: describer.outgoing::<#item>(),
                    key: ::eventwire::__private::feed::key_schema(describer, |item: &#item| &item.#key),
                    filter: describer.incoming::<#filter>(),
                    error: #error,
                }
            }
        })
        .collect()
}

/// Bound checks at the user's types: the item is sent, the filter filters the item.
pub(crate) fn assertions(contract: &Contract<'_>) -> TokenStream {
    contract
        .feeds
        .iter()
        .map(|feed| {
            let (item, filter) = (&feed.item, &feed.filter);
            let error = feed.error.as_ref().map(|error| {
                quote_spanned! {error.span()=>
                    const _: fn() = || { ::eventwire::__private::assert_outgoing_payload::<#error>(); };
                }
            });
            let item_check = quote_spanned! {item.span()=>
                const _: fn() = || { ::eventwire::__private::assert_outgoing_payload::<#item>(); };
            };
            let filter_check = quote_spanned! {filter.span()=>
                const _: fn() = || { ::eventwire::__private::feed::assert_filter::<#filter, #item>(); };
            };
            quote!(#item_check #filter_check #error)
        })
        .collect()
}
