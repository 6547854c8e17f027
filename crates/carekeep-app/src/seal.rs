//! The one holder of the clinic's data keys (164.312(a)(2)(iv)). Sealing needs no permission
//! (writing is checked by the use case that writes); opening a column that can carry PHI needs
//! a [`Permit`], which only the policy's gate makes and which puts the access on the trail. The
//! few sealed columns that never carry PHI (sign-in secrets, vendors' and training documents)
//! open by name through [`NotPhi`].

use crate::permit::Permit;
use crate::AppError;
use carekeep_crypto::keys::{Binding, Keyring};
use zeroize::Zeroizing;

#[derive(Debug)]
pub(crate) struct Sealer {
    keyring: Keyring,
}

/// Sealed columns that hold no patient's information.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NotPhi {
    /// A person's TOTP secret, confirmed or awaiting confirmation.
    SignInSecret,
    /// A vendor's BAA or other contract document.
    VendorDocument,
    /// A training certificate.
    TrainingCertificate,
    /// A report behind the security evidence (a scan, a penetration test, an audit).
    SecurityReport,
    /// The private key of the HTTPS certificate or of the clinic's local certificate authority.
    ServerKey,
    /// The password of the clinic's email relay.
    MailPassword,
}

impl Sealer {
    pub(crate) fn new(keyring: Keyring) -> Self {
        Sealer { keyring }
    }

    /// Encrypts `plain` for one column of one row.
    pub(crate) fn seal(&self, at: Binding<'_>, plain: &[u8]) -> Result<Vec<u8>, AppError> {
        Ok(self.keyring.encrypt(at, plain)?)
    }

    /// Decrypts a column that can carry PHI, under a permit. Fails if the ciphertext was moved
    /// from another row or column.
    pub(crate) fn open(&self, _permit: &Permit, at: Binding<'_>, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>, AppError> {
        Ok(self.keyring.decrypt(at, ct)?)
    }

    /// Decrypts a column that never carries PHI.
    pub(crate) fn open_not_phi(
        &self,
        _what: NotPhi,
        at: Binding<'_>,
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, AppError> {
        Ok(self.keyring.decrypt(at, ct)?)
    }
}
