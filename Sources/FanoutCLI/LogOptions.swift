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
import Logging
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// `text` or `json` on the command line: the format of the log lines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// A log level on the command line: trace, debug, info, notice, warning, error or critical.
struct LogLevelArgument: ExpressibleByArgument, CaseIterable {
    var level: Logger.Level

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument) else { return nil }
        self.level = level
    }

    static var allCases: [LogLevelArgument] { Logger.Level.allCases.map { LogLevelArgument(level: $0) } }
    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
    private init(level: Logger.Level) { self.level = level }
}

/// The log options every fanout command has, and the environment variables behind them.
///
/// `--log-level` wins over `FANOUT_LOG_LEVEL`, `--log-format` over `FANOUT_LOG_FORMAT`; the
/// defaults are `info` and `text`. A bad value of a variable is a usage error (exit 64) naming
/// the variable and the allowed values, even when the option is given, so that a misspelt
/// setting never goes unnoticed; a bad option value is refused by the parser the same way.
struct LogOptions: ParsableArguments {
    /// The variable for the level.
    static let levelVariable = "FANOUT_LOG_LEVEL"
    /// The variable for the format.
    static let formatVariable = "FANOUT_LOG_FORMAT"

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Lowest level of the log lines on standard error (default: $\(LogOptions.levelVariable), else info).",
            valueName: "level"))
    var level: LogLevelArgument?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "Log lines as text ('TIME LEVEL LABEL: message key=value ...') or json (one object per line) "
                + "(default: $\(LogOptions.formatVariable), else text).",
            valueName: "format"))
    var format: LogFormat?

    func validate() throws {
        _ = try resolved(environment: ProcessInfo.processInfo.environment)
    }

    /// The level and format in effect: the options, else the variables in `environment`, else
    /// `info` and `text`.
    ///
    /// - Throws: `ValidationError` naming the variable, its value and the allowed values.
    func resolved(environment: [String: String]) throws -> (level: Logger.Level, format: LogFormat) {
        var fromEnvironment: (Logger.Level?, LogFormat?) = (nil, nil)
        if let value = environment[Self.levelVariable], !value.isEmpty {
            guard let parsed = Logger.Level(rawValue: value) else {
                throw ValidationError(Self.badVariable(Self.levelVariable, value, LogLevelArgument.allValueStrings))
            }
            fromEnvironment.0 = parsed
        }
        if let value = environment[Self.formatVariable], !value.isEmpty {
            guard let parsed = LogFormat(rawValue: value) else {
                throw ValidationError(Self.badVariable(Self.formatVariable, value, LogFormat.allValueStrings))
            }
            fromEnvironment.1 = parsed
        }
        return (level?.level ?? fromEnvironment.0 ?? .info, format ?? fromEnvironment.1 ?? .text)
    }

    private static func badVariable(_ name: String, _ value: String, _ allowed: [String]) -> String {
        "environment variable \(name): '\(value)' is not one of \(allowed.joined(separator: ", "))"
    }

    /// Bootstraps swift-log, once per process, with ``CommandLogHandler`` on standard error at
    /// the level and in the format in effect (already checked by ``validate()``).
    func bootstrap(writer: TerminalWriter = .standardError) {
        let (level, format) = (try? resolved(environment: ProcessInfo.processInfo.environment)) ?? (.info, .text)
        LoggingSystem.bootstrap(
            { label, provider in
                CommandLogHandler(
                    format: format, label: label, writer: writer, logLevel: level, metadataProvider: provider)
            }, metadataProvider: nil)
    }
}

/// A command with the log options (every command that runs; see ``Fanout/main()``).
protocol LoggingCommand: ParsableCommand {
    /// The command's `--log-level` and `--log-format`.
    var logging: LogOptions { get }
}
