//! Draws "What your users will see" ([`crate::blockpreview`]) into any element: the panel mounts it
//! under its own heading, and `handout.html` shows it full page for printing (trainers hand it out).
//!
//! The look of the sign-in card and the print layout live in `styles/blockpreview.css`, which every
//! page that mounts the preview links. Text goes in as text only.

use super::dom::{self, attrs, el, text_el};
use crate::blockpreview::{
    preview, BlockPreview, ScreenText, SignInScreen, EXAMPLE_NOTICE, PREVIEW_TITLE,
};
use crate::engine::presets::Preset;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// Replaces the content of `parent` with the annotated preview for `preset`.
///
/// The result is one `<section class="rg-preview" data-testid="block-preview" data-preset="…">`
/// holding: who meets the screen and when, the report-only note, the sign-in card with numbered
/// markers (example values labelled), the numbered notes, and the user / helpdesk / admin guidance.
pub fn render_block_preview(parent: &Element, preset: Preset) -> Result<(), JsValue> {
    let doc = parent.owner_document().ok_or_else(|| {
        JsValue::from_str("Registration Guard: the preview needs an element in a document")
    })?;
    let model = preview(preset);
    parent.set_text_content(None);
    dom::append(parent, &preview_section(&doc, &model)?)
}

/// The preset's name in addresses and `data-preset` (its Graph-side serde name, e.g. `blockOutsideTrusted`).
pub fn preset_slug(preset: Preset) -> String {
    serde_json::to_value(preset)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The preset named by `slug` (see [`preset_slug`]).
pub fn preset_from_slug(slug: &str) -> Option<Preset> {
    serde_json::from_value(serde_json::Value::String(slug.to_string())).ok()
}

fn preview_section(doc: &Document, model: &BlockPreview) -> Result<Element, JsValue> {
    let section = el(doc, "section", "rg-preview")?;
    attrs(
        &section,
        &[
            ("data-testid", "block-preview"),
            ("data-preset", &preset_slug(model.preset)),
        ],
    )?;

    let header = el(doc, "header", "rg-preview-header")?;
    dom::append(
        &header,
        &text_el(doc, "h2", "rg-preview-title", PREVIEW_TITLE)?,
    )?;
    dom::append(
        &header,
        &text_el(
            doc,
            "p",
            "rg-preview-preset",
            &format!("Preset: {}", model.preset.label()),
        )?,
    )?;
    dom::append(&section, &header)?;
    dom::append(
        &section,
        &text_el(doc, "p", "rg-preview-who", &model.who_and_when)?,
    )?;
    dom::append(
        &section,
        &text_el(doc, "p", "rg-preview-report-only", model.report_only)?,
    )?;

    let stage = el(doc, "div", "rg-preview-stage")?;
    let notice = text_el(doc, "p", "rg-example-notice", EXAMPLE_NOTICE)?;
    attrs(
        &notice,
        &[("role", "note"), ("data-testid", "example-notice")],
    )?;
    dom::append(&stage, &notice)?;
    dom::append(&stage, &screen_card(doc, &model.screen)?)?;
    if let Some(alternative) = &model.screen.alternative {
        let other = el(doc, "figure", "rg-signin-card rg-signin-alternative")?;
        other.set_attribute("aria-label", "The other screen some users meet")?;
        dom::append(&other, &brand(doc)?)?;
        dom::append(&other, &account(doc, model.screen.account_example)?)?;
        dom::append(
            &other,
            &marked(doc, "h3", "rg-signin-heading", alternative)?,
        )?;
        dom::append(&stage, &other)?;
    }
    dom::append(&section, &stage)?;

    let notes = el(doc, "ol", "rg-annotations")?;
    notes.set_attribute("aria-label", "What each numbered part means")?;
    for note in &model.annotations {
        let item = el(doc, "li", "rg-annotation")?;
        attrs(
            &item,
            &[
                ("value", &note.marker.to_string()),
                ("data-marker", &note.marker.to_string()),
            ],
        )?;
        dom::append(&item, &text_el(doc, "strong", "", note.title)?)?;
        dom::append(
            &item,
            &text_el(doc, "span", "", &format!(" — {}", note.text))?,
        )?;
        dom::append(&notes, &item)?;
    }
    dom::append(&section, &notes)?;

    let guidance = el(doc, "div", "rg-guidance")?;
    for block in &model.guidance {
        let part = el(doc, "section", "rg-guidance-part")?;
        dom::append(&part, &text_el(doc, "h3", "", block.audience.label())?)?;
        let list = el(doc, "ul", "")?;
        for step in &block.steps {
            dom::append(&list, &text_el(doc, "li", "", step)?)?;
        }
        dom::append(&part, &list)?;
        dom::append(&guidance, &part)?;
    }
    dom::append(&section, &guidance)?;
    Ok(section)
}

/// The sign-in card, drawn like Microsoft's (white card, logo, account line, heading, text, links).
fn screen_card(doc: &Document, screen: &SignInScreen) -> Result<Element, JsValue> {
    let card = el(doc, "figure", "rg-signin-card")?;
    attrs(
        &card,
        &[
            ("aria-label", "Preview of the sign-in page"),
            ("data-testid", "signin-preview"),
        ],
    )?;
    dom::append(&card, &brand(doc)?)?;
    dom::append(&card, &account(doc, screen.account_example)?)?;
    dom::append(
        &card,
        &marked(doc, "h3", "rg-signin-heading", &screen.heading)?,
    )?;
    for paragraph in &screen.body {
        dom::append(&card, &marked(doc, "p", "rg-signin-text", paragraph)?)?;
    }
    if !screen.choices.is_empty() {
        let list = el(doc, "ul", "rg-signin-choices")?;
        for choice in &screen.choices {
            dom::append(&list, &marked(doc, "li", "rg-signin-choice", choice)?)?;
        }
        dom::append(&card, &list)?;
    }
    for link in &screen.links {
        dom::append(&card, &marked(doc, "p", "rg-signin-link", link)?)?;
    }
    if let Some(details) = &screen.details {
        dom::append(&card, &marked(doc, "p", "rg-signin-link", &details.toggle)?)?;
        let panel = el(doc, "div", "rg-signin-details")?;
        panel.set_attribute("data-testid", "troubleshooting-preview")?;
        dom::append(&panel, &text_el(doc, "h4", "", details.heading)?)?;
        let list = el(doc, "dl", "")?;
        for field in &details.fields {
            let row = el(doc, "div", "rg-signin-field")?;
            dom::append(&row, &text_el(doc, "dt", "", &format!("{}:", field.label))?)?;
            let value = text_el(doc, "dd", "", field.value)?;
            if field.example {
                value.class_list().add_1("rg-example-value")?;
                dom::append(&value, &example_tag(doc)?)?;
            }
            // The marker lives inside the <dd>: a <dl> row may hold only <dt> and <dd>.
            if let Some(marker) = field.marker {
                dom::append(&value, &marker_el(doc, marker)?)?;
            }
            dom::append(&row, &value)?;
            dom::append(&list, &row)?;
        }
        dom::append(&panel, &list)?;
        dom::append(
            &panel,
            &marked(doc, "p", "rg-signin-footer", &details.footer)?,
        )?;
        dom::append(&card, &panel)?;
    }
    Ok(card)
}

fn brand(doc: &Document) -> Result<Element, JsValue> {
    let brand = text_el(doc, "p", "rg-signin-brand", "Microsoft")?;
    brand.set_attribute("aria-hidden", "true")?;
    Ok(brand)
}

fn account(doc: &Document, example: &str) -> Result<Element, JsValue> {
    let line = text_el(doc, "p", "rg-signin-account rg-example-value", example)?;
    dom::append(&line, &example_tag(doc)?)?;
    Ok(line)
}

fn example_tag(doc: &Document) -> Result<Element, JsValue> {
    text_el(doc, "span", "rg-example-tag", "example")
}

fn marked(doc: &Document, tag: &str, class: &str, text: &ScreenText) -> Result<Element, JsValue> {
    let element = text_el(doc, tag, class, text.text)?;
    if let Some(marker) = text.marker {
        dom::append(&element, &marker_el(doc, marker)?)?;
    }
    Ok(element)
}

fn marker_el(doc: &Document, marker: u8) -> Result<Element, JsValue> {
    let badge = text_el(doc, "span", "rg-marker", &marker.to_string())?;
    attrs(
        &badge,
        &[
            ("aria-label", &format!("note {marker}")),
            ("data-marker", &marker.to_string()),
        ],
    )?;
    Ok(badge)
}

/// Entry point of `handout.html`: the preview full page for printing, for the preset named in the
/// address fragment (`handout.html#blockOutsideTrusted`; the classic block when absent), with links
/// to the other presets and a print button.
#[wasm_bindgen]
pub fn start_handout() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let window =
        web_sys::window().ok_or_else(|| JsValue::from_str("Registration Guard: no window"))?;
    let root = dom::by_id(&doc, "rg-handout")?;

    let bar = el(&doc, "nav", "rg-handout-bar")?;
    bar.set_attribute("aria-label", "Choose the preset")?;
    for option in Preset::ALL {
        let link = text_el(&doc, "a", "rg-handout-choice", option.label())?;
        link.set_attribute("href", &format!("#{}", preset_slug(option)))?;
        dom::append(&bar, &link)?;
    }
    let print = text_el(&doc, "button", "rg-handout-print", "Print this hand-out")?;
    attrs(&print, &[("type", "button"), ("data-action", "print")])?;
    dom::append(&bar, &print)?;
    root.set_text_content(None);
    dom::append(&root, &bar)?;
    dom::append(&root, &el(&doc, "div", "rg-handout-content")?)?;
    redraw_handout()?;

    let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
        if target
            .and_then(|t| t.closest("[data-action=print]").ok().flatten())
            .is_some()
        {
            if let Err(e) = web_sys::window().map_or(Ok(()), |w| w.print()) {
                dom::warn(&format!(
                    "Registration Guard could not open the print dialog: {e:?}"
                ));
            }
        }
    });
    root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    on_click.forget();
    // Choosing another preset changes only the fragment: redraw in place.
    let on_hash = Closure::<dyn FnMut()>::new(move || {
        if let Err(e) = redraw_handout() {
            dom::warn(&format!(
                "Registration Guard could not show that preset: {e:?}"
            ));
        }
    });
    window.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref())?;
    on_hash.forget();
    Ok(())
}

