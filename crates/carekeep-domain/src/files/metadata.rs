//! Image metadata removed at upload: a phone's photo carries where it was taken (EXIF GPS),
//! when, the device and its owner's name, none of which a chart needs and all of which could
//! identify the patient's home or others (minimum necessary, 164.502(b)). A careful segment
//! filter rather than a decoder: the picture's own bytes are copied unchanged, only the
//! metadata segments and chunks are left out. A JPEG keeps its orientation (rebuilt as the
//! one EXIF field kept) so a photo taken sideways still shows upright.

use crate::records::Invalid;

fn bad<T>() -> Result<T, Invalid> {
    Err(Invalid(
        "the image file is damaged or not what it says; try saving it again".into(),
    ))
}

/// `bytes` without metadata, for the sniffed `content_type`; other kinds are returned as they are.
pub fn strip(content_type: &str, bytes: &[u8]) -> Result<Vec<u8>, Invalid> {
    match content_type {
        "image/jpeg" => jpeg(bytes),
        "image/png" => png(bytes),
        "image/webp" => webp(bytes),
        _ => Ok(bytes.to_vec()),
    }
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?])))
}

/// The EXIF orientation (1 to 8) in an APP1 segment's body, if it has one.
fn orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<usize> {
        let b = [
            *tiff.get(at)?,
            *tiff.get(at + 1)?,
            *tiff.get(at + 2)?,
            *tiff.get(at + 3)?,
        ];
        usize::try_from(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
        .ok()
    };
    let ifd = u32_at(4)?;
    let count = usize::from(u16_at(ifd)?);
    (0..count.min(512)).find_map(|i| {
        let e = ifd + 2 + i * 12;
        (u16_at(e)? == 0x0112 && u16_at(e + 2)? == 3)
            .then(|| u16_at(e + 8))
            .flatten()
            .filter(|o| (1..=8).contains(o))
    })
}

/// An APP1 segment holding only an orientation.
fn orientation_segment(o: u16) -> Vec<u8> {
    let mut body = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    body.extend_from_slice(&o.to_be_bytes());
    body.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&u16::try_from(body.len() + 2).unwrap_or(0).to_be_bytes());
    seg.extend_from_slice(&body);
    seg
}

fn jpeg(b: &[u8]) -> Result<Vec<u8>, Invalid> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return bad();
    }
    let mut out = vec![0xFF, 0xD8];
    let mut kept_orientation = None;
    let mut i = 2;
    loop {
        // Fill bytes: any number of 0xFF before the marker.
        if b.get(i) != Some(&0xFF) {
            return bad();
        }
        while b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let Some(&m) = b.get(i + 1) else { return bad() };
        match m {
            // Start of scan: the picture itself (and anything after it) is copied as is.
            0xDA => {
                if let Some(o) = kept_orientation {
                    // Orientation goes right after SOI and any JFIF header, as readers expect.
                    let at = if out.get(2..4) == Some(&[0xFF, 0xE0]) {
                        4 + be16(&out, 4).unwrap_or(0)
                    } else {
                        2
                    };
                    let at = at.min(out.len());
                    out.splice(at..at, orientation_segment(o));
                }
                out.extend_from_slice(b.get(i..).unwrap_or_default());
                return Ok(out);
            }
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, m]);
                i += 2;
            }
            _ => {
                let Some(len) = be16(b, i + 2) else { return bad() };
                let end = i + 2 + len;
                let (Some(segment), Some(body)) = (b.get(i..end), b.get(i + 4..end)) else {
                    return bad();
                };
                // APP1 (EXIF, XMP), APP3 to APP13 (makers' notes, IPTC), APP15 and comments go;
                // JFIF (APP0), the colour profile (APP2) and Adobe's colour transform (APP14) stay.
                let drop = matches!(m, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE);
                if m == 0xE1 && kept_orientation.is_none() {
                    kept_orientation = orientation(body).filter(|o| *o != 1);
                }
                if !drop {
                    out.extend_from_slice(segment);
                }
                i = end;
            }
        }
    }
}

fn png(b: &[u8]) -> Result<Vec<u8>, Invalid> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !b.starts_with(SIG) {
        return bad();
    }
    let mut out = SIG.to_vec();
    let mut i = SIG.len();
    while i < b.len() {
        let Some(len) = b.get(i..i + 4).and_then(|l| <[u8; 4]>::try_from(l).ok()) else {
            return bad();
        };
        let Ok(len) = usize::try_from(u32::from_be_bytes(len)) else {
            return bad();
        };
        let end = i + 12 + len;
        let (Some(chunk), Some(kind)) = (b.get(i..end), b.get(i + 4..i + 8)) else {
            return bad();
        };
        // Text (which cameras and editors fill with names and places), EXIF and the time.
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        i = end;
        if kind == b"IEND" {
            break;
        }
    }
    Ok(out)
}

