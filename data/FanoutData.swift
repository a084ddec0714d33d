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
    /// (`rdtrans2018.gsb`, `areas/`, ...); it may not exist.
    ///
    /// On Linux the bundle is looked for next to the executable only (`<package>_FanoutData.resources`,
    /// `fanout_FanoutData.resources` when the package is checked out as `fanout`): SwiftPM's own
    /// accessor would fall back to the build directory of the machine that built the binary, and
    /// stop the process when that is gone too. Without the bundle this is where it should be, and
    /// every file is reported missing there. On Apple platforms SwiftPM's `Bundle.module`.
    package static let directory: URL = {
        #if canImport(Darwin)
            return Bundle.module.resourceURL ?? Bundle.module.bundleURL
        #else
            let beside = Bundle.main.bundleURL
            let suffix = "_FanoutData.resources"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: beside.path)) ?? []
            let name =
                names.contains("fanout" + suffix) ? "fanout" + suffix : names.sorted().first { $0.hasSuffix(suffix) }
            return beside.appendingPathComponent(name ?? "fanout" + suffix, isDirectory: true)
        #endif
    }()
}
