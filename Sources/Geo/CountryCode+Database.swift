import GRDB

extension CountryCode: DatabaseValueConvertible {
    /// The two letters as text (the registry's `country` column).
    public var databaseValue: DatabaseValue { description.databaseValue }

    /// The code a stored text holds, or `nil` when it is not two ASCII letters.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> CountryCode? {
        String.fromDatabaseValue(dbValue).flatMap { CountryCode($0) }
    }
}
