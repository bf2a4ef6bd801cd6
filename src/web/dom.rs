//! Small DOM builders. Text always goes in through `textContent`, never as markup.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The page's document (panel, popup or demo page; never called in the service worker).
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("Registration Guard needs a page with a document"))
}

/// Finds a required element by id, with an error that names it.
pub fn by_id(doc: &Document, id: &str) -> Result<HtmlElement, JsValue> {
    doc.get_element_by_id(id)
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
        .ok_or_else(|| JsValue::from_str(&format!("Registration Guard: the page has no #{id} element")))
}

/// `<tag class="…">`.
pub fn el(doc: &Document, tag: &str, class: &str) -> Result<Element, JsValue> {
    let element = doc.create_element(tag)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    Ok(element)
}

/// `<tag class="…">text</tag>`.
pub fn text_el(doc: &Document, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let element = el(doc, tag, class)?;
    element.set_text_content(Some(text));
    Ok(element)
}

/// Sets several attributes at once.
pub fn attrs(element: &Element, pairs: &[(&str, &str)]) -> Result<(), JsValue> {
    for (name, value) in pairs {
        element.set_attribute(name, value)?;
    }
    Ok(())
}

/// A decorative icon (hidden from assistive technology) drawn from SVG path data, so no image file
/// is needed in the extension frame or on the demo page.
pub fn icon(doc: &Document, class: &str, paths: &[(&str, &str)]) -> Result<Element, JsValue> {
    let svg = doc.create_element_ns(Some(SVG_NS), "svg")?;
    attrs(&svg, &[("viewBox", "0 0 24 24"), ("aria-hidden", "true"), ("focusable", "false"), ("class", class)])?;
    for (d, role) in paths {
        let path = doc.create_element_ns(Some(SVG_NS), "path")?;
        attrs(&path, &[("d", d), ("class", role)])?;
        svg.append_child(&path)?;
    }
    Ok(svg)
}

/// The product mark: a shield with a check.
pub fn shield_icon(doc: &Document, class: &str) -> Result<Element, JsValue> {
    icon(
        doc,
        class,
        &[
            ("M12 2.2 4.5 5v6.1c0 4.7 3.2 8.9 7.5 10.6 4.3-1.7 7.5-5.9 7.5-10.6V5L12 2.2Z", "rg-icon-fill"),
            ("m8.4 12.1 2.6 2.6 4.8-5", "rg-icon-stroke"),
        ],
    )
}

/// Logs to the console of the context (panel, popup, worker) as a warning.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// Appends `child` to `parent`.
pub fn append(parent: &Element, child: &Element) -> Result<(), JsValue> {
    parent.append_child(child).map(|_| ())
}
