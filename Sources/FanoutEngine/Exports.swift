@_exported import FanOut
@_exported import FanoutCore
// The library's public surface: the engine facade plus the value types of its modules.
@_exported import Geo
@_exported import ProviderAdapters
@_exported import Registry
@_exported import Selection
@_exported import Synthetic
