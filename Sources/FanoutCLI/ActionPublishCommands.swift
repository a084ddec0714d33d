import ArgumentParser
import FanOut
import FanoutDesk
import Foundation
import GeoFormats

struct ActionPublishCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Release an action's public part to the public feeds, or withdraw it.",
        discussion: """
            Nothing of an action is in the public feeds (`fanout action feed`, the service's /public/actions.atom \
            and .rss) before the dispatcher releases it. The public part is the description, the photo link, the \
            number to call and a generalised area (the centre rounded to 0.01°, the area widened by at least 250 m): \
            never a participant or the incident point. Enlargements and the end show in the feeds as they happen. \
            --withdraw takes it out again (a found child's photo should not stay online). Recorded in the command log.
            """)

    @Option(help: ArgumentHelp("The registry database, which also holds the ledger.", valueName: "FILE"))
    var db: String
    @Argument(help: "The action id.")
    var action: ActionIDArgument
    @Option(help: ArgumentHelp("A photo link to publish (http or https); the action's own when left out.", valueName: "URL"))
    var photoURL: String?
    @Flag(help: "Take the action out of the public feeds.")
    var withdraw = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if withdraw && photoURL != nil { throw ValidationError("--withdraw takes no --photo-url") }
        if let photoURL {
            do { try MessageLimits.checkPhotoURL(photoURL, named: "--photo-url") } catch let e as DispatchError {
                throw ValidationError(e.message)
            }
        }
    }

    func run() throws {
        try requireRegistry(db)
        let ledger = try Ledger.open(at: db)
        if withdraw {
            try ledger.withdraw(action.id, origin: .commandLine())
            return print("action \(action.id) withdrawn from the public feeds")
        }
        let p = try ledger.publish(action.id, photoURL: photoURL, origin: .commandLine())
        print("action \(action.id) released to the public feeds" + (p.photoURL == nil ? "" : " with its photo link"))
    }
}

struct ActionFeedCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Write the public feeds of the released actions: Atom with CAP 1.2, RSS, and one action's CAP.",
        discussion: """
            The Atom feed (RFC 4287) has one entry per released action holding its CAP 1.2 message; the RSS 2.0 feed \
            one item per action, whose guid changes with each enlargement and the end. --cap writes one action's \
            CAP message, signed (XML signature, ECDSA P-256, checked by `xmlsec1 --verify --pubkey-pem`) with \
            --signing-key. Links in the feeds start with --base-url. Output files: \(outputFilesHelp)
            """)

    @Option(help: ArgumentHelp("The registry database, which also holds the ledger.", valueName: "FILE"))
    var db: String
    @Option(help: ArgumentHelp("Where the feeds are published, for example https://example.org/public.", valueName: "URL"))
    var baseURL: String
    @Option(help: ArgumentHelp("The feeds' title.", valueName: "TEXT"))
    var title = "Burgernet actions"
    @Option(help: ArgumentHelp("A dispatch configuration: its texts.callNumber is the number to call.", valueName: "FILE"))
    var config: String?
    @Option(help: ArgumentHelp("Write the Atom feed here.", valueName: "FILE"))
    var atom: String?
    @Option(help: ArgumentHelp("Write the RSS feed here.", valueName: "FILE"))
    var rss: String?
    @Option(help: ArgumentHelp("Write this action's CAP message to --out.", valueName: "ID"))
    var cap: ActionIDArgument?
    @Option(help: ArgumentHelp("Where --cap writes.", valueName: "FILE"))
    var out: String?
    @Option(help: ArgumentHelp("Sign --cap with this PEM EC P-256 private key.", valueName: "FILE"))
    var signingKey: String?
    @Option(help: ArgumentHelp("The key name the signature gives (KeyInfo/KeyName).", valueName: "NAME"))
    var keyName = "fanout-public"
    @Option(help: ArgumentHelp("At most this many actions, the most recently released first.", valueName: "N"))
    var limit = 50

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if atom == nil && rss == nil && cap == nil { throw ValidationError("give --atom, --rss or --cap (with --out)") }
        if (cap == nil) != (out == nil) { throw ValidationError("--cap and --out go together") }
        if signingKey != nil && cap == nil { throw ValidationError("--signing-key signs --cap") }
        guard let url = URLComponents(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false
        else { throw ValidationError("--base-url '\(baseURL.prefix(80))': not an http or https URL with a host") }
        if !(1...1000).contains(limit) { throw ValidationError("--limit \(limit): give 1 to 1000") }
        let outputs = [atom, rss, out].compactMap { $0.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
        if Set(outputs).count < outputs.count {
            throw ValidationError("--atom, --rss and --out must name different files")
        }
    }

    func run() throws {
        try requireRegistry(db)
        var inputs = [OutputTarget.Input("--db", db)]
        if let config { inputs.append(OutputTarget.Input("--config", config)) }
        if let signingKey { inputs.append(OutputTarget.Input("--signing-key", signingKey)) }
        let targets = try [(atom, "--atom"), (rss, "--rss"), (out, "--out")].compactMap { path, option in
            try path.map { (option, try checkOutput($0, option: option, inputs: inputs)) }
        }
        let callNumber =
            try config.flatMap { try DispatchConfig.load(from: URL(fileURLWithPath: $0)).texts?.callNumber }
            ?? MessageTemplates().callNumber
        let signer = try signingKey.map {
            try CAPSignature(contentsOf: URL(fileURLWithPath: $0), keyName: keyName, source: "--signing-key \($0)")
        }
        let ledger = try Ledger.open(at: db, readOnly: true)
        let feed = try PublicFeed.read(
            from: ledger, title: title, baseURL: baseURL, callNumber: callNumber, limit: limit)
        var texts: [String: String] = [:]
        if atom != nil { texts["--atom"] = try feed.atom() }
        if rss != nil { texts["--rss"] = feed.rss() }
        if let cap {
            guard let action = try PublicAction.read(cap.id, from: ledger, callNumber: callNumber)
            else {
                throw CommandFailure(.refused, "--cap \(cap.id): the action is not released to the public feeds (fanout action publish)")
            }
            texts["--out"] = try signer.map { try $0.signed(action.cap) } ?? CAPWriter.xml(action.cap)
        }
        for (option, target) in targets {
            let file = try AtomicFileWriter(target: target)
            try file.write(texts[option] ?? "")
            try file.commit()
        }
        note("public feed: \(feed.actions.count) released action\(feed.actions.count == 1 ? "" : "s")")
    }
}
