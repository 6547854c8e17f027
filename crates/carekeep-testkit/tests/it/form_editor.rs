//! The template editor changes a form's structure (issue 28 item 1) over plain posts, as a
//! browser without script sends them: add, remove and move questions, add and remove parts,
//! change a question's type, required flag and condition; a mistake is named at its question
//! with everything typed kept; an unused version is corrected in place, a used one makes the
//! next version; an authorization missing a 164.508(c) element is refused naming it.

use carekeep_domain::forms::{Condition, FieldKind};
use carekeep_testkit::{PageClient, TestApp};

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[at..].find('"')? + at;
    Some(unescape(&tag[at..end]))
}

/// Every field the editor's form sends as it stands (inputs, checked boxes, textareas, the
/// selected options), with line breaks as a browser sends them (CRLF).
fn fields(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("id=\"edit-form\"").expect("the editor")..];
    let form = &form[..form.find("</form>").expect("its end")];
    let mut out = Vec::new();
    for (i, _) in form.match_indices("<input") {
        let tag = &form[i..i + form[i..].find('>').unwrap_or(0)];
        let Some(name) = attr(tag, "name") else { continue };
        if tag.contains("type=\"checkbox\"") && !tag.contains(" checked") {
            continue;
        }
        out.push((name, attr(tag, "value").unwrap_or_default()));
    }
    for (i, _) in form.match_indices("<textarea") {
        let open_end = i + form[i..].find('>').unwrap_or(0);
        let name = attr(&form[i..open_end], "name").unwrap_or_default();
        let close = open_end + form[open_end..].find("</textarea>").unwrap_or(0);
        out.push((name, unescape(&form[open_end + 1..close]).replace('\n', "\r\n")));
    }
    for (i, _) in form.match_indices("<select") {
        let open_end = i + form[i..].find('>').unwrap_or(0);
        let name = attr(&form[i..open_end], "name").unwrap_or_default();
        let close = open_end + form[open_end..].find("</select>").unwrap_or(0);
        let options = &form[open_end..close];
        let chosen = options
            .split("<option")
            .find(|o| o.contains(" selected"))
            .or_else(|| options.split("<option").nth(1))
            .and_then(|o| attr(&format!(" {o}"), "value"))
            .unwrap_or_default();
        out.push((name, chosen));
    }
    out
}

fn set(f: &mut Vec<(String, String)>, name: &str, value: &str) {
    f.retain(|(n, _)| n != name);
    f.push((name.to_owned(), value.to_owned()));
}

/// Presses a button: posts the form as typed with `op`.
async fn press(c: &mut PageClient, id: i64, f: &[(String, String)], op: &str) -> (u16, Option<String>, String) {
    let mut form: Vec<(&str, &str)> = f.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    form.push(("op", op));
    c.post_raw(&format!("/forms/{id}/edit"), &form).await
}

