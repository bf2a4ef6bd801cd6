//! Importing Conditional Access exports as they exist in the wild.
//!
//! One entry point, [`import_tenant`], takes the bytes of a file and returns the
//! policies, named locations and Microsoft templates it holds. It accepts:
//!
//! - Graph v1.0 and beta JSON: single objects, arrays, `{"value": [...]}` collections
//!   and any wrapper object around them;
//! - OData annotations (`@odata.context`, `field@odata.type`, …) and action keys
//!   (`#microsoft.graph.restore`), which are dropped;
//! - Microsoft Graph PowerShell SDK output: PascalCase keys, `/Date(ms)/` timestamps,
//!   objects whose every value is null standing for null, `AdditionalProperties`;
//! - Microsoft's template shape (`name` + `details`);
//! - IntuneManagement migration tables, recognised and reported as holding no policies;
//! - UTF-8 with or without BOM, UTF-16 LE/BE with BOM (and UTF-16 LE without BOM when
//!   the first character makes that unambiguous).
//!
//! Bad input is an [`ImportError`] naming the line and column (and, for a wrong shape,
//! the JSON path), never a panic.

use crate::engine::model::{
    ConditionalAccessPolicy, FromGraph, NamedLocation, PolicyTemplate, ShapeError, TenantSnapshot,
};
use serde_json::{Map, Value};
use std::fmt;

/// What a file held.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Import {
    pub policies: Vec<ConditionalAccessPolicy>,
    pub named_locations: Vec<NamedLocation>,
    /// Microsoft's built-in templates (not policies of a tenant).
    pub templates: Vec<PolicyTemplate>,
    /// Things skipped or assumed, for the admin to read.
    pub warnings: Vec<ImportWarning>,
}

/// Something the import skipped or assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// JSON path of the skipped part (`$` for the whole file).
    pub path: String,
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The bytes are not text in a supported encoding.
    Encoding { message: String },
    /// The text is not JSON.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A policy, named location or template has a field of the wrong shape.
    Shape {
        path: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// Valid JSON, but no policy, named location or template anywhere in it.
    NothingToImport { message: String },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Encoding { message } => {
                write!(f, "The file is not readable text: {message}")
            }
            ImportError::Syntax {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "The file is not valid JSON at line {line}, column {column}: {message}"
                )
            }
            ImportError::Shape {
                path,
                line: Some(line),
                column: Some(column),
                message,
            } => write!(
                f,
                "Unexpected content at line {line}, column {column} ({path}): {message}"
            ),
            ImportError::Shape { path, message, .. } => {
                write!(f, "Unexpected content at {path}: {message}")
            }
            ImportError::NothingToImport { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for ImportError {}

impl Import {
    /// Adds what another file held.
    pub fn merge(&mut self, other: Import) {
        self.policies.extend(other.policies);
        self.named_locations.extend(other.named_locations);
        self.templates.extend(other.templates);
        self.warnings.extend(other.warnings);
    }

    /// A snapshot holding the imported policies and named locations; everything the
    /// files cannot say (licences, security defaults, admin) is left unknown.
    pub fn into_snapshot(self) -> TenantSnapshot {
        TenantSnapshot {
            policies: self.policies,
            named_locations: self.named_locations,
            ..TenantSnapshot::default()
        }
    }
}

/// Imports one file's bytes. See the [module documentation](self) for the shapes accepted.
///
/// ```
/// use registration_guard::engine::import::import_tenant;
/// let file = br#"{"value": [{"displayName": "Block legacy auth", "state": "enabled",
///     "conditions": {"clientAppTypes": ["exchangeActiveSync", "other"]},
///     "grantControls": {"operator": "OR", "builtInControls": ["block"]}}]}"#;
/// let import = import_tenant(file).unwrap();
/// assert_eq!(import.policies[0].display_name, "Block legacy auth");
/// ```
pub fn import_tenant(bytes: &[u8]) -> Result<Import, ImportError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings)?;
    let (text, mut value) = parse_json(text, &mut warnings)?;
    normalize(&mut value, "", true);
    let mut import = Import {
        warnings,
        ..Import::default()
    };
    let mut found_migration_table = false;
    collect(
        value,
        "$".to_owned(),
        &mut import,
        &mut found_migration_table,
    )
    .map_err(|e| {
        let position = locate(&text, &e.path);
        ImportError::Shape {
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            path: e.path,
            message: e.message,
        }
    })?;
    let empty = import.policies.is_empty()
        && import.named_locations.is_empty()
        && import.templates.is_empty();
    if empty && !found_migration_table {
        return Err(ImportError::NothingToImport {
            message: "No Conditional Access policy, named location or template was found in this file. \
                      Export policies from Graph (GET /identity/conditionalAccess/policies) or with \
                      Get-MgIdentityConditionalAccessPolicy and import that file."
                .to_owned(),
        });
    }
    Ok(import)
}