/// Shows the preset the address fragment names and marks its link as current.
fn redraw_handout() -> Result<(), JsValue> {
    let doc = dom::document()?;
    let window =
        web_sys::window().ok_or_else(|| JsValue::from_str("Registration Guard: no window"))?;
    let hash = window.location().hash()?;
    let preset =
        preset_from_slug(hash.trim_start_matches('#')).unwrap_or(Preset::BlockOutsideTrusted);
    let root = dom::by_id(&doc, "rg-handout")?;
    let current = format!("#{}", preset_slug(preset));
    let links = root.query_selector_all(".rg-handout-choice")?;
    for link in (0..links.length()).filter_map(|i| links.item(i)?.dyn_into::<Element>().ok()) {
        if link.get_attribute("href").as_deref() == Some(current.as_str()) {
            link.set_attribute("aria-current", "page")?;
        } else {
            link.remove_attribute("aria-current")?;
        }
    }
    let content = root.query_selector(".rg-handout-content")?.ok_or_else(|| {
        JsValue::from_str("Registration Guard: the hand-out lost its content element")
    })?;
    render_block_preview(&content, preset)?;
    doc.set_title(&format!(
        "{PREVIEW_TITLE} — {} — Registration Guard",
        preset.label()
    ));
    Ok(())
}