#[tokio::test]
async fn the_editor_changes_the_structure_keeps_typing_and_refuses_at_the_question() {
    let app = TestApp::spawn().await;
    let a = &app.state.app;
    let owner = app.principal(&app.api_login("owner").await).await;
    let id = crate::forms::adopt(&app, "consent_to_treat").await;
    let mut c = PageClient::login(&app, "owner").await;
    let (status, html) = c.get(&format!("/forms/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("action=\"/forms/") && html.contains("/edit#edit-form\""),
        "{html}"
    );
    let saved = a.form_templates(&owner.actor()).await.unwrap();
    let v1 = saved.iter().find(|t| t.id == id).unwrap().version_id;
    let first = a.form_version(&owner.actor(), v1).await.unwrap().template;
    let n = first.sections[0].fields.len();

    // Add two questions to part 1 (nothing saved yet); type into the first on the way.
    let mut f = fields(&html);
    set(&mut f, "title", "Consent to treat (2026)");
    let (status, _, html) = press(&mut c, id, &f, "add:0").await;
    assert_eq!(status, 200);
    let mut f = fields(&html);
    assert_eq!(
        f.iter().find(|(k, _)| k == "title").map(|(_, v)| v.as_str()),
        Some("Consent to treat (2026)")
    );
    let q = |i: usize, what: &str| format!("q0_{i}.{what}");
    set(&mut f, &q(n, "label"), "Have you had filler before?");
    set(&mut f, &q(n, "kind"), "yes_no");
    set(&mut f, &q(n, "key"), "had_filler");
    let (_, _, html) = press(&mut c, id, &f, "add:0").await;
    let mut f = fields(&html);
    // The second: one choice with no choices yet, asked only when the first is yes.
    set(&mut f, &q(n + 1, "label"), "Which product?");
    set(&mut f, &q(n + 1, "kind"), "choice");
    set(&mut f, &q(n + 1, "if"), "had_filler");
    set(&mut f, &q(n + 1, "required"), "yes");
    let (status, _, html) = press(&mut c, id, &f, "save").await;
    assert_eq!(status, 422, "a choice without choices is refused");
    assert!(
        html.contains(&format!("id=\"q0_{}-error\">Type the choices, one a line.", n + 1)),
        "{html}"
    );
    assert!(
        html.contains("value=\"Which product?\"") && html.contains("Consent to treat (2026)"),
        "kept: {html}"
    );
    assert!(
        html.contains("Only when Have you had filler before? is yes</option>"),
        "{html}"
    );
    // A duplicate key, named at the second question.
    let mut f = fields(&html);
    set(&mut f, &q(n + 1, "options"), "Hyaluronic acid\r\nCollagen\r\n");
    set(&mut f, &q(n + 1, "key"), "had_filler");
    let (status, _, html) = press(&mut c, id, &f, "save").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Another question already has the key had_filler"),
        "{html}"
    );
    assert!(
        html.contains("Hyaluronic acid\nCollagen"),
        "the choices typed are kept: {html}"
    );
    // Move the dependent question above its condition: named; move it back and save.
    let mut f = fields(&html);
    set(&mut f, &q(n + 1, "key"), "filler_product");
    let (_, _, html) = press(&mut c, id, &f, &format!("up:0:{}", n + 1)).await;
    let (status, _, html) = press(&mut c, id, &fields(&html), "save").await;
    assert_eq!(status, 422);
    assert!(html.contains("no longer before it"), "{html}");
    let (_, _, html) = press(&mut c, id, &fields(&html), &format!("down:0:{n}")).await;
    // A part added and removed again; the last question of part 1 removed.
    let (_, _, html) = press(&mut c, id, &fields(&html), "add_section").await;
    let parts = first.sections.len();
    assert!(html.contains(&format!("<legend>Part {}</legend>", parts + 1)), "{html}");
    let (_, _, html) = press(&mut c, id, &fields(&html), &format!("remove_section:{parts}")).await;
    assert!(!html.contains(&format!("<legend>Part {}</legend>", parts + 1)));
    let (status, to, html) = press(&mut c, id, &fields(&html), "save").await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(
        to.as_deref(),
        Some(format!("/forms/versions/{v1}?done=corrected").as_str()),
        "unused: in place"
    );

    let t = a.form_version(&owner.actor(), v1).await.unwrap().template;
    assert_eq!(t.title, "Consent to treat (2026)");
    let yes_no = &t.sections[0].fields[n];
    assert_eq!(
        (yes_no.id.as_str(), &yes_no.kind),
        ("had_filler", &FieldKind::YesNo { follow_up: None })
    );
    let product = &t.sections[0].fields[n + 1];
    assert_eq!(
        product.kind,
        FieldKind::Choice {
            options: vec!["Hyaluronic acid".into(), "Collagen".into()]
        }
    );
    assert!(product.required);
    assert_eq!(
        product.show_if,
        Some(Condition {
            field: "had_filler".into(),
            equals: "yes".into()
        })
    );
    assert_eq!(t.sections.len(), parts);

    // Sent to a patient, the version is used: removing a question saves version 2.
    let desk_token = app.api_login("frontdesk").await;
    let desk = app.principal(&desk_token).await;
    let patient = app
        .register_patient(&desk_token, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    a.send_forms(&desk.actor(), patient, None, &[id]).await.unwrap();
    // The front desk cannot open the editor to type into it only to be refused at saving; and
    // a refusal names no internal code.
    let mut desk_page = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk_page.get(&format!("/forms/{id}/edit")).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("run the compliance program"), "{html}");
    assert!(!html.contains("manage_program"), "{html}");
    let (_, html) = c.get(&format!("/forms/{id}/edit")).await;
    assert!(html.contains("saving makes version 2"), "{html}");
    let (_, _, html) = press(&mut c, id, &fields(&html), &format!("remove:0:{}", n + 1)).await;
    let (status, to, _) = press(&mut c, id, &fields(&html), "save").await;
    assert_eq!(status, 303);
    assert!(to.unwrap().ends_with("?done=new"));
    let v1_after = a.form_version(&owner.actor(), v1).await.unwrap().template;
    assert_eq!(v1_after, t, "the used version never changed");
}

