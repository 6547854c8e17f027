//! The OpenAPI document is generated from the routing code and covers every API route.

use carekeep_testkit::TestApp;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

#[tokio::test]
async fn the_document_parses_and_every_operation_reaches_a_handler() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            operations += 1;
            let concrete = path.replace("{id}", "999999");
            let res = app
                .client()
                .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            // Unauthenticated or invalid is fine; "no such route" or "method not allowed" is not.
            let body = res.text().await.unwrap_or_default();
            assert!(
                !body.contains("page not found"),
                "{method} {path} is documented but not routed"
            );
        }
        for method in METHODS.iter().filter(|m| item.get(**m).is_none()) {
            let res = app
                .client()
                .request(
                    method.to_uppercase().parse().unwrap(),
                    app.url(&path.replace("{id}", "1")),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 405, "{method} {path} is routed but not documented");
        }
    }
    assert!(paths.contains_key("/api/v1/auth/login"));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // The other direction: every handler the API module registers is documented. Routes are
    // added only through `routes!(...)` (which reads each handler's #[utoipa::path]); count
    // the annotations in the source and compare.
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../carekeep-server/src/api");
    let mut annotated = 0;
    let mut raw_routes = 0;
    for entry in std::fs::read_dir(src).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        annotated += text.matches("#[utoipa::path(").count();
        raw_routes += text.matches(".route(").count();
    }
    assert_eq!(
        annotated, operations,
        "each #[utoipa::path] handler is one documented operation"
    );
    assert_eq!(
        raw_routes, 1,
        "only /api/v1/openapi.json is routed outside routes!(...)"
    );
    let pages = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../carekeep-server/src/web/mod.rs"
    ))
    .unwrap();
    assert!(
        !pages.contains("\"/api/"),
        "API routes live in the documented API module only"
    );
    app.stop().await;
}
