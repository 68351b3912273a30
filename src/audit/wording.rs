//! How pages say the things the conversion checks look for — traction, calls to action,
//! testimonials, customer logos — in the languages the brand extractor reads (English, German,
//! French, Spanish). Each detector answers the words it found, for the finding's evidence.
//!
//! Traction is not a list of nouns: a business states it with its own ("850 bakeries",
//! "3 million parcels shipped", "12k drivers"), so a count is recognised by its shape — a
//! number of some size, or with a multiplier or a `+`, followed by a noun that is not a unit of
//! time, money or measure — and by the phrases that introduce one ("trusted by", "join").

use std::sync::LazyLock;

use regex::Regex;

/// A count and the (up to two) words after it: `850 bakeries`, `12k drivers`,
/// `3 million parcels shipped`, `12.000 zufriedene Kunden`, `+ de 5 000 clients`.
static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?P<number>\d{1,3}(?:[,.\u{a0}\u{202f}\x20]\d{3})+|\d+(?:[.,]\d+)?)
        \s*
        (?P<multiplier>k|m|mio\.?|mrd\.?|million(?:s|en|es)?|millones|milliers?|thousand|tausend|mil|billion(?:s|en)?)?
        \s*(?P<plus>\+)?
        \s+
        (?P<first>\p{L}[\p{L}\-']*)(?:\s+(?P<second>\p{L}[\p{L}\-']*))?",
    )
    .expect("valid regex")
});

/// Words between a count and its noun.
const ADJECTIVES: &[&str] = &[
    "happy",
    "satisfied",
    "active",
    "loyal",
    "paying",
    "registered",
    "zufriedene",
    "glückliche",
    "aktive",
    "treue",
    "zahlende",
    "satisfaits",
    "heureux",
    "fidèles",
    "actifs",
    "satisfechos",
    "felices",
    "activos",
    "fieles",
];

/// Words after the noun that belong to the claim: "parcels shipped", "Pakete versendet".
const PARTICIPLES: &[&str] = &[
    "shipped",
    "served",
    "delivered",
    "sold",
    "booked",
    "processed",
    "sent",
    "built",
    "installed",
    "planted",
    "treated",
    "trained",
    "hosted",
    "versendet",
    "geliefert",
    "verkauft",
    "gebucht",
    "bearbeitet",
    "livrés",
    "livrées",
    "vendus",
    "vendues",
    "expédiés",
    "servis",
    "enviados",
    "entregados",
    "vendidos",
    "reservados",
];

/// Phrases that put a count forward as proof, whatever noun follows.
static INTRODUCED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(trusted by|used by|loved by|chosen by|relied on by|join(?:ed by)?|over|more than|vertrauen|über|mehr als|plus de|rejoignez|más de|únete a|utilisé par|usado por)\s*$",
    )
    .expect("valid regex")
});

/// Words after a number that make it a quantity of something else than customers or output.
const NOT_TRACTION: &[&str] = &[
    // time
    "second",
    "seconds",
    "minute",
    "minutes",
    "min",
    "hour",
    "hours",
    "hrs",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "yrs",
    "sekunden",
    "minuten",
    "stunden",
    "tage",
    "tagen",
    "wochen",
    "monate",
    "monaten",
    "jahre",
    "jahren",
    "secondes",
    "heures",
    "jours",
    "semaines",
    "mois",
    "ans",
    "années",
    "segundos",
    "minutos",
    "horas",
    "días",
    "dias",
    "semanas",
    "meses",
    "años",
    // money and measures
    "dollars",
    "usd",
    "eur",
    "euro",
    "euros",
    "gbp",
    "pounds",
    "cents",
    "percent",
    "prozent",
    "pour",
    "por",
    "km",
    "kms",
    "miles",
    "meters",
    "metres",
    "kg",
    "grams",
    "litres",
    "liters",
    "mm",
    "cm",
    "inches",
    "gb",
    "mb",
    "tb",
    "ghz",
    "mhz",
    "mph",
    "kmh",
    "calories",
    "kcal",
    // parts of a page or a product, not traction
    "steps",
    "step",
    "fields",
    "words",
    "characters",
    "pages",
    "sizes",
    "colors",
    "colours",
    "items",
    "times",
    "ways",
    "tips",
    "reasons",
    "questions",
    "minutes read",
    "x",
    // units of a rating, handled on their own
    "stars",
    "star",
    "sterne",
    "étoiles",
    "estrellas",
    "out",
    "von",
    "sur",
    "de",
];

