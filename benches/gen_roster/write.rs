//! Writes one day's export: the four register files (`;`, UTF-8 with BOM or Windows-1252,
//! CRLF), the AD export (`,`, UTF-8, CRLF) and meta.json.

use super::model::*;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

pub enum Encoding {
    /// UTF-8 with a byte-order mark, as IST Extens writes it.
    Utf8Bom,
    /// UTF-8 without one (the AD export).
    Utf8,
    Cp1252,
}

/// A CSV file being written: lines are encoded on the way out.
struct Out {
    file: BufWriter<File>,
    encoding: Encoding,
    rows: usize,
}

impl Out {
    fn create(path: &Path, header: &str, encoding: Encoding) -> io::Result<Out> {
        let mut file = BufWriter::with_capacity(1 << 20, File::create(path)?);
        if matches!(encoding, Encoding::Utf8Bom) {
            file.write_all("\u{feff}".as_bytes())?;
        }
        let mut out = Out {
            file,
            encoding,
            rows: 0,
        };
        out.line(header)?;
        out.rows = 0;
        Ok(out)
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => self.file.write_all(text.as_bytes())?,
            Encoding::Cp1252 => {
                let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(text);
                if bad {
                    return Err(io::Error::other(format!("not in Windows-1252: {text}")));
                }
                self.file.write_all(&bytes)?;
            }
        }
        self.rows += 1;
        self.file.write_all(b"\r\n")
    }

    fn finish(mut self) -> io::Result<usize> {
        self.file.flush()?;
        Ok(self.rows)
    }
}

impl Gen {
    /// Writes the export into `out`; returns the rows per file.
    pub fn write(&self, out: &Path, cp1252: bool) -> io::Result<Vec<(&'static str, usize)>> {
        std::fs::create_dir_all(out)?;
        let enc = || {
            if cp1252 {
                Encoding::Cp1252
            } else {
                Encoding::Utf8Bom
            }
        };
        Ok(vec![
            ("elever.csv", self.write_elever(out, enc())?),
            ("personal.csv", self.write_personal(out, enc())?),
            ("grupper.csv", self.write_grupper(out, enc())?),
            ("medlemskap.csv", self.write_medlemskap(out, enc())?),
            ("ad_users.csv", self.write_ad(out)?),
        ])
    }

    fn write_elever(&self, dir: &Path, enc: Encoding) -> io::Result<usize> {
        let header = "Personnummer;Förnamn;Efternamn;Skolenhetskod;Skola;Klass;Årskurs;Startdatum;Slutdatum;SkyddadIdentitet";
        let mut out = Out::create(&dir.join("elever.csv"), header, enc)?;
        for s in self.students.iter().chain(&self.old_rows) {
            let school = &self.schools[s.school];
            let class = s
                .class
                .or(s.moved_to)
                .map_or("", |c| self.groups[c].name.as_str());
            let protected = if s.protected { "J" } else { "N" };
            out.line(&format!(
                "{};{};{};{};{};{class};{};{};{};{protected}",
                s.pnr, s.first, s.last, school.code, school.name, s.grade, s.start, s.end
            ))?;
        }
        out.finish()
    }

    fn write_personal(&self, dir: &Path, enc: Encoding) -> io::Result<usize> {
        let header = "Personnummer;Förnamn;Efternamn;Skolenhetskod;Befattning;AnställningStart;AnställningSlut";
        let mut out = Out::create(&dir.join("personal.csv"), header, enc)?;
        for s in &self.staff {
            let code = &self.schools[s.school].code;
            out.line(&format!(
                "{};{};{};{code};{};{};{}",
                s.pnr, s.first, s.last, s.title, s.start, s.end
            ))?;
        }
        for s in &self.staff_extra {
            let code = &self.schools[s.school].code;
            out.line(&format!(
                "{};{};{};{code};{};{};{}",
                s.pnr, s.first, s.last, s.title, s.start, s.end
            ))?;
        }
        out.finish()
    }

    fn write_grupper(&self, dir: &Path, enc: Encoding) -> io::Result<usize> {
        let header = "GruppId;Namn;Typ;Skolenhetskod;Läsår;Startdatum;Slutdatum;TillLMS";
        let mut out = Out::create(&dir.join("grupper.csv"), header, enc)?;
        for g in &self.groups {
            let code = &self.schools[g.school].code;
            let lms = if g.to_lms { "J" } else { "N" };
            out.line(&format!(
                "{};{};{};{code};{};{};{};{lms}",
                g.gid, g.name, g.typ, g.lasar, g.start, g.end
            ))?;
        }
        out.finish()
    }

    fn write_medlemskap(&self, dir: &Path, enc: Encoding) -> io::Result<usize> {
        let header = "GruppId;Personnummer;Roll;Startdatum;Slutdatum";
        let mut out = Out::create(&dir.join("medlemskap.csv"), header, enc)?;
        let span = |g: usize, start: &str, end: &str| {
            let group = &self.groups[g];
            let a = if group.start > start {
                group.start
            } else {
                start
            };
            let b = if end.is_empty() || group.end < end {
                group.end
            } else {
                end
            };
            format!("{a};{b}")
        };
        for s in &self.students {
            for g in s.class.into_iter().chain(s.groups.iter().copied()) {
                out.line(&format!(
                    "{};{};Elev;{}",
                    self.groups[g].gid,
                    s.pnr,
                    span(g, &s.start, &s.end)
                ))?;
            }
        }
        for t in &self.staff {
            for &g in &t.groups {
                out.line(&format!(
                    "{};{};Lärare;{}",
                    self.groups[g].gid,
                    t.pnr,
                    span(g, &t.start, &t.end)
                ))?;
            }
        }
        for (g, pnr, role, a, b) in &self.extra_mem {
            out.line(&format!("{};{pnr};{role};{a};{b}", self.groups[*g].gid))?;
        }
        out.finish()
    }

    fn write_ad(&self, dir: &Path) -> io::Result<usize> {
        let header = "employeeNumber,sAMAccountName,mail,userPrincipalName,enabled";
        let mut out = Out::create(&dir.join("ad_users.csv"), header, Encoding::Utf8)?;
        for a in &self.ad {
            out.line(&format!(
                "{},{},{},{},{}",
                a.employee_number, a.sam, a.mail, a.mail, a.enabled
            ))?;
        }
        out.finish()
    }
}
