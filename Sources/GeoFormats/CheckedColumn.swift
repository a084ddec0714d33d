import Foundation
import GRDB
import Geo

// MARK: - Checked reads of database columns

/// A database value that cannot be read as the reader needs it: NULL where a value is required,
/// or a value of another storage class (text where a number is needed).
///
/// GRDB's typed subscripts (`let x: Int64 = row[0]`) stop the process on such a value; files
/// from outside (a GeoPackage, a registry edited by another tool) may hold anything, so every
/// read of their content goes through ``GRDB/Row/checked(_:_:in:)`` instead. The message names
/// the table and column and the storage classes, never the value (it may be personal data).
package struct ColumnReadError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The table (or view, or query) the row came from.
    package var table: String
    /// The column's name in the result row.
    package var column: String
    /// The storage class found: `NULL`, `INTEGER`, `REAL`, `TEXT` or `BLOB`.
    package var found: String
    /// What the reader needs: `an integer`, `a number`, `text`, `a blob`.
    package var expected: String

    package var description: String {
        "table '\(AreaFeatures.clean(table, limit: 60))', column '\(AreaFeatures.clean(column, limit: 60))': "
            + "\(found) where \(expected) is needed"
    }
}

extension Row {
    /// The value at `index` as `T`, or an error naming the table and column.
    ///
    /// - Parameters:
    ///   - index: The column's position in the row.
    ///   - type: The type to read.
    ///   - table: The table or view the row came from, for the message.
    /// - Throws: ``ColumnReadError`` for NULL, or a value that does not convert to `T` (GRDB's
    ///   typed subscript would trap on both).
    package func checked<T: DatabaseValueConvertible>(_ index: Int, _ type: T.Type = T.self, in table: String)
        throws(ColumnReadError) -> T
    {
        let value: DatabaseValue = self[index]
        guard let converted = T.fromDatabaseValue(value) else { throw columnError(index, value, T.self, table) }
        return converted
    }

    /// The value at `index` as `T`, `nil` for NULL, or an error naming the table and column.
    ///
    /// - Throws: ``ColumnReadError`` for a value that is not NULL and does not convert to `T`.
    package func checkedOptional<T: DatabaseValueConvertible>(
        _ index: Int, _ type: T.Type = T.self, in table: String
    ) throws(ColumnReadError) -> T? {
        let value: DatabaseValue = self[index]
        if value.isNull { return nil }
        guard let converted = T.fromDatabaseValue(value) else { throw columnError(index, value, T.self, table) }
        return converted
    }

    private func columnError<T>(_ index: Int, _ value: DatabaseValue, _ type: T.Type, _ table: String)
        -> ColumnReadError
    {
        let names = Array(columnNames)
        let column = index < names.count ? names[index] : "#\(index + 1)"
        return ColumnReadError(
            table: table, column: column, found: Self.storageClass(value), expected: Self.expectedName(T.self))
    }

    /// SQLite's name for the storage class of a value.
    static func storageClass(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64: "INTEGER"
        case .double: "REAL"
        case .string: "TEXT"
        case .blob: "BLOB"
        }
    }

    static func expectedName<T>(_ type: T.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "text"
        case is Data.Type: "a blob"
        default: "a \(type) value"
        }
    }
}
