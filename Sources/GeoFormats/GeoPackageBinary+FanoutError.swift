import FanoutCore
import Geo

extension GeoPackageBinary.DecodingError: FanoutError {
    /// The one kind of ``GeoPackageBinary/DecodingError``.
    public enum Code: String, FanoutErrorCode {
        /// The blob is not a standard GeoPackage geometry (the reason is in the message).
        case invalidGeometryBlob

        /// The stable machine name, `geoPackage.invalidGeometryBlob`.
        public var id: String { "geoPackage.\(rawValue)" }
        /// The kind's name.
        public var description: String { rawValue }
    }

    /// Always ``Code/invalidGeometryBlob``.
    public var code: Code { .invalidGeometryBlob }
    /// Why the blob is not a GeoPackage geometry (the ``reason``).
    public var message: String { reason }
}
