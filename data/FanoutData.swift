import Foundation

/// The package's own data files, shipped as this module's SwiftPM resource bundle.
///
/// This directory (`data/`) is both the data directory of a checkout and the `FanoutData`
/// target: SwiftPM copies the files listed in `Package.swift` into the bundle
/// `fanout_FanoutData.resources` (`.bundle` on Apple platforms) next to every binary built from
/// the package, so a binary finds them wherever it is copied, as long as the bundle goes with it.
/// `Geo`'s `DataDirectory.bundled` reads them through ``directory``.
package enum BundledData {
    /// The bundle's resource directory, holding the data files under their own names
    /// (`rdtrans2018.gsb`, `areas/`, ...).
    ///
    /// - Important: SwiftPM's accessor looks for the bundle next to the executable, then in the
    ///   build directory of the machine that built it, and stops the process when it is in neither
    ///   (ship the bundle with the binary).
    package static var directory: URL {
        Bundle.module.resourceURL ?? Bundle.module.bundleURL
    }
}
