//! XML parsers that may load external entities: DOMDocument, SimpleXML,
//! XMLReader.
//!
//! libxml2 loads external entities and DTDs only when the application asks
//! for it (LIBXML_NOENT, LIBXML_DTDLOAD/DTDATTR/DTDVALID, DOMDocument's
//! substituteEntities/resolveExternals/validateOnParse, XMLReader parser
//! properties). Then every external entity declared in the document's
//! DOCTYPE becomes one `xxe` check: `entity` is the URI that would be
//! fetched, `type` says how it is declared (doctype, general, parameter).
//! Documents given by file name are read (the first MiB, local files only)
//! to find their DOCTYPE.

use std::cell::RefCell;

use rasp_core::xml::{self, ExternalEntity};
use rasp_core::CheckType;
use serde_json::json;

use super::Flow;
use crate::check;
use crate::zend::{self, Call};

const LIBXML_NOENT: i64 = 2;
const LIBXML_DTDLOAD: i64 = 4;
const LIBXML_DTDATTR: i64 = 8;
const LIBXML_DTDVALID: i64 = 16;
const LOADS_EXTERNALS: i64 = LIBXML_NOENT | LIBXML_DTDLOAD | LIBXML_DTDATTR | LIBXML_DTDVALID;

/// Entities per document sent to plugins (one check each).
const MAX_CHECKS: usize = 16;

fn check_entities(entities: &[ExternalEntity], function: &str) -> Flow {
    for e in entities.iter().take(MAX_CHECKS) {
        let flow = check::run(CheckType::Xxe, || {
            json!({
                "entity": e.system,
                "type": e.kind.as_str(),
                "name": e.name,
                "public": e.public.clone().unwrap_or_default(),
                "function": function,
            })
        });
        if flow == Flow::Skip {
            return flow;
        }
    }
    Flow::Continue
}

/// The start of a local document given by name (plain path or file://).
fn read_local(name: &[u8]) -> Option<Vec<u8>> {
    let t = rasp_core::path::target(name);
    let local = t.local?;
    if t.scheme.as_deref().is_some_and(|s| s != "file") {
        return None;
    }
    let p = rasp_core::path::absolute(&local, &zend::cwd());
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let f = std::fs::File::open(std::path::Path::new(std::ffi::OsStr::from_bytes(&p))).ok()?;
    let mut buf = Vec::new();
    f.take(xml::MAX_SCAN as u64).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn flags(call: &Call, n: usize) -> i64 {
    call.arg(n).and_then(zend::long).unwrap_or(0)
}

/// DOMDocument's own switches that add parser options.
fn dom_flags(call: &Call) -> i64 {
    let Some(this) = call.this() else { return 0 };
    let on = |p: &str| {
        zend::property(this, p)
            .and_then(|z| zend::truthy(&z))
            .unwrap_or(false)
    };
    let mut f = 0;
    if on("substituteEntities") {
        f |= LIBXML_NOENT;
    }
    if on("resolveExternals") {
        f |= LIBXML_DTDATTR;
    }
    if on("validateOnParse") {
        f |= LIBXML_DTDVALID;
    }
    f
}

fn document(doc: &[u8], function: &str) -> Flow {
    let entities = xml::external_entities(doc);
    check_entities(&entities, function)
}

/// `$dom->loadXML($source, $options)`.
pub fn dom_load_xml(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) || (flags(call, 2) | dom_flags(call)) & LOADS_EXTERNALS == 0 {
        return Flow::Continue;
    }
    match call.arg_str(1) {
        Some(doc) => document(doc, "DOMDocument::loadXML"),
        None => Flow::Continue,
    }
}

/// `$dom->load($filename, $options)`.
pub fn dom_load(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) || (flags(call, 2) | dom_flags(call)) & LOADS_EXTERNALS == 0 {
        return Flow::Continue;
    }
    match call.arg_str(1).and_then(read_local) {
        Some(doc) => document(&doc, "DOMDocument::load"),
        None => Flow::Continue,
    }
}