/// Parses the text; a trailing comma before `}` or `]` (hand-edited files, some
/// published templates) is forgiven with a warning, any other error is reported.
fn parse_json<'a>(
    text: std::borrow::Cow<'a, str>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(std::borrow::Cow<'a, str>, Value), ImportError> {
    let error = match serde_json::from_str(&text) {
        Ok(value) => return Ok((text, value)),
        Err(e) => e,
    };
    let syntax = ImportError::Syntax {
        line: error.line(),
        column: error.column(),
        message: syntax_message(&error),
    };
    if !syntax_message(&error).starts_with("trailing comma") {
        return Err(syntax);
    }
    let (cleaned, removed) = without_trailing_commas(&text);
    let value = serde_json::from_str(&cleaned).map_err(|_| syntax)?;
    for (line, column) in removed {
        warnings.push(ImportWarning {
            path: "$".to_owned(),
            message: format!("A trailing comma at line {line}, column {column} is not valid JSON and was ignored."),
        });
    }
    Ok((std::borrow::Cow::Owned(cleaned), value))
}

/// The text without commas that directly precede `}` or `]` (outside strings), and the
/// line/column of each removed comma.
fn without_trailing_commas(text: &str) -> (String, Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let (mut line, mut column) = (1usize, 1usize);
    let mut copied_up_to = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}') | Some(b']')) {
                out.push_str(&text[copied_up_to..i]);
                copied_up_to = i + 1;
                removed.push((line, column));
            }
        }
        if b == b'\n' {
            line += 1;
            column = 1;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
    }
    out.push_str(&text[copied_up_to..]);
    (out, removed)
}

fn syntax_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the position is reported separately.
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    }
}

