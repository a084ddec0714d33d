import FanOut
import Foundation
import Hummingbird
import Logging

extension ControlRoom {
    /// Who gives a command through the API, now: the token's subject and role, and the request id.
    /// The ledger records it in the command's own transaction (see ``CommandOrigin``).
    func origin(_ principal: Principal, _ context: ServeContext) -> CommandOrigin {
        CommandOrigin(
            operator: principal.subject, role: principal.role.rawValue, requestID: context.id, wallTime: Date())
    }

    /// Logs an applied command (the ledger's command log is the record; this line is for the
    /// service log): operator, role, command, action or participant id, request id. No token.
    func logCommand(_ origin: CommandOrigin, _ command: CommandKind, action: ActionID? = nil, participant: Int64? = nil) {
        var metadata: Logger.Metadata = [
            "operator": "\(origin.operatorName)", "role": "\(origin.role ?? "")",
            "request_id": "\(origin.requestID ?? "")", "command": "\(command.rawValue)",
        ]
        if let action { metadata["action"] = "\(action.rawValue)" }
        if let participant { metadata["participant"] = "\(participant)" }
        Logger(label: "fanout.serve.audit").info("command", metadata: metadata)
    }
}
