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
    assert!(
        !carekeep_server::page_routes()
            .iter()
            .any(|(_, path)| path.starts_with("/api/")),
        "API routes live in the documented API module only"
    );
    app.stop().await;
}

/// Every schema name in the document stands for one type: two types under one name would
/// leave one schema for both, and one of their operations described with the other's body.
#[test]
fn no_two_types_share_a_schema_name() {
    assert_eq!(
        carekeep_server::api::schema_name_clashes(),
        Vec::<String>::new(),
        "schema names registered by two different types"
    );
}

/// The request body each operation documents is the type its handler reads. A body the
/// handler cannot read is refused with the name of the schema the handler takes, so a body
/// that is not JSON at all is sent to every operation, and the name refused with must be the
/// documented one (or there must be no such refusal where no body is documented).
#[tokio::test]
async fn each_operation_documents_the_body_its_handler_reads() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut token = app.api_login("owner").await;
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete: String = path
            .split('/')
            .map(|part| if part.starts_with('{') { "999999" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let operation = &item[*method];
            let json = &operation["requestBody"]["content"]["application/json"]["schema"];
            let documented = json["$ref"]
                .as_str()
                .map(|r| r.trim_start_matches("#/components/schemas/").to_owned());
            assert!(
                json.is_null() || documented.is_some(),
                "{method} {path}: a JSON body is documented by a named schema: {json}"
            );
            let mut answer = String::new();
            for _ in 0..2 {
                let res = app
                    .api(method.to_uppercase().parse().unwrap(), &concrete, &token)
                    .header("content-type", "application/json")
                    .body("{")
                    .send()
                    .await
                    .unwrap();
                if res.status() == 401 && !path.ends_with("/auth/login") {
                    // The sign-out operation ended this session: sign in again, ask again.
                    token = app.api_login("owner").await;
                    continue;
                }
                answer = res.text().await.unwrap();
                break;
            }
            let read = answer
                .split_once("request body (schema ")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(name, _)| name.to_owned());
            assert_eq!(
                read, documented,
                "{method} {path}: the handler reads the body as {read:?}, the document says {documented:?}"
            );
            bodies += usize::from(documented.is_some());
        }
    }
    assert!(bodies > 40, "only {bodies} operations with a body were checked");
    app.stop().await;
}
