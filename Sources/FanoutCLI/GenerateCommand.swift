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

struct GenerateCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic, realistic participant population as CSV.",
        discussion: """
            Participants cluster around real places weighted by population (GeoNames, CC BY 4.0), with some rural \
            spread, about 3% across the Belgian and German borders, households sharing an exact address, and ids \
            that are a permutation of 1...N not in row order. The same --count and --seed always give the same file.

            Output file: \(outputFilesHelp)
            """)

    @Option(help: ArgumentHelp("Number of participants.", valueName: "N"))
    var count: Int

    @Option(help: ArgumentHelp("Random seed.", valueName: "N"))
    var seed: UInt64 = 1

    @Option(
        help: ArgumentHelp(
            "Output CSV file (written to a temporary file and renamed when complete; a FIFO or device in place).",
            valueName: "FILE"))
    var out: String

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be a positive number, got \(count)") }
        guard count <= PopulationGenerator.maxCount else {
            throw ValidationError("--count \(count) is more than 100 million")
        }
    }

    func run() throws {
        let writer = try AtomicFileWriter(target: try checkOutput(out))
        let progress = ProgressLine()
        let clock = ContinuousClock()
        let start = clock.now
        try PopulationGenerator.writeCSV(
            count: count, seed: seed, places: try PlaceTable.load(), countries: try .borders(.data(commandData)),
            progress: { n in progress.update("generating: \(grouped(n)) of \(grouped(count))") },
            into: { try writer.write($0) })
        try writer.commit()
        progress.finish()
        note("wrote \(grouped(count)) participants to \(out) in \(duration((clock.now - start).seconds))")
    }
}