/// Bytes to text, honouring byte-order marks.
fn decode<'a>(
    bytes: &'a [u8],
    warnings: &mut Vec<ImportWarning>,
) -> Result<std::borrow::Cow<'a, str>, ImportError> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest).map(std::borrow::Cow::Borrowed),
        [0xFF, 0xFE, rest @ ..] => {
            utf16(rest, u16::from_le_bytes, "UTF-16 LE").map(std::borrow::Cow::Owned)
        }
        [0xFE, 0xFF, rest @ ..] => {
            utf16(rest, u16::from_be_bytes, "UTF-16 BE").map(std::borrow::Cow::Owned)
        }
        // Without a BOM, an ASCII character followed by a zero byte can only be UTF-16 LE
        // (a JSON text never contains a raw NUL).
        [first, 0, ..] if first.is_ascii() && *first != 0 => {
            warnings.push(ImportWarning {
                path: "$".to_owned(),
                message: "The file has no byte-order mark; it was read as UTF-16 LE.".to_owned(),
            });
            utf16(bytes, u16::from_le_bytes, "UTF-16 LE").map(std::borrow::Cow::Owned)
        }
        [0, second, ..] if second.is_ascii() && *second != 0 => {
            warnings.push(ImportWarning {
                path: "$".to_owned(),
                message: "The file has no byte-order mark; it was read as UTF-16 BE.".to_owned(),
            });
            utf16(bytes, u16::from_be_bytes, "UTF-16 BE").map(std::borrow::Cow::Owned)
        }
        _ => utf8(bytes).map(std::borrow::Cow::Borrowed),
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, ImportError> {
    std::str::from_utf8(bytes).map_err(|e| ImportError::Encoding {
        message: format!(
            "invalid UTF-8 at byte {}. Save the file as UTF-8 or UTF-16 with a byte-order mark.",
            e.valid_up_to()
        ),
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> Result<String, ImportError> {
    if bytes.len() % 2 != 0 {
        return Err(ImportError::Encoding {
            message: format!(
                "the file is marked {name} but has an odd number of bytes, so it is cut short or not {name}."
            ),
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(ImportError::Encoding {
                    message: format!("invalid {name}: a lone surrogate at code unit {i}."),
                })
            }
        }
    }
    Ok(text)
}

/// Rewrites real-world exports into plain Graph JSON, in place: drops OData annotations
/// and action keys, camel-cases PowerShell keys, merges `AdditionalProperties`, turns
/// `/Date(ms)/` into ISO 8601 and all-null objects into null.
fn normalize(value: &mut Value, parent_key: &str, is_root: bool) {
    match value {
        Value::Object(map) => {
            let needs_rebuild = map
                .keys()
                .any(|k| drops_key(k, map.get(k), parent_key) || renames_key(k));
            if needs_rebuild {
                let old = std::mem::take(map);
                for (key, v) in old {
                    if drops_key(&key, Some(&v), parent_key) {
                        continue;
                    }
                    if key == "AdditionalProperties" {
                        if let Value::Object(additional) = v {
                            for (k, v) in additional {
                                map.entry(k).or_insert(v);
                            }
                        }
                        continue;
                    }
                    let key = if renames_key(&key) {
                        camel_case(&key)
                    } else {
                        key
                    };
                    map.insert(key, v);
                }
            }
            for (key, v) in map.iter_mut() {
                normalize(v, key, false);
            }
            let all_null = !map.is_empty() && map.values().all(Value::is_null);
            if all_null && !is_root {
                *value = Value::Null;
            }
        }
        Value::Array(items) => {
            for item in items {
                normalize(item, parent_key, false);
            }
        }
        Value::String(s) => {
            if let Some(iso) = powershell_date(s) {
                *s = iso;
            }
        }
        _ => {}
    }
}

fn drops_key(key: &str, value: Option<&Value>, parent_key: &str) -> bool {
    if key.starts_with('#') {
        return true; // OData actions such as #microsoft.graph.restore
    }
    if let Some(annotation) = key.strip_prefix("@odata.") {
        if annotation != "type" {
            return true;
        }
        // `@odata.type` is kept only where it tells derived types apart.
        let ty = value.and_then(Value::as_str).unwrap_or("");
        return !(parent_key == "externalTenants"
            || ty.ends_with("NamedLocation")
            || ty.ends_with(".conditionalAccessPolicy")
            || ty.ends_with(".conditionalAccessTemplate"));
    }
    // Property annotations: `createdDateTime@odata.type`, `authenticationStrength@odata.context`, …
    key.contains('@')
}

fn renames_key(key: &str) -> bool {
    key.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
}

/// `DisplayName` → `displayName`, `IPRanges` → `ipRanges`, `ODataType` → `oDataType`.
fn camel_case(key: &str) -> String {
    let bytes = key.as_bytes();
    let upper_run = bytes.iter().take_while(|b| b.is_ascii_uppercase()).count();
    // In `IPRanges` the last capital of the run starts the next word.
    let lower = if upper_run > 1 && upper_run < bytes.len() && bytes[upper_run].is_ascii_lowercase()
    {
        upper_run - 1
    } else {
        upper_run
    };
    let mut out = String::with_capacity(key.len());
    out.push_str(&key[..lower].to_ascii_lowercase());
    out.push_str(&key[lower..]);
    out
}

/// `/Date(1618315427741)/` (milliseconds since 1970, as the PowerShell SDK writes it) to
/// `2021-04-13T12:03:47.741Z`.
fn powershell_date(s: &str) -> Option<String> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    // An offset suffix (`+0100`) does not change the instant.
    let sign = usize::from(inner.starts_with('-'));
    let digits_end = inner[sign..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(inner.len(), |i| i + sign);
    let millis: i64 = inner[..digits_end].parse().ok()?;
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

enum Kind {
    Policy,
    NamedLocation,
    Template,
    MigrationTable,
    Container,
}

fn classify(map: &Map<String, Value>) -> Kind {
    let odata_type = map.get("@odata.type").and_then(Value::as_str).unwrap_or("");
    if odata_type.ends_with(".conditionalAccessPolicy") {
        return Kind::Policy;
    }
    if odata_type.ends_with("NamedLocation") {
        return Kind::NamedLocation;
    }
    if odata_type.ends_with(".conditionalAccessTemplate")
        || (map.get("details").is_some_and(Value::is_object) && map.contains_key("name"))
    {
        return Kind::Template;
    }
    if map.get("conditions").is_some_and(Value::is_object)
        && (map.contains_key("displayName")
            || map.contains_key("state")
            || map.contains_key("grantControls"))
    {
        return Kind::Policy;
    }
    if map.contains_key("displayName")
        && (map.contains_key("ipRanges") || map.contains_key("countriesAndRegions"))
    {
        return Kind::NamedLocation;
    }
    if map.contains_key("tenantId") && map.get("objects").is_some_and(Value::is_array) {
        return Kind::MigrationTable;
    }
    Kind::Container
}

/// Walks the JSON, reading every policy, named location and template, wherever it sits.
fn collect(
    value: Value,
    path: String,
    import: &mut Import,
    migration: &mut bool,
) -> Result<(), ShapeError> {
    match value {
        Value::Object(mut map) => match classify(&map) {
            Kind::Policy => {
                map.shift_remove("@odata.type");
                import.policies.push(ConditionalAccessPolicy::from_graph(
                    Value::Object(map),
                    &path,
                )?);
            }
            Kind::NamedLocation => {
                import
                    .named_locations
                    .push(NamedLocation::from_graph(Value::Object(map), &path)?);
            }
            Kind::Template => {
                map.shift_remove("@odata.type");
                import
                    .templates
                    .push(PolicyTemplate::from_graph(Value::Object(map), &path)?);
            }
            Kind::MigrationTable => {
                *migration = true;
                let count = map
                    .get("objects")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                import.warnings.push(ImportWarning {
                    path,
                    message: format!(
                        "This is an IntuneManagement migration table (it maps {count} directory object ids \
                         to names); it holds no policies or named locations."
                    ),
                });
            }
            Kind::Container => {
                for (key, v) in map {
                    if v.is_object() || v.is_array() {
                        collect(v, format!("{path}.{key}"), import, migration)?;
                    }
                }
            }
        },
        Value::Array(items) => {
            let mut skipped = 0usize;
            for (i, item) in items.into_iter().enumerate() {
                let before =
                    import.policies.len() + import.named_locations.len() + import.templates.len();
                let is_container =
                    matches!(&item, Value::Object(m) if matches!(classify(m), Kind::Container));
                collect(item, format!("{path}[{i}]"), import, migration)?;
                let after =
                    import.policies.len() + import.named_locations.len() + import.templates.len();
                if is_container && after == before {
                    skipped += 1;
                }
            }
            if skipped > 0 {
                import.warnings.push(ImportWarning {
                    path,
                    message: format!(
                        "{skipped} item{} in this list {} not a policy, named location or template and {} skipped.",
                        if skipped == 1 { "" } else { "s" },
                        if skipped == 1 { "is" } else { "are" },
                        if skipped == 1 { "was" } else { "were" },
                    ),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

/// Line and column (1-based) of the value at a JSON path such as `$.value[3].state`,
/// found by scanning the original text. Keys match case-insensitively because the
/// import camel-cases PowerShell keys. `None` when the path cannot be followed (e.g.
/// through a merged `AdditionalProperties`).
fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    let mut rest = path.strip_prefix('$')?;
    skip_ws(bytes, &mut pos);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let index: usize = after[..end].parse().ok()?;
            rest = &after[end + 1..];
            if bytes.get(pos) != Some(&b'[') {
                return None;
            }
            pos += 1;
            for i in 0..=index {
                skip_ws(bytes, &mut pos);
                if bytes.get(pos) == Some(&b']') {
                    return None;
                }
                if i < index {
                    skip_value(bytes, &mut pos)?;
                    skip_ws(bytes, &mut pos);
                    if bytes.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos += 1;
                }
            }
        } else {
            let after = rest.strip_prefix('.')?;
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            rest = &after[end..];
            if bytes.get(pos) != Some(&b'{') {
                return None;
            }
            pos += 1;
            loop {
                skip_ws(bytes, &mut pos);
                if bytes.get(pos) != Some(&b'"') {
                    return None;
                }
                let start = pos;
                skip_value(bytes, &mut pos)?;
                let found: String = serde_json::from_str(&text[start..pos]).ok()?;
                skip_ws(bytes, &mut pos);
                if bytes.get(pos) != Some(&b':') {
                    return None;
                }
                pos += 1;
                skip_ws(bytes, &mut pos);
                if found.eq_ignore_ascii_case(key) {
                    break;
                }
                skip_value(bytes, &mut pos)?;
                skip_ws(bytes, &mut pos);
                if bytes.get(pos) != Some(&b',') {
                    return None;
                }
                pos += 1;
            }
        }
        skip_ws(bytes, &mut pos);
    }
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    Some((line, column))
}

fn skip_ws(bytes: &[u8], pos: &mut usize) {
    while bytes.get(*pos).is_some_and(|b| b.is_ascii_whitespace()) {
        *pos += 1;
    }
}

/// Skips one JSON value of text already known to be valid JSON.
fn skip_value(bytes: &[u8], pos: &mut usize) -> Option<()> {
    match *bytes.get(*pos)? {
        b'"' => {
            *pos += 1;
            loop {
                match *bytes.get(*pos)? {
                    b'\\' => *pos += 2,
                    b'"' => {
                        *pos += 1;
                        return Some(());
                    }
                    _ => *pos += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match *bytes.get(*pos)? {
                    b'"' => {
                        skip_value(bytes, pos)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            *pos += 1;
                            return Some(());
                        }
                    }
                    _ => {}
                }
                *pos += 1;
            }
        }
        _ => {
            while bytes
                .get(*pos)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                *pos += 1;
            }
            Some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_handles_acronyms() {
        assert_eq!(camel_case("DisplayName"), "displayName");
        assert_eq!(camel_case("Id"), "id");
        assert_eq!(camel_case("IPRanges"), "ipRanges");
        assert_eq!(camel_case("ID"), "id");
    }

    #[test]
    fn powershell_dates_become_iso_8601() {
        assert_eq!(
            powershell_date("/Date(1618315427741)/").unwrap(),
            "2021-04-13T12:03:47.741Z"
        );
        assert_eq!(
            powershell_date("/Date(0)/").unwrap(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            powershell_date("/Date(951782400000+0100)/").unwrap(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(powershell_date("/Date(abc)/"), None);
        assert_eq!(powershell_date("/Date()/"), None);
        assert_eq!(powershell_date("/Date(é)/"), None);
        assert_eq!(powershell_date("2021-04-13"), None);
    }

    #[test]
    fn locate_follows_keys_and_indexes() {
        let text = "{\n  \"value\": [\n    {\"a\": 1},\n    {\"State\": \"on\"}\n  ]\n}";
        assert_eq!(locate(text, "$.value[1].state"), Some((4, 15)));
        assert_eq!(locate(text, "$.value[5]"), None);
    }
}
