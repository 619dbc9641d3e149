//! What `#[feed]` variants add to `#[derive(Contract)]`'s output: handler methods, the
//! subscribe and unsubscribe dispatch, the name constructors and the descriptions.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Contract, Feed};
use crate::krate::Krate;

fn error_type(krate: &Krate, feed: &Feed<'_>) -> TokenStream {
    match &feed.error {
        Some(error) => quote!(#error),
        None => quote!(#krate::feed::NoError),
    }
}

/// The handler trait's `subscribe_<feed>` (and `check_<feed>`) methods.
pub(crate) fn trait_methods(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let subscribe = feed.subscribe_name();
            let (item, filter) = (&feed.item, &feed.filter);
            let error = error_type(krate, feed);
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
                    fn #check(&self, cx: &#krate::Cx<#ident>, item: &#item) -> bool;
                }
            });
            quote_spanned! {feed.variant.span()=>
                #[doc = #doc]
                fn #subscribe(
                    &self,
                    cx: &#krate::Cx<#ident>,
                    filter: &mut #filter,
                ) -> impl ::core::future::Future<Output = ::core::result::Result<::std::vec::Vec<#item>, #krate::feed::Refused<#error>>> + ::core::marker::Send;

                #check
            }
        })
        .collect()
}

/// The events of the feed exchange, which the dispatch numbers after the client events: the
/// runtime's own names, so the arms below match what the runtime sends and documents.
pub(crate) fn event_names(contract: &Contract<'_>) -> Vec<TokenStream> {
    if contract.feeds.is_empty() {
        return Vec::new();
    }
    exchange_events(&contract.krate).into()
}

/// The runtime's constants naming the subscribe and unsubscribe events.
fn exchange_events(krate: &Krate) -> [TokenStream; 2] {
    [
        quote!(#krate::feed::SUBSCRIBE_EVENT),
        quote!(#krate::feed::UNSUBSCRIBE_EVENT),
    ]
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
    let krate = &contract.krate;
    let (subscribe_index, unsubscribe_index) = (first, first + 1);
    let private = quote!(#krate::__private);
    let [subscribe_event, unsubscribe_event] = exchange_events(krate);
    let feeds = contract.feeds.iter().map(|feed| {
        let name = &feed.name;
        let constructor = feed.method_name();
        let subscribe = feed.subscribe_name();
        let check = if feed.check {
            let check = feed.check_name();
            quote!(#private::feed::check(__handlers.clone(), __cx.clone(), <__H as #trait_ident>::#check))
        } else {
            quote!(::core::option::Option::None)
        };
        quote! {
            #name => {
                let mut __pending = match #private::feed::Pending::start(__cx, __request, Self::#constructor()) {
                    ::core::result::Result::Ok(__pending) => __pending,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                let __reply = __reply.handling();
                let __result = <__H as #trait_ident>::#subscribe(__handlers, __cx, __pending.filter()).await;
                __reply.finished(__pending.finish(__result, #check).await)
            }
        }
    });
    quote! {
        #subscribe_event => {
            let __reply = __reply.event(#subscribe_index);
            let __request = match #private::feed::SubscribeRequest::decode(&mut __incoming) {
                ::core::result::Result::Ok(__request) => __request,
                ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
            };
            let __feed = ::std::string::ToString::to_string(__request.feed());
            match __feed.as_str() {
                #(#feeds)*
                __other => __reply.fault(#private::feed::unknown_feed(__other)),
            }
        }
        #unsubscribe_event => {
            let __reply = __reply.event(#unsubscribe_index);
            match #private::feed::unsubscribe(__cx, &mut __incoming) {
                ::core::result::Result::Ok(()) => __reply.none(()),
                ::core::result::Result::Err(__fault) => __reply.fault(__fault),
            }
        }
    }
}

/// Frees the socket's subscriptions when it disconnects.
pub(crate) fn release(contract: &Contract<'_>) -> TokenStream {
    if contract.feeds.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    quote!(#krate::__private::feed::release(&__cx);)
}

/// `Board::tasks()`: the typed name of each feed, for publishing.
pub(crate) fn constructors(contract: &Contract<'_>) -> TokenStream {
    let vis = &contract.input.vis;
    let krate = &contract.krate;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let method = feed.method_name();
            let (name, item, filter, key) = (&feed.name, &feed.item, &feed.filter, &feed.key);
            let mode = if feed.notify {
                quote!(#krate::feed::Mode::Notify)
            } else {
                quote!(#krate::feed::Mode::Data)
            };
            let header = format!(
                "The `{name}` feed, to publish to: `cx.feed(Self::{method}()).created(item)`."
            );
            let docs = feed.variant.attrs.iter().filter(|a| a.path().is_ident("doc"));
            // Spanned at the key the user wrote: a key that is not a field of the item is
            // reported there, with rustc's list of the item's fields.
            let key_access = quote_spanned!(key.span()=> &__item.#key);
            quote! {
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                #vis fn #method() -> #krate::FeedRef<Self, #item, #filter> {
                    #krate::FeedRef::new(#name, #mode, |__item: &#item| #krate::__private::feed::key_json(#key_access))
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
    let krate = &contract.krate;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let (name, item, filter, key) = (&feed.name, &feed.item, &feed.filter, &feed.key);
            let variant = feed.variant.ident.to_string();
            let docs = docs(&feed.variant.attrs);
            let notify = feed.notify;
            let error = match &feed.error {
                Some(error) => quote!(::core::option::Option::Some(__describer.outgoing::<#error>())),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                #krate::describe::FeedDescription {
                    name: #name,
                    variant: #variant,
                    docs: #docs,
                    notify: #notify,
                    item: __describer.outgoing::<#item>(),
                    key: #krate::__private::feed::key_schema(__describer, |__item: &#item| &__item.#key),
                    filter: __describer.incoming::<#filter>(),
                    error: #error,
                }
            }
        })
        .collect()
}

/// Bound checks at the user's types: the item is sent, the filter filters the item.
pub(crate) fn assertions(contract: &Contract<'_>) -> TokenStream {
    let krate = &contract.krate;
    contract
        .feeds
        .iter()
        .map(|feed| {
            let (item, filter) = (&feed.item, &feed.filter);
            let error = feed.error.as_ref().map(|error| {
                quote_spanned! {error.span()=>
                    const _: fn() = || { #krate::__private::assert_outgoing_payload::<#error>(); };
                }
            });
            let item_check = quote_spanned! {item.span()=>
                const _: fn() = || { #krate::__private::assert_outgoing_payload::<#item>(); };
            };
            let filter_check = quote_spanned! {filter.span()=>
                const _: fn() = || { #krate::__private::feed::assert_filter::<#filter, #item>(); };
            };
            quote!(#item_check #filter_check #error)
        })
        .collect()
}
