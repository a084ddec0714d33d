import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// The data directory every command reads its data files from: the one named by
/// `FANOUT_DATA_DIR`, else the files bundled with the binary (``DataDirectory/fromEnvironment``).
///
/// The RD grid stays required: a command that transforms positions stops with exit status 3 and
/// a message naming the file and the directory when the grid is missing (`fanout version` says
/// which files a run would use).
let commandData: DataDirectory = .fromEnvironment