/// A rating or a count of reviews: `4.8/5`, `4,8 von 5`, `rated 4.8`, `★★★★★`,
/// `310 reviews`, `1.200 Bewertungen`, `850 avis`.
static RATING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (\d[.,]\d\s*(/\s*5|out\s+of\s+5|von\s+5|sur\s+5|de\s+5|stars?|sternen?|étoiles|estrellas))
        |(rated\s+\d(?:[.,]\d)?)
        |(★{3,})
        |(\d{1,3}(?:[,.\u{a0}\x20]\d{3})*\+?\s+(reviews|ratings|bewertungen|rezensionen|avis|reseñas|opiniones|valoraciones))",
    )
    .expect("valid regex")
});

fn value(number: &str, multiplier: Option<&str>) -> f64 {
    // "12,000" and "12.000" are twelve thousand; "4.8" and "4,8" are four point eight.
    let grouped = number.len() > 4
        || number
            .rsplit(['.', ',', '\u{a0}', '\u{202f}', ' '])
            .next()
            .is_some_and(|last| last.len() == 3 && number.len() > 3);
    let digits: String = if grouped {
        number.chars().filter(char::is_ascii_digit).collect()
    } else {
        number.replace(',', ".")
    };
    let base: f64 = digits.parse().unwrap_or(0.0);
    let factor = match multiplier.map(|m| m.to_lowercase()) {
        Some(m)
            if m == "k"
                || m.starts_with("thousand")
                || m.starts_with("tausend")
                || m == "mil"
                || m.starts_with("millier") =>
        {
            1e3
        }
        Some(m) if m.starts_with('m') => 1e6,
        Some(m) if m.starts_with('b') || m.starts_with("mrd") => 1e9,
        _ => 1.0,
    };
    base * factor
}

/// Counts of customers or output stated the way pages state them, the first found.
pub fn traction(text: &str) -> Option<String> {
    if let Some(rating) = RATING.find(text) {
        return Some(rating.as_str().trim().to_owned());
    }
    for count in COUNT.captures_iter(text) {
        let whole = count.get(0).expect("a match");
        let number = &count["number"];
        let multiplier = count.name("multiplier").map(|m| m.as_str());
        let first = count["first"].to_lowercase();
        let second = count.name("second").map(|m| m.as_str().to_lowercase());
        // "12.000 zufriedene Kunden": the noun follows the adjective.
        let adjective = ADJECTIVES.contains(&first.as_str());
        let noun = if adjective {
            second.clone().unwrap_or_default()
        } else {
            first.clone()
        };
        // A year ("in 2019 customers…") is a date, not a count.
        let year = number.len() == 4
            && multiplier.is_none()
            && number
                .parse::<u32>()
                .is_ok_and(|y| (1900..=2100).contains(&y));
        if year || noun.chars().count() < 3 || NOT_TRACTION.contains(&noun.as_str()) {
            continue;
        }
        // After a currency sign it is a price; after more digits, part of a phone number.
        let before = &text[..whole.start()];
        if before
            .trim_end()
            .ends_with(|c: char| matches!(c, '$' | '€' | '£' | '¥') || c.is_ascii_digit())
        {
            continue;
        }
        let mut end = count.name("first").map_or(whole.end(), |m| m.end());
        if let Some(second) = count.name("second")
            && (adjective || PARTICIPLES.contains(&second.as_str().to_lowercase().as_str()))
        {
            end = second.end();
        }
        let evidence = text[whole.start()..end].trim().to_owned();
        let introduced = INTRODUCED.is_match(before);
        let sized = value(number, multiplier) >= 50.0
            || multiplier.is_some()
            || count.name("plus").is_some();
        if introduced || sized {
            return Some(evidence);
        }
    }
    None
}

