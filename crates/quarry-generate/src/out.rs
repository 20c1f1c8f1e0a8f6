//! The table writers of a run and the path from a built row to the sink.

use crate::GenerateError;
use crate::row::TableWriter;
use crate::sink::Sink;

macro_rules! tables {
    ($($t:ident),* $(,)?) => {
        /// The tables the generator writes (every documented Defender table).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($t),* }

        impl T {
            pub const ALL: &[T] = &[$(T::$t),*];
            pub fn name(self) -> &'static str {
                match self { $(T::$t => stringify!($t)),* }
            }
        }
    };
}

tables! {
    AlertEvidence, AlertInfo, BehaviorInfo, CloudAppEvents, DeviceEvents,
    DeviceFileCertificateInfo, DeviceFileEvents, DeviceImageLoadEvents, DeviceInfo,
    DeviceLogonEvents, DeviceNetworkEvents, DeviceNetworkInfo, DeviceProcessEvents,
    DeviceRegistryEvents, DeviceTvmSecureConfigurationAssessment,
    DeviceTvmSecureConfigurationAssessmentKB, DeviceTvmSoftwareInventory,
    DeviceTvmSoftwareVulnerabilities, DeviceTvmSoftwareVulnerabilitiesKB, EmailAttachmentInfo,
    EmailEvents, EmailPostDeliveryEvents, EmailUrlInfo, IdentityDirectoryEvents, IdentityInfo,
    IdentityLogonEvents, IdentityQueryEvents, UrlClickEvents,
}

pub(crate) struct Out<'s> {
    sink: &'s mut dyn Sink,
    writers: Vec<TableWriter>,
    pub counts: Vec<u64>,
}

impl<'s> Out<'s> {
    pub fn new(sink: &'s mut dyn Sink) -> Result<Out<'s>, GenerateError> {
        let mut writers = Vec::with_capacity(T::ALL.len());
        for t in T::ALL {
            let table = defender_schema::table(t.name())
                .ok_or_else(|| GenerateError::Schema(t.name().to_string()))?;
            writers.push(TableWriter::new(table));
        }
        Ok(Out {
            sink,
            writers,
            counts: vec![0; T::ALL.len()],
        })
    }

    /// The cleared row of `t`, ready to fill.
    #[inline]
    pub fn begin(&mut self, t: T) -> &mut TableWriter {
        let w = &mut self.writers[t as usize];
        w.row.clear();
        w
    }

    /// Hands the row of `t` to the sink.
    #[inline]
    pub fn commit(&mut self, t: T) -> Result<(), GenerateError> {
        let w = &mut self.writers[t as usize];
        w.finish_row();
        self.counts[t as usize] += 1;
        self.sink.record(w.table, &w.row)
    }

    pub fn finish(&mut self) -> Result<(), GenerateError> {
        self.sink.finish()
    }
}
