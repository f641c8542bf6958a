//! A small streaming XML writer over quick-xml: elements with text, attributes and children,
//! written as they come (nothing is built in memory but the output bytes).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub struct Xml {
    writer: Writer<Vec<u8>>,
}

pub type XmlResult = Result<(), String>;

impl Xml {
    pub fn new() -> Result<Xml, String> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .map_err(|e| e.to_string())?;
        Ok(Xml { writer })
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> XmlResult {
        let mut start = BytesStart::new(name);
        for attr in attrs {
            start.push_attribute(*attr);
        }
        self.event(Event::Start(start))
    }

    pub fn close(&mut self, name: &str) -> XmlResult {
        self.event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attrs>text</name>`, text escaped.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> XmlResult {
        self.open(name, attrs)?;
        self.event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }

    fn event(&mut self, event: Event) -> XmlResult {
        self.writer.write_event(event).map_err(|e| e.to_string())
    }
}