/// Verbs (and stems) that open — or, in German, close — a call to action that says what happens.
const ACTION_VERBS: &[&str] = &[
    // English
    "get",
    "start",
    "try",
    "book",
    "buy",
    "sign",
    "join",
    "request",
    "download",
    "schedule",
    "contact",
    "subscribe",
    "shop",
    "order",
    "claim",
    "create",
    "talk",
    "see",
    "apply",
    "register",
    "reserve",
    "add",
    "upgrade",
    "explore",
    "discover",
    "build",
    "launch",
    "watch",
    "grab",
    "find",
    "compare",
    "learn",
    "plan",
    "pre-order",
    "preorder",
    "donate",
    "unlock",
    "rent",
    "hire",
    "enroll",
    "enrol",
    "send",
    "let's",
    "call",
    "chat",
    "meet",
    "pick",
    "choose",
    "browse",
    "view",
    "check",
    "visit",
    "read",
    "calculate",
    "estimate",
    "quote",
    // German (infinitives and imperatives)
    "jetzt",
    "starten",
    "kaufen",
    "bestellen",
    "buchen",
    "testen",
    "anmelden",
    "registrieren",
    "herunterladen",
    "downloaden",
    "anfragen",
    "kontaktieren",
    "entdecken",
    "reservieren",
    "vereinbaren",
    "sichern",
    "abonnieren",
    "ausprobieren",
    "probieren",
    "erhalten",
    "sehen",
    "finden",
    "vergleichen",
    "loslegen",
    "starte",
    "kaufe",
    "bestelle",
    "buche",
    "teste",
    "melde",
    "sichere",
    "entdecke",
    "hole",
    "fordere",
    "kontaktiere",
    // French
    "commander",
    "acheter",
    "essayer",
    "réserver",
    "reserver",
    "découvrir",
    "decouvrir",
    "s'inscrire",
    "inscrivez-vous",
    "télécharger",
    "telecharger",
    "contactez-nous",
    "contacter",
    "demander",
    "demandez",
    "obtenir",
    "obtenez",
    "commencer",
    "commencez",
    "essayez",
    "réservez",
    "découvrez",
    "téléchargez",
    "profitez",
    "rejoindre",
    "rejoignez",
    "voir",
    "prendre",
    "prenez",
    "créer",
    "créez",
    "s'abonner",
    "abonnez-vous",
    // Spanish
    "comprar",
    "compra",
    "reservar",
    "reserva",
    "probar",
    "prueba",
    "descargar",
    "descarga",
    "empieza",
    "empezar",
    "comenzar",
    "comienza",
    "solicitar",
    "solicita",
    "contáctanos",
    "contactar",
    "regístrate",
    "registrarse",
    "suscríbete",
    "suscribirse",
    "descubre",
    "descubrir",
    "obtén",
    "obtener",
    "pide",
    "pedir",
    "únete",
    "unirse",
    "ver",
    "crear",
    "crea",
];

/// Labels that say nothing about the outcome.
const GENERIC: &[&str] = &[
    "submit",
    "click here",
    "click",
    "go",
    "send",
    "ok",
    "enter",
    "more",
    "read more",
    "absenden",
    "senden",
    "weiter",
    "hier klicken",
    "mehr",
    "envoyer",
    "valider",
    "cliquez ici",
    "suite",
    "enviar",
    "haga clic aquí",
    "clic aquí",
    "más",
];

fn clean(word: &str) -> String {
    word.to_lowercase()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .to_owned()
}

/// Whether a label is worded as an action: an action verb first, or (German puts the verb
/// last: "Jetzt kaufen", "Termin buchen") last.
pub fn starts_with_action(text: &str) -> bool {
    let words: Vec<String> = text.split_whitespace().map(clean).collect();
    let is_verb = |w: &String| ACTION_VERBS.contains(&w.as_str());
    words.first().is_some_and(is_verb) || (words.len() <= 4 && words.last().is_some_and(is_verb))
}

/// An action-worded label that is not one of the generic ones.
pub fn is_action_led(text: &str) -> bool {
    let label = text.trim().to_lowercase();
    starts_with_action(text)
        && !GENERIC.contains(&label.trim_end_matches(['!', '.', '›', '→']).trim())
}

static TESTIMONIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?xi)
        testimonial|what\s+(our\s+)?(customers|clients|users|guests|members)\s+(say|think)|case\s+stud|loved\s+by|reviews?\b
        |kundenstimmen|erfahrungsberichte|das\s+sagen\s+unsere|bewertungen|referenzen
        |témoignages?|ce\s+que\s+(disent|pensent)\s+nos|avis\s+(clients|de\s+nos)
        |testimonios|lo\s+que\s+dicen\s+nuestros|opiniones\s+de
        |[“"«„][^”"»“]{25,400}[”"»“]\s*[—–-]\s*\p{Lu}"#,
    )
    .expect("valid regex")
});

/// A testimonial section or a quote with its attribution ("“…” — Maria, head baker").
pub fn testimonial(text: &str) -> Option<String> {
    TESTIMONIAL.find(text).map(|m| {
        let found = m.as_str();
        // A quote is evidence by its opening words, not its whole length.
        if found.chars().count() > 60 {
            format!("{}…", found.chars().take(57).collect::<String>())
        } else {
            found.to_owned()
        }
    })
}

