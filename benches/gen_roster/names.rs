//! The name lists of the reference generator (gen_roster.py): Swedish and Nordic first and
//! family names with å, ä, ö, é, ü, ø, æ, hyphens, spaces and apostrophes.

pub const BOYS: &str =
    "William Liam Noah Hugo Lucas Oliver Oscar Elias Alexander Adam Viktor Leo Vincent
Ludvig Axel Arvid Filip Isak Theo Olle Alvin Harry Melvin Nils Albin Edvin Love Sixten Ville
Malte Gustav Emil Anton Erik Viggo Sigge Jack Charlie Elton Loke Otto Ebbe Folke Kevin Mohammed
Ali Omar Yusuf Ibrahim Ahmad Noel Max Jonathan Samuel Benjamin Elliot Wilmer Josef Sam Måns
Björn Sölve Tage Jöns Åke Göran Håkan Östen Sören Bjørn Søren Jørgen Kjell Tor Matteo Mio Aron
Hampus Rasmus Milo Frans Idris Yasin Hamza Mustafa Abdullahi Kasper Valter Levi Wille Tim
Anders Johan Lars Mikael Per Karl Stefan Jan Thomas Daniel Fredrik Mattias Andreas Magnus
Peter Jonas Niklas Marcus Henrik Patrik Tobias Joakim Christoffer René Noé Jesús";

pub const GIRLS: &str =
    "Alice Maja Elsa Astrid Wilma Freja Alva Selma Ebba Vera Olivia Ella Saga Agnes Clara
Signe Stella Alma Lilly Ellie Ines Leah Ester Majken Tyra Elvira Juni Nora Hedda Ida Nova Ellen
Edith Meja Moa Thea Emilia Sara Hanna Linnéa Märta Sofia Ronja Amira Fatima Zeynep Aya Mariam
Hilda Iris Sigrid Åsa Lovisa Ingrid Tilde Matilda Julia Evelina Elin Greta Siri Liv Klara Ylva
Sølvi Åse Mærta Zoé Andrée Renée Chloé Maïa Hawa Sumaya Hiba Leyla Nour Lejla Asta Svea Idun
Elvi Tuva Bianca Cornelia Felicia Ronja Tindra Lykke Minna Elina Anna Eva Maria Karin Kristina
Lena Kerstin Marie Malin Ingela Sofie Camilla Jenny Helena Annika Susanne Linda Åsa Birgitta
Ulrika Petra Gunilla Ann Mona Britt Sanna Frida Jessica Therese";

pub const DOUBLE_FIRST_M: &[&str] = &[
    "Karl-Johan",
    "Per-Erik",
    "Lars-Göran",
    "Jan-Åke",
    "Carl-Fredrik",
    "Hans-Olof",
    "Sven-Erik",
    "Nils-Åke",
];
pub const DOUBLE_FIRST_F: &[&str] = &[
    "Anna-Karin",
    "Eva-Lena",
    "Ann-Sofie",
    "Britt-Marie",
    "Ann-Christin",
    "Maj-Britt",
    "Lise-Lott",
    "Anna-Lena",
];

pub const SURNAMES: &str =
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson
Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson
Olofsson Lindström Lindqvist Lindgren Axelsson Berg Bergström Lundberg Lind Lundgren Lundqvist
Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund
Danielsson Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson
Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson Nordström
Mårtensson Lundström Ali Mohammed Viklund Björklund Eliasson Pålsson Berggren Sandström Lund
Nordin Ström Åberg Hermansson Ekström Holmgren Falk Dahlberg Hellström Hedlund Sundberg Sjögren
Ek Blom Abrahamsson Martinsson Öberg Andreasson Strömberg Månsson Åkesson Hansen Jensen Nielsen
Pedersen Johansen Sørensen Bjørnstad Ødegård Hassan Hussein Ahmed Yilmaz Nguyen Kaya Abdi Omar
Ibrahim Rahimi Khalil Novak Müller Öztürk Çelik Sjödin Östlund Ågren Törnqvist Härström Åström
Lönnberg Bäckström Grönlund Sävström Näslund Skoglund Vikström Lindholm Jakobsen Larsen
Jóhannsson Järvinen Mäkinen Korhonen Virtanen Hämäläinen Nieminen Lehtonen Heikkinen Kuoppala
Aho Saarinen Kallio Sjöholm Rosén Lindén Engdahl Hedén Thorén Frisén Ahlqvist Wahlström";

pub const APOSTROPHE_SURNAMES: &[&str] = &[
    "O'Brien",
    "D'Angelo",
    "N'Diaye",
    "Dell'Orto",
    "O'Connor",
    "D'Costa",
    "O'Neill",
    "D'Souza",
];

pub const SCHOOL_PREFIX: &str =
    "Björk Ek Lind Asp Sjö Ängs Backe Höjd Sol Kvarn Strand Tall Gran Rönn Hassel
Lönn Al Vide Berg Dal Äng Hag Skogs Ros Lärk Trast Falk Örn Ugg Näktergal Fjäril Mosse Kulle
Ås Hög Norr Sör Väster Öster Gärde Torp Bruk Hamn Bro Vik Näs Holm Ö Mälar Vätter";

pub const SCHOOL_SUFFIX: &[&str] = &[
    "skolan",
    "backeskolan",
    "dalsskolan",
    "ängsskolan",
    "höjdens skola",
    "viksskolan",
    "parkskolan",
    "gårdsskolan",
];

pub const AREAS: &str =
    "Norrby Söderby Västra Östra Centrum Hagalund Solbacken Åsen Ängby Älvsjö Bäckby
Råby Skiftinge Tallbacken Gränby Gottsunda Sävja Kåbo Luthagen Eriksberg";

/// The words of a list above.
pub fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// Lower case, then the reference generator's ASCII folding for an AD mail address.
pub fn mail_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        push_folded(&mut out, c);
    }
    out
}

/// One lower-case character of a mail address, folded.
fn push_folded(out: &mut String, c: char) {
    match c {
        'å' | 'ä' | 'á' => out.push('a'),
        'ö' | 'ø' | 'ó' => out.push('o'),
        'é' | 'è' => out.push('e'),
        'ü' | 'ú' => out.push('u'),
        'æ' => out.push_str("ae"),
        'ç' => out.push('c'),
        'í' | 'ï' => out.push('i'),
        ' ' => out.push('.'),
        '\'' => {}
        c => out.push(c),
    }
}

/// The same for a sAMAccountName: æ is `a`, and spaces, apostrophes and hyphens go.
pub fn sam_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        match c {
            'æ' => out.push('a'),
            ' ' | '\'' | '-' => {}
            c => push_folded(&mut out, c),
        }
    }
    out
}
