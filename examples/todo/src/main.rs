use eventwire::Server;
use todo::{App, TodoApi};

#[tokio::main]
async fn main() -> Result<(), eventwire::ServeError> {
    println!("serving on http://127.0.0.1:3000");
    Server::new()
        .contract::<TodoApi>(App::default())
        .serve("127.0.0.1:3000")
        .await
}