static LOGOS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        trusted\s+by|as\s+seen\s+(in|on)|featured\s+in|used\s+by|our\s+(customers|clients|partners)|backed\s+by|in\s+the\s+press
        |vertrauen\s+uns|bekannt\s+aus|unsere\s+(kunden|partner)|referenzkunden
        |ils\s+nous\s+font\s+confiance|vu\s+(dans|sur)|nos\s+(clients|partenaires)
        |confían\s+en\s+nosotros|nuestros\s+(clientes|socios)|visto\s+en",
    )
    .expect("valid regex")
});

/// A "trusted by" or press line, or, failing that, a row of logo images (three or more images
/// whose alt text or file name says logo, beyond the site's own).
pub fn logos(text: &str, images: &[(Option<&str>, &str)]) -> Option<String> {
    if let Some(line) = LOGOS.find(text) {
        return Some(line.as_str().to_owned());
    }
    let logos = images
        .iter()
        .filter(|(alt, src)| {
            alt.is_some_and(|a| a.to_lowercase().contains("logo"))
                || src.to_lowercase().contains("logo")
        })
        .count();
    (logos > 3).then(|| format!("{logos} logo images"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traction_is_recognised_with_the_business_s_own_nouns() {
        for (text, found) in [
            (
                "Our ovens bake for 850 bakeries across Europe.",
                "850 bakeries",
            ),
            (
                "3 million parcels shipped last year",
                "3 million parcels shipped",
            ),
            ("Drive with 12k drivers in your city", "12k drivers"),
            ("Trusted by 40 clinics in Bavaria", "40 clinics"),
            ("Join 9 neighbours on the waiting list", "9 neighbours"),
            ("Over 2,500+ households use it", "2,500+ households"),
            (
                "12.000 zufriedene Kunden vertrauen uns",
                "12.000 zufriedene Kunden",
            ),
            ("Plus de 5 000 restaurants équipés", "5 000 restaurants"),
            ("Más de 300 clínicas en España", "300 clínicas"),
            ("Rated 4.8 by our guests", "Rated 4.8"),
            ("4,8 von 5 Sternen", "4,8 von 5"),
            ("★★★★★ from hikers", "★★★★★"),
            ("Read all 310 reviews", "310 reviews"),
        ] {
            assert_eq!(traction(text).as_deref(), Some(found), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_traction_are_not_taken_for_it() {
        for text in [
            "Set up in 5 minutes, cancel within 30 days.",
            "Plans from $49 per month",
            "Founded in 2019 by two bakers",
            "3 steps to a better checkout",
            "Free shipping over 100 €",
            "Available in 12 sizes and 4 colours",
            "Ten years of weekly hikes",
            "Only 2 fields to fill in",
        ] {
            assert_eq!(traction(text), None, "{text}");
        }
    }

    #[test]
    fn calls_to_action_are_read_in_each_language() {
        for label in [
            "Get my free audit",
            "Grab a seat",
            "Find your size",
            "Jetzt kaufen",
            "Termin buchen",
            "Kostenlos testen",
            "Réservez une table",
            "Demander une démo",
            "Reserva tu mesa",
            "Prueba gratis",
        ] {
            assert!(is_action_led(label), "{label}");
        }
        for label in [
            "Submit",
            "Absenden",
            "Envoyer",
            "Enviar",
            "Weiter",
            "About us",
            "Read more",
        ] {
            assert!(!is_action_led(label), "{label}");
        }
    }

    #[test]
    fn testimonials_and_logos_are_read_in_each_language() {
        for text in [
            "What our guests say",
            "Kundenstimmen aus der Region",
            "Ils en parlent : témoignages",
            "Lo que dicen nuestros clientes",
            "“The scheduling alone saved us four hours a week.” — Maria Lopez, head baker",
        ] {
            assert!(testimonial(text).is_some(), "{text}");
        }
        assert!(testimonial("We bake bread every morning.").is_none());
        for text in [
            "Bekannt aus Funk und Fernsehen",
            "Ils nous font confiance",
            "Confían en nosotros",
            "As seen on TV",
        ] {
            assert!(logos(text, &[]).is_some(), "{text}");
        }
        let row: Vec<(Option<&str>, &str)> =
            (0..5).map(|_| (Some("Client logo"), "/c.png")).collect();
        assert_eq!(logos("", &row).as_deref(), Some("5 logo images"));
        assert!(logos("Our bread", &[(Some("Our logo"), "/logo.png")]).is_none());
    }
}