fn webp(b: &[u8]) -> Result<Vec<u8>, Invalid> {
    let Some(head) = b.get(..12).filter(|h| h.starts_with(b"RIFF") && h.ends_with(b"WEBP")) else {
        return bad();
    };
    let mut out = head.to_vec();
    let mut i = 12;
    while let Some(kind) = b.get(i..i + 4) {
        let Some(len) = b.get(i + 4..i + 8).and_then(|l| <[u8; 4]>::try_from(l).ok()) else {
            return bad();
        };
        let Ok(len) = usize::try_from(u32::from_le_bytes(len)) else {
            return bad();
        };
        let end = i + 8 + len + (len & 1);
        let Some(chunk) = b.get(i..end) else { return bad() };
        if !matches!(kind, b"EXIF" | b"XMP ") {
            let at = out.len();
            out.extend_from_slice(chunk);
            if kind == b"VP8X" {
                // The header's flags must not promise the chunks left out (EXIF 0x08, XMP 0x04).
                if let Some(flags) = out.get_mut(at + 8) {
                    *flags &= !0x0C;
                }
            }
        }
        i = end;
    }
    let size = u32::try_from(out.len() - 8).map_err(|_| Invalid("the image is too large".into()))?;
    if let Some(field) = out.get_mut(4..8) {
        field.copy_from_slice(&size.to_le_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's segments as (marker, body) up to the scan.
    fn segments(b: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut i = 2;
        while b[i + 1] != 0xDA {
            let len = be16(b, i + 2).unwrap();
            out.push((b[i + 1], b[i + 4..i + 2 + len].to_vec()));
            i += 2 + len;
        }
        out
    }

    fn seg(m: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, m];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// An EXIF block (little-endian, as phones write) with an orientation and a GPS pointer.
    fn exif(orientation: u16) -> Vec<u8> {
        let mut t = b"Exif\0\0II\x2a\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&[2, 0]); // two entries
        t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        t.extend_from_slice(&orientation.to_le_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0x26, 0, 0, 0]); // GPS IFD pointer
        t.extend_from_slice(&[0, 0, 0, 0]);
        t.extend_from_slice(b"GPS 40.7128 N 74.0060 W");
        t
    }

    fn photo(orientation: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        b.extend(seg(0xE1, &exif(orientation)));
        b.extend(seg(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Jane Doe</x:xmpmeta>",
        ));
        b.extend(seg(0xE2, b"ICC_PROFILE\0profile"));
        b.extend(seg(0xFE, b"taken at 12 Elm Street"));
        b.extend(seg(0xDB, &[0; 65]));
        b.extend(seg(0xDA, &[1, 2, 3]));
        b.extend_from_slice(&[0x55, 0xFF, 0x00, 0x66, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_jpeg_loses_gps_xmp_and_comments_and_keeps_its_picture_and_orientation() {
        let out = strip("image/jpeg", &photo(6)).unwrap();
        let text = String::from_utf8_lossy(&out);
        for gone in ["GPS", "40.7128", "Jane Doe", "Elm Street", "xmpmeta"] {
            assert!(!text.contains(gone), "{gone} is removed");
        }
        let kinds: Vec<u8> = segments(&out).iter().map(|s| s.0).collect();
        assert_eq!(kinds, vec![0xE0, 0xE1, 0xE2, 0xDB], "JFIF, orientation, ICC, tables");
        assert_eq!(orientation(&segments(&out)[1].1), Some(6), "still shows upright");
        assert!(out.ends_with(&[0xFF, 0xDA, 0, 5, 1, 2, 3, 0x55, 0xFF, 0x00, 0x66, 0xFF, 0xD9]));
        // Upright already: no EXIF at all.
        let out = strip("image/jpeg", &photo(1)).unwrap();
        assert_eq!(
            segments(&out).iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![0xE0, 0xE2, 0xDB]
        );
        // Stripping twice changes nothing more.
        assert_eq!(strip("image/jpeg", &out).unwrap(), out);
    }

    #[test]
    fn a_damaged_jpeg_is_refused() {
        let p = photo(6);
        assert!(strip("image/jpeg", &p[..30]).is_err());
        assert!(strip("image/jpeg", b"\xFF\xD8\x00").is_err());
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[9, 9, 9, 9]);
        c
    }

    #[test]
    fn a_png_loses_text_exif_and_time() {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        for (k, d) in [
            (b"IHDR", &b"header"[..]),
            (b"eXIf", b"GPS here"),
            (b"tEXt", b"Author\0Jane Doe"),
            (b"tIME", b"when"),
            (b"IDAT", b"pixels"),
            (b"IEND", b""),
        ] {
            b.extend(chunk(k, d));
        }
        let out = strip("image/png", &b).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("IHDR") && text.contains("IDAT") && text.contains("IEND"));
        assert!(!text.contains("GPS") && !text.contains("Jane") && !text.contains("tIME"));
        assert!(strip("image/png", &b[..20]).is_err());
    }

    #[test]
    fn a_webp_loses_exif_and_xmp_and_its_header_says_so() {
        let mut body = b"WEBP".to_vec();
        for (k, d) in [
            (b"VP8X", &[0x0C_u8, 0, 0, 0, 0, 0, 0, 0, 0, 0][..]),
            (b"VP8 ", b"pixels"),
            (b"EXIF", b"GPS!"),
            (b"XMP ", b"Jane"),
        ] {
            body.extend_from_slice(k);
            body.extend_from_slice(&u32::try_from(d.len()).unwrap().to_le_bytes());
            body.extend_from_slice(d);
        }
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        b.extend(body);
        let out = strip("image/webp", &b).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("GPS") && !text.contains("Jane"));
        assert_eq!(out[20], 0, "the VP8X flags no longer promise EXIF or XMP");
        assert_eq!(
            u32::from_le_bytes([out[4], out[5], out[6], out[7]]) as usize,
            out.len() - 8
        );
    }
}
