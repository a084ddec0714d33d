import ArgumentParser
import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic
import ToolInfo

struct VersionCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print what this fanout is: version, commit, libraries, data files.",
        discussion: """
            Prints the version, the git commit the binary was built from ('unknown' when it was built without git, \
            from a source tarball; '(modified)' when tracked files differed from it), the GEOS, PROJ and SQLite \
            versions the process runs (asked of the libraries, not of the build's headers), and the SHA-256 and path \
            of every data file the engine loads, found as every command finds them (in FANOUT_DATA_DIR when it is \
            set, else bundled with the binary), and the RD New transformation the commands use (RDNAPTRANS2018 with \
            its correction grid, which they require: without it they stop with exit status 3, and this says why). \
            'fanout --version' prints the same text.

            Exit status: 0 printed (also when a data file is missing: it says so), 70 SQLite cannot be asked its \
            version.
            """)

    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws { try Self.printIdentity(json: json) }

    /// Prints this process's identity as text or JSON (for `fanout version` and `fanout --version`).
    static func printIdentity(json: Bool) throws {
        let identity = try ToolIdentity.current()
        if json { return try JSONOutput.print(.version, identity) }
        StandardOutput.print(text(identity))
    }

    /// The text `fanout --version` prints.
    static func text(_ identity: ToolIdentity) -> String {
        var lines = ["fanout \(identity.version)"]
        let state = identity.dirty == true ? " (modified)" : ""
        lines.append("commit \(identity.commit)\(state)")
        lines.append("GEOS \(identity.libraries.geos)")
        lines.append("PROJ \(identity.libraries.proj)")
        lines.append("SQLite \(identity.libraries.sqlite)")
        lines.append("RD New: \(identity.rdTransformation)")
        lines.append("data files (\(identity.dataDirectory)):")
        for f in identity.dataFiles {
            lines.append("  \(f.role): \(f.path)")
            lines.append("    sha256 \(f.sha256 ?? f.problem ?? "unknown")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
