//! End-to-end: the origin allow-list and connection caps (`access.mjs`).

use std::path::Path;

use eventwire::{Origins, Server};
use eventwire_tests::{Lab, LabApp, serve_ephemeral as serve};

#[tokio::test]
async fn foreign_origins_are_refused_on_every_transport() {
    let url = serve(
        Server::new()
            .contract::<Lab>(LabApp::default())
            .allowed_origins(Origins::list(["https://app.example"])),
    )
    .await;
    eventwire_tests::run_node_with(Path::new("access.mjs"), &[&url, "origins"]).await;
}

#[tokio::test]
async fn connection_caps_refuse_and_release() {
    let server = Server::new()
        .contract::<Lab>(LabApp::default())
        .max_connections(Some(2))
        .max_connections_per_ip(Some(1));
    let url = serve(server).await;
    eventwire_tests::run_node_with(Path::new("access.mjs"), &[&url, "caps"]).await;
}

#[tokio::test]
async fn the_global_connection_cap_refuses_and_releases() {
    let server = Server::new()
        .contract::<Lab>(LabApp::default())
        .max_connections(Some(2));
    let url = serve(server).await;
    eventwire_tests::run_node_with(Path::new("access.mjs"), &[&url, "global"]).await;
}
