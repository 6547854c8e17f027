//! The readiness profile for the proposed Security Rule (January 2025 NPRM). PROPOSED, NOT
//! LAW: a separate view over the system's own evidence. It reads the dashboard and the risk
//! assessment but writes nothing and feeds nothing back: the dashboard's legal standing is
//! computed without it. The network map's facts come from the technology inventory.

use crate::{Actor, App, AppError};
use carekeep_domain::program::readiness::{self, Evidence};
use carekeep_domain::program::sra::answers::Answer;
use carekeep_domain::program::sra::specs::SPECS;
use carekeep_domain::Capability;
use carekeep_store::sra as sra_store;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReadinessItem {
    pub key: &'static str,
    pub title: &'static str,
    pub proposal: &'static str,
    /// ready, not_ready or unknown.
    pub standing: &'static str,
    pub standing_label: &'static str,
    pub evidence: String,
}

/// A device or system on the network map.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MapDevice {
    pub name: String,
    pub kind: String,
    pub holds_ephi: bool,
    pub encrypted: bool,
}

/// One place the clinic's devices sit (the inventory's locations).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MapNetwork {
    pub name: String,
    pub devices: Vec<MapDevice>,
}

/// The network map: the clinic's networks and devices, Carekeep, its backups and each vendor
/// handling PHI; ePHI flows between each network and Carekeep, from Carekeep to its backups,
/// and out to each vendor.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NetworkMap {
    pub networks: Vec<MapNetwork>,
    /// Where backups go (a folder, an off-site copy), or empty when none are set up.
    pub backups: Vec<String>,
    pub vendors: Vec<String>,
    /// Whether connections to Carekeep are encrypted.
    pub tls: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReadinessView {
    /// "PROPOSED, NOT LAW ...": shown on every screen, page and printout of the profile.
    pub banner: &'static str,
    pub items: Vec<ReadinessItem>,
    pub ready: usize,
    pub map: NetworkMap,
}

impl App {
    /// The profile on today's evidence. Reading it changes nothing.
    pub async fn readiness(&self, actor: &Actor<'_>) -> Result<ReadinessView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let today = self.clinic_today();
        let checklist = self.dashboard(actor).await?;
        let mfa_everywhere = checklist.iter().any(|i| i.key == "mfa" && i.standing != "gap");
        let vendors = self.vendors(actor).await?;
        let facts = self.facts_row().await?;
        let host = self.settings().host.clone();
        let mut conn = self.store().read().await?;
        let newest = sra_store::assessments(&mut conn).await?.into_iter().next();
        let (answers, assets) = match &newest {
            Some(a) => (
                sra_store::answers(&mut conn, a.id).await?,
                sra_store::assets(&mut conn, a.id).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let drill = carekeep_store::backups::latest_timed(&mut conn, "verify").await?;
        drop(conn);
        let live: Vec<&sra_store::AssetRow> = assets.iter().filter(|a| a.retired_on.is_none()).collect();
        let addressable_not_implemented = SPECS
            .iter()
            .filter(|s| !s.required)
            .filter(|s| {
                answers.iter().any(|a| {
                    a.spec_id == s.id
                        && matches!(
                            Answer::parse(&a.answer),
                            Some(Answer::NotImplemented | Answer::Alternative)
                        )
                })
            })
            .map(|s| s.id.to_owned())
            .collect();
        let device_kind = |k: &str| !matches!(k, "cloud" | "other");
        let date = |s: &Option<String>| {
            s.as_deref()
                .and_then(|d| carekeep_domain::records::patient::parse_date(d).ok())
        };
        // TLS from carekeep.toml, or a network choice on the set-up path whose certificate is
        // in date ("this computer only" sends nothing over a network, so it is not counted).
        let in_transit = host.transport != crate::app::Transport::Plain
            || (self.transport_evidence().await?.0
                && self
                    .network_mode()
                    .await?
                    .is_some_and(carekeep_domain::program::network::Mode::on_the_network));
        let evidence = Evidence {
            addressable_not_implemented,
            encrypted_at_rest: host.master_key_private() != Some(false),
            encrypted_in_transit: in_transit,
            unencrypted_devices: live
                .iter()
                .filter(|a| !a.system && a.holds_ephi && device_kind(&a.kind) && !a.encrypted)
                .count(),
            mfa_everywhere,
            inventory: live.len(),
            inventory_incomplete: live
                .iter()
                .filter(|a| {
                    !a.system
                        && (a.owner.trim().is_empty()
                            || a.location.trim().is_empty()
                            || (device_kind(&a.kind) && a.kind != "media" && a.os.trim().is_empty()))
                })
                .count(),
            last_drill: drill.map(|(at, ok, seconds)| (self.clinic_zone().local(at).date(), ok, seconds)),
            last_scan: date(&facts.last_scan_on),
            last_pentest: date(&facts.last_pentest_on),
            last_audit: date(&facts.last_audit_on),
        };
        // The patients' door (issue 27): a portal whose certificate browsers refuse is a
        // connection that cannot be made safely, said beside the encryption item.
        let door = self.portal_door_standing();
        let items: Vec<ReadinessItem> = readiness::profile(&evidence, today)
            .into_iter()
            .map(|mut i| {
                if let (Some(d), "encryption") = (&door, i.key) {
                    i.evidence = format!("{} {}", i.evidence, d.words);
                    if !d.ok {
                        i.standing = readiness::Readiness::NotReady;
                    }
                }
                ReadinessItem {
                    key: i.key,
                    title: i.title,
                    proposal: i.proposal,
                    standing: i.standing.as_str(),
                    standing_label: i.standing.label(),
                    evidence: i.evidence,
                }
            })
            .collect();
        let mut networks: Vec<MapNetwork> = Vec::new();
        for a in live.iter().filter(|a| !a.system && a.kind != "cloud") {
            let place = match a.location.trim() {
                "" => "Location not recorded".to_owned(),
                l => l.to_owned(),
            };
            let device = MapDevice {
                name: a.name.clone(),
                kind: a.kind.clone(),
                holds_ephi: a.holds_ephi,
                encrypted: a.encrypted,
            };
            match networks.iter_mut().find(|n| n.name.eq_ignore_ascii_case(&place)) {
                Some(n) => n.devices.push(device),
                None => networks.push(MapNetwork {
                    name: place,
                    devices: vec![device],
                }),
            }
        }
        let mut backups = Vec::new();
        if let Some(dir) = &host.backup_dir {
            backups.push(format!("Nightly backups to {}", dir.display()));
        }
        if let Some((place, vendor)) = &host.backup_offsite {
            backups.push(format!("Off-site copies at {place} ({vendor})"));
        }
        let mut vendor_names: Vec<String> = vendors
            .iter()
            .filter(|v| !v.retired && v.needs_baa)
            .map(|v| v.name.clone())
            .collect();
        for a in live.iter().filter(|a| !a.system && a.kind == "cloud") {
            if !vendor_names.iter().any(|v| v.eq_ignore_ascii_case(&a.name)) {
                vendor_names.push(a.name.clone());
            }
        }
        Ok(ReadinessView {
            banner: readiness::BANNER,
            ready: items.iter().filter(|i| i.standing == "ready").count(),
            items,
            map: NetworkMap {
                networks,
                backups,
                vendors: vendor_names,
                tls: evidence.encrypted_in_transit,
            },
        })
    }
}
