//! Issue 23, typed values kept on the program and admin forms: each form below, sent with a
//! mistake as a browser sends it (CRLF line breaks, US dates), comes back refused (422) with
//! the message beside the field it is about and every typed value still in its field. One row
//! per form; a password never comes back.

use carekeep_domain::program::course::QUIZ;
use carekeep_testkit::{PageClient, TestApp};

/// What a browser sends: a urlencoded form, or a multipart one (a file field left empty).
enum Body {
    Form,
    Multipart,
}

struct Row {
    form: &'static str,
    /// The page the form is on, and where it posts.
    page: String,
    path: String,
    body: Body,
    fields: Vec<(&'static str, &'static str)>,
    /// Words of the message shown.
    message: &'static str,
    /// The element the message is about: marked invalid, its message `{field}-error`.
    field: &'static str,
    /// Markup that shows a typed value kept beyond the text fields (a ticked box, a choice).
    also: Vec<String>,
    /// Typed values that must not come back (passwords).
    never: Vec<&'static str>,
}

/// A typed value as the page shows it: line breaks as LF (the form layer's rule), escaped as
/// askama escapes.
fn shown(v: &str) -> String {
    v.replace("\r\n", "\n")
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn send(page: &mut PageClient, row: &Row) -> (u16, String) {
    match row.body {
        Body::Form => {
            let (status, _, html) = page.post(&row.path, &row.fields).await;
            (status, html)
        }
        Body::Multipart => {
            let mut form = reqwest::multipart::Form::new().text("csrf", page.csrf.clone());
            for (k, v) in &row.fields {
                form = form.text(*k, *v);
            }
            // A file input left empty still sends a part, with no name and no bytes.
            form = form.part("certificate", reqwest::multipart::Part::bytes(Vec::new()).file_name(""));
            let res = page
                .http
                .post(page.url(&row.path))
                .multipart(form)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    }
}

/// The id in the first `/prefix/{id}` link of `html`.
fn first_id(html: &str, prefix: &str) -> String {
    html.split(prefix)
        .filter_map(|rest| {
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!id.is_empty()).then_some(id)
        })
        .next()
        .unwrap_or_else(|| panic!("a {prefix} link in {html}"))
}

#[tokio::test]
async fn program_and_admin_forms_refused_keep_every_typed_value_with_the_message_at_the_field() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;

    // A person on the workforce list, for the training and details forms.
    let (status, location, body) = owner
        .post(
            "/program/workforce",
            &[
                ("name", "Nora Nightingale"),
                ("job_title", "Nurse"),
                ("hired_on", "01/06/2025"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let person = first_id(&location.unwrap(), "/program/workforce/");
    let (_, users) = owner.get("/admin/users").await;
    let account = first_id(&users, "/admin/users/");

    let rows = vec![
        Row {
            form: "policy-form",
            page: "/program/policies/breach_response".into(),
            path: "/program/policies/breach_response".into(),
            body: Body::Form,
            fields: vec![
                ("title", "Breach response at our clinic"),
                (
                    "body",
                    "We look into every incident.\r\n\r\nThe compliance officer decides.",
                ),
                ("effective_on", "13/45/2026"),
            ],
            message: "effective date must look like",
            field: "effective_on",
            also: vec![],
            never: vec![],
        },
        Row {
            form: "npp-form",
            page: "/program/npp".into(),
            path: "/program/npp".into(),
            body: Body::Form,
            fields: vec![
                ("body", "Our notice, short.\r\nA second line."),
                ("effective_on", "04/23/2030"),
            ],
            message: "missing required content",
            field: "body",
            also: vec![],
            never: vec![],
        },
        Row {
            form: "training-form",
            page: format!("/program/workforce/{person}"),
            path: format!("/program/workforce/{person}/training"),
            body: Body::Multipart,
            fields: vec![("title", "CPR & privacy refresher"), ("completed_on", "12/31/2099")],
            message: "completion date is in the future",
            field: "completed_on",
            also: vec![],
            never: vec![],
        },
        Row {
            form: "person-form",
            page: format!("/program/workforce/{person}"),
            path: format!("/program/workforce/{person}"),
            body: Body::Form,
            fields: vec![
                ("name", "Nora Nightingale-Smith"),
                ("job_title", "Charge nurse"),
                ("hired_on", "01/06/2025"),
                ("left_on", "12/31/2024"),
                ("email", "nora@clinic.example"),
            ],
            message: "leave date is before the hire date",
            field: "left_on",
            also: vec![],
            never: vec![],
        },
        Row {
            form: "define-role",
            page: "/admin/roles".into(),
            path: "/admin/roles".into(),
            body: Body::Form,
            fields: vec![
                ("name", "nurse"),
                ("description", "Night shift: charts & appointments"),
                ("g_clinical", "rw"),
                ("g_scheduling", "r"),
                ("capability", "manage_calendar"),
            ],
            message: "is a default role",
            field: "name",
            also: vec![
                "<option value=\"rw\" selected>read and change</option>".into(),
                "<option value=\"r\" selected>read</option>".into(),
                "value=\"manage_calendar\" checked".into(),
            ],
            never: vec![],
        },
        Row {
            form: "new-user",
            page: "/admin/users/new".into(),
            path: "/admin/users".into(),
            body: Body::Form,
            fields: vec![
                ("display_name", "Dana O'Night"),
                ("username", "d"),
                ("password", ""),
                ("role", "nurse"),
            ],
            message: "a username needs 3 to 64 characters",
            field: "username",
            also: vec!["value=\"nurse\" checked".into()],
            never: vec![],
        },
        Row {
            form: "new-user",
            page: "/admin/users/new".into(),
            path: "/admin/users".into(),
            body: Body::Form,
            fields: vec![
                ("display_name", "Dana Night"),
                ("username", "dnight"),
                ("password", "short pw"),
                ("role", "front_desk"),
            ],
            message: "use at least",
            field: "password",
            also: vec!["value=\"front_desk\" checked".into()],
            never: vec!["short pw"],
        },
        Row {
            form: "roles-form",
            page: format!("/admin/users/{account}"),
            path: format!("/admin/users/{account}/roles"),
            body: Body::Form,
            fields: vec![],
            message: "give the account at least one role",
            field: "roles",
            also: vec![],
            never: vec![],
        },
        Row {
            form: "password-form",
            page: format!("/admin/users/{account}"),
            path: format!("/admin/users/{account}/reset-password"),
            body: Body::Form,
            fields: vec![("password", "tiny")],
            message: "use at least",
            field: "password",
            also: vec![],
            never: vec!["tiny"],
        },
        Row {
            form: "time-zone",
            page: "/admin/settings".into(),
            path: "/admin/settings/time-zone".into(),
            body: Body::Form,
            fields: vec![("time_zone", "Mars/Olympus_Mons")],
            message: "time zone",
            field: "time_zone",
            also: vec!["<option value=\"Mars/Olympus_Mons\" selected>".into()],
            never: vec![],
        },
    ];

    // The course answered right but the attestation not ticked: the answers come back ticked.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let answers: Vec<(&'static str, &'static str)> = QUIZ
        .iter()
        .enumerate()
        .map(|(i, q)| (leak(format!("q{i}")), leak(q.answer.to_string())))
        .collect();
    let mut rows = rows;
    rows.push(Row {
        form: "quiz",
        page: "/training".into(),
        path: "/training".into(),
        body: Body::Form,
        also: answers
            .iter()
            .map(|(q, a)| format!("name=\"{q}\" value=\"{a}\" required checked"))
            .collect(),
        fields: answers,
        message: "tick the box",
        field: "attest",
        never: vec![],
    });

    for row in &rows {
        // Each form is sent from its page, as a browser would (the page gives the CSRF token).
        let (status, _) = owner.get(&row.page).await;
        assert_eq!(status, 200, "{}: its page", row.form);
        let (status, html) = send(&mut owner, row).await;
        let what = format!("{} {}", row.form, row.field);
        assert_eq!(status, 422, "{what}: refused\n{html}");
        assert!(html.contains(row.message), "{what}: the message\n{html}");
        assert!(
            html.contains(&format!("id=\"{}-problem\"", row.form)),
            "{what}: the summary at the top of the form\n{html}"
        );
        assert!(
            html.contains(&format!("<a href=\"#{}\">", row.field)),
            "{what}: the summary links to the field\n{html}"
        );
        assert!(
            html.contains(&format!("<p class=\"field-error\" id=\"{}-error\">", row.field)),
            "{what}: the message at the field\n{html}"
        );
        assert!(
            html.contains(&format!("#{}\" ", row.form)),
            "{what}: the answer opens at the form\n{html}"
        );
        for (name, value) in &row.fields {
            if value.is_empty() || row.never.contains(value) || *name == "role" || *name == "capability" {
                continue;
            }
            if name.starts_with("g_") || *name == "time_zone" {
                continue; // a choice: checked through `also`
            }
            assert!(html.contains(&shown(value)), "{what}: {name} kept as typed\n{html}");
        }
        for markup in &row.also {
            assert!(html.contains(markup.as_str()), "{what}: {markup}\n{html}");
        }
        for secret in &row.never {
            assert!(
                !html.contains(secret),
                "{what}: a password is never shown again\n{html}"
            );
        }
    }
}
