//! End-to-end: JWT handshake auth (`jwt.mjs`) with tokens signed here.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn hs256(claims: serde_json::Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("signs")
}

#[tokio::test]
async fn jwt_handshake_auth() {
    let server = eventwire_tests::start().await;
    let secret = eventwire_tests::VAULT_SECRET;
    let good = |sub: &str, exp: u64| json!({ "sub": sub, "exp": exp, "aud": "eventwire-tests", "iss": "tests" });
    let private = EncodingKey::from_rsa_pem(include_bytes!("../keys/test-rsa-private.pem"))
        .expect("the test key");
    let tokens = json!({
        "valid": hs256(good("ada", now() + 3600), secret),
        "rs256": encode(&Header::new(Algorithm::RS256), &json!({ "sub": "rosa", "exp": now() + 3600 }), &private).expect("signs"),
        "expired": hs256(good("ada", now() - 3600), secret),
        "badSignature": hs256(good("ada", now() + 3600), b"another secret"),
        "wrongAudience": hs256(json!({ "sub": "ada", "exp": now() + 3600, "aud": "elsewhere", "iss": "tests" }), secret),
        "wrongIssuer": hs256(json!({ "sub": "ada", "exp": now() + 3600, "aud": "eventwire-tests", "iss": "mallory" }), secret),
        "noExpiry": hs256(json!({ "sub": "ada", "aud": "eventwire-tests", "iss": "tests" }), secret),
        "garbage": "not.a.token",
        "expiresSoon": hs256(good("brief", now() + 5), secret),
    });
    eventwire_tests::run_node_with(
        std::path::Path::new("jwt.mjs"),
        &[&server.url, &tokens.to_string()],
    )
    .await;
}
