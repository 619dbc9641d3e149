//! The chat's web page, compiled into the binary: `GET /` and its assets, and the
//! contract as an AsyncAPI document at `GET /asyncapi.json`.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;

const INDEX: &str = include_str!("../web/index.html");
const APP: &str = include_str!("../web/app.js");
const STYLE: &str = include_str!("../web/style.css");
/// The client generated from the contract (checked current by `tests/generated_client.rs`).
const CLIENT: &str = include_str!("../web/generated/chat.js");
/// The contract as AsyncAPI 3.0, generated and checked like the client.
const ASYNCAPI: &str = include_str!("../web/generated/chat.asyncapi.json");
/// socket.io-client's ES module build, the same file as the locked npm package's
/// (checked by `tests/vendored_client.rs`), so the page needs no bundler or npm.
const SOCKET_IO: &str = include_str!("../web/vendor/socket.io.esm.min.js");

/// Routes for the page; add the socket.io layer around them.
pub fn router() -> Router {
    let javascript = |body: &'static str| {
        get(move || async move { ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], body) })
    };
    Router::new()
        .route(
            "/",
            get(|| async { ([(CONTENT_TYPE, "text/html; charset=utf-8")], INDEX) }),
        )
        .route(
            "/style.css",
            get(|| async { ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }),
        )
        .route(
            "/asyncapi.json",
            get(|| async { ([(CONTENT_TYPE, "application/json")], ASYNCAPI) }),
        )
        .route("/app.js", javascript(APP))
        .route("/generated/chat.js", javascript(CLIENT))
        .route("/vendor/socket.io.esm.min.js", javascript(SOCKET_IO))
}