/// 164.508(c)(1)(iv): an authorization without its purpose is not valid (164.508(b)(2)); the
/// editor refuses the save and names the element.
#[tokio::test]
async fn an_authorization_edit_that_drops_a_required_element_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    let id = crate::forms::adopt(&app, "hipaa_authorization").await;
    let mut c = PageClient::login(&app, "owner").await;
    let (_, html) = c.get(&format!("/forms/{id}/edit")).await;
    // The purpose is the fourth question of part 1.
    assert!(html.contains("name=\"q0_3.key\" value=\"purpose\""), "{html}");
    let (_, _, html) = press(&mut c, id, &fields(&html), "remove:0:3").await;
    let (status, _, html) = press(&mut c, id, &fields(&html), "save").await;
    assert_eq!(status, 422);
    assert!(html.contains("the purpose (164.508(c)(1)(iv))"), "{html}");
    // Words may change; the required statements may not.
    let (_, html) = c.get(&format!("/forms/{id}/edit")).await;
    let mut f = fields(&html);
    set(&mut f, "q0_0.label", "The information you allow us to disclose");
    let (status, _, html) = press(&mut c, id, &f, "save").await;
    assert_eq!(status, 303, "{html}");
    let (_, html) = c.get(&format!("/forms/{id}/edit")).await;
    let mut f = fields(&html);
    set(&mut f, "s2.text", "You may revoke this whenever you like.");
    let (status, _, html) = press(&mut c, id, &f, "save").await;
    assert_eq!(status, 422);
    assert!(html.contains("164.508(c)(2)(i)"), "{html}");
    assert!(html.contains("You may revoke this whenever you like."), "kept: {html}");
}

/// An end date is a property of the question (164.508(b)(2)(i): an authorization whose end
/// has passed is defective): the built-in marketing authorization's shows ticked, and a new
/// date question ticked in the editor is saved flagged, so the portal refuses a past day.
#[tokio::test]
async fn the_editor_flags_a_date_question_as_an_end_date() {
    let app = TestApp::spawn().await;
    let id = crate::forms::adopt(&app, "photo_consent").await;
    let mut c = PageClient::login(&app, "owner").await;
    let (_, html) = c.get(&format!("/forms/{id}/edit")).await;
    let ticked = |html: &str, name: &str| {
        html.contains(&format!(
            "id=\"{name}-end_date\" name=\"{name}.end_date\" value=\"yes\" checked"
        ))
    };
    // Part 2's fourth question is the marketing authorization's end.
    assert!(html.contains("name=\"q1_3.key\" value=\"marketing_expires\""), "{html}");
    assert!(ticked(&html, "q1_3"), "{html}");
    // A new question in part 1, made a date, ticked as an end date, and saved.
    let (_, _, html) = press(&mut c, id, &fields(&html), "add:0").await;
    let mut f = fields(&html);
    set(&mut f, "q0_1.label", "This consent ends on");
    set(&mut f, "q0_1.kind", "date");
    let (_, _, html) = press(&mut c, id, &f, "keep").await;
    assert!(
        html.contains("id=\"q0_1-end_date\""),
        "a date question offers the box: {html}"
    );
    let mut f = fields(&html);
    set(&mut f, "q0_1.end_date", "yes");
    let (status, _, html) = press(&mut c, id, &f, "save").await;
    assert_eq!(status, 303, "{html}");
    let owner = app.principal(&app.api_login("owner").await).await;
    // Unused, the version was corrected in place: the newest is the one saved.
    let versions = app.state.app.form_versions(&owner.actor(), id).await.unwrap();
    let t = versions[0].template.clone();
    let added = &t.sections[0].fields[1];
    assert_eq!((added.kind.clone(), added.end_date), (FieldKind::Date, true));
    assert!(t.field("marketing_expires").is_some_and(|f| f.end_date));
    assert!(!t.sections[0].fields[0].end_date, "a yes/no is never an end date");
}
