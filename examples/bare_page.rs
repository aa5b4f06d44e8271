//! The practical ceiling for the benchmark: a bare actix-web handler answering a fixed page of
//! the given size, with nothing else (no database, no middleware).
//!
//! usage: cargo run --release --example bare_page -- PORT BYTES
use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(18090);
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(4096);
    let page = web::Bytes::from("x".repeat(size));
    HttpServer::new(move || {
        let page = page.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let page = page.clone();
                async move { HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page) }
            }),
        )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
