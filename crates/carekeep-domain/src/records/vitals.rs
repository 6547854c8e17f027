//! Vital signs with units, and the plausible ranges that catch a typo before it enters a chart
//! (a pulse of 720 is a slip of the finger, not a patient). Ranges are physiological extremes,
//! wide on purpose: they refuse impossible values, not worrying ones.

use super::{invalid, Invalid};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TempUnit {
    C,
    F,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightUnit {
    Kg,
    Lb,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeightUnit {
    Cm,
    In,
}

/// One set of vitals; any may be missing, but not all.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vitals {
    pub systolic_mmhg: Option<u16>,
    pub diastolic_mmhg: Option<u16>,
    pub pulse_bpm: Option<u16>,
    pub temperature: Option<f32>,
    pub temperature_unit: Option<TempUnit>,
    pub weight: Option<f32>,
    pub weight_unit: Option<WeightUnit>,
    pub height: Option<f32>,
    pub height_unit: Option<HeightUnit>,
    pub spo2_percent: Option<u8>,
}

fn range<T: PartialOrd + Copy + std::fmt::Display>(
    label: &str,
    v: Option<T>,
    lo: T,
    hi: T,
    unit: &str,
) -> Result<(), Invalid> {
    match v {
        Some(x) if !(lo..=hi).contains(&x) => invalid(format!("{label} must be between {lo} and {hi} {unit}")),
        _ => Ok(()),
    }
}

impl Vitals {
    /// Refuses an empty set, a missing unit, and values outside plausible ranges.
    pub fn check(self) -> Result<Vitals, Invalid> {
        let v = &self;
        let any = v.systolic_mmhg.is_some()
            || v.diastolic_mmhg.is_some()
            || v.pulse_bpm.is_some()
            || v.temperature.is_some()
            || v.weight.is_some()
            || v.height.is_some()
            || v.spo2_percent.is_some();
        if !any {
            return invalid("enter at least one vital sign");
        }
        if v.systolic_mmhg.is_some() != v.diastolic_mmhg.is_some() {
            return invalid("blood pressure needs both systolic and diastolic values");
        }
        range("systolic pressure", v.systolic_mmhg, 50, 300, "mmHg")?;
        range("diastolic pressure", v.diastolic_mmhg, 20, 200, "mmHg")?;
        if let (Some(s), Some(d)) = (v.systolic_mmhg, v.diastolic_mmhg) {
            if s <= d {
                return invalid("systolic pressure must be higher than diastolic");
            }
        }
        range("pulse", v.pulse_bpm, 20, 250, "beats per minute")?;
        range("SpO2", v.spo2_percent, 50, 100, "%")?;
        for (label, has_value, has_unit) in [
            ("temperature", v.temperature.is_some(), v.temperature_unit.is_some()),
            ("weight", v.weight.is_some(), v.weight_unit.is_some()),
            ("height", v.height.is_some(), v.height_unit.is_some()),
        ] {
            if has_value && !has_unit {
                return invalid(format!("the {label} needs a unit"));
            }
        }
        for x in [v.temperature, v.weight, v.height].into_iter().flatten() {
            if !x.is_finite() {
                return invalid("vital signs must be numbers");
            }
        }
        match v.temperature_unit {
            Some(TempUnit::C) => range("temperature", v.temperature, 30.0, 45.0, "°C")?,
            Some(TempUnit::F) => range("temperature", v.temperature, 86.0, 113.0, "°F")?,
            None => {}
        }
        match v.weight_unit {
            Some(WeightUnit::Kg) => range("weight", v.weight, 0.3, 500.0, "kg")?,
            Some(WeightUnit::Lb) => range("weight", v.weight, 0.7, 1100.0, "lb")?,
            None => {}
        }
        match v.height_unit {
            Some(HeightUnit::Cm) => range("height", v.height, 20.0, 250.0, "cm")?,
            Some(HeightUnit::In) => range("height", v.height, 8.0, 100.0, "in")?,
            None => {}
        }
        Ok(self)
    }
}

/// A measurement to one decimal place, without a trailing `.0`.
fn one_decimal(x: f32) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

impl Vitals {
    /// A one-line summary for the chart's history.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(s), Some(d)) = (self.systolic_mmhg, self.diastolic_mmhg) {
            parts.push(format!("BP {s}/{d} mmHg"));
        }
        if let Some(p) = self.pulse_bpm {
            parts.push(format!("pulse {p} bpm"));
        }
        if let (Some(t), Some(u)) = (self.temperature, self.temperature_unit) {
            parts.push(format!(
                "temp {} °{}",
                one_decimal(t),
                if u == TempUnit::C { "C" } else { "F" }
            ));
        }
        if let (Some(w), Some(u)) = (self.weight, self.weight_unit) {
            parts.push(format!(
                "weight {} {}",
                one_decimal(w),
                if u == WeightUnit::Kg { "kg" } else { "lb" }
            ));
        }
        if let (Some(h), Some(u)) = (self.height, self.height_unit) {
            parts.push(format!(
                "height {} {}",
                one_decimal(h),
                if u == HeightUnit::Cm { "cm" } else { "in" }
            ));
        }
        if let Some(o) = self.spo2_percent {
            parts.push(format!("SpO2 {o}%"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(s: u16, d: u16) -> Vitals {
        Vitals {
            systolic_mmhg: Some(s),
            diastolic_mmhg: Some(d),
            ..Vitals::default()
        }
    }

    #[test]
    fn plausible_ranges() {
        let cases: &[(Vitals, bool)] = &[
            (bp(120, 80), true),
            (bp(80, 120), false),
            (bp(400, 80), false),
            (
                Vitals {
                    systolic_mmhg: Some(120),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    pulse_bpm: Some(72),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    pulse_bpm: Some(720),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    temperature: Some(37.0),
                    temperature_unit: Some(TempUnit::C),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    temperature: Some(98.6),
                    temperature_unit: Some(TempUnit::F),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    temperature: Some(98.6),
                    temperature_unit: Some(TempUnit::C),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    temperature: Some(37.0),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    weight: Some(70.0),
                    weight_unit: Some(WeightUnit::Kg),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    weight: Some(f32::NAN),
                    weight_unit: Some(WeightUnit::Kg),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    height: Some(170.0),
                    height_unit: Some(HeightUnit::Cm),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    height: Some(170.0),
                    height_unit: Some(HeightUnit::In),
                    ..Vitals::default()
                },
                false,
            ),
            (
                Vitals {
                    spo2_percent: Some(98),
                    ..Vitals::default()
                },
                true,
            ),
            (
                Vitals {
                    spo2_percent: Some(101),
                    ..Vitals::default()
                },
                false,
            ),
            (Vitals::default(), false),
        ];
        for (v, ok) in cases {
            assert_eq!(v.clone().check().is_ok(), *ok, "{v:?}");
        }
    }

    #[test]
    fn summary_reads_well() {
        assert_eq!(bp(120, 80).summary(), "BP 120/80 mmHg");
        let t = Vitals {
            temperature: Some(36.6),
            temperature_unit: Some(TempUnit::C),
            weight: Some(67.0),
            weight_unit: Some(WeightUnit::Kg),
            ..Vitals::default()
        };
        assert_eq!(t.summary(), "temp 36.6 °C, weight 67 kg");
    }
}
