import FanOut
import FanoutCore
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection

// The front door for a control-room service: the names `import FanoutEngine` offers from the
// modules below it. The engine's own types (``Engine``, ``SelectionRequest``,
// ``SelectionResult``, ``ActionSelection``, ``IncidentSource``) are declared in this module.
//
// These are the only names a service needs to open a registry, select the participants inside an
// action area, start and watch an action that honours their preferences, and hand messages to
// providers. The area tools (check, fix, convert, map) are the `FanoutAreaTools` product; the
// simulated and recording providers are the `FanoutTesting` product.

// MARK: - Places and areas

/// A WGS84 position in degrees (longitude, latitude).
public typealias LonLat = Geo.LonLat
/// A position in RD New (EPSG:28992) metres.
public typealias RDPoint = Geo.RDPoint
/// A coordinate reference system by EPSG code.
public typealias CRS = Geo.CRS
/// An action area read from a file or made in code: polygons in their CRS and their attributes.
public typealias AreaGeometry = Geo.AreaGeometry
/// Reads action areas from GeoJSON, WKT, GeoPackage and CAP.
public typealias AreaReader = GeoFormats.AreaReader
/// An ISO 3166-1 country code (NL, BE, DE).
public typealias CountryCode = Geo.CountryCode
/// Where the package's data files (the RD grid, borders, municipalities) are read from.
public typealias DataDirectory = Geo.DataDirectory

// MARK: - Participants

/// The participant registry: one SQLite file of participants and their preferences.
public typealias Registry = Participants.Registry
/// One participant: position, contact data and preferences, validated once.
public typealias ParticipantRecord = Participants.ParticipantRecord
/// A phone number (masked when printed).
public typealias PhoneNumber = Participants.PhoneNumber
/// An e-mail address (masked when printed).
public typealias EmailAddress = Participants.EmailAddress
/// A way to reach a participant: voice, SMS, e-mail, app.
public typealias Channel = Participants.Channel
/// The hours in which a participant is not called on a channel.
public typealias QuietHours = Participants.QuietHours
/// The language a participant's messages are written in.
public typealias Language = Participants.Language
/// The incident types a participant does not want to be alerted for.
public typealias OptOut = Participants.OptOut
/// A kind of incident (a missing child, a robbery, …).
public typealias IncidentType = Participants.IncidentType

// MARK: - Selection

/// One participant inside an action area, with its distance from the incident.
public typealias SelectedParticipant = Selection.SelectedParticipant

// MARK: - Actions and dispatch

/// Fans an action out to its participants, outside-in, and sends the end message.
public typealias Dispatcher = FanOut.Dispatcher
/// The dispatcher's durable record of actions and messages (in the registry's file).
public typealias Ledger = FanOut.Ledger
/// What to start: the incident type, the messages and the channels.
public typealias ActionRequest = FanOut.ActionRequest
/// An action's number in its ledger.
public typealias ActionID = FanOut.ActionID
/// Where an action's recipients' preferences and contact data come from.
public typealias RecipientSource = FanOut.RecipientSource
/// An action's counts and state.
public typealias ActionStatus = FanOut.ActionStatus
/// One ring of an action (its participants by distance band) and how far it has got.
public typealias RingReport = FanOut.RingReport
/// Why one participant was or was not alerted, step by step.
public typealias ActionExplanation = FanOut.ActionExplanation
/// Provider limits, rates and thresholds.
public typealias DispatchConfig = FanOut.DispatchConfig
/// How the dispatcher logs and holds hand-overs.
public typealias DispatchOptions = FanOut.DispatchOptions
/// The clock the dispatcher plans with (the system clock, or a virtual one for simulations).
public typealias DispatchClock = FanOut.DispatchClock
/// The system clock, for a dispatcher that alerts real people.
public typealias SystemDispatchClock = FanOut.SystemDispatchClock

// MARK: - Providers

/// A channel's provider: takes messages and answers with their outcome.
public typealias MessageProvider = FanOut.MessageProvider
/// One message handed to a provider.
public typealias OutboundMessage = FanOut.OutboundMessage
/// What a provider says became of a message, and when.
public typealias ProviderOutcome = FanOut.ProviderOutcome
/// The SMS adapter to a Kannel SMS gateway.
public typealias KannelSMSProvider = ProviderAdapters.KannelSMSProvider
/// Where Kannel listens and how to reach it.
public typealias KannelConfiguration = ProviderAdapters.KannelConfiguration

// MARK: - Errors

/// The protocol every error of the library adopts: a stable code, a message without personal
/// data, the cause and where in the input it was (file, line, field).
public typealias FanoutError = FanoutCore.FanoutError
