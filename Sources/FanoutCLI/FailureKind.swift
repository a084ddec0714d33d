import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutServer
import FanoutTesting
import Foundation
import GRDB
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// What kind of failure an error is, for the one exit-status scheme of the command-line tool.
///
/// Every module has its own error type with its own codes (``GeoError``, ``RegistryError``,
/// ``SelectionError``, ``DispatchError``, ``OutputError``, ``SyntheticError``,
/// ``ProviderAdapterError``, ``AreaToolError``); this is the one place that sorts all of them
/// into four kinds, so that every command ends with the same status for the same kind of
/// problem. SQLite errors wrapped in them are sorted by their result code: a file SQLite cannot
/// open or that is not a database is unreadable input, a busy database is refused, any other
/// SQLite failure is internal.
public enum FailureKind: Sendable, Hashable, CustomStringConvertible {
    /// The input was read but refused: an invalid area, a policy refusal (the confirmation
    /// threshold), an action state that does not allow the command, an unknown action, another
    /// process that holds the ledger and refuses the command, an output path that may not be written.
    case refused
    /// The input cannot be read: a missing file, a parse error, a file that is not a registry,
    /// an unknown EPSG code, a bad configuration file, a missing or unreadable data file.
    case unreadable
    /// A command-line argument is out of its range (a usage error).
    case usage
    /// The engine failed: SQLite I/O, a failed write, GEOS or PROJ failures, anything unexpected.
    case internalFailure

    /// Sorts `error` into its kind.
    ///
    /// - Parameter error: Any error a command ends with.
    public init(of error: any Error) {
        switch error {
        case let e as GeoError: self = Self.kind(of: e)
        case let e as RegistryError: self = Self.kind(of: e)
        case let e as SelectionError: self = e.code == .noRegistry ? .internalFailure : .refused
        case let e as DispatchError: self = Self.kind(of: e)
        case let e as OutputError: self = e.code == .refused ? .refused : .internalFailure
        case let e as SyntheticError: self = Self.kind(of: e)
        case let e as ProviderAdapterError: self = e.code == .invalidConfiguration ? .unreadable : .internalFailure
        case let e as AreaToolError: self = Self.kind(of: e)
        case let e as ServeError: self = e.code == .config ? .unreadable : .refused
        case let e as DatabaseError: self = Self.kind(ofSQLite: e.resultCode)
        case is GeoPackageBinary.DecodingError, is BoundedFile.Failure, is Swift.DecodingError: self = .unreadable
        case let e as CocoaError where e.isFileError && !e.isWriteError: self = .unreadable
        default: self = .internalFailure
        }
    }

    public var description: String {
        switch self {
        case .refused: "refused"
        case .unreadable: "unreadable"
        case .usage: "usage"
        case .internalFailure: "internal"
        }
    }

    // MARK: - Per module

    private static func kind(of e: GeoError) -> FailureKind {
        switch e.code {
        case .parse, .unknownCRS, .correctionGrid, .countryBorders, .municipalities: .unreadable
        case .invalidGeometry, .unsupportedGeometry, .outOfRange, .featureChoice, .unwritable: .refused
        default: .internalFailure  // .geos, .proj
        }
    }

    private static func kind(of e: RegistryError) -> FailureKind {
        switch e.code {
        case .input, .notADatabase, .foreignSchema, .newerSchema, .olderSchema: .unreadable
        default: e.sqliteCode.map { kind(ofSQLite: ResultCode(rawValue: $0)) } ?? .internalFailure
        }
    }

    private static func kind(of e: DispatchError) -> FailureKind {
        switch e.code {
        case .invalidTransition, .unknownAction, .invalidRequest, .confirmationRequired, .ledgerBusy: .refused
        case .invalidConfig: .unreadable
        default: e.cause.map { FailureKind(of: $0) } ?? .internalFailure  // .ledger: by its SQLite cause
        }
    }

    private static func kind(of e: SyntheticError) -> FailureKind {
        switch e.code {
        case .invalidPlaceTable, .missingResource: .unreadable
        case .invalidArgument: .usage
        default: .internalFailure  // .io
        }
    }

    private static func kind(of e: AreaToolError) -> FailureKind {
        switch e.code {
        case .travelTable: .unreadable
        case .unknownIncidentType, .unknownMode, .unwritable: .refused
        case .badArgument: .usage
        default: .internalFailure  // .output: the PNG converter, SQLite
        }
    }

    /// SQLite's primary result code (the extended code's low byte) sorted.
    private static func kind(ofSQLite code: ResultCode) -> FailureKind {
        switch ResultCode(rawValue: code.rawValue & 0xFF) {
        case .SQLITE_CANTOPEN, .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_PERM, .SQLITE_AUTH: .unreadable
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY: .refused
        default: .internalFailure
        }
    }
}

extension CocoaError {
    /// Whether the error is about writing a file (rather than reading one).
    fileprivate var isWriteError: Bool { (CocoaError.Code.fileWriteUnknown.rawValue...699).contains(code.rawValue) }
}
