@_exported import FanOut
// The library's public surface: the engine facade plus the value types of its modules.
@_exported import Geo
@_exported import ProviderAdapters
@_exported import Registry
@_exported import Selection
@_exported import Synthetic
import GeoFormats
