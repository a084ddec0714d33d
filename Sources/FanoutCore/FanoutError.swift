import Foundation

/// The one error protocol of every fanout module: a stable code, a message for a person, an
/// optional cause and, where there is one, the place in the input that was wrong.
///
/// Every public error type of the library adopts it (``FanoutErrorCode`` lists their codes), so a
/// service can handle any of them the same way:
///
/// ```swift
/// do { try engine.select(request) } catch let error as any FanoutError {
///     reply(status: 422, code: error.code.id, message: error.message, line: error.location?.line)
/// }
/// ```
///
/// - ``code``: the module's typed code (`GeoError.Code.unknownCRS`, compared with `==` as
///   before); its ``FanoutErrorCode/id`` is the machine name, `"geo.unknownCRS"`, stable across
///   releases and listed in `docs/library.md`.
/// - ``message``: what is wrong and what the choices are, in the library's terms (never a
///   command-line flag: the `fanout` command adds those). It never holds personal data (phone
///   numbers, e-mail addresses, names). `localizedDescription` is this message.
/// - ``cause``: the underlying error (SQLite, a system call, another module's error), if any.
/// - ``location``: the file or input, line, column and field, where the error has them.
/// - ``remedies``: the changes to the call that fix it, as data (``ErrorRemedy``), where the
///   message proposes some.
public protocol FanoutError: LocalizedError, CustomStringConvertible, Sendable {
    /// The module's code type.
    associatedtype Code: FanoutErrorCode
    /// What kind of failure this is; `code.id` is its stable machine name.
    var code: Code { get }
    /// What went wrong and what the choices are, for a person; never personal data.
    var message: String { get }
    /// The underlying error, if any.
    var cause: (any Error)? { get }
    /// Where in the input the problem is, when the error comes from an input.
    var location: ErrorLocation? { get }
    /// The changes to the call that fix the error, where the message proposes some.
    var remedies: [ErrorRemedy] { get }
}

/// The code type of a ``FanoutError``: a closed set of kinds, each with a stable machine name.
public protocol FanoutErrorCode: Hashable, Sendable, CustomStringConvertible, CaseIterable, Identifiable
where ID == String {
    /// The stable machine name, `module.kind` (for example `"geo.unknownCRS"`), unique across all
    /// fanout error types and never reused for another meaning.
    var id: String { get }
}

extension FanoutError {
    /// The message (Foundation's `localizedDescription` returns it).
    public var errorDescription: String? { message }
    /// No cause unless the type has one.
    public var cause: (any Error)? { nil }
    /// No location unless the type has one.
    public var location: ErrorLocation? { nil }
    /// No remedies unless the type has them.
    public var remedies: [ErrorRemedy] { [] }
    /// The message.
    public var description: String { message }
}
