//! The topics the assessment must reach beyond the rule's 53 rows: what actually hits small
//! clinics (ransomware through an unpatched system, a password phished, PHI mailed to a personal
//! account) and the HHS SRA Tool's questions for small practices. Each topic names the rows whose
//! question asks about it, with the words it uses, and the report gives each topic a section.
//! A topic is not a new legal requirement: it is where an existing one is usually failed.

/// One topic of the assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topic {
    pub key: &'static str,
    /// The topic's name, as the report heads its section.
    pub name: &'static str,
    /// The paragraphs it serves.
    pub cfr: &'static str,
    /// The rows whose question asks about it, and the words that question uses.
    pub asked: &'static [(&'static str, &'static str)],
}

pub const TOPICS: [Topic; 5] = [
    Topic {
        key: "patching",
        name: "Secure configuration, patching and vulnerability scanning",
        cfr: "164.308(a)(1)(ii)(A)-(B), 164.308(a)(5)(ii)(B)",
        asked: &[("ADM-13", "patching"), ("ADM-02", "vulnerabilities")],
    },
    Topic {
        key: "threat_alerts",
        name: "Threat alerts",
        cfr: "164.308(a)(5)(ii)(A)",
        asked: &[("ADM-12", "threat alerts")],
    },
    Topic {
        key: "vendor_oversight",
        name: "Vendor security oversight beyond the BAA",
        cfr: "164.308(b)(3), 164.308(a)(1)(ii)(A)",
        asked: &[("ADM-23", "vendor security oversight")],
    },
    Topic {
        key: "disposal",
        name: "Device and media disposal and re-use",
        cfr: "164.310(d)(2)(i)-(ii)",
        asked: &[("PHY-07", "disposal"), ("PHY-08", "re-use")],
    },
    Topic {
        key: "phishing",
        name: "Phishing and email",
        cfr: "164.308(a)(5)(i), 164.308(a)(6)(ii)",
        asked: &[("ADM-12", "phishing")],
    },
];

pub fn by_key(key: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::super::specs::by_id;
    use super::*;

    /// Each topic is asked by the rows it names, in the words it names, and those rows carry
    /// the paragraph the topic serves (or one of its standards).
    #[test]
    fn every_topic_is_asked() {
        let cases: [(&str, &[&str]); 5] = [
            // 164.308(a)(5)(ii)(B) protection from malicious software; 164.308(a)(1)(ii)(B) risk management.
            ("patching", &["ADM-13", "ADM-02"]),
            // 164.308(a)(5)(ii)(A) security reminders.
            ("threat_alerts", &["ADM-12"]),
            // 164.308(b)(3) written contract or other arrangement.
            ("vendor_oversight", &["ADM-23"]),
            // 164.310(d)(2)(i) disposal, (ii) media re-use.
            ("disposal", &["PHY-07", "PHY-08"]),
            // 164.308(a)(5) security awareness and training.
            ("phishing", &["ADM-12"]),
        ];
        assert_eq!(cases.len(), TOPICS.len());
        for (key, rows) in cases {
            let topic = by_key(key).unwrap();
            let asked: Vec<&str> = topic.asked.iter().map(|(id, _)| *id).collect();
            assert_eq!(asked, rows, "{key}");
            for (id, words) in topic.asked {
                let spec = by_id(id).unwrap();
                let text = format!("{} {}", spec.question, spec.good).to_lowercase();
                assert!(text.contains(words), "{key}: {id} does not ask about {words}");
                let paragraph = spec.cfr.split('(').take(3).collect::<Vec<_>>().join("(");
                assert!(
                    topic.cfr.contains(&paragraph),
                    "{key}: {id} ({}) is not under {}",
                    spec.cfr,
                    topic.cfr
                );
            }
        }
    }
}