/// `simplexml_load_string($data, $class, $options)`.
pub fn simplexml_load_string(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) || flags(call, 3) & LOADS_EXTERNALS == 0 {
        return Flow::Continue;
    }
    match call.arg_str(1) {
        Some(doc) => document(doc, "simplexml_load_string"),
        None => Flow::Continue,
    }
}

/// `simplexml_load_file($filename, $class, $options)`.
pub fn simplexml_load_file(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) || flags(call, 3) & LOADS_EXTERNALS == 0 {
        return Flow::Continue;
    }
    match call.arg_str(1).and_then(read_local) {
        Some(doc) => document(&doc, "simplexml_load_file"),
        None => Flow::Continue,
    }
}

/// `new SimpleXMLElement($data, $options, $dataIsURL)`.
pub fn simplexml_construct(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) || flags(call, 2) & LOADS_EXTERNALS == 0 {
        return Flow::Continue;
    }
    let Some(data) = call.arg_str(1) else {
        return Flow::Continue;
    };
    let is_url = call.arg(3).and_then(zend::truthy).unwrap_or(false);
    let doc = if is_url {
        read_local(data)
    } else {
        Some(data.to_vec())
    };
    match doc {
        Some(d) => document(&d, "SimpleXMLElement::__construct"),
        None => Flow::Continue,
    }
}

/// Request serial, and (object handle, external entities) per reader.
type Readers = (u64, Vec<(u32, Vec<ExternalEntity>)>);

thread_local! {
    /// External entities of the documents XMLReaders opened in this
    /// request, by object handle, for a later setParserProperty().
    static READERS: RefCell<Readers> = const { RefCell::new((0, Vec::new())) };
}

fn remember(handle: u32, entities: Vec<ExternalEntity>) {
    let serial = crate::request::serial();
    READERS.with(|r| {
        let mut r = r.borrow_mut();
        if r.0 != serial {
            *r = (serial, Vec::new());
        }
        r.1.retain(|(h, _)| *h != handle);
        if !entities.is_empty() && r.1.len() < 64 {
            r.1.push((handle, entities));
        }
    });
}

fn reader_document(call: &Call, doc: Option<Vec<u8>>, function: &str) -> Flow {
    let Some(doc) = doc else {
        return Flow::Continue;
    };
    let entities = xml::external_entities(&doc);
    if flags(call, 3) & LOADS_EXTERNALS != 0 {
        return check_entities(&entities, function);
    }
    // Loading may still be switched on before the first read().
    if let Some(this) = call.this() {
        remember(this.handle, entities);
    }
    Flow::Continue
}

/// `$reader->open($uri, $encoding, $flags)`.
pub fn xmlreader_open(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) {
        return Flow::Continue;
    }
    let doc = call.arg_str(1).and_then(read_local);
    reader_document(call, doc, "XMLReader::open")
}

/// `$reader->xml($source, $encoding, $flags)`.
pub fn xmlreader_xml(call: &Call) -> Flow {
    if !check::wanted(CheckType::Xxe) {
        return Flow::Continue;
    }
    let doc = call.arg_str(1).map(<[u8]>::to_vec);
    reader_document(call, doc, "XMLReader::xml")
}

/// `$reader->setParserProperty(XMLReader::SUBST_ENTITIES | LOADDTD | ..., true)`.
pub fn xmlreader_property(call: &Call) -> Flow {
    // LOADDTD 1, DEFAULTATTRS 2, VALIDATE 3, SUBST_ENTITIES 4.
    let prop = call.arg(1).and_then(zend::long).unwrap_or(0);
    let on = call.arg(2).and_then(zend::truthy).unwrap_or(false);
    if !(1..=4).contains(&prop) || !on || !check::wanted(CheckType::Xxe) {
        return Flow::Continue;
    }
    let Some(this) = call.this() else {
        return Flow::Continue;
    };
    let serial = crate::request::serial();
    let entities = READERS.with(|r| {
        let mut r = r.borrow_mut();
        if r.0 != serial {
            return None;
        }
        let i = r.1.iter().position(|(h, _)| *h == this.handle)?;
        Some(r.1.swap_remove(i).1)
    });
    match entities {
        Some(e) => check_entities(&e, "XMLReader::setParserProperty"),
        None => Flow::Continue,
    }
}
